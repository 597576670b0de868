#!/usr/bin/env python
"""Main-content extractors compared on the real-world link benchmark: which of a page's
links does each keep, against the answer keys (benchmarks/realworld/README.md).

Runs in its own virtualenv (the libraries are not refcheck dependencies):

    python3 -m venv /work/bench-venv
    /work/bench-venv/bin/pip install -e /work/main trafilatura readability-lxml resiliparse justext lxml-html-clean
    taskset -c 0 /work/bench-venv/bin/python benchmarks/maincontent_compare.py --data /work/realworld-data

Each page is decoded as refcheck reads files and its links listed by
``linkrules.page_links`` (the keys' own definition). Each candidate keeps a set of
those links; precision/recall against the keys are scored exactly as in
benchmarks/realworld.py (complete keys: unjudged links neither hit nor miss; partial
keys: labelled links only). Candidates:

* ``all links``: everything (refcheck before regions).
* ``structure``: links inside ``<article>``/``<main>``/``[role=main]``/
  ``[itemprop=articleBody]`` (the one holding most paragraph text; the whole body when
  there is none), minus ``nav``/``header``/``footer``/``aside``/``form`` and
  ``role=navigation|banner|contentinfo|complementary|search`` and class/id words such
  as share, social, related, comment, newsletter, promo, ad, sidebar, breadcrumb, tags;
  note lists (``ol.references``, ``section.footnotes``, ``[role=doc-endnotes]``,
  ``li#cite_note-…``/``fn…``) always kept.
* ``trafilatura`` (``extract(output_format="xml", include_links=True, url=…)``, its
  ``<ref target>``s), also with ``favor_recall=True``.
* ``readability-lxml`` (``Document(html, url=…).summary(html_partial=True)``, its hrefs).
* ``resiliparse`` (``extract_plain_text(main_content=True,
  preserve_formatting="minimal_html", links=True)``, its hrefs).
* ``jusText`` (non-boilerplate paragraphs; a link is kept when its text and context
  are in them, by the keys' text rule; stoplist from ``<html lang>``).
* ``X + structure``: the structure's answer where the page names its article
  (``<article>``, ``<main>``, ``[role=main]``, ``[itemprop=articleBody]``), X's elsewhere;
  and ``X ∪ notes``: X's links plus those in note lists.

Time (CPU seconds of this process, so another process on the core does not count): the candidate's own call (its parse included) and reading links from its output,
per page, summed; pages/s and MB/s over that (one core: run under ``taskset -c 0``).
"Note links" recall: recall on the key's article links that stand in a note list
(reference lists, footnotes) -- whether the extractor keeps notes at the article's end.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "realworld"))
sys.path.insert(0, str(HERE))

import linkrules as lr  # noqa: E402
from lxml import etree, html  # noqa: E402
from realworld import load_keys, with_base  # noqa: E402

from refcheck.collect import read_text  # noqa: E402

MB = 1_000_000

# --- structure ------------------------------------------------------------------------------

_CONTAINERS = "//article | //main | //*[@role='main'] | //*[@itemprop='articleBody']"
_FURNITURE_TAGS = {"nav", "header", "footer", "aside", "form"}
_FURNITURE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
_HINT_RE = re.compile(
    r"(?:^|[\s_-])(share|sharing|social|related|comments?|newsletter|promo|ads?|advert\w*|sponsor\w*|sidebar|"
    r"breadcrumbs?|tags?|subscribe|signup|recommend\w*|trending|popular|most-read|outbrain|taboola|footer|"
    r"nav|navbar|menu|masthead|byline|author-bio)(?:$|[\s_-])",
    re.IGNORECASE,
)
_NOTES = (
    "//ol[contains(concat(' ', normalize-space(@class), ' '), ' references ')]"
    " | //section[contains(concat(' ', normalize-space(@class), ' '), ' footnotes ')]"
    " | //div[contains(concat(' ', normalize-space(@class), ' '), ' footnotes ')]"
    " | //*[@role='doc-endnotes']"
    " | //li[starts-with(@id, 'cite_note-') or starts-with(@id, 'fn')]"
)


def _paragraph_chars(element: Any) -> int:
    return sum(len(" ".join(p.itertext())) for p in element.iter("p"))


def named_article(root: Any) -> Any | None:
    candidates = root.xpath(_CONTAINERS)
    if not candidates:
        return None
    return max(candidates, key=_paragraph_chars)


def _is_furniture(element: Any) -> bool:
    if element.tag in _FURNITURE_TAGS:
        return True
    if (element.get("role") or "").lower() in _FURNITURE_ROLES:
        return True
    words = f"{element.get('class') or ''} {element.get('id') or ''}"
    return bool(words.strip()) and bool(_HINT_RE.search(words))


def note_elements(root: Any) -> set[int]:
    inside: set[int] = set()
    for container in root.xpath(_NOTES):
        inside.update(id(node) for node in container.iter())
    return inside


def structure_keep(root: Any, links: list[lr.Link], notes: set[int]) -> set[str]:
    article = named_article(root)
    body = root.find("body")
    scope = article if article is not None else (body if body is not None else root)
    kept = set()
    for link in links:
        if id(link.element) in notes:
            kept.add(link.url)
            continue
        inside = False
        furniture = False
        for node in link.element.iterancestors():
            if node is scope:
                inside = True
                break
            if _is_furniture(node):
                furniture = True
        if inside and not furniture:
            kept.add(link.url)
    return kept


# --- libraries ------------------------------------------------------------------------------


def _hrefs(fragment: str, url: str | None) -> set[str]:
    if not fragment or not fragment.strip():
        return set()
    try:
        tree = html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return set()
    found = set()
    for a in tree.iter("a"):
        href = a.get("href")
        absolute = lr.resolve(href, url) if href else None
        value = lr.norm(absolute) if absolute else None
        if value:
            found.add(value)
    return found


def run_trafilatura(text: str, url: str | None, recall: bool) -> set[str]:
    import trafilatura

    out = trafilatura.extract(
        text, url=url, output_format="xml", include_links=True, include_comments=False,
        include_tables=True, favor_recall=recall, with_metadata=False,
    )  # fmt: skip
    if not out:
        return set()
    found = set()
    for target in re.findall(r'<ref target="([^"]*)"', out):
        target = target.replace("&amp;", "&")
        absolute = lr.resolve(target, url)
        value = lr.norm(absolute) if absolute else None
        if value:
            found.add(value)
    return found


def run_readability(text: str, url: str | None) -> set[str]:
    from readability import Document

    try:
        summary = Document(text, url=url).summary(html_partial=True)
    except Exception:
        return set()
    return _hrefs(summary, url)


def run_resiliparse(text: str, url: str | None) -> set[str]:
    from resiliparse.extract.html2text import extract_plain_text

    out = extract_plain_text(text, main_content=True, preserve_formatting="minimal_html", links=True)
    return _hrefs(out, url)


_STOPLISTS = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "pl": "Polish", "ru": "Russian", "cs": "Czech", "sv": "Swedish", "da": "Danish",
    "fi": "Finnish", "no": "Norwegian_Bokmal", "hu": "Hungarian", "tr": "Turkish", "uk": "Ukrainian",
}  # fmt: skip


def run_justext(text: str, url: str | None, root: Any, links: list[lr.Link]) -> set[str]:
    import justext

    lang = (root.get("lang") or "en").split("-")[0].lower()
    name = _STOPLISTS.get(lang)
    stoplist = justext.get_stoplist(name) if name else frozenset()
    try:
        paragraphs = justext.justext(text.encode("utf-8"), stoplist, encoding="utf-8")
    except Exception:
        return set()
    good = lr.squash(" ".join(p.text for p in paragraphs if not p.is_boilerplate))
    return {link.url for link in links if lr.text_rule(link.element, good) == "article"}


# --- scoring --------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.note_tp = self.note_total = 0
        self.seconds = 0.0
        self.pages = 0
        self.bytes = 0

    def add(self, kept: set[str], page: dict[str, Any], complete: bool, note_urls: set[str]) -> None:
        article = set(page["article"])
        if complete:
            fp = kept - article - set(page.get("unjudged", []))
        else:
            fp = kept & set(page.get("page", []))
        self.tp += len(kept & article)
        self.fp += len(fp)
        self.fn += len(article - kept)
        self.note_total += len(note_urls)
        self.note_tp += len(note_urls & kept)

    def figures(self) -> dict[str, Any]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        return {
            "precision": p,
            "recall": r,
            "f1": 2 * p * r / (p + r) if p and r else None,
            "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "note_recall": self.note_tp / self.note_total if self.note_total else None,
            "note_links": self.note_total,
            "pages_per_s": self.pages / self.seconds if self.seconds else None,
            "mb_per_s": self.bytes / MB / self.seconds if self.seconds else None,
        }  # fmt: skip


CANDIDATES = ["all links", "structure", "trafilatura", "trafilatura favor_recall", "readability-lxml", "resiliparse", "jusText"]
LIBRARIES = ["trafilatura", "trafilatura favor_recall", "readability-lxml", "resiliparse", "jusText"]


def evaluate(args: argparse.Namespace) -> dict[str, dict[str, dict[str, Any]]]:
    keys = load_keys(args.data, args.sources)
    wanted = args.candidates or CANDIDATES
    results: dict[str, dict[str, Tally]] = {}
    for key in keys:
        complete = key.get("complete", True)
        group = key["source"] + ("" if complete else " (partial key: labelled links only)")
        items = sorted(key["pages"].items())
        if args.limit and len(items) > args.limit:
            step = len(items) / args.limit
            items = [items[int(i * step)] for i in range(args.limit)]
        for page_id, page in items:
            path = args.data / page["file"]
            if not path.is_file():
                continue
            text, _ = read_text(path, 50_000_000)
            url = page.get("url")
            size = path.stat().st_size
            root = lr.parse(text)
            if root is None:
                continue
            links = lr.page_links(root, url)
            notes = note_elements(root)
            note_urls = {link.url for link in links if id(link.element) in notes} & set(page["article"])
            article = set(page["article"])
            start = time.process_time()
            structure = structure_keep(root, links, notes)
            structure_seconds = time.process_time() - start
            named = named_article(root) is not None
            notes_kept = {link.url for link in links if id(link.element) in notes}
            kept_by: dict[str, tuple[set[str], float]] = {
                "all links": ({link.url for link in links}, 0.0),
                "structure": (structure, structure_seconds),
            }
            runners: dict[str, Callable[[], set[str]]] = {
                "trafilatura": lambda: run_trafilatura(text, url, False),
                "trafilatura favor_recall": lambda: run_trafilatura(text, url, True),
                "readability-lxml": lambda: run_readability(with_base(text, url), url),
                "resiliparse": lambda: run_resiliparse(text, url),
                "jusText": lambda: run_justext(text, url, root, links),
            }
            for name, runner in runners.items():
                if name not in wanted:
                    continue
                start = time.process_time()
                try:
                    kept = runner()
                except Exception as exc:
                    print(f"{name} failed on {page_id}: {type(exc).__name__}: {str(exc)[:100]}", file=sys.stderr)
                    kept = set()
                kept_by[name] = (kept, time.process_time() - start)
            for name in LIBRARIES:
                if name in kept_by:
                    kept, seconds = kept_by[name]
                    kept_by[f"{name} + structure"] = (structure if named else kept, seconds + structure_seconds)
                    kept_by[f"{name} ∪ notes"] = (kept | notes_kept, seconds)
            for name, (kept, seconds) in kept_by.items():
                tally = results.setdefault(group, {}).setdefault(name, Tally())
                tally.add(kept & {link.url for link in links}, page, complete, note_urls)
                tally.seconds += seconds
                tally.pages += 1
                tally.bytes += size
            del article
    return {group: {name: t.figures() for name, t in tallies.items()} for group, tallies in results.items()}


def _f(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("/work/realworld-data"))
    parser.add_argument("--sources", nargs="*")
    parser.add_argument("--candidates", nargs="*", help=f"libraries to run (default all): {', '.join(LIBRARIES)}")
    parser.add_argument("--limit", type=int, default=150, help="pages per source at most, spread evenly (0: all)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    versions = {}
    for module in ("trafilatura", "readability", "resiliparse", "justext", "lxml"):
        try:
            from importlib.metadata import version

            versions[module] = version({"readability": "readability-lxml", "resiliparse": "Resiliparse", "justext": "jusText"}.get(module, module))
        except Exception:
            versions[module] = "?"
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    for module in ("trafilatura", "readability", "resiliparse.extract.html2text", "justext"):
        __import__(module)  # imported before any timing
    figures = evaluate(args)
    for group, table in figures.items():
        print(f"\n## {group}\n")
        print("| candidate | precision | recall | F1 | TP | FP | FN | note-link recall | pages/s | MB/s |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, f in table.items():
            print(
                f"| {name} | {_f(f['precision'])} | {_f(f['recall'])} | {_f(f['f1'])} | {f['tp']} | {f['fp']} | {f['fn']} | "
                f"{_f(f['note_recall'])} ({f['note_links']}) | {_f(f['pages_per_s'], 0)} | {_f(f['mb_per_s'], 2)} |"
            )
    if args.json:
        args.json.write_text(json.dumps({"versions": versions, "figures": figures}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
