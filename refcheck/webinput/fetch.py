"""Fetching a live page, sitemap or feed: the link checker's rules, streamed.

The same as a link check: the address policy on every hop (no loopback, private or
link-local address unless ``--allow-private``; checked by the connection pool's resolver
on the very addresses it connects to), the same User-Agent and headers, the same
per-host limits and spacing (:class:`~refcheck.resolve.politeness.HostLimiter`), the
same per-step time-out. Beyond it: redirects followed here (at most
``defaults.MAX_REDIRECTS``, each hop http(s) only and checked again), a time limit for
the whole fetch (a body dripped a byte at a time ends too), and the body streamed to a
:class:`Sink` that says when it has enough -- a sitemap listing a million addresses is
read only as far as the run needs, a feed that never ends stops at its byte limit.
Content-Encoding (gzip, deflate) is inflated piece by piece, never more than a sink
takes. Conditional GET: the caller's validators go out as ``If-None-Match`` /
``If-Modified-Since``; a 304 comes back as such.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from refcheck import defaults
from refcheck.errors import CheckFailure
from refcheck.resolve.politeness import HostLimiter, HostRule
from refcheck.resolve.safety import AddressPolicy
from refcheck.resolve.transport import Streamed, Transport, content_wbits

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PIECE = 1 << 16
"""Bytes inflated at a time: a gzip bomb's chunk never becomes more than this at once."""


class FetchFailed(Exception):
    """The page, sitemap or feed could not be had; the message says why, in one line."""


class Sink(Protocol):
    def begin(self, final_url: str) -> None:
        """The body about to come is that of ``final_url`` (redirects followed)."""
        ...

    def write(self, chunk: bytes) -> bool:
        """Take the next bytes of the body (inflated); False: no more are wanted."""
        ...


@dataclass(slots=True)
class Collect:
    """A sink that keeps the body up to ``limit`` bytes (``over``: more was sent)."""

    limit: int
    data: bytearray = field(default_factory=bytearray)
    over: bool = False

    def begin(self, final_url: str) -> None:
        return None

    def write(self, chunk: bytes) -> bool:
        room = self.limit - len(self.data)
        self.data += chunk[:room]
        if len(chunk) > room:
            self.over = True
            return False
        return True


@dataclass(frozen=True, slots=True)
class Validators:
    """What the last full answer said to ask next time (conditional GET)."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        sent = {}
        if self.etag:
            sent["If-None-Match"] = self.etag
        if self.last_modified:
            sent["If-Modified-Since"] = self.last_modified
        return sent


@dataclass(slots=True)
class Fetched:
    final_url: str
    status: int
    """200, or 304 (not modified: the caller's copy stands)."""
    headers: dict[str, str]
    """Lower-case names."""
    timed_out: bool = False
    """The body was still coming when the time limit passed (what came is in the sink)."""

    @property
    def validators(self) -> Validators:
        return Validators(self.headers.get("etag"), self.headers.get("last-modified"))

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


@dataclass(frozen=True, slots=True)
class WebSettings:
    timeout: float = defaults.TIMEOUT
    allow_private: bool = False
    allowed_networks: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    per_host: int = defaults.PER_HOST
    host_interval: float = defaults.HOST_INTERVAL
    domain_rules: Mapping[str, HostRule] = field(default_factory=dict)
    concurrency: int = defaults.CONCURRENCY
    time_limit: float | None = None
    """Seconds for one fetch as a whole; None: :func:`defaults.web_time_cap` of ``timeout``."""

    @property
    def time_cap(self) -> float:
        return self.time_limit if self.time_limit is not None else defaults.web_time_cap(self.timeout)


class WebClient:
    """Requests of one event loop: one connection pool, one set of host limits."""

    def __init__(self, settings: WebSettings) -> None:
        from refcheck.resolve.check import DEFAULT_HEADERS

        self.settings = settings
        self.transport = Transport(AddressPolicy(settings.allow_private, settings.allowed_networks), settings.timeout)
        self.limiter = HostLimiter(
            HostRule(settings.per_host, settings.host_interval), domain_rules=dict(settings.domain_rules)
        )
        self.headers = {**DEFAULT_HEADERS, **settings.headers}
        self.requests = 0
        self.downloads = 0
        """Full answers (200) received; a 304 is a request but not a download."""
        self._slots: asyncio.Semaphore | None = None

    async def get(self, url: str, sink: Sink, validators: Validators | None = None) -> Fetched:
        """GET ``url``, redirects followed, the body streamed into ``sink`` (not for a
        304). Raises :class:`FetchFailed`."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.settings.concurrency)
        cap = self.settings.time_cap
        deadline = asyncio.get_running_loop().time() + cap
        async with self._slots:
            try:
                # The body loop stops itself at the deadline; this is the backstop for
                # the parts before it (a redirect chain of slow servers).
                return await asyncio.wait_for(
                    self._follow(url, sink, validators, deadline), cap + self.settings.timeout + 1
                )
            except TimeoutError:
                raise FetchFailed(f"timeout: no complete answer in {cap:g} s") from None

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def _follow(self, url: str, sink: Sink, validators: Validators | None, deadline: float) -> Fetched:
        headers = {**self.headers, **(validators.headers() if validators else {})}
        current = url
        for _ in range(defaults.MAX_REDIRECTS + 1):
            parts = urlsplit(current)
            if parts.scheme.lower() not in ("http", "https"):
                raise FetchFailed(f"redirected to a non-web address ({_shown(current)}): not followed")
            host = parts.hostname or ""
            async with self.limiter.slot(host):
                fetched = await self._one(current, host, headers, sink, deadline)
            if isinstance(fetched, Fetched):
                return fetched
            current = fetched
        raise FetchFailed(f"redirects more than {defaults.MAX_REDIRECTS} times (a loop?)")

    async def _one(self, url: str, host: str, headers: dict[str, str], sink: Sink, deadline: float) -> Fetched | str:
        """One request: the answer, or the next address of a redirect."""
        self.requests += 1
        try:
            async with self.transport.open(url, headers, timeout=self.settings.timeout, host=host) as answer:
                status, answer_headers = answer.status, answer.headers
                location = answer_headers.get("location")
                if status in _REDIRECTS and location:
                    return urljoin(url, location.strip()).split("#", 1)[0]
                if status == 304:
                    return Fetched(url, status, answer_headers)
                if status != 200:
                    raise FetchFailed(f"HTTP {status}{_phrase(status)}")
                self.downloads += 1
                sink.begin(url)
                timed_out = await _stream(answer, sink, deadline)
                return Fetched(url, status, answer_headers, timed_out)
        except CheckFailure as failure:  # refused, unreachable, timed out, reset…: the checker's words
            raise FetchFailed(str(failure)) from None
        except zlib.error as exc:
            raise FetchFailed(f"bad response: undecodable compressed body ({exc})") from None


async def _stream(answer: Streamed, sink: Sink, deadline: float) -> bool:
    """Feed the body to ``sink`` until it has enough, the body ends, or the deadline
    passes (then True)."""
    loop = asyncio.get_running_loop()
    inflater = Inflater(content_wbits(answer.headers.get("content-encoding")))
    async for chunk in answer.chunks():
        for piece in inflater.pieces(chunk):
            if not sink.write(piece):
                return False
        if inflater.done:
            return False
        if loop.time() > deadline:
            return True
    return False


class Inflater:
    """gzip/deflate (or nothing: ``wbits`` None) inflated in pieces of at most 64 KiB."""

    def __init__(self, wbits: int | None) -> None:
        self._wbits = wbits
        self._inflate = zlib.decompressobj(wbits) if wbits is not None else None
        self._started = False

    @property
    def done(self) -> bool:
        return self._inflate is not None and self._inflate.eof

    def pieces(self, chunk: bytes) -> Iterator[bytes]:
        if self._inflate is None:
            yield chunk
            return
        data = chunk
        while data and not self._inflate.eof:
            try:
                piece = self._inflate.decompress(data, _PIECE)
            except zlib.error:
                if self._wbits != zlib.MAX_WBITS or self._started:
                    raise
                # "deflate" sent raw, without its zlib wrapper (common)
                self._wbits = -zlib.MAX_WBITS
                self._inflate = zlib.decompressobj(self._wbits)
                continue
            self._started = True
            if piece:
                yield piece
            data = self._inflate.unconsumed_tail


def _phrase(status: int) -> str:
    try:
        return f" ({HTTPStatus(status).phrase.lower()})"
    except ValueError:
        return ""


def _shown(url: str, limit: int = 80) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"
