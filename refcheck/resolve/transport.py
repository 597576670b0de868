"""httpx's transport interface over one aiohttp connection pool.

The checker speaks httpx (``httpx.Request`` in, ``httpx.Response`` out); the
bytes move through aiohttp, whose pool keeps one dictionary per host and so
costs the same at 20 hosts or 500 (httpx's own pool scans every connection on
each request: 5.6 ms of CPU per URL at 2,000 URLs, measured; this transport
with the checker on top, about 0.5 ms -- benchmarks/RESULTS.md).

Written here rather than taken from httpx-aiohttp because the checker needs
three things that package does not give: the private-address rule applied by
the resolver to the very addresses the pool connects to (DNS rebinding), the
exact failure (a refused connection is not a time-out), and no second CA bundle
load per transport.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from typing import Any, Literal

import aiohttp
import httpx
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult

from refcheck.resolve.safety import AddressPolicy, Refused

DEFAULT_TIMEOUT = 20.0
KEEPALIVE = 15.0


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


class AiohttpTransport(httpx.AsyncBaseTransport):
    """At most ``per_host`` connections per host; address policy on every
    connection; no cookies kept; bodies not decompressed here (the checker
    inflates the first 64 KiB itself, never more: a compression bomb is read only
    as far as the caller reads)."""

    def __init__(self, policy: AddressPolicy, per_host: int = 4, tls: ssl.SSLContext | None = None) -> None:
        self.policy = policy
        self._per_host = per_host
        self._tls = tls if tls is not None else ssl.create_default_context()
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=0, limit_per_host=self._per_host, ssl=self._tls, ttl_dns_cache=300,
                keepalive_timeout=KEEPALIVE, resolver=_SafeResolver(self.policy),
            )  # fmt: skip
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        try:
            self.policy.check_name(url.host)
        except Refused as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        timeouts = request.extensions.get("timeout") or {}
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=timeouts.get("connect", DEFAULT_TIMEOUT),
            connect=_sum(timeouts.get("pool", DEFAULT_TIMEOUT), timeouts.get("connect", DEFAULT_TIMEOUT)),
            sock_read=timeouts.get("read", DEFAULT_TIMEOUT),
        )
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw]
        body = None if request.method in ("GET", "HEAD") else await request.aread()
        with _mapped(request):
            response = await self._open().request(
                request.method, yarl.URL(str(url), encoded=True), headers=headers, data=body,
                allow_redirects=False, timeout=timeout,
            )  # fmt: skip
        major, minor = response.version or (1, 1)
        version = f"HTTP/{major}.{minor}".encode()
        reason = (response.reason or "").encode("latin-1", "replace")
        return httpx.Response(
            status_code=response.status,
            headers=list(response.raw_headers),
            stream=_Body(response, request),
            extensions={"http_version": version, "reason_phrase": reason},
            request=request,
        )

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped(self._request):
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def aclose(self) -> None:
        # A body not read to the end closes its connection (aiohttp does not
        # pool a connection with bytes still in flight).
        self._response.release()


class _mapped:
    """aiohttp's failures as httpx's, the original kept as ``__cause__``."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: BaseException | None, traceback: Any) -> Literal[False]:
        if error is None or isinstance(error, httpx.HTTPError | asyncio.CancelledError):
            return False
        mapped = _httpx_error(error)
        if mapped is None:
            return False
        raise mapped(str(error) or type(error).__name__, request=self._request) from error


def _httpx_error(error: BaseException) -> type[httpx.TransportError] | None:
    if isinstance(error, Refused):
        return httpx.ConnectError
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout
    if isinstance(error, aiohttp.SocketTimeoutError | aiohttp.ServerTimeoutError | TimeoutError):
        return httpx.ReadTimeout
    if isinstance(error, aiohttp.ClientConnectorError):  # DNS, refused, TLS handshake
        return httpx.ConnectError
    if isinstance(error, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol
    if isinstance(error, aiohttp.ServerDisconnectedError | aiohttp.ClientResponseError):
        return httpx.RemoteProtocolError  # closed early, garbled status line or headers
    if isinstance(error, aiohttp.ClientPayloadError | aiohttp.ClientError | OSError):
        return httpx.ReadError
    return None


def _sum(*parts: float | None) -> float | None:
    return None if any(part is None for part in parts) else sum(part for part in parts if part is not None)
