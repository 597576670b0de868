"""GitHub Actions annotations (``refcheck --format github``): workflow commands that
put each problem on the article's line in a pull request.

``::error`` for a dead link and a footnote error, ``::warning`` for a soft-404, a
cited page that now shows something else (content drift ``replaced``, with the
title cited and the title now) and a footnote warning (info items are not
problems: none; a page only edited, drift ``changed``, is not annotated). Escaped as the Actions
toolkit does (``@actions/core``, ``command.ts``): in the message ``%``, ``\\r`` and
``\\n``; in a property also ``:`` and ``,``. Line breaks are escaped (``%0A``), not
made spaces; every other control character and bidirectional override is first shown
as a visible escape by :func:`refcheck.report.escape.plain`, so no text from an
article or a server can end a command early or start one of its own.

An article's path is shown by :mod:`refcheck.collect` with its control characters
written as escapes (``new\\nline.md``): :func:`real_path` turns them back, so the
annotation names the file as the repository does (``file=new%0Aline.md``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from refcheck.models import LinkStatus, RunResult
from refcheck.report.escape import plain
from refcheck.report.findings import DriftFinding, Finding, drift_findings


def write_annotations(
    result: RunResult, findings: Iterable[Finding], out: IO[str], newly_drifted: frozenset[str] = frozenset()
) -> None:
    """One workflow command a line on ``out`` (dead links first, then replaced pages,
    then footnote problems). ``newly_drifted``: URLs newly replaced since the previous run."""
    for line in annotation_lines(result, findings, newly_drifted):
        out.write(line + "\n")


def annotation_lines(
    result: RunResult, findings: Iterable[Finding], newly_drifted: frozenset[str] = frozenset()
) -> Iterator[str]:
    for item in findings:
        level = "warning" if item.status is LinkStatus.SOFT_404 else "error"
        note = f" (note {item.footnote})" if item.footnote is not None else ""
        kind = "soft-404 link" if item.status is LinkStatus.SOFT_404 else "dead link"
        title = ("newly " if item.newly_dead else "") + kind + note
        message = f"{item.url}: {item.reason}"
        if item.archive_url:
            day = f" of {item.archive_date}" if item.archive_date else ""
            message += f"; archive copy{day}: {item.archive_url}"
        yield command(level, message, file=real_path(item.path), line=_line(item.line, item.unit), title=title + _unit(item.line, item.unit))
    for drifted in drift_findings(result.links, newly_drifted, replaced_only=True):
        yield drift_annotation(drifted)
    for document in result.documents:
        for problem in document.problems:
            if problem.severity == "info":
                continue
            yield command(
                problem.severity, problem.message, file=real_path(document.path),
                line=_line(problem.line, document.unit), title=problem.kind + _unit(problem.line, document.unit),
            )  # fmt: skip


def drift_annotation(item: DriftFinding) -> str:
    """``::warning …,title=replaced page (note 3)::URL: now a home page; cited “…”, now “…”; capture of …: …``."""
    note = f" (note {item.footnote})" if item.footnote is not None else ""
    title = ("newly " if item.newly else "") + "replaced page" + note
    message = f"{item.url}: {item.reason}"
    if item.cited_title:
        message += f"; cited “{item.cited_title}”"
    if item.now_title:
        message += f", now “{item.now_title}”" if item.cited_title else f"; now “{item.now_title}”"
    if item.capture_url:
        day = f" of {item.capture_date}" if item.capture_date else ""
        message += f"; capture{day}: {item.capture_url}"
    return command(
        "warning", message, file=real_path(item.path), line=_line(item.line, item.unit),
        title=title + _unit(item.line, item.unit),
    )  # fmt: skip


def _line(line: int, unit: str) -> int | None:
    """The annotation's line: a text file's only (a PDF's page or a Word paragraph is no line GitHub can show)."""
    return line if unit == "line" else None


def _unit(line: int, unit: str) -> str:
    """`` (page 4)``: where in a PDF or Word document, in the annotation's title."""
    return "" if unit == "line" else f" ({unit} {line})"


def command(level: str, message: str, **properties: object) -> str:
    """``::error file=a.md,line=3,title=…::message`` with every part escaped."""
    shown = ",".join(f"{name}={escape_property(value)}" for name, value in properties.items() if value is not None)
    return f"::{level} {shown}::{escape_data(message)}" if shown else f"::{level}::{escape_data(message)}"


_LINE_BREAKS = re.compile("([\r\n\t])")


def keeping_breaks(value: object, escape: Callable[[str], str], breaks: dict[str, str]) -> str:
    """``value`` with each line break (and tab) written as ``breaks`` says and the text between
    made safe by ``escape`` (which would otherwise make the breaks spaces)."""
    text = value if isinstance(value, str) else str(value)
    return "".join(breaks[piece] if piece in breaks else escape(piece) for piece in _LINE_BREAKS.split(text))


def escape_data(value: object) -> str:
    # A tab is harmless in a workflow command (the toolkit leaves it): kept, not made a space.
    return keeping_breaks(value, lambda text: plain(text).replace("%", "%25"), {"\r": "%0D", "\n": "%0A", "\t": "\t"})


def escape_property(value: object) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


_SHOWN_CONTROL = re.compile(r"\\(?:([nrt])|x([01][0-9a-f]|7f))")
_SHOWN_LETTERS = {"n": "\n", "r": "\r", "t": "\t"}


def real_path(shown: str) -> str:
    """An article's path with the control characters that :mod:`refcheck.collect`
    showed as escapes (``\\n``, ``\\x01``) turned back into themselves."""
    if "\\" not in shown:
        return shown
    return _SHOWN_CONTROL.sub(
        lambda match: _SHOWN_LETTERS[match.group(1)] if match.group(1) else chr(int(match.group(2), 16)), shown
    )
