"""``refcheck PATH... [options]``: parse options, run the pipeline, choose the exit code.

Exit status: 0 nothing wrong; 1 problems found (which ones count: ``--fail-on``);
2 usage or input error (one line on stderr, never a traceback).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from refcheck import __version__
from refcheck.collect import InputError
from refcheck.config import Settings, SettingsError, find_settings_file, load_settings
from refcheck.models import DEAD_STATUSES
from refcheck.pipeline import RunResult, resolve, run
from refcheck.report.changes import Changes, compare
from refcheck.report.console import write_summary
from refcheck.report.files import previous_links, write_reports
from refcheck.report.graph import Graph, build_graph
from refcheck.report.graph_formats import FORMATS as GRAPH_FORMATS
from refcheck.report.graph_formats import render as render_graph
from refcheck.report.json import write_json
from refcheck.report.progress import RunProgress

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"refcheck {__version__}")
        raise typer.Exit()


@app.command(help="Check the citations and footnotes of the articles under PATH (files or folders).")
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
        str | None, typer.Option(help="Wayback availability API base (env REFCHECK_WAYBACK_URL).")
    ] = None,
    cdx_url: Annotated[str | None, typer.Option(help="Wayback CDX API base (env REFCHECK_CDX_URL).")] = None,
    save_missing: Annotated[
        bool | None,
        typer.Option(
            "--save-missing",
            help="Submit live links with no archive copy to Save Page Now (keys: REFCHECK_IA_ACCESS_KEY, REFCHECK_IA_SECRET_KEY).",
        ),
    ] = None,
    archive_interval: Annotated[
        float | None, typer.Option(help="Seconds between archive requests (default 2).")
    ] = None,
    allow_private: Annotated[
        bool | None, typer.Option("--allow-private", help="Allow links to loopback/private addresses.")
    ] = None,
    concurrency: Annotated[int | None, typer.Option(help="Requests in flight at most (default 128).")] = None,
    per_host: Annotated[int | None, typer.Option(help="Requests in flight per host at most (default 4).")] = None,
    host_interval: Annotated[
        float | None, typer.Option(help="Seconds between requests to one host (default 0.1).")
    ] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds per link at most (default 20).")] = None,
    retries: Annotated[int | None, typer.Option(help="Retries of a transient failure (default 2).")] = None,
    refresh: Annotated[bool | None, typer.Option("--refresh", help="Ignore cached verdicts.")] = None,
    max_age: Annotated[
        float | None, typer.Option(help="Do not reuse cached verdicts older than this many days.")
    ] = None,
    fail_on: Annotated[
        str | None, typer.Option(help="Exit 1 on: problems, footnote-errors, dead, new-dead, none (comma-separated).")
    ] = None,
    max_file_size: Annotated[
        int | None, typer.Option(help="Skip articles larger than this many bytes (default 20 MB).")
    ] = None,
    user_agent: Annotated[str | None, typer.Option(help="User-Agent for link checks (default: browser-like).")] = None,
    links: Annotated[
        str | None,
        typer.Option(help="Which links to check and report: article (the article's own, default) or all (page furniture too)."),
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
        "follow_symlinks": follow_symlinks,
    }  # fmt: skip
    settings_file = config if config is not None else find_settings_file(paths)
    if config is not None and not config.is_file():
        raise SettingsError(f"{config}: no such settings file")
    settings = load_settings(settings_file, overrides)
    if graph is not None and graph not in GRAPH_FORMATS:
        raise SettingsError(f"--graph: unknown format '{graph}' (choose from {', '.join(GRAPH_FORMATS)})")
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
    text = render_graph(built or build_graph(result.documents, result.links, result.summary.links_scope), fmt)
    if target is None:
        sys.stdout.write(text)
        return
    try:
        target.write_text(text, "utf-8")
    except OSError as exc:
        raise InputError(f"{target}: cannot write the graph: {exc.strerror or exc}") from None


def _write_outputs(result: RunResult, settings: Settings, to_stderr: bool = False) -> None:
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
