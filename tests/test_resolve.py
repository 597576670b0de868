"""The resolver against real HTTP servers on 127.0.0.1 (no mocked transport)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from localweb import Stats, closed_port, serve

from refcheck.models import LinkResult
from refcheck.resolve.cache import Cache, link_key
from refcheck.resolve.check import CheckSettings
from refcheck.resolve.resolver import ResolveSettings, resolve_links
from refcheck.resolve.verdict import classify_response, soft_404_reason


@pytest.fixture
def web() -> Iterator[tuple[str, Stats]]:
    with serve() as server:
        yield server


def settings(**overrides: object) -> ResolveSettings:
    check = CheckSettings(timeout=1.0, retries=1, allow_private=True, backoff_initial=0.05, backoff_max=0.1)
    base = ResolveSettings(per_host=4, host_interval=0.0, check=check, archive="none")  # archive: test_archive.py
    for key, value in overrides.items():
        if hasattr(check, key) and not hasattr(base, key):
            setattr(check, key, value)
        else:
            setattr(base, key, value)
    return base


def resolve(urls: list[str], cache: Cache | None = None, **overrides: object) -> dict[str, LinkResult]:
    links = {url: LinkResult(url, None) for url in urls}
    resolve_links(links, settings(**overrides), cache)
    return links


@pytest.mark.parametrize(
    ("path", "status", "alive", "http_status"),
    [
        ("/ok", "ok", True, 200),
        ("/gone", "dead", False, 404),
        ("/removed", "dead", False, 410),
        ("/chain-1", "ok", True, 200),
        ("/loop-a", "error", None, 302),
        ("/deep/section/article-gone", "soft-404", False, 200),
        ("/soft", "soft-404", False, 200),
        ("/soft-path", "soft-404", False, 200),
        ("/forbidden", "blocked", None, 403),
        ("/legal", "blocked", None, 451),
        ("/challenge", "blocked", None, 503),
        ("/too-many", "rate-limited", None, 429),
        ("/too-many-forever", "rate-limited", None, 429),
        ("/flaky", "ok", True, 200),
        ("/broken", "server-error", None, 500),
        ("/slow", "timeout", None, None),
        ("/huge", "ok", True, 200),
        ("/to-ftp", "error", None, None),
    ],
)
def test_verdicts(web: tuple[str, Stats], path: str, status: str, alive: bool | None, http_status: int | None) -> None:
    base, _ = web
    [link] = resolve([base + path]).values()
    assert (link.status, link.alive, link.http_status) == (status, alive, http_status), link.error


def test_site_answering_everything_is_caught_by_the_probe(web: tuple[str, Stats]) -> None:
    base, stats = web
    links = resolve([base + "/catchall/2018/real-story", base + "/catchall/2018/other-story"])
    assert {link.status for link in links.values()} == {"soft-404"}
    assert all("made-up" in (link.error or "") for link in links.values())
    probes = [path for path in stats.requests if "refcheck-" in path]
    assert len(probes) == 1  # one probe per host and folder, shared


def test_healthy_site_is_not_soft_404_by_probe(web: tuple[str, Stats]) -> None:
    base, _ = web
    [link] = resolve([base + "/story/2018/08/ok"]).values()
    assert link.status == "ok"


def test_total_time_per_link_is_capped(web: tuple[str, Stats]) -> None:
    base, _ = web
    started = time.monotonic()
    [link] = resolve([base + "/drip"], link_time_limit=1.5).values()
    assert link.status == "timeout" and "total time" in (link.error or "")
    assert time.monotonic() - started < 4


def test_redirect_hop_to_a_private_address_is_refused(web: tuple[str, Stats]) -> None:
    """The first address passes the check (it stands in for a public site here:
    ``allowed_networks``); the hop to 127.0.0.2 is checked again and refused."""
    base, stats = web
    port = base.rsplit(":", 1)[1]
    [link] = resolve(
        [f"{base}/to-host/127.0.0.2:{port}"], allow_private=False, allowed_networks=("127.0.0.1/32",)
    ).values()
    assert link.status == "skipped"
    assert "127.0.0.2" in (link.error or "")
    assert [hop.status for hop in link.redirects] == [302]
    assert stats.requests["/ok"] == 0


def test_global_limit_across_hosts() -> None:
    shared = Stats()
    with (
        serve("127.0.0.1", shared) as (one, _),
        serve("127.0.0.2", shared) as (two, _),
        serve("127.0.0.3", shared) as (three, _),
    ):
        urls = [f"{base}/busy-{i}" for base in (one, two, three) for i in range(6)]
        links = resolve(urls, concurrency=2, per_host=4)
    assert {link.status for link in links.values()} == {"ok"}
    assert shared.max_in_flight <= 2


def test_redirect_chain_is_recorded(web: tuple[str, Stats]) -> None:
    base, _ = web
    [link] = resolve([base + "/chain-1"]).values()
    assert [(hop.url, hop.status) for hop in link.redirects] == [(base + "/chain-1", 301), (base + "/chain-2", 302)]
    assert link.final_url == base + "/ok"


def test_huge_body_is_not_downloaded(web: tuple[str, Stats]) -> None:
    base, _ = web
    started = time.monotonic()
    [link] = resolve([base + "/huge"]).values()
    assert link.status == "ok"
    assert time.monotonic() - started < 5


def test_retry_after_beyond_cap_is_not_waited_for(web: tuple[str, Stats]) -> None:
    base, stats = web
    started = time.monotonic()
    [link] = resolve([base + "/too-many-forever"]).values()
    assert link.status == "rate-limited" and "cap" in (link.error or "")
    assert stats.requests["/too-many-forever"] == 1
    assert time.monotonic() - started < 5


def test_flaky_then_ok_is_retried(web: tuple[str, Stats]) -> None:
    base, stats = web
    resolve([base + "/flaky"])
    assert stats.requests["/flaky"] == 2


def test_definitive_4xx_is_not_retried(web: tuple[str, Stats]) -> None:
    base, stats = web
    resolve([base + "/gone"], retries=3)
    assert stats.requests["/gone"] == 1


def test_per_host_limit_is_kept(web: tuple[str, Stats]) -> None:
    base, stats = web
    links = resolve([f"{base}/busy-{i}" for i in range(24)], per_host=3)
    assert {link.status for link in links.values()} == {"ok"}
    assert stats.max_in_flight <= 3
    assert stats.max_in_flight >= 2  # and the limit was actually used


def test_host_interval_spaces_requests(web: tuple[str, Stats]) -> None:
    base, _ = web
    started = time.monotonic()
    resolve([f"{base}/ok-{i}" for i in range(6)], host_interval=0.1)
    assert time.monotonic() - started >= 0.5


def test_connection_refused_is_error_when_network_works(web: tuple[str, Stats]) -> None:
    base, _ = web
    dead_port = f"http://127.0.0.1:{closed_port()}/x"
    links = resolve([base + "/ok", dead_port])
    assert links[dead_port].status == "error"
    assert links[dead_port].alive is None


def test_unresolvable_domain_is_dead_when_network_works(web: tuple[str, Stats]) -> None:
    base, _ = web
    links = resolve([base + "/ok", "http://no-such-host.invalid/page"])
    assert links["http://no-such-host.invalid/page"].status == "dead"
    assert "resolve" in (links["http://no-such-host.invalid/page"].error or "")


def test_network_down_gives_unknown_and_caches_nothing(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    urls = ["http://no-such-host.invalid/a", f"http://127.0.0.1:{closed_port()}/b"]
    links = resolve(urls, cache)
    assert {link.status for link in links.values()} == {"unknown"}
    assert all(cache.link(url) is None for url in urls)
    assert len(cache) == 0  # nothing at all was written


def test_private_addresses_are_refused_without_allow_private(web: tuple[str, Stats]) -> None:
    base, stats = web
    links = resolve(
        [base + "/ok", "http://localhost:1/x", "http://169.254.169.254/latest/meta-data/"], allow_private=False
    )
    assert {link.status for link in links.values()} == {"skipped"}
    assert stats.total == 0


def test_non_http_and_invalid(web: tuple[str, Stats]) -> None:
    links = resolve(["ftp://example.org/file", "not a url"])
    assert links["ftp://example.org/file"].status == "skipped"
    assert links["not a url"].status == "invalid" and links["not a url"].alive is False


def test_second_run_makes_no_requests_for_reusable_verdicts(web: tuple[str, Stats], tmp_path: Path) -> None:
    base, stats = web
    cache = Cache(tmp_path / "cache")
    urls = [base + "/ok", base + "/gone", base + "/soft", base + "/broken"]
    first = resolve(urls, cache)
    before = stats.total
    started = time.monotonic()
    second = resolve(urls, cache)
    elapsed = time.monotonic() - started
    assert stats.total - before == stats.requests["/broken"] - 2  # only the 5xx is checked again
    for url in urls[:3]:
        assert second[url].from_cache and second[url].status == first[url].status
    assert not second[base + "/broken"].from_cache
    assert [h.status for h in second[base + "/broken"].history] == ["server-error", "server-error"]
    assert second[base + "/broken"].failures == 2
    assert elapsed < 5


def test_offline_uses_the_cache_only(web: tuple[str, Stats], tmp_path: Path) -> None:
    base, stats = web
    cache = Cache(tmp_path / "cache")
    resolve([base + "/ok"], cache)
    before = stats.total
    links = resolve([base + "/ok", base + "/ok-new"], cache, offline=True)
    assert stats.total == before
    assert links[base + "/ok"].status == "ok" and links[base + "/ok"].from_cache
    assert links[base + "/ok-new"].status == "unknown"


def test_refresh_ignores_cached_verdicts(web: tuple[str, Stats], tmp_path: Path) -> None:
    base, stats = web
    cache = Cache(tmp_path / "cache")
    resolve([base + "/ok"], cache)
    resolve([base + "/ok"], cache, refresh=True)
    assert stats.requests["/ok"] == 2


def test_planted_pickle_in_the_cache_is_refused(tmp_path: Path) -> None:
    import diskcache

    planted = diskcache.Cache(str(tmp_path / "cache"))
    planted.set(link_key("https://x.org/"), {"verdict": {"status": "ok"}})  # pickled by diskcache's default disk
    planted.close()
    cache = Cache(tmp_path / "cache")
    assert cache.link("https://x.org/") is None
    assert any("refused" in warning for warning in cache.warnings)


def test_damaged_cache_is_set_aside(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "cache.db").write_bytes(b"this is not a database" * 100)
    cache = Cache(folder)
    cache.set("k", {"v": 1})
    assert cache.get("k") == {"v": 1}
    assert any("moved aside" in warning for warning in cache.warnings)


# --- the verdict table, directly ---------------------------------------------------


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (200, {}, "ok"),
        (204, {}, "ok"),
        (404, {}, "dead"),
        (410, {}, "dead"),
        (400, {}, "dead"),
        (401, {}, "blocked"),
        (403, {}, "blocked"),
        (451, {}, "blocked"),
        (999, {}, "blocked"),
        (403, {"cf-mitigated": "challenge"}, "blocked"),
        (429, {}, "rate-limited"),
        (408, {}, "timeout"),
        (500, {}, "server-error"),
        (503, {}, "server-error"),
    ],
)
def test_classify_response(status: int, headers: dict[str, str], expected: str) -> None:
    assert classify_response(status, headers, b"", "https://x.org/a/b", "https://x.org/a/b", False)[0] == expected


@pytest.mark.parametrize(
    "title",
    [
        "Page not found",
        "404 - Example",
        "Seite nicht gefunden",
        "Page introuvable",
        "Página no encontrada",
        "Страница не найдена",
    ],
)
def test_error_titles_in_several_languages(title: str) -> None:
    body = f"<html><head><title>{title}</title></head></html>".encode()
    assert soft_404_reason("https://x.org/a/b", "https://x.org/a/b", body, False)


@pytest.mark.parametrize("title", ["Flight 404 lands safely", "News 404: the archive", "Section 404 of the act"])
def test_404_in_a_real_title_is_not_soft_404(title: str) -> None:
    body = f"<html><head><title>{title}</title></head></html>".encode()
    assert soft_404_reason("https://x.org/news/404/a", "https://x.org/news/404/a", body, False) is None


@pytest.mark.parametrize("title", ["Error 404", "404 Error - Example", "Fehler 404", "404 page"])
def test_404_error_titles_are_soft_404(title: str) -> None:
    body = f"<html><head><title>{title}</title></head></html>".encode()
    assert soft_404_reason("https://x.org/a/b", "https://x.org/a/b", body, False)


def test_a_normal_page_is_not_soft_404() -> None:
    body = b"<html><head><title>Kurds and Damascus: the talks</title></head></html>"
    assert soft_404_reason("https://x.org/2018/08/story", "https://x.org/2018/08/story", body, False) is None
    assert soft_404_reason("http://x.org/a", "https://www.x.org/a", body, True) is None  # https upgrade


def test_retry_after_formats() -> None:
    """Headers as the transport hands them over: lower-case names in a plain dict."""
    import email.utils

    from refcheck.resolve.check import retry_after

    assert retry_after({"retry-after": "120"}) == 120.0
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (retry_after({"retry-after": later}) or 0) <= 31
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert retry_after({"retry-after": past}) == 0.0
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after({"retry-after": "²"}) is None
    assert retry_after({}) is None


def test_names_resolving_to_private_addresses_are_refused_at_connection(web: tuple[str, Stats]) -> None:
    """'localhost' is not caught by name here (resolve() with allow_private=False
    refuses it by name; this asks the transport with the name rule bypassed):
    the resolver inside the connection pool refuses the loopback address it got
    from DNS, so a name cannot pass one lookup and connect somewhere else."""
    import asyncio

    from refcheck.resolve.safety import AddressPolicy, Refused
    from refcheck.resolve.transport import Transport

    base, stats = web
    port = base.rsplit(":", 1)[1]

    class NamesPass(AddressPolicy):
        def check_name(self, host: str) -> None:
            return None

    async def fetch() -> BaseException | None:
        transport = Transport(NamesPass(allow_private=False))
        try:
            await transport.fetch(f"http://localhost:{port}/ok", {})
        except Refused as exc:
            return exc
        finally:
            await transport.aclose()
        return None

    before = stats.total
    cause = asyncio.run(fetch())
    assert isinstance(cause, Refused) and "not public" in str(cause)
    assert stats.total == before  # not a byte reached the server


def test_private_literals_and_local_names_are_refused_by_name() -> None:
    from refcheck.resolve.safety import AddressPolicy, Refused

    policy = AddressPolicy(allow_private=False)
    for host in ("127.0.0.1", "10.1.2.3", "169.254.169.254", "[::1]", "224.0.0.1", "0.0.0.0", "[fe80::1]",
                 "[::ffff:127.0.0.1]", "localhost", "LOCALHOST.", "printer.local", "db.internal"):  # fmt: skip
        with pytest.raises(Refused):
            policy.check_name(host)
    policy.check_name("93.184.216.34")  # public literal
    policy.check_name("example.org")  # names are judged on their addresses, after DNS
    with pytest.raises(Refused):
        policy.check_resolved("example.org", ["93.184.216.34", "192.168.1.1"])
    AddressPolicy(allow_private=True).check_name("127.0.0.1")  # allowed when asked
