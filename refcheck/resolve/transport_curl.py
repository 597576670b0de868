"""One HTTP request over libcurl (pycurl's multi interface on the asyncio loop):
the same interface and behaviour as :class:`refcheck.resolve.transport.Transport`.

``CurlTransport.fetch`` sends a request and returns an
:class:`~refcheck.resolve.transport.Answer` -- the status, the headers (lower-case
names, the last of repeated ones) and at most the first ``body_limit`` bytes of the
body, inflated no further than that -- or raises one of the
:class:`~refcheck.errors.CheckFailure` classes, chosen by curl's error code (and the
socket's errno) so that each says what went wrong.

How it keeps the rules of the aiohttp transport:

* **The address rule.** ``policy.check_name(host)`` before anything. The name is then
  resolved here, in Python (``loop.getaddrinfo``, cached 300 s like aiohttp's
  ``ttl_dns_cache``), ``policy.check_resolved`` judges *every* address, and the
  addresses are pinned for curl with ``CURLOPT_RESOLVE``: curl never looks the name
  up itself, so a name cannot pass this check and resolve elsewhere for the
  connection (DNS rebinding). Belt and braces: when private addresses are not
  allowed, ``CURLOPT_OPENSOCKETFUNCTION`` checks the very address each socket is
  opened for, before a SYN leaves (a pin that curl did not apply, curl's own
  ``localhost`` shortcut, anything else). ``CURLOPT_PREREQFUNCTION`` was not chosen
  for the check: it runs after the TCP (and TLS) handshake, when bytes have already
  reached the address. Resolving in Python also keeps the lookup on
  ``socket.getaddrinfo`` (the tests' guards see it; ``.invalid`` fails at once).
* **Time-outs.** ``CURLOPT_CONNECTTIMEOUT_MS`` for the connection (TCP and TLS).
  The read time-out is a watchdog of this module's: a transfer that receives
  nothing for ``timeout`` seconds after its connection was made ends in
  :class:`ReadTimeout`. (curl's low-speed limit averages over a window, so a server
  dripping one byte a second could trip it; the watchdog only fires on silence --
  refcheck's per-link cap handles the drip.)
* **Headers exactly as given**: curl's defaults (``Accept: */*``, ``Expect:
  100-continue``, a form Content-Type for a POST) are switched off; only ``Host``
  (and a body's ``Content-Length``) are added, as aiohttp adds them.
* **Bodies**: curl's own decoding is off; gzip/deflate are inflated here, only up to
  ``body_limit`` (a gzip bomb stays small), raw deflate accepted; other encodings kept
  as sent. When enough is read the transfer is aborted, which closes its connection
  (curl never pools a connection with bytes still in flight).
* **Answers are parsed as strictly as aiohttp's parser**: the status line and each
  header line are checked in the header callback (bad status line, bad header
  token, NUL in a value, duplicate Content-Length, Content-Length with
  Transfer-Encoding, a line longer than 8190 bytes), so a garbled answer is
  ``bad response`` whatever curl would have tolerated.
* No redirects followed, no cookies (curl's cookie engine is off unless asked), no
  proxies from the environment, http and https only, HTTP/1.1, keep-alive connections
  reused across requests to one host (the multi handle's connection cache, idle
  connections kept ``KEEPALIVE`` seconds).

Where it differs from the aiohttp transport, on purpose or by libcurl:

* after an interim answer (``100 Continue``) and silence, the read time-out fires
  (aiohttp stops its read timer after a 1xx; only the link's cap ended that wait);
* curl checks a certificate's host name before its chain: a self-signed certificate
  that does not name the host is reported as a host-name mismatch (aiohttp says
  "self-signed certificate"); both are ``TLSFailure(retry=False)``;
* a non-ASCII host is IDNA-encoded and fetched (aiohttp refuses it: ``BadAddress``);
  spaces and non-ASCII bytes in the path are percent-encoded (aiohttp sends them raw);
  ``HTTP/1.1 099`` is refused by curl (aiohttp reads status 99).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import re
import socket
import ssl
import time
import zlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit

import pycurl  # type: ignore[import-untyped]

from refcheck import defaults
from refcheck.errors import (
    BadAddress,
    BrokenResponse,
    CheckFailure,
    ConnectFailed,
    ConnectTimeout,
    NameNotResolved,
    ReadTimeout,
    Refused,
    TLSFailure,
)
from refcheck.resolve.safety import AddressPolicy
from refcheck.resolve.transport import Answer

__all__ = ["CurlTransport"]

KEEPALIVE = 15
"""Seconds an idle connection is kept for reuse (as aiohttp's keepalive_timeout)."""
DNS_TTL = 300.0
"""Seconds a lookup is remembered (as aiohttp's ttl_dns_cache)."""
MAX_LINE = 8190
"""The longest status or header line (aiohttp's limit)."""

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_STATUS_LINE = re.compile(rb"HTTP/(\d)\.(\d) (\d{3})(?:[ \t][^\r\n]*)?\r?\n?\Z")
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_NEEDS_QUOTING = re.compile(r'[^\x21-\x7e]|["<>\\^`{|}]')
_SAFE_IN_URL = "!#$%&'()*+,/:;=?@[]~"
_PLAIN_USERINFO = re.compile(r"[A-Za-z0-9._~%!$&'()*+,;=:-]*")
_HOST_CHARS = re.compile(r"[a-z0-9._~!$&'()*+,;=%:-]+")
_TLS_CODES = frozenset({35, 53, 54, 58, 59, 64, 66, 77, 80, 82, 83, 90, 91, 98})
_E_WRITE, _E_ABORTED = pycurl.E_WRITE_ERROR, pycurl.E_ABORTED_BY_CALLBACK


class CurlTransport:
    """The aiohttp transport's interface over libcurl (see the module's docstring)."""

    def __init__(self, policy: AddressPolicy, timeout: float = defaults.TIMEOUT, tls: ssl.SSLContext | None = None):
        self.policy = policy
        self._tls = tls
        self._timeout = timeout
        self._multi: _Multi | None = None
        self._idle: list[Any] = []  # easy handles to reuse (curl_easy_reset between requests)
        self._tls_options: list[tuple[int, Any]] | None = None
        self._hosts: dict[str, tuple[str, bool]] = {}
        """host -> (its ASCII form, whether it is an address literal)."""
        self._header_lines: dict[tuple[tuple[tuple[str, str], ...], bool], list[bytes]] = {}
        self._pins: dict[tuple[str, int], tuple[float, list[str]]] = {}
        """(host, port) -> (until, CURLOPT_RESOLVE entries of addresses judged public)."""
        self._lookups: dict[str, asyncio.Future[tuple[str, ...]]] = {}

    # ----------------------------------------------------------------- setup

    def _open(self) -> _Multi:
        if self._multi is None:
            self._multi = _Multi(asyncio.get_running_loop())
        return self._multi

    def _tls_settings(self) -> list[tuple[int, Any]]:
        """CA bundle from certifi (read once a transport, when first needed, like the
        aiohttp transport's context), or what a given ``ssl.SSLContext`` says."""
        if self._tls_options is None:
            options: list[tuple[int, Any]] = []
            if self._tls is None:
                import certifi

                options.append((pycurl.CAINFO, certifi.where()))
            else:
                cas = self._tls.get_ca_certs(binary_form=True)
                if cas:
                    pem = "".join(ssl.DER_cert_to_PEM_cert(der) for der in cas).encode("ascii")
                    options.append((pycurl.CAINFO_BLOB, pem))
                if self._tls.verify_mode == ssl.CERT_NONE:
                    options.append((pycurl.SSL_VERIFYPEER, 0))
                if not self._tls.check_hostname:
                    options.append((pycurl.SSL_VERIFYHOST, 0))
            self._tls_options = options
        return self._tls_options

    # ----------------------------------------------------------------- one request

    async def fetch(
        self,
        url: str,
        headers: Mapping[str, str],
        *,
        method: str = "GET",
        body: bytes | None = None,
        body_limit: int = defaults.BODY_LIMIT,
        timeout: float | None = None,
        host: str | None = None,
    ) -> Answer:
        """One request, no redirect followed; ``timeout``: for each step (connect,
        each read), else the transport's; ``host``: the URL's host name. Raises a
        :class:`CheckFailure`."""
        try:
            parts = urlsplit(url)  # (urllib caches it: the checker split this URL already)
            if host is None:
                host = parts.hostname or ""
            port = parts.port
        except ValueError as exc:
            raise BadAddress(f"invalid address: {exc}") from None
        self.policy.check_name(host)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise BadAddress(f"invalid address: unsupported scheme {scheme or '(none)'}:")
        if not host:
            raise BadAddress("invalid address: no host")
        known = self._hosts.get(host)
        if known is None:
            if len(self._hosts) > 100_000:
                self._hosts.clear()
            ascii_host = _ascii_host(host)
            known = self._hosts[host] = (ascii_host, _is_literal(ascii_host))
        ascii_host, literal = known
        target = _curl_url(parts, ascii_host, port)
        port = port or (443 if scheme == "https" else 80)
        seconds = self._timeout if timeout is None else timeout
        has_body = body is not None or method not in ("GET", "HEAD")
        header_key = (tuple(headers.items()), has_body)
        header_lines = self._header_lines.get(header_key)
        if header_lines is None:
            if len(self._header_lines) > 64:
                self._header_lines.clear()
            header_lines = self._header_lines[header_key] = _header_lines(headers, has_body)

        pins = None
        if not literal:
            pinned = self._pins.get((ascii_host, port))
            if pinned is None or pinned[0] < time.monotonic():
                pins = await self._pin(ascii_host, host, port, seconds)
            else:
                pins = pinned[1]

        multi = self._open()
        handle = self._idle.pop() if self._idle else pycurl.Curl()
        job = _Job(multi.loop, handle, host, port, self.policy, body_limit, seconds)
        setopt = handle.setopt
        try:
            setopt(pycurl.URL, target)
            setopt(pycurl.HTTPHEADER, header_lines)
            setopt(pycurl.HEADERFUNCTION, job.header)
            setopt(pycurl.WRITEFUNCTION, job.write)
            if pins is not None:
                setopt(pycurl.RESOLVE, pins)
            if not self.policy.allow_private:
                setopt(pycurl.OPENSOCKETFUNCTION, job.open_socket)
            setopt(pycurl.CONNECTTIMEOUT_MS, max(1, int(seconds * 1000)))
            for option, value in _FIXED:
                setopt(option, value)
            if scheme == "https":
                for option, value in self._tls_settings():
                    setopt(option, value)
            if method == "HEAD":
                setopt(pycurl.NOBODY, 1)
            elif method != "GET" or body is not None:
                data = body or b""
                setopt(pycurl.POSTFIELDSIZE_LARGE, len(data))
                setopt(pycurl.COPYPOSTFIELDS, data)
                if method != "POST":
                    setopt(pycurl.CUSTOMREQUEST, method)
        except (pycurl.error, TypeError, UnicodeError, ValueError) as exc:
            self._recycle(handle)
            raise BadAddress(f"invalid address: {exc}") from None
        try:
            status = await multi.run(job)
        finally:
            if multi.jobs.pop(handle, None) is not None:  # cancelled (the link's cap): abort the transfer
                job.stop_watch()
                multi.remove(handle)
            self._recycle(handle)
        return Answer(status, job.answer_headers(), bytes(job.head[:body_limit]))

    def _recycle(self, handle: Any) -> None:
        handle.reset()  # drops the callbacks (and the job with them); the connection stays pooled
        if self._multi is not None and len(self._idle) < 256:
            self._idle.append(handle)
        else:
            handle.close()

    async def _pin(self, ascii_host: str, host: str, port: int, seconds: float) -> list[str]:
        """Looks the name up, judges every address (the private-address rule), and returns
        the CURLOPT_RESOLVE entries that make curl connect to those addresses and no
        others (remembered ``DNS_TTL`` seconds, as aiohttp's DNS cache)."""
        addresses = await self._resolve(ascii_host, host, port, seconds)
        self.policy.check_resolved(host, addresses)
        joined = ",".join(f"[{address}]" if ":" in address else address for address in addresses)
        pins = [f"{ascii_host}:{port}:{joined}"]
        if ascii_host.endswith("."):  # curl may look the name up without its final dot
            pins.append(f"{ascii_host.rstrip('.')}:{port}:{joined}")
        self._pins[(ascii_host, port)] = (time.monotonic() + DNS_TTL, pins)
        return pins

    async def _resolve(self, ascii_host: str, host: str, port: int, seconds: float) -> tuple[str, ...]:
        """The host's addresses (one lookup at a time a name)."""
        lookup = self._lookups.get(ascii_host)
        if lookup is None:
            lookup = asyncio.ensure_future(_getaddrinfo(ascii_host, port))
            self._lookups[ascii_host] = lookup
            lookup.add_done_callback(lambda _f: self._lookups.pop(ascii_host, None))
        try:
            async with asyncio.timeout(seconds * 2):  # aiohttp: connect = 2 x timeout, lookup included
                addresses = await asyncio.shield(lookup)
        except TimeoutError:
            raise ConnectTimeout("timeout: could not connect in time") from None
        except socket.gaierror as exc:
            message = exc.strerror or str(exc)
            if exc.errno == socket.EAI_AGAIN or "temporary failure" in message.lower():
                # The resolver could not answer (no network, overloaded): not a verdict on the name.
                raise ConnectFailed(f"DNS lookup failed for now: {message}") from None
            raise NameNotResolved(
                f"domain does not resolve: {host}: Cannot connect to host {host}:{port} [{message}]"
            ) from None
        except OSError as exc:
            raise ConnectFailed(f"DNS lookup failed for now: {exc}") from None
        if not addresses:
            raise NameNotResolved(f"domain does not resolve: {host}: no address")
        return addresses

    async def aclose(self) -> None:
        if self._multi is not None:
            multi, self._multi = self._multi, None
            multi.close()
        for handle in self._idle:
            handle.close()
        self._idle.clear()


_FIXED: tuple[tuple[int, Any], ...] = (
    (pycurl.NOSIGNAL, 1),
    (pycurl.FOLLOWLOCATION, 0),
    (pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS),
    (pycurl.PROXY, ""),  # never a proxy from the environment (aiohttp: trust_env=False)
    (pycurl.HTTP_VERSION, pycurl.CURL_HTTP_VERSION_1_1),
    (pycurl.HTTP_CONTENT_DECODING, 0),  # inflated here, bounded
    (pycurl.PATH_AS_IS, 1),  # the path as given ("/a/../b" is not squashed; aiohttp sends it so)
    (pycurl.MAXAGE_CONN, KEEPALIVE),
    (pycurl.TCP_NODELAY, 1),
    (pycurl.HTTP09_ALLOWED, 0),
    (pycurl.NETRC, pycurl.NETRC_IGNORED),
)


# --------------------------------------------------------------------------- addresses


async def _getaddrinfo(host: str, port: int) -> tuple[str, ...]:
    """The system resolver in a thread (aiohttp's ThreadedResolver): unique addresses, in order."""
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_ADDRCONFIG
    )
    found: dict[str, None] = {}
    for family, _type, _proto, _name, address in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            found[str(address[0])] = None
    return tuple(found)


def _is_literal(host: str) -> bool:
    if not host or not (host[0].isdigit() or ":" in host):
        return False
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _ascii_host(host: str) -> str:
    """The host as curl must get it (this libcurl has no IDN library): IDNA-encoded,
    and an ``xn--`` label that is no punycode refused (BadAddress, as aiohttp refuses it)."""
    name = host
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise BadAddress(f"invalid address: host {host!r} is not a valid international name ({exc})") from None
    if "xn--" in name:  # punycode labels must decode (as the aiohttp transport checks them)
        import idna

        for label in name.split("."):
            if label[:4].lower() == "xn--":
                try:
                    idna.decode(label)
                except idna.IDNAError as exc:
                    raise BadAddress(f"invalid address: {exc} ({label})") from None
    name = name.lower()
    if ":" not in name and not _HOST_CHARS.fullmatch(name):
        raise BadAddress(f"invalid address: host {host!r} holds characters a host name cannot")
    return name


def _curl_url(parts: SplitResult, ascii_host: str, port: int | None) -> str:
    """The URL for curl, rebuilt from Python's reading of it (so that curl's parser
    cannot read another host than the one judged here): the ASCII host, user-info
    percent-encoded beyond its plain characters, no fragment, and characters that a
    request line cannot carry (a space, non-ASCII) percent-encoded (aiohttp would send
    them raw)."""
    userinfo, at, _ = parts.netloc.rpartition("@")
    if userinfo and not _PLAIN_USERINFO.fullmatch(userinfo):
        userinfo = quote(userinfo, safe="%:!$&'()*+,;=")
    host_port = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
    if port is not None:
        host_port += f":{port}"
    netloc = f"{userinfo}{at}{host_port}"
    path, query = parts.path or "/", parts.query
    if _NEEDS_QUOTING.search(path):
        path = quote(path, safe=_SAFE_IN_URL)
    if _NEEDS_QUOTING.search(query):
        query = quote(query, safe=_SAFE_IN_URL)
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))


def _header_lines(headers: Mapping[str, str], has_body: bool) -> list[bytes]:
    """The caller's headers, and nothing of curl's: an empty ``Name:`` line removes a
    header curl would add."""
    lines: list[bytes] = []
    given: set[str] = set()
    for name, value in headers.items():
        text = f"{name}: {value}"
        if "\r" in text or "\n" in text or "\0" in text:
            raise BadAddress(f"invalid address: header {name!r} holds a line break")
        if not value.strip():  # curl drops "Name:" and sends "Name;" as an empty header
            lines.append(f"{name};".encode("latin-1", "strict"))
        else:
            lines.append(text.encode("utf-8") if not text.isascii() else text.encode("ascii"))
        given.add(name.lower())
    if "accept" not in given:
        lines.append(b"Accept:")
    lines.append(b"Expect:")
    if has_body and "content-type" not in given:
        lines.append(b"Content-Type:")
    return lines


# --------------------------------------------------------------------------- one transfer


class _Job:
    """One transfer's state, and its curl callbacks."""

    __slots__ = ("encoding", "enough", "failure", "future", "handle", "head", "headers_done",
                 "host", "inflate", "last", "limit", "lines", "loop", "multi", "policy", "port", "raw",
                 "refused", "started", "status_seen", "timeout", "watch", "wbits")  # fmt: skip

    def __init__(self, loop: asyncio.AbstractEventLoop, handle: Any, host: str, port: int, policy: AddressPolicy,
                 limit: int, timeout: float) -> None:  # fmt: skip
        self.loop = loop
        self.multi: _Multi | None = None
        self.handle = handle
        self.host = host
        self.port = port
        self.policy = policy
        self.limit = limit
        self.timeout = timeout
        self.future: asyncio.Future[int] = loop.create_future()
        self.started = 0.0
        self.last = 0.0
        """loop.time() of the last bytes received (0: none yet)."""
        self.lines: list[tuple[bytes, bytes]] = []
        self.raw: list[bytes] = []
        self.status_seen = False
        self.headers_done = False
        self.head = bytearray()
        self.inflate: Any = None
        self.wbits: int | None = None
        self.encoding: str | None = None
        self.enough = False
        self.failure: CheckFailure | None = None
        self.refused: Refused | None = None
        self.watch: asyncio.TimerHandle | None = None

    # --- curl's callbacks (a return of 0 from header/write aborts the transfer)

    def header(self, line: bytes) -> int | None:
        """Each line of the answer's head: kept, and judged as a block at its blank line."""
        self.last = self.loop.time()
        if self.headers_done:
            return None  # trailers of a chunked body: not headers
        if line == b"\r\n" or line == b"\n":
            return self._head_block()
        if len(line) > MAX_LINE + 2:
            if not self.raw:
                return self._bad(f"bad response: Bad status line: {_shown(line)}")
            return self._bad(f"bad response: Got more than {MAX_LINE} bytes when reading: {_shown(line[:100])}.")
        if not self.raw and line[:5] == b"HTTP/":
            self.status_seen = True  # (curl's own complaints after it are about the headers)
        self.raw.append(line)
        return None

    def _head_block(self) -> int | None:
        """The status line and headers of one answer (an interim 1xx one, or the final):
        as strict as aiohttp's parser."""
        raw, self.raw = self.raw, []
        if not raw:
            return self._bad("bad response: Bad status line: (empty)")
        match = _STATUS_LINE.match(raw[0])
        if match is None:
            return self._bad(f"bad response: Bad status line: {_shown(raw[0])}")
        self.status_seen = True
        lines: list[tuple[bytes, bytes]] = []
        lengths = 0
        for index in range(1, len(raw)):
            line = raw[index].rstrip(b"\r\n")
            if line[:1] in (b" ", b"\t"):
                if lines:  # obsolete line folding: the value goes on
                    name, value = lines[-1]
                    lines[-1] = (name, value + b" " + line.strip(b" \t"))
                    continue
                line = line.lstrip(b" \t")
            name, colon, value = line.partition(b":")
            if not colon or not _TOKEN.fullmatch(name.rstrip(b" \t")):
                return self._bad(f"bad response: Invalid header token: {_shown(line)}")
            if b"\0" in value:
                return self._bad(f"bad response: Invalid HTTP header: {_shown(value.strip())}")
            name = name.lower()
            if name == b"content-length":
                lengths += 1
                if lengths > 1:
                    return self._bad(f"bad response: Duplicate Content-Length: {_shown(line)}")
            lines.append((name, value.strip(b" \t")))
        if match.group(3)[:1] == b"1":  # interim (100 Continue, 103 Early Hints): the answer follows
            return None
        self.lines = lines
        self.headers_done = True
        self._start_body()
        return None

    def _start_body(self) -> None:
        names = {name for name, _ in self.lines}
        if b"content-length" in names and b"transfer-encoding" in names:
            self.failure = BrokenResponse(
                "bad response: Transfer-Encoding can't be present with Content-Length"
            )  # checked again in write (curl reads on)
        for name, value in reversed(self.lines):
            if name == b"content-encoding":
                self.encoding = value.decode("latin-1")
                self.wbits = _WBITS.get(self.encoding.strip().lower())
                if self.wbits is not None:
                    self.inflate = zlib.decompressobj(self.wbits)
                break

    def write(self, data: bytes) -> int | None:
        self.last = self.loop.time()
        if self.failure is not None:
            return 0
        if self.inflate is None:
            self.head += data
            if len(self.head) >= self.limit:
                self.enough = True  # never download a whole large file
                return 0
            return None
        head = self.head
        try:
            head += self.inflate.decompress(data, self.limit - len(head))
        except zlib.error as exc:
            if self.wbits != zlib.MAX_WBITS or head:
                return self._undecodable(exc)
            self.wbits = -zlib.MAX_WBITS  # "deflate" sent raw, without its zlib wrapper (common)
            self.inflate = zlib.decompressobj(self.wbits)
            try:
                head += self.inflate.decompress(data, self.limit - len(head))
            except zlib.error as again:
                return self._undecodable(again)
        if len(head) >= self.limit or self.inflate.eof:
            self.enough = True
            return 0
        return None

    def open_socket(self, purpose: int, address: Any) -> Any:
        """The address rule on the very address a socket is opened for, before connecting."""
        family, socktype, protocol, where = address
        if family in (socket.AF_INET, socket.AF_INET6):
            try:
                self.policy.check_resolved(self.host, (where[0],))
            except Refused as refusal:
                self.refused = refusal
                return pycurl.SOCKET_BAD
        else:
            self.refused = Refused(f"{self.host}: not an internet address")
            return pycurl.SOCKET_BAD
        return socket.socket(family, socktype, protocol)  # pycurl keeps a dup of it

    def _bad(self, message: str) -> int:
        self.failure = BrokenResponse(message)
        return 0

    def _undecodable(self, exc: zlib.error) -> int:
        self.failure = BrokenResponse(f"bad response: undecodable {self.encoding} body ({exc})")
        return 0

    # --- the read time-out

    def arm(self) -> None:
        self.started = self.loop.time()
        self.watch = self.loop.call_later(self.timeout, self._check_silence)

    def stop_watch(self) -> None:
        if self.watch is not None:
            self.watch.cancel()
            self.watch = None

    def _check_silence(self) -> None:
        """Fires ``timeout`` seconds after the last bytes (or the connection): silence is a
        read time-out; anything received since moves the next check on."""
        self.watch = None
        if self.future.done():
            return
        now = self.loop.time()
        since = self.last
        if not since:
            connected = self.handle.getinfo(pycurl.PRETRANSFER_TIME)
            if connected <= 0 and now - self.started < self.timeout * 3:
                # Still connecting: curl's connect time-out ends that.
                self.watch = self.loop.call_later(self.timeout, self._check_silence)
                return
            since = self.started + connected
        due = since + self.timeout
        if now + 0.001 >= due:
            self.failure = ReadTimeout("timeout: the server stopped answering")
            if self.multi is not None:
                self.multi.finish(self.handle, None, "")
            return
        self.watch = self.loop.call_later(due - now, self._check_silence)

    # --- the answer

    def answer_headers(self) -> dict[str, str]:
        return {name.decode("latin-1"): value.decode("latin-1") for name, value in self.lines}

    def outcome(self, code: int, message: str) -> int | CheckFailure:
        """The status, or the failure, once curl is done with the transfer."""
        if self.failure is not None:
            return self.failure
        if self.refused is not None and code in (pycurl.E_COULDNT_CONNECT, _E_ABORTED):
            return self.refused
        if code == 0 or (code == _E_WRITE and self.enough):
            status: int = self.handle.getinfo(pycurl.RESPONSE_CODE)
            return status
        return self._failure(code, message)

    def _failure(self, code: int, message: str) -> CheckFailure:
        handle, host = self.handle, self.host
        if code == pycurl.E_COULDNT_RESOLVE_HOST:
            return NameNotResolved(f"domain does not resolve: {host}: {message}")
        if code == pycurl.E_COULDNT_CONNECT:
            error = handle.getinfo(pycurl.OS_ERRNO)
            ip = handle.getinfo(pycurl.PRIMARY_IP) or host
            port = handle.getinfo(pycurl.PRIMARY_PORT) or self.port
            why = os.strerror(error) if error else message
            return ConnectFailed(
                f"connection failed: Cannot connect to host {host}:{port} [Connect call failed ('{ip}', {port}): {why}]"
            )
        if code == pycurl.E_OPERATION_TIMEDOUT:
            return ConnectTimeout("timeout: could not connect in time")
        if code == pycurl.E_PEER_FAILED_VERIFICATION:  # the same certificate on a retry
            detail = message.removeprefix("SSL certificate problem: ")
            if not message.startswith("SSL certificate problem"):  # curl checks the name before the chain
                detail = f"Hostname mismatch, certificate is not valid for '{host}'. ({message})"
            return TLSFailure(f"TLS failure: certificate not accepted ({detail})", retry=False)
        if code in _TLS_CODES:
            return TLSFailure(f"TLS failure: {message}")
        if code == pycurl.E_URL_MALFORMAT:
            return BadAddress(f"invalid address: {message}")
        if code == pycurl.E_GOT_NOTHING:
            return BrokenResponse("connection broken: Server disconnected")
        if code == pycurl.E_PARTIAL_FILE:
            return BrokenResponse(f"connection broken in the body: Response payload is not completed: {message}")
        if code in (pycurl.E_RECV_ERROR, pycurl.E_SEND_ERROR):
            error = handle.getinfo(pycurl.OS_ERRNO)
            where = "connection broken in the body" if self.headers_done else "connection broken"
            if error:
                return BrokenResponse(f"{where}: [Errno {error}] {os.strerror(error)}")
            if self.headers_done and code == pycurl.E_RECV_ERROR:  # a bad chunk size and the like
                return BrokenResponse(f"bad response: {message}")
            return BrokenResponse(f"{where}: {message}")
        if code in (pycurl.E_UNSUPPORTED_PROTOCOL, 8, 100) or "header" in message.lower():
            # 1: an HTTP/0.9 answer (no status line); 8: weird server reply; 100: too large.
            if not self.status_seen:
                return BrokenResponse(f"bad response: Bad status line: {message}")
            return BrokenResponse(f"bad response: {message}")
        where = "connection broken in the body" if self.headers_done else "connection broken"
        return BrokenResponse(f"{where}: {message} (curl error {code})")


def _shown(data: bytes, limit: int = 100) -> str:
    text = repr(bytes(data[:limit]).rstrip(b"\r\n"))
    return text + ("…" if len(data) > limit else "")


# --------------------------------------------------------------------------- the loop


class _Multi:
    """libcurl's multi interface on the running asyncio loop: curl says which sockets
    to watch (M_SOCKETFUNCTION) and when to wake it (M_TIMERFUNCTION); the loop calls
    ``socket_action`` back; finished transfers settle their futures. Every callback of
    curl's here only records or schedules: handles are added and removed outside them."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.multi = pycurl.CurlMulti()
        self.multi.setopt(pycurl.M_SOCKETFUNCTION, self._socket)
        self.multi.setopt(pycurl.M_TIMERFUNCTION, self._timer)
        self.multi.setopt(pycurl.M_MAXCONNECTS, 1024)  # idle connections kept (no per-host limit here)
        self.multi.setopt(pycurl.M_PIPELINING, 0)  # HTTP/1.1, no multiplexing
        self.watched: dict[int, int] = {}
        self.timer: asyncio.Handle | None = None
        self.jobs: dict[Any, _Job] = {}
        self.closed = False

    async def run(self, job: _Job) -> int:
        if self.closed:
            raise ConnectFailed("connection failed: the transport is closed")
        self.jobs[job.handle] = job
        job.multi = self
        job.arm()
        self.multi.add_handle(job.handle)  # curl arms its timer (0 ms): the loop starts the transfer
        outcome = await job.future
        return outcome

    def remove(self, handle: Any) -> None:
        with contextlib.suppress(pycurl.error):
            self.multi.remove_handle(handle)

    def finish(self, handle: Any, code: int | None, message: str) -> None:
        """A transfer is over (curl's code; None: ended here, by the watchdog)."""
        job = self.jobs.pop(handle, None)
        if job is None:
            return
        job.stop_watch()
        self.remove(handle)
        if job.future.done():
            return
        outcome = job.failure if code is None else job.outcome(code, message)
        if isinstance(outcome, CheckFailure):
            job.future.set_exception(outcome)
        else:
            job.future.set_result(int(outcome))  # type: ignore[arg-type]

    # --- curl's callbacks

    def _socket(self, what: int, fd: int, multi: Any, data: Any) -> None:
        loop = self.loop
        old = self.watched.pop(fd, 0)
        want = 0 if what == pycurl.POLL_REMOVE else what
        if old & pycurl.POLL_IN and not want & pycurl.POLL_IN:
            loop.remove_reader(fd)
        if old & pycurl.POLL_OUT and not want & pycurl.POLL_OUT:
            loop.remove_writer(fd)
        if self.closed:
            return
        if want & pycurl.POLL_IN and not old & pycurl.POLL_IN:
            loop.add_reader(fd, self._act, fd, pycurl.CSELECT_IN)
        if want & pycurl.POLL_OUT and not old & pycurl.POLL_OUT:
            loop.add_writer(fd, self._act, fd, pycurl.CSELECT_OUT)
        if want:
            self.watched[fd] = want

    def _timer(self, ms: int) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if ms >= 0 and not self.closed:
            # 0 ms: call_soon, never from inside curl's own call.
            self.timer = self.loop.call_later(ms / 1000, self._act, pycurl.SOCKET_TIMEOUT, 0)

    def _act(self, fd: int, events: int) -> None:
        if fd == pycurl.SOCKET_TIMEOUT:
            self.timer = None
        if self.closed:
            return
        multi = self.multi
        for _ in range(1000):  # bounded
            code, _running = multi.socket_action(fd, events)
            if code != pycurl.E_CALL_MULTI_PERFORM:
                break
        for _ in range(100_000):  # bounded
            queued, ok, failed = multi.info_read()
            for handle in ok:
                self.finish(handle, 0, "")
            for handle, code, message in failed:
                self.finish(handle, code, message)
            if not queued:
                break

    def close(self) -> None:
        self.closed = True
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        for handle, job in list(self.jobs.items()):
            self.jobs.pop(handle, None)
            job.stop_watch()
            self.remove(handle)
            if not job.future.done():
                job.future.set_exception(ConnectFailed("connection failed: the transport was closed"))
        for fd, want in list(self.watched.items()):
            if want & pycurl.POLL_IN:
                self.loop.remove_reader(fd)
            if want & pycurl.POLL_OUT:
                self.loop.remove_writer(fd)
        self.watched.clear()
        self.multi.close()  # closes the pooled connections
