"""Archive lookups against a local stand-in that speaks the Wayback APIs' JSON."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from localweb import ArchiveStandIn, closed_port, serve, serve_archive

from refcheck.models import ArchiveCopy, CitedBy, LinkResult
from refcheck.resolve.archive import Archive, ArchiveSettings, wayback_timestamp
from refcheck.resolve.cache import Cache
from refcheck.resolve.check import CheckSettings
from refcheck.resolve.politeness import HostLimiter
from refcheck.resolve.resolver import ResolveSettings, resolve_links
from refcheck.resolve.safety import AddressPolicy
from refcheck.resolve.transport import Transport

DEAD = "https://www.example-news.com/2018/08/28/story?id=7&lang=en"


@pytest.fixture
def stand_in() -> Iterator[tuple[str, ArchiveStandIn]]:
    with serve_archive() as server:
        yield server


@asynccontextmanager
async def archive_client(settings: ArchiveSettings, cache: Cache | None = None) -> AsyncIterator[Archive]:
    """An archive client over a transport of its own (the stand-in is on loopback),
    both closed afterwards."""
    transport = Transport(AddressPolicy(allow_private=True))
    archive = Archive(settings, cache, HostLimiter(), transport)
    try:
        yield archive
    finally:
        await archive.aclose()
        await transport.aclose()


def lookup(
    base: str, url: str, date: str | None, cache: Cache | None = None, **overrides: object
) -> tuple[ArchiveCopy, Archive]:
    settings = ArchiveSettings(wayback_url=base, cdx_url=base, timeout=2.0, interval=0.0, backoff=0.05)
    for key, value in overrides.items():
        setattr(settings, key, value)

    async def go() -> tuple[ArchiveCopy, Archive]:
        async with archive_client(settings, cache) as archive:
            return await archive.closest(url, date), archive

    return asyncio.run(go())


def test_timestamps() -> None:
    assert wayback_timestamp("2018-08-28") == "20180828000000"
    assert wayback_timestamp("2018-02") == "20180201000000"
    assert wayback_timestamp("2018") == "20180101000000"
    assert len(wayback_timestamp(None)) == 14


def test_closest_capture_to_the_citation_date(stand_in: tuple[str, ArchiveStandIn]) -> None:
    base, archive = stand_in
    archive.captures[DEAD] = ["20150101000000", "20180830120000", "20210101000000"]
    found, _ = lookup(base, DEAD, "2018-08-28")
    assert found == ArchiveCopy(True, f"{base}/web/20180830120000/{DEAD}", "20180830120000", "availability")
    assert archive.stats.requests["/wayback/available"] == 1
    assert archive.stats.requests["/cdx/search/cdx"] == 0


def test_empty_availability_is_confirmed_with_cdx(stand_in: tuple[str, ArchiveStandIn]) -> None:
    base, archive = stand_in
    archive.captures[DEAD] = ["20180901000000"]
    archive.empty_availability.add(DEAD)
    found, _ = lookup(base, DEAD, "2018-08-28")
    assert found == ArchiveCopy(True, f"{base}/web/20180901000000/{DEAD}", "20180901000000", "cdx")


@pytest.mark.parametrize("empty_body", [False, True])
def test_no_capture_anywhere(stand_in: tuple[str, ArchiveStandIn], empty_body: bool) -> None:
    base, archive = stand_in
    archive.empty_body_cdx = empty_body
    found, _ = lookup(base, DEAD, "2018-08-28")
    assert found == ArchiveCopy(False, None, None, "cdx")


def test_blocked_site(stand_in: tuple[str, ArchiveStandIn]) -> None:
    base, archive = stand_in
    archive.blocked.add(DEAD)
    found, _ = lookup(base, DEAD, None)
    assert found == ArchiveCopy(False, None, None, "cdx")


def test_rate_limit_is_waited_out_then_bounded(stand_in: tuple[str, ArchiveStandIn]) -> None:
    base, archive = stand_in
    archive.captures[DEAD] = ["20180830120000"]
    archive.rate_limit_next = 1
    found, _ = lookup(base, DEAD, "2018-08-28")
    assert found.available is True
    archive.rate_limit_next = 100
    started = time.monotonic()
    found, used = lookup(base, DEAD, "2018-08-28", attempts=3)
    assert found == ArchiveCopy(None)
    assert used.requests == 3
    assert time.monotonic() - started < 5


def test_unreachable_archive(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    found, archive = lookup(base, DEAD, None)
    assert found == ArchiveCopy(None)
    assert archive.unreachable


def test_results_are_cached(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    base, archive = stand_in
    archive.captures[DEAD] = ["20180830120000"]
    cache = Cache(tmp_path / "cache")
    first, _ = lookup(base, DEAD, "2018-08-28", cache)
    again, used = lookup(base, DEAD, "2018-08-28", cache)
    assert again == first and used.requests == 0
    missing = "https://nothing.example.org/x"
    lookup(base, missing, None, cache)
    assert cache.archive_copy(missing, wayback_timestamp(None)[:8]) == ArchiveCopy(False, None, None, "cdx")


def test_url_is_encoded_as_one_parameter(stand_in: tuple[str, ArchiveStandIn]) -> None:
    base, archive = stand_in
    tricky = "https://x.org/a?b=1&c=2#frag"
    archive.captures[tricky] = ["20190101000000"]
    found, _ = lookup(base, tricky, "2019-01-01")
    assert found.available is True and found.url is not None and found.url.endswith(tricky)


def test_resolver_looks_up_dead_links_at_their_citation_date(
    stand_in: tuple[str, ArchiveStandIn], tmp_path: Path
) -> None:
    archive_base, archive = stand_in
    with serve() as (web, _stats):
        dead, alive = web + "/gone", web + "/ok"
        archive.captures[dead] = ["20100101000000", "20180829000000"]
        links = {
            dead: LinkResult(
                dead, None, [CitedBy("a.txt", 3, 1, "2018-08-28"), CitedBy("b.txt", 9, None, "2020-01-01")]
            ),
            alive: LinkResult(alive, None, [CitedBy("a.txt", 4, None, "2018-08-28")]),
        }
        settings = ResolveSettings(
            host_interval=0.0,
            check=CheckSettings(timeout=2.0, retries=0, allow_private=True),
            archive_settings=ArchiveSettings(wayback_url=archive_base, cdx_url=archive_base, interval=0.0),
        )
        resolve_links(links, settings, Cache(tmp_path / "cache"))
    assert links[dead].status == "dead"
    assert links[dead].archive == ArchiveCopy(
        True, f"{archive_base}/web/20180829000000/{dead}", "20180829000000", "availability"
    )
    assert links[alive].archive is None  # live links only with --archive all


def test_archive_answering_proves_the_network_works(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    archive_base, _ = stand_in
    url = "http://no-such-host.invalid/x"
    links = {url: LinkResult(url, None)}
    settings = ResolveSettings(
        check=CheckSettings(timeout=2.0, retries=0, allow_private=True),
        archive_settings=ArchiveSettings(wayback_url=archive_base, cdx_url=archive_base, interval=0.0),
    )
    resolve_links(links, settings, Cache(tmp_path / "cache"))
    assert links[url].status == "dead"  # the archive answered: the network works, the domain is gone
    assert links[url].archive == ArchiveCopy(False, None, None, "cdx")


def test_unreachable_archive_does_not_slow_a_network_down_run(tmp_path: Path) -> None:
    dead_archive = f"http://127.0.0.1:{closed_port()}"
    urls = [f"http://no-such-host-{i}.invalid/x" for i in range(20)]
    links = {url: LinkResult(url, None) for url in urls}
    settings = ResolveSettings(
        check=CheckSettings(timeout=2.0, retries=0, allow_private=True),
        archive_settings=ArchiveSettings(wayback_url=dead_archive, cdx_url=dead_archive, interval=1.0),
    )
    started = time.monotonic()
    report = resolve_links(links, settings, Cache(tmp_path / "cache"))
    assert time.monotonic() - started < 10
    assert {link.status for link in links.values()} == {"unknown"}
    assert report.network_down


def save(base: str, url: str, keys: tuple[str, str] | None) -> tuple[ArchiveCopy, str | None]:
    settings = ArchiveSettings(wayback_url=base, cdx_url=base, interval=0.0, save_keys=keys, save_poll_interval=0.01)

    async def go() -> tuple[ArchiveCopy, str | None]:
        async with archive_client(settings) as archive:
            return await archive.save(url)

    return asyncio.run(go())


def test_save_page_now_job_is_polled_to_success(stand_in: tuple[str, ArchiveStandIn]) -> None:
    base, archive = stand_in
    copy, reason = save(base, DEAD, archive.keys)
    assert reason is None
    assert copy == ArchiveCopy(True, f"{base}/web/20261121030000/{DEAD}", "20261121030000", "save")
    assert archive.authorizations == ["LOW test-access:test-secret"]
    assert archive.stats.requests["POST /save"] == 1


def test_save_page_now_refusal_in_a_200(stand_in: tuple[str, ArchiveStandIn]) -> None:
    base, archive = stand_in
    archive.save_refuse.add(DEAD)
    copy, reason = save(base, DEAD, archive.keys)
    assert copy.available is None
    assert reason is not None and "same snapshot" in reason


def test_save_page_now_error_status(stand_in: tuple[str, ArchiveStandIn]) -> None:
    base, archive = stand_in
    archive.save_error.add(DEAD)
    copy, reason = save(base, DEAD, archive.keys)
    assert copy.available is None and reason == "Save Page Now failed: error:not-found"


def test_save_page_now_bad_keys(stand_in: tuple[str, ArchiveStandIn]) -> None:
    base, _ = stand_in
    copy, reason = save(base, DEAD, ("wrong", "keys"))
    assert copy.available is None and reason == "Save Page Now refused: bad keys"


def test_resolver_saves_live_links_without_a_capture(stand_in: tuple[str, ArchiveStandIn], tmp_path: Path) -> None:
    archive_base, archive = stand_in
    with serve() as (web, _stats):
        alive = web + "/ok"
        links = {alive: LinkResult(alive, None)}
        settings = ResolveSettings(
            host_interval=0.0,
            check=CheckSettings(timeout=2.0, retries=0, allow_private=True),
            archive_settings=ArchiveSettings(
                wayback_url=archive_base,
                cdx_url=archive_base,
                interval=0.0,
                save_keys=archive.keys,
                save_poll_interval=0.01,
            ),
            save_missing=True,
        )
        report = resolve_links(links, settings, Cache(tmp_path / "cache"))
    assert links[alive].status == "ok"
    assert links[alive].archive is not None and links[alive].archive.source == "save"
    assert "Save Page Now: 1 new captures" in report.notes
