"""Internet Archive (Wayback Machine) copies closest to when a link was cited.

Wire formats: docs/archive-wire-formats.md (with sources). In short:

* Availability API ``/wayback/available?url=<encoded>&timestamp=YYYYMMDDhhmmss``:
  ``archived_snapshots.closest`` with ``status`` as a *string*; an empty
  ``archived_snapshots`` is not proof of absence (it happens for archived URLs),
  so a miss is confirmed with
* the CDX API ``/cdx/search/cdx?url=…&output=json&fl=timestamp,original,statuscode
  &filter=statuscode:200&sort=closest&closest=…&limit=1``: row 0 is the header;
  ``[]``, an empty body or a header-only answer mean "no capture"; a blocked
  site answers 403 with a plain-text "Blocked Site Error".
* Snapshot links are built as ``https://web.archive.org/web/<timestamp>/<original>``.
* A capture's page as archived (content drift): ``/web/<timestamp>id_/<original>``
  (the ``id_`` form: no toolbar, links not rewritten), one more request under the
  same host rule, bounded to :data:`~refcheck.resolve.drift.PAGE_LIMIT` bytes.

Politeness through the run's one :class:`~refcheck.resolve.politeness.HostLimiter`,
with a rule of its own for the archive's hosts: one request in flight, at least
``interval`` seconds between requests (the CDX API allows about 30 a minute);
429 -> the host backs off ``backoff`` seconds, or its Retry-After if longer (the Wayback
Machine sends none; one above ``retry_after_cap`` is not waited for), and the request is tried again
(tenacity), a bounded number of times, then ``available: null``. If the archive cannot be reached at all, the lookups of
this run stop at once (``available: null``) instead of waiting out every link.
Only an HTTP answer counts as "the archive answered" (which tells the resolver
the network works): a server that accepts the connection and closes it, or says
nothing, has not answered, and before any answer it counts as unreachable.

What the archive sends is data from a server: the ``original`` address in its
answer is kept only if it is an http(s) URL, characters that are not URL
characters (``|``, spaces, quotes, controls) are percent-encoded, and
credentials in it are masked.
Results are cached: found 30 days, not found 1 day, undetermined not at all.

More archives (``archives`` holding ``memento``): when the Wayback Machine has no
capture within ``near_days`` of the citation date (none at all for a citation
without a date), a Memento aggregator is asked (:mod:`refcheck.resolve.memento`), under
a host rule of its own (one request in flight, ``interval`` apart), with the same
retries on 429 -- and on 503, which an aggregator answers when it is overloaded --
honouring Retry-After up to ``retry_after_cap``; its answer is read to
``memento_body_limit`` bytes within ``memento_deadline`` seconds. The capture nearest
the citation date wins, whichever archive holds it (the Wayback one at equal
distance). If the aggregator cannot be reached (or never answers) it is not asked
again this run; the Wayback Machine still is. Such answers are cached under a day
key of their own (:meth:`ArchiveSettings.cache_day`).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from refcheck.errors import ArchiveUndetermined, ArchiveUnreachable
from refcheck.models import ArchiveCopy
from refcheck.redact import redact
from refcheck.resolve import memento
from refcheck.resolve.check import retry_after
from refcheck.resolve.politeness import HostLimiter, HostRule
from refcheck.resolve.settings import ArchiveSettings
from refcheck.resolve.store import VerdictStore
from refcheck.resolve.transport import Transport, make_httpx_transport
from refcheck.resolve.wayback import raw_capture_url, wayback_timestamp

__all__ = ["Archive", "ArchiveSettings", "wayback_timestamp"]


class _RateLimited(ArchiveUndetermined):
    """A 429 (or a 503 where it is retried): tried again after the back-off, a bounded number of times."""


class _TooLarge(ArchiveUndetermined):
    """An answer longer than the reader's limit (the server answered, uselessly)."""


_ENCODING_HEADERS = ("content-encoding", "content-length", "transfer-encoding")
"""Headers that describe the body as sent, not as decoded (dropped from a bounded read)."""


class Archive:
    """The archive client. It shares the run's transport (one connection pool, the
    address rule) and host limiter; it closes neither."""

    def __init__(
        self, settings: ArchiveSettings, cache: VerdictStore | None, limiter: HostLimiter, transport: Transport
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.answered = False
        """The archive answered at least once this run (the network works)."""
        self.unreachable: str | None = None
        self.memento_unreachable: str | None = None
        """Why the Memento aggregator is not asked again this run (None: it still is)."""
        self.requests = 0
        self._limiter = limiter
        self._ruled: set[str] = set()
        """Hosts given the archive's rule (one request in flight, ``interval`` apart)."""
        self._answered_origins: set[str] = set()
        """``scheme://host:port`` of every server that answered this run."""
        bases = {settings.wayback_url, settings.cdx_url} | ({settings.memento_url} if settings.memento else set())
        for base in bases:
            self._rule_host(_host(base))
        self._client = httpx.AsyncClient(
            transport=make_httpx_transport(transport),
            timeout=httpx.Timeout(settings.timeout),
            headers={"User-Agent": settings.user_agent, "Accept": "application/json"},
            follow_redirects=True,
            trust_env=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    @property
    def notes(self) -> list[str]:
        """What this run's summary should say about the archives besides ``unreachable``."""
        if self.memento_unreachable is None:
            return []
        return [f"{self.memento_unreachable}; other archives not asked this run"]

    def _rule_host(self, host: str) -> None:
        """The archive's rule for ``host`` (once: setting it again would reset its spacing)."""
        if host and host not in self._ruled:
            self._ruled.add(host)
            self._limiter.set_rule(host, HostRule(limit=1, interval=self.settings.interval))

    def snapshot_url(self, timestamp: str, original: str, asked: str | None = None) -> str:
        """``<base>/web/<timestamp>/<original>``; an ``original`` that is not an
        http(s) URL is replaced by ``asked`` (the address looked up)."""
        if asked is not None and not original.lower().startswith(("http://", "https://")):
            original = asked
        return redact(f"{self.settings.cdx_url.rstrip('/')}/web/{timestamp}/{_url_characters(original)}")

    async def closest(self, url: str, date: str | None, *, offline: bool = False) -> ArchiveCopy:
        """The capture closest to ``date`` (ISO, or None for the latest). ``offline``: cache only."""
        timestamp = wayback_timestamp(date)
        day = self.settings.cache_day(timestamp)
        if self.cache is not None:
            cached = self.cache.archive_copy(url, day)
            if cached is not None:
                return cached
        if offline or self.unreachable is not None:
            return ArchiveCopy(None)
        try:
            found = await self._availability(url, timestamp)
            if found is None:
                found = await self._cdx(url, timestamp)
        except ArchiveUnreachable as exc:
            if not self.answered:
                self.unreachable = str(exc)
            return ArchiveCopy(None)
        except ArchiveUndetermined:
            return ArchiveCopy(None)
        keep = True
        if self._wants_memento(found, timestamp, dated=date is not None):
            found, keep = self._nearer(found, await self._memento(url, timestamp), timestamp)
        if self.cache is not None and keep:
            self.cache.set_archive_copy(url, day, found)
        return found

    def _wants_memento(self, wayback: ArchiveCopy, timestamp: str, *, dated: bool) -> bool:
        """Whether the aggregator is asked after the Wayback Machine answered ``wayback``:
        no capture at all, or (for a dated citation) none within ``near_days``. Not when
        the Wayback Machine could not tell (nothing to fall back from)."""
        if not self.settings.memento or wayback.available is None:
            return False
        if not wayback.available or not wayback.timestamp:
            return True
        return dated and memento.distance_days(wayback.timestamp, timestamp) > self.settings.near_days

    @staticmethod
    def _nearer(wayback: ArchiveCopy, other: ArchiveCopy, timestamp: str) -> tuple[ArchiveCopy, bool]:
        """The answer of both archives, and whether it may be cached: the capture nearer
        ``timestamp`` (the Wayback one at equal distance); when the aggregator could not
        tell, the Wayback capture (if any) for this run only -- a nearer one may exist."""
        if other.available is None:
            return wayback if wayback.available else ArchiveCopy(None), False
        if not other.available or not other.timestamp:
            return wayback if wayback.available else ArchiveCopy(False, None, None, memento.SOURCE), True
        nearer_wayback = (
            wayback.available
            and wayback.timestamp
            and memento.distance_days(wayback.timestamp, timestamp) <= memento.distance_days(other.timestamp, timestamp)
        )
        return (wayback if nearer_wayback else other), True

    async def _memento(self, url: str, timestamp: str) -> ArchiveCopy:
        """The aggregator's capture nearest ``timestamp``: found, confirmed none (404, or
        no usable memento), or undetermined (``available`` None)."""
        if self.memento_unreachable is not None:
            return ArchiveCopy(None)
        address = memento.query_url(self.settings.memento_url, timestamp, url)
        try:
            response = await self._request(
                "GET", address, retry_statuses=(429, 503), limit=self.settings.memento_body_limit,
                deadline=self.settings.memento_deadline,
            )  # fmt: skip
        except (ArchiveUnreachable, ArchiveUndetermined) as exc:
            if _origin(address) not in self._answered_origins:  # never answered: down, or silent
                self.memento_unreachable = f"memento aggregator: {exc}"
            return ArchiveCopy(None)
        if response.status_code == 404:
            return ArchiveCopy(False, None, None, memento.SOURCE)
        if response.status_code != 200:
            return ArchiveCopy(None)
        try:
            best = memento.nearest(memento.parse(response.content), timestamp)
        except memento.Garbage:
            return ArchiveCopy(None)
        if best is None:  # mementos listed, none of them usable
            return ArchiveCopy(False, None, None, memento.SOURCE)
        return ArchiveCopy(True, redact(best.uri), best.timestamp, memento.SOURCE)

    async def capture_page(self, copy: ArchiveCopy, limit: int) -> tuple[int, str | None, bytes] | None:
        """The page of capture ``copy`` as archived: (HTTP status, content type, at most
        ``limit`` bytes of body); None when the archive could not be asked or did not answer."""
        if not copy.available or not copy.url or not copy.timestamp or self.unreachable is not None:
            return None
        if copy.source == memento.SOURCE:  # another archive's capture: polite to its host too
            address: str | None = memento.raw_capture_url(copy.url, copy.timestamp)
            self._rule_host(_host(copy.url))
        else:
            address = raw_capture_url(copy.url, copy.timestamp)
        if address is None:
            return None
        try:
            response = await self._request(
                "GET", address, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, limit=limit,
                truncate=True,
            )  # fmt: skip
        except ArchiveUnreachable as exc:
            if not self.answered:
                self.unreachable = str(exc)
            return None
        except ArchiveUndetermined:
            return None
        return response.status_code, response.headers.get("content-type"), response.content[:limit]

    async def save(self, url: str) -> tuple[ArchiveCopy, str | None]:
        """Submit ``url`` to Save Page Now 2 and wait (bounded) for the capture.
        Returns the new copy (``available`` None when it did not complete) and
        a one-line reason when it did not. Keys travel only in the header."""
        if self.settings.save_keys is None or self.unreachable is not None:
            return ArchiveCopy(None), "no Save Page Now keys" if self.settings.save_keys is None else self.unreachable
        access, secret = self.settings.save_keys
        headers = {"Authorization": f"LOW {access}:{secret}", "Accept": "application/json"}
        base = self.settings.cdx_url.rstrip("/")
        try:
            response = await self._request("POST", f"{base}/save", data={"url": url}, headers=headers)
            started = _json(response)
            job = started.get("job_id") if isinstance(started, dict) else None
            if response.status_code != 200 or not isinstance(job, str) or not job:
                # A refusal may come as HTTP 200 with no job id and a message.
                reason = started.get("message") or started.get("status_ext") if isinstance(started, dict) else None
                return ArchiveCopy(None), f"Save Page Now refused: {reason or f'HTTP {response.status_code}'}"
            for _ in range(self.settings.save_polls):
                await asyncio.sleep(self.settings.save_poll_interval)
                status = _json(await self._request("GET", f"{base}/save/status/{job}", headers=headers))
                if not isinstance(status, dict) or status.get("status") == "pending":
                    continue
                if status.get("status") == "success" and str(status.get("timestamp", "")).isdigit():
                    capture = str(status["timestamp"])
                    original = str(status.get("original_url") or url)
                    return ArchiveCopy(True, self.snapshot_url(capture, original, url), capture, "save"), None
                return ArchiveCopy(None), f"Save Page Now failed: {status.get('status_ext') or status.get('message')}"
            return ArchiveCopy(None), "Save Page Now: capture still pending after the polling limit"
        except (ArchiveUnreachable, ArchiveUndetermined) as exc:
            return ArchiveCopy(None), str(exc)

    async def _availability(self, url: str, timestamp: str) -> ArchiveCopy | None:
        query = urlencode({"url": url, "timestamp": timestamp})
        response = await self._get(f"{self.settings.wayback_url.rstrip('/')}/wayback/available?{query}")
        if response.status_code != 200:
            return None  # let CDX decide
        try:
            data = response.json()
        except (json.JSONDecodeError, ValueError):
            return None
        closest = (data.get("archived_snapshots") or {}).get("closest") if isinstance(data, dict) else None
        if not isinstance(closest, dict):
            return None  # empty archived_snapshots: not proof of absence
        if closest.get("available") is not True or str(closest.get("status")) != "200":
            return None
        capture = str(closest.get("timestamp") or "")
        archived = str(closest.get("url") or "")
        original = archived.split(f"/web/{capture}/", 1)[1] if f"/web/{capture}/" in archived else url
        if not (capture.isascii() and capture.isdigit()):
            return None
        return ArchiveCopy(True, self.snapshot_url(capture, original, url), capture, "availability")

    async def _cdx(self, url: str, timestamp: str) -> ArchiveCopy:
        query = urlencode(
            {
                "url": url,
                "output": "json",
                "fl": "timestamp,original,statuscode",
                "filter": "statuscode:200",
                "sort": "closest",
                "closest": timestamp,
                "limit": "1",
            }
        )
        response = await self._get(f"{self.settings.cdx_url.rstrip('/')}/cdx/search/cdx?{query}")
        if response.status_code == 403 and "Blocked Site Error" in (
            response.text + response.headers.get("x-archive-wayback-runtime-error", "")
        ):
            return ArchiveCopy(False, None, None, "cdx")  # the site is excluded from the archive
        if response.status_code != 200:
            return ArchiveCopy(None)
        body = response.text.strip()
        if not body:
            return ArchiveCopy(False, None, None, "cdx")
        try:
            rows = json.loads(body)
        except ValueError:
            return ArchiveCopy(None)
        if not isinstance(rows, list) or len(rows) < 2:
            return ArchiveCopy(False, None, None, "cdx")  # [] or header only: no capture
        header, first = rows[0], rows[1]
        if not isinstance(header, list) or not isinstance(first, list) or len(first) != len(header):
            return ArchiveCopy(None)
        record = dict(zip(header, first, strict=True))
        capture, original = str(record.get("timestamp", "")), str(record.get("original", url))
        if not (capture.isascii() and capture.isdigit()):
            return ArchiveCopy(None)
        return ArchiveCopy(True, self.snapshot_url(capture, original, url), capture, "cdx")

    async def _get(self, address: str) -> httpx.Response:
        return await self._request("GET", address)

    async def _request(
        self,
        method: str,
        address: str,
        *,
        retry_statuses: tuple[int, ...] = (429,),
        limit: int | None = None,
        truncate: bool = False,
        deadline: float | None = None,
        **options: object,
    ) -> httpx.Response:
        """One answer of ``address``, retried after the back-off while it is one of
        ``retry_statuses``. ``limit``: bytes of body read at most (beyond it the answer
        is cut when ``truncate``, else refused); ``deadline``: seconds for the whole answer."""
        host = _host(address)
        reading = _Reading(retry_statuses, limit, truncate, deadline)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.attempts), retry=retry_if_exception_type(_RateLimited), reraise=True
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._send(host, method, address, options, reading)
        except _RateLimited as exc:
            raise ArchiveUndetermined(f"{exc} persisted") from None
        raise AssertionError("unreachable: tenacity re-raises the last failure")  # pragma: no cover

    async def _send(
        self, host: str, method: str, address: str, options: dict[str, object], reading: _Reading | None = None
    ) -> httpx.Response:
        reading = reading or _Reading()
        async with self._limiter.slot(host):  # one request in flight, spaced (the host's rule)
            self.requests += 1
            try:
                async with asyncio.timeout(reading.deadline):
                    response = await self._receive(method, address, options, reading)
            except _TooLarge:
                self._answered(address)
                raise
            except TimeoutError:
                raise ArchiveUndetermined(f"archive gave no whole answer within {reading.deadline:g} s") from None
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise ArchiveUnreachable(f"archive unreachable: {exc or type(exc).__name__}") from None
            except httpx.TransportError as exc:
                # Connected, perhaps, but no HTTP answer came back (closed, reset, silent):
                # that is not the archive answering, and proves nothing about the network.
                reason = f"archive did not answer: {exc or type(exc).__name__}"
                raise (ArchiveUndetermined(reason) if self.answered else ArchiveUnreachable(reason)) from None
            except httpx.HTTPError as exc:  # an answer came, but not a usable one
                self._answered(address)
                raise ArchiveUndetermined(f"archive request failed: {exc or type(exc).__name__}") from None
            self._answered(address)
            if response.status_code in reading.retry_statuses:
                self._back_off(host, response)
            return response

    async def _receive(
        self, method: str, address: str, options: dict[str, object], reading: _Reading
    ) -> httpx.Response:
        if reading.limit is None:
            return await self._client.request(method, address, **options)  # type: ignore[arg-type]
        async with self._client.stream(method, address, **options) as streamed:  # type: ignore[arg-type]
            body = b""
            if streamed.status_code not in reading.retry_statuses:
                body = await _read_at_most(streamed, reading.limit, reading.truncate)
            headers = [(name, value) for name, value in streamed.headers.multi_items() if name not in _ENCODING_HEADERS]
            return httpx.Response(streamed.status_code, headers=headers, content=body, request=streamed.request)

    def _answered(self, address: str) -> None:
        self.answered = True
        self._answered_origins.add(_origin(address))

    def _back_off(self, host: str, response: httpx.Response) -> None:
        """After a 429 (or 503): no request to ``host`` for ``backoff`` seconds or its
        Retry-After if longer (the Internet Archive asks for at least a minute after a 429
        and sends no Retry-After), then :class:`_RateLimited` (tried again); a Retry-After
        above ``retry_after_cap`` is not waited for (undetermined at once)."""
        status = response.status_code
        wait = retry_after(response.headers)
        if wait is not None and wait > self.settings.retry_after_cap:
            raise ArchiveUndetermined(f"archive asks to wait {wait:.0f} s (HTTP {status}); not waited for")
        self._limiter.back_off(host, max(self.settings.backoff, wait or 0.0))
        raise _RateLimited(f"archive rate limit ({status})")


@dataclass(frozen=True, slots=True)
class _Reading:
    """How one request's answer is read (see :meth:`Archive._request`)."""

    retry_statuses: tuple[int, ...] = (429,)
    limit: int | None = None
    truncate: bool = False
    deadline: float | None = None


async def _read_at_most(streamed: httpx.Response, limit: int, truncate: bool) -> bytes:
    body = bytearray()
    async for chunk in streamed.aiter_bytes():
        body += chunk
        if len(body) > limit:
            if truncate:
                return bytes(body[:limit])
            raise _TooLarge(f"archive answer longer than {limit} bytes")
    return bytes(body)


def _host(address: str) -> str:
    return (urlsplit(address).hostname or "").lower()


def _origin(address: str) -> str:
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _url_characters(address: str) -> str:
    """``address`` with every character that is not a URL character percent-encoded
    (``|``, spaces, quotes, angle brackets, controls; non-ASCII as UTF-8); ``%`` kept."""
    return quote(address, safe=":/?#[]@!$&'()*+,;=%~-._")


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except (json.JSONDecodeError, ValueError):
        return None
