"""Live pages as the corpus: the sitemaps and feeds listed, then every page fetched and
extracted as HTML (its final address the base of its relative links).

Each page becomes a :class:`~refcheck.models.Document` whose ``path`` is the address as
given and ``url`` the address it was fetched from; a page that cannot be read is a
Document that says why (``error``: dead, refused, timeout…; ``skipped``: not HTML, not
read offline), never a failed run. The cache keeps each page's validators and text
(JSON text only): the next run asks with ``If-None-Match``/``If-Modified-Since`` and a
304 reuses the text; ``--offline`` reads the cached text and nothing else. Sitemaps and
feeds are kept the same way, as the addresses they listed.

Credentials in an address (``https://editor:pw@news.example.org/story``) are used for
its request only: everything this module hands out or keeps -- a Document's ``path``
and ``url``, notes, cache keys and values -- has them masked (``https://***@…``,
:func:`refcheck.redact.redact`). A masked address read back from the cache gets the
credentials of the address this run was given again, for that same host only
(:func:`_with_credentials`). Links a page or a feed makes relative to a credentialed
address carry them too (as a browser resolves them): the caller masks them
(``pipeline._hide_credentials``) and keeps the real ones for the checker in memory.
"""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from refcheck import defaults
from refcheck.models import Document
from refcheck.redact import MASK, redact
from refcheck.webinput import FEED_OPTION, SITEMAP_OPTION, period_end
from refcheck.webinput.fetch import Collect, Fetched, FetchFailed, Validators, WebClient, WebSettings
from refcheck.webinput.sitemap import Entry, SitemapReader, sitemap_hosts

if TYPE_CHECKING:
    from refcheck.extract import ExtractContext
    from refcheck.resolve.store import VerdictStore


@dataclass(frozen=True, slots=True)
class WebRequest:
    """What to read: pages named, sitemaps and feeds, and the bounds."""

    pages: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    since: datetime | None = None
    max_pages: int = defaults.MAX_PAGES
    max_page_size: int = defaults.MAX_PAGE_SIZE
    offline: bool = False
    refresh: bool = False
    """Ask for every page in full (no conditional GET)."""


@dataclass(slots=True)
class WebRead:
    documents: list[Document] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    not_read: list[str] = field(default_factory=list)
    """Sitemaps and feeds that gave no page list at all, one line each, as the notes say
    it: ``--sitemap https://…/sitemap.xml: cannot fetch: HTTP 404 (not found)``."""
    lists_read: int = 0
    """Sitemaps and feeds (as given) that were read, whether or not they listed a page."""
    requests: int = 0
    downloads: int = 0
    unchanged: int = 0
    """Pages, sitemaps and feeds the server said had not changed (304)."""
    from_cache: int = 0
    """Pages read from the cache only (offline)."""

    def nothing_read(self) -> str | None:
        """Why not one page was read, in one line, when something failed: every sitemap
        and feed given could not be read, or every page tried could not be. None when a
        page was read, or when nothing failed (a sitemap with nothing new since
        ``--since``: an empty list is an answer)."""
        if any(not (document.error or document.skipped) for document in self.documents):
            return None
        if not self.documents and (self.lists_read or not self.not_read):
            return None
        failures = [*self.not_read, *(f"{doc.path}: {doc.error or doc.skipped}" for doc in self.documents)]
        if len(failures) == 1:
            return failures[0]
        shown = "; ".join(failures[:_FAILURES_SHOWN])
        more = len(failures) - _FAILURES_SHOWN
        return f"nothing could be read: {shown}" + (f"; and {more:,} more" if more > 0 else "")


_FAILURES_SHOWN = 3
"""Failures named in the one line of a run that read nothing (the notes list them all)."""


def read_web(
    request: WebRequest,
    settings: WebSettings,
    cache: VerdictStore | None,
    context: ExtractContext,
    progress: Callable[[str], None] | None = None,
) -> WebRead:
    """Every page of ``request`` as a Document, in order (pages named first, then those
    the sitemaps and feeds list), and the run's notes about them."""
    from refcheck.resolve.resolver import run_async

    reader = _Reader(request, settings, cache, context, progress)
    run_async(reader.read())
    return reader.result


class _Reader:
    def __init__(
        self,
        request: WebRequest,
        settings: WebSettings,
        cache: VerdictStore | None,
        context: ExtractContext,
        progress: Callable[[str], None] | None,
    ) -> None:
        self.request = request
        self.settings = settings
        self.cache = cache
        self.context = context
        self.progress = progress
        self.result = WebRead()
        self.client: WebClient | None = None
        self.listed: dict[str, None] = {}
        """Pages the sitemaps and feeds list, in order (at most ``max_pages``)."""
        self.cut = False

    async def read(self) -> None:
        if not self.request.offline:
            self.client = WebClient(self.settings)
        try:
            for address in self.request.sitemaps:
                await self._sitemaps(address)
            for address in self.request.feeds:
                await self._feed(address)
            if self.cut:
                self.result.notes.append(
                    f"pages: cut at --max-pages {self.request.max_pages:,}: the sitemaps and feeds list more"
                )
            pages = list(dict.fromkeys([*self.request.pages, *self.listed]))
            documents = await asyncio.gather(*(self._page(address) for address in pages))
            self.result.documents.extend(documents)
        finally:
            if self.client is not None:
                self.result.requests, self.result.downloads = self.client.requests, self.client.downloads
                await self.client.aclose()
        self.result.notes.append(self._tally(len(pages)))

    def _tally(self, pages: int) -> str:
        read = sum(1 for document in self.result.documents if not (document.error or document.skipped))
        parts = [f"{read:,} of {pages:,} live pages read"]
        if self.client is not None:
            parts.append(
                f"{self.result.downloads:,} downloads, {self.result.unchanged:,} unchanged since the last run (304)"
            )
        else:
            parts.append(f"{self.result.from_cache:,} from the cache (offline)")
        return "web input: " + ", ".join(parts)

    # ------------------------------------------------------------------ pages

    def _room(self) -> int:
        return self.request.max_pages - len(self.listed)

    def _list(self, address: str) -> bool:
        """Take one listed page; False once ``max_pages`` are taken."""
        if address in self.listed:
            return True
        if self._room() <= 0:
            self.cut = True
            return False
        self.listed[address] = None
        return True

    async def _page(self, address: str) -> Document:
        cached = self._cached(f"page:{redact(address)}")
        document = await self._page_document(address, cached)
        if self.progress is not None:
            self.progress(redact(address))
        return document

    async def _page_document(self, address: str, cached: dict[str, Any] | None) -> Document:
        shown = redact(address)
        if self.client is None:
            if cached is None:
                return Document(path=shown, format="html", skipped="not read (offline): not in the cache")
            self.result.from_cache += 1
            return self._from_cached(address, cached)
        validators = _validators(cached) if cached is not None and not self.request.refresh else None
        sink = Collect(self.request.max_page_size)
        try:
            fetched = await self.client.get(address, sink, validators)
        except FetchFailed as failure:
            return Document(path=shown, format="html", error=f"cannot fetch: {redact(str(failure))}")
        if fetched.status == 304 and cached is not None:
            self.result.unchanged += 1
            return self._from_cached(address, cached, fetched.final_url)
        if fetched.status == 304:
            return Document(path=shown, format="html", error="cannot fetch: HTTP 304 for a page not in the cache")
        if fetched.timed_out:
            cap = self.settings.time_cap
            return Document(path=shown, format="html", error=f"timeout: the page was still arriving after {cap:g} s")
        return self._fresh(address, fetched, bytes(sink.data), sink.over)

    def _fresh(self, address: str, fetched: Fetched, body: bytes, over: bool) -> Document:
        kind = page_kind(fetched.content_type, body)
        if kind is None:
            shown = fetched.content_type or "none"
            return Document(path=redact(address), format="html", skipped=f"not an HTML page (Content-Type: {shown})")
        notice = (
            f"read the first {self.request.max_page_size / 1_000_000:g} MB of a larger page (--max-page-size)"
            if over
            else None
        )
        entry: dict[str, Any] = {
            "etag": fetched.validators.etag, "last_modified": fetched.validators.last_modified,
            "final_url": redact(fetched.final_url), "kind": kind, "notice": notice,
        }  # fmt: skip
        if kind == "html":
            entry["text"] = decode_page(body, fetched.headers.get("content-type"))
        else:
            entry["bytes"] = base64.b64encode(body).decode("ascii")
        if self.cache is not None and not over:  # a cut page is asked for in full next time
            self.cache.set_web_input(f"page:{redact(address)}", entry)
        return self._from_cached(address, entry, fetched.final_url)

    def _from_cached(self, address: str, entry: dict[str, Any], final_url: str | None = None) -> Document:
        """The page from its cache ``entry``; ``final_url``: where it was fetched from
        this run (credentials and all), else the entry's (masked) with the credentials of
        ``address`` put back -- the base its relative links resolve against."""
        if final_url is None:
            stored = entry.get("final_url")
            final_url = _with_credentials(stored, address) if isinstance(stored, str) else address
        notice = entry.get("notice") if isinstance(entry.get("notice"), str) else None
        kind = entry.get("kind")
        shown = redact(address)
        if kind == "html" and isinstance(entry.get("text"), str):
            return extract_page(entry["text"], shown, final_url, self.context, notice)
        if kind in ("pdf", "docx") and isinstance(entry.get("bytes"), str):
            return _extract_binary(base64.b64decode(entry["bytes"]), str(kind), shown, self.context)
        return Document(path=shown, format="html", error="cannot read: damaged cache entry (run again online)")

    def _cached(self, key: str) -> dict[str, Any] | None:
        return self.cache.web_input(key) if self.cache is not None else None

    # ------------------------------------------------------------------ sitemaps

    async def _sitemaps(self, root: str) -> None:
        """A sitemap, or an index of sitemaps (nested at most SITEMAP_MAX_DEPTH deep),
        depth first in the order they are listed. It counts as not read -- said in one
        note, ``--sitemap ROOT: why`` -- when it could not be read, or when it is an index
        and not one sitemap of those it lists could be."""
        queue: list[tuple[str, int]] = [(root, 1)]
        files = urlsets = 0
        failure: str | None = None
        while queue:
            address, depth = queue.pop(0)
            if self._room() <= 0:
                self.cut = True
                break
            if files >= defaults.MAX_SITEMAPS:
                self.result.notes.append(
                    f"sitemap {redact(root)}: more than {defaults.MAX_SITEMAPS} sitemap files; {len(queue) + 1:,} not read"
                )
                break
            files += 1
            listed = await self._sitemap(address)
            if isinstance(listed, str):
                if address == root:
                    failure = listed
                else:
                    self.result.notes.append(f"sitemap {redact(address)}: {listed}")
                    failure = failure or f"no sitemap it lists could be read ({redact(address)}: {listed})"
                continue
            kind, entries = listed
            if kind == "urlset":
                urlsets += 1
                for entry in entries:
                    if not self._list(entry.loc):
                        break
                continue
            if depth >= defaults.SITEMAP_MAX_DEPTH:
                self.result.notes.append(
                    f"sitemap {redact(address)}: an index nested more than {defaults.SITEMAP_MAX_DEPTH} deep: not followed"
                )
                continue
            children = [(entry.loc, depth + 1) for entry in self._since_children(address, entries)]
            queue[:0] = children
        self._tell_read(SITEMAP_OPTION, root, urlsets > 0 or failure is None, failure)

    def _tell_read(self, option: str, address: str, worked: bool, failure: str | None) -> None:
        """Count a sitemap or feed as given (``--sitemap ROOT``) as read, or say in a note
        why it gave no page list at all."""
        if worked:
            self.result.lists_read += 1
            return
        line = f"{option} {redact(address)}: {failure or 'not read'}"
        self.result.not_read.append(line)
        self.result.notes.append(line)

    def _since_children(self, address: str, entries: list[Entry]) -> list[Entry]:
        """An index's sitemaps, less those last modified before --since (nothing in them is newer)."""
        since = self.request.since
        if since is None:
            return entries
        kept = [entry for entry in entries if (end := _end(entry.lastmod)) is None or end >= since]
        if len(kept) < len(entries):
            self.result.notes.append(
                f"sitemap {redact(address)}: {len(entries) - len(kept):,} sitemaps last modified before --since not read"
            )
        return kept

    async def _sitemap(self, address: str) -> tuple[str, list[Entry]] | str:
        """(kind, entries) of one sitemap file, from the network or the cache; or why it
        cannot be read, in a few words (the caller says it)."""
        since = self.request.since.isoformat() if self.request.since else ""
        key = f"sitemap:{redact(address)}|since={since}"
        cached = _sitemap_entry(self._cached(key), address)
        if self.client is None:
            if cached is None:
                return "not read (offline): not in the cache"
            return cached["kind"], cached["entries"]
        room = self._room()
        usable = cached is not None and (cached["complete"] or len(cached["entries"]) >= room)
        validators = _validators(cached) if usable and cached is not None and not self.request.refresh else None
        # One entry past the room: the run then knows the sitemap lists more than it may take.
        reader = SitemapReader(sitemap_hosts(address), self.request.since, enough=lambda kept: kept > room)
        try:
            fetched = await self.client.get(address, reader, validators)
        except FetchFailed as failure:
            return f"cannot fetch: {redact(str(failure))}"
        if fetched.status == 304 and cached is not None:
            self.result.unchanged += 1
            return cached["kind"], cached["entries"]
        if fetched.timed_out:
            reader.stopped = f"still arriving after {self.settings.time_cap:g} s: read that far"
        reader.finish()
        return self._sitemap_read(address, key, fetched, reader)

    def _sitemap_read(
        self, address: str, key: str, fetched: Fetched, reader: SitemapReader
    ) -> tuple[str, list[Entry]] | str:
        if reader.error is not None or reader.kind is None:
            return reader.error or "not a sitemap"
        told = reader.dropped()
        if reader.stopped and reader.stopped != "enough pages for --max-pages":
            told.insert(0, f"stopped: {reader.stopped}")
        if told:
            self.result.notes.append(f"sitemap {redact(address)}: " + "; ".join(told))
        if self.cache is not None and not fetched.timed_out:
            self.cache.set_web_input(key, {
                "etag": fetched.validators.etag, "last_modified": fetched.validators.last_modified,
                "kind": reader.kind, "complete": reader.complete,
                "entries": [[redact(entry.loc), entry.lastmod] for entry in reader.entries],
            })  # fmt: skip
        return reader.kind, reader.entries

    # ------------------------------------------------------------------ feeds

    async def _feed(self, address: str) -> None:
        if self._room() <= 0:
            self.cut = True
            return
        entries = await self._feed_entries(address)
        if isinstance(entries, str):
            self._tell_read(FEED_OPTION, address, False, entries)
            return
        self._tell_read(FEED_OPTION, address, True, None)
        since = self.request.since
        older = 0
        for link, date in entries:
            if _dated_before(date, since):
                older += 1
                continue
            if not self._list(link):
                break
        if older:
            self.result.notes.append(f"feed {redact(address)}: {older:,} entries dated before --since left out")

    async def _feed_entries(self, address: str) -> list[tuple[str, str | None]] | str:
        """The feed's (link, date) entries, from the network or the cache; or why it
        cannot be read, in a few words (the caller says it)."""
        key = f"feed:{redact(address)}"
        cached = _feed_entry(self._cached(key), address)
        if self.client is None:
            if cached is None:
                return "not read (offline): not in the cache"
            return list(cached["entries"])
        # One entry past the room: the run then knows the feed lists more than it may take.
        wanted = min(self._room() + 1, defaults.SITEMAP_MAX_ENTRIES)
        usable = cached is not None and (cached.get("complete") is True or len(cached["entries"]) >= wanted)
        validators = _validators(cached) if usable and cached is not None and not self.request.refresh else None
        sink = Collect(defaults.FEED_MAX_BYTES)
        try:
            fetched = await self.client.get(address, sink, validators)
        except FetchFailed as failure:
            return f"cannot fetch: {redact(str(failure))}"
        if fetched.status == 304 and cached is not None:
            self.result.unchanged += 1
            return list(cached["entries"])
        self._feed_cut(address, sink, fetched)
        return self._feed_read(address, key, fetched, sink, wanted)

    def _feed_cut(self, address: str, sink: Collect, fetched: Fetched) -> None:
        if sink.over:
            self.result.notes.append(
                f"feed {redact(address)}: more than {defaults.FEED_MAX_BYTES / 1_000_000:g} MB"
                " (a feed that never ends?): read that far"
            )
        elif fetched.timed_out:
            self.result.notes.append(
                f"feed {redact(address)}: still arriving after {self.settings.time_cap:g} s: read that far"
            )

    def _feed_read(
        self, address: str, key: str, fetched: Fetched, sink: Collect, wanted: int
    ) -> list[tuple[str, str | None]] | str:
        from refcheck.webinput.feed import parse_feed

        parsed = parse_feed(bytes(sink.data), fetched.final_url, fetched.headers.get("content-type"), wanted)
        if parsed.error is not None:
            return parsed.error
        if parsed.not_web:
            self.result.notes.append(f"feed {redact(address)}: {parsed.not_web:,} not http(s) dropped")
        entries = [(entry.link, entry.date) for entry in parsed.entries]
        if self.cache is not None and not (sink.over or fetched.timed_out):
            self.cache.set_web_input(key, {
                "etag": fetched.validators.etag, "last_modified": fetched.validators.last_modified,
                "entries": [[redact(link), date] for link, date in entries], "complete": len(entries) < wanted,
            })  # fmt: skip
        return entries


# ---------------------------------------------------------------------- helpers

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_BINARY_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
_VAGUE_TYPES = frozenset({"", "text/plain", "application/octet-stream", "binary/octet-stream"})
_HTML_SNIFF_RE = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)


def page_kind(content_type: str, body: bytes) -> str | None:
    """``html``, ``pdf``, ``docx`` or None (not something refcheck reads): by the
    Content-Type, else (none, or a vague one) by the first bytes."""
    if content_type in _HTML_TYPES:
        return "html"
    if content_type in _BINARY_TYPES:
        return _BINARY_TYPES[content_type]
    if content_type not in _VAGUE_TYPES:
        return None
    head = body[:1024].removeprefix(b"\xef\xbb\xbf")
    if head.startswith(b"%PDF-"):
        return "pdf"
    return "html" if _HTML_SNIFF_RE.match(head) else None


_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET_RE = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def decode_page(body: bytes, content_type: str | None) -> str:
    """The page as text: the charset the answer names, else the one its ``<meta>`` names,
    else refcheck's own guess (BOM, UTF-8, cp1252…); newlines made ``\\n``."""
    from refcheck.collect import decode
    from refcheck.errors import SkipFile

    named = _CHARSET_RE.search(content_type or "") or None
    charset = named.group(1) if named else None
    if charset is None:
        meta = _META_CHARSET_RE.search(body[:4096])
        charset = meta.group(1).decode("ascii", "replace") if meta else None
    text: str | None = None
    if charset is not None and not body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            text = body.decode(charset, errors="replace")
        except LookupError:
            text = None
    if text is None:
        try:
            text = decode(body)[0]
        except SkipFile:
            text = body.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def extract_page(
    text: str, address: str, final_url: str, context: ExtractContext, notice: str | None = None
) -> Document:
    """A fetched page's Document: HTML, its final address the base of relative links;
    ``path`` the address as given, ``url`` the final one. Never raises for a bad page."""
    from refcheck.extract.analyze import analyze
    from refcheck.extract.html import parse_html
    from refcheck.extract.urls import normalize_url

    try:
        parsed = parse_html(text, base_url=final_url)
        parsed.notice = notice
        document = analyze(parsed, address, context, None)
    except RecursionError:
        return Document(path=address, format="html", error="structure too deeply nested to read")
    except Exception as exc:
        return Document(path=address, format="html", error=f"could not extract: {type(exc).__name__}: {exc}")
    document.url = redact(normalize_url(final_url)[0])
    return document


def _extract_binary(body: bytes, kind: str, address: str, context: ExtractContext) -> Document:
    """A PDF or Word answer, through the readers of those files (no relative links)."""
    try:
        from refcheck.collect import SourceFile
        from refcheck.extract import extract_bytes

        return extract_bytes(body, SourceFile(Path(), address, kind), context)
    except Exception as exc:  # a reader missing or failing: the page says so, the run goes on
        return Document(path=address, format=kind, error=f"could not extract: {type(exc).__name__}: {exc}")


def _validators(entry: dict[str, Any]) -> Validators | None:
    etag, modified = entry.get("etag"), entry.get("last_modified")
    validators = Validators(etag if isinstance(etag, str) else None, modified if isinstance(modified, str) else None)
    return validators if validators.etag or validators.last_modified else None


def _sitemap_entry(data: dict[str, Any] | None, address: str) -> dict[str, Any] | None:
    """A cached sitemap with entries made :class:`Entry` again (the credentials of
    ``address``, the sitemap's, put back in its masked ones); None when damaged."""
    if data is None or data.get("kind") not in ("urlset", "sitemapindex") or not isinstance(data.get("entries"), list):
        return None
    rows = data["entries"]
    if not all(isinstance(row, list) and len(row) == 2 and isinstance(row[0], str) for row in rows):
        return None
    entries = [Entry(_with_credentials(row[0], address), row[1] if isinstance(row[1], str) else None) for row in rows]
    return {**data, "entries": entries, "complete": data.get("complete") is True}


def _feed_entry(data: dict[str, Any] | None, address: str) -> dict[str, Any] | None:
    """A cached feed's (link, date) entries, as :func:`_sitemap_entry`; None when damaged."""
    if data is None or not isinstance(data.get("entries"), list):
        return None
    rows = data["entries"]
    if not all(isinstance(row, list) and len(row) == 2 and isinstance(row[0], str) for row in rows):
        return None
    entries = [(_with_credentials(row[0], address), row[1] if isinstance(row[1], str) else None) for row in rows]
    return {**data, "entries": entries}


def _with_credentials(shown: str, given: str) -> str:
    """``shown`` -- an address as the cache keeps it, its user-info masked
    (``https://***@news.example.org/b``) -- with the user-info of ``given`` (the address
    this run was handed, credentials and all) put back, when both have the same scheme
    and host; else ``shown`` as it is. The cache never holds a password, yet a page a
    credentialed feed links relatively is fetched with it on the next run as on the first."""
    masked = f"{MASK}@"
    if masked not in shown:
        return shown
    try:
        parts, source = urlsplit(shown), urlsplit(given)
    except ValueError:
        return shown
    userinfo, at, host = source.netloc.rpartition("@")
    if not at or parts.netloc.lower() != f"{masked}{host}".lower() or parts.scheme.lower() != source.scheme.lower():
        return shown
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{host}"))


def _end(lastmod: str | None) -> datetime | None:
    return period_end(lastmod) if lastmod else None


def _dated_before(date: str | None, since: datetime | None) -> bool:
    """A feed entry's date (ISO, as cached) is before ``since``; an unreadable one is not."""
    if since is None or date is None:
        return False
    try:
        moment = datetime.fromisoformat(date)
    except ValueError:
        return False
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)) < since
