"""One HTTP request, over one aiohttp connection pool: the bottom of the stack.

``Transport.fetch`` sends a request and returns an :class:`Answer` -- the status,
the headers (lower-case names in a plain dict) and at most the first
``body_limit`` bytes of the body, inflated no further than that -- or raises
one of the :class:`~refcheck.errors.CheckFailure` classes, which say exactly
what went wrong (a refused connection is not a time-out, a name that does not
resolve is not a reset). ``Transport.open`` is the same request with its body
left to be read as it comes (:class:`Streamed`): for a reader that decides as it
goes how much it wants (a sitemap, a feed, a live page).

No per-host limit here: :mod:`politeness` owns it, and since a connection is
only opened for a request in flight, a host never has more connections than
its limit. The private-address rule is applied by the pool's resolver to the
very addresses it connects to (against DNS rebinding). No cookies are kept.
Redirects are not followed (the checker records each hop).

httpx appears at the edge only: :func:`make_httpx_transport` lets an
``httpx.AsyncClient`` (the archive client: few requests, JSON and forms) use
the same pool and rules; the link checks -- thousands of requests -- skip
httpx's objects, which cost 0.1 ms of CPU a request (measured).
"""

from __future__ import annotations

import socket
import ssl
import zlib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

import aiohttp
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult

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

if TYPE_CHECKING:
    import httpx

KEEPALIVE = 15.0
_DNS_FAILURE_HINTS = ("name or service not known", "nodename nor servname", "no address associated",
                      "name does not resolve", "temporary failure in name resolution", "getaddrinfo failed")  # fmt: skip
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


@dataclass(slots=True)
class Answer:
    status: int
    headers: dict[str, str]
    """Lower-case names (the last of repeated ones)."""
    body_head: bytes


def content_wbits(encoding: str | None) -> int | None:
    """The ``zlib`` window bits that inflate a body sent with this Content-Encoding
    (gzip, deflate), or None: sent as is (none, or one not asked for)."""
    return _WBITS.get(encoding.strip().lower()) if encoding else None


class Streamed:
    """An answer whose body is read as it comes (:meth:`Transport.open`)."""

    def __init__(self, status: int, headers: dict[str, str], content: aiohttp.StreamReader, host: str) -> None:
        self.status = status
        self.headers = headers
        """Lower-case names (the last of repeated ones)."""
        self._content = content
        self._host = host

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body's bytes as they arrive (not inflated); a failure while reading
        is raised as a :class:`CheckFailure`."""
        try:
            async for chunk in self._content.iter_any():
                yield chunk
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise _failure(exc, self._host) from None


class HTTPTransport(Protocol):
    """What the checker needs of an HTTP client: :class:`Transport` (aiohttp, the
    default) and ``transport_curl.CurlTransport`` (libcurl) both are one."""

    policy: AddressPolicy

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
    ) -> Answer: ...

    async def aclose(self) -> None: ...


class _SafeResolver(AbstractResolver):
    """The system resolver, then the address policy on every answer."""

    def __init__(self, policy: AddressPolicy) -> None:
        self._inner = aiohttp.ThreadedResolver()
        self._policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        self._policy.check_resolved(host, (result["host"] for result in results))
        return results

    async def close(self) -> None:
        await self._inner.close()


class Transport:
    def __init__(self, policy: AddressPolicy, timeout: float = defaults.TIMEOUT, tls: ssl.SSLContext | None = None):
        self.policy = policy
        self._tls = tls
        self._timeout = _timeouts(timeout)
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            if self._tls is None:
                import certifi  # one TLS context a run: loading the CA bundle costs 20 ms of CPU

                self._tls = ssl.create_default_context(cafile=certifi.where())
            connector = aiohttp.TCPConnector(
                limit=0, limit_per_host=0, ssl=self._tls, ttl_dns_cache=300,
                keepalive_timeout=KEEPALIVE, resolver=_SafeResolver(self.policy),
            )  # fmt: skip
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False
            )
        return self._session

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
        response, host = await self._send(url, headers, method, body, timeout, host)
        try:
            raw = response.raw_headers
            answer_headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in raw}
            encoding = answer_headers.get("content-encoding")
            head = await _read_head(response.content, encoding, body_limit)
        except zlib.error as exc:
            raise BrokenResponse(f"bad response: undecodable {encoding} body ({exc})") from None
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise _failure(exc, host) from None
        finally:
            # A body not read to the end closes its connection (aiohttp does not
            # pool a connection with bytes still in flight).
            response.release()
        return Answer(response.status, answer_headers, bytes(head[:body_limit]))

    @asynccontextmanager
    async def open(
        self,
        url: str,
        headers: Mapping[str, str],
        *,
        method: str = "GET",
        body: bytes | None = None,
        timeout: float | None = None,
        host: str | None = None,
    ) -> AsyncIterator[Streamed]:
        """One request, no redirect followed, its body read by the caller as it comes
        (``Streamed.chunks``); the same address rules, time-outs and failures as
        :meth:`fetch`. Leaving the block releases the connection (a body not read to
        the end closes it)."""
        response, host = await self._send(url, headers, method, body, timeout, host)
        try:
            raw = response.raw_headers
            answer_headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in raw}
            yield Streamed(response.status, answer_headers, response.content, host)
        finally:
            response.release()

    async def _send(
        self, url: str, headers: Mapping[str, str], method: str, body: bytes | None, timeout: float | None,
        host: str | None,
    ) -> tuple[aiohttp.ClientResponse, str]:  # fmt: skip
        """The request sent, its status and headers read: (the response, the host name)."""
        try:
            if host is None:  # the caller may have it already (the checker does)
                host = urlsplit(url).hostname or ""
            if "xn--" in host:
                _check_a_labels(host)
        except ValueError as exc:
            raise BadAddress(f"invalid address: {exc}") from None
        self.policy.check_name(host)
        try:
            target = yarl.URL(url, encoded=True)
            response = await self._open().request(
                method, target, headers=headers, data=body, allow_redirects=False,
                timeout=self._timeout if timeout is None else _timeouts(timeout),
            )  # fmt: skip
        except aiohttp.InvalidURL as exc:
            raise BadAddress(f"invalid address: {exc}") from None
        except aiohttp.ClientError as exc:  # before ValueError: certificate errors are ValueErrors too
            raise _failure(exc, host) from None
        except ValueError as exc:  # a bad IDNA label, a bad port
            raise BadAddress(f"invalid address: {exc}") from None
        except (TimeoutError, OSError) as exc:
            raise _failure(exc, host) from None
        return response, host

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


def _check_a_labels(host: str) -> None:
    """Punycode labels must decode (``xn--zz`` does not): such a name cannot be
    registered, and asking DNS about it would call a broken address dead."""
    import idna

    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except idna.IDNAError as exc:
                raise ValueError(f"{exc} ({label})") from None


def _timeouts(seconds: float) -> aiohttp.ClientTimeout:
    # connect: waiting for a pooled connection, then connecting.
    return aiohttp.ClientTimeout(total=None, sock_connect=seconds, connect=seconds * 2, sock_read=seconds)


async def _read_head(stream: aiohttp.StreamReader, encoding: str | None, limit: int) -> bytearray:
    """The first ``limit`` bytes of the body, inflated no further: a gzip bomb's
    256 KiB chunk would be 256 MiB inflated whole. Encodings other than gzip and
    deflate (not asked for, or stacked) are kept as sent."""
    head = bytearray()
    wbits = _WBITS.get(encoding.strip().lower()) if encoding else None
    if wbits is None:
        async for chunk in stream.iter_any():
            head += chunk
            if len(head) >= limit:
                break  # never download a whole large file
        return head
    inflate = zlib.decompressobj(wbits)
    async for chunk in stream.iter_any():
        try:
            head += inflate.decompress(chunk, limit - len(head))
        except zlib.error:
            if wbits != zlib.MAX_WBITS or head:
                raise
            wbits = -zlib.MAX_WBITS  # "deflate" sent raw, without its zlib wrapper (common)
            inflate = zlib.decompressobj(wbits)
            head += inflate.decompress(chunk, limit - len(head))
        if len(head) >= limit or inflate.eof:
            break
    return head


def _failure(exc: BaseException, host: str) -> CheckFailure:
    """aiohttp's (or the socket's) failure as refcheck's: which one says what it means."""
    if isinstance(exc, CheckFailure):  # Refused from the resolver, through aiohttp
        return exc
    cause = exc.__cause__ if isinstance(exc.__cause__, Refused) else exc
    if isinstance(cause, Refused):
        return cause
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, Refused):
        return exc.os_error
    message = str(exc) or type(exc).__name__
    lowered = message.lower()
    if isinstance(exc, aiohttp.ClientConnectorDNSError) or any(hint in lowered for hint in _DNS_FAILURE_HINTS):
        os_error = getattr(exc, "os_error", None)
        if "temporary failure" in lowered or getattr(os_error, "errno", None) == socket.EAI_AGAIN:
            # The resolver could not answer (no network, overloaded): not a verdict on the name.
            return ConnectFailed(f"DNS lookup failed for now: {message}")
        return NameNotResolved(f"domain does not resolve: {host}: {message}")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):  # the same certificate on a retry
        detail = getattr(exc.certificate_error, "verify_message", None) or message
        return TLSFailure(f"TLS failure: certificate not accepted ({detail})", retry=False)
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        return TLSFailure(f"TLS failure: {message}")
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return ConnectTimeout("timeout: could not connect in time")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectFailed(f"connection failed: {message}")
    if isinstance(exc, aiohttp.SocketTimeoutError | aiohttp.ServerTimeoutError | TimeoutError):
        return ReadTimeout("timeout: the server stopped answering")
    if isinstance(exc, aiohttp.ClientResponseError):  # garbled status line or headers ("400" is aiohttp's)
        return BrokenResponse(f"bad response: {_one_line(exc.message)}")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return BrokenResponse(f"connection broken in the body: {_one_line(message)}")
    return BrokenResponse(f"connection broken: {message}")


def _one_line(text: str, limit: int = 160) -> str:
    """aiohttp's parser messages span lines, with a caret under the bad byte."""
    text = " ".join(word for word in text.split() if word != "^")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _make_httpx_transport() -> type:
    import httpx

    class _HttpxTransport(httpx.AsyncBaseTransport):
        """httpx's transport interface over :class:`Transport` (no redirects, no
        cookies, the address rule, bodies up to 1 MiB: archive answers are small)."""

        def __init__(self, transport: Transport) -> None:
            self._transport = transport

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in request.headers.raw}
            body = None if request.method in ("GET", "HEAD") else await request.aread()
            try:
                timeouts = request.extensions.get("timeout") or {}
                answer = await self._transport.fetch(
                    str(request.url), headers, method=request.method, body=body, body_limit=1 << 20,
                    timeout=timeouts.get("read"),
                )  # fmt: skip
            except (ConnectFailed, ConnectTimeout, NameNotResolved, Refused, TLSFailure, BadAddress) as exc:
                raise httpx.ConnectError(str(exc), request=request) from exc
            except ReadTimeout as exc:
                raise httpx.ReadTimeout(str(exc), request=request) from exc
            except CheckFailure as exc:
                raise httpx.RemoteProtocolError(str(exc), request=request) from exc
            answer.headers.pop("content-encoding", None)  # already inflated
            answer.headers.pop("content-length", None)
            return httpx.Response(answer.status, headers=answer.headers, content=answer.body_head, request=request)

    return _HttpxTransport


def make_httpx_transport(transport: Transport) -> httpx.AsyncBaseTransport:
    """An httpx transport over ``transport`` (httpx imported here, only when needed)."""
    global _HTTPX_CLASS
    if _HTTPX_CLASS is None:
        _HTTPX_CLASS = _make_httpx_transport()
    instance: httpx.AsyncBaseTransport = _HTTPX_CLASS(transport)
    return instance


_HTTPX_CLASS: type | None = None
