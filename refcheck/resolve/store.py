"""Where verdicts, history, archive answers and extracted articles are kept: the
embedded disk cache (a folder, the default) or a shared PostgreSQL database
(``--store postgresql://…``), behind one interface.

:class:`VerdictStore` is what the pipeline, the resolver and fix mode call on a
store; :class:`refcheck.resolve.cache.Cache` and
:class:`refcheck.resolve.store_pg.PostgresStore` both provide it. :func:`open_store`
picks one by the location's form. The PostgreSQL driver is imported only when a
``postgresql://`` location is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from refcheck.errors import InputError
from refcheck.models import ArchiveCopy, Document, Drift, LinkStatus, RunResult
from refcheck.resolve.cache import Cache, LinkEntry

if TYPE_CHECKING:
    from refcheck.resolve.store_pg import PostgresStore

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class VerdictStore(Protocol):
    """What a run reads and writes in its store (the disk cache's methods and their meaning)."""

    warnings: list[str]

    def link(self, url: str) -> LinkEntry | None: ...
    def links(self, urls: Iterable[str]) -> dict[str, LinkEntry]: ...
    def store_links(self, entries: Iterable[tuple[str, LinkEntry]]) -> None: ...
    def probe(self, folder: str) -> tuple[LinkStatus, str | None, str | None] | None: ...
    def set_probe(self, folder: str, status: LinkStatus, final_url: str | None, title: str | None) -> None: ...
    def archive_copy(self, url: str, day: str) -> ArchiveCopy | None: ...
    def archive_copies(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], ArchiveCopy]: ...
    def set_archive_copy(self, url: str, day: str, copy: ArchiveCopy) -> None: ...
    def capture_digest(self, url: str, timestamp: str) -> dict[str, Any] | None: ...
    def set_capture_digest(self, url: str, timestamp: str, digest: dict[str, Any]) -> None: ...
    def drift(self, url: str, day: str, max_age_days: float | None = None) -> Drift | None: ...
    def set_drift(self, url: str, day: str, drift: Drift) -> None: ...
    def web_input(self, key: str) -> dict[str, Any] | None: ...
    def set_web_input(self, key: str, value: dict[str, Any]) -> None: ...
    def document(self, key: str) -> Document | None: ...
    def set_document(self, key: str, document: Document) -> None: ...
    def set_documents(self, documents: Iterable[tuple[str, Document]]) -> None: ...
    def get(self, key: str) -> Any: ...
    def set(self, key: str, value: Any, expire: float | None = None) -> None: ...
    def set_many(self, items: list[tuple[str, Any, float | None]]) -> None: ...
    def prune(self) -> None: ...
    def close(self) -> None: ...


def is_postgres(location: str) -> bool:
    return location.lower().startswith(POSTGRES_SCHEMES)


def open_store(
    location: str,
    warn: Callable[[str], None] | None = None,
    *,
    retry_for: float | None = None,
    lock_timeout: float = 60.0,
) -> VerdictStore:
    """The store at ``location``: a ``postgresql://`` URL, else a cache folder. Raises
    :class:`InputError` (one line, no password in it) when it cannot be used.
    ``retry_for``: seconds a write waits for a PostgreSQL store that went away."""
    if not is_postgres(location):
        return Cache(Path(location), warn=warn, lock_timeout=lock_timeout)
    store_class = _postgres_store_class()
    if retry_for is None:
        return store_class(location, warn)
    return store_class(location, warn, retry_for=retry_for)


def _postgres_store_class() -> type[PostgresStore]:
    try:
        from refcheck.resolve.store_pg import PostgresStore
    except ImportError:
        raise InputError(
            "--store postgresql://… needs the PostgreSQL driver: pip install 'psycopg[binary]>=3.2'"
        ) from None
    return PostgresStore


def location_of(store: VerdictStore) -> str:
    """What a worker process passes to :func:`open_store` to open the same store (its own
    connection): the folder, or the URL with its password -- never to be shown."""
    if isinstance(store, Cache):
        return str(store.directory)
    return str(store.location)  # type: ignore[attr-defined]


def description_of(store: VerdictStore) -> str:
    """The store as messages name it (a PostgreSQL store without user nor password)."""
    if isinstance(store, Cache):
        return str(store.directory)
    return str(store.description)  # type: ignore[attr-defined]


def record_run(store: VerdictStore, result: RunResult, started_at: datetime, finished_at: datetime) -> None:
    """A row of the store's ``runs`` table for this run (PostgreSQL only: the disk cache's
    runs are the report folder's history.jsonl)."""
    recorder = getattr(store, "record_run", None)
    if recorder is None:
        return
    summary = result.summary
    counts = {
        "documents": summary.documents, "documents_read": summary.documents_read, "citations": summary.citations,
        "unique_links": summary.unique_links, "links_checked": summary.links_checked,
        "links_from_cache": summary.links_from_cache, "requests": summary.requests,
        "not_checked": summary.coverage.not_checked,
    }  # fmt: skip
    recorder(
        corpus_key=result.corpus_key, started_at=started_at, finished_at=finished_at,
        complete=summary.coverage.complete and not summary.coverage.interrupted,
        counts=counts, statuses=dict(summary.statuses),
    )  # fmt: skip


if TYPE_CHECKING:  # both stores provide the interface (checked by mypy, never run)

    def _disk_is_a_store(cache: Cache) -> VerdictStore:
        return cache

    def _postgres_is_a_store(store: PostgresStore) -> VerdictStore:
        return store
