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
429 -> the host backs off ``backoff`` seconds and the request is tried again
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
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote, urlencode, urlsplit

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from refcheck.errors import ArchiveUndetermined, ArchiveUnreachable
from refcheck.models import ArchiveCopy
from refcheck.redact import redact
from refcheck.resolve.cache import Cache
from refcheck.resolve.politeness import HostLimiter, HostRule
from refcheck.resolve.settings import ArchiveSettings
from refcheck.resolve.transport import Transport, make_httpx_transport
from refcheck.resolve.wayback import raw_capture_url, wayback_timestamp

__all__ = ["Archive", "ArchiveSettings", "wayback_timestamp"]


class _RateLimited(ArchiveUndetermined):
    """A 429: tried again after the back-off, a bounded number of times."""


class Archive:
    """The archive client. It shares the run's transport (one connection pool, the
    address rule) and host limiter; it closes neither."""

    def __init__(
        self, settings: ArchiveSettings, cache: Cache | None, limiter: HostLimiter, transport: Transport
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.answered = False
        """The archive answered at least once this run (the network works)."""
        self.unreachable: str | None = None
        self.requests = 0
        self._limiter = limiter
        for base in {settings.wayback_url, settings.cdx_url}:
            limiter.set_rule(_host(base), HostRule(limit=1, interval=settings.interval))
        self._client = httpx.AsyncClient(
            transport=make_httpx_transport(transport),
            timeout=httpx.Timeout(settings.timeout),
            headers={"User-Agent": settings.user_agent, "Accept": "application/json"},
            follow_redirects=True,
            trust_env=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def snapshot_url(self, timestamp: str, original: str, asked: str | None = None) -> str:
        """``<base>/web/<timestamp>/<original>``; an ``original`` that is not an
        http(s) URL is replaced by ``asked`` (the address looked up)."""
        if asked is not None and not original.lower().startswith(("http://", "https://")):
            original = asked
        return redact(f"{self.settings.cdx_url.rstrip('/')}/web/{timestamp}/{_url_characters(original)}")

    async def closest(self, url: str, date: str | None, *, offline: bool = False) -> ArchiveCopy:
        """The capture closest to ``date`` (ISO, or None for the latest). ``offline``: cache only."""
        timestamp = wayback_timestamp(date)
        if self.cache is not None:
            cached = self.cache.archive_copy(url, timestamp[:8])
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
        if self.cache is not None:
            self.cache.set_archive_copy(url, timestamp[:8], found)
        return found

    async def capture_page(self, copy: ArchiveCopy, limit: int) -> tuple[int, str | None, bytes] | None:
        """The page of capture ``copy`` as archived: (HTTP status, content type, at most
        ``limit`` bytes of body); None when the archive could not be asked or did not answer."""
        if not copy.available or not copy.url or not copy.timestamp or self.unreachable is not None:
            return None
        address = raw_capture_url(copy.url, copy.timestamp)
        if address is None:
            return None
        try:
            response = await self._request("GET", address, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
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

    async def _request(self, method: str, address: str, **options: object) -> httpx.Response:
        host = _host(address)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.attempts), retry=retry_if_exception_type(_RateLimited), reraise=True
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._send(host, method, address, options)
        except _RateLimited:
            raise ArchiveUndetermined("archive rate limit (429) persisted") from None
        raise AssertionError("unreachable: tenacity re-raises the last failure")  # pragma: no cover

    async def _send(self, host: str, method: str, address: str, options: dict[str, object]) -> httpx.Response:
        async with self._limiter.slot(host):  # one request in flight, spaced (the host's rule)
            self.requests += 1
            try:
                response = await self._client.request(method, address, **options)  # type: ignore[arg-type]
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise ArchiveUnreachable(f"archive unreachable: {exc or type(exc).__name__}") from None
            except httpx.TransportError as exc:
                # Connected, perhaps, but no HTTP answer came back (closed, reset, silent):
                # that is not the archive answering, and proves nothing about the network.
                reason = f"archive did not answer: {exc or type(exc).__name__}"
                raise (ArchiveUndetermined(reason) if self.answered else ArchiveUnreachable(reason)) from None
            except httpx.HTTPError as exc:  # an answer came, but not a usable one
                self.answered = True
                raise ArchiveUndetermined(f"archive request failed: {exc or type(exc).__name__}") from None
            self.answered = True
            if response.status_code == 429:
                self._limiter.back_off(host, self.settings.backoff)
                raise _RateLimited("archive rate limit (429)")
            return response


def _host(address: str) -> str:
    return (urlsplit(address).hostname or "").lower()


def _url_characters(address: str) -> str:
    """``address`` with every character that is not a URL character percent-encoded
    (``|``, spaces, quotes, angle brackets, controls; non-ASCII as UTF-8); ``%`` kept."""
    return quote(address, safe=":/?#[]@!$&'()*+,;=%~-._")


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except (json.JSONDecodeError, ValueError):
        return None
