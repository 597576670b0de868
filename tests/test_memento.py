"""Captures in other web archives through a Memento aggregator: the client against local
stand-ins speaking the Wayback APIs' and Time Travel's JSON, and through the resolver."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from localweb import ArchiveStandIn, MementoStandIn, closed_port, serve, serve_archive, serve_memento

from refcheck.models import ArchiveCopy, CitedBy, LinkResult
from refcheck.resolve import memento
from refcheck.resolve.archive import Archive
from refcheck.resolve.cache import Cache
from refcheck.resolve.check import CheckSettings
from refcheck.resolve.politeness import HostLimiter
from refcheck.resolve.resolver import ResolveSettings, resolve_links
from refcheck.resolve.safety import AddressPolicy
from refcheck.resolve.settings import ArchiveSettings
from refcheck.resolve.transport import Transport

DEAD = "https://www.example-news.com/2018/08/28/story?id=7&lang=en"
CITED = "2018-08-28"
ARQUIVO = f"https://arquivo.pt/wayback/20180820120000/{DEAD}"
TODAY = f"https://archive.today/20180830101010/{DEAD}"

# Time Travel's answer for http://cnn.com at 20130115102033, as quoted in a public script
# (docs/archive-wire-formats.md, section 6): ``uri`` lists, RFC 3339 datetimes.
TIME_TRAVEL_SAMPLE = {
    "original_uri": "http://www.cnn.com/",
    "mementos": {
        "last": {"datetime": "2014-10-07T18:32:00Z", "uri": [
            "http://web.archive.org/web/20141007183200/http://www.cnn.com/",
            "http://wayback.vefsafn.is/wayback/20141007183200/http://www.cnn.com/"]},
        "next": {"datetime": "2013-01-15T11:01:01Z", "uri": ["http://web.archive.org/web/20130115110101/http://www.cnn.com/"]},
        "closest": {"datetime": "2013-01-15T09:46:43Z", "uri": [
            "http://web.archive.org/web/20130115094643/http://www.cnn.com/", "http://archive.today/aaqIY"]},
        "first": {"datetime": "2000-06-20T18:02:59Z", "uri": ["http://arquivo.pt/wayback/wayback/20000620180259/http://cnn.com/"]},
        "prev": {"datetime": "2013-01-15T08:17:14Z", "uri": ["http://web.archive.org/web/20130115081714/http://www.cnn.com/"]},
    },
    "timegate_uri": "http://timetravel.mementoweb.org/timegate/http://www.cnn.com/",
    "timemap_uri": {
        "link_format": "http://timetravel.mementoweb.org/timemap/link/http://cnn.com",
        "json_format": "http://timetravel.mementoweb.org/timemap/json/http://cnn.com",
    },
}  # fmt: skip


@pytest.fixture
def wayback() -> Iterator[tuple[str, ArchiveStandIn]]:
    with serve_archive() as server:
        yield server


@pytest.fixture
def aggregator() -> Iterator[tuple[str, MementoStandIn]]:
    with serve_memento() as server:
        yield server


def settings_for(wayback_base: str, memento_base: str, **overrides: object) -> ArchiveSettings:
    settings = ArchiveSettings(
        wayback_url=wayback_base, cdx_url=wayback_base, memento_url=memento_base, archives=("wayback", "memento"),
        timeout=2.0, interval=0.0, backoff=0.05,
    )  # fmt: skip
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


@asynccontextmanager
async def archive_client(settings: ArchiveSettings, cache: Cache | None = None) -> AsyncIterator[Archive]:
    transport = Transport(AddressPolicy(allow_private=True))
    archive = Archive(settings, cache, HostLimiter(), transport)
    try:
        yield archive
    finally:
        await archive.aclose()
        await transport.aclose()


def lookups(
    settings: ArchiveSettings, wanted: list[tuple[str, str | None]], cache: Cache | None = None
) -> tuple[list[ArchiveCopy], Archive]:
    """``archive.closest`` for each (url, date), in order, with one client."""

    async def go() -> tuple[list[ArchiveCopy], Archive]:
        async with archive_client(settings, cache) as archive:
            return [await archive.closest(url, date) for url, date in wanted], archive

    return asyncio.run(go())


def lookup(
    settings: ArchiveSettings, url: str = DEAD, date: str | None = CITED, cache: Cache | None = None
) -> tuple[ArchiveCopy, Archive]:
    found, archive = lookups(settings, [(url, date)], cache)
    return found[0], archive


# ------------------------------------------------------------------ the wire format


def test_time_travel_answer_is_read_and_the_nearest_capture_chosen() -> None:
    found = memento.parse(json.dumps(TIME_TRAVEL_SAMPLE).encode())
    assert [item.timestamp for item in found] == [
        "20130115094643", "20130115081714", "20130115110101", "20000620180259", "20141007183200",
    ]  # fmt: skip
    best = memento.nearest(found, "20130115102033")
    assert best == memento.Memento("http://web.archive.org/web/20130115094643/http://www.cnn.com/", "20130115094643")
    # The next capture is nearer than the aggregator's "closest" for another target time.
    assert memento.nearest(found, "20130115105000") == found[2]


def test_memgator_strings_and_http_dates_are_read() -> None:
    body = json.dumps(
        {"mementos": {"closest": {"datetime": "Tue, 15 Jan 2013 10:09:53 GMT", "uri": "https://a.example/x"}}}
    )
    assert memento.parse(body.encode()) == [memento.Memento("https://a.example/x", "20130115100953")]


@pytest.mark.parametrize("body", [b"<html>busy</html>", b"[]", b'{"original_uri": "x"}', b"\xff\xfe", b"[" * 100_000])
def test_what_is_not_a_memento_description_is_garbage(body: bytes) -> None:
    with pytest.raises(memento.Garbage):
        memento.parse(body)


def test_only_plain_http_uris_are_kept() -> None:
    uris = ["javascript:alert(1)", "https://user:secret@evil.example/x", "ftp://archive.example/x", "https://a b/x",
            "http://\u0000x/", "https://archive.today/é", "http://[::1:80/x", 7]  # fmt: skip
    assert memento.usable_uris(uris) == ["https://archive.today/%C3%A9"]


def test_query_keeps_the_address_raw_without_its_fragment() -> None:
    assert memento.query_url("http://agg/", "20180828000000", "https://x.org/a b?q=1&r=2#part") == (
        "http://agg/api/json/20180828000000/https://x.org/a%20b?q=1&r=2"
    )


def test_raw_capture_address() -> None:
    assert memento.raw_capture_url(ARQUIVO, "20180820120000") == f"https://arquivo.pt/wayback/20180820120000id_/{DEAD}"
    assert memento.raw_capture_url("http://archive.today/aaqIY", "20130115094643") == "http://archive.today/aaqIY"


# ------------------------------------------------------------------ the client


def test_no_wayback_capture_the_aggregator_finds_one(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn]
) -> None:
    (wayback_base, _), (memento_base, stand_in) = wayback, aggregator
    stand_in.mementos[DEAD] = [("20180820120000", [ARQUIVO]), ("20190101000000", [TODAY])]
    found, archive = lookup(settings_for(wayback_base, memento_base))
    assert found == ArchiveCopy(True, ARQUIVO, "20180820120000", "memento")
    # The address is sent as it is, query and all (the aggregator reads the rest of the line).
    assert stand_in.asked == [f"/api/json/20180828000000/{DEAD}"]
    assert archive.memento_unreachable is None and archive.notes == []


def test_a_wayback_capture_near_the_date_is_enough(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn]
) -> None:
    (wayback_base, wayback_stand_in), (memento_base, stand_in) = wayback, aggregator
    wayback_stand_in.captures[DEAD] = ["20180830120000"]
    stand_in.mementos[DEAD] = [("20180828000000", [ARQUIVO])]
    found, _ = lookup(settings_for(wayback_base, memento_base))
    assert found.source == "availability" and found.timestamp == "20180830120000"
    assert stand_in.stats.total == 0


def test_without_memento_in_the_list_the_aggregator_is_never_asked(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn]
) -> None:
    (wayback_base, _), (memento_base, stand_in) = wayback, aggregator
    stand_in.mementos[DEAD] = [("20180828000000", [ARQUIVO])]
    found, _ = lookup(settings_for(wayback_base, memento_base, archives=("wayback",)))
    assert found == ArchiveCopy(False, None, None, "cdx")
    assert stand_in.stats.total == 0


def test_a_far_wayback_capture_loses_to_a_nearer_memento(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn]
) -> None:
    (wayback_base, wayback_stand_in), (memento_base, stand_in) = wayback, aggregator
    wayback_stand_in.captures[DEAD] = ["20150101000000"]
    stand_in.mementos[DEAD] = [("20180901000000", [TODAY])]
    found, _ = lookup(settings_for(wayback_base, memento_base))
    assert found == ArchiveCopy(True, TODAY, "20180901000000", "memento")


def test_a_far_wayback_capture_stays_when_the_aggregator_has_nothing_nearer(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn]
) -> None:
    (wayback_base, wayback_stand_in), (memento_base, stand_in) = wayback, aggregator
    wayback_stand_in.captures[DEAD] = ["20180101000000"]
    stand_in.mementos[DEAD] = [("20210101000000", [TODAY])]
    found, _ = lookup(settings_for(wayback_base, memento_base))
    assert found.source == "availability" and found.timestamp == "20180101000000"
    assert stand_in.stats.total == 1


def test_an_undated_citation_asks_the_aggregator_only_when_wayback_has_nothing(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn]
) -> None:
    (wayback_base, wayback_stand_in), (memento_base, stand_in) = wayback, aggregator
    wayback_stand_in.captures[DEAD] = ["20100101000000"]
    found, _ = lookup(settings_for(wayback_base, memento_base), date=None)
    assert found.source == "availability" and stand_in.stats.total == 0


@pytest.mark.parametrize(
    ("captures", "chosen"),
    [
        (["20180820000000", "20180830000000"], "20180830000000"),  # after the date, but nearer
        (["20180826000000", "20180830000000"], "20180826000000"),  # as near: the one before it
    ],
)
def test_the_capture_nearest_the_citation_date_wins(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn], captures: list[str], chosen: str
) -> None:
    (wayback_base, _), (memento_base, stand_in) = wayback, aggregator
    stand_in.mementos[DEAD] = [(stamp, [f"https://archive.today/{stamp}/{DEAD}"]) for stamp in captures]
    found, _ = lookup(settings_for(wayback_base, memento_base))
    assert found.timestamp == chosen and found.url == f"https://archive.today/{chosen}/{DEAD}"


def test_aggregator_404_is_confirmed_none_and_cached(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn], tmp_path: Path
) -> None:
    (wayback_base, _), (memento_base, stand_in) = wayback, aggregator
    cache = Cache(tmp_path / "cache")
    found, _ = lookup(settings_for(wayback_base, memento_base), cache=cache)
    assert found == ArchiveCopy(False, None, None, "memento")
    assert stand_in.stats.total == 1
    assert cache.archive_copy(DEAD, "20180828+memento") == found
    assert cache.archive_copy(DEAD, "20180828") is None  # a Wayback-only run still asks for itself


def test_found_copies_are_cached_apart_from_wayback_only_answers(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn], tmp_path: Path
) -> None:
    (wayback_base, wayback_stand_in), (memento_base, stand_in) = wayback, aggregator
    stand_in.mementos[DEAD] = [("20180820120000", [ARQUIVO])]
    cache = Cache(tmp_path / "cache")
    first, _ = lookup(settings_for(wayback_base, memento_base), cache=cache)
    asked_wayback, asked_memento = wayback_stand_in.stats.total, stand_in.stats.total
    again, archive = lookup(settings_for(wayback_base, memento_base), cache=cache)
    assert again == first == ArchiveCopy(True, ARQUIVO, "20180820120000", "memento")
    assert archive.requests == 0
    assert (wayback_stand_in.stats.total, stand_in.stats.total) == (asked_wayback, asked_memento)
    alone, _ = lookup(settings_for(wayback_base, memento_base, archives=("wayback",)), cache=cache)
    assert alone == ArchiveCopy(False, None, None, "cdx")  # the Wayback Machine's own answer


def test_aggregator_down_is_undetermined_and_not_asked_again(
    wayback: tuple[str, ArchiveStandIn], tmp_path: Path
) -> None:
    wayback_base, wayback_stand_in = wayback
    far = "https://far.example.org/x"
    wayback_stand_in.captures[far] = ["20100101000000"]
    cache = Cache(tmp_path / "cache")
    settings = settings_for(wayback_base, f"http://127.0.0.1:{closed_port()}")
    started = time.monotonic()
    (missing, kept), archive = lookups(settings, [(DEAD, CITED), (far, CITED)], cache)
    assert time.monotonic() - started < 5
    assert missing == ArchiveCopy(None)
    assert kept.source == "availability" and kept.timestamp == "20100101000000"  # the Wayback copy, this run
    assert archive.memento_unreachable is not None and archive.unreachable is None
    assert archive.notes and "other archives not asked this run" in archive.notes[0]
    # One aggregator request in all: availability + CDX for the first, availability for the second.
    assert archive.requests == 2 + 1 + 1
    # Undetermined answers are not kept: the next run asks again.
    assert cache.archive_copy(DEAD, "20180828+memento") is None and cache.archive_copy(far, "20180828+memento") is None


def test_silent_aggregator_times_out_bounded(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn]
) -> None:
    (wayback_base, _), (memento_base, stand_in) = wayback, aggregator
    stand_in.delay = 3.0
    started = time.monotonic()
    (first, second), archive = lookups(
        settings_for(wayback_base, memento_base, timeout=0.5), [(DEAD, CITED), ("https://b.example/", CITED)]
    )
    assert time.monotonic() - started < 2.5
    assert first == second == ArchiveCopy(None)
    assert stand_in.stats.total == 1 and archive.memento_unreachable is not None


def test_an_answer_dripping_past_the_deadline_is_undetermined(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn]
) -> None:
    (wayback_base, _), (memento_base, stand_in) = wayback, aggregator
    stand_in.delay = 3.0
    started = time.monotonic()
    found, _ = lookup(settings_for(wayback_base, memento_base, timeout=5.0, memento_deadline=0.4))
    assert found == ArchiveCopy(None) and time.monotonic() - started < 2.5


@pytest.mark.parametrize("misbehaviour", ["garbage", "huge", "500"])
def test_unusable_answers_are_undetermined_and_the_run_goes_on(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn], misbehaviour: str, tmp_path: Path
) -> None:
    (wayback_base, _), (memento_base, stand_in) = wayback, aggregator
    stand_in.mementos[DEAD] = [("20180820120000", [ARQUIVO])]
    if misbehaviour == "garbage":
        stand_in.garbage = True
    elif misbehaviour == "huge":
        stand_in.huge = 2_000_000
    else:
        stand_in.status_next = [(500, {})]
    cache = Cache(tmp_path / "cache")
    started = time.monotonic()
    settings = settings_for(wayback_base, memento_base, memento_body_limit=50_000)
    (first, second), archive = lookups(settings, [(DEAD, CITED), ("https://b.example/", CITED)], cache)
    assert time.monotonic() - started < 5
    assert first == ArchiveCopy(None)
    assert cache.archive_copy(DEAD, "20180828+memento") is None
    # It answered: it is asked again for the next link (not taken for unreachable).
    assert archive.memento_unreachable is None and stand_in.stats.total == 2
    if misbehaviour == "500":
        assert second == ArchiveCopy(False, None, None, "memento")


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn], status: int
) -> None:
    (wayback_base, _), (memento_base, stand_in) = wayback, aggregator
    stand_in.mementos[DEAD] = [("20180820120000", [ARQUIVO])]
    stand_in.status_next = [(status, {"Retry-After": "1"})]
    started = time.monotonic()
    found, _ = lookup(settings_for(wayback_base, memento_base))
    assert found == ArchiveCopy(True, ARQUIVO, "20180820120000", "memento")
    assert 0.9 <= time.monotonic() - started < 4
    assert stand_in.stats.total == 2


def test_retry_after_beyond_the_cap_is_not_waited_for(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn]
) -> None:
    (wayback_base, _), (memento_base, stand_in) = wayback, aggregator
    stand_in.mementos[DEAD] = [("20180820120000", [ARQUIVO])]
    stand_in.status_next = [(429, {"Retry-After": "3600"})]
    started = time.monotonic()
    found, archive = lookup(settings_for(wayback_base, memento_base, retry_after_cap=10.0))
    assert found == ArchiveCopy(None) and time.monotonic() - started < 3
    assert stand_in.stats.total == 1 and archive.memento_unreachable is None


def test_persistent_rate_limit_is_bounded(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn]
) -> None:
    (wayback_base, _), (memento_base, stand_in) = wayback, aggregator
    stand_in.status_next = [(429, {})] * 10
    found, _ = lookup(settings_for(wayback_base, memento_base, attempts=3))
    assert found == ArchiveCopy(None) and stand_in.stats.total == 3


def test_unsafe_memento_uris_are_dropped(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn]
) -> None:
    (wayback_base, _), (memento_base, stand_in) = wayback, aggregator
    stand_in.mementos[DEAD] = [("20180828000000", ["javascript:alert(1)", "https://user:secret@evil.example/x", TODAY])]
    found, _ = lookup(settings_for(wayback_base, memento_base))
    assert found == ArchiveCopy(True, TODAY, "20180828000000", "memento")
    stand_in.mementos["https://c.example/"] = [("20180828000000", ["data:text/html,hi", "https://u:p@x.example/"])]
    nothing, _ = lookup(settings_for(wayback_base, memento_base), url="https://c.example/")
    assert nothing == ArchiveCopy(False, None, None, "memento")  # listed, but none may be shown


def test_a_memento_capture_page_is_fetched_raw(wayback: tuple[str, ArchiveStandIn]) -> None:
    """Content drift reads another archive's capture in its ``id_`` form, as the Wayback's."""
    wayback_base, stand_in = wayback
    stand_in.pages[DEAD] = b"<html><head><title>Then</title></head><body>text</body></html>"
    copy = ArchiveCopy(True, f"{wayback_base}/web/20180820120000/{DEAD}", "20180820120000", "memento")

    async def go() -> tuple[int, str | None, bytes] | None:
        async with archive_client(settings_for(wayback_base, wayback_base)) as archive:
            return await archive.capture_page(copy, 20)

    answer = asyncio.run(go())
    assert answer is not None and answer[0] == 200 and answer[2] == stand_in.pages[DEAD][:20]


# ------------------------------------------------------------------ through the resolver


def test_resolver_rescues_a_dead_link_from_another_archive(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn], tmp_path: Path
) -> None:
    (wayback_base, _), (memento_base, stand_in) = wayback, aggregator
    cache = Cache(tmp_path / "cache")
    with serve() as (web, _stats):
        dead = web + "/gone"
        copy_url = f"https://archive.today/20180829000000/{dead}"
        stand_in.mementos[dead] = [("20180829000000", [copy_url])]

        def run() -> LinkResult:
            links = {dead: LinkResult(dead, None, [CitedBy("a.txt", 3, 1, CITED)])}
            settings = ResolveSettings(
                host_interval=0.0,
                check=CheckSettings(timeout=2.0, retries=0, allow_private=True),
                archive_settings=settings_for(wayback_base, memento_base),
            )
            resolve_links(links, settings, cache)
            return links[dead]

        first = run()
        assert first.status == "dead"
        assert first.archive == ArchiveCopy(True, copy_url, "20180829000000", "memento")
        assert stand_in.stats.total == 1
        again = run()  # verdict and copy from the cache: the aggregator is not asked
    assert again.archive == first.archive
    assert stand_in.stats.total == 1


# --------------------------------------------------------------------------- the command line


def test_cli_archives_option_rescues_a_dead_link_from_another_archive(
    wayback: tuple[str, ArchiveStandIn], aggregator: tuple[str, MementoStandIn], tmp_path: Path
) -> None:
    """``--archives wayback,memento --memento-url``: the dead link's copy comes from the
    aggregator, in the JSON; without ``memento`` the aggregator is never asked."""
    from conftest import refcheck

    (wayback_base, _), (memento_base, stand_in) = wayback, aggregator
    with serve() as (web, _stats):
        dead = web + "/gone"
        copy_url = f"https://archive.today/20180829000000/{dead}"
        stand_in.mementos[dead] = [("20180829000000", [copy_url])]
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        (corpus / "a.txt").write_text(f"Title\n\nA claim (1).\n\n(1) Reuters, 28 August 2018, {dead}\n", "utf-8")
        common = ["corpus", "--allow-private", "--no-report", "--json", "-", "--host-interval", "0",
                  "--archive-interval", "0", "--wayback-url", wayback_base, "--cdx-url", wayback_base,
                  "--memento-url", memento_base, "--retries", "0"]  # fmt: skip
        plain = refcheck(tmp_path, *common, "--cache-dir", "plain")
        assert stand_in.stats.total == 0, plain.stderr
        done = refcheck(tmp_path, *common, "--archives", "wayback,memento", "--cache-dir", "both")
    [line] = [line for line in done.stdout.splitlines() if line.startswith('{"url"')]
    link = json.loads(line.rstrip(","))
    assert link["status"] == "dead" and link["archive"]["source"] == "memento" and link["archive"]["url"] == copy_url
