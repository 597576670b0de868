"""Replay every attack of the red-team review (tests/redteam.py) against refcheck
and print one line each: held, or BROKEN and what went wrong.

    .venv/bin/python benchmarks/redteam.py                 # this tree
    .venv/bin/python benchmarks/redteam.py --against DIR   # another checkout (e.g. an old commit,
                                                           # from `git archive b1fdff1 | tar -x -C DIR`)
    .venv/bin/python benchmarks/redteam.py history-symlink cache-database-symlink   # only these

Every server is on 127.0.0.x and started here; names under .invalid fail inside
the refcheck process. Nothing needs the internet. Exit status 1 when any attack
broke through. The same attacks run in CI as tests/test_redteam.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="*", help="attack ids to run (default: all)")
    parser.add_argument("--against", type=Path, help="the refcheck source tree to attack (default: this one)")
    options = parser.parse_args()
    if options.against is not None:
        os.environ["REDTEAM_REFCHECK"] = str(options.against.resolve())
    import redteam  # after REDTEAM_REFCHECK is set

    attacks = [attack for attack in redteam.ATTACKS if not options.only or attack.id in options.only]
    print(f"refcheck under attack: {redteam.TARGET}")
    broken = 0
    for attack in attacks:
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="redteam-") as work:
            try:
                problems = attack.run(Path(work))
            except Exception as exc:  # an attack that could not even be judged counts as broken
                problems = [f"the attack itself failed: {type(exc).__name__}: {exc}"]
        seconds = time.monotonic() - started
        verdict = "held" if not problems else "BROKEN"
        broken += bool(problems)
        print(f"{attack.finding:>5}  {attack.id:<40} {verdict:<6} {seconds:5.1f} s  {attack.what}")
        for problem in problems:
            print(f"{'':>7}- {problem[:300]}")
    print(f"\n{len(attacks) - broken} of {len(attacks)} attacks held, {broken} broke through")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
