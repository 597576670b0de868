#!/usr/bin/env python
"""Real-world benchmark: refcheck on saved web pages written by other people, against
answer keys derived from independent ground truth (benchmarks/realworld/README.md).

    .venv/bin/python benchmarks/realworld.py --data /work/realworld-data
    .venv/bin/python benchmarks/realworld.py --ref 910a5f3        # refcheck as committed at a revision
    taskset -c 0 .venv/bin/python benchmarks/realworld.py --sources scrapinghub wikipedia --misses /tmp/m.tsv

Sections (one table each, each skipped with one line when its data is missing):

* **Article links** -- every page of every key (``benchmarks/realworld/keys/*.json``
  and, for keys that may not be committed, ``DATA/keys/*.json``) is read as refcheck
  reads a file (``refcheck.collect.read_text``) and extracted with
  ``refcheck.extract.extract_text(text, "html", path, ExtractContext(OutletIndex.load([])))``.
  A page whose URL is known and that has no ``<base href>`` gets one (its URL)
  inserted before extraction, so that relative links are citations as on the live
  page (``--no-base`` measures the file as it is). Predicted article links: the
  normalised URLs (``normalize_url``, fragment dropped) of citations with
  ``region == "article"`` and kind ``link``/``inline``/``footnote``, less the page's
  own URL. Complete keys (every link judged): TP = predicted ∩ article, FN = article
  not predicted, FP = predicted that the key neither calls article nor leaves
  unjudged (image-only links, L3S supplemental text). Partial keys (trafilatura's
  with/without snippets): only labelled links count, FP = predicted ∩ labelled page.
  Predicted URLs that are no link of the page at all (URLs written as text,
  ``cite`` attributes) are outside the keys: counted in "not a link", neither way.
  Micro-averaged precision, recall, F1 per source and over the complete-key sources;
  pages/s and MB/s are file bytes over the summed CPU time (``time.process_time``) of
  ``extract_text`` alone -- read and decode not counted; CPU time, so that another
  process on the same core does not slow the figure (run under ``taskset -c 0`` for one core).
* **Publisher and date** -- ``benchmarks/date_eval.py`` on ``DATA/dates`` (refcheck
  only, its own loaders and scoring), when both exist.
* **Footnote problems** -- ``benchmarks/footnote_eval.py`` on ``DATA/footnotes``
  (problems per source; true/false where its ``judgements.json`` judged them), when
  both exist.

``--ref REV`` runs the whole thing with ``refcheck/`` as committed at REV (``git
archive`` into a temporary folder, first on PYTHONPATH of a subprocess): the "before"
figures. ``--json FILE`` writes the figures, ``--misses FILE`` one TSV line per wrong
link (source, page, fp|fn, URL).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KEYS = HERE / "realworld" / "keys"
MB = 1_000_000
KINDS = ("link", "inline", "footnote")
_HEAD_RE = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_BASE_RE = re.compile(r"<base\b[^>]*\bhref\s*=\s*[\"']?\s*https?:", re.IGNORECASE)


def load_keys(data: Path, sources: list[str] | None) -> list[dict[str, Any]]:
    keys = []
    for folder in (KEYS, data / "keys"):
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            key = json.loads(path.read_text("utf-8"))
            if sources and key["source"] not in sources:
                continue
            keys.append(key)
    return keys


def with_base(text: str, url: str | None) -> str:
    if not url or _BASE_RE.search(text):
        return text
    tag = f'<base href="{url.replace(chr(34), "%22")}">'
    match = _HEAD_RE.search(text)
    if match:
        return text[: match.end()] + tag + text[match.end() :]
    return tag + text


def norm(url: str) -> str:
    return url.split("#", 1)[0]


def score_links(data: Path, keys: list[dict[str, Any]], base: bool, limit: int | None, misses: list[str]) -> list[dict[str, Any]]:
    from refcheck.collect import SkipFile, read_text
    from refcheck.extract import ExtractContext, OutletIndex, extract_text
    from refcheck.extract.urls import InvalidURL, normalize_url

    sys.path.append(str(HERE / "realworld"))
    import linkrules

    context = ExtractContext(OutletIndex.load([]))
    rows = []
    for key in keys:
        complete = key.get("complete", True)
        row: dict[str, Any] = {
            "source": key["source"], "complete": complete, "pages": 0, "bytes": 0, "seconds": 0.0,
            "tp": 0, "fp": 0, "fn": 0, "article": 0, "predicted": 0, "errors": 0, "missing": 0,
            "page_links": 0, "not_links": 0, "regions": Counter(),
        }  # fmt: skip
        for count, (page_id, page) in enumerate(sorted(key["pages"].items())):
            if limit is not None and count >= limit:
                break
            path = data / page["file"]
            if not path.is_file():
                row["missing"] += 1
                continue
            try:
                text, _ = read_text(path, 50_000_000)
            except (SkipFile, OSError):
                row["errors"] += 1
                continue
            if base:
                text = with_base(text, page.get("url"))
            start = time.process_time()
            try:
                document = extract_text(text, "html", page["file"], context)
            except Exception:
                row["errors"] += 1
                continue
            row["seconds"] += time.process_time() - start
            row["bytes"] += path.stat().st_size
            row["pages"] += 1
            own = None
            if page.get("url"):
                try:
                    own = norm(normalize_url(page["url"])[0])
                except (InvalidURL, ValueError):
                    own = None
            predicted = set()
            for citation in document.citations:
                region = getattr(citation, "region", "article")
                row["regions"][region] += 1
                if citation.kind in KINDS and region == "article":
                    url = norm(citation.url)
                    if url != own:
                        predicted.add(url)
            article = set(page["article"])
            root = linkrules.parse(text)
            universe = {link.url for link in linkrules.page_links(root, page.get("url"))} if root is not None else set()
            row["not_links"] += len(predicted - universe)
            if complete:
                judged_out = set(page.get("unjudged", []))
                fp = (predicted & universe) - article - judged_out
            else:
                fp = predicted & set(page.get("page", []))
            tp = predicted & article
            fn = article - predicted
            row["tp"] += len(tp)
            row["fp"] += len(fp)
            row["fn"] += len(fn)
            row["article"] += len(article)
            row["predicted"] += len(predicted)
            row["page_links"] += page.get("page_links", 0)
            misses.extend(f"{key['source']}\t{page_id}\tfp\t{url}" for url in sorted(fp))
            misses.extend(f"{key['source']}\t{page_id}\tfn\t{url}" for url in sorted(fn))
        row["regions"] = dict(row["regions"])
        rows.append(row)
    complete_rows = [r for r in rows if r["complete"]]
    if len(complete_rows) > 1:
        total: dict[str, Any] = {"source": "all complete keys", "complete": True}
        for field in ("pages", "bytes", "seconds", "tp", "fp", "fn", "article", "predicted", "errors", "missing", "page_links", "not_links"):
            total[field] = sum(r[field] for r in complete_rows)
        rows.append(total)
    for row in rows:
        tp, fp, fn = row["tp"], row["fp"], row["fn"]
        row["precision"] = tp / (tp + fp) if tp + fp else None
        row["recall"] = tp / (tp + fn) if tp + fn else None
        p, r = row["precision"], row["recall"]
        row["f1"] = 2 * p * r / (p + r) if p and r else None
        row["pages_per_s"] = row["pages"] / row["seconds"] if row["seconds"] else None
        row["mb_per_s"] = row["bytes"] / MB / row["seconds"] if row["seconds"] else None
    if len(complete_rows) > 1:
        # Wikipedia's pages hold most of the article links: the pooled row leans on them,
        # the mean of the sources' figures weighs each source alike.
        for field in ("precision", "recall", "f1"):
            values = [r[field] for r in complete_rows if r[field] is not None]
            rows[-1][f"mean_{field}"] = sum(values) / len(values) if values else None
    return rows


def _f(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_links(rows: list[dict[str, Any]]) -> None:
    print("\n## Article links (region == 'article', kinds link/inline/footnote)\n")
    print("| source | key | pages | MB | article links | predicted | TP | FP | FN | not a link | precision | recall | F1 | pages/s | MB/s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        kind = "complete" if r["complete"] else "partial (labelled links only)"
        print(
            f"| {r['source']} | {kind} | {r['pages']} | {r['bytes'] / MB:.1f} | {r['article']} | {r['predicted']} | "
            f"{r['tp']} | {r['fp']} | {r['fn']} | {r['not_links']} | {_f(r['precision'])} | {_f(r['recall'])} | {_f(r['f1'])} | "
            f"{_f(r['pages_per_s'], 0)} | {_f(r['mb_per_s'], 2)} |"
        )
    pooled = rows[-1] if rows and rows[-1]["source"] == "all complete keys" else None
    if pooled is not None:
        print(
            f"| mean of the complete-key sources | | | | | | | | | | {_f(pooled.get('mean_precision'))} | "
            f"{_f(pooled.get('mean_recall'))} | {_f(pooled.get('mean_f1'))} | | |"
        )
    notes = [f"{r['source']}: {r['errors']} errors, {r['missing']} pages missing" for r in rows if r.get("errors") or r.get("missing")]
    for note in notes:
        print(f"\n{note}")
    print(
        "\n'not a link': predicted article URLs that are no <a href> of the page (URLs written as text, "
        "cite attributes): outside the keys, counted neither way."
    )
    print("\nTargets: precision >= 0.9, recall >= 0.95 (complete keys), HTML extraction >= 4 MB/s.")


# --- hooks into the other engineers' evaluations ------------------------------------------


def _import(name: str) -> Any | None:
    if str(HERE) not in sys.path:
        sys.path.append(str(HERE))
    try:
        return importlib.import_module(name)
    except Exception as exc:
        print(f"({name}: cannot import: {type(exc).__name__}: {exc})")
        return None


def section_dates(data: Path) -> list[dict[str, Any]] | None:
    """Publisher and date accuracy: benchmarks/date_eval.py on DATA/dates (refcheck only)."""
    print("\n## Publisher and date accuracy\n")
    folder = data / "dates"
    module = _import("date_eval") if folder.is_dir() else None
    if module is None or not hasattr(module, "LOADERS") or not hasattr(module, "evaluate"):
        print(f"skipped: needs {folder} and benchmarks/date_eval.py (LOADERS, evaluate)")
        return None
    reports = []
    for name, loader in module.LOADERS.items():
        if not (folder / name).is_dir():
            continue
        report = module.evaluate(name, loader(folder / name), False, False, [])
        reports.append(report)
        module.print_report(report)
    return reports


def section_footnotes(data: Path) -> dict[str, Any] | None:
    """False footnote problems: benchmarks/footnote_eval.py on DATA/footnotes."""
    print("\n## Footnote problems on real documents\n")
    folder = data / "footnotes"
    module = _import("footnote_eval") if folder.is_dir() else None
    if module is None or not hasattr(module, "evaluate"):
        print(f"skipped: needs {folder} and benchmarks/footnote_eval.py (evaluate)")
        return None
    results = module.evaluate(folder.resolve())
    judgement_file = folder / "judgements.json"
    judgements: dict[str, str] = json.loads(judgement_file.read_text()) if judgement_file.is_file() else {}
    table: dict[str, Counter[str]] = {}
    for result in results:
        counts = table.setdefault(str(result["source"]), Counter())
        counts["documents"] += 1
        counts["notes"] += int(result["notes"])  # type: ignore[call-overload]
        for kind, label, _line, _message in result["problems"]:  # type: ignore[attr-defined]
            if kind == "unlinked-work":
                continue
            counts["problems"] += 1
            verdict = judgements.get(f"{result['path']}|{kind}|{label}", "")
            counts["true" if verdict.startswith("true") else "false" if verdict.startswith("false") else "unjudged"] += 1
    print("| source | documents | notes | problems (no info) | judged true | judged false | unjudged |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for source, c in sorted(table.items()):
        print(f"| {source} | {c['documents']} | {c['notes']} | {c['problems']} | {c['true']} | {c['false']} | {c['unjudged']} |")
    return {source: dict(c) for source, c in table.items()}


# --- running ------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    import refcheck

    where = Path(refcheck.__file__).resolve().parent
    print(f"refcheck from {where}" + (f" (as committed at {args.ref})" if args.ref else ""))
    print(f"data: {args.data}; base href inserted: {'no' if args.no_base else 'yes, where the page URL is known'}")
    result: dict[str, Any] = {}
    sections = set(args.sections)
    if "links" in sections:
        misses: list[str] = []
        keys = load_keys(args.data, args.sources)
        rows = score_links(args.data, keys, not args.no_base, args.limit, misses)
        print_links(rows)
        result["links"] = rows
        if args.misses:
            args.misses.write_text("\n".join(misses) + "\n", "utf-8")
    for name, section in (("dates", section_dates), ("footnotes", section_footnotes)):
        if name in sections:
            try:
                result[name] = section(args.data)
            except Exception as exc:
                print(f"section {name} failed: {type(exc).__name__}: {exc}")
                result[name] = None
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("/work/realworld-data"))
    parser.add_argument("--sources", nargs="*", help="key sources to run (default: all found)")
    parser.add_argument("--sections", nargs="*", default=["links", "dates", "footnotes"])
    parser.add_argument("--limit", type=int, help="at most this many pages per source")
    parser.add_argument("--no-base", action="store_true", help="do not insert <base href> (the page URL)")
    parser.add_argument("--ref", help="run refcheck/ as committed at this revision")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--misses", type=Path, help="write wrong links here (TSV)")
    parser.add_argument("--pin", action="store_true", help="pin this process to CPU 0")
    args = parser.parse_args()
    if args.pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    if args.ref and not os.environ.get("REALWORLD_REF_CHILD"):
        with tempfile.TemporaryDirectory() as tmp:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.ref, "refcheck"], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
            env = dict(os.environ, PYTHONPATH=tmp, REALWORLD_REF_CHILD="1")
            return subprocess.run([sys.executable, __file__, *sys.argv[1:]], env=env, check=False).returncode
    result = run(args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
