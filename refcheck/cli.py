"""``refcheck PATH... [options]``: parse options, run the pipeline, choose the exit code.

Exit status: 0 nothing wrong; 1 problems found (which ones count: ``--fail-on``);
2 usage or input error (one line on stderr, never a traceback).

Start-up: this module imports nothing heavy at the top. typer is imported when the
command line is parsed (``_app``), and the pipeline, the reports and rich only inside
the command, once the settings are known -- ``--help`` and a usage error never load them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from refcheck import __version__, defaults
from refcheck.errors import InputError, SettingsError

if TYPE_CHECKING:
    import typer

    from refcheck.config import Settings
    from refcheck.models import RunResult
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
            add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None
        )
        _APP.command(help="Check the citations and footnotes of the articles under PATH (files or folders).")(main)
    return _APP


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
        list[Path], typer.Argument(help="Articles or folders of articles (.txt .md .html).", show_default=False)
    ],
    offline: Annotated[
        bool | None, typer.Option("--offline", help="No network at all: extract and use the cache only.")
    ] = None,
    json_out: Annotated[
        str | None,
        typer.Option("--json", metavar="FILE", help="Write the full result as JSON to FILE ('-' for stdout)."),
    ] = None,
    report_dir: Annotated[str | None, typer.Option(help="Folder for report files.")] = None,
    no_report: Annotated[bool | None, typer.Option("--no-report", help="Write no report files.")] = None,
    cache_dir: Annotated[str | None, typer.Option(help="Cache folder (env REFCHECK_CACHE_DIR).")] = None,
    no_archive: Annotated[
        bool | None, typer.Option("--no-archive", help="Do not look up Internet Archive copies.")
    ] = None,
    archive: Annotated[str | None, typer.Option(help="Archive lookups for: dead (default), all, none.")] = None,
    wayback_url: Annotated[
        str | None,
        typer.Option(help=f"Wayback availability API base (env REFCHECK_WAYBACK_URL; default {defaults.WAYBACK_URL})."),
    ] = None,
    cdx_url: Annotated[
        str | None, typer.Option(help=f"Wayback CDX API base (env REFCHECK_CDX_URL; default {defaults.CDX_URL}).")
    ] = None,
    save_missing: Annotated[
        bool | None,
        typer.Option(
            "--save-missing",
            help="Submit live links with no archive copy to Save Page Now (keys: REFCHECK_IA_ACCESS_KEY, REFCHECK_IA_SECRET_KEY).",
        ),
    ] = None,
    archive_interval: Annotated[
        float | None, typer.Option(help=f"Seconds between archive requests (default {defaults.ARCHIVE_INTERVAL:g}).")
    ] = None,
    allow_private: Annotated[
        bool | None, typer.Option("--allow-private", help="Allow links to loopback/private addresses.")
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option(help=f"Requests in flight at most (default {defaults.CONCURRENCY}).")
    ] = None,
    per_host: Annotated[
        int | None, typer.Option(help=f"Requests in flight per host at most (default {defaults.PER_HOST}).")
    ] = None,
    host_interval: Annotated[
        float | None, typer.Option(help=f"Seconds between requests to one host (default {defaults.HOST_INTERVAL:g}).")
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(help=f"Seconds for each step of a request: connect, each read (default {defaults.TIMEOUT:g})."),
    ] = None,
    retries: Annotated[
        int | None, typer.Option(help=f"Retries of a transient failure (default {defaults.RETRIES}).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Processes for a large corpus: extraction over articles, checking by domain"
            " (default 0: one per core this process may use; 1: this process only)."
        ),
    ] = None,
    refresh: Annotated[bool | None, typer.Option("--refresh", help="Ignore cached verdicts.")] = None,
    max_age: Annotated[
        float | None, typer.Option(help="Do not reuse cached verdicts older than this many days.")
    ] = None,
    fail_on: Annotated[
        str | None, typer.Option(help="Exit 1 on: problems, footnote-errors, dead, new-dead, none (comma-separated).")
    ] = None,
    max_file_size: Annotated[
        int | None,
        typer.Option(help=f"Skip articles larger than this many bytes (default {defaults.MAX_FILE_SIZE:,})."),
    ] = None,
    user_agent: Annotated[str | None, typer.Option(help="User-Agent for link checks (default: browser-like).")] = None,
    links: Annotated[
        str | None,
        typer.Option(
            help="Which links to check and report: article (the article's own, default) or all (page furniture too)."
        ),
    ] = None,
    follow_symlinks: Annotated[
        bool | None,
        typer.Option(
            "--follow-symlinks", help="Read articles reached through symbolic links that leave the corpus folder."
        ),
    ] = None,
    graph: Annotated[str | None, typer.Option(help="Print the citation graph: json, graphml, dot or mermaid.")] = None,
    graph_out: Annotated[Path | None, typer.Option(help="Write the --graph output to this file instead.")] = None,
    config: Annotated[
        Path | None, typer.Option(help="Settings file (default: refcheck.toml or pyproject.toml next to the corpus).")
    ] = None,
    quiet: Annotated[bool | None, typer.Option("--quiet", "-q", help="Print only problems and the totals.")] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    overrides: dict[str, Any] = {
        "offline": offline, "json": json_out, "report_dir": report_dir, "no_report": no_report,
        "cache_dir": cache_dir, "archive": "none" if no_archive else archive, "wayback_url": wayback_url,
        "cdx_url": cdx_url, "archive_interval": archive_interval, "save_missing": save_missing, "allow_private": allow_private, "concurrency": concurrency, "per_host": per_host,
        "host_interval": host_interval, "timeout": timeout, "retries": retries, "refresh": refresh, "max_age": max_age,
        "fail_on": fail_on, "max_file_size": max_file_size, "user_agent": user_agent, "quiet": quiet,
        "links": links,
        "follow_symlinks": follow_symlinks, "workers": workers,
    }  # fmt: skip
    from refcheck.config import find_settings_file, load_settings

    settings_file = config if config is not None else find_settings_file(paths)
    if config is not None and not config.is_file():
        raise SettingsError(f"{config}: no such settings file")
    settings = load_settings(settings_file, overrides)
    if graph is not None:
        from refcheck.report.graph_formats import FORMATS as GRAPH_FORMATS

        if graph not in GRAPH_FORMATS:
            raise SettingsError(f"--graph: unknown format '{graph}' (choose from {', '.join(GRAPH_FORMATS)})")
    # Only now the pipeline (extraction; resolve imports the network stack only if a link needs it).
    from refcheck.pipeline import resolve, run
    from refcheck.report.progress import RunProgress

    with RunProgress(settings.quiet) as progress:
        progress.stage("reading articles", None)
        result = run(paths, settings, progress.file)
        progress.stage("checking links", len(result.links))
        try:
            resolve(result, settings, progress.link)
        except KeyboardInterrupt:
            result.notes.append("interrupted: verdicts found so far are cached; the next run checks the rest")
            _write_outputs(result, settings)
            raise
    changes, built = _report(result, settings)
    if graph is not None:
        _write_graph(result, built, graph, graph_out)
    _write_outputs(result, settings, to_stderr=graph is not None and graph_out is None)
    raise typer.Exit(_exit_code(result, settings, changes))


def _report(result: RunResult, settings: Settings) -> tuple[Changes, Graph | None]:
    """Write the run's report folder (unless --no-report) and say what changed.
    Returns the changes, and the citation graph when the reports built it."""
    from refcheck.report.changes import compare
    from refcheck.report.files import previous_links, write_reports

    root = Path(settings.report_dir)
    if settings.no_report:
        previous, links, warnings = previous_links(root)
        result.notes.extend(warnings)
        changes = compare(result.links, links, previous.name if previous else None, "")
        built: Graph | None = None
    else:
        try:
            written = write_reports(result, root)
        except OSError as exc:
            result.notes.append(f"reports not written: {root}: {exc.strerror or exc}")
            return compare(result.links, None, None, ""), None
        changes, built = written.changes, written.graph
        result.notes.extend(written.warnings)
        result.notes.append(f"reports written to {written.folder}")
    if changes.previous:
        result.headline.append(
            f"since {changes.previous}: {len(changes.newly_dead)} newly dead, {len(changes.recovered)} recovered, "
            f"{len(changes.still_dead)} still dead, {len(changes.newly_archived)} newly archived, "
            f"{len(changes.newly_cited)} newly cited, {len(changes.no_longer_cited)} no longer cited"
        )
    return changes, built


def _write_graph(result: RunResult, built: Graph | None, fmt: str, target: Path | None) -> None:
    from refcheck.report.graph import build_graph
    from refcheck.report.graph_formats import render as render_graph

    text = render_graph(built or build_graph(result.documents, result.links, result.summary.links_scope), fmt)
    if target is None:
        sys.stdout.write(text)
        return
    try:
        target.write_text(text, "utf-8")
    except OSError as exc:
        raise InputError(f"{target}: cannot write the graph: {exc.strerror or exc}") from None


def _write_outputs(result: RunResult, settings: Settings, to_stderr: bool = False) -> None:
    from refcheck.report.console import write_summary
    from refcheck.report.json import write_json

    human = sys.stderr if to_stderr else sys.stdout
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
            write_summary(result, human, settings.quiet)  # the results are not lost: they still reach the terminal
            raise InputError(f"{target}: cannot write JSON: {exc.strerror or exc}") from None
    write_summary(result, human, settings.quiet)


def _exit_code(result: RunResult, settings: Settings, changes: Changes | None = None) -> int:
    from refcheck.models import DEAD_STATUSES

    conditions = set(settings.fail_on)
    if "none" in conditions:
        return EXIT_OK
    problems = result.summary.problems
    errors = sum(count for kind, count in problems.items() if kind in ("missing-footnote", "duplicate-footnote"))
    warnings = sum(count for kind, count in problems.items() if kind != "unlinked-work")
    statuses = result.summary.statuses
    dead = sum(statuses.get(status, 0) for status in DEAD_STATUSES)
    if "problems" in conditions and warnings:
        return EXIT_PROBLEMS
    if "footnote-errors" in conditions and errors:
        return EXIT_PROBLEMS
    if "dead" in conditions and dead:
        return EXIT_PROBLEMS
    if "new-dead" in conditions and (changes.newly_dead if changes is not None else dead):
        return EXIT_PROBLEMS
    return EXIT_OK


def entry() -> None:
    """Console-script entry point: every user error becomes one line and exit 2."""
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
        outcome = app(standalone_mode=False)
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
