#!/usr/bin/env python
"""Footnote extraction on documents written by other people: every footnote problem
refcheck reports, per source, so that each one can be judged true or false.

The folder (argument) holds one subfolder per source -- e.g. ``wikipedia/`` (saved
Wikipedia articles), ``pandoc/`` (Pandoc's test documents), ``markdown-it-footnote/``
and ``mdit-py-plugins/`` (their fixtures, one document per case) -- with articles in
any format refcheck reads (``.md``, ``.html``, ``.txt``). Each document is read the
way a run reads it (``extract_file``: relative links are resolved against its own
folder). Printed per source: documents, notes, markers, and every problem
(``path:line kind label -- message``).

Judgements: a ``judgements.json`` in the folder, ``{"<path>|<kind>|<label>": "true: why"
| "false: why" | "unsure: why"}`` (for ``broken-anchor`` and ``missing-file`` the link's
target stands for the label), marks problems already judged; the summary counts true, false and
unjudged problems by source and kind (``--unjudged`` lists only those not judged yet).

    .venv/bin/python benchmarks/footnote_eval.py /work/realworld-data/footnotes
    .venv/bin/python benchmarks/footnote_eval.py DIR --ref 910a5f3   # refcheck as committed

``--ref REV`` runs ``refcheck/`` as committed at REV (exported with ``git archive``
and put first on ``sys.path`` in a subprocess) -- the "before" figures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".txt": "text"}
SKIPPED = {"SOURCES.txt", "SOURCES-gathered.txt", "README.txt"}


def documents(folder: Path) -> list[tuple[str, Path]]:
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if len(relative.parts) > 1 and path.is_file() and path.suffix.lower() in SUFFIXES and path.name not in SKIPPED:
            found.append((relative.parts[0], path))  # (files beside the sources are notes, outputs…)
    return found


def evaluate(folder: Path) -> list[dict[str, object]]:
    from refcheck.collect import SourceFile
    from refcheck.extract import ExtractContext, OutletIndex, extract_file

    context = ExtractContext(OutletIndex.load())
    results = []
    for source, path in documents(folder):
        name = path.relative_to(folder).as_posix()
        document = extract_file(SourceFile(path, name, SUFFIXES[path.suffix.lower()]), context, 50_000_000)
        results.append(
            {
                "source": source,
                "path": name,
                "error": document.error or document.skipped,
                "notes": len(document.footnotes),
                "markers": len(document.markers),
                "local_links": len(getattr(document, "local_links", []) or []),
                "problems": [(p.kind, p.footnote, p.line, p.message) for p in document.problems],
            }
        )
    return results


_TARGET_RE = re.compile(r"(?:in-page link |link to )(\S+)")


def problem_key(path: str, kind: str, label: object, message: str) -> str:
    """How judgements.json names a problem: ``path|kind|label``, and for a link problem
    ``path|kind|target`` (a document may have several, all with no label)."""
    if kind in ("broken-anchor", "missing-file"):
        found = _TARGET_RE.search(message)
        if found:
            return f"{path}|{kind}|{found.group(1)}"
    return f"{path}|{kind}|{label}"


def run_ref(folder: Path, ref: str) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "refcheck"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        env = dict(os.environ, PYTHONPATH=tmp)
        out = subprocess.run(
            [sys.executable, __file__, str(folder), "--raw"], capture_output=True, check=True, env=env, text=True
        )
        return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--ref", help="run refcheck/ as committed at this revision")
    parser.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--unjudged", action="store_true", help="list only the problems not judged yet")
    parser.add_argument("--include-info", action="store_true", help="count unlinked-work (info) too")
    args = parser.parse_args()
    folder = args.folder.resolve()
    if args.raw:
        print(json.dumps(evaluate(folder)))
        return
    results = run_ref(folder, args.ref) if args.ref else evaluate(folder)
    judgement_file = folder / "judgements.json"
    judgements: dict[str, str] = json.loads(judgement_file.read_text()) if judgement_file.is_file() else {}
    print(f"refcheck: {'as committed at ' + args.ref if args.ref else 'working tree'}; documents from {folder}")
    by_source: dict[str, list[dict[str, object]]] = {}
    for result in results:
        by_source.setdefault(str(result["source"]), []).append(result)
    verdicts: Counter[tuple[str, str, str]] = Counter()
    for source, items in by_source.items():
        notes = sum(int(str(i["notes"])) for i in items)
        markers = sum(int(str(i["markers"])) for i in items)
        local = sum(int(str(i["local_links"])) for i in items)
        print(f"\n== {source}: {len(items)} documents, {notes} notes, {markers} markers, {local} local links")
        for item in items:
            if item["error"]:
                print(f"  {item['path']}: NOT READ: {item['error']}")
            for kind, label, line, message in item["problems"]:  # type: ignore[attr-defined]
                if kind == "unlinked-work" and not args.include_info:
                    continue
                key = problem_key(str(item["path"]), kind, label, message)
                judged = judgements.get(key, "")
                verdict = judged.split(":", 1)[0] if judged else "unjudged"
                verdicts[(source, kind, verdict)] += 1
                if args.unjudged and judged:
                    continue
                print(f"  [{verdict:>8}] {item['path']}:{line} {kind} {label!r} -- {message}")
                if judged and ":" in judged:
                    print(f"             {judged.split(':', 1)[1].strip()}")
    print("\n== summary (problems by source, kind and verdict)")
    totals: Counter[str] = Counter()
    for (source, kind, verdict), count in sorted(verdicts.items()):
        print(f"  {source:24} {kind:22} {verdict:9} {count}")
        totals[verdict] += count
    print(f"  total: {dict(sorted(totals.items()))}")


if __name__ == "__main__":
    main()
