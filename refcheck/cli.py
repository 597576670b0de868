"""``refcheck PATH... [options]``: parse options, run the pipeline, choose the exit code.

Exit status: 0 nothing wrong; 1 problems found (which ones count: ``--fail-on``);
2 usage or input error (one line on stderr, never a traceback).

Start-up: this module imports nothing heavy at the top. typer is imported when the
command line is parsed (``_app``), and the pipeline, the reports and rich only inside
the command, once the settings are known -- ``--help`` and a usage error never load them.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from refcheck import __version__, defaults
from refcheck.errors import InputError, SettingsError

if TYPE_CHECKING:
    import typer

    from refcheck.config import Settings
    from refcheck.models import Coverage, RunResult
    from refcheck.report.changes import Changes
    from refcheck.report.graph import Graph

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

_APP: typer.Typer | None = None


def _app() -> typer.Typer:
    """The typer application, built on first use."""
    global _APP, typer
    if _APP is None:
        # main()'s annotations are strings naming ``typer`` (``typer.Option(...)``): typer
        # evaluates them in this module's namespace, so the import must land here.
        import typer

        # rich_markup_mode=None: plain click help; the rich-formatted help imports rich (~90 ms).
        _APP = typer.Typer(
            add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
            context_settings={"help_option_names": ["-h", "--help"]},
        )  # fmt: skip
        _APP.command(
            help="Check the citations and footnotes of the articles under PATH (files or folders)."
            " 'refcheck fix PATH...' proposes archive links for dead citations (see 'refcheck fix --help')."
        )(main)
    return _APP


def command_with_plain_paths(app: typer.Typer) -> Any:
    """The click command of ``app``, its PATH argument shown as ``PATH...`` alone: typer
    writes an argument's Python type after its name in ``--help`` (``PATH <list[Path]>``)
    and wraps it in braces in the usage line (``{PATH}...``), whatever the metavar says."""
    from typer.core import TyperArgument
    from typer.main import get_command

    class PlainArgument(TyperArgument):
        def display_type_rich(self, ctx: Any) -> str | None:
            return None  # the metavar says what to give

        def _usage_display_name(self) -> str:
            return self.metavar or super()._usage_display_name()

    command = get_command(app)
    for param in command.params:
        if type(param) is TyperArgument and param.metavar:
            param.__class__ = PlainArgument
    return command


def __getattr__(name: str) -> Any:
    if name == "app":  # ``refcheck.cli.app``, as before the application was built lazily
        return _app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"refcheck {__version__}")
        raise typer.Exit()


def main(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Articles or folders of articles (.txt .md .html .docx .pdf), or live pages (http(s) addresses).",
            metavar="PATH...",
            show_default=False,
        ),
    ] = None,
    sitemap: Annotated[
        list[str] | None,
        typer.Option(
            "--sitemap", metavar="URL", show_default=False,
            help="Read the pages this sitemap (or sitemap index, gzip too) lists (repeatable).",
        ),
    ] = None,
    feed: Annotated[
        list[str] | None,
        typer.Option(
            "--feed", metavar="URL", show_default=False, help="Read the pages this RSS or Atom feed links (repeatable)."
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="DATE",
            help="Only sitemap entries last modified, and feed entries dated, on or after DATE (2026-11-01).",
        ),
    ] = None,
    max_pages: Annotated[
        int | None,
        typer.Option(
            metavar="N", help=f"Pages taken from sitemaps and feeds at most (default {defaults.MAX_PAGES:,})."
        ),
    ] = None,
    max_page_size: Annotated[
        int | None,
        typer.Option(
            metavar="BYTES",
            help=f"Bytes of a live page read at most; a larger one is read that far (default {defaults.MAX_PAGE_SIZE:,}).",
        ),
    ] = None,
    offline: Annotated[
        bool | None,
        typer.Option(
            "--offline/--no-offline", help="No network at all: extract and use the cache only.", show_default=False
        ),
    ] = None,
    json_out: Annotated[
        str | None,
        typer.Option("--json", metavar="FILE", help="Write the full result as JSON to FILE ('-' for stdout)."),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FMT",
            help="What stdout gets: text (the summary, default), junit (JUnit XML) or github (GitHub Actions"
            " annotations); with junit or github the summary goes to stderr.",
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            metavar="REGEX",
            show_default=False,
            help="Do not check links whose URL matches REGEX (repeatable).",
        ),
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include",
            metavar="REGEX",
            show_default=False,
            help="Check links whose URL matches REGEX, whatever excludes them; given alone, check only"
            " those (repeatable).",
        ),
    ] = None,
    report_dir: Annotated[
        str | None, typer.Option(metavar="DIR", help="Folder for report files (default reports).")
    ] = None,
    no_report: Annotated[
        bool | None,
        typer.Option(
            "--no-report/--report",
            help="Write no report files (--report: write them, whatever the settings file says).",
            show_default=False,
        ),
    ] = None,
    cache_dir: Annotated[
        str | None, typer.Option(metavar="DIR", help="Cache folder (env REFCHECK_CACHE_DIR; default cache).")
    ] = None,
    no_archive: Annotated[
        bool | None, typer.Option("--no-archive", help="Do not look up Internet Archive copies.", show_default=False)
    ] = None,
    archive: Annotated[
        str | None, typer.Option(metavar="WHICH", help="Archive lookups for: dead (default), all, none.")
    ] = None,
    wayback_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help=f"Wayback availability API base (env REFCHECK_WAYBACK_URL; default {defaults.WAYBACK_URL}).",
        ),
    ] = None,
    cdx_url: Annotated[
        str | None,
        typer.Option(metavar="URL", help=f"Wayback CDX API base (env REFCHECK_CDX_URL; default {defaults.CDX_URL})."),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="Shared verdict store: postgresql://[user@]host[:port]/db (env REFCHECK_STORE; password via"
            " PGPASSWORD or ~/.pgpass); default: the disk cache (--cache-dir).",
        ),
    ] = None,
    executor: Annotated[
        str | None,
        typer.Option(
            metavar="local|ray",
            help="Where extraction and link checks run: processes on this machine (local, default), or a Ray"
            " cluster (--ray-address / RAY_ADDRESS, else a local one of --workers CPUs).",
        ),
    ] = None,
    ray_address: Annotated[
        str | None,
        typer.Option(metavar="ADDR", help="The Ray cluster to use (its GCS host:port, or auto); default RAY_ADDRESS."),
    ] = None,
    store_retry: Annotated[
        float | None,
        typer.Option(
            metavar="S",
            help="Seconds a write to the --store database is retried (with back-off) before the run goes on"
            " without it (default 5).",
        ),
    ] = None,
    archives: Annotated[
        str | None,
        typer.Option(
            metavar="LIST",
            help="Archives asked for a copy: wayback (the Wayback Machine); wayback,memento adds a Memento"
            " aggregator (archive.today, national libraries, Arquivo.pt…) when the Wayback Machine has no"
            f" capture within {defaults.MEMENTO_NEAR_DAYS:.0f} days of the citation date (default wayback).",
        ),
    ] = None,
    memento_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help=f"Memento aggregator base (env REFCHECK_MEMENTO_URL; default {defaults.MEMENTO_URL}).",
        ),
    ] = None,
    save_missing: Annotated[
        bool | None,
        typer.Option(
            "--save-missing/--no-save-missing",
            show_default=False,
            help="Submit live links with no archive copy to Save Page Now (keys: REFCHECK_IA_ACCESS_KEY, REFCHECK_IA_SECRET_KEY).",
        ),
    ] = None,
    drift: Annotated[
        bool | None,
        typer.Option(
            "--drift/--no-drift",
            show_default=False,
            help="Content drift: compare each live link that has a citation date with the archive capture"
            " closest to that date (none, changed, replaced, unknown).",
        ),
    ] = None,
    archive_interval: Annotated[
        float | None,
        typer.Option(metavar="S", help=f"Seconds between archive requests (default {defaults.ARCHIVE_INTERVAL:g})."),
    ] = None,
    allow_private: Annotated[
        bool | None,
        typer.Option(
            "--allow-private/--no-allow-private", show_default=False, help="Allow links to loopback/private addresses."
        ),
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option(metavar="N", help=f"Requests in flight at most (default {defaults.CONCURRENCY}).")
    ] = None,
    per_host: Annotated[
        int | None,
        typer.Option(metavar="N", help=f"Requests in flight per host at most (default {defaults.PER_HOST})."),
    ] = None,
    host_interval: Annotated[
        float | None,
        typer.Option(metavar="S", help=f"Seconds between requests to one host (default {defaults.HOST_INTERVAL:g})."),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            metavar="S",
            help=f"Seconds each step of a request may take: connecting, each read (default {defaults.TIMEOUT:g}).",
        ),
    ] = None,
    retries: Annotated[
        int | None,
        typer.Option(metavar="N", help=f"Retries of a transient failure (default {defaults.RETRIES})."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="Processes for a large corpus: extraction over articles, checking by domain"
            " (default 0: one per core this process may use; 1: this process only).",
        ),
    ] = None,
    refresh: Annotated[
        bool | None,
        typer.Option(
            "--refresh/--no-refresh",
            help="Ignore cached verdicts (--no-refresh: reuse them, whatever the settings file says).",
            show_default=False,
        ),
    ] = None,
    max_age: Annotated[
        float | None, typer.Option(metavar="DAYS", help="Do not reuse cached verdicts older than this many days.")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            metavar="LIST",
            help="Exit 1 on: problems, footnote-errors, dead, new-dead, drift (a cited page replaced; needs --drift),"
            " none (comma-separated; default problems,dead).",
        ),
    ] = None,
    max_file_size: Annotated[
        int | None,
        typer.Option(
            metavar="BYTES", help=f"Skip articles larger than this many bytes (default {defaults.MAX_FILE_SIZE:,})."
        ),
    ] = None,
    user_agent: Annotated[
        str | None, typer.Option(metavar="UA", help="User-Agent for link checks (default: browser-like).")
    ] = None,
    links: Annotated[
        str | None,
        typer.Option(
            metavar="SCOPE",
            help="Which links to check and report: article (the article's own, default) or all (page furniture too).",
        ),
    ] = None,
    follow_symlinks: Annotated[
        bool | None,
        typer.Option(
            "--follow-symlinks/--no-follow-symlinks",
            show_default=False,
            help="Read articles reached through symbolic links that leave the corpus folder.",
        ),
    ] = None,
    graph: Annotated[
        str | None, typer.Option(metavar="FMT", help="Print the citation graph: json, graphml, dot or mermaid.")
    ] = None,
    graph_out: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Write the --graph output to this file instead.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Settings file (default: refcheck.toml or pyproject.toml next to the corpus)."
        ),
    ] = None,
    quiet: Annotated[
        bool | None,
        typer.Option(
            "--quiet",
            "-q",
            show_default=False,
            help="Print only the dead links, the footnote problems per kind, the totals and the exit line.",
        ),
    ] = None,
    verbose: Annotated[
        bool | None,
        typer.Option(
            "--verbose", "-v", show_default=False, help="Print everything: every dead link, info items, every note."
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    overrides: dict[str, Any] = {
        "offline": offline, "json": json_out, "report_dir": report_dir, "no_report": no_report,
        "cache_dir": cache_dir, "archive": "none" if no_archive else archive, "wayback_url": wayback_url,
        "cdx_url": cdx_url, "store": store, "store_retry": store_retry, "executor": executor, "ray_address": ray_address, "archives": archives, "memento_url": memento_url, "archive_interval": archive_interval, "save_missing": save_missing, "drift": drift, "allow_private": allow_private, "concurrency": concurrency, "per_host": per_host,
        "host_interval": host_interval, "timeout": timeout, "retries": retries, "refresh": refresh, "max_age": max_age,
        "fail_on": fail_on, "max_file_size": max_file_size, "user_agent": user_agent, "quiet": quiet,
        "verbose": verbose, "links": links, "format": output_format,
        "cli_exclude": exclude or None, "cli_include": include or None,
        "follow_symlinks": follow_symlinks, "workers": workers, "sitemaps": sitemap or None, "feeds": feed or None,
        "since": since, "max_pages": max_pages, "max_page_size": max_page_size,
    }  # fmt: skip
    files, pages = _split_inputs(paths or [])
    _refuse_flag_values(files)
    from refcheck.config import find_settings_file, load_settings

    settings_file = config if config is not None else find_settings_file(files)
    if config is not None and not config.is_file():
        raise SettingsError(f"{config}: no such settings file")
    settings = load_settings(settings_file, overrides)
    if files or pages or sitemap or feed:
        # The command line's inputs are the corpus: the settings file's sitemaps and feeds
        # are read only by a run that names none (``refcheck --config site.toml``).
        settings.sitemaps, settings.feeds = list(sitemap or []), list(feed or [])
    elif not (settings.sitemaps or settings.feeds):
        raise InputError("nothing to read: give a PATH (a file, a folder or an http(s) page), --sitemap or --feed")
    if graph is not None:
        from refcheck.report.graph_formats import FORMATS as GRAPH_FORMATS

        if graph not in GRAPH_FORMATS:
            raise SettingsError(f"--graph: unknown format '{graph}' (choose from {', '.join(GRAPH_FORMATS)})")
    _one_stdout_consumer(settings, graph, graph_out)
    # A graph file that cannot be written is said now, not after the whole run (a --json
    # FILE that fails at the end still leaves the summary on the terminal: _write_outputs).
    _check_output_file(graph_out, "--graph-out")
    # Only now the pipeline (extraction; resolve imports the network stack only if a link needs it).
    from refcheck.pipeline import resolve, run
    from refcheck.report.progress import RunProgress

    with _cluster(settings), RunProgress(settings.quiet) as progress:
        progress.stage("reading articles", None)
        result = run(files, settings, progress.file, pages)
        progress.stage("checking links", len(result.links))
        try:
            resolve(result, settings, progress.link)
        except KeyboardInterrupt:
            _write_interrupted(result, settings)
            raise
    reported = _report(result, settings)
    code, reason = _exit_status(result, settings, reported.changes)
    graph_failure = _write_graph(result, reported.graph, graph, graph_out) if graph is not None else None
    if graph_failure is not None:  # the summary still shows what the run found, and why it fails
        code, reason = EXIT_USAGE, graph_failure
    outcome = _Outcome(
        frozenset(reported.changes.newly_dead), f"exit {code}: {reason}", reported.full_list,
        reported.changes.newly_drifted,
    )  # fmt: skip
    _write_outputs(result, settings, outcome, to_stderr=graph is not None and graph_out is None)
    if graph_failure is not None:
        raise InputError(graph_failure)
    raise typer.Exit(code)


def _cluster(settings: Settings) -> contextlib.AbstractContextManager[object]:
    """``--executor ray``: connected to the cluster for the whole run (extraction and checks;
    a local cluster is started once, not once a stage); else nothing."""
    if settings.executor != "ray":
        return contextlib.nullcontext()
    from refcheck.cluster.ray_executor import ray_session

    return ray_session(settings.workers or 0, settings.ray_address)


def _write_interrupted(result: RunResult, settings: Settings) -> None:
    """Ctrl-C while checking: the reports (unless --no-report) and the summary show what
    was found so far -- the coverage says the run was cut off, and its history row is
    marked incomplete -- before the run exits 130."""
    result.notes.append("interrupted: verdicts found so far are cached; the next run checks the rest")
    newly_dead: frozenset[str] = frozenset()
    full_list: str | None = None
    if not settings.no_report:
        reported = _report(result, settings)
        newly_dead, full_list = frozenset(reported.changes.newly_dead), reported.full_list
    _write_outputs(result, settings, _Outcome(newly_dead, "exit 130: interrupted", full_list))


def _check_output_file(target: Path | None, option: str) -> None:
    """Refuse, before the run, an output file that cannot be written: a folder, a
    file in a folder that does not exist or that this user may not write to."""
    if target is None:
        return
    import os

    folder = target.parent
    if target.is_dir():
        raise InputError(f"{option} {target}: is a folder, not a file")
    if not folder.is_dir():
        raise InputError(f"{option} {target}: no such folder {folder}")
    if (target.exists() and not os.access(target, os.W_OK)) or not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{option} {target}: not writable")


_FLAG_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0"})


def _split_inputs(arguments: list[str]) -> tuple[list[Path], list[str]]:
    """The PATH arguments as files and folders, and live pages (http(s) addresses, in
    order, each once). Another scheme (``ftp://``, ``file://``) is refused: it is not a
    file name either."""
    from refcheck.redact import redact
    from refcheck.webinput import address_problem, is_web_address, looks_like_address

    files: list[Path] = []
    pages: dict[str, None] = {}
    for argument in arguments:
        if is_web_address(argument):
            problem = address_problem(argument)
            if problem:
                raise InputError(f"{redact(argument[:200])}: {problem}")
            pages[argument] = None
        elif looks_like_address(argument) and not Path(argument).exists():
            raise InputError(f"{redact(argument[:200])}: not a supported address (live pages are http and https only)")
        else:
            files.append(Path(argument))
    return files, list(pages)


def _refuse_flag_values(paths: list[Path]) -> None:
    """``--offline true``: flags take no value, and "true" is not an article."""
    for path in paths:
        if str(path).lower() in _FLAG_WORDS and not path.exists():
            raise InputError(
                f"{path}: no such file or folder (flags such as --offline take no value; --no-offline switches one off)"
            )


def _one_stdout_consumer(settings: Settings, graph: str | None, graph_out: Path | None) -> None:
    """stdout carries one thing a program reads: JSON, the graph, JUnit or annotations."""
    consumers = []
    if settings.json == "-":
        consumers.append("--json -")
    if graph is not None and graph_out is None:
        consumers.append(f"--graph {graph} (without --graph-out)")
    if settings.format != "text":
        consumers.append(f"--format {settings.format}")
    if len(consumers) > 1:
        both = "both" if len(consumers) == 2 else "all"
        # Only the ways out that apply to these consumers (a JUnit or annotations stream has no file option).
        hints = (["--json FILE writes the JSON to a file"] if settings.json == "-" else []) + (
            ["--graph-out FILE the graph"] if graph is not None and graph_out is None else []
        )
        raise SettingsError(
            f"{', '.join(consumers[:-1])} and {consumers[-1]} {both} write to stdout: keep one"
            + (f" ({', '.join(hints)})" if hints else "")
        )


@dataclass(frozen=True)
class _Reported:
    changes: Changes
    graph: Graph | None
    """The citation graph, when the reports built it."""
    full_list: str | None
    """The report that lists every dead link (``reports/…/report.md``), when written."""


@dataclass(frozen=True)
class _Outcome:
    """What the terminal summary needs besides the result: the newly dead, the exit line, the full report."""

    newly_dead: frozenset[str] = frozenset()
    exit_line: str | None = None
    full_list: str | None = None
    newly_drifted: frozenset[str] = frozenset()
    """URLs newly replaced or changed since the last run over this corpus (``--drift``)."""


def _report(result: RunResult, settings: Settings) -> _Reported:
    """Write the run's report folder (unless --no-report) and say what changed."""
    from refcheck.report.changes import compare
    from refcheck.report.files import previous_links, write_reports

    root = Path(settings.report_dir)
    full_list: str | None = None
    if settings.no_report:
        previous, links, warnings = previous_links(root, result.corpus_key)  # the last run over this corpus
        result.notes.extend(warnings)
        changes = compare(result.links, links, previous.name if previous else None, "")
        built: Graph | None = None
    else:
        try:
            written = write_reports(result, root)
        except OSError as exc:
            result.notes.append(f"reports not written: {root}: {exc.strerror or exc}")
            return _Reported(compare(result.links, None, None, ""), None, None)
        changes, built = written.changes, written.graph
        result.notes.extend(written.warnings)
        result.notes.append(f"reports written to {written.folder}")
        full_list = str(written.folder / "report.md")
    if changes.previous:
        # A link dead before and not checked now is neither still dead nor recovered: said apart.
        unconfirmed = len(changes.unconfirmed)
        result.headline.append(
            f"since {changes.previous}: {len(changes.newly_dead)} newly dead, {len(changes.recovered)} recovered, "
            f"{len(changes.still_dead)} still dead, "
            + (f"{unconfirmed} dead before and not checked now, " if unconfirmed else "")
            + f"{len(changes.newly_archived)} newly archived, "
            f"{len(changes.newly_cited)} newly cited, {len(changes.no_longer_cited)} no longer cited"
            + (
                f", {len(changes.newly_replaced)} newly replaced, {len(changes.newly_changed)} newly changed (content)"
                if changes.drift
                else ""
            )
        )
    return _Reported(changes, built, full_list)


def _write_graph(result: RunResult, built: Graph | None, fmt: str, target: Path | None) -> str | None:
    """Print or write the citation graph; returns why it could not be written, or None."""
    from refcheck.report.graph import build_graph
    from refcheck.report.graph_formats import render as render_graph

    text = render_graph(built or build_graph(result.documents, result.links, result.summary.links_scope), fmt)
    if target is None:
        sys.stdout.write(text)
        return None
    try:
        target.write_text(text, "utf-8")
    except OSError as exc:
        return f"{target}: cannot write the graph: {exc.strerror or exc}"
    return None


def _write_outputs(result: RunResult, settings: Settings, outcome: _Outcome, to_stderr: bool = False) -> None:
    """The machine-readable output (JSON, JUnit, annotations) and the human summary,
    which goes to stderr when stdout carries one of the others."""
    from refcheck.report.console import Level, View, write_summary
    from refcheck.report.json import write_json

    human = sys.stderr if to_stderr else sys.stdout
    level: Level = "quiet" if settings.quiet else "verbose" if settings.verbose else "default"
    view = View(
        level, outcome.newly_dead, newly_drifted=outcome.newly_drifted, exit_line=outcome.exit_line,
        full_list=outcome.full_list,
    )  # fmt: skip
    if settings.format != "text":
        _write_ci_format(result, settings.format, outcome.newly_dead, outcome.newly_drifted)
        human = sys.stderr
    if settings.json == "-":
        write_json(result, sys.stdout)
        sys.stdout.flush()
        human = sys.stderr
    elif settings.json:
        target = Path(settings.json)
        try:
            with target.open("w", encoding="utf-8") as handle:
                write_json(result, handle)
        except OSError as exc:
            # The results are not lost: they still reach the terminal, saying why the run fails.
            failed = replace(view, exit_line=f"exit {EXIT_USAGE}: {target}: cannot write JSON")
            write_summary(result, human, view=failed)
            raise InputError(f"{target}: cannot write JSON: {exc.strerror or exc}") from None
    write_summary(result, human, view=view)


def _write_ci_format(
    result: RunResult, fmt: str, newly_dead: frozenset[str], newly_drifted: frozenset[str] = frozenset()
) -> None:
    from refcheck.report.findings import dead_findings

    findings = dead_findings(result.links, set(newly_dead))
    if fmt == "junit":
        from refcheck.report.junit import write_junit

        write_junit(result, findings, sys.stdout, newly_drifted)
    else:
        from refcheck.report.annotations import write_annotations

        write_annotations(result, findings, sys.stdout, newly_drifted)
    sys.stdout.flush()


def _exit_status(result: RunResult, settings: Settings, changes: Changes | None = None) -> tuple[int, str]:
    """The exit code (0 or 1, as ``--fail-on`` asks) and, in a few words, why -- and a
    sitemap or feed that could not be read while the run went on (docs/web-input.md)."""
    from refcheck.webinput import not_read_text

    code, reason = _fail_on_status(result, settings, changes)
    not_read = not_read_text(result.notes)
    return code, f"{reason}; {not_read}" if not_read else reason


def _fail_on_status(result: RunResult, settings: Settings, changes: Changes | None) -> tuple[int, str]:
    found = _Found.of(result, changes)
    conditions = list(settings.fail_on)
    failing = [] if "none" in conditions else [
        f"{found.failing(condition)} (--fail-on {condition})" for condition in conditions if found.failing(condition)
    ]  # fmt: skip
    if failing:
        return EXIT_PROBLEMS, "; ".join(failing)
    coverage = result.summary.coverage
    unchecked = _unchecked_text(coverage)
    # "no dead links" only where links were checked: not when none was, or some were not.
    all_checked = not (coverage.nothing_settled or coverage.not_checked)
    bad = found.bad()
    if not bad:
        if not unchecked:
            return EXIT_OK, "no dead links, no footnote problems"
        if all_checked:  # only rules left links out
            return EXIT_OK, f"no dead links, no footnote problems ({unchecked})"
        return EXIT_OK, f"{unchecked} — nothing failed"
    parts = (["no dead links"] if not found.dead and all_checked else []) + bad + ([unchecked] if unchecked else [])
    return EXIT_OK, f"{', '.join(parts)} (not failing: --fail-on {','.join(conditions)})"


def _unchecked_text(coverage: Coverage) -> str:
    """Why "no dead links" cannot be said of every link: ``5 links not checked (offline)``,
    ``5 links skipped by rules``; '' when every link that could be checked has a verdict."""
    from refcheck.report.findings import plural

    parts = []
    if coverage.not_checked:
        parts.append(f"{plural(coverage.not_checked, 'link')} not checked ({', '.join(sorted(coverage.reasons))})")
    if coverage.ruled_out:
        parts.append(f"{plural(coverage.ruled_out, 'link')} skipped by rules")
    if coverage.nothing_settled and coverage.undetermined:
        parts.append(f"{plural(coverage.undetermined, 'link')} with no answer about the page (blocked, time-outs…)")
    if coverage.nothing_settled and parts and coverage.not_checked != coverage.links:
        parts.insert(0, "no link checked")  # (when none was even tried, the count above says it)
    return ", ".join(parts)


@dataclass(frozen=True)
class _Found:
    """What ``--fail-on`` can fail on, counted."""

    errors: int
    """Footnote problems of severity error (missing or duplicate footnote, missing file)."""
    warnings: int
    dead: int
    """Unique links dead or soft-404."""
    newly_dead: int
    replaced: int = 0
    """Unique live links whose content drift is ``replaced`` (``--drift``)."""

    @classmethod
    def of(cls, result: RunResult, changes: Changes | None) -> _Found:
        from refcheck.models import DEAD_STATUSES, PROBLEM_SEVERITY, DriftVerdict

        problems = result.summary.problems
        errors = sum(count for kind, count in problems.items() if PROBLEM_SEVERITY.get(kind) == "error")
        warnings = sum(count for kind, count in problems.items() if PROBLEM_SEVERITY.get(kind) == "warning")
        dead = sum(result.summary.statuses.get(str(status), 0) for status in DEAD_STATUSES)
        newly = len(changes.newly_dead) if changes is not None else dead
        replaced = sum(
            1 for link in result.links.values() if link.drift is not None and link.drift.verdict is DriftVerdict.REPLACED
        )
        return cls(errors, warnings, dead, newly, replaced)

    def failing(self, condition: str) -> str:
        """What makes ``condition`` fail, or '' when it does not."""
        from refcheck.report.findings import plural

        if condition == "problems" and self.errors + self.warnings:
            return plural(self.errors + self.warnings, "footnote problem")
        if condition == "footnote-errors" and self.errors:
            return plural(self.errors, "footnote error")
        if condition == "dead" and self.dead:
            return plural(self.dead, "dead link")
        if condition == "new-dead" and self.newly_dead:
            return plural(self.newly_dead, "newly dead link")
        if condition == "drift" and self.replaced:
            return _replaced_text(self.replaced)
        return ""

    def bad(self) -> list[str]:
        """What was found that a condition could fail on."""
        from refcheck.report.findings import plural

        parts = []
        if self.dead:
            parts.append(plural(self.dead, "dead link"))
        if self.errors:
            parts.append(plural(self.errors, "footnote error"))
        if self.warnings:
            parts.append(plural(self.warnings, "footnote warning"))
        if self.replaced:
            parts.append(_replaced_text(self.replaced))
        return parts


def _replaced_text(count: int) -> str:
    """``1 cited page replaced`` (content drift: the address now shows something else)."""
    from refcheck.report.findings import plural

    return f"{plural(count, 'cited page')} replaced (content drift)"


def entry() -> None:
    """Console-script entry point: every user error becomes one line and exit 2."""
    if sys.argv[1:2] == ["fix"]:
        # ``refcheck fix PATH...``: fix mode, its own command (refcheck/fix/cli.py). A corpus
        # folder named "fix" is reached as ``refcheck ./fix``.
        from refcheck.fix.cli import main as fix_main

        sys.exit(fix_main(sys.argv[2:]))
    if sys.argv[1:] == ["--version"]:
        # Fast path, for exactly ``refcheck --version``: importing typer (and the click it
        # bundles) alone takes 70-90 ms on a small machine -- most of the 0.1 s a version
        # query may cost -- and the answer needs none of it. Any other command line, with
        # --version among other arguments too, goes through typer (same output: _version).
        print(f"refcheck {__version__}")
        sys.exit(EXIT_OK)
    try:
        app = _app()
    except KeyboardInterrupt:
        print("refcheck: interrupted", file=sys.stderr)
        sys.exit(130)
    try:
        outcome = command_with_plain_paths(app)(standalone_mode=False)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("refcheck: interrupted", file=sys.stderr)
        sys.exit(130)
    except (InputError, SettingsError) as exc:
        print(f"refcheck: {exc}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except typer.TyperException as exc:  # usage errors: bad option, missing argument…
        message = " ".join(exc.format_message().split())
        print(f"refcheck: {message} (see 'refcheck --help')", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    if outcome == 130:  # typer turns Ctrl-C into exit code 130
        print("refcheck: interrupted", file=sys.stderr)
    sys.exit(outcome if isinstance(outcome, int) else EXIT_OK)
