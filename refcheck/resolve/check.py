"""Checking one URL: safety -> redirects -> retries -> politeness -> HTTP, like
muffet's ``checked(redirect(retry(throttle(client))))``.

* requests through :class:`~refcheck.resolve.transport.Transport` (aiohttp's
  pool, the address rule at connection time, no cookies); redirects followed by
  hand so each hop is recorded, checked for safety and for loops;
* GET, reading at most the first 64 KiB (titles and soft-404 clues);
* transient failures (time-outs, resets, 408/425/429/500/502/503/504) retried
  with exponential back-off and jitter (tenacity); Retry-After honoured up to
  a cap, beyond which the link is ``rate-limited`` for this run;
* every request holds a slot of :class:`~refcheck.resolve.politeness.HostLimiter`;
* the link as a whole is capped in time (``CheckSettings.link_cap``), here and
  nowhere else;
* every failure is one of :mod:`refcheck.errors`' classes, turned into a verdict
  by one table, :data:`FAILURE_STATUS`.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from refcheck import defaults
from refcheck.errors import (
    BadAddress,
    BrokenResponse,
    CheckFailure,
    ConnectFailed,
    ConnectTimeout,
    LinkTimeLimit,
    NameNotResolved,
    ReadTimeout,
    Refused,
    TLSFailure,
)
from refcheck.models import Hop, LinkStatus, Verdict
from refcheck.resolve.politeness import HostLimiter
from refcheck.resolve.settings import CheckSettings
from refcheck.resolve.store import VerdictStore
from refcheck.resolve.transport import Answer, HTTPTransport
from refcheck.resolve.verdict import RETRYABLE_STATUSES, classify_response, page_title

DEFAULT_HEADERS = {
    "User-Agent": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0 Safari/537.36 refcheck/0.1 (+link checker)"
    ),
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.8",
    "Accept-Encoding": "gzip, deflate",
}


class _RetryableAnswer(CheckFailure):
    """The server answered with a status worth another attempt (429, 5xx…)."""

    reached = True
    retry = True

    def __init__(self, answer: Answer, wait: float | None) -> None:
        super().__init__(f"HTTP {answer.status}")
        self.answer = answer
        self.wait = wait
        """Seconds the server asked to wait (Retry-After), if it said."""


class _RateLimitedBeyondCap(CheckFailure):
    reached = True

    def __init__(self, answer: Answer, seconds: float, cap: float) -> None:
        super().__init__(f"Retry-After {seconds:.0f} s is beyond the {cap:.0f} s cap")
        self.answer = answer


FAILURE_STATUS: dict[type[CheckFailure], LinkStatus] = {
    Refused: LinkStatus.SKIPPED,
    NameNotResolved: LinkStatus.DEAD,
    BadAddress: LinkStatus.INVALID,
    ConnectFailed: LinkStatus.ERROR,
    ConnectTimeout: LinkStatus.TIMEOUT,
    TLSFailure: LinkStatus.ERROR,
    ReadTimeout: LinkStatus.TIMEOUT,
    BrokenResponse: LinkStatus.ERROR,
    LinkTimeLimit: LinkStatus.TIMEOUT,
    _RateLimitedBeyondCap: LinkStatus.RATE_LIMITED,
}
"""What a failure means for the link, when no HTTP answer is left to judge."""

__all__ = ["FAILURE_STATUS", "Check", "CheckSettings", "Checker", "retry_after"]


@dataclass(slots=True)
class Check:
    """One check's verdict and the evidence beside it."""

    verdict: Verdict
    answered: bool = False
    """A server (any) answered: evidence that the network works."""
    title: str | None = None
    """The final page's title (the soft-404 probe compares them)."""


@dataclass(slots=True)
class _Trail:
    """Where one check has been: the hops so far and whether any server answered."""

    url: str
    hops: list[Hop] = field(default_factory=list)
    answered: bool = False

    def ended(self, status: LinkStatus, current: str, reason: str | None, http_status: int | None = None) -> Check:
        verdict = Verdict(status, http_status=http_status, final_url=current, redirects=self.hops, error=reason)
        return Check(verdict, answered=self.answered)


class Checker:
    def __init__(
        self, settings: CheckSettings, limiter: HostLimiter, transport: HTTPTransport, cache: VerdictStore | None = None
    ) -> None:
        self.settings = settings
        self.limiter = limiter
        self.cache = cache
        self._transport = transport
        self.policy = transport.policy
        self._headers = {**DEFAULT_HEADERS, **(settings.headers or {})}
        self._probes: dict[str, asyncio.Future[Check]] = {}
        self.requests = 0

    async def check(self, url: str) -> Check:
        """The verdict on ``url``, within the link's time cap. Never raises for the
        link's sake: a bug becomes an ``error`` verdict, not the run's end."""
        started = time.monotonic()
        cap = self.settings.link_cap()
        try:
            async with asyncio.timeout(cap):  # not wait_for: no extra task per link
                result = await self._follow(url)
                if result.verdict.status is LinkStatus.OK and self.settings.probe_soft_404:
                    reason = await self._answers_anything(url, result)
                    if reason:
                        result.verdict.status, result.verdict.error = LinkStatus.SOFT_404, reason
        except TimeoutError:
            failure = LinkTimeLimit(f"no verdict within {cap:.0f} s (total time per link)")
            result = Check(Verdict(FAILURE_STATUS[LinkTimeLimit], error=str(failure)), answered=failure.reached)
        except Exception as exc:  # a bug or an unforeseen failure: one link's verdict
            result = Check(Verdict(LinkStatus.ERROR, error=f"internal error: {type(exc).__name__}: {exc}"))
        result.verdict.elapsed_ms = int((time.monotonic() - started) * 1000)
        return result

    async def _answers_anything(self, url: str, result: Check) -> str | None:
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
        final_url = result.verdict.final_url
        if sibling.verdict.status is not LinkStatus.OK or final_url is None:
            return None  # the site says "not found" for made-up pages: its answers can be trusted
        if sibling.verdict.final_url == final_url:
            return "the site sends made-up addresses to the same page"
        if sibling.title and sibling.title == result.title:
            return f"the site answers made-up addresses with the same page ({sibling.title[:60]})"
        return None

    async def _probe(self, folder: str) -> Check:
        if self.cache is not None:
            known = self.cache.probe(folder)
            if known is not None:
                status, final_url, title = known
                return Check(Verdict(status, final_url=final_url), title=title)
        try:
            async with asyncio.timeout(self.settings.link_cap()):
                sibling = await self._follow(folder + "refcheck-" + secrets.token_hex(10), probe=True)
        except TimeoutError:
            return Check(Verdict(LinkStatus.TIMEOUT, error="the soft-404 probe took too long"))
        if self.cache is not None and sibling.answered:
            self.cache.set_probe(folder, sibling.verdict.status, sibling.verdict.final_url, sibling.title)
        return sibling

    async def _follow(self, url: str, probe: bool = False) -> Check:
        trail = _Trail(url)
        seen: set[str] = set()
        current = url
        for _ in range(defaults.MAX_REDIRECTS + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https"):
                status = LinkStatus.SKIPPED if not trail.hops else LinkStatus.ERROR
                return trail.ended(status, current, f"unsupported scheme {parts.scheme or '(none)'}:")
            seen.add(current)
            host = parts.hostname or ""
            try:
                self.policy.check_name(host)  # before taking a slot of the host
                answer = await self._fetch_with_retries(current, host)
            except BadAddress as failure:
                if trail.hops:  # the link is fine; the server's answer is not
                    trail.answered = True
                    return trail.ended(LinkStatus.ERROR, current, f"redirect to an {failure}", trail.hops[-1].status)
                return trail.ended(LinkStatus.INVALID, current, str(failure))
            except _RetryableAnswer as failure:  # retries exhausted: judge the last answer
                trail.answered = True
                answer = failure.answer
                status, reason = classify_response(answer.status, answer.headers, answer.body_head, url, current,
                                                   bool(trail.hops))  # fmt: skip
                return trail.ended(status, current, reason, answer.status)
            except _RateLimitedBeyondCap as failure:
                trail.answered = True
                return trail.ended(LinkStatus.RATE_LIMITED, current, str(failure), failure.answer.status)
            except CheckFailure as failure:
                trail.answered = trail.answered or failure.reached
                return trail.ended(_status_of(failure), current, str(failure))
            trail.answered = True
            location = answer.headers.get("location")
            if 300 <= answer.status < 400 and location is not None:
                trail.hops.append(Hop(current, answer.status))
                try:
                    target = urljoin(current, _location(location))
                    urlsplit(target).port  # noqa: B018 - raises on a bad port
                except ValueError as exc:  # "http://[::1" and the like
                    return trail.ended(LinkStatus.ERROR, current, f"redirect to an invalid address: {exc}",
                                       answer.status)  # fmt: skip
                target = target.split("#", 1)[0]
                if target in seen:
                    return trail.ended(LinkStatus.ERROR, target, "redirect loop", answer.status)
                current = target
                continue
            title = page_title(answer.body_head)
            status, reason = classify_response(
                answer.status, answer.headers, answer.body_head, url, current, bool(trail.hops), title
            )
            if probe and status is LinkStatus.SOFT_404:
                status = LinkStatus.OK  # a made-up address redirected to a front page is what the probe looks for
            result = trail.ended(status, current, reason, answer.status)
            result.title = title
            return result
        return trail.ended(LinkStatus.ERROR, current, f"more than {defaults.MAX_REDIRECTS} redirects")

    async def _fetch_with_retries(self, url: str, host: str) -> Answer:
        try:
            # The first attempt outside tenacity: most links need one, and a
            # retrying loop costs 30 us a request even when nothing fails (measured).
            return await self._attempt(url, host)
        except CheckFailure as failure:
            if self.settings.retries < 1 or not failure.retry:
                raise
            await asyncio.sleep(self._pause(failure, 1))

        def pause(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome is not None else None
            return self._pause(error, state.attempt_number + 1)

        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(self.settings.retries),
            wait=pause,
            retry=retry_if_exception(lambda error: isinstance(error, CheckFailure) and error.retry),
            reraise=True,
        ):
            with attempt:
                return await self._attempt(url, host)
        raise AssertionError("unreachable: tenacity re-raises the last failure")  # pragma: no cover

    def _pause(self, error: BaseException | None, failures: int) -> float:
        """Seconds before the next attempt after ``failures`` failed ones: the
        server's Retry-After when it gave one, else exponential with jitter."""
        if isinstance(error, _RetryableAnswer) and error.wait is not None:
            return float(error.wait)
        settings = self.settings
        exponential: float = settings.backoff_initial * 2.0 ** (failures - 1)
        return min(settings.backoff_max, exponential) + random.uniform(0.0, settings.backoff_initial)

    async def _attempt(self, url: str, host: str) -> Answer:
        async with self.limiter.slot(host):
            self.requests += 1
            answer = await self._transport.fetch(url, self._headers, host=host)
        if answer.status in RETRYABLE_STATUSES:
            delay = retry_after(answer.headers)
            cap = self.settings.retry_after_cap
            if delay is not None and delay > cap:
                if answer.status in (429, 503):
                    self.limiter.back_off(host, cap)
                    raise _RateLimitedBeyondCap(answer, delay, cap)
                delay = None  # a 500 asking for hours: ordinary back-off, then server-error
            if answer.status in (429, 503) and delay is not None:
                self.limiter.back_off(host, delay)
            raise _RetryableAnswer(answer, delay)
        return answer


def _status_of(failure: CheckFailure) -> LinkStatus:
    for kind in type(failure).__mro__:
        status = FAILURE_STATUS.get(kind)  # type: ignore[call-overload]
        if status is not None:
            return status
    return LinkStatus.ERROR


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


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP-date (RFC 9110 10.2.3).
    ``headers``: lower-case names, as :class:`~refcheck.resolve.transport.Answer` has them."""
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
