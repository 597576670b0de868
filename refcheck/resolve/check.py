"""Checking one URL: safety -> redirects -> retries -> throttle -> HTTP, like
muffet's ``checked(redirect(retry(throttle(client))))``.

* httpx requests through refcheck's own transport (``transport.py``: aiohttp's
  pool, the address rule at connection time, no cookies), sent without an
  ``httpx.AsyncClient`` on top -- its per-request merging of cookies, auth,
  base URL and hooks cost 0.17 ms of CPU per URL (measured) for features a
  checker does not use; redirects followed by hand so each hop is recorded,
  checked for safety and for loops;
* GET, streamed, reading at most the first 64 KiB (titles and soft-404 clues);
* transient failures (time-outs, resets, 408/425/429/500/502/503/504) retried
  with exponential back-off and jitter (tenacity); Retry-After honoured up to
  a cap, beyond which the link is ``rate-limited`` for this run.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import secrets
import socket
import ssl
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

import aiohttp
import certifi
import httpx
from tenacity import AsyncRetrying, RetryCallState, RetryError, retry_if_exception, stop_after_attempt

from refcheck.models import Hop
from refcheck.resolve.cache import Cache
from refcheck.resolve.politeness import Throttle
from refcheck.resolve.safety import AddressPolicy, NameNotResolved, Refused
from refcheck.resolve.transport import AiohttpTransport
from refcheck.resolve.verdict import RETRYABLE_STATUSES, Verdict, classify_response, page_title

BODY_LIMIT = 64 * 1024
PROBE_FOR = 86_400.0  # a site's answer to made-up addresses, cached per host and folder for a day
MAX_REDIRECTS = 10
RETRY_AFTER_CAP = 60.0
DEFAULT_HEADERS = {
    "User-Agent": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0 Safari/537.36 refcheck/0.1 (+link checker)"
    ),
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.8",
    "Accept-Encoding": "gzip, deflate",
}
_DNS_FAILURE_HINTS = ("name or service not known", "nodename nor servname", "no address associated",
                      "name does not resolve", "temporary failure in name resolution", "getaddrinfo failed")  # fmt: skip
# "temporary failure" (EAI_AGAIN) is a DNS failure but not a verdict on the name: retried.


@dataclass(slots=True)
class CheckSettings:
    timeout: float = 20.0
    retries: int = 2
    allow_private: bool = False
    per_host: int = 4
    headers: dict[str, str] | None = None
    retry_after_cap: float = RETRY_AFTER_CAP
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    link_time_limit: float | None = None
    """Seconds for one link as a whole; None: derived from timeout, retries and the Retry-After cap."""

    def link_cap(self) -> float:
        """Every request has its own time-outs; this caps a link as a whole (retries,
        back-off, redirects, a server that drips its body a byte at a time)."""
        return self.link_time_limit or self.timeout * (self.retries + 1) * 2 + self.retry_after_cap + 5

    probe_soft_404: bool = True
    """Ask for a made-up sibling of each live page to catch sites that answer everything."""


@dataclass(slots=True)
class _Answer:
    status: int
    headers: dict[str, str]
    """Lower-case names (the last of repeated ones): plain dict lookups, not
    httpx.Headers', which decode on every access (a hot spot, measured)."""
    body_head: bytes


class _Transient(Exception):
    def __init__(
        self,
        reason: str,
        answer: _Answer | None = None,
        wait: float | None = None,
        reached: bool = False,
        final: bool = False,
    ) -> None:
        super().__init__(reason)
        self.answer = answer
        self.wait = wait
        self.reached = reached or answer is not None
        """A server was reached (connected) even if it did not answer well: the network works."""
        self.final = final
        """Not worth a retry: the same answer would come back (a certificate that does not verify)."""


class _RateLimitedBeyondCap(Exception):
    def __init__(self, answer: _Answer, seconds: float) -> None:
        super().__init__(f"Retry-After {seconds:.0f} s is beyond the {RETRY_AFTER_CAP:.0f} s cap")
        self.answer = answer


class Checker:
    def __init__(self, settings: CheckSettings, throttle: Throttle, cache: Cache | None = None) -> None:
        self.settings = settings
        self.throttle = throttle
        self.cache = cache
        self.policy = AddressPolicy(settings.allow_private)
        # One TLS context (loading the CA bundle costs 20 ms of CPU, measured).
        self._transport = AiohttpTransport(
            self.policy, settings.per_host, ssl.create_default_context(cafile=certifi.where())
        )
        self._headers = httpx.Headers({**DEFAULT_HEADERS, **(settings.headers or {})})
        timeout = settings.timeout
        self._extensions: dict[str, Any] = {"timeout": {"connect": timeout, "read": timeout, "write": timeout,
                                                        "pool": timeout}}  # fmt: skip
        self._probes: dict[str, asyncio.Future[Verdict]] = {}
        self.requests = 0

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def check(self, url: str) -> Verdict:
        started = time.monotonic()
        verdict = await self._follow(url)
        if verdict.status == "ok" and self.settings.probe_soft_404:
            reason = await self._answers_anything(url, verdict)
            if reason:
                verdict.status, verdict.error = "soft-404", reason
        verdict.elapsed_ms = int((time.monotonic() - started) * 1000)
        return verdict

    async def _answers_anything(self, url: str, verdict: Verdict) -> str | None:
        """The Bar-Yossef probe: ask for a made-up sibling of ``url``. If the site
        answers it with the same page as ``url`` (same final address, or same
        title), the site answers everything that way, and ``url`` is a soft 404.
        One probe per host and section per run (cached a day), shared by concurrent checks."""
        parts = urlsplit(url)
        if parts.path in ("", "/"):
            return None
        # The section (first folder), not the full folder: news sites file every
        # article in its own dated folder, and a probe per folder would double the
        # requests; a site's catch-all behaviour is per section at most.
        segments = [segment for segment in parts.path.split("/") if segment]
        folder = f"/{segments[0]}/" if len(segments) > 1 else "/"
        # No user-info: the probe's address is cached, and credentials never are.
        key = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{folder}"
        probe = self._probes.get(key)
        if probe is None or (probe.done() and (probe.cancelled() or probe.exception() is not None)):
            probe = self._probes[key] = asyncio.ensure_future(self._probe(key))
        # Shielded: a link that runs out of time while waiting must not cancel the
        # probe that other links of the section share.
        sibling = await asyncio.shield(probe)
        if sibling.status != "ok" or verdict.final_url is None:
            return None  # the site says "not found" for made-up pages: its answers can be trusted
        if sibling.final_url == verdict.final_url:
            return "the site sends made-up addresses to the same page"
        if sibling.title and sibling.title == verdict.title:
            return f"the site answers made-up addresses with the same page ({sibling.title[:60]})"
        return None

    async def _probe(self, folder: str) -> Verdict:
        cached = self.cache.get("probe:" + folder) if self.cache is not None else None
        if isinstance(cached, dict):
            return Verdict(str(cached.get("status")), final_url=cached.get("final_url"), title=cached.get("title"))
        try:
            async with asyncio.timeout(self.settings.link_cap()):
                sibling = await self._follow(folder + "refcheck-" + secrets.token_hex(10), probe=True)
        except TimeoutError:
            return Verdict("timeout", error="the soft-404 probe took too long")
        if self.cache is not None and sibling.network_answered:
            self.cache.set("probe:" + folder, {"status": sibling.status, "final_url": sibling.final_url,
                                               "title": sibling.title}, expire=PROBE_FOR)  # fmt: skip
        return sibling

    async def _follow(self, url: str, probe: bool = False) -> Verdict:
        hops: list[Hop] = []
        seen: set[str] = set()
        current = url
        answered = False
        for _ in range(MAX_REDIRECTS + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https"):
                status = "skipped" if not hops else "error"
                return Verdict(
                    status, None, current, hops, f"unsupported scheme {parts.scheme or '(none)'}:", None, answered
                )
            try:
                self.policy.check_name(parts.hostname or "")
            except Refused as exc:
                return Verdict("skipped", None, current, hops, str(exc), None, answered)
            seen.add(current)
            try:
                answer = await self._fetch_with_retries(current)
            except NameNotResolved as exc:
                return Verdict("dead", None, current, hops, f"domain does not resolve: {exc}", None, answered)
            except Refused as exc:  # the name resolved to a private address
                return Verdict("skipped", None, current, hops, str(exc), None, answered)
            except (httpx.InvalidURL, ValueError) as exc:  # ValueError: a bad IDNA label, port (httpx, yarl)
                if hops:  # the link is fine; the server's answer is not
                    return Verdict("error", hops[-1].status, current, hops, f"redirect to an invalid address: {exc}",
                                   None, True)  # fmt: skip
                return Verdict("invalid", None, current, hops, f"invalid address: {exc}", None, answered)
            except _RateLimitedBeyondCap as exc:
                return Verdict("rate-limited", exc.answer.status, current, hops, str(exc), None, True)
            except _Transient as exc:  # retries exhausted
                if exc.answer is not None:
                    status, reason = classify_response(exc.answer.status, exc.answer.headers, exc.answer.body_head,
                                                       url, current, bool(hops))  # fmt: skip
                    return Verdict(status, exc.answer.status, current, hops, reason, None, True)
                return Verdict(
                    _transport_status(str(exc)), None, current, hops, str(exc), None, answered or exc.reached
                )
            answered = True
            if 300 <= answer.status < 400 and "location" in answer.headers:
                hops.append(Hop(current, answer.status))
                try:
                    target = urljoin(current, _location(answer.headers["location"]))
                except ValueError as exc:  # "http://[::1" and the like
                    return Verdict("error", answer.status, current, hops, f"redirect to an invalid address: {exc}",
                                   None, True)  # fmt: skip
                target = target.split("#", 1)[0]
                if target in seen:
                    return Verdict("error", answer.status, target, hops, "redirect loop", None, True)
                current = target
                continue
            status, reason = classify_response(
                answer.status, answer.headers, answer.body_head, url, current, bool(hops)
            )
            if probe and status == "soft-404":
                status = "ok"  # a made-up address redirected to a front page is what the probe looks for
            verdict = Verdict(status, answer.status, current, hops, reason, None, True)
            verdict.title = page_title(answer.body_head)
            return verdict
        return Verdict("error", None, current, hops, f"more than {MAX_REDIRECTS} redirects", None, answered)

    async def _fetch_with_retries(self, url: str) -> _Answer:
        host = urlsplit(url).hostname or ""
        try:
            # The first attempt outside tenacity: most links need one, and a
            # retrying loop costs 30 us a request even when nothing fails (measured).
            return await self._attempt(url, host)
        except _Transient as failure:
            if self.settings.retries < 1 or failure.final:
                raise
            await asyncio.sleep(self._pause(failure, 1))

        def pause(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome is not None else None
            return self._pause(error, state.attempt_number + 1)

        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.settings.retries),
                wait=pause,
                retry=retry_if_exception(_retryable),
                reraise=True,
            ):
                with attempt:
                    return await self._attempt(url, host)
        except RetryError as exc:  # pragma: no cover - reraise=True hands back the last error
            raise _Transient(str(exc)) from None
        raise _Transient("no attempt made")  # pragma: no cover

    def _pause(self, error: BaseException | None, failures: int) -> float:
        """Seconds before the next attempt after ``failures`` failed ones: the
        server's Retry-After when it gave one, else exponential with jitter."""
        if isinstance(error, _Transient) and error.wait is not None:
            return float(error.wait)
        settings = self.settings
        exponential: float = settings.backoff_initial * 2.0 ** (failures - 1)
        return min(settings.backoff_max, exponential) + random.uniform(0.0, settings.backoff_initial)

    async def _attempt(self, url: str, host: str) -> _Answer:
        answer = await self._fetch_once(url, host)
        if answer.status in RETRYABLE_STATUSES:
            delay = _retry_after(answer.headers)
            if delay is not None and delay > self.settings.retry_after_cap:
                if answer.status in (429, 503):
                    self.throttle.back_off(host, self.settings.retry_after_cap)
                    raise _RateLimitedBeyondCap(answer, delay)
                delay = None  # a 500 asking for hours: ordinary back-off, then server-error
            if answer.status in (429, 503) and delay is not None:
                self.throttle.back_off(host, delay)
            raise _Transient(f"HTTP {answer.status}", answer, delay)
        return answer

    async def _fetch_once(self, url: str, host: str) -> _Answer:
        request = httpx.Request("GET", url, headers=self._headers, extensions=self._extensions)
        async with self.throttle.slot(host):
            self.requests += 1
            try:
                response = await self._transport.handle_async_request(request)
                headers = {name.decode("latin-1").lower(): value.decode("latin-1")
                           for name, value in response.headers.raw}  # fmt: skip
                try:
                    # The transport's own stream, not httpx's aiter_bytes: that layer costs
                    # 8 us a request (measured), and its decoders inflate each chunk whole.
                    stream = cast(httpx.AsyncByteStream, response.stream)
                    if "content-encoding" in headers:
                        head = await _decoded_head(stream, headers["content-encoding"])
                    else:
                        head = bytearray()
                        async for chunk in stream:
                            head += chunk
                            if len(head) >= BODY_LIMIT:
                                break  # never download a whole large file
                finally:
                    await response.aclose()
            except httpx.TransportError as exc:
                raise _transport_failure(exc, host) from None
            except zlib.error as exc:
                raise _Transient(f"bad response: undecodable {headers.get('content-encoding')} body ({exc})",
                                 reached=True) from None  # fmt: skip
        return _Answer(response.status_code, headers, bytes(head[:BODY_LIMIT]))


_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


async def _decoded_head(stream: httpx.AsyncByteStream, encoding: str) -> bytearray:
    """The first BODY_LIMIT bytes of a compressed body, inflated no further: a gzip
    bomb's 256 KiB chunk would be 256 MiB inflated whole (httpx's decoders do that).
    Encodings other than gzip and deflate (not asked for, or stacked) are kept as sent."""
    head = bytearray()
    wbits = _WBITS.get(encoding.strip().lower())
    if wbits is None:
        async for chunk in stream:
            head += chunk
            if len(head) >= BODY_LIMIT:
                break
        return head
    inflate = zlib.decompressobj(wbits)
    async for chunk in stream:
        try:
            head += inflate.decompress(chunk, BODY_LIMIT - len(head))
        except zlib.error:
            if wbits != zlib.MAX_WBITS or head:
                raise
            wbits = -zlib.MAX_WBITS  # "deflate" sent raw, without its zlib wrapper (common)
            inflate = zlib.decompressobj(wbits)
            head += inflate.decompress(chunk, BODY_LIMIT - len(head))
        if len(head) >= BODY_LIMIT or inflate.eof:
            break
    return head


def _transport_failure(exc: httpx.TransportError, host: str) -> Exception:
    """What went wrong below HTTP: Refused (the address rule), NameNotResolved,
    or a _Transient that says whether a server was reached. The transport keeps
    aiohttp's own exception as the cause, which tells DNS and TLS apart."""
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    if isinstance(cause, Refused):
        return cause
    message = str(cause) or type(cause).__name__
    lowered = message.lower()
    if isinstance(cause, aiohttp.ClientConnectorDNSError) or any(hint in lowered for hint in _DNS_FAILURE_HINTS):
        os_error = getattr(cause, "os_error", None)
        if "temporary failure" in lowered or getattr(os_error, "errno", None) == socket.EAI_AGAIN:
            # The resolver could not answer (no network, overloaded): not a verdict on the name.
            return _Transient(f"DNS lookup failed for now: {message}")
        return NameNotResolved(f"{host}: {message}")
    if isinstance(cause, aiohttp.ClientConnectorCertificateError):  # the same certificate on a retry
        detail = getattr(cause.certificate_error, "verify_message", None) or message
        return _Transient(f"TLS failure: certificate not accepted ({detail})", final=True)
    if isinstance(cause, aiohttp.ClientSSLError | ssl.SSLError):
        return _Transient(f"TLS failure: {message}")
    if isinstance(exc, httpx.ConnectTimeout):
        return _Transient("timeout: could not connect in time")
    if isinstance(exc, httpx.ConnectError):
        return _Transient(f"connection failed: {message}")
    if isinstance(exc, httpx.TimeoutException):
        return _Transient("timeout: the server stopped answering", reached=True)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return _Transient(f"bad address: {message}")
    if isinstance(cause, aiohttp.ClientResponseError):  # garbled status line or headers ("400" is aiohttp's)
        return _Transient(f"bad response: {_one_line(cause.message)}", reached=True)
    if isinstance(cause, aiohttp.ClientPayloadError):
        return _Transient(f"connection broken in the body: {_one_line(message)}", reached=True)
    return _Transient(f"connection broken: {message}", reached=True)


def _location(value: str) -> str:
    """A Location header as its sender meant it. Header values arrive as latin-1
    (one character a byte); a server that sends a non-ASCII address sends UTF-8,
    which read as latin-1 turns ``ｅｘａｍｐｌｅ`` into ``ï½…``. Bytes that are not
    UTF-8 stay latin-1."""
    value = value.strip()
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _one_line(text: str, limit: int = 160) -> str:
    """aiohttp's parser messages span lines, with a caret under the bad byte."""
    text = " ".join(word for word in text.split() if word != "^")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _retryable(error: BaseException) -> bool:
    return isinstance(error, _Transient) and not error.final


def _transport_status(reason: str) -> str:
    return "timeout" if reason.startswith("timeout") else "error"


def _retry_after(headers: dict[str, str]) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP-date (RFC 9110 10.2.3)."""
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # not str.isdigit alone: "²" is a digit to it
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
