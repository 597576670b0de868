"""The run: collect -> extract (one article at a time) -> aggregate links -> (resolve) -> summary.

Documents are spooled to a temporary JSON-lines file as they are extracted, so
memory holds one article's text at a time plus the table of unique links,
whatever the size of the corpus; report writers stream them back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from refcheck.collect import (
    BINARY_FORMATS,
    FORMATS,
    UNSUPPORTED,
    InputError,
    SkipFile,
    Skipped,
    SourceFile,
    collect,
    os_error,
    read_bytes,
    text_of,
)
from refcheck.config import Settings, save_keys
from refcheck.executor import Executor, InProcess, LocalProcesses, available_cores, make_executor
from refcheck.models import (
    CitedBy,
    Coverage,
    Document,
    FootnoteLabel,
    LinkResult,
    LocationUnit,
    RunResult,
    SkippedFile,
)
from refcheck.redact import redact
from refcheck.resolve.resolver import ResolveReport, resolve_links
from refcheck.resolve.settings import ArchiveSettings, CheckSettings, ResolveSettings
from refcheck.resolve.store import VerdictStore, open_store, record_run
from refcheck.spool import DocumentSpool

if TYPE_CHECKING:
    from refcheck.extract import ExtractContext
    from refcheck.webinput.fetch import WebSettings


def run(
    paths: list[Path],
    settings: Settings,
    progress: Callable[[str], None] | None = None,
    pages: list[str] | None = None,
) -> RunResult:
    """Extract every article under ``paths``, then the live pages: ``pages`` (addresses
    named on the command line) and those the settings' sitemaps and feeds list. Raises
    :class:`~refcheck.collect.InputError` for a missing path or a corpus of files only
    with no article (a run over a site may find no page: its notes say why).

    Large corpora are extracted by a pool of worker processes (``workers``),
    results merged in corpus order. An article whose bytes (and name, and the
    extraction code and settings) are unchanged since the last run is taken
    from the cache instead of being extracted again."""
    extra = [Path(settings.outlets_file)] if settings.outlets_file else []
    result = RunResult(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        documents=DocumentSpool(),
        inputs=sorted({os.path.realpath(path) for path in paths}) + _web_inputs(pages or [], settings),
    )
    summary = result.summary
    summary.links_scope = settings.links
    settings_file = Path(settings.source) if settings.source else None
    items = list(collect(paths, settings.exclude, settings.follow_symlinks, settings_file))
    sources = [item for item in items if isinstance(item, SourceFile)]
    job = _ExtractJob(
        extra, sorted(settings.publishers.items()), settings.max_file_size, store_location(settings),
        _fingerprint(settings, extra), settings.refresh, settings.links, settings.cache_articles,
        store_retry=settings.store_retry,
    )  # fmt: skip
    # Opened here first (workers open their own): what opening finds wrong -- a planted
    # file, rows repaired -- is said once, in this run's notes.
    cache = _job_cache(job)
    if cache is not None:
        result.notes.extend(cache.warnings)
    noted = len(cache.warnings) if cache is not None else 0
    executor = _executor_for(sources, settings, job)
    try:
        # A cluster's workers do not share this process's working folder: absolute paths.
        shipped = [replace(source, path=source.path.absolute()) for source in sources] if settings.executor == "ray" else sources
        extracted = executor.map(_extract, shipped)
        for item in items:
            if not isinstance(item, SourceFile):
                summary.skipped_files.append(SkippedFile(item.name, item.reason))
                continue
            if progress is not None:
                progress(item.name)
            document, fetch_urls, tally = next(extracted)
            result.fetch_urls.update(fetch_urls)
            _add_tally(tally, result)
            if isinstance(document, bytes):
                result.documents.append_pickled(document)
            else:
                result.documents.append(document)
    finally:
        executor.close()
        if job.cache is not None:  # in this process: what reading it found (a damaged entry…)
            result.notes.extend(job.cache.warnings[noted:])
        _close_job()
    web = bool(pages or settings.sitemaps or settings.feeds)
    if web:
        _read_web(pages or [], settings, job, result, progress)
    if summary.documents == 0 and not web:
        result.documents.close()
        unsupported = [item.name for item in items if isinstance(item, Skipped) and item.reason == UNSUPPORTED]
        if unsupported:  # the user named a file refcheck cannot read: say so, not "no articles"
            raise InputError(f"{', '.join(unsupported)}: {UNSUPPORTED}")
        shown = ", ".join(str(p) for p in paths)
        raise InputError(f"no articles found in {shown} (looked for {', '.join(sorted(FORMATS))})")
    summary.files_skipped = len(summary.skipped_files)
    summary.unique_links = len(result.links)
    _count_statuses(result)
    return result


# ------------------------------------------------------------------ live pages, sitemaps, feeds


def _web_inputs(pages: list[str], settings: Settings) -> list[str]:
    """The corpus's web part, as its key counts it: each page, sitemap and feed (not
    ``since`` nor ``max-pages``: the nightly run over a sitemap stays one corpus), with
    any credentials in them masked (the inputs go to the history and the store)."""
    inputs = {*pages, *(f"sitemap:{url}" for url in settings.sitemaps), *(f"feed:{url}" for url in settings.feeds)}
    return sorted({redact(address) for address in inputs})


def _read_web(
    pages: list[str], settings: Settings, job: _ExtractJob, result: RunResult, progress: Callable[[str], None] | None
) -> None:
    """Fetch and extract the live pages (:mod:`refcheck.webinput`); each is added to the
    run as an article file is. Raises :class:`~refcheck.collect.InputError` when the run
    has nothing but web inputs and not one page could be read because they failed (a
    sitemap that cannot be fetched, every page dead…): a nightly job over a broken
    sitemap must not stay green."""
    from refcheck.webinput import parse_since
    from refcheck.webinput.corpus import WebRequest, read_web

    request = WebRequest(
        pages=tuple(pages), sitemaps=tuple(settings.sitemaps), feeds=tuple(settings.feeds),
        since=parse_since(settings.since) if settings.since else None, max_pages=settings.max_pages,
        max_page_size=settings.max_page_size, offline=settings.offline, refresh=settings.refresh,
    )  # fmt: skip
    try:
        cache: VerdictStore | None = open_store(store_location(settings), retry_for=settings.store_retry)
    except InputError:
        cache = None  # the resolve stage says why, once
    try:
        read = read_web(request, _web_settings(settings), cache, job.extraction(), progress)
    finally:
        if cache is not None:
            cache.close()
    failed = read.nothing_read() if result.summary.documents == 0 else None
    if failed is not None:  # no article file either: the run has nothing to report on
        result.documents.close()
        raise InputError(redact(failed))
    result.notes.extend(redact(note) for note in read.notes)
    for document in read.documents:
        fetch_urls: dict[str, str] = {}
        _hide_credentials(document, fetch_urls)
        result.fetch_urls.update(fetch_urls)
        _add_tally(_tally_of(document, settings.links), result)
        result.documents.append(document)


def _web_settings(settings: Settings) -> WebSettings:
    """Live pages are fetched under the link checks' rules: address policy, headers and
    User-Agent, time-out, per-host limits (the domain rules' too)."""
    from refcheck.resolve.politeness import HostRule
    from refcheck.webinput.fetch import WebSettings

    domain_rules = {
        domain: HostRule(
            rule.per_host or settings.per_host,
            settings.host_interval if rule.host_interval is None else rule.host_interval,
        )
        for domain, rule in settings.domains.items()
        if rule.per_host is not None or rule.host_interval is not None
    }
    return WebSettings(
        timeout=settings.timeout, allow_private=settings.allow_private,
        headers={**settings.headers, **({"User-Agent": settings.user_agent} if settings.user_agent else {})},
        per_host=settings.per_host, host_interval=settings.host_interval, domain_rules=domain_rules,
        concurrency=settings.concurrency,
    )  # fmt: skip


# ------------------------------------------------------------------ extraction, per article

_POOL_MIN_FILES = 16
_POOL_MIN_BYTES = 2_000_000
"""Below these a pool costs more (starting workers, sending documents back) than it saves."""


@dataclass
class _ExtractJob:
    outlets_files: list[Path]
    publishers: list[tuple[str, str]]
    max_bytes: int
    cache_dir: str
    """Where the store is: the disk cache's folder, or a ``postgresql://`` URL (never shown)."""
    fingerprint: str
    refresh: bool
    scope: str
    """``--links``: which citations count."""
    keep: bool
    """Extracted articles are read from and written to the cache (setting ``cache_articles``)."""
    store_retry: float = 5.0
    in_worker: bool = False
    cache: VerdictStore | None = None
    unwritten: list[tuple[str, Document]] = field(default_factory=list)
    """Extracted articles not yet written to the cache (see ``_WRITE_EVERY``)."""
    context: ExtractContext | None = None
    """Built at the first article not in the cache: a re-run that finds every article
    there imports no extraction code (its regular expressions alone take 0.3 s to compile)."""

    def extraction(self) -> ExtractContext:
        if self.context is None:
            from refcheck.extract import ExtractContext, OutletIndex

            self.context = ExtractContext(OutletIndex.load(self.outlets_files), self.publishers)
        return self.context


_JOB: _ExtractJob | None = None
"""The job of this process (the main one, or a worker of the pool)."""


_WRITE_EVERY = 64
"""Extracted articles written to the cache together (one transaction each: 10,000 small
articles written one by one took 5 s of a 14 s extraction, measured)."""


def _start_job(job: _ExtractJob) -> None:
    global _JOB
    _JOB = job
    if job.in_worker:  # a pool worker writes what it holds when it ends
        from multiprocessing.util import Finalize

        Finalize(job, _close_job, exitpriority=10)


def _close_job() -> None:
    global _JOB
    if _JOB is not None and _JOB.cache is not None:
        _write_documents(_JOB)
        _JOB.cache.close()
    _JOB = None


def _write_documents(job: _ExtractJob) -> None:
    if job.cache is not None and job.unwritten:
        job.cache.set_documents(job.unwritten)
    job.unwritten = []


def _executor_for(sources: list[SourceFile], settings: Settings, job: _ExtractJob) -> Executor:
    if settings.executor == "ray":  # the user chose the cluster: no size threshold
        if job.cache is not None:
            job.cache.close()
        worker_job = replace(job, cache=None, in_worker=True)
        return make_executor("ray", settings.workers or 0, settings.ray_address, setup=_start_job,
                             arguments=(worker_job,), teardown=_close_job)  # fmt: skip
    workers = settings.workers or available_cores()
    if workers > 1 and len(sources) >= _POOL_MIN_FILES:
        size = 0
        for source in sources:
            with contextlib.suppress(OSError):
                size += source.path.stat().st_size
        if size >= _POOL_MIN_BYTES:
            if job.cache is not None:  # an SQLite connection is never shared with a forked process
                job.cache.close()
            worker_job = replace(job, cache=None, in_worker=True)
            return LocalProcesses(min(workers, len(sources)), _start_job, (worker_job,))
    _start_job(job)
    return InProcess()


def _extract(source: SourceFile) -> tuple[Document | bytes, dict[str, str], _Tally]:
    """One article: read, (cached?) extract, credentials masked, tallied. Runs in a
    worker (the document comes back pickled) or in the main process."""
    job = _JOB
    assert job is not None, "_start_job first"
    document, fetch_urls = _extracted(source, job)
    tally = _tally_of(document, job.scope)
    if job.in_worker:
        return pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL), fetch_urls, tally
    return document, fetch_urls, tally


def _extracted(source: SourceFile, job: _ExtractJob) -> tuple[Document, dict[str, str]]:
    try:
        data = read_bytes(source.path, job.max_bytes)
        key = hashlib.blake2b(data, digest_size=20, key=job.fingerprint.encode()[:64])
        key.update(f"\0{source.name}\0{source.format}".encode("utf-8", "surrogatepass"))
        cache = _job_cache(job) if job.keep else None
        if cache is not None and not job.refresh:
            document = cache.document(key.hexdigest())
            if document is not None:
                return document, {}
        binary = source.format in BINARY_FORMATS
        text, encoding = ("", None) if binary else text_of(data)
    except SkipFile as reason:
        return Document(path=source.name, format=source.format, skipped=str(reason)), {}
    except OSError as exc:
        return Document(path=source.name, format=source.format, error=os_error(exc)), {}
    from refcheck.extract import extract_bytes, extract_source

    if binary:
        document = extract_bytes(data, source, job.extraction())
    else:
        document = extract_source(text, source, job.extraction())
        if not document.error:
            document.encoding = encoding
    fetch_urls: dict[str, str] = {}
    _hide_credentials(document, fetch_urls)
    # Not kept: a document whose links carried credentials (the cache never holds
    # them), one with relative links to local files (whether those exist can change).
    if cache is not None and not fetch_urls and not document.local_links and not document.error:
        job.unwritten.append((key.hexdigest(), document))
        if len(job.unwritten) >= _WRITE_EVERY:
            _write_documents(job)
    return document, fetch_urls


def _job_cache(job: _ExtractJob) -> VerdictStore | None:
    if job.cache is None:
        try:
            job.cache = open_store(job.cache_dir, retry_for=job.store_retry)
        except InputError:
            return None  # the resolve stage says why, once
    return job.cache


def _fingerprint(settings: Settings, extra_outlets: list[Path]) -> str:
    """What an article's extraction depends on besides its bytes and name: the
    extraction code and data, the outlets file, the publishers setting."""
    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for path in sorted([*package.glob("extract/*.py"), *package.glob("data/*.json"), package / "collect.py",
                        package / "redact.py", package / "models.py"]):  # fmt: skip
        digest.update(path.name.encode())
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    for path in extra_outlets:
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    digest.update(json.dumps(sorted(settings.publishers.items())).encode())
    return digest.hexdigest()


def _count_statuses(result: RunResult) -> None:
    statuses: dict[str, int] = {}
    for link in result.links.values():
        status = str(link.status)
        statuses[status] = statuses.get(status, 0) + 1
    result.summary.statuses = dict(sorted(statuses.items()))


def resolve(result: RunResult, settings: Settings, progress: Callable[[LinkResult], None] | None = None) -> None:
    """Give every link of ``result`` a verdict: from the cache, else (unless
    offline) from the network. Updates the summary and the run's notes."""
    started = datetime.now(UTC)
    cache = open_store(store_location(settings), retry_for=settings.store_retry)
    finished = False
    try:
        report = resolve_links(result.links, _resolve_settings(settings), cache, progress, result.fetch_urls,
                               executor=settings.executor, ray_address=settings.ray_address)  # fmt: skip
        cache.prune()
        finished = True
        _settle(result, settings, report)
        record_run(cache, result, started, datetime.now(UTC))  # a row of the store's runs table (PostgreSQL)
    finally:
        if not finished:  # interrupted: the summary shows what was found
            _count_statuses(result)
            result.summary.coverage = Coverage.of(result.links.values(), offline=settings.offline, interrupted=True)
            record_run(cache, result, started, datetime.now(UTC))
        cache.close()
        result.notes.extend(cache.warnings)  # closing may add one (a store that went away)


def _settle(result: RunResult, settings: Settings, report: ResolveReport) -> None:
    """The summary and notes of a finished resolve."""
    for link in result.links.values():
        if link.final_url and link.final_url != link.url:
            from refcheck.extract.urls import domain_of_url

            final = domain_of_url(link.final_url)
            link.final_domain = final if final != link.domain else None
    result.notes.extend(report.notes)
    result.summary.links_checked = report.checked
    result.summary.links_from_cache = report.from_cache
    result.summary.requests = report.requests
    _count_statuses(result)
    result.summary.coverage = Coverage.of(
        result.links.values(), offline=settings.offline, network_down=report.network_down
    )


def store_location(settings: Settings) -> str:
    """Where verdicts are kept: ``--store`` (PostgreSQL), else the disk cache's folder
    (absolute on a cluster: its workers do not share this process's working folder)."""
    if settings.store:
        return settings.store
    return os.path.abspath(settings.cache_dir) if settings.executor == "ray" else settings.cache_dir


def _resolve_settings(settings: Settings) -> ResolveSettings:
    return ResolveSettings(
        offline=settings.offline,
        refresh=settings.refresh,
        max_age_days=settings.max_age,
        concurrency=settings.concurrency,
        per_host=settings.per_host,
        host_interval=settings.host_interval,
        archive=settings.archive,
        archive_settings=ArchiveSettings(
            wayback_url=settings.wayback_url,
            cdx_url=settings.cdx_url,
            archives=tuple(settings.archives),
            memento_url=settings.memento_url,
            timeout=settings.timeout,
            interval=settings.archive_interval,
            save_keys=save_keys() if settings.save_missing else None,
        ),
        save_missing=settings.save_missing,
        workers=settings.workers or available_cores(),
        transport=settings.transport,
        rules=settings.link_rules(),
        drift=settings.drift,
        check=CheckSettings(
            timeout=settings.timeout,
            retries=settings.retries,
            allow_private=settings.allow_private,
            headers={**settings.headers, **({"User-Agent": settings.user_agent} if settings.user_agent else {})},
        ),
    )


def _hide_credentials(document: Document, fetch_urls: dict[str, str]) -> None:
    """Mask URL user-info everywhere in the document (it is reported and
    cached); remember the real URL of each masked link for the checker."""
    for citation in document.citations:
        shown = redact(citation.url)
        if shown != citation.url:
            fetch_urls[shown] = citation.url
            citation.url = shown
        citation.text = redact(citation.text)
    for note in document.footnotes:
        note.text = redact(note.text)
        note.urls = [redact(url) for url in note.urls]
    for problem in document.problems:
        problem.message = redact(problem.message)
    if document.url:
        document.url = redact(document.url)
    if document.republished_from:
        document.republished_from = redact(document.republished_from)
    # A <title>, a publisher or a relative link is the article's text too: it may hold a URL.
    if document.title:
        document.title = redact(document.title)
    if document.publisher:
        document.publisher = redact(document.publisher)
    for local in document.local_links:
        local.target, local.path = redact(local.target), redact(local.path)


@dataclass(slots=True)
class _Tally:
    """What the run's totals and link table take from one article (computed where the
    article was extracted: a worker sends this and the pickled article, so the main
    process neither unpickles nor re-pickles it)."""

    path: str
    skipped: str | None
    error: str | None
    citations: int = 0
    by_region: dict[str, int] = field(default_factory=dict)
    footnotes: int = 0
    mentions: int = 0
    language: str = "unknown"
    problems: list[str] = field(default_factory=list)
    cites: list[tuple[str, str | None, int, FootnoteLabel | None, str | None, str | None]] = field(default_factory=list)
    """(url, domain, line, footnote, date cited, title given) of each citation in scope."""
    unit: LocationUnit = "line"
    """What the document's ``line`` numbers count (a PDF's pages, a Word document's paragraphs)."""


def _tally_of(document: Document, scope: str) -> _Tally:
    tally = _Tally(document.path, document.skipped, document.error, unit=document.unit)
    if document.skipped or document.error:
        return tally
    cited = document.cited(scope)
    tally.citations = len(cited)
    for citation in document.citations:
        tally.by_region[citation.region] = tally.by_region.get(citation.region, 0) + 1
    tally.footnotes = len(document.footnotes)
    tally.mentions = len(document.mentions)
    tally.language = document.language or "unknown"
    tally.problems = [problem.kind for problem in document.problems]
    dates = {note.number: note.date for note in document.footnotes}
    for citation in cited:
        cited_date = dates.get(citation.footnote) if citation.footnote is not None else None
        tally.cites.append(
            (citation.url, citation.domain, citation.line, citation.footnote, cited_date or document.date, citation.title)
        )
    return tally


def _add_tally(tally: _Tally, result: RunResult) -> None:
    summary = result.summary
    summary.documents += 1
    if tally.skipped:
        summary.skipped_files.append(SkippedFile(tally.path, tally.skipped))
        return
    if tally.error:
        summary.files_failed += 1
        return
    summary.documents_read += 1
    summary.citations += tally.citations
    for region, count in tally.by_region.items():
        summary.citations_by_region[region] = summary.citations_by_region.get(region, 0) + count
    summary.footnotes += tally.footnotes
    summary.mentions += tally.mentions
    summary.languages[tally.language] = summary.languages.get(tally.language, 0) + 1
    for kind in tally.problems:
        summary.problems[kind] = summary.problems.get(kind, 0) + 1
    links = result.links
    path = tally.path
    for url, domain, line, footnote, cited_date, cited_title in tally.cites:
        link = links.get(url)
        if link is None:
            link = links[url] = LinkResult(url, domain)
        link.cited_by.append(CitedBy(path, line, footnote, cited_date, cited_title, tally.unit))
