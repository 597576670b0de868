"""The report folder of a run, and the folder of all runs.

``reports/<YYYY-MM-DDTHHMMSS>/`` holds report.json, report.md, report.html and the graph
(graph.json, graph.graphml, graph.dot). A folder is created exclusively, so two
runs in the same second (or at once) get ``…T030000``, ``…T030000-2``: no run
ever overwrites another. ``reports/latest`` points at the newest run, and
``reports/history.jsonl`` gains one line per run (appended in one write).

The report folder may be shared: others can write in it. Nothing here follows a
symbolic link planted there (refcheck/report/safe_files.py): files are opened
with ``O_NOFOLLOW`` or written under a random name and renamed into place; a
planted ``history.jsonl``, ``.history.lock``, ``latest`` or ``report.json`` is
refused with a warning naming it; a damaged history is renamed aside, never
copied. Run folders are made ``0755`` at most, so no one else can write in them.

History is per corpus. A corpus is the set of its input paths, made absolute
(``RunResult.inputs``, named by ``RunResult.corpus_key``): the same corpus gives the
same key wherever refcheck was started from and however its paths were written.
"What changed" compares with the newest readable run *of the same corpus*; another
corpus run into the same report folder starts its own history, and the trend shown
in report.html holds this corpus's runs only. Runs written before runs recorded
their corpus (no ``corpus`` in report.json or history.jsonl) belong to no known
corpus: they are never compared with (a note says so once) -- comparing with the
wrong corpus would call every link of the other "no longer cited".
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from refcheck import safe_files
from refcheck.models import SCHEMA_VERSION, to_plain
from refcheck.report.changes import Changes, compare, corpus_key_of, dead_streaks, load_run
from refcheck.report.json import corpus_record, dumps
from refcheck.report.stats import drift_counts, drift_looked_at

if TYPE_CHECKING:
    from refcheck.models import LinkResult, RunResult
    from refcheck.report.graph import Graph

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
    # Not a symbolic link: a run folder refcheck made is a real folder.
    return sorted(
        (p for p in root.iterdir() if _RUN_FOLDER.match(p.name) and p.is_dir() and not p.is_symlink()), key=_run_key
    )


def previous_links(
    root: Path, corpus_key: str | None = None
) -> tuple[Path | None, dict[str, dict[str, object]] | None, list[str]]:
    """The newest earlier run of the corpus ``corpus_key`` whose report.json can be
    read, its links, and a warning for each newer run of it passed over (killed
    while writing, damaged): an unreadable report must not make every dead link
    look new. Runs of other corpora are passed over silently -- those the history
    names without reading their report. ``corpus_key`` None: the newest readable
    run of any corpus (as before runs recorded their corpus)."""
    warnings: list[str] = []
    owners = _run_corpora(root) if corpus_key is not None else {}
    passed_over: list[str] = []
    older_version = False
    tried = 0
    for folder in reversed(_runs(root)):
        if tried == LOOK_BACK:
            break
        owner = owners.get(folder.name)
        if owner is not None and owner != corpus_key:
            continue  # another corpus's run, by the history: not even read
        tried += 1
        previous = load_run(folder)
        if previous is None:
            passed_over.append(_unreadable(folder))
        elif corpus_key is None or previous.corpus_key == corpus_key:
            warnings.extend(f"{why}; compared with an earlier run" for why in passed_over)
            return folder, previous.links, warnings
        else:
            older_version = older_version or previous.corpus_key is None
    warnings.extend(f"{why}; nothing else to compare with" for why in passed_over)
    if older_version:
        warnings.append(
            f"runs in {root} written by an earlier refcheck do not record their corpus: not compared with; "
            "this corpus's history starts with this run"
        )
    return None, None, warnings


def _unreadable(folder: Path) -> str:
    planted = safe_files.planted(folder / "report.json")
    state = f"{planted} (not made by refcheck): refused" if planted else "is missing or damaged"
    return f"report {folder / 'report.json'} {state}"


def _run_corpora(root: Path) -> dict[str, str]:
    """Run folder name -> corpus key, as the history records them (runs it does not
    name, or names without a corpus, are not in it: their report tells)."""
    owners: dict[str, str] = {}
    for row in read_history(root):
        key = corpus_key_of(row.get("corpus"))
        run = row.get("run")
        if key is not None and isinstance(run, str):
            owners[run] = key
    return owners


def corpus_history(history: list[dict[str, object]], corpus_key: str) -> list[dict[str, object]]:
    """The rows of one corpus's runs (the trend of report.html)."""
    return [row for row in history if corpus_key_of(row.get("corpus")) == corpus_key]


def _run_key(path: Path) -> tuple[str, int]:
    stamp, number = path.name[:17], path.name[18:]
    return stamp, int(number) if number.isascii() and number.isdigit() else 1


def new_run_folder(root: Path, now: datetime) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y-%m-%dT%H%M%S")
    for attempt in range(1, 1000):
        folder = root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            folder.mkdir(mode=0o755)  # never writable by others, whatever the umask
            return folder
        except FileExistsError:
            continue
    raise OSError(f"no free report folder name for {stamp} in {root}")


def _link_extra(streaks: dict[str, dict[str, Any]], last_drift: dict[str, dict[str, str]]) -> dict[str, dict[str, Any]]:
    """What report.json keeps per link for the next run: dead streaks, last known drift."""
    extra: dict[str, dict[str, Any]] = {url: {"dead_streak": streak} for url, streak in streaks.items()}
    for url, carried in last_drift.items():
        extra.setdefault(url, {})["last_drift"] = carried
    return extra


def write_reports(result: RunResult, root: Path) -> Written:
    # The writers are imported here: a --no-report run reads the previous run only.
    from refcheck.report import html, markdown
    from refcheck.report.graph import build_graph
    from refcheck.report.graph_formats import render
    from refcheck.report.json import write_json

    now = datetime.now(UTC)
    previous_folder, previous, warnings = previous_links(root, result.corpus_key)
    changes = compare(result.links, previous, previous_folder.name if previous_folder else None, now.date().isoformat())
    graph = build_graph(result.documents, result.links, result.summary.links_scope)
    folder = new_run_folder(root, now)
    streaks = dead_streaks(changes)
    with safe_files.replacing(folder / "report.json") as raw, io.TextIOWrapper(raw, encoding="utf-8") as handle:
        write_json(
            result,
            handle,
            extra={"changes": changes.to_json(), "graph": graph.to_json()},
            link_extra=_link_extra(streaks, changes.last_drift),
        )
    summary = result.summary.to_dict()
    safe_files.write_file(
        folder / "report.md",
        markdown.render(result.generated_at, result.documents, result.links, summary, changes, graph),
    )
    for fmt, name in (("json", "graph.json"), ("graphml", "graph.graphml"), ("dot", "graph.dot")):
        safe_files.write_file(folder / name, render(graph, fmt))
    with _history_lock(root, warnings):  # appends and the rare rebuild never interleave across runs
        history = corpus_history(_update_history(root, result, folder, warnings), result.corpus_key)
    safe_files.write_file(
        folder / "report.html",
        html.render(result.generated_at, result.documents, result.links, summary, changes, graph, history),
    )
    problem = _point_latest(root, folder)
    if problem:
        warnings.append(problem)
    return Written(folder, changes, graph, warnings)


def _update_history(root: Path, result: RunResult, folder: Path, warnings: list[str]) -> list[dict[str, object]]:
    """Append this run's line, read all lines back, set a damaged history aside.
    A history file that is not one refcheck made (a symbolic link…) is left
    alone, with a warning: never written through, never read, never copied."""
    try:
        _append_history(root, result, folder)
        history, damaged = _read_history(root)
    except safe_files.Refused as exc:
        warnings.append(f"{exc}; this run is not added to the history")
        return []
    except OSError as exc:
        warnings.append(f"{root / 'history.jsonl'}: {exc.strerror or exc}; this run is not added to the history")
        return []
    if damaged:
        warnings.append(_set_history_aside(root, history, damaged))
    return history


HISTORY_INPUTS_SHOWN = 20
"""Input paths written in a history row (all of them are in report.json)."""


def _append_history(root: Path, result: RunResult, folder: Path) -> None:
    # dumps: an input path with undecodable bytes (a lone surrogate) is written escaped.
    line = (dumps(history_row(result, folder.name)) + "\n").encode("utf-8")
    # One write on an O_APPEND descriptor: lines of concurrent runs do not interleave.
    # Never through a symbolic link, never into a file hard-linked elsewhere.
    descriptor = safe_files.open_file(
        root / "history.jsonl", os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644, single_link=True
    )
    try:
        size = os.fstat(descriptor).st_size
        if size and os.pread(descriptor, 1, size - 1) != b"\n":
            line = b"\n" + line  # a torn last line (a run killed while writing) stays on its own line
        os.write(descriptor, line)
    finally:
        os.close(descriptor)


def history_row(result: RunResult, run: str) -> dict[str, object]:
    """This run's line of history.jsonl. ``complete`` is false when some links were
    not checked (offline, network down, cut off): the trend marks such a run
    rather than show its unchecked links as a recovery. The archive counts are
    of real answers only (see :func:`archive_counts`). ``drift``: links by content
    drift verdict (``{"none": …, "changed": …, "replaced": …, "unknown": …}``), only
    in a run that looked at drift (``--drift``): a run without it has no such member,
    never zeros that would read as "nothing drifted"."""
    coverage = result.summary.coverage
    drift = {"drift": drift_counts(result.links.values())} if drift_looked_at(result.links.values()) else {}
    return {
        "schema": SCHEMA_VERSION,
        "run": run,
        "generated_at": result.generated_at,
        "corpus": corpus_record(result, HISTORY_INPUTS_SHOWN),
        "articles": result.summary.documents_read,
        "links": result.summary.unique_links,
        "statuses": result.summary.statuses,
        "complete": coverage.complete,
        "coverage": to_plain(coverage),
        **archive_counts(result.links.values()),
        **drift,
    }


def archive_counts(links: Iterable[LinkResult]) -> dict[str, int]:
    """``archive_looked_up``: links with an answer from the archive (a capture, or
    none) -- asked this run or earlier and cached; ``archive_found``: of those, with
    a capture; ``archive_unanswered``: wanted, no answer (offline without a cached
    answer, archive unreachable). An ``available: null`` record was never looked up."""
    links = list(links)
    answered = [link.archive for link in links if link.archive is not None and link.archive.available is not None]
    unanswered = sum(1 for link in links if link.archive is not None and link.archive.available is None)
    return {
        "archive_looked_up": len(answered),
        "archive_found": sum(1 for copy in answered if copy.available),
        "archive_unanswered": unanswered,
    }


def read_history(root: Path) -> list[dict[str, object]]:
    """All runs' rows; a damaged line is skipped (and the rest kept). Nothing
    when the history cannot be read or is not a file refcheck made."""
    try:
        return _read_history(root)[0]
    except OSError:
        return []


def _read_history(root: Path) -> tuple[list[dict[str, object]], int]:
    """Rows and the count of damaged lines. Raises :class:`safe_files.Refused`
    for a history that is a symbolic link or not a regular file."""
    rows: list[dict[str, object]] = []
    damaged = 0
    try:
        text = safe_files.read_bytes(root / "history.jsonl", single_link=True).decode("utf-8", errors="replace")
    except FileNotFoundError:
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
    """Rename a damaged history aside (nothing copied: its contents reach no new
    place) and rebuild it from its readable lines."""
    history = root / "history.jsonl"
    try:
        mode = os.lstat(history).st_mode & 0o777  # the rebuilt file is no more readable than the old one
        aside = safe_files.set_aside(history, "damaged")
        safe_files.write_file(history, "".join(dumps(row) + "\n" for row in rows), mode)
    except OSError as exc:
        return f"{history}: {damaged} damaged lines skipped (could not set it aside: {exc.strerror or exc})"
    return f"{history}: {damaged} damaged lines; set aside as {aside.name}, history rebuilt from the {len(rows)} readable ones"


def _point_latest(root: Path, folder: Path) -> str | None:
    """Point ``root/latest`` at ``folder`` (a new symbolic link renamed over the old
    one); where there are no symbolic links, ``latest.txt`` names it. Returns a
    warning when ``latest`` could not be replaced (e.g. someone made it a folder)."""
    latest = root / "latest"
    temporary = root / f".latest-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        temporary.symlink_to(folder.name, target_is_directory=True)
    except OSError:
        # No symbolic links here (some file systems): a one-line file naming the folder.
        with contextlib.suppress(OSError):  # the reports are written; a missing pointer costs little
            safe_files.write_file(root / "latest.txt", folder.name + "\n")
        return None
    try:
        os.replace(temporary, latest)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()  # no leftover .latest-… link
        planted = safe_files.planted(latest)
        why = f"{planted} (not made by refcheck)" if planted else exc.strerror or str(exc)
        with contextlib.suppress(OSError):  # written by rename: a planted latest.txt link is replaced, not followed
            safe_files.write_file(root / "latest.txt", folder.name + "\n")
        return f"{latest} was left alone ({why}); latest.txt names the newest run instead"
    return None


@contextlib.contextmanager
def _history_lock(root: Path, warnings: list[str]) -> Iterator[None]:
    """An exclusive lock on ``root/.history.lock`` (flock: released if the run dies).
    Opened read-only, never through a symbolic link, never blocking on a pipe;
    when it cannot be had, the history is updated unlocked (appends are single
    writes) and a planted lock file is named in a warning."""
    try:
        descriptor = safe_files.open_file(root / ".history.lock", os.O_RDONLY | os.O_CREAT, 0o644)
    except safe_files.Refused as exc:
        warnings.append(f"{exc}; history updated without the lock")
        yield
        return
    except OSError:
        yield  # a read-only or odd folder: go on unlocked, as before
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
