"""Misbehaving servers for the network fault matrix (tests/test_faults.py and
benchmarks/fault_matrix.py): raw TCP servers on 127.0.0.x that break HTTP in one
particular way each, plus a small HTTP server for the redirect, Retry-After and
flapping faults.

Every server runs in threads of this process, is bounded in time (no wait
longer than ``HOLD`` seconds, every loop bounded in count) and is stopped --
its threads joined -- when its context manager exits. Big bodies are generated
lazily: nothing here holds more than a few MiB.
"""

from __future__ import annotations

import contextlib
import email.utils
import functools
import ipaddress
import socket
import ssl
import struct
import threading
import time
import urllib.parse
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

HOLD = 30.0
"""The longest a server keeps a connection open while stalling (it stops sooner when
closed); longer than any wait of the checker's that it is meant to outlast."""
BIG_BODY = 2 * 1024**3
BOMB_EXPANDED = 4 * 1024**3
PAGE = b"<html><head><title>A real story</title></head><body><h1>A real story</h1>" + b"x" * 2000 + b"</body></html>"
NOT_FOUND_PAGE = b"<html><head><title>Page not found</title></head><body>Sorry</body></html>"
_CHUNK = 64 * 1024


# --- the gzip bomb -------------------------------------------------------------------------

_ZEROS = 1024 * 1024


@functools.cache
def _bomb_blocks() -> tuple[bytes, bytes]:
    """The gzip header with the first MiB of zeros, and the block for every further MiB.
    After a full flush deflate starts afresh on a byte boundary, so compressing the
    same MiB again gives the same bytes: the stream is periodic and built lazily."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(_ZEROS)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first, block


def gzip_bomb(expanded: int = BOMB_EXPANDED) -> tuple[int, Iterator[bytes]]:
    """A valid gzip stream of ``expanded`` zero bytes (a whole number of MiB): its
    compressed length and a generator of its bytes (about 1 KiB per MiB)."""
    count = max(1, expanded // _ZEROS)
    first, block = _bomb_blocks()
    length = len(first) + len(block) * (count - 1) + 2 + 8

    def chunks() -> Iterator[bytes]:
        yield first
        batch = block * 64
        whole, rest = divmod(count - 1, 64)
        for _ in range(whole):
            yield batch
        if rest:
            yield block * rest
        # The end: an empty final fixed-Huffman block, then CRC-32 and size (computed
        # only here, by a client that reads it all).
        crc, zeros = 0, bytes(_ZEROS)
        for _ in range(count):
            crc = zlib.crc32(zeros, crc)
        yield b"\x03\x00" + struct.pack("<II", crc, (count * _ZEROS) & 0xFFFFFFFF)

    return length, chunks()


# --- raw TCP fault servers -----------------------------------------------------------------


@dataclass
class Wire:
    """What a fault server saw: connections accepted and bytes it managed to send."""

    connections: int = 0
    requests: Counter[str] = field(default_factory=Counter)
    bytes_sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sent(self, count: int) -> None:
        with self.lock:
            self.bytes_sent += count


class Conn:
    """One accepted connection, as the fault handlers see it."""

    def __init__(self, sock: socket.socket, server: FaultServer) -> None:
        self.sock = sock
        self.server = server

    def read_request(self) -> str | None:
        """Read one request head (bounded); its path, or None if the client went away."""
        data = b""
        self.sock.settimeout(5.0)
        while b"\r\n\r\n" not in data and len(data) < 65536:
            try:
                part = self.sock.recv(4096)
            except OSError:
                return None
            if not part:
                return None
            data += part
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        path = parts[1] if len(parts) > 1 else "?"
        with self.server.wire.lock:
            self.server.wire.requests[path] += 1
        if "refcheck-" in path:  # the checker's soft-404 probe (a made-up address): not found
            self.send(_head("404 Not Found", {"Content-Length": "0", "Connection": "close"}))
            return None
        return path

    def send(self, data: bytes) -> bool:
        """Send all of ``data``; False once the client has gone away."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        self.server.wire.sent(len(data))
        return True

    def stream(self, chunks: Iterator[bytes]) -> None:
        """Send chunks until they end, the client leaves, or the server stops."""
        self.sock.settimeout(HOLD)
        for chunk in chunks:
            if self.server.stopping.is_set() or not self.send(chunk):
                return

    def hold(self) -> None:
        """Keep the connection open, saying nothing, until the server stops (at most HOLD s)."""
        self.server.stopping.wait(HOLD)

    def reset(self) -> None:
        """Close with a TCP reset (SO_LINGER 0) instead of an orderly FIN."""
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


Handler = Callable[[Conn], None]


class FaultServer:
    """A TCP server on ``host``: each connection handled by ``handler`` in its own
    thread (at most ``max_connections`` in all), optionally behind TLS."""

    def __init__(
        self,
        handler: Handler,
        host: str = "127.0.0.1",
        tls: ssl.SSLContext | None = None,
        accept_only: int | None = None,
        max_connections: int = 200,
    ) -> None:
        self.handler = handler
        self.host = host
        self.tls = tls
        self.accept_only = accept_only
        """Close the listening socket after this many connections (later ones are refused)."""
        self.max_connections = max_connections
        self.wire = Wire()
        self.stopping = threading.Event()
        self._listener = socket.create_server((host, 0), backlog=64)
        self._listener.settimeout(0.05)
        self.port = int(self._listener.getsockname()[1])
        self._threads: list[threading.Thread] = []
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._acceptor = threading.Thread(target=self._accept, name=f"faultserver-{host}", daemon=True)

    @property
    def base(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def start(self) -> FaultServer:
        self._acceptor.start()
        return self

    def _accept(self) -> None:
        listener = self._listener
        while not self.stopping.is_set() and self.wire.connections < self.max_connections:
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.wire.connections += 1
            thread = threading.Thread(target=self._serve, args=(sock,), name=f"faultserver-{self.host}-conn", daemon=True)  # fmt: skip
            self._threads.append(thread)
            thread.start()
            if self.accept_only is not None and self.wire.connections >= self.accept_only:
                listener.close()  # from now on: connection refused
                return

    def _serve(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)
        try:
            if self.tls is not None:
                sock.settimeout(5.0)
                try:
                    sock = self.tls.wrap_socket(sock, server_side=True)
                except (OSError, ssl.SSLError):
                    return  # the client refused the certificate
                with self._lock:
                    self._open.add(sock)
            self.handler(Conn(sock, self))
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sock.close()

    def close(self) -> None:
        self.stopping.set()
        self._acceptor.join(5)
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(5)


@contextmanager
def fault_server(
    handler: Handler, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None, accept_only: int | None = None
) -> Iterator[FaultServer]:
    server = FaultServer(handler, host, tls, accept_only).start()
    try:
        yield server
    finally:
        server.close()


# --- the faults ----------------------------------------------------------------------------


def _head(status: str = "200 OK", headers: dict[str, str] | None = None, version: str = "HTTP/1.1") -> bytes:
    lines = [f"{version} {status}", *(f"{name}: {value}" for name, value in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _page(conn: Conn) -> None:
    headers = {"Content-Type": "text/html", "Content-Length": str(len(PAGE)), "Connection": "close"}
    conn.send(_head(headers=headers) + PAGE)


def reset_mid_headers(conn: Conn) -> None:
    if conn.read_request() is not None:
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/ht")
        time.sleep(0.05)
    conn.reset()


def reset_mid_body(conn: Conn) -> None:
    if conn.read_request() is not None:
        conn.send(_head(headers={"Content-Type": "text/html", "Content-Length": "100000"}) + PAGE[:1000])
        time.sleep(0.05)
    conn.reset()


def never_answers(conn: Conn) -> None:
    """Accepts, reads the request, and says nothing."""
    conn.read_request()
    conn.hold()


def continue_then_nothing(conn: Conn) -> None:
    """An interim answer (100 Continue), then nothing: aiohttp stops its read timer
    after a 1xx (client_proto.py drops it for a message without a body), so only the
    total time per link ends the wait."""
    if conn.read_request() is not None:
        conn.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        conn.hold()


def stalls_after_headers(conn: Conn) -> None:
    """Headers and the start of the body, then nothing."""
    if conn.read_request() is not None:
        conn.send(_head(headers={"Content-Type": "text/html", "Content-Length": "100000"}) + PAGE[:100])
        conn.hold()


def big_body(conn: Conn) -> None:
    """2 GiB announced, sent lazily until the client hangs up."""
    if conn.read_request() is None:
        return
    head = _head(headers={"Content-Type": "application/octet-stream", "Content-Length": str(BIG_BODY)})
    if not conn.send(head):
        return
    chunk = bytes(_CHUNK)
    conn.stream(chunk for _ in range(BIG_BODY // _CHUNK))


def gzip_bomb_page(conn: Conn) -> None:
    """A few MiB of gzip that expand to 4 GiB of zeros."""
    if conn.read_request() is None:
        return
    length, chunks = gzip_bomb()
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip", "Content-Length": str(length)}
    if conn.send(_head(headers=headers)):
        conn.stream(chunks)


def raw_answer(raw: bytes) -> Handler:
    """Answers every request with ``raw`` as it is, then closes."""

    def handler(conn: Conn) -> None:
        if conn.read_request() is not None:
            conn.send(raw)
            time.sleep(0.05)

    return handler


GARBLED_STATUS_LINES: dict[str, bytes] = {
    "garbage": b"SPAM SPAM SPAM\r\n\r\n",
    "non-numeric status": b"HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok",
    "binary": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    "status out of range": b"HTTP/1.1 9999 Wow\r\nContent-Length: 2\r\n\r\nok",
    "no status line": b"Content-Type: text/html\r\nContent-Length: 2\r\n\r\nok",
}
INVALID_HEADERS: dict[str, bytes] = {
    "NUL in a value": b"HTTP/1.1 200 OK\r\nX-Evil: a\x00b\r\nContent-Length: 2\r\n\r\nok",
    "control byte in a name": b"HTTP/1.1 200 OK\r\nX-E\x01vil: a\r\nContent-Length: 2\r\n\r\nok",
    "line without a colon": b"HTTP/1.1 200 OK\r\nthis is not a header\r\nContent-Length: 2\r\n\r\nok",
    "two content lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nok",
}
TOLERATED_HEADER = b"HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok"
"""Whitespace before the colon: RFC 9112 5.1 makes servers reject it in requests, and has
proxies strip it from responses; a client may read the answer (aiohttp does)."""


def http10_without_length(conn: Conn) -> None:
    """HTTP/1.0, no Content-Length: the body ends when the connection does."""
    if conn.read_request() is not None:
        conn.send(_head(headers={"Content-Type": "text/html"}, version="HTTP/1.0") + PAGE)


def answers_once(conn: Conn) -> None:
    """With ``accept_only=1``: one answer, then the port is closed (refused)."""
    if conn.read_request() is not None:
        _page(conn)


def tls_page(conn: Conn) -> None:
    if conn.read_request() is not None:
        _page(conn)


# --- HTTP-level faults: redirects, Retry-After, flapping -----------------------------------


def http_faults(conn: Conn) -> None:
    """A small keep-alive HTTP server with one route per fault (bounded: 50 requests
    a connection)."""
    for _ in range(50):
        path = conn.read_request()
        if path is None:
            return
        status, headers, body = _route(path, conn.server.wire.requests[path])
        headers = {"Content-Type": "text/html", "Content-Length": str(len(body)), **headers}
        if not conn.send(_head(status, headers) + body):
            return


def _route(path: str, count: int) -> tuple[str, dict[str, str], bytes]:
    if path in ("/ok", "/final"):
        return "200 OK", {}, PAGE
    if path == "/loop-a":
        return "302 Found", {"Location": "/loop-b"}, b""
    if path == "/loop-b":
        return "302 Found", {"Location": "/loop-a"}, b""
    if path == "/loop-self":
        return "301 Moved Permanently", {"Location": "/loop-self"}, b""
    if path.startswith("/hop-"):  # a chain of 30 hops, then a page
        hop = int(path[len("/hop-") :] or 0)
        return "302 Found", {"Location": f"/hop-{hop + 1}" if hop < 30 else "/final"}, b""
    if path.startswith("/to/"):  # /to/<location>: a redirect to that location as it is
        return "302 Found", {"Location": urllib.parse.unquote(path[len("/to/") :])}, b""
    if path.startswith("/429-seconds"):
        return "429 Too Many Requests", {"Retry-After": "1"}, b""
    if path.startswith("/429-date"):
        when = email.utils.formatdate(time.time() + 2, usegmt=True)
        return "429 Too Many Requests", {"Retry-After": when}, b""
    if path.startswith("/429-absurd-date"):
        return "429 Too Many Requests", {"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}, b""
    if path.startswith("/429-absurd"):
        return "429 Too Many Requests", {"Retry-After": "9" * 30}, b""
    if path.startswith("/429-once"):  # 429 (Retry-After 1) once, then the page
        if count == 1:
            return "429 Too Many Requests", {"Retry-After": "1"}, b""
        return "200 OK", {}, PAGE
    if path.startswith("/flap"):  # 503, 200, 503, 200... per address
        if count % 2 == 1:
            return "503 Service Unavailable", {}, b"<html><head><title>Busy</title></head></html>"
        return "200 OK", {}, PAGE
    return "404 Not Found", {}, NOT_FOUND_PAGE


# --- TLS -----------------------------------------------------------------------------------


class Certificates:
    """trustme certificates in ``folder``: a CA that the checker is made to trust
    (``trusted_bundle``, in place of certifi's), server certificates from it, and a
    self-signed one (a CA nobody trusts, its own certificate served as the leaf)."""

    def __init__(self, folder: Any) -> None:
        import trustme

        self.ca = trustme.CA()
        self._folder = folder
        self.trusted_bundle = str(folder / "trusted-ca.pem")
        self.ca.cert_pem.write_to_path(self.trusted_bundle)

    def _context(self, key_and_chain: bytes, name: str) -> ssl.SSLContext:
        path = self._folder / f"{name}.pem"
        path.write_bytes(key_and_chain)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(path))
        return context

    def valid(self, *names: str) -> ssl.SSLContext:
        cert = self.ca.issue_cert(*names)
        return self._context(cert.private_key_and_cert_chain_pem.bytes(), "valid-" + "-".join(names))

    def wrong_name(self) -> ssl.SSLContext:
        cert = self.ca.issue_cert("wrong-name.example")
        return self._context(cert.private_key_and_cert_chain_pem.bytes(), "wrong-name")

    def self_signed(self) -> ssl.SSLContext:
        import trustme

        own = trustme.CA()
        return self._context(own.private_key_pem.bytes() + own.cert_pem.bytes(), "self-signed")


# --- keeping tests on this machine ---------------------------------------------------------


def is_loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


@contextmanager
def local_network_only() -> Iterator[list[str]]:
    """Within this block: names under ``.invalid`` fail to resolve at once (as
    RFC 6761 says; no query leaves the machine), ``localhost`` and loopback
    addresses resolve as usual, any other name fails, and a connection to any
    address but a loopback one raises. Yields the list of what was stopped."""
    stopped: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        if name.lower().rstrip(".").endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if name.lower() != "localhost" and not is_loopback(name):
            stopped.append(f"lookup of {name}")
            raise socket.gaierror(socket.EAI_NONAME, f"Name or service not known (test guard: {name})")
        return real_getaddrinfo(host, *args, **kwargs)

    def allowed(address: Any) -> bool:
        return not isinstance(address, tuple) or is_loopback(str(address[0]))

    def connect(self: socket.socket, address: Any) -> None:
        if not allowed(address):
            stopped.append(f"connection to {address}")
            raise ConnectionRefusedError(f"test guard: no connection to {address}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not allowed(address):
            stopped.append(f"connection to {address}")
            return 111
        return real_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    try:
        yield stopped
    finally:
        socket.getaddrinfo = real_getaddrinfo
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]


# --- the matrix: each fault, the verdict README's table gives it, and how to stage it -------


@dataclass(frozen=True)
class Fault:
    key: str
    label: str
    expected: tuple[str, ...]
    """The verdicts of the fault's links (README's verdict table), in the order of ``paths``
    (sorted, when the order the links are served in is not fixed)."""
    reason: str = ""
    """What the error of each of the fault's links that is not ``ok`` says (a part of it)."""
    handler: Handler | None = None
    """None: no server (a name that does not resolve, a closed port)."""
    paths: tuple[str, ...] = ("/page",)
    url: str | None = None
    tls: str | None = None
    """The certificate: ``valid``, ``wrong-name`` or ``self-signed`` (see Certificates)."""
    name: str | None = None
    """The host name in the URL instead of the server's address: ``localhost``, and then
    the server listens on 127.0.0.1 (where that name leads)."""
    accept_only: int | None = None
    public: bool = False
    """Run with the private-address rule on, the fault's (and the control's) loopback
    address standing in for a public one; {decoy} in a path is a second server that must
    never be contacted."""
    hops: int = 1
    """Requests one link makes at most (redirect hops), for the time bound."""
    waits: float = 0.0
    """Seconds of Retry-After the checker honours before each retry, at most."""
    min_wait: float = 0.0
    """... and at least (an HTTP date has whole seconds)."""
    answers_after: int | None = None
    """Retries after which the server answers well (None: it never does)."""
    big: bool = False
    """A body of gigabytes: what the server manages to send must stay small."""
    capped: bool = False
    """Only the total time per link stops it: no read time-out fires."""


def _redirect(target: str) -> str:
    return "/to/" + target


_SCHEMES = (
    ("ftp", "ftp://example.org/file"),
    ("javascript", "javascript:alert(1)"),
    ("file", "file:///etc/passwd"),
    ("data", "data:text/html,hi"),
    ("mailto", "mailto:editor@example.org"),
)
_PRIVATE = (
    ("loopback", "http://{decoy}/ok", "is not public"),
    ("link-local", "http://169.254.169.254/latest/meta-data/", "is not public"),
    ("private", "http://10.0.0.1/admin", "is not public"),
    ("link-local-v6", "http://[fe80::1]/", "is not public"),
    ("local-name", "http://localhost/", "is local"),
)
_MALFORMED = (
    ("ipv6", "http://[::1"),
    ("port", "http://127.0.0.1:99999/"),
    ("idna", "http://xn--zz.invalid/"),
)
_RATE_LIMITED = ("rate-limited",)

CATALOGUE: tuple[Fault, ...] = (
    Fault("dns", "DNS failure for one domain (`.invalid`)", ("dead",), "does not resolve",
          url="http://no-such-host.invalid/page"),
    Fault("refused", "connection refused (closed port)", ("error",), "Connect call failed"),
    Fault("reset-headers", "reset in the middle of the headers", ("error",), "reset by peer",
          handler=reset_mid_headers),
    Fault("reset-body", "reset in the middle of the body (1,000 of 100,000 bytes)", ("error",),
          "connection broken in the body", handler=reset_mid_body),
    Fault("silent", "accepts, never answers", ("timeout",), "timeout", handler=never_answers),
    Fault("stall-body", "headers, 100 bytes of body, then nothing", ("timeout",), "timeout",
          handler=stalls_after_headers),
    Fault("continue-then-nothing", "100 Continue, then nothing", ("timeout",), "total time per link",
          handler=continue_then_nothing, capped=True),
    Fault("big-body", "2 GiB body (Content-Length 2 GiB)", ("ok",), handler=big_body, paths=("/file.bin",),
          big=True),
    Fault("gzip-bomb", "gzip bomb (4 MiB expanding to 4 GiB)", ("ok",), handler=gzip_bomb_page,
          paths=("/bomb.html",), big=True),
    *(
        Fault(f"status-{key.replace(' ', '-')}", f"invalid status line: {key}", ("error",), "bad response",
              handler=raw_answer(raw))
        for key, raw in GARBLED_STATUS_LINES.items()
    ),
    *(
        Fault(f"header-{key.replace(' ', '-')}", f"invalid header: {key}", ("error",), "bad response",
              handler=raw_answer(raw))
        for key, raw in INVALID_HEADERS.items()
    ),
    Fault("header-space-before-colon", "invalid header: space before the colon (tolerated)", ("ok",),
          handler=raw_answer(TOLERATED_HEADER)),
    Fault("redirect-loop", "redirect loop (a -> b -> a)", ("error",), "redirect loop", handler=http_faults,
          paths=("/loop-a",), hops=2),
    Fault("redirect-self", "redirect to itself", ("error",), "redirect loop", handler=http_faults,
          paths=("/loop-self",)),
    Fault("redirect-30", "30-hop redirect chain", ("error",), "more than 10 redirects", handler=http_faults,
          paths=("/hop-1",), hops=11),
    *(
        Fault(f"redirect-{scheme}", f"redirect to {target}", ("error",), "unsupported scheme",
              handler=http_faults, paths=(_redirect(target),))
        for scheme, target in _SCHEMES
    ),
    *(
        Fault(f"redirect-{kind}", f"redirect to {target.replace('{decoy}', '127.0.0.2:PORT')} ({kind})",
              ("skipped",), reason, handler=http_faults,
              paths=(_redirect(target),), public=True)
        for kind, target, reason in _PRIVATE
    ),
    *(
        Fault(f"redirect-malformed-{kind}", f"redirect to a malformed address: {target}", ("error",),
              "redirect to an invalid address", handler=http_faults, paths=(_redirect(target),))
        for kind, target in _MALFORMED
    ),
    Fault("429-seconds", "429, Retry-After: 1 (seconds), every time", _RATE_LIMITED, "HTTP 429",
          handler=http_faults, paths=("/429-seconds",), waits=1.0, min_wait=1.0),
    Fault("429-date", "429, Retry-After: an HTTP date 2 s ahead, every time", _RATE_LIMITED, "HTTP 429",
          handler=http_faults, paths=("/429-date",), waits=2.0, min_wait=1.0),
    Fault("429-absurd", "429, Retry-After: 999…9 (30 digits)", _RATE_LIMITED, "beyond the 60 s cap",
          handler=http_faults, paths=("/429-absurd",)),
    Fault("429-absurd-date", "429, Retry-After: Fri, 31 Dec 9999", _RATE_LIMITED, "beyond the 60 s cap",
          handler=http_faults, paths=("/429-absurd-date",)),
    Fault("429-once", "429 (Retry-After: 1) once, then 200", ("ok",), handler=http_faults,
          paths=("/429-once",), waits=1.0, min_wait=1.0, answers_after=1),
    Fault("503-flapping", "503 flapping (503, 200, 503… per address; 3 links)", ("ok", "ok", "ok"),
          handler=http_faults, paths=("/flap-a", "/flap-b", "/flap-c"), answers_after=1),
    Fault("tls-valid", "TLS: valid certificate (test CA, trusted): the control", ("ok",), handler=tls_page,
          tls="valid"),
    Fault("tls-self-signed", "TLS: self-signed certificate", ("error",), "self-signed certificate",
          handler=tls_page, tls="self-signed"),
    Fault("tls-wrong-name", "TLS: certificate for another name (hostname mismatch)", ("error",),
          "Hostname mismatch", handler=tls_page, tls="wrong-name", name="localhost"),
    Fault("http10", "HTTP/1.0, no Content-Length (body ends at close)", ("ok",), handler=http10_without_length),
    Fault("answers-once", "answers one request, then refuses (3 links)", ("error", "error", "ok"),
          "Connect call failed", handler=answers_once, paths=("/a", "/b", "/c"), accept_only=1),
)  # fmt: skip


def _pauses(retries: int, backoff_initial: float, backoff_max: float, waits: float) -> float:
    """The longest the checker sleeps between attempts in all (CheckSettings' back-off with
    its jitter, or a Retry-After honoured)."""
    return sum(
        max(waits, min(backoff_max, backoff_initial * 2.0 ** (failures - 1)) + backoff_initial)
        for failures in range(1, retries + 1)
    )


def time_bound(
    fault: Fault, timeout: float, retries: int, backoff_initial: float, backoff_max: float, cap: float = 0.0
) -> float:
    """The longest the fault's links may take, from the time-outs: each of ``hops``
    requests up to ``retries + 1`` attempts of at most ``timeout`` each, with back-off
    (or the honoured Retry-After) between attempts; or the total time per link, ``cap``."""
    if fault.capped:
        return cap
    attempts = (retries + 1) * timeout
    bound = fault.hops * (attempts + _pauses(retries, backoff_initial, backoff_max, fault.waits))
    if "ok" in fault.expected:  # and the soft-404 probe: one more request
        bound += attempts + _pauses(retries, backoff_initial, backoff_max, 0.0)
    return bound


def least_time(fault: Fault, timeout: float, retries: int, cap: float = 0.0) -> float:
    """The least the fault's links must take: time-outs that must fire, Retry-After that must be waited."""
    if fault.capped:
        return cap
    if "timeout" in fault.expected:
        return (retries + 1) * timeout
    return fault.min_wait * min(retries, fault.answers_after or retries)


def closed_port(host: str) -> int:
    """A port on ``host`` with nothing listening (bound, then released)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@dataclass
class Staged:
    urls: list[str]
    server: FaultServer | None = None
    decoy: FaultServer | None = None


@contextmanager
def staged(fault: Fault, host: str, certificates: Certificates | None = None) -> Iterator[Staged]:
    """The fault's server(s) running on ``host`` (a decoy on 127.0.0.2), and its links."""
    if fault.url is not None:
        yield Staged([fault.url])
        return
    if fault.handler is None:
        yield Staged([f"http://{host}:{closed_port(host)}{path}" for path in fault.paths])
        return
    tls = None
    if fault.tls is not None:
        if certificates is None:
            raise ValueError(f"{fault.key} needs certificates")
        if fault.tls == "valid":
            tls = certificates.valid(host, "localhost")
        else:
            tls = certificates.wrong_name() if fault.tls == "wrong-name" else certificates.self_signed()
    if fault.name is not None:
        host = "127.0.0.1"  # where the name leads
    with contextlib.ExitStack() as stack:
        decoy = stack.enter_context(fault_server(http_faults, "127.0.0.2")) if fault.public else None
        server = stack.enter_context(fault_server(fault.handler, host, tls, fault.accept_only))
        base = server.base if fault.name is None else server.base.replace(host, fault.name)
        decoy_at = f"{decoy.host}:{decoy.port}" if decoy is not None else ""
        yield Staged([base + path.replace("{decoy}", decoy_at) for path in fault.paths], server, decoy)
