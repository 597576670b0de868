"""The whole benchmark suite in one command; prints every table and the targets.

    .venv/bin/python benchmarks/run.py [--write] [--quick]

Runs, one after the other (never in parallel: they pin CPUs 0 and 1):

1. ``extract_bench.py``   extraction MB/s on ~50 MB plain text (+ Markdown, HTML), memory;
2. ``transport_bench.py`` which HTTP layer: aiohttp, httpx, and refcheck's layers, side by side;
3. ``resolve_bench.py``   cold check (interval 0 / default / 0 ms / 128 in flight), warm
                          re-runs (U=2,000 and 10,000), U=100,000 over 500 hosts and 10,000
                          articles (the load test), peers (linkinator, LinkChecker).

``--write`` lets each script replace its own section of ``benchmarks/RESULTS.md``.
``--quick`` is a smoke run (small sizes, one run each, no peers, nothing written).
Everything is local (127.0.0.x); peers are installed under /tmp by resolve_bench.py.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--quick", action="store_true", help="small smoke run, nothing written")
    args = parser.parse_args()
    write = ["--write"] if args.write and not args.quick else []
    if args.quick:
        steps = [
            ["extract_bench.py", "--mb", "5", "--md-mb", "1", "--html-mb", "1", "--runs", "1"],
            ["transport_bench.py", "--runs", "1", "--urls", "400"],
            ["resolve_bench.py", "--runs", "1", "--urls", "400", "--no-peers", "--no-warm10k"],
        ]
    else:
        steps = [
            ["extract_bench.py", *write],
            ["transport_bench.py", *write],
            ["resolve_bench.py", "--big", "--profile", *write],
        ]
    began = time.perf_counter()
    for step in steps:
        print(f"\n=== {' '.join(step)}", flush=True)
        done = subprocess.run([sys.executable, str(HERE / step[0]), *step[1:]], timeout=3600)
        if done.returncode:
            sys.exit(f"{step[0]} failed with exit code {done.returncode}")
    print(f"\nall benchmarks done in {(time.perf_counter() - began) / 60:.1f} min"
          + ("; benchmarks/RESULTS.md updated" if write else ""))  # fmt: skip


if __name__ == "__main__":
    main()
