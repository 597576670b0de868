"""The report folder of a run, and the folder of all runs.

``reports/<YYYY-MM-DDTHHMMSS>/`` holds report.json, report.md, report.html and the graph
(graph.json, graph.graphml, graph.dot). A folder is created exclusively, so two
runs in the same second (or at once) get ``…T030000``, ``…T030000-2``: no run
ever overwrites another. ``reports/latest`` points at the newest run, and
``reports/history.jsonl`` gains one line per run (appended in one write).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from refcheck.models import SCHEMA_VERSION
from refcheck.pipeline import RunResult
from refcheck.report import html, markdown
from refcheck.report.changes import Changes, compare, dead_streaks, load_previous
from refcheck.report.graph import Graph, build_graph
from refcheck.report.graph_formats import render
from refcheck.report.json import write_json

_RUN_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}(?:-\d+)?$")


LOOK_BACK = 5  # earlier runs tried when the newest one's report is unreadable


@dataclass
class Written:
    folder: Path
    changes: Changes
    graph: Graph
    warnings: list[str]


def previous_run(root: Path) -> Path | None:
    """The newest earlier run in ``root`` (by name: they sort by time)."""
    runs = _runs(root)
    return runs[-1] if runs else None


def _runs(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted((p for p in root.iterdir() if p.is_dir() and _RUN_FOLDER.match(p.name)), key=_run_key)


def previous_links(root: Path) -> tuple[Path | None, dict[str, dict[str, object]] | None, list[str]]:
    """The newest earlier run whose report.json can be read, its links, and a
    warning for each newer run passed over (killed while writing, damaged):
    an unreadable report must not make every dead link look new."""
    warnings: list[str] = []
    for folder in reversed(_runs(root)[-LOOK_BACK:]):
        links = load_previous(folder)
        if links is not None:
            return folder, links, warnings
        warnings.append(f"report {folder / 'report.json'} is missing or damaged; compared with an earlier run")
    return None, None, warnings


def _run_key(path: Path) -> tuple[str, int]:
    stamp, number = path.name[:17], path.name[18:]
    return stamp, int(number) if number.isascii() and number.isdigit() else 1


def new_run_folder(root: Path, now: datetime) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y-%m-%dT%H%M%S")
    for attempt in range(1, 1000):
        folder = root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise OSError(f"no free report folder name for {stamp} in {root}")


def write_reports(result: RunResult, root: Path) -> Written:
    now = datetime.now(UTC)
    previous_folder, previous, warnings = previous_links(root)
    changes = compare(result.links, previous, previous_folder.name if previous_folder else None, now.date().isoformat())
    graph = build_graph(result.documents, result.links, result.summary.links_scope)
    folder = new_run_folder(root, now)
    streaks = dead_streaks(changes)
    with (folder / "report.json").open("w", encoding="utf-8") as handle:
        write_json(
            result,
            handle,
            extra={"changes": changes.to_json(), "graph": graph.to_json()},
            link_extra={url: {"dead_streak": streak} for url, streak in streaks.items()},
        )
    summary = result.summary.to_dict()
    (folder / "report.md").write_text(
        markdown.render(result.generated_at, result.documents, result.links, summary, changes, graph), "utf-8"
    )
    for fmt, name in (("json", "graph.json"), ("graphml", "graph.graphml"), ("dot", "graph.dot")):
        (folder / name).write_text(render(graph, fmt), "utf-8")
    with _history_lock(root):  # appends and the rare rebuild never interleave across runs
        _append_history(root, result, folder)
        history, damaged = _read_history(root)
        if damaged:
            warnings.append(_set_history_aside(root, history, damaged))
    (folder / "report.html").write_text(
        html.render(result.generated_at, result.documents, result.links, summary, changes, graph, history),
        "utf-8",
    )
    _point_latest(root, folder)
    return Written(folder, changes, graph, warnings)


def _append_history(root: Path, result: RunResult, folder: Path) -> None:
    links = result.links.values()
    wanted = [link for link in links if link.archive is not None]
    row = {
        "schema": SCHEMA_VERSION,
        "run": folder.name,
        "generated_at": result.generated_at,
        "articles": result.summary.documents_read,
        "links": result.summary.unique_links,
        "statuses": result.summary.statuses,
        "archive_looked_up": len(wanted),
        "archive_found": sum(1 for link in wanted if link.archive and link.archive.available),
    }
    line = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
    # One write on an O_APPEND descriptor: lines of concurrent runs do not interleave.
    descriptor = os.open(root / "history.jsonl", os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(descriptor).st_size
        if size and os.pread(descriptor, 1, size - 1) != b"\n":
            line = b"\n" + line  # a torn last line (a run killed while writing) stays on its own line
        os.write(descriptor, line)
    finally:
        os.close(descriptor)


def read_history(root: Path) -> list[dict[str, object]]:
    """All runs' rows; a damaged line is skipped (and the rest kept)."""
    return _read_history(root)[0]


def _read_history(root: Path) -> tuple[list[dict[str, object]], int]:
    rows: list[dict[str, object]] = []
    damaged = 0
    try:
        text = (root / "history.jsonl").read_text("utf-8", errors="replace")
    except OSError:
        return rows, 0
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            row = None
        if isinstance(row, dict):
            rows.append(row)
        elif line.strip():
            damaged += 1
    return rows, damaged


def _set_history_aside(root: Path, rows: list[dict[str, object]], damaged: int) -> str:
    """Keep a copy of a damaged history and rebuild it from its readable lines."""
    history = root / "history.jsonl"
    aside = root / f"history.jsonl.damaged-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    rebuilt = root / f".history-{os.getpid()}.jsonl"
    try:
        shutil.copyfile(history, aside)
        rebuilt.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), "utf-8")
        os.replace(rebuilt, history)
    except OSError as exc:
        return f"{history}: {damaged} damaged lines skipped (could not set it aside: {exc.strerror or exc})"
    return f"{history}: {damaged} damaged lines; copy kept as {aside.name}, history rebuilt from the {len(rows)} readable ones"


def _point_latest(root: Path, folder: Path) -> None:
    latest = root / "latest"
    temporary = root / f".latest-{os.getpid()}"
    try:
        if temporary.is_symlink() or temporary.exists():
            temporary.unlink()
        temporary.symlink_to(folder.name, target_is_directory=True)
        os.replace(temporary, latest)
    except OSError:
        # No symlinks here (some file systems): a one-line file naming the folder.
        with contextlib.suppress(OSError):  # the reports are written; a missing pointer costs little
            (root / "latest.txt").write_text(folder.name + "\n", "utf-8")


@contextlib.contextmanager
def _history_lock(root: Path) -> Iterator[None]:
    """An exclusive lock on ``root/.history.lock`` (flock: released if the run dies)."""
    try:
        handle = (root / ".history.lock").open("a")
    except OSError:
        yield  # a read-only or odd folder: go on unlocked, as before
        return
    with handle:
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
