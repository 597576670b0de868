"""The verdict store in PostgreSQL (``--store postgresql://…``): what the disk cache
keeps, shared by every worker and every machine of a run, in tables an editor or an
analyst can query (docs/store.md).

The same contract as :class:`refcheck.resolve.cache.Cache` -- the same methods, the
same lifetimes, the same answers -- and the same safety rules:

* data, never code: typed columns and ``json`` values (kept as written, like the
  disk cache's JSON text), never a pickle; every statement is parameterised;
* credentials never stored: every address written goes through
  :func:`refcheck.redact.redact`, and a link whose address carries a secret query
  value (``?token=…``, ``?api_key=…``) is not written at all; the store's own password
  never appears in a message (:attr:`PostgresStore.description` names host, port and
  database only);
* a damaged row (a status that is no status, a history that is not one) is skipped
  with a warning: the link is checked again.

Faults: the store unreachable when opened stops the run (``InputError``, one line).
Unreachable later, a write waits with a bounded back-off (``retry_for`` seconds in
all, tenacity), then the store is marked down: later writes are kept in memory and
tried once more at most every ``retry_for`` seconds (a run never waits again), and
:meth:`PostgresStore.close` says once what was not saved. Reads never wait: a read
that fails is a miss (the link is checked). Writes are committed batch by batch as
the resolver hands them over, so an interrupted run's finished verdicts are there
for the next run.

Concurrency: each process opens its own connection (a connection inherited through
``fork`` is never used, nor closed, by the child); writes are UPSERTs in key order
(two runs writing the same links at once cannot deadlock each other, and a batch
written twice is the same as once); the schema is created under an advisory lock.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import psycopg
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_exponential, wait_random

from refcheck.errors import InputError
from refcheck.models import ArchiveCopy, Document, Drift, DriftVerdict, HistoryEntry, LinkStatus, Verdict
from refcheck.redact import redact
from refcheck.resolve import cache as disk
from refcheck.resolve.cache import LinkEntry

SCHEMA_VERSION = 1
"""The tables' version; a store made by a newer refcheck is refused, never altered."""
RETRY_FOR = 5.0
"""Seconds a write waits, retrying with back-off, for a store that went away."""
CONNECT_TIMEOUT = 5
"""Seconds a connection attempt may take (libpq's minimum is 2)."""
KEPT_UNSAVED = 200_000
"""Writes kept in memory while the store is down (beyond: dropped, counted)."""
_CHUNK = 1000
"""Keys read per query."""
_LOCK = 0x7265_6663
"""Advisory lock id serialising schema creation ("refc")."""
_SHOWN_DAMAGED = 5
"""Damaged rows named one by one; the rest are counted."""

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS refcheck_schema (
        id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE IF NOT EXISTS links (
        url text PRIMARY KEY, status text NOT NULL, http_status integer, final_url text, error text,
        checked_at timestamptz, elapsed_ms integer, redirects json, reusable boolean NOT NULL,
        failures integer NOT NULL DEFAULT 0, history json NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz)""",
    """CREATE TABLE IF NOT EXISTS checks (
        id bigserial PRIMARY KEY, url text NOT NULL, checked_at timestamptz NOT NULL, status text NOT NULL,
        http_status integer, final_url text, error text, UNIQUE (url, checked_at, status))""",
    "CREATE INDEX IF NOT EXISTS checks_checked_at ON checks (checked_at)",
    """CREATE TABLE IF NOT EXISTS archive_captures (
        url text NOT NULL, day text NOT NULL, available boolean NOT NULL, capture_url text,
        capture_timestamp text, source text, stored_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz, PRIMARY KEY (url, day))""",
    """CREATE TABLE IF NOT EXISTS capture_digests (
        url text NOT NULL, capture_timestamp text NOT NULL, digest json NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz, PRIMARY KEY (url, capture_timestamp))""",
    """CREATE TABLE IF NOT EXISTS drift (
        url text NOT NULL, day text NOT NULL, verdict text NOT NULL, reason text, cited_title text,
        then_title text, now_title text, title_similarity double precision, cited_similarity double precision,
        text_similarity double precision, capture_url text, capture_timestamp text, checked_at timestamptz,
        expires_at timestamptz, PRIMARY KEY (url, day))""",
    """CREATE TABLE IF NOT EXISTS probes (
        folder text PRIMARY KEY, status text NOT NULL, final_url text, title text, expires_at timestamptz)""",
    """CREATE TABLE IF NOT EXISTS documents (
        key text PRIMARY KEY, data json NOT NULL, stored_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz)""",
    """CREATE TABLE IF NOT EXISTS entries (
        key text PRIMARY KEY, value json NOT NULL, expires_at timestamptz)""",
    """CREATE TABLE IF NOT EXISTS runs (
        id bigserial PRIMARY KEY, corpus_key text, started_at timestamptz NOT NULL, finished_at timestamptz,
        complete boolean NOT NULL, host text, counts json NOT NULL, statuses json NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS runs_corpus ON runs (corpus_key, started_at)",
)
_EXPIRES = "now() + %s * interval '1 second'"
_LIVE = "(expires_at IS NULL OR expires_at > now())"

_UPSERT_LINK = f"""INSERT INTO links (url, status, http_status, final_url, error, checked_at, elapsed_ms, redirects,
        reusable, failures, history, updated_at, expires_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s::json, %s, %s, %s::json, now(), {_EXPIRES})
    ON CONFLICT (url) DO UPDATE SET status = EXCLUDED.status, http_status = EXCLUDED.http_status,
        final_url = EXCLUDED.final_url, error = EXCLUDED.error, checked_at = EXCLUDED.checked_at,
        elapsed_ms = EXCLUDED.elapsed_ms, redirects = EXCLUDED.redirects, reusable = EXCLUDED.reusable,
        failures = EXCLUDED.failures, history = EXCLUDED.history, updated_at = now(),
        expires_at = EXCLUDED.expires_at"""
_INSERT_CHECK = """INSERT INTO checks (url, checked_at, status, http_status, final_url, error)
    VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"""
_UPSERT_ENTRY = f"""INSERT INTO entries (key, value, expires_at) VALUES (%s, %s::json, {_EXPIRES})
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at"""
_UPSERT_DOCUMENT = f"""INSERT INTO documents (key, data, expires_at) VALUES (%s, %s::json, {_EXPIRES})
    ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, stored_at = now(), expires_at = EXCLUDED.expires_at"""
_UPSERT_PROBE = f"""INSERT INTO probes (folder, status, final_url, title, expires_at) VALUES (%s, %s, %s, %s, {_EXPIRES})
    ON CONFLICT (folder) DO UPDATE SET status = EXCLUDED.status, final_url = EXCLUDED.final_url,
        title = EXCLUDED.title, expires_at = EXCLUDED.expires_at"""
_UPSERT_ARCHIVE = f"""INSERT INTO archive_captures (url, day, available, capture_url, capture_timestamp, source,
        expires_at) VALUES (%s, %s, %s, %s, %s, %s, {_EXPIRES})
    ON CONFLICT (url, day) DO UPDATE SET available = EXCLUDED.available, capture_url = EXCLUDED.capture_url,
        capture_timestamp = EXCLUDED.capture_timestamp, source = EXCLUDED.source, stored_at = now(),
        expires_at = EXCLUDED.expires_at"""
_UPSERT_DIGEST = f"""INSERT INTO capture_digests (url, capture_timestamp, digest, expires_at)
    VALUES (%s, %s, %s::json, {_EXPIRES})
    ON CONFLICT (url, capture_timestamp) DO UPDATE SET digest = EXCLUDED.digest, stored_at = now(),
        expires_at = EXCLUDED.expires_at"""
_DRIFT_COLUMNS = ("verdict", "reason", "cited_title", "then_title", "now_title", "title_similarity",
                  "cited_similarity", "text_similarity", "capture_url", "capture_timestamp", "checked_at")  # fmt: skip
_UPSERT_DRIFT = f"""INSERT INTO drift (url, day, {", ".join(_DRIFT_COLUMNS)}, expires_at)
    VALUES (%s, %s, {", ".join(["%s"] * len(_DRIFT_COLUMNS))}, {_EXPIRES})
    ON CONFLICT (url, day) DO UPDATE SET {", ".join(f"{name} = EXCLUDED.{name}" for name in _DRIFT_COLUMNS)},
        expires_at = EXCLUDED.expires_at"""
assert {f.name for f in fields(Drift)} == set(_DRIFT_COLUMNS), "the drift table follows the Drift record"

# Query parameters that carry a secret (a token, a key, a signature): such a link is not stored.
_SECRET_PARAMETER = re.compile(
    r"(?i)(?:^|[_.-])(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth|"
    r"signature|sig|credential|session[_-]?id|sessionid)$"
)

_Statement = tuple[str, list[Sequence[Any]]]
_INHERITED: list[psycopg.Connection[Any]] = []
"""Connections a forked child found in its parent's store: kept referenced, never closed
(closing would end the parent's session on the server)."""


class StoreDown(Exception):
    """The store did not answer within the back-off (internal)."""


@dataclass
class _Pending:
    statements: list[_Statement]
    links: int
    entries: int


def describe(url: str) -> str:
    """The store as messages name it: host, port and database, never user nor password."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(unparseable address)"
    host = str(info.get("host") or "localhost")
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{host}{port}/{info.get('dbname') or ''}"


def has_secret_query(url: str) -> bool:
    """Whether ``url`` carries a secret in its query (``?token=…``): never stored."""
    if "?" not in url:
        return False
    try:
        query = urlsplit(url).query
    except ValueError:
        return False
    return any(value and _SECRET_PARAMETER.search(name) for name, value in parse_qsl(query, keep_blank_values=True))


def _text(value: str | None) -> str | None:
    """Text PostgreSQL accepts: no NUL, no lone surrogate (both replaced)."""
    if value is None or (value.isascii() and "\x00" not in value):
        return value
    return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


def _address(url: str | None) -> str | None:
    return _text(redact(url)) if url else url


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds" if not moment.microsecond else "microseconds")


class PostgresStore:
    """The disk cache's interface over PostgreSQL (see the module's text)."""

    def __init__(
        self,
        url: str,
        warn: Callable[[str], None] | None = None,
        *,
        retry_for: float = RETRY_FOR,
        connect_timeout: int = CONNECT_TIMEOUT,
    ) -> None:
        self.location = url
        """The address as given, password included: for worker processes to open their own
        connection. Never shown: :attr:`description` is."""
        self.description = describe(url)
        self.warnings: list[str] = []
        self._warn = warn
        self._retry_for = retry_for
        self._connect_timeout = max(2, int(connect_timeout))
        self._connection: psycopg.Connection[Any] | None = None
        self._pid = 0
        self._down_since: datetime | None = None
        self._last_try = 0.0
        self._pending: list[_Pending] = []
        self._dropped_links = self._dropped_entries = 0
        self._secret_urls: set[str] = set()
        """Links with a secret in their query, never written (said once, counted once each)."""
        self._damaged = 0
        self._down_reason = ""
        self._read_failed = False
        try:
            self._connect()
            self._create_schema()
        except psycopg.Error as exc:
            raise InputError(f"verdict store {self.description} cannot be used: {self._reason(exc)}") from None

    # ------------------------------------------------------------------ connection

    def _connect(self) -> psycopg.Connection[Any]:
        if self._connection is not None and self._pid != os.getpid():
            _INHERITED.append(self._connection)  # the parent's: never touched here
            self._connection = None
        if self._connection is not None and not self._connection.closed and not self._connection.broken:
            return self._connection
        if self._connection is not None:
            self._connection.close()
        self._connection = psycopg.connect(
            self.location, connect_timeout=self._connect_timeout, application_name="refcheck"
        )
        self._pid = os.getpid()
        self._connection.execute("SET TIME ZONE 'UTC'")
        self._connection.commit()
        return self._connection

    def _create_schema(self) -> None:
        connection = self._connect()
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            for statement in _SCHEMA:
                connection.execute(statement)
            connection.execute(
                "INSERT INTO refcheck_schema (id, version) VALUES (1, %s) ON CONFLICT (id) DO NOTHING",
                (SCHEMA_VERSION,),
            )
            row = connection.execute("SELECT version FROM refcheck_schema WHERE id = 1").fetchone()
        version = row[0] if row else None
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise InputError(
                f"verdict store {self.description} has schema version {version}, newer than this refcheck's "
                f"({SCHEMA_VERSION}): upgrade refcheck, or use another database"
            )

    def _reason(self, exc: BaseException) -> str:
        """The error's first line, with no credential in it (libpq's messages quote hosts, not
        passwords -- but a message is never trusted to)."""
        try:
            password = psycopg.conninfo.conninfo_to_dict(self.location).get("password")
        except psycopg.Error:  # the address itself cannot be read: its text (and password) is not shown
            return "the address is not a valid postgresql:// URL (a stray '%', '[' or '@'? percent-encode them)"
        text = " ".join((str(exc).strip().splitlines() or [type(exc).__name__])[0].split())
        if password:
            text = text.replace(str(password), "***")
        return redact(text.replace(self.location, self.description))[:300] or type(exc).__name__

    def _secret(self, url: str) -> bool:
        """A link whose query carries a secret (``?token=…``) is not written at all:
        counted, and said once at the end (as for verdicts)."""
        if has_secret_query(url):
            self._secret_urls.add(url)
            return True
        return False

    def _note(self, message: str) -> None:
        self.warnings.append(message)
        if self._warn is not None:
            self._warn(message)

    # ------------------------------------------------------------------ reading

    def _rows(self, query: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Rows of one query; a failure is a miss (with a note), never a wait."""
        if self._down_since is not None:  # writes find out when it is back; a read never waits
            return []
        try:
            connection = self._connect()
            with connection.transaction():
                return connection.execute(query, parameters).fetchall()
        except psycopg.Error as exc:  # the store away, or a row it cannot send: a miss
            self._drop_connection()
            if not self._read_failed:
                self._read_failed = True
                self._note(f"verdict store read failed ({self._reason(exc)}): those entries are checked again")
            return []

    def _chunked(self, query: str, keys: list[Any]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(keys), _CHUNK):
            rows.extend(self._rows(query, (keys[start : start + _CHUNK],)))
        return rows

    def _damaged_row(self, table: str, key: str, why: str) -> None:
        self._damaged += 1
        if self._damaged <= _SHOWN_DAMAGED:
            self._note(f"verdict store: damaged row in {table} skipped ({redact(key)[:80]}: {why})")
        elif self._damaged == _SHOWN_DAMAGED + 1:
            self._note("verdict store: more damaged rows skipped (counted at the end)")

    # ------------------------------------------------------------------ writing

    def _write(self, statements: list[_Statement], links: int = 0, entries: int = 0) -> None:
        """One transaction, retried with back-off while the store does not answer; kept in
        memory (counted) when it stays away."""
        statements = [(query, rows) for query, rows in statements if rows]
        if not statements:
            return
        if self._down_since is not None:
            self._keep(_Pending(statements, links, entries))
            if self._may_try_again():
                self._retry_pending()
            return
        try:
            self._commit_with_backoff(statements)
        except StoreDown as exc:
            self._mark_down(exc.__cause__ or exc)
            self._keep(_Pending(statements, links, entries))
        except psycopg.Error as exc:  # not the store's absence: data it refused (never expected)
            self._note(f"verdict store write failed for {links + entries} entries: {self._reason(exc)}")

    def _commit_with_backoff(self, statements: list[_Statement]) -> None:
        retrying = Retrying(
            stop=stop_after_delay(self._retry_for),
            wait=wait_exponential(multiplier=0.05, max=1.0) + wait_random(0, 0.05),
            retry=retry_if_exception_type(psycopg.OperationalError),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    self._commit(statements)
        except psycopg.OperationalError as exc:  # connection lost, server gone, deadlock retried out
            raise StoreDown(str(exc)) from exc

    def _commit(self, statements: list[_Statement]) -> None:
        connection = self._connect()
        with connection.transaction(), connection.cursor() as cursor:
            for query, rows in statements:
                cursor.executemany(query, rows)

    def _mark_down(self, exc: BaseException) -> None:
        self._last_try = time.monotonic()
        if self._down_since is None:
            self._down_since = datetime.now(UTC)
            self._drop_connection()
            self._down_reason = self._reason(exc)

    def _drop_connection(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None

    def _may_try_again(self) -> bool:
        return time.monotonic() - self._last_try >= self._retry_for

    def _keep(self, pending: _Pending) -> None:
        held = sum(len(rows) for item in self._pending for _, rows in item.statements)
        if held >= KEPT_UNSAVED:
            self._dropped_links += pending.links
            self._dropped_entries += pending.entries
            return
        self._pending.append(pending)

    def _retry_pending(self) -> None:
        """One attempt (no back-off) to write what was kept; the store is up again if it lands."""
        self._last_try = time.monotonic()
        try:
            for item in list(self._pending):
                self._commit(item.statements)
                self._pending.remove(item)
        except psycopg.Error:
            return
        self._down_since = None

    @property
    def unsaved(self) -> tuple[int, int]:
        """(verdicts, other entries) not written to the store (yet)."""
        links = sum(item.links for item in self._pending) + self._dropped_links
        entries = sum(item.entries for item in self._pending) + self._dropped_entries
        return links, entries

    # ------------------------------------------------------------------ links

    def link(self, url: str) -> LinkEntry | None:
        return self.links([url]).get(url)

    def links(self, urls: Iterable[str]) -> dict[str, LinkEntry]:
        """The entries of many links at once (expired ones left out; damaged ones skipped)."""
        wanted = {_address(url) or url: url for url in urls}
        rows = self._chunked(
            "SELECT url, status, http_status, final_url, error, checked_at, elapsed_ms, redirects, reusable, "
            f"failures, history FROM links WHERE url = ANY(%s) AND {_LIVE}",
            list(wanted),
        )
        found: dict[str, LinkEntry] = {}
        for row in rows:
            entry = self._link_entry(row)
            if entry is not None and row[0] in wanted:
                found[wanted[row[0]]] = entry
        return found

    def _link_entry(self, row: tuple[Any, ...]) -> LinkEntry | None:
        url, status, http_status, final_url, error, checked_at, elapsed_ms, redirects, reusable, failures, history = row
        try:
            if not isinstance(history, list) or not all(
                isinstance(item, list) and len(item) == 2 and all(isinstance(part, str) for part in item)
                for item in history
            ):
                raise ValueError("history is not a list of [checked_at, status]")
            entry = LinkEntry(failures=int(failures))
            entry.history = [HistoryEntry(at, status) for at, status in history][-disk.HISTORY_LIMIT :]
            if reusable:
                entry.verdict = Verdict.from_plain({
                    "status": status, "http_status": http_status, "final_url": final_url,
                    "redirects": redirects or [], "error": error, "checked_at": _iso(checked_at),
                    "elapsed_ms": elapsed_ms,
                })  # fmt: skip
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self._damaged_row("links", str(url), str(exc) or type(exc).__name__)
            return None
        return entry

    def store_links(self, entries: Iterable[tuple[str, LinkEntry]]) -> None:
        """Several links' entries in one transaction, each link's newest check added to ``checks``."""
        links: list[Sequence[Any]] = []
        checks: list[Sequence[Any]] = []
        for url, entry in sorted(entries, key=lambda item: item[0]):  # key order: no deadlock between runs
            if has_secret_query(url):
                self._secret_urls.add(url)
                continue
            link_row, check_row = _link_rows(_address(url) or url, entry)
            links.append(link_row)
            if check_row is not None:
                checks.append(check_row)
        self._write([(_UPSERT_LINK, links), (_INSERT_CHECK, checks)], links=len(links))

    # ------------------------------------------------------------------ key-value entries

    def get(self, key: str) -> Any:
        return self._many([key]).get(key)

    def _many(self, keys: Iterable[str]) -> dict[str, Any]:
        rows = self._chunked(f"SELECT key, value FROM entries WHERE key = ANY(%s) AND {_LIVE}", list(keys))
        return dict(rows)

    def set(self, key: str, value: Any, expire: float | None = None) -> None:
        self.set_many([(key, value, expire)])

    def set_many(self, items: list[tuple[str, Any, float | None]]) -> None:
        """Several entries in one transaction; all or none of them land."""
        rows: list[Sequence[Any]] = [
            (_text(key), disk._dumps(value), expire) for key, value, expire in sorted(items, key=_first)
        ]
        self._write([(_UPSERT_ENTRY, rows)], entries=len(rows))

    def __len__(self) -> int:
        total = 0
        for table in ("links", "archive_captures", "capture_digests", "drift", "probes", "documents", "entries"):
            rows = self._rows(f"SELECT count(*) FROM {table}", ())  # table names are ours, never input
            total += int(rows[0][0]) if rows else 0
        return total

    # ------------------------------------------------------------------ probes

    def probe(self, folder: str) -> tuple[LinkStatus, str | None, str | None] | None:
        rows = self._rows(f"SELECT status, final_url, title FROM probes WHERE folder = %s AND {_LIVE}", (folder,))
        if not rows:
            return None
        status, final_url, title = rows[0]
        try:
            return LinkStatus(status), final_url, title
        except ValueError:
            self._damaged_row("probes", folder, f"status {status!r}")
            return None

    def set_probe(self, folder: str, status: LinkStatus, final_url: str | None, title: str | None) -> None:
        row = (_address(folder), str(status), _address(final_url), _text(title), disk.PROBE_FOR)
        self._write([(_UPSERT_PROBE, [row])], entries=1)

    # ------------------------------------------------------------------ archive answers

    def archive_copy(self, url: str, day: str) -> ArchiveCopy | None:
        return self.archive_copies([(url, day)]).get((url, day))

    def archive_copies(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], ArchiveCopy]:
        keys = {(_address(url) or url, day): (url, day) for url, day in wanted}
        found: dict[tuple[str, str], ArchiveCopy] = {}
        urls = sorted({url for url, _ in keys})
        rows = self._chunked(
            "SELECT url, day, available, capture_url, capture_timestamp, source FROM archive_captures "
            f"WHERE url = ANY(%s) AND {_LIVE}",
            urls,
        )
        for url, day, available, capture_url, timestamp, source in rows:
            key = keys.get((url, day))
            if key is not None:
                found[key] = ArchiveCopy(bool(available), capture_url, timestamp, source)
        return found

    def set_archive_copy(self, url: str, day: str, copy: ArchiveCopy) -> None:
        """Kept 30 days when found, a day when confirmed missing; an undetermined answer is not kept."""
        if copy.available is None or self._secret(url):
            return
        lifetime = disk.ARCHIVE_FOUND_FOR if copy.available else disk.ARCHIVE_NOT_FOUND_FOR
        row = (_address(url), _text(day), copy.available, _address(copy.url), _text(copy.timestamp),
               _text(copy.source), lifetime)  # fmt: skip
        self._write([(_UPSERT_ARCHIVE, [row])], entries=1)

    def capture_digest(self, url: str, timestamp: str) -> dict[str, Any] | None:
        rows = self._rows(
            f"SELECT digest FROM capture_digests WHERE url = %s AND capture_timestamp = %s AND {_LIVE}",
            (_address(url), timestamp),
        )
        return rows[0][0] if rows and isinstance(rows[0][0], dict) else None

    def set_capture_digest(self, url: str, timestamp: str, digest: dict[str, Any]) -> None:
        if self._secret(url):
            return
        row = (_address(url), _text(timestamp), disk._dumps(digest), disk.CAPTURE_FOR)
        self._write([(_UPSERT_DIGEST, [row])], entries=1)

    # ------------------------------------------------------------------ drift

    def drift(self, url: str, day: str, max_age_days: float | None = None) -> Drift | None:
        rows = self._rows(
            f"SELECT {', '.join(_DRIFT_COLUMNS)} FROM drift WHERE url = %s AND day = %s AND {_LIVE}",
            (_address(url), day),
        )
        if not rows:
            return None
        data = dict(zip(_DRIFT_COLUMNS, rows[0], strict=True))
        data["checked_at"] = _iso(data["checked_at"])
        drift = disk._drift(data)
        if drift is None:
            self._damaged_row("drift", url, f"verdict {data['verdict']!r}")
            return None
        if max_age_days is None:
            return drift
        checked = _moment(drift.checked_at)
        if checked is None:
            return None
        return drift if (datetime.now(UTC) - checked).total_seconds() <= max_age_days * disk.DAY else None

    def set_drift(self, url: str, day: str, drift: Drift) -> None:
        if self._secret(url):
            return
        values: list[Any] = []
        for name in _DRIFT_COLUMNS:
            value = getattr(drift, name)
            if name == "verdict":
                value = str(DriftVerdict(value))
            elif name == "checked_at":
                value = _moment(value)
            elif name == "capture_url":
                value = _address(value)
            elif isinstance(value, str):
                value = _text(value)
            values.append(value)
        row = (_address(url), _text(day), *values, disk.DRIFT_FOR)
        self._write([(_UPSERT_DRIFT, [row])], entries=1)

    # ------------------------------------------------------------------ live pages read as input

    def web_input(self, key: str) -> dict[str, Any] | None:
        data = self.get("web-input:" + key)
        return data if isinstance(data, dict) else None

    def set_web_input(self, key: str, value: dict[str, Any]) -> None:
        if self._secret(key.split(":", 1)[-1]):
            return
        self.set("web-input:" + key, value, expire=getattr(disk, "WEB_INPUT_FOR", 30 * disk.DAY))

    # ------------------------------------------------------------------ extracted articles

    def document(self, key: str) -> Document | None:
        rows = self._rows(f"SELECT data FROM documents WHERE key = %s AND {_LIVE}", (key,))
        if not rows:
            return None
        try:
            return disk._document_from_rows(rows[0][0])
        except (KeyError, IndexError, TypeError, ValueError):
            self._note(f"cache entry for an extracted article is damaged; extracted again ({key[:12]}…)")
            return None

    def set_document(self, key: str, document: Document) -> None:
        self.set_documents([(key, document)])

    def set_documents(self, documents: Iterable[tuple[str, Document]]) -> None:
        rows: list[Sequence[Any]] = [
            (key, disk._dumps(disk._document_rows(document)), disk.DOCUMENT_FOR)
            for key, document in sorted(documents, key=_first)
        ]
        self._write([(_UPSERT_DOCUMENT, rows)], entries=len(rows))

    # ------------------------------------------------------------------ runs

    def record_run(
        self,
        *,
        corpus_key: str | None,
        started_at: datetime,
        finished_at: datetime | None,
        complete: bool,
        counts: dict[str, int],
        statuses: dict[str, int],
        host: str | None = None,
    ) -> None:
        """One row of ``runs`` (what the trend and an analyst read about a run as a whole)."""
        row = (corpus_key, started_at, finished_at, complete, host or os.uname().nodename,
               json.dumps(counts), json.dumps(statuses))  # fmt: skip
        query = """INSERT INTO runs (corpus_key, started_at, finished_at, complete, host, counts, statuses)
            VALUES (%s, %s, %s, %s, %s, %s::json, %s::json)"""
        self._write([(query, [row])], entries=1)

    # ------------------------------------------------------------------ upkeep

    def prune(self) -> None:
        """Remove expired rows (a link's checks go with its row: not checked for 180 days)."""
        statements: list[_Statement] = [
            (
                "WITH gone AS (DELETE FROM links WHERE expires_at < now() RETURNING url) "
                "DELETE FROM checks WHERE url IN (SELECT url FROM gone)",
                [()],
            ),
        ]
        for table in ("archive_captures", "capture_digests", "drift", "probes", "documents", "entries"):
            statements.append((f"DELETE FROM {table} WHERE expires_at < now()", [()]))
        if self._down_since is None:
            try:
                self._commit(statements)
            except psycopg.Error as exc:
                self._note(f"verdict store: expired rows not removed ({self._reason(exc)})")

    def close(self) -> None:
        """Write what was kept (one last attempt), say once what could not be, and disconnect."""
        if self._pending:
            self._retry_pending()
        links, entries = self.unsaved
        if links or entries:
            since = self._down_since.strftime("%Y-%m-%d %H:%M:%S UTC") if self._down_since else "?"
            other = f" (and {entries:,} other entries)" if entries else ""
            self._note(
                f"verdict store {self.description} unreachable since {since} ({self._down_reason}): "
                f"{links:,} verdicts not saved{other}; this run's results are complete"
            )
        if self._secret_urls:
            self._note(f"verdict store: {len(self._secret_urls):,} links with a secret in their query not stored")
        if self._damaged > _SHOWN_DAMAGED:
            self._note(f"verdict store: {self._damaged:,} damaged rows skipped in all")
        self._pending = []
        self._dropped_links = self._dropped_entries = self._damaged = 0
        self._secret_urls.clear()
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None


def _first(item: tuple[Any, ...]) -> Any:
    return item[0]


def _link_rows(url: str, entry: LinkEntry) -> tuple[Sequence[Any], Sequence[Any] | None]:
    """The row of ``links`` and, when the entry has a check, the row of ``checks`` for its newest one."""
    verdict = entry.verdict
    newest = entry.history[-1] if entry.history else None
    status = str(verdict.status) if verdict is not None else str(newest.status) if newest else "unchecked"
    checked_text = verdict.checked_at if verdict is not None else newest.checked_at if newest else None
    redirects = [[_address(hop.url), hop.status] for hop in verdict.redirects] if verdict is not None else []
    history = [[at.checked_at, str(at.status)] for at in entry.history[-disk.HISTORY_LIMIT :]]
    error = _text(redact(verdict.error)) if verdict is not None and verdict.error else None
    final_url = _address(verdict.final_url) if verdict is not None else None
    http_status = verdict.http_status if verdict is not None else None
    link_row = (
        url, status, http_status, final_url, error, _moment(checked_text),
        verdict.elapsed_ms if verdict is not None else None, json.dumps(redirects), verdict is not None,
        entry.failures, disk._dumps(history), disk.KEEP_LINK_FOR,
    )  # fmt: skip
    if newest is None or _moment(newest.checked_at) is None:
        return link_row, None
    same = verdict is not None and verdict.checked_at == newest.checked_at
    check_row = (url, _moment(newest.checked_at), str(newest.status), http_status if same else None,
                 final_url if same else None, error if same else None)  # fmt: skip
    return link_row, check_row
