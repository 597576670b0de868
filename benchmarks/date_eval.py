#!/usr/bin/env python
"""Publication date and publisher of real web pages: refcheck's HTML metadata
against an independent answer key, with htmldate beside it.

    .venv/bin/python benchmarks/date_eval.py [DATA_DIR] [--sets htmldate,trafilatura,aeb]
        [--no-htmldate] [--no-extraction] [--misses FILE] [--json FILE]

    # the same on another copy of refcheck, e.g. the last commit:
    git archive HEAD refcheck | tar -x -C /tmp/before
    REFCHECK_TREE=/tmp/before .venv/bin/python benchmarks/date_eval.py

Pages/second is wall-clock time on whatever else the machine is doing: compare
methods within one run, not across runs.

DATA_DIR (default ``/work/realworld-data/dates``) holds pages written by other
people and keys written by other people, kept outside the repository:

* ``htmldate/``: htmldate's evaluation set (github.com/adbar/htmldate ``tests/``):
  ``eval_default.json`` and ``eval_mediacloud_2020.json`` map a URL to
  ``{"file": ..., "date": "YYYY-MM-DD"}`` (NaN: no date), pages in ``test_set/``,
  ``cache/`` or ``eval/``. The key is the original publication date, by day.
* ``trafilatura/``: trafilatura's evaluation set (github.com/adbar/trafilatura
  ``tests/``): ``evaldata.json`` with ``date`` (``""``: the annotator found no
  date; absent: not annotated; the few that are no valid day, such as
  ``2022-29-11``, are left out) and, for a few pages, ``sitename`` (the publisher),
  pages in ``cache/`` or ``eval/``.
* ``aeb/``: scrapinghub/article-extraction-benchmark: ``html/*.html.gz`` and
  ``ground-truth.json``, which gives each page's URL but no date: used for the
  publisher only (the site URL refcheck finds must be on the page's own domain).

Every page is decoded as refcheck reads files (``refcheck.collect.decode``) and
handed, as the same string, to each method:

* ``refcheck``: ``refcheck.extract.html._parse`` then the HTML metadata reader
  (``refcheck.extract.html_meta.read_metadata``, or ``html._metadata`` in trees
  from before that module), as extraction runs it: the markup first, htmldate's
  fast text search where the markup states no date. ``refcheck (markup only)``:
  ``read_metadata(..., text_dates=False)``. Each is timed twice: parse +
  metadata, and metadata alone (``, metadata only``: what it adds to an
  extraction, which parses the page anyway).
* ``htmldate-fast`` / ``htmldate``: ``htmldate.find_date(page, original_date=True,
  extensive_search=False / True)``, as htmldate's own evaluation runs it (a
  dependency of refcheck since this benchmark; ``--no-htmldate`` skips it).
* ``refcheck extraction (document.date)``: the whole extraction
  (``extract_text(page, "html", …)``), whose date falls back to the first date
  in the article's header text when the markup states none.
* ``markup only + htmldate-fast`` / ``+ htmldate, computed``: the markup-only
  answer, htmldate's (string input) where it has none; its time is the
  markup-only time plus htmldate's on those pages.

Printed per data set: pages, pages where the key states a date, and for each
method: date accuracy (exact day, over the pages where the key states a date),
precision (right / dates given), dates given where the key says there is none,
and pages/second. Publisher: the publisher refcheck reports (``og:site_name``
and friends, else the site URL's domain, as ``analyze._set_publisher`` does)
against the key's ``sitename`` (case, a leading "the" and punctuation ignored;
a key that names the domain matches the domain), and for ``aeb`` the site URL's
registrable domain against the page URL's.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

# REFCHECK_TREE: measure another copy of refcheck (e.g. ``git archive HEAD refcheck``
# unpacked in /tmp/before), else this working tree.
sys.path.insert(0, os.environ.get("REFCHECK_TREE") or str(Path(__file__).resolve().parent.parent))

from refcheck.collect import SkipFile, decode
from refcheck.extract import ExtractContext, OutletIndex, extract_text
from refcheck.extract import html as html_reader
from refcheck.extract.source import Metadata
from refcheck.extract.urls import domain_of_url, registrable_domain

try:
    from refcheck.extract.html_meta import read_metadata as _read_metadata

    READER = "refcheck.extract.html_meta.read_metadata"
    TEXT_DATES = True
except ImportError:  # a tree from before html_meta.py
    _read_metadata = html_reader._metadata  # type: ignore[attr-defined]
    READER = "refcheck.extract.html._metadata"
    TEXT_DATES = False

DEFAULT_DIR = Path("/work/realworld-data/dates")


@dataclass
class Page:
    name: str
    html: str
    date: str | None
    """The key's date; None when the key says there is none or does not say."""
    date_stated: bool | None
    """True: the key gives a date; False: the key says there is none; None: not annotated."""
    publisher: str | None = None
    url: str | None = None


def _read(path: Path) -> str | None:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    try:
        return decode(data)[0]
    except SkipFile:
        return None


def _find(root: Path, folders: tuple[str, ...], name: str) -> Path | None:
    for folder in folders:
        path = root / folder / name
        if path.is_file():
            return path
    return None


def load_htmldate(root: Path) -> list[Page]:
    key: dict[str, Any] = {}
    for name in ("eval_mediacloud_2020.json", "eval_default.json"):
        key.update(json.loads((root / name).read_text("utf-8")))
    pages = []
    for url, entry in key.items():
        path = _find(root, ("test_set", "cache", "eval"), entry["file"])
        text = _read(path) if path else None
        if text is None:
            continue
        date = entry.get("date")
        stated = isinstance(date, str) and not (isinstance(date, float) and math.isnan(date))
        pages.append(Page(entry["file"], text, date if stated else None, stated, url=url))
    return pages


def _valid_day(text: str) -> bool:
    try:
        return datetime.strptime(text, "%Y-%m-%d").strftime("%Y-%m-%d") == text
    except ValueError:
        return False


def load_trafilatura(root: Path) -> list[Page]:
    key = json.loads((root / "evaldata.json").read_text("utf-8"))
    pages = []
    for url, entry in key.items():
        path = _find(root, ("cache", "eval"), entry["file"])
        text = _read(path) if path else None
        if text is None:
            continue
        date = entry.get("date")
        stated = None if date is None else bool(date)
        if date and not _valid_day(date):
            date, stated = None, None  # "2022-29-11", "2022-01.26": a typo in the key, left out
        publisher = entry.get("sitename") or None
        pages.append(Page(entry["file"], text, date or None, stated, publisher, url))
    return pages


def load_aeb(root: Path) -> list[Page]:
    key = json.loads((root / "ground-truth.json").read_text("utf-8"))
    pages = []
    for digest, entry in key.items():
        path = root / "html" / f"{digest}.html.gz"
        text = _read(path) if path.is_file() else None
        if text is not None:
            pages.append(Page(digest, text, None, None, url=entry.get("url")))
    return pages


LOADERS: dict[str, Callable[[Path], list[Page]]] = {
    "htmldate": load_htmldate,
    "trafilatura": load_trafilatura,
    "aeb": load_aeb,
}


def run_refcheck(page: Page, text_dates: bool) -> tuple[Metadata, float, float]:
    start = time.perf_counter()
    root = html_reader._parse(page.html)
    parsed = time.perf_counter()
    if root is None:
        return Metadata(), parsed - start, 0.0
    base = html_reader._base_href(root)
    meta = _read_metadata(root, base, text_dates=text_dates) if TEXT_DATES else _read_metadata(root, base)
    end = time.perf_counter()
    return meta, end - start, end - parsed


def htmldate_runner(extensive: bool) -> Callable[[Page], tuple[str | None, float]] | None:
    try:
        from htmldate import find_date
    except ImportError:
        return None

    def run(page: Page) -> tuple[str | None, float]:
        start = time.perf_counter()
        try:
            found = find_date(page.html, original_date=True, extensive_search=extensive)
        except Exception:  # htmldate's own failures count as "no date"
            found = None
        return found, time.perf_counter() - start

    return run


def reported_publisher(meta: Metadata) -> str | None:
    """What ``analyze._set_publisher`` reports from the HTML alone."""
    if meta.publisher:
        return meta.publisher
    return domain_of_url(meta.site_url) if meta.site_url else None


_PUNCT_RE = re.compile(r"[^\w]+")
_SUFFIX_RE = re.compile(r" (?:com|org|net|info|co uk|de|fr|at|ch)$")


def _norm(name: str) -> str:
    """``"The Guardian"`` -> ``guardian``, ``"Salon.com"`` -> ``salon``,
    ``"Stack Overflow"`` -> ``stackoverflow``."""
    name = _PUNCT_RE.sub(" ", name.casefold()).strip()
    name = name[4:] if name.startswith("the ") else name
    return _SUFFIX_RE.sub("", name).replace(" ", "")


def publisher_matches(found: str | None, meta: Metadata, expected: str) -> bool:
    """The name refcheck reports is the key's, or the key names the site's domain
    (``Pluralsight`` and ``pluralsight.com``)."""
    if found and _norm(found) == _norm(expected):
        return True
    domain = domain_of_url(meta.site_url) if meta.site_url else None
    return bool(domain) and _norm(domain or "") == _norm(expected)


def evaluate(
    name: str, pages: list[Page], with_htmldate: bool, with_extraction: bool, misses: list[str]
) -> dict[str, Any]:
    methods: dict[str, dict[str, Any]] = {}
    variants = [("refcheck (markup only)", False), ("refcheck", True)] if TEXT_DATES else [("refcheck", False)]
    metas: list[Metadata] = []
    ref_dates: list[str | None] = []
    ref_total = 0.0
    for label, text_dates in variants:
        metas, dates, total, meta_total = [], [], 0.0, 0.0
        for page in pages:
            meta, seconds, meta_seconds = run_refcheck(page, text_dates)
            metas.append(meta)
            dates.append(meta.date)
            total += seconds
            meta_total += meta_seconds
        methods[label] = {"dates": dates, "seconds": total}
        methods[f"{label}, metadata only"] = {"dates": dates, "seconds": meta_total}
        if not text_dates:
            ref_dates, ref_total = dates, total  # what htmldate is combined with below
    if with_extraction:
        context = ExtractContext(OutletIndex.load())
        doc_dates: list[str | None] = []
        start = time.perf_counter()
        for page in pages:
            doc_dates.append(extract_text(page.html, "html", page.name, context).date)
        methods["refcheck extraction (document.date)"] = {"dates": doc_dates, "seconds": time.perf_counter() - start}
    if with_htmldate:
        for label, extensive in (("htmldate-fast", False), ("htmldate", True)):
            runner = htmldate_runner(extensive)
            if runner is None:
                print("htmldate is not importable: put it on PYTHONPATH or pass --no-htmldate", file=sys.stderr)
                break
            found_dates: list[str | None] = []
            times: list[float] = []
            for page in pages:
                found, seconds = runner(page)
                found_dates.append(found)
                times.append(seconds)
            methods[label] = {"dates": found_dates, "seconds": sum(times), "times": times}
        for label in ("htmldate-fast", "htmldate"):
            if label in methods:
                theirs = methods[label]
                combined = [mine or other for mine, other in zip(ref_dates, theirs["dates"], strict=True)]
                extra = sum(t for mine, t in zip(ref_dates, theirs["times"], strict=True) if not mine)
                methods[f"markup only + {label}, computed"] = {"dates": combined, "seconds": ref_total + extra}

    stated = [i for i, page in enumerate(pages) if page.date_stated]
    none_stated = [i for i, page in enumerate(pages) if page.date_stated is False]
    report: dict[str, Any] = {"set": name, "pages": len(pages), "dated": len(stated), "undated": len(none_stated)}
    rows = []
    for label, method in methods.items():
        dates = method["dates"]
        right = sum(1 for i in stated if dates[i] == pages[i].date)
        given = sum(1 for i in stated if dates[i])
        false_dates = sum(1 for i in none_stated if dates[i])
        rows.append(
            {
                "method": label,
                "accuracy": right / len(stated) if stated else None,
                "precision": right / given if given else None,
                "right": right,
                "given": given,
                "false_dates": false_dates,
                "pages_per_second": len(pages) / method["seconds"] if method["seconds"] else None,
            }
        )
    report["dates"] = rows
    final = methods["refcheck"]["dates"]
    for i in stated:
        if final[i] != pages[i].date:
            other = methods.get("htmldate", {}).get("dates", [None] * len(pages))[i]
            misses.append(f"{name}\tdate\t{pages[i].name}\tkey={pages[i].date}\trefcheck={final[i]}\thtmldate={other}")

    named = [i for i, page in enumerate(pages) if page.publisher]
    if named:
        right = 0
        for i in named:
            found = reported_publisher(metas[i])
            if publisher_matches(found, metas[i], pages[i].publisher or ""):
                right += 1
            else:
                misses.append(f"{name}\tpublisher\t{pages[i].name}\tkey={pages[i].publisher}\trefcheck={found}")
        report["publisher"] = {"stated": len(named), "right": right, "accuracy": right / len(named)}
    if name == "aeb":
        same = named_found = 0
        for page, meta in zip(pages, metas, strict=True):
            expected = registrable_domain(domain_of_url(page.url or ""))
            found = registrable_domain(domain_of_url(meta.site_url)) if meta.site_url else None
            if found == expected:
                same += 1
            else:
                misses.append(f"{name}\tsite\t{page.name}\tkey={expected}\trefcheck={found}\t{meta.site_url}")
            named_found += bool(meta.publisher)
        report["site_domain"] = {"pages": len(pages), "right": same, "accuracy": same / len(pages)}
        report["publisher_named"] = {"pages": len(pages), "named": named_found}
    return report


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_report(report: dict[str, Any]) -> None:
    print(f"\n## {report['set']}: {report['pages']} pages, key states a date on {report['dated']}, "
          f"says there is none on {report['undated']}")  # fmt: skip
    if report["dated"] or report["set"] != "aeb":
        print("| method | date accuracy | precision | right / given | dates where key has none | pages/s |")
        print("|---|---|---|---|---|---|")
        for row in report["dates"]:
            speed = "-" if row["pages_per_second"] is None else f"{row['pages_per_second']:.0f}"
            print(f"| {row['method']} | {_pct(row['accuracy'])} | {_pct(row['precision'])} | "
                  f"{row['right']} / {row['given']} | {row['false_dates']} | {speed} |")  # fmt: skip
    else:
        for row in report["dates"]:
            speed = "-" if row["pages_per_second"] is None else f"{row['pages_per_second']:.0f}"
            print(f"- {row['method']}: {speed} pages/s")
    if "publisher" in report:
        pub = report["publisher"]
        print(f"publisher (key's sitename): {pub['right']} / {pub['stated']} = {pub['accuracy']:.3f}")
    if "site_domain" in report:
        site = report["site_domain"]
        print(f"site URL on the page's own domain: {site['right']} / {site['pages']} = {site['accuracy']:.3f}; "
              f"publisher named (og:site_name, JSON-LD…) on {report['publisher_named']['named']}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--no-htmldate", action="store_true", help="refcheck only")
    parser.add_argument("--no-extraction", action="store_true", help="skip the whole-extraction run (document.date)")
    parser.add_argument("--sets", default=",".join(LOADERS), help="comma-separated: htmldate,trafilatura,aeb")
    parser.add_argument("--misses", type=Path, help="write refcheck's wrong answers here, one a line")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    print(f"metadata reader: {READER}")
    misses: list[str] = []
    reports = []
    for name in args.sets.split(","):
        folder = args.data / name
        if not folder.is_dir():
            print(f"{folder}: missing, skipped", file=sys.stderr)
            continue
        pages = LOADERS[name](folder)
        report = evaluate(name, pages, not args.no_htmldate, not args.no_extraction, misses)
        reports.append(report)
        print_report(report)
    if args.misses:
        args.misses.write_text("\n".join(misses) + "\n", "utf-8")
    if args.json:
        args.json.write_text(json.dumps(reports, indent=1), "utf-8")


if __name__ == "__main__":
    main()
