#!/usr/bin/env python
"""Report-writing benchmark: what the report folder costs a run, and its size.

For the sample corpus (``corpus/``, 13 articles) and a generated corpus of
``--articles`` plain-text articles (8 notes each, links over 300 outlets, a
quarter of them dead), each measured in a fresh process (pinned to CPU 0 with
``taskset`` when present), alternating between the code compared, ``--runs`` times:

* ``write_reports`` wall time (report.json, report.md, report.html, graph.json,
  graph.graphml, graph.dot, history) -- imports of the writers included, as a
  CLI run pays them -- and the whole ``refcheck CORPUS --offline`` command;
* the size of report.html and report.md.

Verdicts are made up in-process (no network): links whose path ends in ``-gone``
are ``dead`` with an archive copy, the rest ``ok``.

    .venv/bin/python benchmarks/report_bench.py --ref afc10e3~1 --runs 5

``--ref REV`` measures the refcheck/ of an older commit (exported with ``git
archive``) beside the working tree.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time, tempfile
from pathlib import Path
from refcheck.config import Settings
from refcheck.models import ArchiveCopy, LinkStatus, Verdict
from refcheck.pipeline import run
corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
settings = Settings(offline=True, cache_dir=str(out / "cache"), report_dir=str(out / "reports"))
result = run([corpus], settings)
for url, link in result.links.items():
    dead = url.endswith("-gone")
    link.verdict = Verdict(LinkStatus.DEAD if dead else LinkStatus.OK, http_status=404 if dead else 200,
                           error="HTTP 404" if dead else None, checked_at="2026-12-01T03:00:00+00:00")
    if dead:
        link.archive = ArchiveCopy(True, "https://web.archive.org/web/20180901000000/" + url, "20180901000000", "cdx")
statuses = {}
for link in result.links.values():
    statuses[str(link.status)] = statuses.get(str(link.status), 0) + 1
result.summary.statuses = statuses
from refcheck.report.files import write_reports
started = time.perf_counter()
written = write_reports(result, out / "reports")
elapsed = time.perf_counter() - started
folder = written.folder
print(json.dumps({"write_reports": elapsed, "html": (folder / "report.html").stat().st_size,
                  "md": (folder / "report.md").stat().st_size, "links": len(result.links)}))
"""


def make_corpus(folder: Path, articles: int) -> None:
    rng = random.Random(13)
    outlets = [f"outlet{index}.example" for index in range(300)]
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(articles):
        notes = []
        for note in range(1, 9):
            outlet = rng.choice(outlets[: 30 + note * 30])
            tail = "-gone" if rng.random() < 0.25 else ""
            notes.append(f"({note}) Outlet {outlet}: story {number}-{note}, 28 August 2018, "
                         f"https://www.{outlet}/2018/08/story-{number}-{note}{tail}")  # fmt: skip
        markers = " ".join(f"Claim ({note})." for note in range(1, 9))
        (folder / f"article-{number:04d}.txt").write_text(
            f"Story {number}\n\nBy A. Writer, 30 August 2018\n\n{markers}\n\n" + "\n\n".join(notes) + "\n", "utf-8"
        )


def source_tree(ref: str | None, scratch: Path) -> Path:
    if ref is None:
        return ROOT
    target = scratch / f"ref-{ref.replace('/', '_').replace('~', '-')}"
    if not target.exists():
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", ref, "refcheck"], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def pinned() -> list[str]:
    return ["taskset", "-c", "0"] if shutil.which("taskset") else []


def measure(code: Path, corpus: Path, scratch: Path) -> dict[str, float]:
    out = Path(tempfile.mkdtemp(dir=scratch))
    env = {**os.environ, "PYTHONPATH": str(code)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # cwd: the scratch folder, not the repository (``-c`` and ``-m`` put the cwd first on sys.path).
    done = subprocess.run([*pinned(), sys.executable, "-c", CHILD, str(corpus), str(out)], env=env, cwd=out,
                          capture_output=True, text=True, check=True)  # fmt: skip
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    import time

    started = time.perf_counter()
    subprocess.run([*pinned(), sys.executable, "-m", "refcheck", str(corpus), "--offline", "--cache-dir",
                    str(out / "cache2"), "--report-dir", str(out / "reports2")], env=env, cwd=out, capture_output=True)  # fmt: skip
    figures["command"] = time.perf_counter() - started
    shutil.rmtree(out, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ref", help="an older commit to compare with")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--articles", type=int, default=1000)
    options = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="report-bench-"))
    generated = scratch / "generated"
    make_corpus(generated, options.articles)
    codes = {"working tree": source_tree(None, scratch)}
    if options.ref:
        codes[f"--ref {options.ref}"] = source_tree(options.ref, scratch)
    print(f"commit {subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip()}"
          f", {options.runs} alternating runs, medians\n")  # fmt: skip
    corpora = {"sample corpus/ (13 articles)": ROOT / "corpus", f"generated ({options.articles} articles)": generated}
    print("| corpus | code | write_reports (s) | whole command --offline (s) | report.html | report.md |")
    print("|---|---|---|---|---|---|")
    for corpus_name, corpus in corpora.items():
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in codes}
        for _ in range(options.runs):
            for name, code in codes.items():  # alternating
                runs[name].append(measure(code, corpus, scratch))
        for name, figures in runs.items():
            write = statistics.median(item["write_reports"] for item in figures)
            command = statistics.median(item["command"] for item in figures)
            print(f"| {corpus_name} | {name} | {write:.3f} | {command:.2f} | "
                  f"{figures[0]['html'] / 1024:,.0f} KiB | {figures[0]['md'] / 1024:,.0f} KiB |")  # fmt: skip
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
