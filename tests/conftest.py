from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from refcheck.collect import SourceFile
from refcheck.extract import ExtractContext, OutletIndex, extract_file, extract_text
from refcheck.models import Document

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE_CORPUS = ROOT / "corpus"

# ``python -m refcheck``, in a child process whose resolver fails ``.invalid``
# names at once (as ``invalid_names_fail_here`` does in this one): no DNS query
# leaves the machine from a subprocess either.
_BOOT = """
import runpy, socket
_real = socket.getaddrinfo
def _getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else str(host or "")
    if name.lower().rstrip(".").endswith(".invalid"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return _real(host, *args, **kwargs)
socket.getaddrinfo = _getaddrinfo
runpy.run_module("refcheck", run_name="__main__", alter_sys=True)
"""


PEAK_MEMORY = """
def peak_resident_mb():
    # VmHWM: the peak resident size of this process's own memory since it started this
    # program. Not getrusage's ru_maxrss: that keeps the size of the process it was forked
    # from (a test session holding a browser driver and a Ray client: 430 MB before refcheck
    # ran a line), so every child of a big session would seem big.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""
"""Python source defining ``peak_resident_mb()`` for a measured child process (Linux: VmHWM)."""

_PEAK_BOOT = PEAK_MEMORY + """
import atexit, sys
_peak_file = sys.argv.pop(1)
def _write_peak():
    with open(_peak_file, "w") as out:
        out.write(str(peak_resident_mb()))
atexit.register(_write_peak)
""" + _BOOT


def refcheck_command_measured(peak_file: Path, *args: str) -> list[str]:
    """:func:`refcheck_command`, and the process writes its peak resident memory (MB) to
    ``peak_file`` when it exits."""
    return [sys.executable, "-c", _PEAK_BOOT, str(peak_file), *args]


def refcheck_command(*args: str) -> list[str]:
    """The command line of ``python -m refcheck ARGS`` (see ``_BOOT``), for a test
    that starts it itself (``subprocess.Popen``); run it with :func:`refcheck_env`."""
    return [sys.executable, "-c", _BOOT, *args]


def refcheck_env(env: dict[str, str] | None = None, tree: Path = ROOT) -> dict[str, str]:
    """The environment of a refcheck subprocess: this one without the ``REFCHECK_``
    settings (a developer's own must not leak into a test), UTF-8 output on every
    platform (with a UTF-8 locale's error handler), the source ``tree`` importable
    first, then ``env``."""
    settings = {key: value for key, value in os.environ.items() if not key.startswith("REFCHECK_")}
    settings.update(PYTHONIOENCODING="utf-8:surrogateescape", PYTHONPATH=str(tree))
    settings.update(env or {})
    return settings


def refcheck(
    cwd: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    tree: Path = ROOT,
    errors: str = "strict",
    tracebacks_fail: bool = True,
) -> subprocess.CompletedProcess[str]:
    """``refcheck ARGS`` run for real in ``cwd``, as a user runs it (``python -m refcheck``).

    ``env``: environment variables added for this run; ``tree``: the refcheck source
    tree run (the red-team replays attack another checkout); output is decoded as
    UTF-8 with ``errors`` (``strict``: output that is not UTF-8 fails the test).
    ``tracebacks_fail``: a traceback on stdout or stderr fails the test here (the
    red-team catalogue reports one as a finding of its own instead)."""
    done = subprocess.run(refcheck_command(*args), cwd=cwd, env=refcheck_env(env, tree), capture_output=True,
                          text=True, encoding="utf-8", errors=errors, timeout=timeout)  # fmt: skip
    if tracebacks_fail:
        assert "Traceback" not in done.stderr, done.stderr
        assert "Traceback" not in done.stdout, done.stdout
    return done


def totals_line(output: str) -> str:
    """The totals line of a terminal summary (``N of M articles read, …``): the line
    before the last, which says why the exit status is what it is (``exit 1: …``)."""
    lines = output.splitlines()
    assert len(lines) >= 2 and lines[-1].startswith("exit "), output
    return lines[-2]


def exit_line(output: str) -> str:
    """The last line of a terminal summary: ``exit 1: 1 newly dead link (--fail-on new-dead)``."""
    lines = output.splitlines()
    assert lines and lines[-1].startswith("exit "), output
    return lines[-1]


@pytest.fixture(autouse=True)
def invalid_names_fail_here(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Names under ``.invalid`` (RFC 6761: never resolve) fail at once, in this
    process, without a query to the machine's resolver: the tests that need a
    dead domain send nothing off the machine."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        if name.lower().rstrip(".").endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield


@pytest.fixture
def context() -> ExtractContext:
    return ExtractContext(OutletIndex.load())


def extract(text: str, fmt: str = "text", context: ExtractContext | None = None) -> Document:
    return extract_text(
        text,
        fmt,
        "article." + {"text": "txt", "markdown": "md", "html": "html"}[fmt],
        context or ExtractContext(OutletIndex.load()),
    )


def extract_path(path: Path, context: ExtractContext) -> Document:
    from refcheck.collect import FORMATS

    return extract_file(SourceFile(path, path.name, FORMATS[path.suffix.lower()]), context, 20_000_000)


def answer_shape(document: Document) -> dict[str, Any]:
    """A Document in the shape of the answer keys (expected.json)."""
    markers: list[Any] = []
    for label in document.markers:
        if label not in markers:
            markers.append(label)
    footnotes: dict[str, list[str]] = {}
    for note in document.footnotes:
        footnotes.setdefault(str(note.number), [])
    for citation in document.citations:
        if citation.kind == "footnote":
            footnotes[str(citation.footnote)].append(citation.text)
    inline: list[str] = []
    links: list[str] = []
    for citation in document.citations:
        target = inline if citation.kind == "inline" else links if citation.kind == "link" else None
        if target is not None and citation.text not in target:
            target.append(citation.text)
    return {
        "publisher": document.publisher,
        "date": document.date,
        "footnote_markers_in_body": markers,
        "footnotes": footnotes,
        "footnotes_with_an_unlinked_work": sorted(
            {p.footnote for p in document.problems if p.kind == "unlinked-work"}, key=str
        ),
        "inline_urls": inline,
        "links": links,
        "cited_domains": sorted({c.domain for c in document.citations if c.domain}),
        "mentions": [m.name for m in document.mentions],
        "problems": sorted(
            (
                {"kind": p.kind, "footnote": p.footnote, "line": p.line}
                for p in document.problems
                # The keys list footnote problems (their "about"): not unlinked-work, nor
                # the link-target problems added later (broken-anchor, missing-file), whose
                # answers for the sample corpus are in tests/test_real_footnotes.py.
                if p.kind not in ("unlinked-work", "broken-anchor", "missing-file")
            ),
            key=lambda p: (p["line"], p["kind"]),
        ),
        "republished_from": document.republished_from,
        # Compared only for the entries that give them (keys absent from an entry are not compared).
        "language": document.language,
        "footnote_dates": {str(note.number): note.date for note in reversed(document.footnotes)},  # the first wins
    }


def load_key(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))["documents"]
