"""Sitemaps (sitemaps.org protocol 0.9): ``<urlset>`` and ``<sitemapindex>``, plain or
gzipped, parsed while they arrive.

:class:`SitemapReader` is a :class:`~refcheck.webinput.fetch.Sink`: the body goes
through gunzip (when it starts with gzip's magic bytes; ``.xml.gz``) into lxml's pull
parser, element by element, each element dropped once read -- so memory holds one entry,
and reading stops as soon as the run has the pages it may take (``--max-pages``), at
:data:`~refcheck.defaults.SITEMAP_MAX_ENTRIES` entries, or at
:data:`~refcheck.defaults.SITEMAP_MAX_BYTES` decompressed bytes (a gzip bomb; a sitemap
that never ends), each said in a note. The parser resolves no entity, loads no DTD and
reaches no network.

Which entries are taken: ``<loc>`` addresses that are http(s) and on the sitemap's own
host (the protocol: "all URLs in a Sitemap must be from a single host"; a sitemap index
likewise lists sitemaps of its own site) -- the others are dropped, counted in a note.
``--since``: entries whose ``<lastmod>`` is before it are left out; entries without a
(readable) ``lastmod`` are kept, counted in a note (whether they changed cannot be told).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree

from refcheck import defaults
from refcheck.webinput import is_web_address, period_end
from refcheck.webinput.fetch import Inflater

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(slots=True)
class Entry:
    loc: str
    lastmod: str | None = None


@dataclass(slots=True)
class SitemapReader:
    """One sitemap file, read as it streams in. ``enough``: whether the run has all the
    pages it may take (reading stops); ``hosts``: the hosts its entries may be on."""

    hosts: frozenset[str]
    since: datetime | None = None
    enough: Callable[[int], bool] = lambda kept: False
    byte_limit: int = defaults.SITEMAP_MAX_BYTES
    entry_limit: int = defaults.SITEMAP_MAX_ENTRIES
    kind: str | None = None
    """``urlset`` or ``sitemapindex`` once the root element is seen."""
    entries: list[Entry] = field(default_factory=list)
    """What is taken: page addresses (urlset) or sitemap addresses (index)."""
    seen: int = 0
    other_host: int = 0
    not_web: int = 0
    older: int = 0
    undated: int = 0
    error: str | None = None
    stopped: str | None = None
    """Why reading stopped before the end, in a few words (None: read to the end)."""
    complete: bool = False
    _bytes: int = 0
    _gunzip: Inflater | None = None
    _sniffed: bool = False
    _parser: etree.XMLPullParser = field(default_factory=lambda: _hardened_parser())

    def begin(self, final_url: str) -> None:
        self.hosts = self.hosts | sitemap_hosts(final_url)

    def write(self, chunk: bytes) -> bool:
        if not self._sniffed:
            self._sniffed = True
            if chunk.startswith(_GZIP_MAGIC):
                self._gunzip = Inflater(16 + zlib.MAX_WBITS)
        try:
            pieces = self._gunzip.pieces(chunk) if self._gunzip is not None else (chunk,)
            for piece in pieces:
                if not self._take(piece):
                    return False
        except zlib.error as exc:
            self.error = f"not valid gzip ({exc})"
            return False
        return True

    def finish(self) -> None:
        """The body ended (or was cut): read what the parser still holds."""
        if self.stopped or self.error:
            return
        try:
            self._parser.close()
        except etree.XMLSyntaxError as exc:
            if self.kind is None:
                self.error = f"not a sitemap (XML error: {_one_line(exc)})"
                return
            self.stopped = f"the XML ends early ({_one_line(exc)})"
            return
        self._events()
        if self.kind is None and not self.error:
            self.error = "not a sitemap (no XML)"
        self.complete = self.error is None and self.stopped is None

    def _take(self, piece: bytes) -> bool:
        self._bytes += len(piece)
        if self._bytes > self.byte_limit:
            self.stopped = f"more than {self.byte_limit / 1_000_000:g} MB (decompressed): read that far"
            return False
        try:
            self._parser.feed(piece)
            return self._events()
        except etree.XMLSyntaxError as exc:
            if self.kind is None:
                self.error = f"not a sitemap (XML error: {_one_line(exc)})"
            else:
                self.stopped = f"XML error after {self.seen:,} entries ({_one_line(exc)})"
            return False

    def _events(self) -> bool:
        for event, element in self._parser.read_events():
            if not isinstance(element, etree._Element):
                continue
            name = _local(element.tag)
            if event == "start":
                if self.kind is None:
                    if name not in ("urlset", "sitemapindex"):
                        self.error = f"not a sitemap (its root element is <{name}>)"
                        return False
                    self.kind = name
                continue
            if name not in ("url", "sitemap"):
                continue
            self._entry(element)
            # Drop what was read: memory holds one entry whatever the sitemap's size.
            element.clear()
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
            if self.seen >= self.entry_limit:
                self.stopped = f"more than {self.entry_limit:,} entries: read that many"
                return False
            if self.kind == "urlset" and self.enough(len(self.entries)):
                self.stopped = "enough pages for --max-pages"
                return False
        return True

    def _entry(self, element: etree._Element) -> None:
        self.seen += 1
        loc = lastmod = None
        for child in element:
            name = _local(child.tag) if isinstance(child.tag, str) else ""
            if name == "loc":
                loc = (child.text or "").strip()
            elif name == "lastmod":
                lastmod = (child.text or "").strip() or None
        if not loc:
            return
        if not is_web_address(loc):
            self.not_web += 1
            return
        host = host_key(loc)
        if host is None:
            self.not_web += 1
            return
        if host not in self.hosts:
            self.other_host += 1
            return
        if self.since is not None:
            end = period_end(lastmod) if lastmod else None
            if end is None:
                self.undated += 1
            elif end < self.since:
                self.older += 1
                return
        self.entries.append(Entry(loc, lastmod))

    def dropped(self) -> list[str]:
        """What was left out, in a few words each (for the run's notes)."""
        parts = []
        if self.other_host:
            parts.append(f"{self.other_host:,} on another host dropped (the protocol allows its own host only)")
        if self.not_web:
            parts.append(f"{self.not_web:,} not http(s) dropped")
        if self.older:
            parts.append(f"{self.older:,} last modified before --since")
        if self.undated:
            parts.append(f"{self.undated:,} without lastmod kept (--since cannot tell)")
        return parts


def _hardened_parser() -> etree.XMLPullParser:
    """No entity resolved, no DTD loaded, no network, no huge-tree lifting."""
    return etree.XMLPullParser(
        events=("start", "end"), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )  # fmt: skip


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _one_line(exc: BaseException, limit: int = 120) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sitemap_hosts(*addresses: str) -> frozenset[str]:
    """The hosts (:func:`host_key`) a sitemap's entries may be on: the one it was asked
    at and the one it was fetched from (after redirects)."""
    return frozenset(key for address in addresses if (key := host_key(address)) is not None)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_key(address: str) -> str | None:
    """``host[:port]`` of an http(s) address as "the same host" compares it: the host
    name case-folded and in its IDNA (``xn--``) form, the port only when it is not the
    scheme's default -- never the user-info (``https://user:pw@news.example.org/`` and
    ``https://news.example.org:443/`` are both ``news.example.org``). None when the
    address has no host or a bad port."""
    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:
        return None
    name = _ascii_host(parts.hostname or "")
    if not name:
        return None
    if ":" in name:  # an IPv6 address: bracketed, as in a URL, so the port stays apart
        name = f"[{name}]"
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return name
    return f"{name}:{port}"


def _ascii_host(name: str) -> str:
    """``Bücher.example`` -> ``xn--bcher-kva.example``; a name IDNA cannot encode (an
    empty label…) is compared as it is written, case-folded."""
    folded = name.casefold().rstrip(".")
    try:
        return folded.encode("idna").decode("ascii")
    except UnicodeError:
        return folded
