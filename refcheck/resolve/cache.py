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
from pathlib import Path
from typing import Any

import diskcache
from diskcache.core import DEFAULT_SETTINGS, METADATA, MODE_PICKLE

from refcheck.collect import InputError
from refcheck.report import safe_files

DAY = 86_400.0
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


def _expected_setting(key: object, value: object) -> bool:
    if not isinstance(key, str):
        return False
    if key in METADATA:
        return isinstance(value, int)
    return key in _SETTINGS


def _reason(exc: BaseException) -> str:
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return " ".join(text.split()) or type(exc).__name__


class UnsafeCacheEntry(Exception):
    """A cache entry that is not plain JSON text (a pickle): refused."""


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

    def __init__(self, directory: Path, warn: Any = None) -> None:
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
            return diskcache.Cache(str(directory), disk=_JsonOnlyDisk, **_SETTINGS)
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
            return diskcache.Cache(str(directory), disk=_JsonOnlyDisk, **_SETTINGS)
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
            self._cache.set(key, json.dumps(value, ensure_ascii=False), expire=expire)
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
                    self._cache.set(key, json.dumps(value, ensure_ascii=False), expire=expire)
        except _FAILURES as exc:  # diskcache.Timeout: another run holds the lock too long
            self._note(f"cache write failed for {len(items)} entries: {str(exc) or type(exc).__name__}")

    def prune(self) -> None:
        """Remove expired entries."""
        with contextlib.suppress(*_FAILURES, UnsafeCacheEntry):
            self._cache.expire()

    def _delete(self, key: str) -> None:
        with contextlib.suppress(UnsafeCacheEntry, *_FAILURES):
            self._cache.delete(key)

    def close(self) -> None:
        self._cache.close()
