"""History per corpus and an honest "what changed": runs compare with the last run
over the same corpus wherever refcheck was started from, never with another
corpus's; newly and still dead never overlap; a run that could not check its
links shows no fake recovery and says so in history.jsonl."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from conftest import refcheck
from localweb import serve, serve_archive

from refcheck.models import ArchiveCopy, CitedBy, LinkResult, LinkStatus, Verdict
from refcheck.report.changes import compare, dead_streaks
from refcheck.report.files import corpus_history, previous_links, read_history

DATE = "28 August 2018"


def write_article(folder: Path, urls: list[str], name: str = "a.txt") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    body = " ".join(f"Claim ({n})." for n in range(1, len(urls) + 1))
    notes = "\n\n".join(f"({n}) Source, {DATE}, {url}" for n, url in enumerate(urls, 1))
    (folder / name).write_text(f"Title\n\n{body}\n\n{notes}\n", encoding="utf-8")


def checked(*extra: str) -> list[str]:
    """Options of a run against the loopback test server (no archive unless asked)."""
    return ["--allow-private", "--host-interval", "0", "--refresh", *extra]


def run_folders(reports: Path) -> list[Path]:
    return sorted(path for path in reports.iterdir() if path.is_dir() and not path.is_symlink())


def report_of(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "report.json").read_text("utf-8"))  # type: ignore[no-any-return]


def history_rows(reports: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (reports / "history.jsonl").read_text("utf-8").splitlines()]


def link(url: str, status: LinkStatus) -> LinkResult:
    return LinkResult(url, "example.org", [CitedBy("a.txt", 3, 1)], verdict=Verdict(status))


# --------------------------------------------------------------------------- one corpus, many places


def test_same_corpus_from_two_working_folders_compares(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    elsewhere = tmp_path / "elsewhere" / "deeper"
    elsewhere.mkdir(parents=True)
    (tmp_path / "alias").symlink_to(tmp_path / "corpus", target_is_directory=True)
    with serve() as (web, _):
        write_article(tmp_path / "corpus", [f"{web}/ok", f"{web}/gone"])
        first = refcheck(tmp_path, "corpus", *checked("--no-archive"))
        # Another working folder, the corpus written another way (relative, through a
        # symbolic link, with a trailing slash), the same report folder by its full path.
        second = refcheck(elsewhere, "../../alias/", *checked("--no-archive", "--report-dir", str(reports)))
        third = refcheck(elsewhere, str(tmp_path / "corpus"), *checked("--no-archive", "--report-dir", "../../reports"))
    assert first.returncode == 1, first.stdout + first.stderr
    folders = run_folders(reports)
    assert len(folders) == 3
    keys = {report_of(folder)["corpus"]["key"] for folder in folders}
    assert len(keys) == 1
    assert report_of(folders[0])["corpus"]["inputs"] == [os.path.realpath(tmp_path / "corpus")]
    for earlier, later, done in ((folders[0], folders[1], second), (folders[1], folders[2], third)):
        changes = report_of(later)["changes"]
        assert changes["previous"] == earlier.name
        assert changes["newly_cited"] == [] and changes["no_longer_cited"] == []
        assert changes["newly_dead"] == []
        assert [item["url"] for item in changes["still_dead"]] == [f"{web}/gone"]
        assert "since " + earlier.name in done.stdout
    assert report_of(folders[2])["changes"]["still_dead"][0]["runs"] == 3
    rows = history_rows(reports)
    assert [row["corpus"]["key"] for row in rows] == [keys.pop()] * 3


def test_another_corpus_in_the_same_report_folder_starts_its_own_history(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    with serve() as (web, _):
        write_article(tmp_path / "one", [f"{web}/ok", f"{web}/gone"])
        write_article(tmp_path / "two", [f"{web}/ok-two", f"{web}/gone?two"])
        refcheck(tmp_path, "one", *checked("--no-archive"))
        other = refcheck(tmp_path, "two", *checked("--no-archive", "--fail-on", "new-dead"))
        again = refcheck(tmp_path, "one", *checked("--no-archive", "--fail-on", "new-dead"))
    one_first, two_first, one_second = run_folders(reports)
    two_changes = report_of(two_first)["changes"]
    assert two_changes["previous"] is None  # never compared with corpus "one"
    assert two_changes["no_longer_cited"] == []
    assert two_changes["newly_dead"] == [f"{web}/gone?two"]
    assert other.returncode == 1  # its first run: its dead link is new
    assert "no longer cited" not in other.stdout
    one_changes = report_of(one_second)["changes"]
    assert one_changes["previous"] == one_first.name  # skips the other corpus's newer run
    assert one_changes["newly_cited"] == [] and one_changes["no_longer_cited"] == []
    assert again.returncode == 0, again.stdout  # nothing newly dead for corpus "one"
    # The trend of each corpus holds its own runs only.
    key_one, key_two = (report_of(folder)["corpus"]["key"] for folder in (one_first, two_first))
    assert key_one != key_two
    history = read_history(reports)
    assert [row["run"] for row in corpus_history(history, key_one)] == [one_first.name, one_second.name]
    assert [row["run"] for row in corpus_history(history, key_two)] == [two_first.name]
    # The --no-report path compares the same way.
    folder, links, warnings = previous_links(reports, key_two)
    assert folder == two_first and links is not None and f"{web}/gone?two" in links and warnings == []


# --------------------------------------------------------------------------- the lists never overlap


def test_newly_dead_and_still_dead_are_disjoint() -> None:
    now = {
        "https://example.org/died": link("https://example.org/died", LinkStatus.DEAD),
        "https://example.org/dead": link("https://example.org/dead", LinkStatus.SOFT_404),
        "https://example.org/new": link("https://example.org/new", LinkStatus.DEAD),
        "https://example.org/back": link("https://example.org/back", LinkStatus.OK),
    }
    first = compare(now, None, None, "2024-05-01")
    assert first.newly_dead == ["https://example.org/dead", "https://example.org/died", "https://example.org/new"]
    assert first.still_dead == []  # a first run: every dead link is new, none still dead
    assert dead_streaks(first)["https://example.org/new"] == {"since": "2024-05-01", "runs": 1}

    previous = {
        "https://example.org/died": {"status": "ok"},
        "https://example.org/dead": {"status": "dead", "dead_streak": {"since": "2024-04-01", "runs": 4}},
        "https://example.org/back": {"status": "soft-404"},
    }
    changes = compare(now, previous, "2024-05-01T000000", "2024-05-02")
    still = {item.url: (item.since, item.runs) for item in changes.still_dead}
    assert changes.newly_dead == ["https://example.org/died", "https://example.org/new"]
    assert still == {"https://example.org/dead": ("2024-04-01", 5)}
    assert not set(changes.newly_dead) & set(still)
    assert changes.recovered == ["https://example.org/back"]
    streaks = dead_streaks(changes)  # newly dead links start a streak the next run continues
    assert streaks["https://example.org/died"] == {"since": "2024-05-02", "runs": 1}
    assert streaks["https://example.org/dead"] == {"since": "2024-04-01", "runs": 5}
    assert "https://example.org/back" not in streaks


def test_unchecked_links_are_neither_recovered_nor_newly_dead() -> None:
    previous = {
        "https://example.org/was-dead": {"status": "dead", "dead_streak": {"since": "2024-04-01", "runs": 2}},
        "https://example.org/was-ok": {"status": "ok"},
        "https://example.org/walled": {"status": "soft-404"},
    }
    now = {
        "https://example.org/was-dead": link("https://example.org/was-dead", LinkStatus.UNKNOWN),
        "https://example.org/was-ok": link("https://example.org/was-ok", LinkStatus.UNKNOWN),
        "https://example.org/walled": link("https://example.org/walled", LinkStatus.BLOCKED),
    }
    changes = compare(now, previous, "before", "2024-05-02")
    assert changes.newly_dead == [] and changes.recovered == [] and changes.still_dead == []
    unconfirmed = {item.url: (item.status, item.since, item.runs) for item in changes.unconfirmed}
    assert unconfirmed == {
        "https://example.org/was-dead": ("unknown", "2024-04-01", 2),
        "https://example.org/walled": ("blocked", None, 1),
    }
    assert changes.to_json()["unconfirmed"][0]["status"] in ("unknown", "blocked")
    # The streak is carried over: the next run that finds it dead continues it.
    carried = dead_streaks(changes)["https://example.org/was-dead"]
    after = compare(
        {"https://example.org/was-dead": link("https://example.org/was-dead", LinkStatus.DEAD)},
        {"https://example.org/was-dead": {"status": "unknown", "dead_streak": carried}},
        "offline run",
        "2024-05-03",
    )
    assert after.newly_dead == []
    assert [(item.url, item.since, item.runs) for item in after.still_dead] == [
        ("https://example.org/was-dead", "2024-04-01", 3)
    ]


def test_damaged_previous_links_do_not_break_the_comparison() -> None:
    previous: dict[str, dict[str, Any]] = {
        "https://example.org/a": {"status": ["dead"], "dead_streak": "long", "archive": "yes"},
        "https://example.org/b": {"status": "dead", "dead_streak": {"since": 7, "runs": True}},
        "https://example.org/c": {"status": "ok", "dead_streak": {"since": "2024-01-01", "runs": 9}},
    }
    now = {url: link(url, LinkStatus.DEAD) for url in previous}
    changes = compare(now, previous, "planted", "2024-05-02")
    # A status that is not one, and an ok link with a stray streak: not known dead before.
    assert changes.newly_dead == ["https://example.org/a", "https://example.org/c"]
    assert [(item.url, item.since, item.runs) for item in changes.still_dead] == [("https://example.org/b", None, 2)]


# --------------------------------------------------------------------------- a run that could not check


def test_offline_run_after_an_online_one_shows_no_fake_recovery(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    with serve() as (web, _), serve_archive() as (archive_base, archive):
        gone = f"{web}/gone"
        archive.captures[gone] = ["20180901000000"]
        write_article(tmp_path / "corpus", [f"{web}/ok", gone])
        archived = ["--wayback-url", archive_base, "--cdx-url", archive_base, "--archive-interval", "0"]
        online = refcheck(tmp_path, "corpus", *checked(*archived, "--fail-on", "new-dead"))
        # Offline with an empty cache: nothing checked, no archive asked.
        offline = refcheck(tmp_path, "corpus", "--offline", "--cache-dir", "empty-cache", "--fail-on", "new-dead")
        back = refcheck(tmp_path, "corpus", *checked(*archived, "--fail-on", "new-dead"))
    assert online.returncode == 1  # first run: its dead link is new
    assert offline.returncode == 0, offline.stdout  # an unchecked link is not newly dead
    assert back.returncode == 0, back.stdout  # nor is it newly dead once checked again
    first, second, third = run_folders(reports)

    changes = report_of(second)["changes"]
    assert changes["previous"] == first.name
    assert changes["recovered"] == [] and changes["newly_dead"] == [] and changes["still_dead"] == []
    assert [(item["url"], item["status"], item["runs"]) for item in changes["unconfirmed"]] == [(gone, "unknown", 1)]
    summary = report_of(second)["summary"]
    assert summary["complete"] is False
    assert summary["coverage"]["offline"] is True and summary["coverage"]["not_checked"] == 2

    later = report_of(third)["changes"]
    assert later["newly_dead"] == [] and later["recovered"] == []
    assert [(item["url"], item["runs"]) for item in later["still_dead"]] == [(gone, 2)]

    rows = history_rows(reports)
    assert [row["complete"] for row in rows] == [True, False, True]
    assert rows[1]["coverage"]["reasons"] == {"offline": 2} and rows[1]["coverage"]["offline"] is True
    assert (rows[0]["archive_looked_up"], rows[0]["archive_found"]) == (1, 1)
    assert (rows[1]["archive_looked_up"], rows[1]["archive_found"], rows[1]["archive_unanswered"]) == (0, 0, 2)
    assert rows[1]["corpus"] == rows[0]["corpus"]


# --------------------------------------------------------------------------- planted and older runs


def plant_run(reports: Path, name: str, report: str | None) -> Path:
    folder = reports / name
    folder.mkdir(parents=True)
    if report is not None:
        (folder / "report.json").write_text(report, "utf-8")
    return folder


def test_previous_run_is_chosen_by_corpus_and_survives_damage(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    ours = {"corpus": {"key": "ours"}, "links": [{"url": "https://example.org/a", "status": "dead"}]}
    oldest = plant_run(reports, "2024-01-01T000000", json.dumps(ours))
    plant_run(reports, "2024-01-02T000000", '{"links": [{"url": ')  # killed while writing
    theirs = plant_run(reports, "2024-01-03T000000", None)
    os.mkfifo(theirs / "report.json")  # read it and the run would warn (or hang): the history says whose it is
    plant_run(reports, "2024-01-04T000000", json.dumps({"corpus": {"key": "theirs"}, "links": []}))
    rows = [
        {"run": oldest.name, "corpus": {"key": "ours"}},
        {"run": theirs.name, "corpus": {"key": "theirs"}},
        {"run": "2024-01-05T000000", "corpus": ["not", "a", "record"]},
        {"run": 7, "corpus": {"key": 7}},
    ]
    (reports / "history.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows) + "{torn\n", "utf-8")

    folder, links, warnings = previous_links(reports, "ours")
    assert folder == oldest and links is not None and list(links) == ["https://example.org/a"]
    assert len(warnings) == 1 and "2024-01-02T000000" in warnings[0] and "damaged" in warnings[0]
    assert previous_links(reports, "nobody's")[0] is None
    assert corpus_history(read_history(reports), "ours") == [rows[0]]


def test_runs_of_an_earlier_version_are_not_compared_with(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    plant_run(reports, "2024-01-01T000000", json.dumps({"links": [{"url": "https://example.org/a", "status": "ok"}]}))
    write_article(tmp_path / "corpus", ["https://example.org/b"])
    done = refcheck(tmp_path, "corpus", "--offline")
    assert "do not record their corpus" in done.stdout + done.stderr
    newest = run_folders(reports)[-1]
    changes = report_of(newest)["changes"]
    assert changes["previous"] is None and changes["no_longer_cited"] == []
    again = refcheck(tmp_path, "corpus", "--offline")
    assert "do not record their corpus" not in again.stdout + again.stderr  # said once: now it has a history
    assert report_of(run_folders(reports)[-1])["changes"]["previous"] == newest.name


def test_link_rot_per_article() -> None:
    from refcheck.report.stats import article_rows

    links = {
        "https://example.org/1": link("https://example.org/1", LinkStatus.DEAD),
        "https://example.org/2": link("https://example.org/2", LinkStatus.OK),
        "https://example.org/3": link("https://example.org/3", LinkStatus.UNKNOWN),
    }
    links["https://example.org/1"].cited_by.append(CitedBy("b.txt", 9, 2))
    links["https://example.org/3"].cited_by.append(CitedBy("a.txt", 8, 2))  # twice in a.txt: counted once
    rows = article_rows(links)
    assert list(rows) == ["a.txt", "b.txt"]
    assert (rows["a.txt"].links, rows["a.txt"].dead, rows["a.txt"].not_checked) == (3, 1, 1)
    assert rows["a.txt"].rot_text == "50% (1 not checked)"
    assert rows["b.txt"].rot_text == "100%"


def test_archive_counts_are_of_real_answers() -> None:
    from refcheck.report.files import archive_counts

    links = [
        LinkResult("https://example.org/1", None, archive=ArchiveCopy(None)),  # offline: never asked
        LinkResult("https://example.org/2", None, archive=ArchiveCopy(True, "https://w/1", "2018", "cdx")),
        LinkResult("https://example.org/3", None, archive=ArchiveCopy(False, None, None, "cdx")),
        LinkResult("https://example.org/4", None),
    ]
    assert archive_counts(links) == {"archive_looked_up": 2, "archive_found": 1, "archive_unanswered": 1}
