"""Which HTTP layer under the checker: each candidate on the same farm, side by side.

    .venv/bin/python benchmarks/transport_bench.py [--write] [--runs 3] [--urls 2000] [--hosts 20]

Run by hand, never in tests; everything on 127.0.0.x, every loop bounded. The farm
is resolve_bench.py's (CPU 1); each candidate runs in a fresh subprocess pinned to
CPU 0 and fetches the same U URLs over K hosts at 20 ms latency with at most 4 in
flight per host (one asyncio worker group per host), reading up to 64 KiB of each
body. Figures: URLs/s (wall) and CPU ms per URL (``time.process_time``), medians.

Candidates, from the bare minimum up to refcheck as it runs:

* ``aiohttp``: one ClientSession, ``limit_per_host=4`` -- the floor;
* ``httpx``: one plain ``httpx.AsyncClient`` (httpcore pool);
* ``httpx per host``: one small AsyncClient per host (httpcore);
* ``AsyncClient + refcheck transport``: httpx's client over refcheck's transport;
* ``Request -> refcheck transport``: ``httpx.Request`` straight to the transport
  (what the checker does);
* ``Checker.check``: refcheck's checker (redirects, retries, throttle, verdict),
  soft-404 probe off, no cache;
* ``resolve()``: the whole checking phase (probe, cache writes) -- same as
  resolve_bench.py case (a).

Other HTTP layers (issue 12), each in the same harness (4 workers per host, GET, no
redirect following, at most 64 KiB of body read, status and Content-Type looked at):

* ``...@uvloop``: the same candidate with uvloop as the event loop
  (``asyncio.Runner(loop_factory=uvloop.new_event_loop)``; ``resolve`` via
  ``uvloop.install()``, since resolve() calls ``asyncio.run`` itself);
* ``pyreqwest``: pyreqwest's async ``Client`` (Rust reqwest/hyper on a Tokio thread),
  ``build_streamed()`` and ``body_reader.read_chunk()``;
* ``pyreqwest+httpx``: the same, ``httpx.Request`` in and ``httpx.Response`` out (the
  checker's edge types), to price keeping httpx at the edges;
* ``rnet``: rnet's async ``Client`` (Rust, wreq/hyper), ``Response.stream()``;
* ``pycurl``: libcurl's multi interface driven by the asyncio loop (socket and timer
  callbacks, ``M_MAX_HOST_CONNECTIONS=4``);
* ``protocol``: a bare ``asyncio.Protocol`` HTTP/1.1 client with httptools' response
  parser and a keep-alive pool of at most 4 connections per host -- the floor for a
  Python-driven client; ``protocol+httpx`` with httpx's types at the edges.

Those need packages that refcheck does not: run in a throw-away venv, e.g.
``python3 -m venv /tmp/tb-env && /tmp/tb-env/bin/pip install -e . uvloop pyreqwest rnet
pycurl httptools`` then ``/tmp/tb-env/bin/python benchmarks/transport_bench.py``.
The farm is resolve_bench.py's, run through a wrapper (``CountingFarm``) that also
counts the TCP connections it accepts (total, and the most to one host).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
import resolve_bench  # noqa: E402  (the farm and corpus writer)

RESULTS = HERE / "RESULTS.md"
START, END = "<!-- transport-bench:start -->", "<!-- transport-bench:end -->"
CANDIDATES = {
    "aiohttp": "minimal aiohttp, one session, limit_per_host=4",
    "httpx": "one plain httpx.AsyncClient (httpcore pool)",
    "httpx-per-host": "one httpx.AsyncClient per host (httpcore)",
    "client+transport": "httpx.AsyncClient over refcheck's transport",
    "request+transport": "refcheck's transport, `Transport.fetch` (plain records, no httpx objects: the checker's way)",
    "checker": "refcheck Checker.check (redirects, retries, host limiter, verdict; no probe, no cache)",
    "resolve": "refcheck resolve() (the whole checking phase: probe, cache writes; on uvloop itself since issue 12)",
    "aiohttp@uvloop": "minimal aiohttp on uvloop",
    "request+transport@uvloop": "refcheck's `Transport.fetch` on uvloop",
    "checker@uvloop": "refcheck Checker.check on uvloop",
    "resolve@uvloop": "refcheck resolve() on uvloop (uvloop.install())",
    "pyreqwest": "pyreqwest async Client (Rust reqwest/hyper, Tokio thread), streamed body",
    "pyreqwest@uvloop": "pyreqwest on uvloop",
    "pyreqwest+httpx": "pyreqwest with httpx.Request in, httpx.Response out",
    "pyreqwest+httpx@uvloop": "pyreqwest with httpx types at the edges, on uvloop",
    "rnet": "rnet async Client (Rust wreq/hyper), streamed body",
    "rnet@uvloop": "rnet on uvloop",
    "pycurl": "pycurl CurlMulti driven by the asyncio loop (socket/timer callbacks)",
    "pycurl@uvloop": "pycurl CurlMulti on uvloop",
    "protocol": "bare asyncio.Protocol + httptools parser, <= 4 keep-alive connections per host",
    "protocol@uvloop": "bare asyncio.Protocol + httptools on uvloop",
    "protocol+httpx": "bare Protocol client with httpx.Request in, httpx.Response out",
    "protocol+httpx@uvloop": "bare Protocol client with httpx types at the edges, on uvloop",
}
DEFAULT = ",".join(CANDIDATES)
BODY = 64 * 1024
HEADERS = {"User-Agent": "transport-bench", "Accept": "text/html", "Accept-Encoding": "gzip, deflate"}


def child(name: str, urls: list[str], corpus: str, cache: str) -> dict[str, float]:
    os.sched_setaffinity(0, {0})  # before any thread (Tokio's, resolvers') starts: they inherit it
    name, _, loop = name.partition("@")
    if loop == "uvloop":
        import uvloop

        if name == "resolve":
            uvloop.install()  # resolve() calls asyncio.run() itself
        else:
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                return runner.run(_fetch_all(name, urls))
    if name == "resolve":
        from refcheck.config import Settings
        from refcheck.pipeline import resolve, run

        settings = Settings(allow_private=True, archive="none", cache_dir=cache, no_report=True, host_interval=0.0)
        result = run([Path(corpus)], settings)
        wall, cpu = time.perf_counter(), time.process_time()
        resolve(result, settings)
        return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "count": len(result.links)}
    return asyncio.run(_fetch_all(name, urls))


async def _fetch_all(name: str, urls: list[str]) -> dict[str, float]:
    """Only the candidate's own client is built (and only its modules imported)."""
    return await _drive(urls, *await BUILDERS[name]())


async def _read(response: Any) -> None:
    got = 0
    async for chunk in response.aiter_bytes():
        got += len(chunk)
        if got >= BODY:
            break


async def _aiohttp() -> tuple[OneFn, CloseFn]:
    import aiohttp

    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0, limit_per_host=4), cookie_jar=aiohttp.DummyCookieJar()
    )

    async def one(url: str) -> None:
        async with session.get(url, headers=HEADERS, allow_redirects=False) as answer:
            answer.headers.get("Content-Type")
            await answer.content.read(BODY)

    return one, session.close


async def _httpx(per_host: bool = False) -> tuple[OneFn, CloseFn]:
    import httpx

    plain = httpx.AsyncClient(headers=HEADERS, limits=httpx.Limits(max_connections=80, max_keepalive_connections=80))
    clients: dict[str, httpx.AsyncClient] = {}

    async def one(url: str) -> None:
        client = plain
        if per_host:
            host = url.split("/")[2]
            client = clients.get(host)  # type: ignore[assignment]
            if client is None:
                client = clients[host] = httpx.AsyncClient(headers=HEADERS, limits=httpx.Limits(max_connections=4))
        async with client.stream("GET", url) as response:
            await _read(response)

    async def close() -> None:
        await plain.aclose()
        for client in clients.values():
            await client.aclose()

    return one, close


async def _refcheck_transport(through_client: bool) -> tuple[OneFn, CloseFn]:
    """refcheck's transport: straight (``Transport.fetch``, the checker's way), or
    under an ``httpx.AsyncClient`` (the archive client's way)."""
    import httpx

    from refcheck.resolve.safety import AddressPolicy
    from refcheck.resolve.transport import Transport, make_httpx_transport

    transport = Transport(AddressPolicy(allow_private=True))
    over = httpx.AsyncClient(headers=HEADERS, transport=make_httpx_transport(transport))

    async def one(url: str) -> None:
        if through_client:
            await over.get(url)
            return
        await transport.fetch(url, HEADERS)

    async def close() -> None:
        await over.aclose()
        await transport.aclose()

    return one, close


async def _checker() -> tuple[OneFn, CloseFn]:
    from refcheck.resolve.check import Checker, CheckSettings
    from refcheck.resolve.politeness import HostLimiter, HostRule
    from refcheck.resolve.safety import AddressPolicy
    from refcheck.resolve.transport import Transport

    transport = Transport(AddressPolicy(allow_private=True))
    checker = Checker(CheckSettings(allow_private=True, probe_soft_404=False), HostLimiter(HostRule(4, 0.0)), transport)

    async def one(url: str) -> None:
        await checker.check(url)

    return one, transport.aclose


# --------------------------------------------------------------------------- other HTTP layers

OneFn = Callable[[str], Awaitable[None]]
CloseFn = Callable[[], Awaitable[None]]


async def _drive(urls: list[str], one: OneFn, close: CloseFn) -> dict[str, float]:
    """The same harness as ``_fetch_all``: 4 workers per host, so never more than 4
    requests in flight to one host whatever the client's own pool does."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(url.split("/")[2], []).append(url)

    async def worker(queue: list[str]) -> None:
        for _ in range(len(urls)):  # bounded
            if not queue:
                break
            await one(queue.pop())

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(queue) for queue in by_host.values() for _ in range(4)))
    out = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "count": len(urls)}
    await close()
    return out


async def _pyreqwest(edges: bool = False) -> tuple[OneFn, CloseFn]:
    from pyreqwest.client import ClientBuilder

    client = (
        ClientBuilder()
        .follow_redirects(False)  # refcheck follows redirects by hand
        .gzip(False).brotli(False).zstd(False).deflate(False)  # the checker inflates 64 KiB itself
        .referer(False)
        .default_cookie_store(False)
        .pool_max_idle_per_host(4)  # no per-host connection cap in reqwest: the workers are the cap
        .connect_timeout(timedelta(seconds=20))
        .read_timeout(timedelta(seconds=20))
        .default_headers(HEADERS)
        .build()
    )  # fmt: skip

    async def one(url: str) -> None:
        async with client.get(url).build_streamed() as response:
            response.status  # noqa: B018
            response.get_header("content-type")
            reader = response.body_reader
            got = 0
            for _ in range(BODY):  # bounded: each chunk is >= 1 byte
                chunk = await reader.read_chunk()
                if chunk is None:
                    break
                got += len(chunk)
                if got >= BODY:
                    break

    import httpx

    async def one_edges(url: str) -> None:
        request = httpx.Request("GET", url, headers=HEADERS)
        builder = client.get(str(request.url)).headers(
            [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw]
        )
        async with builder.build_streamed() as answer:
            reader = answer.body_reader
            body = bytearray()
            for _ in range(BODY):  # bounded
                chunk = await reader.read_chunk()
                if chunk is None:
                    break
                body += chunk.to_bytes() if hasattr(chunk, "to_bytes") else bytes(chunk)
                if len(body) >= BODY:
                    break
            response = httpx.Response(
                answer.status, headers=list(answer.headers.items()), content=bytes(body[:BODY]), request=request
            )
            response.headers.get("content-type")

    return (one_edges if edges else one), client.close


async def _rnet() -> tuple[OneFn, CloseFn]:
    import rnet

    client = rnet.Client(
        allow_redirects=False, gzip=False, brotli=False, deflate=False, zstd=False, referer=False,
        cookie_store=False, pool_max_idle_per_host=4, connect_timeout=20, read_timeout=20,
        default_headers=HEADERS,
    )  # fmt: skip

    async def one(url: str) -> None:
        response = await client.get(url)
        try:
            response.status  # noqa: B018
            response.headers.get("content-type")
            got = 0
            async with response.stream() as streamer:
                async for chunk in streamer:
                    got += len(chunk)
                    if got >= BODY:
                        break
        finally:
            await response.close()

    async def close() -> None:
        return None

    return one, close


class _CurlMulti:
    """libcurl's multi interface on the running asyncio loop: curl tells which sockets
    to watch (M_SOCKETFUNCTION) and when to wake it (M_TIMERFUNCTION); the loop calls
    ``socket_action`` back; finished transfers resolve their futures."""

    def __init__(self, per_host: int) -> None:
        import pycurl

        self.pycurl = pycurl
        self.loop = asyncio.get_running_loop()
        self.multi = pycurl.CurlMulti()
        self.multi.setopt(pycurl.M_SOCKETFUNCTION, self._socket)
        self.multi.setopt(pycurl.M_TIMERFUNCTION, self._timer)
        self.multi.setopt(pycurl.M_MAX_HOST_CONNECTIONS, per_host)
        self.watched: dict[int, int] = {}
        self.timer: asyncio.TimerHandle | None = None
        self.idle: list[Any] = []
        self.waiting: dict[int, tuple[asyncio.Future[int], Any]] = {}

    def _socket(self, what: int, fd: int, multi: object, data: object) -> None:
        pc = self.pycurl
        old = self.watched.pop(fd, 0)
        want = 0 if what == pc.POLL_REMOVE else what
        if old & pc.POLL_IN and not want & pc.POLL_IN:
            self.loop.remove_reader(fd)
        if old & pc.POLL_OUT and not want & pc.POLL_OUT:
            self.loop.remove_writer(fd)
        if want & pc.POLL_IN and not old & pc.POLL_IN:
            self.loop.add_reader(fd, self._act, fd, pc.CSELECT_IN)
        if want & pc.POLL_OUT and not old & pc.POLL_OUT:
            self.loop.add_writer(fd, self._act, fd, pc.CSELECT_OUT)
        if want:
            self.watched[fd] = want

    def _timer(self, ms: int) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if ms >= 0:
            self.timer = self.loop.call_later(ms / 1000, self._act, self.pycurl.SOCKET_TIMEOUT, 0)

    def _act(self, fd: int, events: int) -> None:
        for _ in range(1000):  # bounded
            code, _running = self.multi.socket_action(fd, events)
            if code != self.pycurl.E_CALL_MULTI_PERFORM:
                break
        for _ in range(100_000):  # bounded
            queued, ok, failed = self.multi.info_read()
            for handle in ok:
                self._finish(handle, None)
            for handle, errno, message in failed:
                self._finish(handle, (errno, message))
            if not queued:
                break

    def _finish(self, handle: Any, error: tuple[int, str] | None) -> None:
        self.multi.remove_handle(handle)
        future, _ = self.waiting.pop(id(handle))
        if future.done():
            return
        if error is None or error[0] == self.pycurl.E_WRITE_ERROR:  # 23: we stopped reading at 64 KiB
            future.set_result(handle.getinfo(self.pycurl.RESPONSE_CODE))
        else:
            future.set_exception(ConnectionError(f"curl error {error[0]}: {error[1]}"))

    async def get(self, url: str, headers: list[str]) -> tuple[int, list[bytes], bytes]:
        pc = self.pycurl
        handle = self.idle.pop() if self.idle else pc.Curl()
        body = bytearray()
        lines: list[bytes] = []

        def write(data: bytes) -> int | None:
            body.extend(data)
            return 0 if len(body) >= BODY else None  # 0 = stop here (CURLE_WRITE_ERROR)

        handle.setopt(pc.URL, url)
        handle.setopt(pc.HTTPHEADER, headers)
        handle.setopt(pc.WRITEFUNCTION, write)
        handle.setopt(pc.HEADERFUNCTION, lines.append)
        handle.setopt(pc.FOLLOWLOCATION, 0)
        handle.setopt(pc.NOSIGNAL, 1)
        handle.setopt(pc.CONNECTTIMEOUT, 20)
        handle.setopt(pc.TIMEOUT, 20)
        future: asyncio.Future[int] = self.loop.create_future()
        self.waiting[id(handle)] = (future, handle)
        self.multi.add_handle(handle)  # curl arms the timer (0 ms): the loop starts it
        try:
            status = await future
        finally:
            handle.setopt(pc.WRITEFUNCTION, _discard)
            handle.setopt(pc.HEADERFUNCTION, _discard)
            self.idle.append(handle)
        return status, lines, bytes(body[:BODY])

    async def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        for fd, want in list(self.watched.items()):
            if want & self.pycurl.POLL_IN:
                self.loop.remove_reader(fd)
            if want & self.pycurl.POLL_OUT:
                self.loop.remove_writer(fd)
        for handle in self.idle:
            handle.close()
        self.multi.close()


def _discard(data: bytes) -> None:
    return None


async def _pycurl() -> tuple[OneFn, CloseFn]:
    curl = _CurlMulti(4)
    headers = [f"{name}: {value}" for name, value in HEADERS.items()]

    async def one(url: str) -> None:
        _status, lines, _body = await curl.get(url, headers)
        for line in lines:  # what a caller needs: Content-Type (Location, Retry-After ...)
            if line[:13].lower() == b"content-type:":
                break

    return one, curl.close


class _H1(asyncio.Protocol):
    """One HTTP/1.1 keep-alive connection; httptools parses the answers."""

    def __init__(self) -> None:
        import httptools

        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()
        self.reusable = False  # set when an answer ends cleanly with keep-alive
        self.broken = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except Exception as exc:  # httptools.HttpParserError and friends
            self._fail(exc)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()

    def on_body(self, chunk: bytes) -> None:
        room = BODY - len(self.body)
        self.body += chunk[:room]
        if len(self.body) >= BODY and self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)  # enough read: the connection is not reused

    def on_message_complete(self) -> None:
        self.reusable = self.parser.should_keep_alive()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(exc or ConnectionResetError("closed by the server"))

    def _fail(self, exc: BaseException) -> None:
        self.broken = True
        self.reusable = False
        if self.transport is not None:
            self.transport.close()
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)

    async def send(self, head: bytes) -> None:
        assert self.transport is not None
        self.status, self.headers, self.body, self.reusable = 0, [], bytearray(), False
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(head)
        await self.waiter


class _H1Pool:
    """Keep-alive connections per host (at most ``per_host``, one asyncio.Semaphore each)."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self.idle: dict[str, list[_H1]] = {}
        self.gates: dict[str, asyncio.Semaphore] = {}
        self.extra = "".join(f"{name}: {value}\r\n" for name, value in HEADERS.items())
        self.all: list[_H1] = []

    async def get(self, url: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        rest = url.split("://", 1)[1]
        authority, _, path = rest.partition("/")
        gate = self.gates.get(authority)
        if gate is None:
            gate = self.gates[authority] = asyncio.Semaphore(self.per_host)
        async with gate:
            idle = self.idle.setdefault(authority, [])
            connection = None
            while idle:
                candidate = idle.pop()
                if not candidate.broken:
                    connection = candidate
                    break
            if connection is None:
                host, _, port = authority.rpartition(":")
                _, connection = await asyncio.get_running_loop().create_connection(_H1, host, int(port))
                self.all.append(connection)
            head = f"GET /{path} HTTP/1.1\r\nHost: {authority}\r\n{self.extra}\r\n".encode("latin-1")
            try:
                await connection.send(head)
            finally:
                if connection.reusable and not connection.broken:
                    idle.append(connection)
                elif connection.transport is not None:
                    connection.broken = True
                    connection.transport.close()
            return connection.status, connection.headers, bytes(connection.body)

    async def close(self) -> None:
        for connection in self.all:
            if connection.transport is not None:
                connection.transport.close()
        await asyncio.sleep(0)


async def _protocol(edges: bool = False) -> tuple[OneFn, CloseFn]:
    pool = _H1Pool(4)

    async def one(url: str) -> None:
        _status, headers, _body = await pool.get(url)
        for name, _value in headers:
            if name.lower() == b"content-type":
                break

    import httpx

    async def one_edges(url: str) -> None:
        request = httpx.Request("GET", url, headers=HEADERS)
        status, headers, body = await pool.get(str(request.url))
        response = httpx.Response(status, headers=headers, content=body, request=request)
        response.headers.get("content-type")

    return (one_edges if edges else one), pool.close


BUILDERS: dict[str, Callable[[], Awaitable[tuple[OneFn, CloseFn]]]] = {
    "aiohttp": _aiohttp,
    "httpx": _httpx,
    "httpx-per-host": lambda: _httpx(per_host=True),
    "client+transport": lambda: _refcheck_transport(through_client=True),
    "request+transport": lambda: _refcheck_transport(through_client=False),
    "checker": _checker,
    "pyreqwest": _pyreqwest,
    "pyreqwest+httpx": lambda: _pyreqwest(edges=True),
    "rnet": _rnet,
    "pycurl": _pycurl,
    "protocol": _protocol,
    "protocol+httpx": lambda: _protocol(edges=True),
}


# --------------------------------------------------------------------------- farm that counts connections


class _CountingPipe:
    """The farm's end of the pipe, passed through, with the connection counts added
    to every ``stats`` answer and cleared on ``reset``."""

    def __init__(self, pipe: Any, counts: dict[str, int]) -> None:
        self._pipe = pipe
        self._counts = counts

    def recv(self) -> Any:
        message = self._pipe.recv()
        if isinstance(message, tuple) and message and message[0] == "reset":
            self._counts.clear()
        return message

    def send(self, message: Any) -> None:
        if isinstance(message, dict):
            counts = dict(self._counts)
            message = {**message, "accepted": sum(counts.values()), "accepted_most": max(counts.values(), default=0)}
        self._pipe.send(message)


def _counting_farm_main(hosts: int, pipe: Any) -> None:
    """resolve_bench's farm, unchanged, with ``asyncio.start_server`` wrapped (in the
    farm's process only) to count each accepted connection by listening address."""
    counts: dict[str, int] = {}
    start_server = asyncio.start_server

    async def counting_start_server(callback: Any, *args: Any, **kwargs: Any) -> Any:
        def counted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Any:
            local = writer.get_extra_info("sockname")
            key = f"{local[0]}:{local[1]}" if local else "?"
            counts[key] = counts.get(key, 0) + 1
            return callback(reader, writer)

        return await start_server(counted, *args, **kwargs)

    asyncio.start_server = counting_start_server  # type: ignore[assignment]
    resolve_bench._farm_main(hosts, _CountingPipe(pipe, counts))


class CountingFarm(resolve_bench.Farm):
    def __init__(self, hosts: int) -> None:  # resolve_bench.Farm.__init__ with another target
        self.hosts = hosts
        self.pipe, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_counting_farm_main, args=(hosts, child), daemon=True)
        self.process.start()
        self.addresses = self.pipe.recv()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--write", action="store_true", help="replace the transport-bench section of RESULTS.md")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--only", default=DEFAULT, help="comma-separated candidates: " + ", ".join(CANDIDATES))
    args = parser.parse_args()
    if args.child:
        spec = json.loads(args.child)
        urls = json.loads(Path(spec["urls"]).read_text())
        print("RESULT " + json.dumps(child(spec["name"], urls, spec["corpus"], spec["cache"])), flush=True)
        return
    began = time.perf_counter()
    farm = CountingFarm(args.hosts)
    rows: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="transport-bench-") as tmp:
        try:
            urls = farm.urls(args.urls, args.hosts)
            (Path(tmp) / "urls.json").write_text(json.dumps(urls))
            resolve_bench.write_corpus(Path(tmp) / "corpus", urls)
            farm.latency(0.020)
            for name in args.only.split(","):
                runs = []
                failure = None
                for index in range(args.runs):
                    farm.reset()
                    spec = {"name": name, "urls": str(Path(tmp) / "urls.json"), "corpus": str(Path(tmp) / "corpus"),
                            "cache": str(Path(tmp) / f"cache-{name}-{index}")}  # fmt: skip
                    done = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)],
                                          capture_output=True, text=True, timeout=600)  # fmt: skip
                    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
                    if line is None:
                        failure = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
                        print(f"  {name} failed: {done.stderr[-1500:]}", flush=True)
                        break
                    result = json.loads(line[7:])
                    stats = farm.stats(args.hosts)
                    result["peak"] = max(stats["peak"])
                    result["served"] = sum(stats["requests"]) + sum(stats["probes"])
                    result["connections"] = stats["accepted"]
                    result["most_connections"] = stats["accepted_most"]
                    runs.append(result)
                    print(f"  {name} run {index + 1}: {result['count'] / result['wall']:.0f} URLs/s, "
                          f"{result['cpu'] * 1000 / result['count']:.3f} ms CPU/URL, peak/host {result['peak']}, "
                          f"{result['served']} served, {result['connections']} connections "
                          f"(<= {result['most_connections']} per host)", flush=True)  # fmt: skip
                if failure is not None:
                    rows[name] = {"failed": failure}
                    continue
                rows[name] = {
                    "ups": statistics.median(r["count"] / r["wall"] for r in runs),
                    "cpu": statistics.median(r["cpu"] * 1000 / r["count"] for r in runs),
                    "cpus": [round(r["cpu"] * 1000 / r["count"], 3) for r in runs],
                    "peak": max(r["peak"] for r in runs),
                    "served": max(r["served"] for r in runs),
                    "connections": max(r["connections"] for r in runs),
                    "most_connections": max(r["most_connections"] for r in runs),
                }
        finally:
            farm.close()
    text = render(rows, args, time.perf_counter() - began)
    print(text)
    if args.write:
        current = RESULTS.read_text(encoding="utf-8")
        section = f"{START}\n{text}\n{END}"
        if START in current:
            current = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _m: section, current, flags=re.S)
        else:
            current = current.rstrip("\n") + "\n\n## Which HTTP layer (transport)\n\n" + section + "\n"
        RESULTS.write_text(current, encoding="utf-8")
        print(f"wrote {RESULTS}")


def _python() -> str:
    """The interpreter as typed: the project's venv, or the throw-away one with the extra clients."""
    here = Path(sys.executable)
    try:
        return str(here.relative_to(HERE.parent))
    except ValueError:
        return str(here)


def render(rows: dict[str, dict[str, Any]], args: argparse.Namespace, took: float) -> str:
    date = subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip()
    nproc = os.cpu_count()
    lines = [
        f"Command: `{_python()} benchmarks/transport_bench.py {' '.join(sys.argv[1:])}`  ",
        f"Date: {date}; nproc {nproc}; {platform.python_implementation()} {platform.python_version()}; "
        f"took {took / 60:.1f} min  ",
        f"Same farm as below (CPU 1), each candidate a fresh process on CPU 0; U={args.urls:,} URLs over "
        f"K={args.hosts} hosts, 20 ms latency, 4 in flight per host; medians of {args.runs} runs.",
        "",
        "Connections: TCP connections the farm accepted in a run (most over the runs), and the most to one host.",
        "",
        "| Candidate | What | URLs/s | CPU ms/URL (runs) | Max in flight per host | Requests served | Connections (per host) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in rows.items():
        if "failed" in row:
            lines.append(f"| `{name}` | {CANDIDATES[name]} | failed: {row['failed']} | | | | |")
            continue
        runs = ", ".join(f"{cpu:.3f}" for cpu in row["cpus"])
        lines.append(
            f"| `{name}` | {CANDIDATES[name]} | {row['ups']:,.0f} | {row['cpu']:.3f} ({runs}) | {row['peak']} "
            f"| {row['served']:,} | {row['connections']} ({row['most_connections']}) |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
