"""Content drift (issue 15): the archive capture closest to the citation date against
the live page, on a local web server and the local archive stand-in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import exit_line, refcheck
from localweb import DRIFT_PAGES, ArchiveStandIn, serve, serve_archive

from refcheck.models import CitedBy, Drift, DriftVerdict, LinkResult
from refcheck.resolve.archive import ArchiveSettings
from refcheck.resolve.cache import Cache
from refcheck.resolve.check import CheckSettings
from refcheck.resolve.drift import PageDigest, classify, jaccard, read_page, shingles_of, title_similarity
from refcheck.resolve.resolver import ResolveSettings, resolve_links
from refcheck.resolve.wayback import raw_capture_url

SITE = "Example News"
BUDGET = [
    "The city council postponed its vote on the annual budget on Tuesday after members disagreed over how much"
    " money should go to public transport, schools and the repair of the old harbour bridge.",
    "Mayor Ana Ruiz said the delay would last at least two weeks, and that the finance committee would meet"
    " again on Friday to look for savings in the administration of the city's own offices.",
    "Opposition members argued that the proposed cuts to bus routes in the northern districts would hurt"
    " workers who start early, and asked for an independent review of the transport company's accounts.",
    "The budget of 412 million euros is the largest in the city's history, driven by higher energy prices"
    " and by the salaries of teachers agreed with the unions in the spring after a long strike.",
    "Residents who spoke at the public hearing mostly asked for the bridge to be repaired before winter,"
    " when heavy lorries use it to reach the port and the queues reach the motorway junction.",
    "A final vote is now expected at the beginning of next month, the council's spokesman said in a statement"
    " published late on Tuesday evening, adding that the session would be broadcast online.",
]
EDITED = [
    *BUDGET[:3],
    "Update: the council has now published the finance committee's list of savings, which includes merging"
    " two district offices, selling the old tram depot and delaying the renovation of the town hall.",
    "The transport company said it would open its accounts to the review, and its chief executive, Marco Ferri,"
    " told reporters that no bus route would be cut before the end of the school year.",
    "This article was updated on Thursday with the committee's list and the transport company's answer.",
]
FOOTBALL = [
    "The home side won the derby three goals to one on Saturday, with two late goals from the substitute"
    " striker who had not played since breaking his ankle in a training session last autumn.",
    "The visitors had led at half time through a header from a corner, and their goalkeeper saved a penalty"
    " early in the second half before the home side changed formation and pressed much higher.",
    "Forty thousand supporters filled the stadium, the largest crowd of the season, and the police said"
    " the evening passed without trouble apart from a few flares lit in the away end after the final whistle.",
    "The win lifts the club to third place in the table, two points behind the leaders with eight games left,"
    " and the coach said his players now believe they can qualify for a European competition.",
]


def article(title: str, paragraphs: list[str], site: str = SITE) -> bytes:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f'<html><head><title>{title} | {site}</title><meta property="og:site_name" content="{site}"></head>'
        f'<body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>'
        f"<article><h1>{title}</h1>{body}</article><footer>© {site}</footer></body></html>"
    ).encode()


def home_page(site: str = SITE) -> bytes:
    teasers = "".join(f'<li><a href="/story/{i}">Headline number {i} of the day in {site}</a></li>' for i in range(12))
    return (
        f'<html><head><title>{site}</title><meta property="og:site_name" content="{site}"></head>'
        f"<body><nav><a href='/'>Home</a></nav><main><ul>{teasers}</ul></main></body></html>"
    ).encode()


PARKED = (
    b"<html><head><title>example-news.com</title></head><body><h1>example-news.com</h1>"
    b"<p>This domain is for sale! Buy this domain today. Make an offer on this domain.</p></body></html>"
)


@pytest.fixture
def stand_in() -> Iterator[tuple[str, ArchiveStandIn]]:
    with serve_archive() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh_pages() -> Iterator[None]:
    DRIFT_PAGES.clear()
    yield
    DRIFT_PAGES.clear()


def settings_for(archive_base: str, **overrides: object) -> ResolveSettings:
    settings = ResolveSettings(
        host_interval=0.0,
        check=CheckSettings(timeout=2.0, retries=0, allow_private=True),
        archive_settings=ArchiveSettings(wayback_url=archive_base, cdx_url=archive_base, interval=0.0),
        drift=True,
    )
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


def captured(archive: ArchiveStandIn, url: str, page: bytes, timestamp: str = "20180829101500") -> None:
    archive.captures[url] = [timestamp]
    archive.pages[url] = page


def capture_requests(archive: ArchiveStandIn) -> int:
    return sum(count for path, count in archive.stats.requests.items() if path.startswith("/web/"))


def drift_of(
    stand_in: tuple[str, ArchiveStandIn],
    tmp_path: Path,
    then: bytes | None,
    now: bytes,
    title: str | None = None,
    taken: str = "20180829101500",
) -> Drift | None:
    """One link cited on 2018-08-28: captured as ``then`` at ``taken`` (None: no capture), live as ``now``."""
    archive_base, archive = stand_in
    with serve() as (web, _stats):
        url = web + "/drift/story"
        DRIFT_PAGES["story"] = now
        if then is not None:
            captured(archive, url, then, taken)
        links = {url: LinkResult(url, None, [CitedBy("a.txt", 3, 1, "2018-08-28", title)])}
        resolve_links(links, settings_for(archive_base), Cache(tmp_path / "cache"))
    assert links[url].status == "ok"
    return links[url].drift


def test_same_page(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    page = article("Budget vote delayed", BUDGET)
    drift = drift_of(stand_in, tmp_path, page, page, title="Budget vote delayed")
    assert drift is not None and drift.verdict is DriftVerdict.NONE, drift
    assert drift.then_title == drift.now_title == f"Budget vote delayed | {SITE}"
    assert drift.text_similarity == 1.0 and drift.title_similarity == 1.0
    assert drift.cited_title == "Budget vote delayed" and drift.cited_similarity == 1.0
    base = stand_in[0]
    assert drift.capture_timestamp == "20180829101500"
    assert drift.capture_url is not None and drift.capture_url.startswith(f"{base}/web/20180829101500/")
    assert (
        stand_in[1].stats.requests[f"/web/20180829101500id_/{drift.capture_url.split('/web/20180829101500/')[1]}"] == 1
    )


def test_edited_page(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    then = article("Budget vote delayed", BUDGET)
    now = article("Budget vote delayed as council lists savings", EDITED)
    drift = drift_of(stand_in, tmp_path, then, now)
    assert drift is not None and drift.verdict is DriftVerdict.CHANGED, drift
    assert drift.text_similarity is not None and 0.1 < drift.text_similarity < 0.6


def test_another_story(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    then = article("Budget vote delayed", BUDGET)
    now = article("Late goals win the derby", FOOTBALL)
    drift = drift_of(stand_in, tmp_path, then, now, title="Budget vote delayed")
    assert drift is not None and drift.verdict is DriftVerdict.REPLACED, drift
    assert drift.reason == "another title and another text"
    assert drift.cited_similarity is not None and drift.cited_similarity < 0.6


def test_now_the_home_page(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    drift = drift_of(stand_in, tmp_path, article("Budget vote delayed", BUDGET), home_page())
    assert drift is not None and drift.verdict is DriftVerdict.REPLACED, drift
    assert drift.reason == "the title is now the site's name"


def test_now_a_parked_domain(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    drift = drift_of(stand_in, tmp_path, article("Budget vote delayed", BUDGET), PARKED)
    assert drift is not None and drift.verdict is DriftVerdict.REPLACED and drift.reason == "now a parked domain"


def test_no_capture(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    drift = drift_of(stand_in, tmp_path, None, article("Budget vote delayed", BUDGET))
    assert drift is not None and drift.verdict is DriftVerdict.UNKNOWN
    assert drift.reason == "no capture near the citation date"
    assert capture_requests(stand_in[1]) == 0


@pytest.mark.parametrize(
    ("taken", "side", "days"), [("20210301000000", "after", 916), ("20160101000000", "before", 970)]
)
def test_a_capture_far_from_the_citation_date_is_not_compared(
    stand_in: tuple[str, ArchiveStandIn], tmp_path: Path, taken: str, side: str, days: int
) -> None:
    """Years away from the citation, a capture says nothing of what was cited:
    not even an identical page counts as ``none``, and the capture is not fetched."""
    page = article("Budget vote delayed", BUDGET)
    drift = drift_of(stand_in, tmp_path, page, page, taken=taken)
    assert drift is not None and drift.verdict is DriftVerdict.UNKNOWN, drift
    assert drift.reason == f"closest capture {days} days {side} the citation: not evidence of what was cited"
    assert drift.capture_timestamp == taken and capture_requests(stand_in[1]) == 0


def test_a_capture_within_a_year_of_the_citation_is_compared(
    stand_in: tuple[str, ArchiveStandIn], tmp_path: Path
) -> None:
    page = article("Budget vote delayed", BUDGET)
    drift = drift_of(stand_in, tmp_path, page, page, taken="20190615000000")  # 291 days after
    assert drift is not None and drift.verdict is DriftVerdict.NONE, drift


def test_not_for_undated_citations_nor_dead_links(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    archive_base, archive = stand_in
    with serve() as (web, stats):
        undated, dead = web + "/drift/undated", web + "/gone"
        DRIFT_PAGES["undated"] = article("Budget vote delayed", BUDGET)
        captured(archive, undated, DRIFT_PAGES["undated"])
        links = {
            undated: LinkResult(undated, None, [CitedBy("a.txt", 3, None, None, "Budget vote delayed")]),
            dead: LinkResult(dead, None, [CitedBy("a.txt", 4, None, "2018-08-28")]),
        }
        resolve_links(links, settings_for(archive_base), Cache(tmp_path / "cache"))
    assert links[undated].status == "ok" and links[undated].drift is None and links[undated].archive is None
    assert links[dead].status == "dead" and links[dead].drift is None
    assert capture_requests(archive) == 0
    assert stats.requests["/drift/undated"] == 1  # the check only: no second live request


def test_cached_on_rerun(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    archive_base, archive = stand_in
    page = article("Budget vote delayed", BUDGET)
    with serve() as (web, stats):
        url = web + "/drift/story"
        DRIFT_PAGES["story"] = page
        captured(archive, url, page)

        def run() -> LinkResult:
            links = {url: LinkResult(url, None, [CitedBy("a.txt", 3, 1, "2018-08-28")])}
            resolve_links(links, settings_for(archive_base), Cache(tmp_path / "cache"))
            return links[url]

        first = run()
        asked, live = archive.stats.total, stats.total
        again = run()
        assert archive.stats.total == asked  # nothing new asked of the archive
        assert stats.total == live  # the ok verdict and the drift verdict are both cached
    assert first.drift is not None and again.drift is not None
    assert again.drift.verdict is first.drift.verdict is DriftVerdict.NONE
    assert again.drift.text_similarity == first.drift.text_similarity


def test_refresh_reuses_the_cached_capture(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    """With --refresh the live page is compared again, but the capture (which never
    changes) is not fetched again: its digest is cached."""
    archive_base, archive = stand_in
    with serve() as (web, _stats):
        url = web + "/drift/story"
        DRIFT_PAGES["story"] = article("Budget vote delayed", BUDGET)
        captured(archive, url, DRIFT_PAGES["story"])
        links = {url: LinkResult(url, None, [CitedBy("a.txt", 3, 1, "2018-08-28")])}
        resolve_links(links, settings_for(archive_base), Cache(tmp_path / "cache"))
        DRIFT_PAGES["story"] = article("Late goals win the derby", FOOTBALL)
        links = {url: LinkResult(url, None, [CitedBy("a.txt", 3, 1, "2018-08-28")])}
        resolve_links(links, settings_for(archive_base, refresh=True), Cache(tmp_path / "cache"))
    assert capture_requests(archive) == 1
    assert links[url].drift is not None and links[url].drift.verdict is DriftVerdict.REPLACED


def test_damaged_cache_rows_are_skipped(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    cache.set("drift:https://x.example/a@20180828", {"verdict": "maybe", "reason": 3})
    cache.set("capture:https://x.example/a@20180829000000", {"title": 1, "shingles": "no"})
    assert cache.drift("https://x.example/a", "20180828") is None
    assert PageDigest.from_plain(cache.capture_digest("https://x.example/a", "20180829000000")) is None


def test_off_by_default(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    archive_base, archive = stand_in
    with serve() as (web, _stats):
        url = web + "/drift/story"
        DRIFT_PAGES["story"] = article("Budget vote delayed", BUDGET)
        captured(archive, url, DRIFT_PAGES["story"])
        links = {url: LinkResult(url, None, [CitedBy("a.txt", 3, 1, "2018-08-28")])}
        resolve_links(links, settings_for(archive_base, drift=False), Cache(tmp_path / "cache"))
    assert links[url].drift is None and links[url].archive is None
    assert archive.stats.total == 0


# --------------------------------------------------------------- the command line


def corpus(tmp_path: Path, url: str) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "story.txt").write_text(
        "Budget trouble\n\nThe council delayed the vote (1).\n\nNotes\n\n"
        f'(1) Example News: "Budget vote delayed", August 28, 2018, {url}\n',
        "utf-8",
    )
    return folder


def cli(tmp_path: Path, folder: Path, archive_base: str, *extra: str) -> tuple[int, str, dict[str, object]]:
    out = tmp_path / "out.json"
    done = refcheck(
        tmp_path, str(folder), "--allow-private", "--no-report", "--host-interval", "0", "--archive-interval", "0",
        "--wayback-url", archive_base, "--cdx-url", archive_base, "--cache-dir", str(tmp_path / "cache"),
        "--json", str(out), "--retries", "0", "--timeout", "5", *extra,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    links = json.loads(out.read_text("utf-8"))["links"]
    return done.returncode, done.stdout, links[0] if isinstance(links, list) else next(iter(links.values()))


def test_cli_fail_on_drift(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    archive_base, archive = stand_in
    with serve() as (web, _stats):
        url = web + "/drift/story"
        DRIFT_PAGES["story"] = home_page()
        captured(archive, url, article("Budget vote delayed", BUDGET))
        folder = corpus(tmp_path, url)
        code, output, link = cli(tmp_path, folder, archive_base, "--drift", "--fail-on", "drift")
    assert code == 1
    assert exit_line(output) == "exit 1: 1 cited page replaced (content drift) (--fail-on drift)"
    drift = link["drift"]
    assert isinstance(drift, dict) and drift["verdict"] == "replaced"


def test_cli_drift_off_by_default_and_offline(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    archive_base, archive = stand_in
    with serve() as (web, _stats):
        url = web + "/drift/story"
        DRIFT_PAGES["story"] = article("Budget vote delayed", BUDGET)
        captured(archive, url, DRIFT_PAGES["story"])
        folder = corpus(tmp_path, url)
        code, _, link = cli(tmp_path, folder, archive_base)
        assert link["drift"] is None and capture_requests(archive) == 0  # off by default: no capture fetched
        assert code == 0
        code, _, link = cli(tmp_path, folder, archive_base, "--offline", "--drift")
        assert link["drift"] == {**link["drift"], "verdict": "unknown", "reason": "offline: not compared"}
        assert capture_requests(archive) == 0 and code == 0
        code, _, link = cli(tmp_path, folder, archive_base, "--drift")
        assert link["drift"]["verdict"] == "none" and code == 0
        asked = archive.stats.total
        _, _, link = cli(tmp_path, folder, archive_base, "--offline", "--drift")  # from the cache
        assert link["drift"]["verdict"] == "none" and archive.stats.total == asked


def test_cli_fail_on_drift_needs_drift(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("text\n", "utf-8")
    done = refcheck(tmp_path, "a.txt", "--offline", "--no-report", "--fail-on", "drift")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "refcheck: --fail-on drift needs content drift on (--drift, or drift = true in the settings file)"
    )


def test_drift_setting_in_the_file(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    archive_base, archive = stand_in
    with serve() as (web, _stats):
        url = web + "/drift/story"
        DRIFT_PAGES["story"] = PARKED
        captured(archive, url, article("Budget vote delayed", BUDGET))
        folder = corpus(tmp_path, url)
        (folder / "refcheck.toml").write_text('drift = true\nfail-on = "drift"\n', "utf-8")
        code, _, link = cli(tmp_path, folder, archive_base)
        assert code == 1 and link["drift"]["reason"] == "now a parked domain"
        code, _, link = cli(tmp_path, folder, archive_base, "--no-drift", "--fail-on", "dead")
        assert code == 0 and link["drift"] is None


# --------------------------------------------------------------- pieces


def test_raw_capture_address() -> None:
    assert raw_capture_url("https://web.archive.org/web/20180829000000/https://x.org/a?b=1", "20180829000000") == (
        "https://web.archive.org/web/20180829000000id_/https://x.org/a?b=1"
    )
    assert raw_capture_url("https://web.archive.org/other", "20180829000000") is None


def test_similarities() -> None:
    assert title_similarity("Budget vote delayed | Example News", "Budget vote delayed - Example News") == 1.0
    assert title_similarity(None, "x") is None
    words = " ".join(BUDGET).lower().split()
    assert jaccard(shingles_of(words), shingles_of(words)) == 1.0
    assert jaccard(shingles_of(words), shingles_of(" ".join(FOOTBALL).lower().split())) == 0.0


def test_not_html_is_unknown() -> None:
    assert read_page(b"%PDF-1.7 binary", "application/pdf") is None
    then = read_page(article("Budget vote delayed", BUDGET))
    drift = classify(then, None, url="https://x.org/a", why_not="the live page is not an HTML page")
    assert drift.verdict is DriftVerdict.UNKNOWN and drift.reason == "the live page is not an HTML page"


def test_home_page_by_address() -> None:
    then = read_page(article("Budget vote delayed", BUDGET))
    now = read_page(article("Welcome", FOOTBALL))
    drift = classify(then, now, url="https://x.org/2018/08/budget", final_url="https://x.org/")
    assert drift.verdict is DriftVerdict.REPLACED and drift.reason == "now the site's home page"
