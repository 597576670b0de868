"""The disk cache, behind one small interface of our own.

diskcache stores Python objects by pickling them, and unpickles whatever it
finds in the folder: anyone who can write to a shared cache folder could run
code in the next refcheck run (CVE-2025-69872). Here every value is a JSON
string, the disk refuses to pickle on write, and an entry that was pickled
(planted, or left by another program) is refused on read, deleted, and
reported -- never unpickled. A plain ``Cache`` (not ``FanoutCache``, which drops
writes under contention) serialises writers through SQLite, so two runs at
once on one folder are safe. A folder that cannot be opened as a cache is
moved aside with a warning and a new one is made.

A shared cache folder is written by others too. Before diskcache opens it:
``cache.db`` (and its ``-wal``, ``-shm``, ``-journal`` companions) must be a
regular file -- a planted symbolic link would make SQLite write refcheck's tables
into whatever database it points at -- else it is renamed aside (the link itself,
never its target) with a warning; and diskcache's ``Settings`` table, whose every
row diskcache turns into an attribute, a Disk argument or a ``PRAGMA``, is cut
back to the rows diskcache itself writes (one warning). Whatever else goes wrong
while opening moves the folder aside; a folder that cannot be used at all (a file,
no permission) stops the run with one line (exit 2).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

import diskcache
from diskcache.core import DEFAULT_SETTINGS, METADATA, MODE_PICKLE, MODE_RAW

from refcheck import safe_files
from refcheck.errors import InputError, UnsafeCacheEntry
from refcheck.models import (
    ArchiveCopy,
    Citation,
    Document,
    Drift,
    DriftVerdict,
    Footnote,
    HistoryEntry,
    LinkStatus,
    LocalLink,
    Mention,
    Problem,
    Verdict,
)

DAY = 86_400.0
HISTORY_LIMIT = 30
"""Checks remembered per link (the trend and "newly dead" read them)."""
KEEP_LINK_FOR = 180 * DAY
"""A link's history is kept this long after its last check."""
PROBE_FOR = DAY
"""A site's answer to made-up addresses, per host and section."""
ARCHIVE_FOUND_FOR = 30 * DAY
ARCHIVE_NOT_FOUND_FOR = 1 * DAY
DOCUMENT_FOR = 30 * DAY
"""An article's extraction, by its bytes: kept this long after it was last written."""
CAPTURE_FOR = 180 * DAY
"""A capture's digest (title, site name, text shingles): an archived page never changes."""
DRIFT_FOR = 7 * DAY
"""A drift verdict, as long as an ok verdict is reused: the live page may change."""
WEB_INPUT_FOR = 30 * DAY
"""A live page, sitemap or feed read as input: its validators (ETag, Last-Modified) and
what it held, for the next run's conditional GET."""
# Entries leave by expiry, swept once a run (``prune``), not on every write:
# culling and LRU bookkeeping were a third of a write's cost (measured).
# Values are kept in the database, never in files beside it: a row naming a file
# (planted in a shared folder) would otherwise make diskcache read or delete any
# path the runner can reach.
# Every setting is given (not only the ones that differ from diskcache's defaults):
# a given setting wins over a row of the Settings table.
_SETTINGS: dict[str, Any] = {
    **DEFAULT_SETTINGS,
    "cull_limit": 0,
    "eviction_policy": "none",
    "disk_min_file_size": 2**62,
}
_DATABASE = "cache.db"
_COMPANIONS = ("cache.db", "cache.db-wal", "cache.db-shm", "cache.db-journal")
_FAILURES = (sqlite3.DatabaseError, OSError, diskcache.Timeout)
_LINK, _PROBE, _ARCHIVE, _DOCUMENT = "link:", "probe:", "archive:", "document:"
_CAPTURE, _DRIFT = "capture:", "drift:"
_WEB_INPUT = "web-input:"


def link_key(url: str) -> str:
    """The storage key of a link's entry (for tools that inspect a cache folder)."""
    return _LINK + url


def probe_key(folder: str) -> str:
    """The storage key of a site's answer to made-up addresses in ``folder``."""
    return _PROBE + folder


def _expected_setting(key: object, value: object) -> bool:
    if not isinstance(key, str):
        return False
    if key in METADATA:
        return isinstance(value, int)
    return key in _SETTINGS


def _dumps(value: Any) -> str:
    """JSON text; a lone surrogate (from a file that is not valid UTF-8 or UTF-16)
    cannot be stored as UTF-8 in SQLite, so such a value is written escaped."""
    text = json.dumps(value, ensure_ascii=False)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(value, ensure_ascii=True)
    return text


def _reason(exc: BaseException) -> str:
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return " ".join(text.split()) or type(exc).__name__


@dataclass(slots=True)
class LinkEntry:
    """What the cache keeps about one link: its history, and its last verdict when
    that verdict is one to reuse (about the link itself: ok, dead, soft-404)."""

    history: list[HistoryEntry] = field(default_factory=list)
    failures: int = 0
    verdict: Verdict | None = None

    def fresh_verdict(self, max_age_days: float | None = None) -> Verdict | None:
        """The stored verdict if it may still be reused (by its kind's lifetime, and
        ``max_age_days`` when given), else None."""
        verdict = self.verdict
        if verdict is None or verdict.checked_at is None:
            return None
        lifetime = verdict.status.reusable_days
        if lifetime is None:
            return None
        if max_age_days is not None:
            lifetime = min(lifetime, max_age_days)
        try:
            checked_at = datetime.fromisoformat(verdict.checked_at)
            age = (datetime.now(UTC) - checked_at).total_seconds()
        except (TypeError, ValueError):
            return None
        return verdict if age <= lifetime * DAY else None

    def to_plain(self) -> dict[str, Any]:
        return {
            "history": [[entry.checked_at, str(entry.status)] for entry in self.history[-HISTORY_LIMIT:]],
            "failures": self.failures,
            "verdict": self.verdict.to_plain() if self.verdict is not None else None,
        }

    @classmethod
    def from_plain(cls, data: object) -> LinkEntry | None:
        """None for data that is not an entry; a damaged part is dropped, not the entry."""
        if not isinstance(data, dict):
            return None
        entry = cls()
        try:
            entry.history = [HistoryEntry(str(at), str(status)) for at, status in data.get("history") or []][
                -HISTORY_LIMIT:
            ]
            entry.failures = int(data.get("failures") or 0)
        except (TypeError, ValueError):
            entry.history, entry.failures = [], 0
        verdict = data.get("verdict")
        if isinstance(verdict, dict):
            try:
                entry.verdict = Verdict.from_plain(verdict)
            except (KeyError, TypeError, ValueError):
                entry.verdict = None
        return entry


class _JsonOnlyDisk(diskcache.Disk):  # type: ignore[misc]
    def put(self, key: Any) -> Any:
        if not isinstance(key, str):
            raise TypeError("cache keys are strings")
        return super().put(key)

    def get(self, key: Any, raw: bool) -> Any:
        if not raw:
            raise UnsafeCacheEntry("pickled cache key")
        return super().get(key, raw)

    def store(self, value: Any, read: bool, key: Any = diskcache.core.UNKNOWN) -> Any:
        if not isinstance(value, str):
            raise TypeError("cache values are JSON strings")
        return super().store(value, read, key=key)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode == MODE_PICKLE:
            raise UnsafeCacheEntry("pickled cache value")
        if filename is not None or read:
            raise UnsafeCacheEntry("cache value kept in a file (refcheck never writes one)")
        return super().fetch(mode, filename, value, read)

    def remove(self, file_path: Any) -> None:
        """Never delete a file: refcheck writes none, so a row naming one was planted."""
        return None


class Cache:
    """JSON values by string key, with expiry. All failures are contained: a
    broken cache costs speed (things are checked again), never the run."""

    def __init__(self, directory: Path, warn: Any = None, lock_timeout: float = 60.0) -> None:
        """``lock_timeout``: seconds a write waits for another run's transaction before
        it is given up (with a warning; the run goes on)."""
        self._lock_timeout = lock_timeout
        self.directory = directory
        self.warnings: list[str] = []
        self._warn = warn
        self._cache = self._open(directory)

    def _open(self, directory: Path) -> diskcache.Cache:
        if directory.exists() and not directory.is_dir():
            raise InputError(f"cache folder {directory} is not a folder (see --cache-dir)")
        try:
            self._refuse_planted(directory)
            self._repair_settings(directory / _DATABASE)
            return diskcache.Cache(str(directory), disk=_JsonOnlyDisk, timeout=self._lock_timeout, **_SETTINGS)
        except Exception as exc:  # whatever a torn or planted database makes sqlite3 or diskcache raise
            if not directory.is_dir():
                raise InputError(f"cache folder {directory} cannot be used: {_reason(exc)}") from None
            aside = directory.with_name(f"{directory.name}.damaged-{int(time.time())}")
            try:
                os.rename(directory, aside)
            except OSError as move:
                raise InputError(
                    f"cache {directory} cannot be opened ({_reason(exc)}) nor moved aside ({_reason(move)})"
                ) from None
            self._note(
                f"cache {directory} could not be opened ({_reason(exc)}); moved aside to {aside}, starting afresh"
            )
        try:
            return diskcache.Cache(str(directory), disk=_JsonOnlyDisk, timeout=self._lock_timeout, **_SETTINGS)
        except Exception as exc:
            raise InputError(f"cache folder {directory} cannot be used: {_reason(exc)}") from None

    def _refuse_planted(self, directory: Path) -> None:
        """The database and its companions, if there, must be regular files: a
        symbolic link (or a pipe…) in their place is renamed aside, never opened."""
        for name in _COMPANIONS:
            path = directory / name
            problem = safe_files.planted(path)
            if problem is None:
                continue
            aside = safe_files.set_aside(path, "refused")
            self._note(f"cache {path} {problem} (not made by refcheck): refused, renamed to {aside.name}")

    def _repair_settings(self, database: Path) -> None:
        """Keep only the Settings rows diskcache writes itself (its settings, all
        given again when it opens, and whole-number counters). Anything else is
        deleted, with one warning: diskcache would make a ``disk_…`` row an
        argument of the Disk, a ``sqlite_…`` row a PRAGMA, and any other row an
        attribute of the cache (``get`` = 1 breaks every read)."""
        if not database.exists():
            return
        connection = sqlite3.connect(str(database), timeout=60, isolation_level=None)
        try:
            try:
                rows = connection.execute("SELECT rowid, key, value FROM Settings").fetchall()
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    return  # a new database: diskcache makes the table
                raise
            unexpected = [(rowid, key) for rowid, key, value in rows if not _expected_setting(key, value)]
            if not unexpected:
                return
            with connection:
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany("DELETE FROM Settings WHERE rowid = ?", [(rowid,) for rowid, _ in unexpected])
        finally:
            connection.close()
        shown = ", ".join(repr(key)[:40] for _, key in unexpected[:5]) + (", …" if len(unexpected) > 5 else "")
        self._note(f"cache {database}: {len(unexpected)} unexpected Settings rows removed ({shown})")

    def _note(self, message: str) -> None:
        self.warnings.append(message)
        if self._warn is not None:
            self._warn(message)

    def get(self, key: str) -> Any:
        try:
            raw = self._cache.get(key)
        except UnsafeCacheEntry as exc:
            self._note(f"cache entry {key!r} refused ({exc}) and deleted")
            self._delete(key)
            return None
        except _FAILURES as exc:
            self._note(f"cache read failed for {key!r}: {exc}")
            return None
        if raw is None:
            return None
        if not isinstance(raw, str):  # written by another program: not ours
            self._note(f"cache entry {key!r} is not JSON text; deleted")
            self._delete(key)
            return None
        try:
            return json.loads(raw)
        except ValueError:
            self._note(f"cache entry {key!r} is not valid JSON; deleted")
            self._delete(key)
            return None

    def set(self, key: str, value: Any, expire: float | None = None) -> None:
        try:
            self._cache.set(key, _dumps(value), expire=expire)
        except _FAILURES as exc:
            self._note(f"cache write failed for {key!r}: {str(exc) or type(exc).__name__}")

    def set_many(self, items: list[tuple[str, Any, float | None]]) -> None:
        """Several entries in one transaction (one commit instead of one each:
        half the cost of a write, measured); all or none of them land."""
        if not items:
            return
        try:
            with self._cache.transact():
                for key, value, expire in items:
                    self._cache.set(key, _dumps(value), expire=expire)
        except _FAILURES as exc:  # diskcache.Timeout: another run holds the lock too long
            self._note(f"cache write failed for {len(items)} entries: {str(exc) or type(exc).__name__}")

    def __len__(self) -> int:
        """Entries in the cache (expired ones not yet swept included)."""
        try:
            return len(self._cache)
        except _FAILURES:
            return 0

    # ------------------------------------------------------------- typed records
    # The key format lives here and nowhere else (link_key/probe_key name it for tools).

    def link(self, url: str) -> LinkEntry | None:
        return LinkEntry.from_plain(self.get(_LINK + url))

    def links(self, urls: Iterable[str]) -> dict[str, LinkEntry]:
        """The entries of many links at once (a warm re-run reads thousands)."""
        found: dict[str, LinkEntry] = {}
        for key, data in self._many(_LINK + url for url in urls).items():
            entry = LinkEntry.from_plain(data)
            if entry is not None:
                found[key[len(_LINK) :]] = entry
        return found

    def _many(self, keys: Iterable[str]) -> dict[str, Any]:
        """JSON values of many keys: one query per 500 keys instead of one ``get``
        each. Rows that are not plain text (planted) go through :meth:`get`, which
        refuses and deletes them; expired rows are left out."""
        wanted = list(keys)
        found: dict[str, Any] = {}
        now = time.time()
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                rows = self._cache._sql(
                    "SELECT key, mode, filename, value, expire_time FROM Cache WHERE raw = 1 AND key IN "
                    f"({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
                for key, mode, filename, value, expire_time in rows:
                    if expire_time is not None and expire_time < now:
                        continue
                    if mode == MODE_RAW and filename is None and isinstance(value, str):
                        try:
                            found[key] = json.loads(value)
                            continue
                        except ValueError:
                            pass
                    found[key] = self.get(key)  # reports and deletes what is not JSON text
        except _FAILURES as exc:
            self._note(f"cache read failed: {_reason(exc)}")
        return found

    def store_links(self, entries: Iterable[tuple[str, LinkEntry]]) -> None:
        """Several links' entries in one transaction."""
        self.set_many([(_LINK + url, entry.to_plain(), KEEP_LINK_FOR) for url, entry in entries])

    def probe(self, folder: str) -> tuple[LinkStatus, str | None, str | None] | None:
        """A site's remembered answer to a made-up address in ``folder``: (status, final URL, title)."""
        data = self.get(_PROBE + folder)
        if not isinstance(data, dict):
            return None
        try:
            status = LinkStatus(str(data.get("status")))
        except ValueError:
            return None
        final_url, title = data.get("final_url"), data.get("title")
        return status, final_url if isinstance(final_url, str) else None, title if isinstance(title, str) else None

    def set_probe(self, folder: str, status: LinkStatus, final_url: str | None, title: str | None) -> None:
        self.set(_PROBE + folder, {"status": str(status), "final_url": final_url, "title": title}, expire=PROBE_FOR)

    def archive_copy(self, url: str, day: str) -> ArchiveCopy | None:
        """The archive's remembered answer for ``url`` near ``day`` (``YYYYMMDD``)."""
        return _archive_copy(self.get(f"{_ARCHIVE}{url}@{day}"))

    def archive_copies(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], ArchiveCopy]:
        """:meth:`archive_copy` for many (url, day) pairs at once."""
        keys = {f"{_ARCHIVE}{url}@{day}": (url, day) for url, day in wanted}
        found = {}
        for key, data in self._many(keys).items():
            copy = _archive_copy(data)
            if copy is not None:
                found[keys[key]] = copy
        return found

    def set_archive_copy(self, url: str, day: str, copy: ArchiveCopy) -> None:
        """Kept 30 days when found, a day when confirmed missing; an undetermined answer is not kept."""
        if copy.available is None:
            return
        value = {"available": copy.available, "url": copy.url, "timestamp": copy.timestamp, "source": copy.source}
        self.set(f"{_ARCHIVE}{url}@{day}", value, expire=ARCHIVE_FOUND_FOR if copy.available else ARCHIVE_NOT_FOUND_FOR)

    def capture_digest(self, url: str, timestamp: str) -> dict[str, Any] | None:
        """The digest of capture ``timestamp`` of ``url`` (JSON data; the drift stage
        checks its shape: :meth:`refcheck.resolve.drift.PageDigest.from_plain`)."""
        data = self.get(f"{_CAPTURE}{url}@{timestamp}")
        return data if isinstance(data, dict) else None

    def set_capture_digest(self, url: str, timestamp: str, digest: dict[str, Any]) -> None:
        self.set(f"{_CAPTURE}{url}@{timestamp}", digest, expire=CAPTURE_FOR)

    def drift(self, url: str, day: str, max_age_days: float | None = None) -> Drift | None:
        """The drift verdict of ``url`` cited on ``day`` (``YYYYMMDD``), if one was
        stored within ``max_age_days`` (default: its lifetime); None when unknown or damaged."""
        data = self.get(f"{_DRIFT}{url}@{day}")
        drift = _drift(data)
        if drift is None or max_age_days is None:
            return drift
        try:
            age = (datetime.now(UTC) - datetime.fromisoformat(drift.checked_at or "")).total_seconds()
        except (TypeError, ValueError):
            return None
        return drift if age <= max_age_days * DAY else None

    def set_drift(self, url: str, day: str, drift: Drift) -> None:
        value = {name: getattr(drift, name) for name in _DRIFT_FIELDS}
        value["verdict"] = str(drift.verdict)
        self.set(f"{_DRIFT}{url}@{day}", value, expire=DRIFT_FOR)

    def web_input(self, key: str) -> dict[str, Any] | None:
        """A live page, sitemap or feed as last read (``refcheck.webinput`` checks its
        shape); None when unknown or not a table."""
        data = self.get(_WEB_INPUT + key)
        return data if isinstance(data, dict) else None

    def set_web_input(self, key: str, value: dict[str, Any]) -> None:
        self.set(_WEB_INPUT + key, value, expire=WEB_INPUT_FOR)

    def document(self, key: str) -> Document | None:
        """An article extracted before, by the digest of its bytes and what its
        extraction depends on (``key``); None when unknown or damaged."""
        data = self.get(_DOCUMENT + key)
        if data is None:
            return None
        try:
            return _document_from_rows(data)
        except (KeyError, IndexError, TypeError, ValueError):
            self._note(f"cache entry for an extracted article is damaged; extracted again ({key[:12]}…)")
            return None

    def set_document(self, key: str, document: Document) -> None:
        self.set(_DOCUMENT + key, _document_rows(document), expire=DOCUMENT_FOR)

    def set_documents(self, documents: Iterable[tuple[str, Document]]) -> None:
        """Several extracted articles in one transaction."""
        self.set_many([(_DOCUMENT + key, _document_rows(document), DOCUMENT_FOR) for key, document in documents])

    def prune(self) -> None:
        """Remove expired entries."""
        with contextlib.suppress(*_FAILURES, UnsafeCacheEntry):
            self._cache.expire()

    def _delete(self, key: str) -> None:
        with contextlib.suppress(UnsafeCacheEntry, *_FAILURES):
            self._cache.delete(key)

    def close(self) -> None:
        self._cache.close()


# An extracted article in the cache: one row (a JSON array) per record, in the field
# order of its class -- a third of the time and size of field-named objects, which
# made caching cost a quarter of the extraction of URL-dense text (measured).
_ROW_CLASSES = (Citation, Footnote, Mention, Problem, LocalLink)
_ROW_FIELDS = {cls: tuple(f.name for f in dataclass_fields(cls)) for cls in _ROW_CLASSES}
_ROWS_OF = {cls: attrgetter(*names) for cls, names in _ROW_FIELDS.items()}
_DOCUMENT_SCALARS = ("path", "format", "publisher", "publisher_domain", "date", "title", "language", "url",
                     "republished_from", "encoding", "skipped", "error", "unit", "notice")  # fmt: skip
_DOCUMENT_ROWS = 2
"""The row layout's version: 2 added ``unit`` and ``notice`` (older entries are extracted again)."""
_UNITS = ("line", "paragraph", "page")


def _document_rows(document: Document) -> dict[str, Any]:
    return {
        "rows": _DOCUMENT_ROWS,
        "document": [getattr(document, name) for name in _DOCUMENT_SCALARS],
        "markers": document.markers,
        "citations": list(map(_ROWS_OF[Citation], document.citations)),
        "footnotes": list(map(_ROWS_OF[Footnote], document.footnotes)),
        "mentions": list(map(_ROWS_OF[Mention], document.mentions)),
        "problems": list(map(_ROWS_OF[Problem], document.problems)),
        "local_links": list(map(_ROWS_OF[LocalLink], document.local_links)),
    }


def _document_from_rows(data: Any) -> Document:
    if not isinstance(data, dict) or data.get("rows") != _DOCUMENT_ROWS:
        raise ValueError("not an extracted article of this version")
    scalars = data["document"]
    if len(scalars) != len(_DOCUMENT_SCALARS) or not all(value is None or isinstance(value, str) for value in scalars):
        raise ValueError("malformed article")
    document = Document(**dict(zip(_DOCUMENT_SCALARS, scalars, strict=True)))
    if document.unit not in _UNITS:
        raise ValueError("malformed article")
    document.markers = [marker for marker in data["markers"] if isinstance(marker, int | str)]
    document.citations = _records(Citation, data["citations"])
    document.footnotes = _records(Footnote, data["footnotes"])
    document.mentions = _records(Mention, data["mentions"])
    document.problems = _records(Problem, data["problems"])
    document.local_links = _records(LocalLink, data["local_links"])
    return document


def _records(cls: Any, rows: Any) -> list[Any]:
    width = len(_ROW_FIELDS[cls])
    if not isinstance(rows, list) or any(not isinstance(row, list) or len(row) != width for row in rows):
        raise ValueError(f"malformed {cls.__name__} rows")
    return [cls(*row) for row in rows]


def _archive_copy(data: Any) -> ArchiveCopy | None:
    if not isinstance(data, dict) or "available" not in data:
        return None
    available = data["available"]
    if available not in (True, False):
        return None
    fields = [data.get(name) for name in ("url", "timestamp", "source")]
    return ArchiveCopy(available, *(value if isinstance(value, str) else None for value in fields))


_DRIFT_FIELDS = tuple(f.name for f in dataclass_fields(Drift))
_DRIFT_NUMBERS = ("title_similarity", "cited_similarity", "text_similarity")


def _drift(data: Any) -> Drift | None:
    """A cached drift verdict, or None for data that is not one (a damaged row)."""
    if not isinstance(data, dict):
        return None
    try:
        verdict = DriftVerdict(str(data.get("verdict")))
    except ValueError:
        return None
    drift = Drift(verdict)
    for name in _DRIFT_FIELDS:
        if name == "verdict":
            continue
        value = data.get(name)
        if name in _DRIFT_NUMBERS:
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
                return None
        elif value is not None and not isinstance(value, str):
            return None
        setattr(drift, name, value)
    return drift
