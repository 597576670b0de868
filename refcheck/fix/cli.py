"""``refcheck fix PATH... [--diff | --write] [options]``.

Runs the normal pipeline (extraction, link checks, archive lookups for dead links;
``--offline``: the cache only), then proposes for each dead or soft-404 citation with an
archive capture the editor's change. stdout: the unified diff (``--diff``, the default);
``--write``: the articles changed in place. stderr: one line per finding and a summary.

Exit status: 0 nothing to fix (or everything fixed with ``--write``); 1 fixes proposed
(``--diff``), or dead citations left without a fix (no capture, not located, not
written); 2 usage or input error (one line).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from refcheck.errors import InputError, SettingsError

if TYPE_CHECKING:
    import typer

    from refcheck.collect import SourceFile
    from refcheck.config import Settings
    from refcheck.fix.plan import Finding
    from refcheck.models import RunResult

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


def main(argv: list[str]) -> int:
    """``refcheck fix`` with these arguments (after ``fix``); returns the exit status.
    Every user error is one line on stderr and 2."""
    import typer as typer_module

    globals()["typer"] = typer_module  # the command's annotations name ``typer``
    app = typer_module.Typer(
        add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )  # fmt: skip
    app.command(help="Propose archive copies for the dead citations of the articles under PATH.")(fix)
    try:
        from refcheck.cli import command_with_plain_paths  # PATH... in --help, not typer's PATH <list[Path]>

        outcome = command_with_plain_paths(app)(args=argv, prog_name="refcheck fix", standalone_mode=False)
    except typer_module.Exit as done:
        return int(done.exit_code)
    except (typer_module.Abort, KeyboardInterrupt):
        print("refcheck fix: interrupted", file=sys.stderr)
        return 130
    except (InputError, SettingsError) as exc:
        print(f"refcheck fix: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except typer_module.TyperException as exc:  # a bad option, a missing argument…
        message = " ".join(exc.format_message().split())
        print(f"refcheck fix: {message} (see 'refcheck fix --help')", file=sys.stderr)
        return EXIT_USAGE
    return outcome if isinstance(outcome, int) else EXIT_OK


def fix(
    paths: Annotated[list[Path], typer.Argument(help="Articles or folders of articles.", metavar="PATH...")],
    diff: Annotated[
        bool, typer.Option("--diff", help="Print the changes as a unified diff (the default).", show_default=False)
    ] = False,
    write: Annotated[
        bool,
        typer.Option("--write", help="Change the articles in place (backup: NAME.bak).", show_default=False),
    ] = False,
    offline: Annotated[
        bool | None,
        typer.Option(
            "--offline/--no-offline", help="No network: verdicts and captures from the cache only.", show_default=False
        ),
    ] = None,
    cache_dir: Annotated[str | None, typer.Option(metavar="DIR", help="Cache folder.")] = None,
    store: Annotated[
        str | None, typer.Option(metavar="URL", help="Shared verdict store (postgresql://…; env REFCHECK_STORE).")
    ] = None,
    allow_private: Annotated[
        bool | None,
        typer.Option(
            "--allow-private/--no-allow-private", help="Allow loopback/private addresses.", show_default=False
        ),
    ] = None,
    archive_interval: Annotated[
        float | None, typer.Option(metavar="S", help="Seconds between archive requests.")
    ] = None,
    wayback_url: Annotated[str | None, typer.Option(metavar="URL", help="Wayback availability API base.")] = None,
    cdx_url: Annotated[str | None, typer.Option(metavar="URL", help="Wayback CDX API base.")] = None,
    host_interval: Annotated[
        float | None, typer.Option(metavar="S", help="Seconds between requests to one host.")
    ] = None,
    per_host: Annotated[int | None, typer.Option(metavar="N", help="Requests in flight per host.")] = None,
    timeout: Annotated[float | None, typer.Option(metavar="S", help="Seconds each step of a request may take.")] = None,
    config: Annotated[Path | None, typer.Option(metavar="FILE", help="Settings file.")] = None,
    drift: Annotated[
        bool | None,
        typer.Option(
            "--drift/--no-drift",
            show_default=False,
            help="Also fix citations whose live page now shows something else (content drift: replaced).",
        ),
    ] = None,
    save_missing: Annotated[
        bool | None,
        typer.Option(
            "--save-missing/--no-save-missing",
            show_default=False,
            help="First submit live links with no capture to Save Page Now.",
        ),
    ] = None,
) -> int:
    if diff and write:
        raise SettingsError("--diff and --write: choose one")
    for path in paths:
        if path.parts and path.parts[0].lower() in ("http:", "https:"):  # "https://x/y" read as a path
            from refcheck.redact import redact

            page = redact(path.as_posix().replace(":/", "://", 1))[:200]
            raise InputError(f"{page}: fix mode changes article files; a live page cannot be fixed here (run"
                             " refcheck on it to list its dead links)")  # fmt: skip
    overrides: dict[str, Any] = {
        "offline": offline, "cache_dir": cache_dir, "store": store, "allow_private": allow_private,
        "archive_interval": archive_interval, "wayback_url": wayback_url, "cdx_url": cdx_url,
        "host_interval": host_interval, "per_host": per_host, "timeout": timeout, "save_missing": save_missing, "drift": drift,
        "no_report": True,
    }  # fmt: skip
    settings = _settings(paths, config, overrides)
    from refcheck.pipeline import resolve, run

    result = run(paths, settings)
    resolve(result, settings)
    tally = _fix_articles(paths, settings, result, write)
    _print_summary(result, tally, write)
    return tally.exit_status(write)


def _settings(paths: list[Path], config: Path | None, overrides: dict[str, Any]) -> Settings:
    from refcheck.config import find_settings_file, load_settings

    if config is not None and not config.is_file():
        raise SettingsError(f"{config}: no such settings file")
    settings = load_settings(config if config is not None else find_settings_file(paths), overrides)
    if settings.archive == "none":
        settings.archive = "dead"  # fix mode is about archive copies: the dead links get their lookup
    return settings


@dataclass(slots=True)
class _Tally:
    findings: list[Finding] = field(default_factory=list)
    not_changed: list[str] = field(default_factory=list)
    """``path: why`` of articles with fixes that were not made."""
    not_checked: int = 0
    written: list[str] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)
    """What a document's ``line`` counts, for the documents that are not text (``page``, ``paragraph``)."""

    def count(self, outcome: str) -> int:
        return sum(1 for finding in self.findings if finding.outcome == outcome)

    def exit_status(self, write: bool) -> int:
        left = self.count("no-capture") + self.count("not-located") + self.count("by-hand") + len(self.not_changed)
        proposed = self.count("fix") and not write
        return EXIT_FOUND if left or proposed else EXIT_OK


def _fix_articles(paths: list[Path], settings: Settings, result: RunResult, write: bool) -> _Tally:
    from refcheck.extract import ExtractContext, OutletIndex
    from refcheck.fix.plan import archive_hosts

    context = ExtractContext(
        OutletIndex.load([Path(settings.outlets_file)] if settings.outlets_file else []),
        sorted(settings.publishers.items()),
    )
    hosts = archive_hosts(settings.wayback_url, settings.cdx_url)
    tally = _Tally()
    out = sys.stdout.buffer
    for source in _sources(paths, settings):
        diff = _fix_article(source, settings, result, context, hosts, write, tally)
        if diff:
            out.write(diff)
    out.flush()
    result.documents.close()
    return tally


def _sources(paths: list[Path], settings: Settings) -> list[SourceFile]:
    from refcheck.collect import SourceFile, collect

    settings_file = Path(settings.source) if settings.source else None
    found = collect(paths, settings.exclude, settings.follow_symlinks, settings_file)
    return [item for item in found if isinstance(item, SourceFile)]


def _fix_article(
    source: SourceFile, settings: Settings, result: RunResult, context: Any, hosts: frozenset[str], write: bool,
    tally: _Tally,
) -> bytes:  # fmt: skip
    """Plan one article's fixes and make them: the diff (``--diff``) or b'' (written)."""
    from refcheck.collect import BINARY_FORMATS, text_of
    from refcheck.errors import SkipFile
    from refcheck.extract import extract_source
    from refcheck.fix.apply import NotChanged, read_article, unified_diff, write_article
    from refcheck.fix.edit import Article, apply_insertions
    from refcheck.fix.plan import plan_article

    if source.format in BINARY_FORMATS:
        _list_document(source, settings, result, context, hosts, tally)
        return b""
    try:
        article_bytes = read_article(source.path)
        normalised, _ = text_of(article_bytes.data)
    except NotChanged as why:
        if _has_dead(source.name, result):
            tally.not_changed.append(f"{source.name}: not changed: {why}")
        return b""
    except SkipFile:
        return b""
    # Extracted again from the very bytes edited: the lines are those of this text, and
    # URLs are as written (the run's copies have credentials masked).
    document = extract_source(normalised, source, context)
    article = Article(article_bytes.text, source.format)
    plan = plan_article(article, document, result.links, hosts, settings.links)
    tally.findings.extend(plan.findings)
    tally.not_checked += plan.not_checked
    if not plan.edits.insertions:
        return b""
    try:
        new = article_bytes.encode(apply_insertions(article.text, plan.edits.insertions))
        if write:
            backup = write_article(source.path, article_bytes, new)
            tally.written.append(f"{source.name}: written (backup: {backup.name})")
            return b""
        if not article_bytes.line_based:
            raise NotChanged(f"a {article_bytes.codec} file has no reviewable text diff: use --write")
    except NotChanged as why:
        tally.not_changed.append(f"{source.name}: not changed: {why}")
        tally.findings = [f for f in tally.findings if not (f.path == source.name and f.outcome == "fix")]
        return b""
    return unified_diff(_shown(source.path), article_bytes.data, new)


def _list_document(
    source: SourceFile, settings: Settings, result: RunResult, context: Any, hosts: frozenset[str], tally: _Tally
) -> None:
    """A PDF or Word document: its fixes are listed for the editor, never written."""
    from refcheck.collect import read_bytes
    from refcheck.errors import SkipFile
    from refcheck.extract import extract_bytes
    from refcheck.fix.plan import list_for_editor

    try:
        document = extract_bytes(read_bytes(source.path, settings.max_file_size), source, context)
    except (SkipFile, OSError):
        return
    findings, not_checked = list_for_editor(document, result.links, hosts, settings.links)
    tally.findings.extend(findings)
    tally.not_checked += not_checked
    tally.units[source.name] = document.unit


def _has_dead(name: str, result: RunResult) -> bool:
    return any(cited.path == name and link.status.dead for link in result.links.values() for cited in link.cited_by)


def _shown(path: Path) -> str:
    """The article's path for the diff: relative to the current folder, with ``/``."""
    shown = os.path.relpath(os.path.abspath(path))
    return shown.replace(os.sep, "/")


_LABELS = {
    "by-hand": "archive copy to add by hand (PDF and Word documents are not rewritten)",
    "fix": "archive copy added",
    "rescued": "rescued already (has its own archive copy)",
    "no-capture": "dead, no archive capture",
    "not-located": "not changed: could not locate",
}


def _print_summary(result: RunResult, tally: _Tally, write: bool) -> None:
    from refcheck.report.findings import plural

    err = sys.stderr
    for note in result.notes:
        if not note.startswith("reports written"):
            print(f"note: {note}", file=err)
    for finding in sorted(tally.findings, key=lambda f: (f.path, f.line)):
        label = _LABELS[finding.outcome]
        if finding.outcome == "fix" and not write:
            label = "archive copy proposed"
        extra = (
            f" -> {finding.archive_url}" if finding.archive_url else f" ({finding.detail})" if finding.detail else ""
        )
        unit = tally.units.get(finding.path, "line")
        where = f"{finding.path}:{finding.line}" if unit == "line" else f"{finding.path}: {unit} {finding.line}"
        print(f"{where}: {label}: {finding.url}{extra}", file=err)
    for line in [*tally.not_changed, *tally.written]:
        print(line, file=err)
    if tally.not_checked:
        print(f"{plural(tally.not_checked, 'citation')} not checked (no verdict: offline or not cached):"
              " their fate is unknown", file=err)  # fmt: skip
    done = "written" if write else "proposed"
    print(
        f"refcheck fix: {plural(tally.count('fix'), 'fix', 'fixes')} {done}, {tally.count('rescued')} rescued already,"
        f" {tally.count('no-capture')} dead without a capture, {tally.count('not-located')} could not be located"
        + (f", {tally.count('by-hand')} to add by hand" if tally.count("by-hand") else ""),
        file=err,
    )
