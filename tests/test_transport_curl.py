"""The libcurl transport (refcheck/resolve/transport_curl.py) against real servers on
127.0.0.x: the behaviours the checker relies on, the same as the aiohttp transport's.

Module switch: ``REFCHECK_TRANSPORT=aiohttp`` runs these same tests against
:class:`refcheck.resolve.transport.Transport` (to compare the two); by default, and
with ``REFCHECK_TRANSPORT=curl``, against :class:`CurlTransport`. A few expectations
differ on purpose between the two; they say so where they do.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import socket
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import certifi
import pytest
from faultserver import (
    GARBLED_STATUS_LINES,
    INVALID_HEADERS,
    PAGE,
    TOLERATED_HEADER,
    Certificates,
    Conn,
    closed_port,
    fault_server,
    gzip_bomb_page,
    http_faults,
    never_answers,
    raw_answer,
    reset_mid_body,
    reset_mid_headers,
    stalls_after_headers,
    tls_page,
)
from localweb import Stats, serve

from refcheck.errors import (
    BadAddress,
    BrokenResponse,
    CheckFailure,
    ConnectFailed,
    NameNotResolved,
    ReadTimeout,
    Refused,
    TLSFailure,
)
from refcheck.resolve.safety import AddressPolicy
from refcheck.resolve.transport import Answer

TRANSPORT = os.environ.get("REFCHECK_TRANSPORT", "curl")
"""Which transport these tests run against: ``curl`` (default) or ``aiohttp``."""

Under: Any
if TRANSPORT == "aiohttp":
    from refcheck.resolve.transport import Transport as Under
else:
    pytest.importorskip("pycurl")
    from refcheck.resolve.transport_curl import CurlTransport as Under

CURL = TRANSPORT != "aiohttp"
HEADERS = {"User-Agent": "refcheck-test", "Accept-Encoding": "gzip, deflate"}
BODY_LIMIT = 64 * 1024


class NamesPass(AddressPolicy):
    """The name rule bypassed: only the addresses (after DNS, at connection) are judged."""

    def check_name(self, host: str) -> None:
        return None


def run(work: Callable[[Any], Awaitable[Any]], policy: AddressPolicy | None = None, timeout: float = 2.0) -> Any:
    """``work(transport)`` on a fresh transport in a fresh loop; the transport closed after."""

    async def main() -> Any:
        transport = Under(policy or AddressPolicy(allow_private=True), timeout)
        try:
            return await work(transport)
        finally:
            await transport.aclose()

    return asyncio.run(main())


def fetch(url: str, policy: AddressPolicy | None = None, timeout: float = 2.0, **kwargs: Any) -> Answer:
    headers = kwargs.pop("headers", HEADERS)
    return run(lambda transport: transport.fetch(url, headers, **kwargs), policy, timeout)  # type: ignore[no-any-return]


def failure(url: str, policy: AddressPolicy | None = None, timeout: float = 2.0, **kwargs: Any) -> CheckFailure:
    with pytest.raises(CheckFailure) as caught:
        fetch(url, policy, timeout, **kwargs)
    return caught.value


@pytest.fixture
def web() -> Iterator[tuple[str, Stats]]:
    with serve() as server:
        yield server


# --------------------------------------------------------------------------- answers


def test_ok_page_with_lower_case_headers(web: tuple[str, Stats]) -> None:
    base, stats = web
    answer = fetch(base + "/ok")
    assert answer.status == 200
    assert answer.body_head == PAGE
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["content-length"] == str(len(PAGE))
    assert all(name == name.lower() for name in answer.headers)
    assert stats.requests["/ok"] == 1


def test_not_found_is_an_answer(web: tuple[str, Stats]) -> None:
    base, _ = web
    answer = fetch(base + "/gone")
    assert answer.status == 404 and b"Page not found" in answer.body_head


def test_redirects_are_not_followed(web: tuple[str, Stats]) -> None:
    base, stats = web
    answer = fetch(base + "/chain-1")
    assert answer.status == 301 and answer.headers["location"] == "/chain-2"
    assert stats.requests["/chain-2"] == 0


def test_retry_after_is_passed_through(web: tuple[str, Stats]) -> None:
    base, _ = web
    assert fetch(base + "/too-many").headers["retry-after"] == "0"
    assert fetch(base + "/too-many-forever").headers["retry-after"] == "3600"


def test_repeated_headers_the_last_wins() -> None:
    raw = b"HTTP/1.1 200 OK\r\nX-A: 1\r\nx-a: 2\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 2\r\n\r\nok"
    with fault_server(raw_answer(raw)) as server:
        answer = fetch(server.base + "/")
    assert answer.headers["x-a"] == "2" and answer.headers["set-cookie"] == "b=2"
    assert answer.body_head == b"ok"


def test_headers_of_an_interim_answer_are_not_kept() -> None:
    raw = (
        b"HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\nHTTP/1.1 200 OK\r\nX-Final: yes\r\nContent-Length: 2\r\n\r\nok"
    )
    with fault_server(raw_answer(raw)) as server:
        answer = fetch(server.base + "/")
    assert answer.status == 200 and "x-interim" not in answer.headers and answer.headers["x-final"] == "yes"


def test_a_large_body_stops_at_the_limit() -> None:
    """200 KiB announced and sent: 64 KiB read, the rest never asked for."""
    body = bytes(range(256)) * 800  # 200 KiB

    def handler(conn: Conn) -> None:
        if conn.read_request() is not None:
            conn.send(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)

    with fault_server(handler) as server:
        answer = fetch(server.base + "/big")
        small = fetch(server.base + "/big", body_limit=1000)
    assert answer.body_head == body[:BODY_LIMIT]
    assert small.body_head == body[:1000]


def test_gzip_bomb_is_inflated_only_to_the_limit() -> None:
    with fault_server(gzip_bomb_page) as server:
        answer = fetch(server.base + "/bomb.html", timeout=5.0)
        sent = server.wire.bytes_sent
    assert answer.status == 200 and answer.headers["content-encoding"] == "gzip"
    assert answer.body_head == bytes(BODY_LIMIT)
    assert sent < 32 * 1024**2  # the server got little of its 4 MiB out


def test_encodings_gzip_deflate_raw_deflate_unknown_and_corrupt() -> None:
    page = b"<html><head><title>T</title></head><body>" + b"y" * 100_000 + b"</body></html>"
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    bodies = {
        "/gzip": ("gzip", gzip.compress(page)),
        "/wrapped": ("deflate", zlib.compress(page)),
        "/raw": ("deflate", raw.compress(page) + raw.flush()),
        "/br": ("br", b"\x8b\x00\x80not-really-brotli"),
        "/corrupt": ("gzip", b"\x1f\x8b\x08\x00garbage-garbage-garbage"),
    }

    def handler(conn: Conn) -> None:
        path = conn.read_request()
        if path in bodies:
            encoding, body = bodies[path]
            head = f"HTTP/1.1 200 OK\r\nContent-Encoding: {encoding}\r\nContent-Length: {len(body)}\r\n\r\n"
            conn.send(head.encode() + body)

    with fault_server(handler) as server:
        for path in ("/gzip", "/wrapped", "/raw"):
            assert fetch(server.base + path).body_head == page[:BODY_LIMIT], path
        assert fetch(server.base + "/br").body_head == bodies["/br"][1]  # kept as sent
        broken = failure(server.base + "/corrupt")
    assert isinstance(broken, BrokenResponse)
    assert str(broken).startswith("bad response: undecodable gzip body")


def test_http10_body_ends_at_close() -> None:
    raw = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + PAGE
    with fault_server(raw_answer(raw)) as server:
        answer = fetch(server.base + "/")
    assert answer.status == 200 and answer.body_head == PAGE


def test_head_and_post() -> None:
    seen: list[bytes] = []

    def handler(conn: Conn) -> None:
        conn.sock.settimeout(5.0)
        data = b""
        while b"\r\n\r\n" not in data:
            part = conn.sock.recv(65536)
            if not part:
                return
            data += part
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)  # fmt: skip
        while len(rest) < length:
            part = conn.sock.recv(65536)
            if not part:
                break
            rest += part
        seen.append(head + b"\r\n\r\n" + rest)
        answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"
        conn.send(answer if head.startswith(b"HEAD ") else answer + b"ok")

    with fault_server(handler) as server:
        head = fetch(server.base + "/h", method="HEAD")
        post = fetch(server.base + "/p", method="POST", body=b"a=1&b=2",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert head.status == 200 and head.body_head == b""
    assert seen[0].startswith(b"HEAD /h HTTP/1.1\r\n")
    assert post.status == 200 and post.body_head == b"ok"
    assert seen[1].startswith(b"POST /p HTTP/1.1\r\n") and seen[1].endswith(b"\r\n\r\na=1&b=2")
    assert b"Content-Length: 7\r\n" in seen[1]
    assert b"Expect" not in seen[1]


def test_headers_are_sent_exactly_as_given() -> None:
    """Host (and a body's Content-Length) added; nothing else of the client's own."""
    seen: list[bytes] = []

    def handler(conn: Conn) -> None:
        conn.sock.settimeout(5.0)
        data = b""
        while b"\r\n\r\n" not in data:
            part = conn.sock.recv(4096)
            if not part:
                return
            data += part
        seen.append(data)
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    headers = {"User-Agent": "UA/1", "Accept-Language": "en", "X-Empty": "", "Accept-Encoding": "gzip, deflate"}
    with fault_server(handler) as server:
        fetch(server.base + "/a?b=c#fragment", headers=headers)
    request = seen[0].decode("latin-1").split("\r\n")
    assert request[0] == "GET /a?b=c HTTP/1.1"
    names = [line.split(":", 1)[0].lower() for line in request[1:] if line]
    if CURL:
        assert names == ["host", "user-agent", "accept-language", "x-empty", "accept-encoding"]
    else:  # aiohttp adds Accept: */* when none is given
        assert set(names) == {"host", "user-agent", "accept-language", "x-empty", "accept-encoding", "accept"}
    assert "User-Agent: UA/1" in request


# --------------------------------------------------------------------------- connections


def test_keep_alive_connection_is_reused() -> None:
    """Several sequential requests to one host: one connection (http_faults keeps it alive)."""
    with fault_server(http_faults) as server:

        async def several(transport: Any) -> list[int]:
            return [(await transport.fetch(f"{server.base}/ok", HEADERS)).status for _ in range(5)]

        statuses = run(several)
        assert statuses == [200] * 5
        assert server.wire.connections == 1
        assert server.wire.requests["/ok"] == 5


def test_a_body_not_read_to_the_end_closes_its_connection() -> None:
    """The 200 KiB answer is cut at 64 KiB: the next request needs a new connection."""
    body = b"z" * (200 * 1024)

    def handler(conn: Conn) -> None:
        for _ in range(10):
            path = conn.read_request()
            if path is None:
                return
            payload = body if path == "/big" else b"ok"
            if not conn.send(f"HTTP/1.1 200 OK\r\nContent-Length: {len(payload)}\r\n\r\n".encode() + payload):
                return

    with fault_server(handler) as server:

        async def work(transport: Any) -> None:
            await transport.fetch(f"{server.base}/small", HEADERS)
            await transport.fetch(f"{server.base}/big", HEADERS)
            await transport.fetch(f"{server.base}/small", HEADERS)

        run(work)
        assert server.wire.connections == 2


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize("key", list(GARBLED_STATUS_LINES))
def test_garbled_status_lines_are_bad_responses(key: str) -> None:
    with fault_server(raw_answer(GARBLED_STATUS_LINES[key])) as server:
        error = failure(server.base + "/")
    assert isinstance(error, BrokenResponse)
    assert str(error).startswith("bad response: Bad status line"), str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize("key", list(INVALID_HEADERS))
def test_invalid_headers_are_bad_responses(key: str) -> None:
    with fault_server(raw_answer(INVALID_HEADERS[key])) as server:
        error = failure(server.base + "/")
    assert isinstance(error, BrokenResponse) and str(error).startswith("bad response"), str(error)


def test_space_before_the_colon_is_tolerated() -> None:
    with fault_server(raw_answer(TOLERATED_HEADER)) as server:
        assert fetch(server.base + "/").body_head == b"ok"


def test_reset_in_the_headers_and_in_the_body() -> None:
    with fault_server(reset_mid_headers) as server:
        headers = failure(server.base + "/")
    with fault_server(reset_mid_body) as server:
        body = failure(server.base + "/")
    assert isinstance(headers, BrokenResponse) and "reset by peer" in str(headers)
    assert isinstance(body, BrokenResponse) and "connection broken in the body" in str(body)


def test_refused_port() -> None:
    error = failure(f"http://127.0.0.1:{closed_port('127.0.0.1')}/")
    assert isinstance(error, ConnectFailed) and error.retry and not error.reached
    assert "Connect call failed" in str(error)


def test_dns_failure_for_an_invalid_name() -> None:
    """The conftest makes ``.invalid`` fail at once in socket.getaddrinfo: the lookup is Python's."""
    error = failure("http://no-such-host.invalid/page")
    assert isinstance(error, NameNotResolved)
    assert str(error).startswith("domain does not resolve: no-such-host.invalid")


def test_bad_port_and_bad_punycode_are_bad_addresses() -> None:
    assert isinstance(failure("http://127.0.0.1:99999/"), BadAddress)
    assert isinstance(failure("http://[::1/"), BadAddress)
    if CURL:  # aiohttp reads "xn--zz" as a name and asks DNS about it
        assert isinstance(failure("http://xn--zz.invalid/"), BadAddress)


def test_idna_host_is_sent_encoded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A non-ASCII host is looked up and sent as punycode (this libcurl has no IDN library)."""
    if not CURL:
        pytest.skip("aiohttp refuses a non-ASCII host (yarl, encoded=True): BadAddress")
    seen: list[bytes] = []

    def handler(conn: Conn) -> None:
        conn.sock.settimeout(5.0)
        data = conn.sock.recv(4096)
        seen.append(data)
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    real = socket.getaddrinfo
    looked_up: list[str] = []

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        looked_up.append(str(host))
        return real("127.0.0.1" if host == "xn--bcher-kva.test" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with fault_server(handler) as server:
        answer = fetch(f"http://bücher.test:{server.port}/ä b")
    assert answer.status == 200
    assert looked_up == ["xn--bcher-kva.test"]
    assert seen[0].startswith(b"GET /%C3%A4%20b HTTP/1.1\r\n")
    assert f"Host: xn--bcher-kva.test:{server.port}\r\n".encode() in seen[0]


# --------------------------------------------------------------------------- time-outs


def test_silence_after_the_request_is_a_read_timeout() -> None:
    with fault_server(never_answers) as server:
        started = time.monotonic()
        error = failure(server.base + "/", timeout=0.5)
        took = time.monotonic() - started
    assert isinstance(error, ReadTimeout) and error.reached
    assert 0.4 <= took < 2.0


def test_a_stalled_body_is_a_read_timeout() -> None:
    with fault_server(stalls_after_headers) as server:
        started = time.monotonic()
        error = failure(server.base + "/", timeout=0.5)
        took = time.monotonic() - started
    assert isinstance(error, ReadTimeout)
    assert 0.4 <= took < 2.0


def test_a_dripping_body_never_trips_the_read_timeout() -> None:
    """A byte every 0.3 s with a 0.5 s read time-out: only the caller's cap ends it
    (refcheck's per-link cap); the transport still works afterwards."""
    stop = threading.Event()

    def drip(conn: Conn) -> None:
        if conn.read_request() is None:
            return
        if conn.path_seen == "/ok":  # type: ignore[attr-defined]
            conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            return
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        for _ in range(100):
            if stop.wait(0.3) or not conn.send(b"x"):
                return

    def handler(conn: Conn) -> None:
        original = conn.read_request

        def read_request() -> str | None:
            path = original()
            conn.path_seen = path  # type: ignore[attr-defined]
            return path

        conn.read_request = read_request  # type: ignore[method-assign]
        drip(conn)

    with fault_server(handler) as server:

        async def work(transport: Any) -> tuple[str, int]:
            started = time.monotonic()
            try:
                async with asyncio.timeout(2.0):
                    await transport.fetch(server.base + "/drip", HEADERS)
                outcome = "answered"
            except TimeoutError:
                outcome = f"cap after {time.monotonic() - started:.1f} s"
            except ReadTimeout:
                outcome = "read timeout"
            after = await transport.fetch(server.base + "/ok", HEADERS)
            return outcome, after.status

        try:
            outcome, status = run(work, timeout=0.5)
        finally:
            stop.set()
    assert outcome.startswith("cap after"), outcome
    assert status == 200


# --------------------------------------------------------------------------- the address rule


def test_private_address_refused_by_name(web: tuple[str, Stats]) -> None:
    base, stats = web
    error = failure(base + "/ok", AddressPolicy(allow_private=False))
    assert isinstance(error, Refused) and "not public" in str(error)
    assert stats.total == 0


def test_names_resolving_to_private_addresses_are_refused(web: tuple[str, Stats]) -> None:
    """As tests/test_resolve.py's test of the same name: 'localhost' passes the name rule
    here; its addresses (from DNS) are refused before any connection."""
    base, stats = web
    port = base.rsplit(":", 1)[1]
    for host in ("localhost", "LOCALHOST"):
        error = failure(f"http://{host}:{port}/ok", NamesPass(allow_private=False))
        assert isinstance(error, Refused) and "not public" in str(error), host
    # With its final dot: refused, or not found by this machine's resolver (glibc).
    error = failure(f"http://localhost.:{port}/ok", NamesPass(allow_private=False))
    assert isinstance(error, Refused | NameNotResolved), error
    assert stats.total == 0  # not a byte reached the server


def test_the_address_connected_to_is_checked_at_connection_time(web: tuple[str, Stats]) -> None:
    """DNS rebinding: the first judgement (after the lookup) passes, the address the
    socket is then opened for is private: refused before connecting."""
    if not CURL:
        pytest.skip("aiohttp judges the addresses once, in its resolver, and connects to those")
    base, stats = web
    port = base.rsplit(":", 1)[1]

    class PassesOnce(NamesPass):
        calls = 0

        def check_resolved(self, host: str, addresses: Any) -> None:
            PassesOnce.calls += 1
            if PassesOnce.calls > 1:
                super().check_resolved(host, addresses)

    error = failure(f"http://localhost:{port}/ok", PassesOnce(allow_private=False))
    assert isinstance(error, Refused) and "not public" in str(error)
    assert PassesOnce.calls >= 2
    assert stats.total == 0


def test_private_addresses_allowed_when_asked(web: tuple[str, Stats]) -> None:
    base, _ = web
    port = base.rsplit(":", 1)[1]
    assert fetch(f"http://localhost:{port}/ok").status == 200
    allowed = AddressPolicy(False, ("127.0.0.0/8", "::1/128"))  # an intranet range among public ones
    assert fetch(f"{base}/ok", allowed).status == 200
    assert fetch(f"http://localhost:{port}/ok", NamesPass(False, ("127.0.0.0/8", "::1/128"))).status == 200


# --------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates(tmp_path_factory.mktemp("tls"))


def test_tls_valid_self_signed_untrusted_and_wrong_name(
    certificates: Certificates, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """Each refusal of a certificate is a TLS failure that is not retried (the same
    certificate would come back). curl checks the host name before the chain: a
    self-signed certificate that does not name the host is reported as a name mismatch
    by curl (aiohttp says "self-signed certificate")."""
    import ssl

    import trustme

    monkeypatch.setattr(certifi, "where", lambda: certificates.trusted_bundle)
    with fault_server(tls_page, tls=certificates.valid("127.0.0.1", "localhost")) as server:
        assert fetch(server.base + "/").status == 200
    with fault_server(tls_page, tls=certificates.self_signed()) as server:
        self_signed = failure(server.base + "/")
        connections = server.wire.connections
    stranger = trustme.CA().issue_cert("127.0.0.1")  # the right name, from a CA nobody trusts
    untrusted_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    (tmp_path / "stranger.pem").write_bytes(stranger.private_key_and_cert_chain_pem.bytes())
    untrusted_context.load_cert_chain(str(tmp_path / "stranger.pem"))
    with fault_server(tls_page, tls=untrusted_context) as server:
        untrusted = failure(server.base + "/")
    with fault_server(tls_page, tls=certificates.wrong_name()) as server:
        wrong = failure(server.base.replace("127.0.0.1", "localhost") + "/")
    for refusal in (self_signed, untrusted, wrong):
        assert isinstance(refusal, TLSFailure) and not refusal.retry
        assert str(refusal).startswith("TLS failure: certificate not accepted"), str(refusal)
    assert connections == 1
    assert ("Hostname mismatch" if CURL else "self-signed certificate") in str(self_signed)
    assert "unable to get local issuer certificate" in str(untrusted)
    assert "Hostname mismatch" in str(wrong)


# --------------------------------------------------------------------------- the transport's life


def test_a_cancelled_request_leaves_the_transport_usable(web: tuple[str, Stats]) -> None:
    base, _ = web

    async def work(transport: Any) -> list[int]:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await transport.fetch(base + "/slow", HEADERS)  # 3 s
        answers = await asyncio.gather(*(transport.fetch(f"{base}/ok-{n}", HEADERS) for n in range(8)))
        return [answer.status for answer in answers]

    assert run(work) == [200] * 8


def test_many_at_once_over_hosts() -> None:
    with serve("127.0.0.3") as (one, _), serve("127.0.0.4") as (two, _):

        async def work(transport: Any) -> list[int]:
            urls = [f"{base}/ok-{n}" for base in (one, two) for n in range(20)]
            answers = await asyncio.gather(*(transport.fetch(url, HEADERS) for url in urls))
            return [answer.status for answer in answers]

        assert run(work) == [200] * 40


def test_aclose_twice_and_unused() -> None:
    async def work() -> None:
        transport = Under(AddressPolicy(allow_private=True))
        await transport.aclose()
        await transport.aclose()

    asyncio.run(work())


def test_the_setting_puts_curl_under_the_checker_with_the_same_verdicts() -> None:
    """``transport = "curl"``: the whole resolve, curl under the checker (the archive
    client keeps aiohttp's pool), gives the verdicts aiohttp gives."""
    from localweb import serve

    from refcheck.models import LinkResult
    from refcheck.resolve.resolver import resolve_links
    from refcheck.resolve.settings import CheckSettings, ResolveSettings

    def run(transport: str, urls: list[str]) -> dict[str, str]:
        check = CheckSettings(timeout=2.0, retries=0, allow_private=True)
        settings = ResolveSettings(per_host=2, host_interval=0.0, archive="none", check=check, transport=transport)
        links = {url: LinkResult(url, None) for url in urls}
        resolve_links(links, settings, None)
        return {url: str(link.status) for url, link in links.items()}

    with serve() as (base, _):
        urls = [f"{base}/{path}" for path in ("ok", "gone", "broken", "redirect", "a/b/c")]
        by_curl = run("curl", urls)
        assert by_curl == run("aiohttp", urls)
    assert set(by_curl.values()) >= {"ok", "dead", "server-error"}
