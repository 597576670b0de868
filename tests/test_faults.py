"""The network fault matrix (issue 6): every fault of tests/faultserver.py's catalogue
against a real server on 127.0.0.x, in a run with a healthy control link on another
server. Each gets the verdict of README's table, within a time derived from the
time-outs, and the run goes on. Nothing leaves the machine (``local_network_only``),
and no server thread outlives its test.

benchmarks/fault_matrix.py runs the same catalogue by hand and measures each fault's
time and peak memory in a fresh process (docs/fault-matrix.md).
"""

from __future__ import annotations

import asyncio
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from contextlib import ExitStack

import certifi
import pytest
from faultserver import (
    CATALOGUE,
    Certificates,
    Conn,
    Fault,
    FaultServer,
    big_body,
    fault_server,
    gzip_bomb,
    gzip_bomb_page,
    least_time,
    local_network_only,
    staged,
    time_bound,
)
from localweb import serve

from refcheck.models import LinkResult, Verdict
from refcheck.resolve.check import Checker, CheckSettings
from refcheck.resolve.politeness import HostLimiter
from refcheck.resolve.resolver import ResolveSettings, resolve_links
from refcheck.resolve.safety import AddressPolicy
from refcheck.resolve.transport import Transport

TIMEOUT = 1.0
RETRIES = 1
BACKOFF_INITIAL = 0.05
BACKOFF_MAX = 0.1
CAP = 2.5
"""The total time per link, for the faults that only it stops."""
SLACK = 1.5
"""Seconds on top of the time-outs: starting the run, scheduling, the control link."""
SENT_BOUND = 32 * 1024**2
"""What a server with a body of gigabytes may get out before the checker hangs up:
64 KiB read, the rest in socket buffers (about 2.6 MiB a connection here, measured)."""
HOSTS = {fault.key: f"127.0.0.{10 + index}" for index, fault in enumerate(CATALOGUE)}
BY_KEY = {fault.key: fault for fault in CATALOGUE}


@pytest.fixture(autouse=True)
def on_this_machine_and_cleaned_up() -> Iterator[None]:
    """No lookup or connection leaves the machine; no thread outlives the test."""
    before = set(threading.enumerate())
    with local_network_only() as stopped:
        yield
    assert not stopped, f"the test tried to leave the machine: {stopped}"
    deadline = time.monotonic() + 5
    left = [thread for thread in threading.enumerate() if thread not in before]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [thread for thread in threading.enumerate() if thread not in before]
    assert not left, f"threads left running: {left}"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def trusted(certificates: Certificates, monkeypatch: pytest.MonkeyPatch) -> Certificates:
    """The checker trusts the test CA (in place of certifi's bundle, read when a Checker starts)."""
    monkeypatch.setattr(certifi, "where", lambda: certificates.trusted_bundle)
    return certificates


@pytest.fixture
def control() -> Iterator[str]:
    """A healthy link on another server (127.0.0.1), checked in the same run."""
    with serve("127.0.0.1") as (base, _):
        yield base + "/ok"


def public(*hosts: str) -> tuple[str, ...]:
    """These loopback addresses stand in for public ones (``allowed_networks``);
    every other address stays private."""
    return tuple(f"{host}/32" for host in hosts)


def run(urls: list[str], **overrides: object) -> tuple[dict[str, LinkResult], float]:
    check = CheckSettings(timeout=TIMEOUT, retries=RETRIES, allow_private=True,
                          backoff_initial=BACKOFF_INITIAL, backoff_max=BACKOFF_MAX)  # fmt: skip
    for key, value in overrides.items():
        setattr(check, key, value)
    settings = ResolveSettings(per_host=4, host_interval=0.0, check=check, archive="none")
    links = {url: LinkResult(url, None) for url in urls}
    started = time.monotonic()
    resolve_links(links, settings, None)
    return links, time.monotonic() - started


def statuses(links: dict[str, LinkResult], urls: list[str]) -> tuple[str, ...]:
    found = tuple(str(links[url].status) for url in urls)
    return found if len(found) == 1 else tuple(sorted(found))


@pytest.mark.parametrize("fault", CATALOGUE, ids=[fault.key for fault in CATALOGUE])
def test_fault(fault: Fault, control: str, trusted: Certificates) -> None:
    host = HOSTS[fault.key]
    options: dict[str, object] = {"allowed_networks": public(host, "127.0.0.1")} if fault.public else {}
    if fault.capped:
        options["link_time_limit"] = CAP
    with staged(fault, host, trusted) as stage:
        links, took = run([*stage.urls, control], allow_private=not fault.public, **options)
    errors = [links[url].error for url in stage.urls]
    assert statuses(links, stage.urls) == fault.expected, errors
    assert links[control].status == "ok", links[control].error
    assert took <= time_bound(fault, TIMEOUT, RETRIES, BACKOFF_INITIAL, BACKOFF_MAX, CAP) + SLACK
    assert took >= least_time(fault, TIMEOUT, RETRIES, CAP) - 0.1
    if stage.decoy is not None:  # the private address behind the redirect was never contacted
        assert stage.decoy.wire.connections == 0
    if fault.big:
        assert stage.server is not None and stage.server.wire.bytes_sent < SENT_BOUND
    for url in stage.urls:  # every failure says why, and the why is this fault
        if links[url].status != "ok":
            assert fault.reason in (links[url].error or ""), links[url].error


def test_all_faults_in_one_run(control: str, trusted: Certificates) -> None:
    """Every fault at once (the private-address rule on, the fault servers standing in
    for public ones): each still gets its verdict, and the run ends in the time of the
    slowest. The hostname-mismatch fault needs the name localhost, which the rule
    refuses, so it is left to its own test."""
    faults = [fault for fault in CATALOGUE if fault.name is None]  # (see above)
    stand_ins = public("127.0.0.1", *(HOSTS[fault.key] for fault in faults))
    with ExitStack() as stack:
        stages = [stack.enter_context(staged(fault, HOSTS[fault.key], trusted)) for fault in faults]
        urls = [url for stage in stages for url in stage.urls]
        links, took = run([*urls, control], allow_private=False, link_time_limit=CAP + 2 * TIMEOUT,
                          allowed_networks=stand_ins)  # fmt: skip
    found = {fault.key: statuses(links, stage.urls) for fault, stage in zip(faults, stages, strict=True)}
    assert found == {fault.key: fault.expected for fault in faults}
    for fault, stage in zip(faults, stages, strict=True):
        for url in stage.urls:
            if links[url].status != "ok":
                assert fault.reason in (links[url].error or ""), (fault.key, links[url].error)
    assert links[control].status == "ok"
    # The links that failed before any server answered (DNS, refused, certificate) get a
    # second opinion once the rest are done: a witness host, then one more check each.
    slowest = max(time_bound(fault, TIMEOUT, RETRIES, BACKOFF_INITIAL, BACKOFF_MAX, CAP) for fault in faults)
    assert took <= 2 * slowest + SLACK


def test_big_bodies_and_gzip_bombs_stay_small(control: str) -> None:
    """Eight gzip bombs (4 GiB each) and two 2 GiB bodies on five hosts at once: each
    read stops at 64 KiB (inflated), the servers get little out, memory stays flat.
    (Inflating each received chunk whole, as httpx's decoders do, took 1 GiB for 32
    such links, and 8 GiB for 128.)"""
    with ExitStack() as stack:
        servers: list[FaultServer] = [
            stack.enter_context(fault_server(gzip_bomb_page, f"127.0.0.{200 + index}")) for index in range(4)
        ]
        servers.append(stack.enter_context(fault_server(big_body, "127.0.0.204")))
        urls = [f"{server.base}/file-{n}" for server in servers for n in range(2)]
        tracemalloc.start()
        try:
            links, took = run([*urls, control], timeout=5.0)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert {links[url].status for url in urls} == {"ok"}, [links[url].error for url in urls]
    assert links[control].status == "ok"
    assert peak < 24 * 1024**2, f"peak {peak / 2**20:.0f} MiB"
    assert took < 10
    for server in servers:
        assert server.wire.bytes_sent < SENT_BOUND
        assert server.wire.requests["/file-0"] + server.wire.requests["/file-1"] == 2  # no retries


def test_gzip_bomb_is_a_valid_gzip_stream() -> None:
    """The bomb is built lazily from one repeated deflate block; it must still be a
    real gzip stream (checked whole on 16 MiB), and the 4 GiB one is about 4 MiB."""
    length, chunks = gzip_bomb(16 * 1024**2)
    data = b"".join(chunks)
    assert len(data) == length
    inflated = zlib.decompressobj(16 + zlib.MAX_WBITS)
    total = 0
    position = 0
    while position < len(data):  # inflate in steps: never 16 MiB at once
        total += len(inflated.decompress(data[position : position + 4096], 1 << 20))
        while inflated.unconsumed_tail:
            total += len(inflated.decompress(inflated.unconsumed_tail, 1 << 20))
        position += 4096
    assert inflated.eof and not inflated.unused_data
    assert total == 16 * 1024**2
    big_length, _ = gzip_bomb()
    assert big_length < 5 * 1024**2


def test_deflate_with_and_without_zlib_wrapper_and_garbage(control: str) -> None:
    """The checker inflates bodies itself (bounded): a zlib-wrapped and a raw deflate
    body are both read (their "not found" title makes them soft 404s); an encoding not
    asked for is kept as sent (unreadable here: ok); a corrupt gzip body is a bad response."""
    page = b"<html><head><title>Page not found</title></head><body>" + b"y" * 100_000 + b"</body></html>"
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    bodies = {
        "/wrapped": ("deflate", zlib.compress(page)),
        "/raw": ("deflate", raw.compress(page) + raw.flush()),
        "/not-asked": ("br", zlib.compress(page)),
        "/corrupt": ("gzip", b"\x1f\x8b\x08\x00garbage-garbage-garbage"),
    }

    def handler(conn: Conn) -> None:
        path = conn.read_request()
        if path in bodies:
            encoding, body = bodies[path]
            head = f"HTTP/1.1 200 OK\r\nContent-Encoding: {encoding}\r\nContent-Length: {len(body)}\r\n\r\n"
            conn.send(head.encode() + body)

    with fault_server(handler, "127.0.0.205") as server:
        urls = {path: server.base + path for path in bodies}
        links, _ = run([*urls.values(), control])
    assert links[urls["/wrapped"]].status == "soft-404"
    assert links[urls["/raw"]].status == "soft-404"
    assert links[urls["/not-asked"]].status == "ok"
    assert links[urls["/corrupt"]].status == "error"
    assert "bad response: undecodable gzip body" in (links[urls["/corrupt"]].error or "")


def test_certificate_failure_is_not_retried(trusted: Certificates) -> None:
    """The same certificate would come back: one connection, no back-off (the checker
    alone; the resolver's second opinion on unreached links would add one more)."""
    fault = BY_KEY["tls-self-signed"]
    settings = CheckSettings(timeout=TIMEOUT, retries=2, allow_private=True, backoff_initial=1.0)

    async def check(url: str) -> Verdict:
        transport = Transport(AddressPolicy(settings.allow_private), settings.timeout)
        try:
            return (await Checker(settings, HostLimiter(), transport).check(url)).verdict
        finally:
            await transport.aclose()

    with staged(fault, HOSTS[fault.key], trusted) as stage:
        started = time.monotonic()
        verdict = asyncio.run(check(stage.urls[0]))
        took = time.monotonic() - started
        assert stage.server is not None and stage.server.wire.connections == 1
    assert verdict.status == "error" and (verdict.error or "").startswith("TLS failure")
    assert "self-signed certificate" in (verdict.error or "")
    assert took < 1.0  # no back-off waited


def test_absurd_retry_after_is_neither_waited_for_nor_retried(control: str) -> None:
    fault = BY_KEY["429-absurd"]
    with staged(fault, HOSTS[fault.key]) as stage:
        links, took = run([*stage.urls, control], retries=2)
        assert stage.server is not None and stage.server.wire.requests["/429-absurd"] == 1
    assert links[stage.urls[0]].status == "rate-limited"
    assert "cap" in (links[stage.urls[0]].error or "")
    assert took < 1.0


def test_flapping_without_retries_is_a_server_error(control: str) -> None:
    fault = BY_KEY["503-flapping"]
    with staged(fault, HOSTS[fault.key]) as stage:
        links, _ = run([*stage.urls, control], retries=0)
    assert statuses(links, stage.urls) == ("server-error",) * 3


def test_bad_responses_say_what_was_wrong(control: str) -> None:
    fault = BY_KEY["status-garbage"]
    with staged(fault, HOSTS[fault.key]) as stage:
        links, _ = run([*stage.urls, control])
    error = links[stage.urls[0]].error or ""
    assert error.startswith("bad response: Bad status line") and "\n" not in error
    assert "400" not in error  # aiohttp's internal code, not the server's


def test_malformed_addresses_do_not_stop_the_run(control: str) -> None:
    """A cited address that only fails deep in the HTTP stack (a bad punycode label,
    which httpx raises as a UnicodeError) is ``invalid``; the run goes on."""
    bad = "http://xn--zz.invalid/page"
    links, _ = run([bad, control])
    assert links[bad].status == "invalid" and "invalid address" in (links[bad].error or "")
    assert links[control].status == "ok"
