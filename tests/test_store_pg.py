"""The PostgreSQL verdict store against a real server (tests/pgserver.py starts one in a
temporary folder): the disk cache's behaviour, its safety rules, two writers at once,
the store unreachable at start and going away mid-run, an interrupted run resumed,
and the resolver answering a second run from the store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pgserver
import pytest
from localweb import closed_port, serve

from refcheck.errors import InputError
from refcheck.models import (
    ArchiveCopy,
    Citation,
    Document,
    Drift,
    DriftVerdict,
    HistoryEntry,
    Hop,
    LinkResult,
    LinkStatus,
    Verdict,
    to_plain,
)
from refcheck.resolve.cache import Cache, LinkEntry

psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL driver (psycopg) is not installed")

from refcheck.resolve.check import CheckSettings  # noqa: E402
from refcheck.resolve.resolver import ResolveSettings, resolve_links  # noqa: E402
from refcheck.resolve.store import description_of, location_of, open_store  # noqa: E402
from refcheck.resolve.store_pg import PostgresStore, describe  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server() -> Iterator[pgserver.PgServer]:
    try:
        running = pgserver.start()
    except pgserver.Unavailable as exc:
        pytest.skip(f"no PostgreSQL server for the store tests: {exc}")
    try:
        yield running
    finally:
        pgserver.remove(running)


@pytest.fixture
def url(server: pgserver.PgServer) -> str:
    """A fresh database for each test."""
    return server.create_database(f"t_{uuid.uuid4().hex[:12]}")


def rows(url: str, query: str, *parameters: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute(query, parameters or None).fetchall()


def execute(url: str, query: str, *parameters: Any) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(query, parameters or None)


def now(days_ago: float = 0) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")


# ------------------------------------------------------------------ the disk cache's behaviour


def fill(store: Any) -> None:
    """The same scenario written to either store."""
    ok = Verdict(LinkStatus.OK, 200, "https://b.example/final", [Hop("https://b.example/x", 301)], None, now(), 42)
    store.store_links([
        ("https://a.example/ok", LinkEntry([HistoryEntry(now(2), "dead"), HistoryEntry(ok.checked_at or "", "ok")],
                                           0, ok)),
        ("https://a.example/slow", LinkEntry([HistoryEntry(now(), "timeout")], 3, None)),
        ("https://a.example/stale", LinkEntry([HistoryEntry(now(9), "ok")], 0, Verdict(LinkStatus.OK, 200,
                                                                                        checked_at=now(9)))),
    ])  # fmt: skip
    store.set_probe("a.example/news/", LinkStatus.SOFT_404, "https://a.example/", "Home")
    store.set_archive_copy(
        "https://a.example/ok",
        "20180828",
        ArchiveCopy(True, "https://web.archive.org/web/1/x", "20180829000000", "availability"),
    )
    store.set_archive_copy("https://a.example/gone", "20180828", ArchiveCopy(False, source="cdx"))
    store.set_archive_copy("https://a.example/maybe", "20180828", ArchiveCopy(None))
    store.set_capture_digest("https://a.example/ok", "20180829000000", {"title": "T", "shingles": [1, 2, 3]})
    drift = Drift(DriftVerdict.CHANGED, "text changed", "Cited", "Then", "Now", 0.9, 0.8, 0.5,
                  "https://web.archive.org/web/1/x", "20180829000000", now())  # fmt: skip
    store.set_drift("https://a.example/ok", "20180828", drift)
    document = Document(path="a.md", format="markdown", title="Ünïcode \ud800 title")
    document.citations = [Citation("a.example/ok", "https://a.example/ok", "a.example", "inline", None, 3)]
    document.markers = [1, "a"]
    store.set_documents([("doc-key", document)])
    store.set_web_input("page:https://a.example/", {"etag": '"x"', "links": ["https://a.example/ok"]})
    store.set("other:key", {"n": 1, "text": "nul \x00 inside"})
    store.set_many([("other:list", [1, 2], None), ("other:gone", "x", -1.0)])


def read(store: Any) -> dict[str, Any]:
    entries = store.links(["https://a.example/ok", "https://a.example/slow", "https://a.example/stale", "https://x/"])
    document = store.document("doc-key")
    return {
        "links": {url: entry.to_plain() for url, entry in sorted(entries.items())},
        "fresh": {url: to_plain(entry.fresh_verdict()) for url, entry in sorted(entries.items())},
        "link": store.link("https://a.example/slow").to_plain(),
        "probe": store.probe("a.example/news/"),
        "archive": sorted(
            (key, to_plain(copy))
            for key, copy in store.archive_copies(
                [
                    ("https://a.example/ok", "20180828"),
                    ("https://a.example/gone", "20180828"),
                    ("https://a.example/maybe", "20180828"),
                    ("https://a.example/ok", "20990101"),
                ]
            ).items()
        ),
        "archive_one": to_plain(store.archive_copy("https://a.example/gone", "20180828")),
        "digest": store.capture_digest("https://a.example/ok", "20180829000000"),
        "drift": to_plain(store.drift("https://a.example/ok", "20180828")),
        "drift_too_old": store.drift("https://a.example/ok", "20180828", max_age_days=0) is None,
        "document": to_plain(document) if document is not None else None,
        "web_input": store.web_input("page:https://a.example/"),
        "get": [store.get("other:key"), store.get("other:list"), store.get("other:gone"), store.get("none")],
    }


def test_every_entry_kind_reads_back_as_from_the_disk_cache(url: str, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    store = PostgresStore(url)
    try:
        fill(cache)
        fill(store)
        expected, found = read(cache), read(store)
    finally:
        cache.close()
        store.close()
    assert found == expected
    assert found["fresh"]["https://a.example/stale"] is None  # an ok verdict 9 days old is not reused
    assert found["links"]["https://a.example/slow"]["verdict"] is None  # a timeout: history only
    assert found["get"][2] is None  # expired
    assert store.warnings == cache.warnings == []


def test_tables_an_analyst_can_query(url: str) -> None:
    store = PostgresStore(url)
    fill(store)
    store.record_run(corpus_key="abc", started_at=datetime.now(UTC), finished_at=datetime.now(UTC), complete=True,
                     counts={"unique_links": 3}, statuses={"ok": 2, "timeout": 1})  # fmt: skip
    store.close()
    assert rows(url, "SELECT url, status, http_status, failures FROM links ORDER BY url") == [
        ("https://a.example/ok", "ok", 200, 0),
        ("https://a.example/slow", "timeout", None, 3),
        ("https://a.example/stale", "ok", 200, 0),
    ]
    # every check is a row of its own: the newest of each write, written again idempotently
    assert rows(url, "SELECT url, status FROM checks ORDER BY url") == [
        ("https://a.example/ok", "ok"),
        ("https://a.example/slow", "timeout"),
        ("https://a.example/stale", "ok"),
    ]
    assert rows(url, "SELECT url, available, capture_timestamp FROM archive_captures ORDER BY url") == [
        ("https://a.example/gone", False, None),
        ("https://a.example/ok", True, "20180829000000"),
    ]
    assert rows(url, "SELECT verdict, title_similarity FROM drift") == [("changed", 0.9)]
    assert rows(url, "SELECT corpus_key, complete, counts->>'unique_links', statuses->>'ok' FROM runs") == [
        ("abc", True, "3", "2")
    ]
    assert rows(url, "SELECT version FROM refcheck_schema") == [(1,)]


def test_history_grows_one_check_a_write(url: str) -> None:
    store = PostgresStore(url)
    history: list[HistoryEntry] = []
    for day, status in ((3, "dead"), (2, "dead"), (1, "dead")):
        history.append(HistoryEntry(now(day), status))
        verdict = Verdict(LinkStatus.DEAD, 404, checked_at=history[-1].checked_at)
        store.store_links([("https://a.example/gone", LinkEntry(list(history), len(history), verdict))])
        store.store_links([("https://a.example/gone", LinkEntry(list(history), len(history), verdict))])  # twice
    store.close()
    assert rows(url, "SELECT count(*), count(DISTINCT checked_at) FROM checks") == [(3, 3)]
    assert rows(url, "SELECT http_status FROM checks ORDER BY checked_at") == [(404,), (404,), (404,)]
    dead_three_nights = """SELECT url FROM checks WHERE checked_at > now() - interval '4 days'
        GROUP BY url HAVING bool_and(status = 'dead') AND count(DISTINCT checked_at::date) >= 3"""
    assert rows(url, dead_three_nights) == [("https://a.example/gone",)]


def test_expired_rows_are_misses_and_pruned(url: str) -> None:
    store = PostgresStore(url)
    fill(store)
    execute(url, "UPDATE archive_captures SET expires_at = now() - interval '1 second'")
    execute(url, "UPDATE links SET expires_at = now() - interval '1 second' WHERE url LIKE '%slow'")
    assert store.archive_copies([("https://a.example/ok", "20180828")]) == {}
    assert store.link("https://a.example/slow") is None
    store.prune()
    store.close()
    assert rows(url, "SELECT count(*) FROM archive_captures") == [(0,)]
    assert rows(url, "SELECT count(*) FROM entries WHERE key = 'other:gone'") == [(0,)]
    assert rows(url, "SELECT url FROM checks WHERE url LIKE '%slow'") == []  # its checks went with it
    assert rows(url, "SELECT count(*) FROM links") == [(2,)]


def test_damaged_rows_are_skipped_with_a_warning(url: str) -> None:
    store = PostgresStore(url)
    fill(store)
    execute(url, "UPDATE links SET status = 'great' WHERE url LIKE '%/ok'")
    execute(url, "UPDATE links SET history = '5' WHERE url LIKE '%/slow'")
    execute(url, "UPDATE probes SET status = 'maybe'")
    execute(url, "UPDATE drift SET verdict = 'sideways'")
    execute(url, """UPDATE documents SET data = '{"rows": 99}'""")
    assert store.links(["https://a.example/ok", "https://a.example/slow", "https://a.example/stale"]).keys() == {
        "https://a.example/stale"
    }
    assert store.probe("a.example/news/") is None
    assert store.drift("https://a.example/ok", "20180828") is None
    assert store.document("doc-key") is None
    store.close()
    assert len(store.warnings) == 5
    assert all("damaged" in warning for warning in store.warnings), store.warnings


def test_a_newer_schema_is_refused_in_one_line(url: str) -> None:
    PostgresStore(url).close()
    execute(url, "UPDATE refcheck_schema SET version = 99")
    with pytest.raises(InputError) as refused:
        PostgresStore(url)
    message = str(refused.value)
    assert "schema version 99" in message and "\n" not in message and pgserver.PASSWORD not in message


# ------------------------------------------------------------------ credentials


def test_credentials_are_never_stored_nor_shown(url: str) -> None:
    store = PostgresStore(url)
    verdict = Verdict(LinkStatus.OK, 200, "https://bob:hunter2@b.example/", [Hop("https://bob:hunter2@b.example/x", 302)],
                      "via https://bob:hunter2@b.example/", now())  # fmt: skip
    store.store_links([
        ("https://alice:opensesame@a.example/x", LinkEntry([HistoryEntry(now(), "ok")], 0, verdict)),
        ("https://a.example/feed?api_key=abcdef123", LinkEntry([HistoryEntry(now(), "ok")], 0, verdict)),
        ("https://a.example/page?access_token=t0k3n&x=1", LinkEntry([HistoryEntry(now(), "ok")], 0, verdict)),
        ("https://a.example/search?q=keys", LinkEntry([HistoryEntry(now(), "ok")], 0, verdict)),
    ])  # fmt: skip
    store.set_archive_copy("https://carol:pw9@c.example/", "20200101", ArchiveCopy(True, "https://web.archive.org/x"))
    # Not a verdict only: no answer about a link with a secret query is kept (a reviewer
    # found its archive copy stored), and it is counted once however many answers it had.
    secret = "https://a.example/feed?api_key=abcdef123"
    store.set_archive_copy(secret, "20200101", ArchiveCopy(True, "https://web.archive.org/web/1/" + secret))
    store.set_capture_digest(secret, "20200101000000", {"title": "t"})
    store.set_drift(secret, "20200101", Drift(DriftVerdict.NONE, "same", checked_at=now()))
    store.set_web_input("page:" + secret, {"text": "x"})
    # looked up by the address as given, found under the masked one
    assert store.link("https://alice:opensesame@a.example/x") is not None
    store.close()
    dump = repr(rows(url, "SELECT * FROM links")) + repr(rows(url, "SELECT * FROM checks"))
    for table in ("archive_captures", "capture_digests", "drift", "entries"):
        dump += repr(rows(url, f"SELECT * FROM {table}"))
    for secret in ("opensesame", "hunter2", "pw9", "abcdef123", "t0k3n"):
        assert secret not in dump
    assert rows(url, "SELECT url FROM links ORDER BY url") == [
        ("https://***@a.example/x",),
        ("https://a.example/search?q=keys",),
    ]
    assert any("2 links with a secret in their query not stored" in warning for warning in store.warnings)
    assert pgserver.PASSWORD not in describe(url) and pgserver.PASSWORD not in description_of(store)
    assert location_of(store) == url  # what a worker process opens; never shown


@pytest.mark.parametrize(
    "address", ["postgresql://u:SECRETPW@[::1/db", "postgresql://u:SECRET%PW@127.0.0.1/db"]
)
def test_a_malformed_address_is_one_line_without_its_password(address: str) -> None:
    with pytest.raises(InputError) as refused:
        PostgresStore(address)
    message = str(refused.value)
    assert "SECRET" not in message and "\n" not in message and "not a valid postgresql:// URL" in message


def test_store_unreachable_at_start_is_one_line_without_the_password() -> None:
    address = f"postgresql://refcheck:{pgserver.PASSWORD}@127.0.0.1:{closed_port()}/refcheck"
    started = time.monotonic()
    with pytest.raises(InputError) as refused:
        open_store(address)
    message = str(refused.value)
    assert message.startswith("verdict store postgresql://127.0.0.1:") and "cannot be used" in message
    assert pgserver.PASSWORD not in message and "refcheck:" not in message and "\n" not in message
    assert time.monotonic() - started < 10


def test_wrong_password_is_one_line_without_it(server: pgserver.PgServer) -> None:
    wrong = server.url.replace(pgserver.PASSWORD, "not-the-Password-42")
    with pytest.raises(InputError) as refused:
        PostgresStore(wrong)
    assert "not-the-Password-42" not in str(refused.value)
    assert "password authentication failed" in str(refused.value)


def test_open_store_gives_the_disk_cache_for_a_folder(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "cache"))
    try:
        assert isinstance(store, Cache)
        assert location_of(store) == str(tmp_path / "cache")
    finally:
        store.close()


# ------------------------------------------------------------------ faults: the store going away


def entries(prefix: str, count: int) -> list[tuple[str, LinkEntry]]:
    checked = now()
    return [
        (f"https://{prefix}.example/{n}", LinkEntry([HistoryEntry(checked, "ok")], 0,
                                                    Verdict(LinkStatus.OK, 200, checked_at=checked)))
        for n in range(count)
    ]  # fmt: skip


def test_store_going_away_waits_bounded_then_says_so_once(server: pgserver.PgServer, url: str) -> None:
    store = PostgresStore(url, retry_for=1.0)
    store.store_links(entries("before", 3))
    server.stop("immediate")
    try:
        started = time.monotonic()
        store.store_links(entries("during", 2))  # waits with back-off, about retry_for
        waited = time.monotonic() - started
        started = time.monotonic()
        store.store_links(entries("later", 4))  # the store is known to be down: no new wait
        store.set("other:key", 1)
        assert store.links(["https://before.example/0"]) == {}  # a read is a miss, never a wait
        again = time.monotonic() - started
        store.close()
    finally:
        server.start()
    assert 0.9 <= waited < 5, waited
    assert again < 0.5, again
    [note] = [warning for warning in store.warnings if "unreachable since" in warning]
    assert "6 verdicts not saved (and 1 other entries)" in note
    assert pgserver.PASSWORD not in " ".join(store.warnings)
    # the verdicts committed before the outage are there for the next run
    assert rows(url, "SELECT count(*) FROM links") == [(3,)]


def test_writes_kept_while_down_land_when_the_store_is_back(server: pgserver.PgServer, url: str) -> None:
    store = PostgresStore(url, retry_for=0.3)
    server.stop("immediate")
    try:
        store.store_links(entries("during", 2))
    finally:
        server.start()
    time.sleep(0.3)  # the next attempt is due
    store.store_links(entries("after", 1))
    store.close()
    assert not [warning for warning in store.warnings if "not saved" in warning]
    assert rows(url, "SELECT count(*) FROM links") == [(3,)]


# ------------------------------------------------------------------ two writers at once

_WRITER = """
import sys
from datetime import UTC, datetime
from refcheck.models import HistoryEntry, LinkStatus, Verdict
from refcheck.resolve.cache import LinkEntry
from refcheck.resolve.store import open_store
url, writer = sys.argv[1], int(sys.argv[2])
store = open_store(url)
order = range(2000) if writer == 0 else range(1999, -1, -1)
batch = []
for n in order:
    at = datetime(2026, 1, 1 + writer, tzinfo=UTC).isoformat()
    batch.append((f"https://h{n % 40}.example/{n}", LinkEntry([HistoryEntry(at, "ok")], 0, Verdict(LinkStatus.OK, 200, checked_at=at))))
    if len(batch) == 50:
        store.store_links(batch)
        store.set_many([(f"k:{n}", {"writer": writer}, None)])
        batch = []
store.close()
print("warnings:", store.warnings)
"""


def test_two_processes_writing_at_once(url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, url, str(n)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (0, 1)
    ]
    outputs = [writer.communicate(timeout=120) for writer in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
        assert out.strip() == "warnings: []", out + err
    assert rows(url, "SELECT count(*) FROM links") == [(2000,)]
    assert rows(url, "SELECT count(*) FROM checks") == [(4000,)]  # each writer's check of each link
    assert rows(url, "SELECT count(*) FROM refcheck_schema") == [(1,)]  # made once, both starting at once


# ------------------------------------------------------------------ the resolver with the store


def resolve_settings(**overrides: Any) -> ResolveSettings:
    check = CheckSettings(timeout=2.0, retries=0, allow_private=True)
    settings = ResolveSettings(per_host=4, host_interval=0.0, check=check, archive="none")
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


def test_second_run_answers_from_the_store_without_requests(url: str) -> None:
    with serve() as (base, stats):
        addresses = [base + "/ok", base + "/gone", base + "/soft", base + "/chain-1"]
        first = {address: LinkResult(address, None) for address in addresses}
        store = open_store(url)
        report = resolve_links(first, resolve_settings(), store)
        store.close()
        assert report.checked == 4 and report.from_cache == 0
        asked = sum(stats.requests.values())

        second = {address: LinkResult(address, None) for address in addresses}
        store = open_store(url)
        report = resolve_links(second, resolve_settings(), store)
        store.close()
        assert report.from_cache == 4 and report.checked == 0
        assert sum(stats.requests.values()) == asked  # not one request
        assert {a: str(link.status) for a, link in second.items()} == {a: str(link.status) for a, link in first.items()}
        assert all(link.from_cache for link in second.values())

        # a damaged row is skipped with a warning, and its link checked again
        execute(url, "UPDATE links SET history = '{\"x\": 1}' WHERE url = %s", base + "/gone")
        third = {address: LinkResult(address, None) for address in addresses}
        store = open_store(url)
        report = resolve_links(third, resolve_settings(), store)
        store.close()
        assert report.from_cache == 3 and report.checked == 1
        assert stats.requests["/gone"] == 2
        assert any("damaged row in links" in warning for warning in store.warnings)


def test_sharded_checking_in_worker_processes_uses_the_store(url: str) -> None:
    """Above the sharding threshold, each worker process opens the store itself (by its
    location, never a pickled connection): the verdicts land in PostgreSQL."""
    with serve("127.0.0.2") as (one, _), serve("127.0.0.3") as (two, _):
        addresses = [f"{one}/ok?n={n}" for n in range(3)] + [f"{two}/gone?n={n}" for n in range(3)]
        links = {address: LinkResult(address, None) for address in addresses}
        settings = resolve_settings()
        settings.workers, settings.shard_min_links = 2, 1
        store = open_store(url)
        report = resolve_links(links, settings, store)
        store.close()
    assert report.checked == 6
    assert dict(rows(url, "SELECT status, count(*) FROM links GROUP BY status")) == {"ok": 3, "dead": 3}


_INTERRUPTED_RUN = """
import sys
from refcheck.models import LinkResult
from refcheck.resolve.check import CheckSettings
from refcheck.resolve.resolver import ResolveSettings, resolve_links
from refcheck.resolve.store import open_store
url, base = sys.argv[1], sys.argv[2]
links = {f"{base}/busy-{n}": LinkResult(f"{base}/busy-{n}", None) for n in range(40)}
settings = ResolveSettings(per_host=1, host_interval=0.0, concurrency=1, archive="none",
                           check=CheckSettings(timeout=5.0, retries=0, allow_private=True))
resolve_links(links, settings, open_store(url))
"""


def test_an_interrupted_run_resumes_from_the_store(url: str) -> None:
    with serve() as (base, stats):
        run = subprocess.Popen([sys.executable, "-c", _INTERRUPTED_RUN, url, base],
                               env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE)  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while not (_has_links(url) and rows(url, "SELECT count(*) FROM links")[0][0] >= 5):
                assert time.monotonic() < deadline and run.poll() is None, "the run did not get going"
                time.sleep(0.05)
        finally:
            run.send_signal(signal.SIGKILL)
            run.wait(timeout=10)
        saved = {row[0] for row in rows(url, "SELECT url FROM links")}
        assert 5 <= len(saved) < 40
        asked_before = dict(stats.requests)

        links = {f"{base}/busy-{n}": LinkResult(f"{base}/busy-{n}", None) for n in range(40)}
        store = open_store(url)
        report = resolve_links(links, resolve_settings(per_host=8), store)
        store.close()
    assert report.from_cache == len(saved) and report.checked == 40 - len(saved)
    for address in saved:  # the finished verdicts were not asked for again
        path = address[len(base) :]
        assert stats.requests[path] == asked_before[path]
    assert all(str(link.status) == "ok" for link in links.values())


def _has_links(url: str) -> bool:
    return bool(rows(url, "SELECT 1 FROM pg_tables WHERE tablename = 'links'"))


def test_the_documented_queries_run(url: str) -> None:
    import re

    store = PostgresStore(url)
    fill(store)
    store.close()
    queries = re.findall(r"```sql\n(.*?)```", (ROOT / "docs" / "store.md").read_text(encoding="utf-8"), re.DOTALL)
    assert len(queries) >= 5
    for query in queries:
        rows(url, query.replace("%", "%%"))


# --------------------------------------------------------------------------- the command line


def test_cli_store_option_keeps_verdicts_and_runs_in_postgresql(url: str, tmp_path: Path) -> None:
    """``refcheck corpus --store postgresql://…``: the verdicts go to the database (no
    disk cache is made), a second run answers from it without a request, each run is
    a row of ``runs``, and the password is never printed."""
    from conftest import refcheck

    with serve() as (web, stats):
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        (corpus / "a.txt").write_text(f"Title\n\nSee {web}/ok and {web}/missing (1).\n\n(1) {web}/ok\n", "utf-8")
        common = ["corpus", "--allow-private", "--no-report", "--host-interval", "0", "--store", url, "--no-archive"]
        first = refcheck(tmp_path, *common)
        asked = stats.total
        second = refcheck(tmp_path, *common)
        assert stats.total == asked, "the second run asked the server again"
    assert first.returncode == 1 and second.returncode == 1, first.stderr  # one dead link
    assert not (tmp_path / "cache").exists()
    password = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    assert password not in first.stdout + first.stderr + second.stdout + second.stderr
    statuses = dict(rows(url, "SELECT url, status FROM links"))
    assert statuses == {f"{web}/ok": "ok", f"{web}/missing": "dead"}
    assert [row[0] for row in rows(url, "SELECT complete FROM runs ORDER BY started_at")] == [True, True]


def test_cli_store_option_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    from conftest import refcheck

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Title\n\nSee https://example.org/x.\n", "utf-8")
    refused = refcheck(tmp_path, "corpus", "--store", "mysql://db/x", "--offline")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.strip() == "refcheck: --store must be a postgresql:// URL (the disk cache is --cache-dir)"
    unreachable = f"postgresql://refcheck:s3cret@127.0.0.1:{closed_port()}/none"
    done = refcheck(tmp_path, "corpus", "--store", unreachable, "--offline", "--no-report")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr
