#!/usr/bin/env python
"""Hostile and broken input, full size (issue 6, hardening). Run by hand.

What it does, in order:

1. Builds a hostile corpus in a temporary folder (or ``--out DIR``), one folder
   per case: empty files, a 200 MB sparse file, binary files named ``.txt``/
   ``.md``, invalid UTF-8 in the middle of a file, mixed encodings, symbolic
   link loops, a named pipe and ``/dev/zero`` named ``.txt``, unreadable files
   and folders, 100,000 tiny files, a single line of 50 MB, HTML nested 100,000
   levels, HTML with unclosed tags, Markdown with 10,000 footnotes, folders
   nested 1,500 deep, file names that are not UTF-8, hostile URLs (100 KB long,
   IDN, punycode, IPv6, user:pass@, percent-encoded garbage, control
   characters, javascript:/data:/file:) and structures that used to be
   quadratic.
2. Runs ``refcheck <case> --offline --no-report --json <tmp>`` on each case in a
   subprocess of a small "meter" process, so that
   ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` in the meter is the peak
   RSS of that one run; records exit status, wall time, peak RSS, whether
   anything looked like a traceback, and the note refcheck gave each file.
   A file that disappears between listing and reading cannot be timed from
   outside: that case runs in-process (``pipeline.run`` with the file deleted
   after it is listed).
3. The long fuzz run: ``tests/test_fuzz.py`` with ``REFCHECK_FUZZ_EXAMPLES``
   examples *per test* (``--fuzz-examples``, default 12,500: 100,000 over the 8
   tests), hypothesis statistics parsed.
4. atheris, if it imports (``pip install atheris`` is tried when it does not,
   and its failure is reported verbatim): a coverage-guided run over bytes ->
   decode -> each reader, the URL finder and normaliser, and the date parser.
5. Writes ``docs/hostile-input.md`` (unless ``--no-write``).

Usage::

    .venv/bin/python benchmarks/hostile_corpus.py                      # everything, full size
    .venv/bin/python benchmarks/hostile_corpus.py --fuzz-examples 0 --atheris-runs 0   # corpus only
    .venv/bin/python benchmarks/hostile_corpus.py --quick --no-write   # smoke test, scaled down

No network is used: every run is ``--offline``; the cache lives in the temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DOC = REPO / "docs" / "hostile-input.md"
MB = 1_000_000
MIB = 1024 * 1024

# The meter: runs one command as its only child and reports the child's peak RSS.
_METER = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
with open(sys.argv[1], "wb") as out, open(sys.argv[2], "wb") as err:
    code = subprocess.run(sys.argv[3:], stdout=out, stderr=err).returncode
wall = time.perf_counter() - started
print(json.dumps({"rc": code, "wall": wall, "maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


# --- the corpus ------------------------------------------------------------------------------------


def _write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


ARTICLE = (
    "Héllo “world”, see https://example.org/ünï and the report (1).\n\n"
    "Notes\n\n(1) Reuters, 3 March 2020: https://www.reuters.com/a\n"
)


def _prose(size: int, seed: int, url_every: int = 25) -> str:
    """One line of prose of ``size`` characters, a URL every ``url_every`` words."""
    rng = random.Random(seed)
    words = ["the", "minister", "said", "on", "Monday", "that", "officials", "in", "the", "capital", "had",
             "declined", "to", "comment", "on", "the", "report", "which", "Reuters", "and", "the", "BBC",
             "published", "(1)", "on", "28", "August", "2018"]  # fmt: skip
    parts: list[str] = []
    total = 0
    count = 0
    while total < size:
        count += 1
        word = f"https://www.example{count % 500}.org/news/{count}" if count % url_every == 0 else rng.choice(words)
        parts.append(word)
        total += len(word) + 1
    return " ".join(parts)[:size]


def build_empty(folder: Path, scale: float) -> None:
    for name in ("empty.txt", "empty.md", "empty.html"):
        _write(folder / name, b"")
    _write(folder / "blank.txt", b" \n\t\n  \n")


def build_sparse(folder: Path, scale: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "huge-200mb.txt").open("wb") as handle:
        handle.truncate(200 * MIB)  # sparse: the size says 200 MiB, the disk holds nothing
    _write(folder / "small.txt", "a small article, https://example.org/small\n")


def build_binary(folder: Path, scale: float) -> None:
    rng = random.Random(2)
    _write(folder / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(int(200_000 * scale)))
    _write(folder / "noise-no-nul.md", bytes(rng.randrange(1, 256) for _ in range(int(500_000 * scale))))
    _write(folder / "archive.html", b"PK\x03\x04" + rng.randbytes(int(100_000 * scale)))
    _write(folder / "utf16-no-bom.txt", "plain words https://example.org/u16\n".encode("utf-16-le") * 100)


def build_invalid_utf8(folder: Path, scale: float) -> None:
    body = (ARTICLE * int(2_000 * scale)).encode("utf-8")
    middle = len(body) // 2
    middle = body.index(b"\n", middle) + 1
    _write(folder / "invalid-middle.txt", body[:middle] + b"broken \xff\xfe\xc3\x28 \x80\x81 bytes\n" + body[middle:])


def build_mixed(folder: Path, scale: float) -> None:
    utf8 = ARTICLE.encode("utf-8")
    cp1252 = "Café déjà vu, ‘quoted’ — 5 € https://example.org/cp\n".encode("cp1252")
    latin1 = "Grüße aus München, https://example.org/latin\n".encode("latin-1")
    _write(folder / "mixed-utf8-cp1252.txt", (utf8 + cp1252) * int(200 * scale) + utf8)
    _write(folder / "mixed-utf8-latin1.md", (utf8 + latin1) * int(200 * scale))
    _write(folder / "cp1252-only.txt", cp1252 * int(200 * scale))
    _write(folder / "utf16-bom.html", b"\xff\xfe" + "<p>UTF-16 https://example.org/u</p>".encode("utf-16-le"))


def build_symlinks(folder: Path, scale: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "real.txt", "real https://example.org/real\n")
    (folder / "loop-a.txt").symlink_to("loop-b.txt")
    (folder / "loop-b.txt").symlink_to("loop-a.txt")
    (folder / "self.md").symlink_to("self.md")
    (folder / "dangling.txt").symlink_to("gone.txt")
    (folder / "up").symlink_to("..", target_is_directory=True)
    (folder / "here").symlink_to(".", target_is_directory=True)


def build_special(folder: Path, scale: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / "pipe.txt")
    if Path("/dev/zero").exists():
        (folder / "zero.txt").symlink_to("/dev/zero")
    if Path("/dev/urandom").exists():
        (folder / "urandom.md").symlink_to("/dev/urandom")
    _write(folder / "ok.txt", "ok https://example.org/ok\n")


def build_permissions(folder: Path, scale: float) -> None:
    _write(folder / "readable.txt", "readable https://example.org/r\n")
    _write(folder / "unreadable.txt", "secret https://example.org/s\n")
    _write(folder / "locked" / "inside.txt", "inside https://example.org/i\n")
    (folder / "unreadable.txt").chmod(0)
    (folder / "locked").chmod(0)


def build_tiny(folder: Path, scale: float) -> None:
    count = int(100_000 * scale)
    for start in range(0, count, 1000):  # 1,000 a folder
        sub = folder / f"{start // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        for index in range(start, min(count, start + 1000)):
            (sub / f"{index:06d}.txt").write_bytes(f"Tiny {index}: https://example.org/t/{index}\n".encode())


def build_long_line(folder: Path, scale: float) -> None:
    _write(folder / "line-50mb.txt", _prose(int(50 * MB * scale), seed=50))


def build_deep_html(folder: Path, scale: float) -> None:
    levels = int(100_000 * scale)
    _write(folder / "nested-div.html", "<html><body><p>before https://before.example.org/</p>" + "<div>" * levels
           + "deep https://deep.example.org/ <a href='https://deep-link.example.org/'>x</a>" + "</div>" * levels
           + "\n<p>after https://after.example.org/</p></body></html>")  # fmt: skip
    _write(folder / "nested-span-a.html", '<span><a href="https://x.example.org/">' * levels)
    _write(folder / "nested-sup.html", "<ol class=references><li id=fn1>x</li></ol>" + "<sup>" * levels + "1")
    _write(folder / "nested-notes.html", "<ol>" + '<li id="fn1"><ol>' * levels)


def build_unclosed(folder: Path, scale: float) -> None:
    chunk = (
        "<p><b><i><a href='https://a.example.org/{0}'>text <table><tr><td>cell <div><span> https://b.example.org/{0} "
    )
    _write(folder / "unclosed.html", "<html><body>" + "".join(chunk.format(i) for i in range(int(20_000 * scale))))
    _write(folder / "garbage-tags.html", "<<<>>><a href=<p <div class='x <script>if(a<b)</a></p" * int(20_000 * scale))


def build_footnotes(folder: Path, scale: float) -> None:
    notes = int(10_000 * scale)
    _write(
        folder / "footnotes-10000.md",
        "".join(f"Claim {i}.[^{i}]\n" for i in range(1, notes + 1))
        + "\n"
        + "".join(f"[^{i}]: Source {i}, 3 March 2020, https://example.org/fn/{i}\n" for i in range(1, notes + 1)),
    )


def build_deep_folders(folder: Path, scale: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(REPO / "tests"))
    from test_hostile_input import make_chain

    make_chain(folder, int(1_500 * min(1.0, scale * 10)), "deep.txt")


def build_names(folder: Path, scale: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    raw = os.fsencode(folder)
    for name in (b"bad\xffname.txt", b"new\nline.md", b"tab\tand\x1bescape.html", "ünïcode-名前.txt".encode()):
        with open(raw + b"/" + name, "wb") as handle:
            handle.write(b"named https://example.org/name\n")


def build_urls(folder: Path, scale: float) -> None:
    long_url = "https://example.org/" + "a/b-c_d" * int(15_000 * max(scale, 0.01))
    _write(
        folder / "urls.txt",
        f"long {long_url} idn https://bücher.de/straße https://例え.jp/ punycode https://xn--bcher-kva.de/ "
        "v6 http://[2001:db8::1]:8080/p http://[::1]/ bad-v6 http://[zz]/ creds https://user:pass@example.com/x "
        "garbage https://example.com/%zz%00%%%?q=% ctrl https://example.com/a\x01b https://example.com/c\x7fd "
        "https://example.com/e\x1b[31m port https://example.com:99999/ js javascript:alert(1) "
        "data:text/html;base64,PGI+eDwvYj4= file:///etc/passwd\n",
    )
    _write(
        folder / "links.html",
        "<p><a href='javascript:alert(1)'>a</a><a href='  JavaScript:void(0)'>b</a>"
        "<a href='data:text/html,<b>x</b>'>c</a><a href='file:///etc/passwd'>d</a>"
        "<a href='https://user:pass@example.com/'>e</a><a href='https://example.org/a\x01b'>f</a>"
        f"<a href='{long_url}'>g</a><a href='http://[2001:db8::1]/'>h</a></p>",
    )
    _write(folder / "links.md", "[a](javascript:alert(1)) [b](data:text/html,x) [c](file:///etc/passwd) "
           "<javascript:alert(1)> [d](https://user:pass@example.com/) [e](https://bücher.de/)\n")  # fmt: skip


def build_quadratic(folder: Path, scale: float) -> None:
    k = max(1, int(scale * 100))  # 100 at full size
    _write(folder / "close-parens.txt", "(see https://example.org/a" + ")" * (10_000 * k))
    _write(folder / "dotted-run.txt", "a" + ".qq" * (10_000 * k) + " end")
    _write(folder / "headings.txt", "Body (1) text\n" + "Notes\n(1) x 2018-01-01\n" * (500 * k))
    _write(folder / "note-urls.txt",
           "Body (1).\n\nNotes\n\n(1) " + " ".join(f"https://x.org/{i}" for i in range(500 * k)) + "\n")  # fmt: skip
    _write(folder / "note-segments.txt", "Body (1).\n\nNotes\n\n(1) "
           + "; ".join(f"Foo: a b https://x.org/{i}" for i in range(500 * k)) + "\n")  # fmt: skip
    _write(folder / "empty-notes.md", "".join(f"t[^{i}] " for i in range(200 * k)) + "\n\n"
           + "".join(f"[^{i}]:\n" for i in range(200 * k)))  # fmt: skip
    _write(folder / "huge-label.md", "x[^1] y[^99999999999999]\n\n[^1]: a\n[^99999999999999]: b\n")
    laughs = "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    _write(folder / "yaml-laughs.md", "---\na: &a [x,x,x,x,x,x,x,x,x]\n" + laughs + "title: *i\n---\nBody\n")
    _write(folder / "deep-json-ld.html", '<script type="application/ld+json">' + "[" * 100_000 + "</script><p>x</p>")


@dataclass
class Case:
    name: str
    requirement: str
    build: Callable[[Path, float], None]
    extra: tuple[str, ...] = ()
    expect: str = ""
    """What should happen, in words (for the table)."""


CASES = [
    Case("empty", "empty files", build_empty, expect="each skipped: empty file"),
    Case("sparse-200mb", "a 200 MB file", build_sparse, expect="skipped by the size limit, never read"),
    Case("binary", "binary files with text extensions", build_binary, expect="skipped: binary file"),
    Case(
        "invalid-utf8", "invalid UTF-8 in the middle", build_invalid_utf8, expect="read; encoding names the bad bytes"
    ),
    Case("mixed-encodings", "mixed encodings", build_mixed, expect="read; each part decoded right"),
    Case("symlinks", "a symlink loop", build_symlinks, expect="error: too many levels of symbolic links"),
    Case("special-files", "(also) a named pipe, /dev/zero", build_special, expect="skipped: not a regular file"),
    Case("permissions", "unreadable permissions", build_permissions, expect="error: permission denied"),
    Case("tiny-100k", "100,000 tiny files", build_tiny, ("--quiet",), expect="all read, memory flat"),
    Case("line-50mb", "a single line of 50 MB", build_long_line, expect="skipped by the 20 MB default limit"),
    Case(
        "line-50mb-read",
        "a single line of 50 MB, limit raised",
        build_long_line,
        ("--max-file-size", "60000000"),
        expect="read whole",
    ),
    Case("deep-html", "deeply nested HTML (100,000 levels)", build_deep_html, expect="read whole, no data lost"),
    Case("unclosed-html", "HTML with unclosed tags", build_unclosed, expect="read"),
    Case("footnotes-10k", "Markdown with 10,000 footnotes", build_footnotes, expect="10,000 notes, no problems"),
    Case("deep-folders", "(also) folders nested 1,500 deep", build_deep_folders, expect="found (no RecursionError)"),
    Case("file-names", "(also) file names not UTF-8 / with control characters", build_names, expect="shown escaped"),
    Case("urls", "hostile URLs", build_urls, expect="no crash; non-web schemes not cited"),
    Case("quadratic", "(also) inputs that were quadratic", build_quadratic, expect="linear time"),
]


# --- running ---------------------------------------------------------------------------------------


@dataclass
class Outcome:
    case: Case
    files: int = 0
    size: int = 0
    rc: int | None = None
    wall: float = 0.0
    peak_mib: float = 0.0
    traceback: bool = False
    stderr: str = ""
    notes: list[tuple[str, str]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def _corpus_size(folder: Path) -> tuple[int, int]:
    """Files and bytes on disk under ``folder``; an explicit stack (os.walk recurses
    in Python 3.11, and the deep-folders case is 1,500 levels)."""
    files = 0
    size = 0
    stack = [str(folder)]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            files += 1
            if entry.is_file(follow_symlinks=False):
                size += min(info.st_size, info.st_blocks * 512)  # a sparse file counts what it holds
    return files, size


def _note(doc: dict[str, Any]) -> str:
    if doc.get("skipped"):
        return f"skipped: {doc['skipped']}"
    if doc.get("error"):
        return f"error: {doc['error']}"
    parts = [f"{len(doc['citations'])} citations", f"{len(doc['footnotes'])} footnotes"]
    if doc.get("problems"):
        parts.append(f"{len(doc['problems'])} problems")
    if doc.get("encoding") and doc["encoding"] != "utf-8":
        parts.append(f"encoding {doc['encoding']}")
    return ", ".join(parts)


def run_case(case: Case, folder: Path, work: Path) -> Outcome:
    outcome = Outcome(case)
    outcome.files, outcome.size = _corpus_size(folder)
    out_json = work / f"{case.name}.json"
    stdout = work / f"{case.name}.stdout"
    stderr = work / f"{case.name}.stderr"
    env = {key: value for key, value in os.environ.items() if not key.startswith("REFCHECK_")}
    env.update(PYTHONIOENCODING="utf-8", NO_COLOR="1")
    command = [sys.executable, "-m", "refcheck", str(folder), "--offline", "--no-report",
               "--cache-dir", str(work / "cache"), "--json", str(out_json), *case.extra]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", _METER, str(stdout), str(stderr), *command],
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    meter = json.loads(done.stdout)
    outcome.rc = meter["rc"]
    outcome.wall = meter["wall"]
    outcome.peak_mib = meter["maxrss_kib"] / 1024
    err = stderr.read_text("utf-8", "backslashreplace")
    out = stdout.read_text("utf-8", "backslashreplace")
    outcome.traceback = "Traceback" in err or "Traceback" in out
    outcome.stderr = err.strip()
    if out_json.exists():
        data = json.loads(out_json.read_text("utf-8"))
        outcome.summary = {k: v for k, v in data["summary"].items() if k != "skipped_files"}
        prefix = str(folder) + "/"
        for doc in data["documents"]:
            outcome.notes.append((doc["path"].removeprefix(prefix), _note(doc)))
        for skipped in data["summary"].get("skipped_files", []):
            if skipped["reason"].startswith(("not an article", "cannot read folder", "excluded")):
                outcome.notes.append((skipped["path"].removeprefix(prefix), f"skipped: {skipped['reason']}"))
    return outcome


def vanishing_file(work: Path) -> tuple[str, float]:
    """A file listed, then deleted before it is read: pipeline.run in-process."""
    sys.path.insert(0, str(REPO))
    from refcheck import pipeline
    from refcheck.collect import SourceFile
    from refcheck.config import Settings

    corpus = work / "vanish"
    for name in ("a.txt", "b.txt", "c.txt"):
        _write(corpus / name, f"{name} https://example.org/{name}\n")
    real = pipeline.collect

    def collect_then_delete(*args: Any, **kwargs: Any) -> Any:
        for item in real(*args, **kwargs):
            if isinstance(item, SourceFile) and item.path.name == "b.txt":
                item.path.unlink()
            yield item

    pipeline.collect = collect_then_delete  # type: ignore[assignment]
    started = time.perf_counter()
    try:
        result = pipeline.run([corpus], Settings(offline=True))
    finally:
        pipeline.collect = real  # type: ignore[assignment]
    elapsed = time.perf_counter() - started
    notes = {Path(doc.path).name: doc for doc in result.documents}
    result.documents.close()
    vanished = notes["b.txt"]
    others = sum(len(notes[n].citations) for n in ("a.txt", "c.txt"))
    return f"b.txt: error: {vanished.error}; a.txt and c.txt read ({others} citations)", elapsed


# --- fuzzing ---------------------------------------------------------------------------------------


def run_fuzz(examples: int, work: Path) -> dict[str, Any]:
    env = dict(os.environ, REFCHECK_FUZZ_EXAMPLES=str(examples))
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_fuzz.py",
            "--hypothesis-show-statistics",
            "-o",
            "addopts=",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    (work / "fuzz.log").write_text(done.stdout + done.stderr)
    tests: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for line in done.stdout.splitlines():
        header = re.match(r"tests/test_fuzz\.py::(\w+):", line.strip())
        if header:
            current = {"test": header.group(1), "passing": 0, "failing": 0, "invalid": 0}
            tests.append(current)
            continue
        counts = re.search(r"(\d+) passing, (\d+) failing, and (\d+) invalid", line)
        if counts and current is not None:
            current["passing"] += int(counts.group(1))
            current["failing"] += int(counts.group(2))
            current["invalid"] += int(counts.group(3))
    final = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr.strip()[-300:]
    return {"examples_per_test": examples, "seconds": elapsed, "returncode": done.returncode, "tests": tests,
            "result": final}  # fmt: skip


_ATHERIS_TARGET = r"""
import sys
import atheris

with atheris.instrument_imports():
    from refcheck.collect import SkipFile, decode
    from refcheck.extract import ExtractContext, OutletIndex, extract_text
    from refcheck.extract.dates import find_dates
    from refcheck.extract.urls import InvalidURL, find_urls, normalize_url

CONTEXT = ExtractContext(OutletIndex.load())
FORMATS = ("text", "markdown", "html")


def one_input(data: bytes) -> None:
    if not data:
        return
    fmt = FORMATS[data[0] % 3]
    try:
        text, _ = decode(data[1:])
    except SkipFile:
        text = data[1:].decode("utf-8", "replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    document = extract_text(text, fmt, "fuzz", CONTEXT)
    assert document.error is None
    for found in find_urls(text):
        assert text[found.start : found.end] == found.text
        try:
            normalize_url(found.text)
        except InvalidURL:
            pass
    for _ in find_dates(text, partial=True):
        pass


atheris.Setup(sys.argv, one_input)
atheris.Fuzz()
"""


def run_atheris(runs: int, seconds: int, work: Path) -> dict[str, Any]:
    result: dict[str, Any] = {"runs_requested": runs, "seconds_limit": seconds}
    probe = subprocess.run(
        [sys.executable, "-c", "import atheris; print(atheris.__file__)"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        install = subprocess.run([sys.executable, "-m", "pip", "install", "atheris"], capture_output=True, text=True)
        result["install"] = (install.stdout + install.stderr).strip()[-2000:]
        if install.returncode != 0:
            result["outcome"] = "not run: pip install atheris failed"
            return result
    version = subprocess.run(
        [sys.executable, "-c", "import importlib.metadata as m; print(m.version('atheris'))"],
        capture_output=True,
        text=True,
    )
    result["version"] = version.stdout.strip()
    target = work / "atheris_target.py"
    target.write_text(_ATHERIS_TARGET)
    crashes = work / "atheris-crashes"
    crashes.mkdir(exist_ok=True)
    corpus = work / "atheris-corpus"
    corpus.mkdir(exist_ok=True)
    for index, seed in enumerate([ARTICLE, "<p><a href='https://x.org/'>x</a><sup>1</sup></p>", "x[^1]\n\n[^1]: y\n"]):
        (corpus / f"seed{index}").write_bytes(bytes([index]) + seed.encode())
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            str(target),
            f"-runs={runs}",
            f"-max_total_time={seconds}",
            "-max_len=4096",
            f"-artifact_prefix={crashes}/",
            "-print_final_stats=1",
            str(corpus),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    result["seconds"] = time.perf_counter() - started
    log = done.stdout + done.stderr
    (work / "atheris.log").write_text(log)
    executed = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    result["executed"] = int(executed[-1]) if executed else None
    result["returncode"] = done.returncode
    result["crashes"] = sorted(p.name for p in crashes.iterdir())
    result["outcome"] = "no crash" if done.returncode == 0 and not result["crashes"] else "CRASH (see atheris.log)"
    if done.returncode != 0:
        result["log_tail"] = log.strip()[-3000:]
    return result


# --- the report ------------------------------------------------------------------------------------


def _fmt_size(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size >= 100_000 else f"{size / 1000:,.1f} kB"


def render(outcomes: list[Outcome], vanish: tuple[str, float], fuzz: dict[str, Any] | None,
           atheris: dict[str, Any] | None, meta: dict[str, str]) -> str:  # fmt: skip
    lines = [
        "# Hostile and broken input",
        "",
        "Measured by `benchmarks/hostile_corpus.py` (issue 6, hardening). Each case is one",
        "`refcheck <case> --offline --no-report --json <tmp>` run in a fresh subprocess; peak RSS is",
        "`getrusage(RUSAGE_CHILDREN).ru_maxrss` of a meter process whose only child is that run",
        "(about 75 MiB of it is the interpreter and imports: a run on one small file peaks there).",
        "",
        f"Command: `{meta['command']}`  ",
        f"Date: {meta['date']}  ",
        f"Machine: nproc {meta['nproc']}, {meta['platform']}; load average at start {meta['load']}  ",
        f"Python: {meta['python']}  ",
        f"Code: {meta['code']}",
        "",
        "## Cases",
        "",
        "| case | requirement | files | size on disk | exit | traceback | wall (s) | peak RSS (MiB) | expected | outcome |",
        "|---|---|---:|---:|---:|---|---:|---:|---|---|",
    ]
    for o in outcomes:
        summary = o.summary
        got = (f"{summary.get('documents_read', 0):,} of {summary.get('documents', 0):,} read, "
               f"{summary.get('files_skipped', 0):,} skipped, {summary.get('files_failed', 0):,} unreadable, "
               f"{summary.get('citations', 0):,} citations")  # fmt: skip
        lines.append(
            f"| {o.case.name} | {o.case.requirement} | {o.files:,} | {_fmt_size(o.size)} | {o.rc} | "
            f"{'**yes**' if o.traceback else 'no'} | {o.wall:.1f} | {o.peak_mib:.0f} | {o.case.expect} | {got} |"
        )
    lines += [
        "",
        f"File vanishing between listing and reading (in-process, `pipeline.run` with the file deleted "
        f"after `collect()` listed it, {vanish[1]:.2f} s): {vanish[0]}.",
        "",
        "## The note refcheck gave each file",
        "",
        "(A case of more than 20 files shows the first three: the rest are alike.)",
        "",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        lines += ["This run was as root, who reads a chmod 000 file or folder: the permissions case reads",
                  "everything. `tests/test_hostile_input.py` simulates the refusal (and runs the real one",
                  "when not root): `error: cannot read: permission denied` for a file,",
                  "`skipped: cannot read folder: permission denied` for a folder.", ""]  # fmt: skip
    for o in outcomes:
        last = o.stderr.strip().splitlines()[-1] if o.stderr.strip() else ""
        lines.append(f"**{o.case.name}**" + (f" — stderr ends: `{last[:300]}`" if last else ""))
        lines.append("")
        shown = o.notes if len(o.notes) <= 20 else [*o.notes[:3], ("…", f"{len(o.notes) - 3:,} more like these")]
        for path, note in shown:
            display = path.encode("unicode_escape").decode("ascii") if not path.isprintable() else path
            lines.append(f"- `{display[:120]}`: {note}")
        lines.append("")
    lines += ["## Fuzzing", ""]
    if fuzz is None:
        lines.append("Not run this time (`--fuzz-examples 0`).")
    else:
        total = sum(t["passing"] for t in fuzz["tests"])
        lines += [
            f"hypothesis, `tests/test_fuzz.py` with `REFCHECK_FUZZ_EXAMPLES={fuzz['examples_per_test']}` "
            f"(examples **per test**), {fuzz['seconds'] / 60:.1f} min, exit {fuzz['returncode']}: "
            f"{total:,} passing examples in all; pytest: `{fuzz['result']}`.",
            "",
            "| test | passing | failing | invalid (rejected by a strategy) |",
            "|---|---:|---:|---:|",
        ]
        lines += [f"| {t['test']} | {t['passing']:,} | {t['failing']} | {t['invalid']:,} |" for t in fuzz["tests"]]
        lines.append("")
    lines += ["### atheris", ""]
    if atheris is None:
        lines.append("Not run this time (`--atheris-runs 0`).")
    elif atheris.get("outcome", "").startswith("not run"):
        lines += [f"{atheris['outcome']}:", "", "```", atheris.get("install", ""), "```"]
    else:
        lines.append(
            f"atheris {atheris.get('version')}, coverage-guided (bytes -> decode -> text/Markdown/HTML reader, "
            f"URL finder and normaliser, date parser), at most {atheris['runs_requested']:,} runs or "
            f"{atheris['seconds_limit']} s: {atheris.get('executed') or 0:,} inputs executed in "
            f"{atheris['seconds']:.0f} s, outcome: **{atheris['outcome']}**"
            + (f", crash files: {', '.join(atheris['crashes'])}" if atheris["crashes"] else "")
            + "."
        )
        if atheris.get("log_tail"):
            lines += ["", "```", atheris["log_tail"], "```"]
    lines += ["", FINDINGS]
    return "\n".join(lines)


FINDINGS = """\
## What this corpus and the fuzzers found (all fixed, each with a regression test)

"Before" is the code before commit d5952c3, measured on this machine; "quadratic"
means the time grew with the square of the input (or worse): minutes for a few hundred KB.

| where | input | before | now |
|---|---|---|---|
| `collect._walk` | folders nested 1,500 deep | RecursionError, a traceback (`os.walk` recurses in Python 3.11) | walked with a stack |
| `collect._walk` | a folder that cannot be listed | left out without a word | `skipped: cannot read folder: permission denied` |
| `collect.read_text` | a named pipe named `x.txt`; `/dev/zero` linked as `z.txt` | the run blocked forever; 20 MB of zeros read | `skipped: not a regular file (named pipe / device)` |
| `collect.read_text` | empty or white-space-only file | read as an article with nothing in it | `skipped: empty file` / `empty file (only white space)` |
| `collect.decode` | UTF-8 with one stray byte (a pasted cp1252 quote, damage) | skipped as `binary file (no text encoding fits)`, or the whole file read as cp1252 mojibake | UTF-8, the stray bytes read as cp1252; `encoding`: `utf-8 (N bytes not UTF-8, read as cp1252)` |
| `collect.decode` | a 10 MB cp1252 file | 1 s in per-character loops | regex scans, half the time |
| `collect._display` | file names with bytes that are not UTF-8, or a newline | a name that could not be printed; a line broken in two | shown escaped (`bad\\xffname.txt`, `new\\nline.txt`) |
| `urls.trim_url` | a URL followed by 100,000 `)` | quadratic: 79 s for 400 KB | linear |
| `urls._find_bare` | `a.qq.qq.qq…` (dotted words, no real suffix) | cubic: 93 s for 60 KB | each run of host characters tried once, at most 510 characters |
| `urls` | a host longer than DNS allows (`www.` + 200 KB) | kept, and a key of two caches | not a domain; long URLs not cached |
| `urls` | control characters (`\\x01`, `\\x1b`, `\\x7f`…) inside a URL | part of the URL | end the URL |
| `urls._idna_host` | `HTTP://0¨` (IDNA's NFKC maps `¨` to a space) | normalised to `http://xn--0 -vub/` | invalid URL, kept as written |
| `urls._find_bare` | `example.org,https://x.org/a` (hypothesis, 100,000-example run) | two overlapping URLs | `example.org` and `https://x.org/a` |
| `notes.find_notes` | thousands of headings and one-line label runs | quadratic: 21 s for 100 KB | bisect and dict lookups, linear |
| `analyze` | one note of 20,000 URLs or 13,000 `;` parts | quadratic: minutes | sets and one Aho-Corasick pass |
| `analyze._problems` | `[^99999999999999]` | a "numbering skips 1, 2, 3, …" message naming every number: out of memory | `skips 2 to 99999999999998` |
| `markdown` | 20,000 empty, duplicate or unreferenced footnote definitions | quadratic: 7 s for 90 KB, minutes beyond | linear |
| `markdown._front_matter` | `date: 2018-13-45`; `title: [[[[…`; YAML "billion laughs" | the whole article lost (ValueError, RecursionError); `str()` of 9^9 items: minutes and GBs | only the metadata is lost |
| `markdown` (markdown-it) | 4 MB of `*a*a*a…` or of short lines | 1.5 GB: a token per mark for the whole file | tokens dropped paragraph by paragraph, long paragraphs parsed in pieces: 93 MB |
| `markdown._label`, `html` | footnote label `[^³]` (atheris, 117,643 inputs) | ValueError: `"³".isdigit()` but `int("³")` fails | ASCII digits only |
| `html._parse` | HTML nested deeper than 2,048 levels | libxml2 stopped there and the rest of the page was silently lost | parsed again with the tags deeper than 1,000 levels taken out (links, items, paragraphs kept) |
| `html._json_ld` | JSON-LD nested 100,000 deep | RecursionError: the whole article lost | that script ignored |
| `html` | nested `<sup>`, note items, note sections, links | quadratic within libxml2's 2,048 levels (seconds each) | linear |
| `html._prose` | text after `</script>` (hypothesis, 100,000-example run) | read twice (its URLs cited twice), lines past the end of the file | read once |
| `resolve/resolver.py` | `http://[zz]/` in an article | the run ended in a traceback (`urlsplit` ValueError) | verdict `invalid` (fixed outside this suite, commit d5952c3) |
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="build the corpus here (kept) instead of a temporary folder")
    parser.add_argument("--quick", action="store_true", help="scale the corpus down to 1/100 (smoke test)")
    parser.add_argument("--only", nargs="*", help="run only these cases")
    parser.add_argument(
        "--fuzz-examples", type=int, default=12_500, help="hypothesis examples per test, 8 tests (0: skip)"
    )
    parser.add_argument("--atheris-runs", type=int, default=1_000_000, help="atheris inputs at most (0: skip)")
    parser.add_argument("--atheris-seconds", type=int, default=1200, help="atheris time limit")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {DOC.relative_to(REPO)}")
    args = parser.parse_args()
    scale = 0.01 if args.quick else 1.0

    work = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="refcheck-hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    meta = {
        "command": " ".join([".venv/bin/python", "benchmarks/hostile_corpus.py", *sys.argv[1:]]),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "platform": platform.platform(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "code": _code_version(),
    }
    outcomes: list[Outcome] = []
    try:
        for case in CASES:
            if args.only and case.name not in args.only:
                continue
            folder = work / "corpus" / case.name
            if case.name == "line-50mb-read":
                folder = work / "corpus" / "line-50mb"
            if not folder.exists():
                print(f"building {case.name} …", file=sys.stderr, flush=True)
                case.build(folder, scale)
            print(f"running {case.name} …", file=sys.stderr, flush=True)
            outcome = run_case(case, folder, work)
            outcomes.append(outcome)
            print(f"  exit {outcome.rc}, {outcome.wall:.1f} s, {outcome.peak_mib:.0f} MiB, "
                  f"traceback: {outcome.traceback}", file=sys.stderr, flush=True)  # fmt: skip
        vanish = vanishing_file(work)
        fuzz = None
        if args.fuzz_examples:
            print(f"fuzzing: {args.fuzz_examples:,} examples per test …", file=sys.stderr, flush=True)
            fuzz = run_fuzz(args.fuzz_examples, work)
            print(f"  {fuzz['result']} ({fuzz['seconds'] / 60:.1f} min)", file=sys.stderr, flush=True)
        atheris = None
        if args.atheris_runs:
            print("atheris …", file=sys.stderr, flush=True)
            atheris = run_atheris(args.atheris_runs, args.atheris_seconds, work)
            print(f"  {atheris.get('outcome')}", file=sys.stderr, flush=True)
    finally:
        perms = work / "corpus" / "permissions"
        for path in (perms / "unreadable.txt", perms / "locked"):
            if path.exists():
                path.chmod(0o755)
    report = render(outcomes, vanish, fuzz, atheris, meta)
    print(report)
    if not args.no_write:
        DOC.write_text(report, "utf-8")
        print(f"written to {DOC.relative_to(REPO)}", file=sys.stderr)
    if not args.out:
        _remove_chain(work / "corpus" / "deep-folders")
        shutil.rmtree(work, ignore_errors=True)
    failed = any(o.traceback or o.rc not in (0, 1) for o in outcomes)
    failed = failed or (fuzz is not None and fuzz["returncode"] != 0)
    return 1 if failed else 0


def _remove_chain(root: Path) -> None:
    """Empty ``root`` of its chain of nested folders without recursion (the tests' helper)."""
    sys.path.insert(0, str(REPO / "tests"))
    from test_hostile_input import remove_chain

    remove_chain(root)


def _code_version() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "refcheck"], cwd=REPO, capture_output=True, text=True)
    except OSError:
        return "unknown"
    state = "working tree with uncommitted changes in refcheck/" if dirty.stdout.strip() else "clean"
    return f"commit {commit.stdout.strip()} ({state})"


if __name__ == "__main__":
    sys.exit(main())
