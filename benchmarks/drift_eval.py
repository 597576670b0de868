"""Content drift: the classifier (refcheck/resolve/drift.py) on a labelled set of
capture/live page pairs, with precision/recall per class and the confusion matrix.

The pairs are built from real pages other people wrote (the real-world set,
/work/realworld-data/pages: scrapinghub's news pages and trafilatura's evaluation
pages; benchmarks/realworld/README.md), each taken as the *capture*, and a *live*
page made from it by an edit whose kind is the label:

=================  ========  ====================================================
variant            label     the live page
=================  ========  ====================================================
furniture          none      the same page without its scripts, asides, footers and
                             related/promo/ad blocks, the title's separator changed
typos              none      the same page with ~2 % of the article's words changed
update             changed   the title prefixed "Update: ", the later 40 % of the
                             article's paragraphs replaced by another page's
trim               changed   the first half of the article kept, two paragraphs of
                             another page added, one word of the headline replaced
story              replaced  another page's headline and paragraphs in this page's
                             template, under this site's name (another story, same site)
home               replaced  a front page of this site (benchmarks/drift/pages/landing-1,3:
                             the site's name as title, teasers of other pages' headlines)
landing            replaced  a generic "archive has moved" page of this site (landing-2)
parked             replaced  a parked-domain page for this page's domain (parked-1..4,
                             written after the common registrar templates)
shell              unknown   a script-built page: the same title, no text in the HTML
=================  ========  ====================================================

Only capture pages with at least 150 words of main text are used (a capture
with less is ``unknown`` whatever the live page says). Pages with an even index
choose the thresholds (grid search, best macro F1 over the four classes); the
figures are given on the odd ones (held out) and on all. ``--titles`` compares
title measures: the shipped token-sort ratio (difflib), difflib's plain ratio, and
rapidfuzz's token-set and token-sort ratios when rapidfuzz is installed.

    .venv/bin/python benchmarks/drift_eval.py [--data /work/realworld-data] [--limit N] [--titles]
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from refcheck.resolve import drift  # noqa: E402
from refcheck.resolve.drift import PageDigest, headline, read_page  # noqa: E402

HERE = Path(__file__).resolve().parent / "drift"
LABELS = ("none", "changed", "replaced", "unknown")
SOURCES = ("scrapinghub", "trafilatura")
_FURNITURE_WORDS = ("related", "promo", "advert", "sidebar", "newsletter", "share", "social", "comment", "recommend")


@dataclass
class Pair:
    page: str
    index: int
    variant: str
    label: str
    url: str
    then: PageDigest | None
    now: PageDigest | None
    final_url: str | None = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="/work/realworld-data")
    parser.add_argument("--limit", type=int, default=0, help="capture pages per source at most (0: all)")
    parser.add_argument("--titles", action="store_true", help="compare title measures too")
    args = parser.parse_args()
    started = time.monotonic()
    pairs = build_pairs(Path(args.data), args.limit)
    built = time.monotonic() - started
    pages = len({pair.page for pair in pairs})
    print(f"{len(pairs)} pairs from {pages} capture pages ({Counter(p.label for p in pairs)}), built in {built:.0f} s")
    tune = [pair for pair in pairs if pair.index % 2 == 0]
    held = [pair for pair in pairs if pair.index % 2 == 1]
    shipped_measure = drift.title_similarity
    measures = {"token-sort (difflib; shipped)": shipped_measure}
    if args.titles:
        measures["plain ratio (difflib)"] = _difflib_ratio
        try:
            import rapidfuzz  # noqa: F401  (pip install rapidfuzz: compared, not a dependency)

            measures.update({"token-set (rapidfuzz)": _token_set, "token-sort (rapidfuzz)": _token_sort})
        except ImportError:
            print("rapidfuzz not installed: its measures are left out")
    shipped = _thresholds()
    for name, measure in measures.items():
        drift.title_similarity = measure  # type: ignore[assignment]
        features = [_features(pair) for pair in pairs]
        by_pair = dict(zip(map(id, pairs), features, strict=True))
        best = max(_grid(), key=lambda values: _macro_f1([(p, by_pair[id(p)]) for p in tune], values))
        print(f"\n== title measure: {name}")
        print("thresholds chosen on the even pages:", _show(best), " shipped:", _show(shipped))
        for label, chosen in (("chosen", best), ("shipped", shipped)):
            for part, subset in (("held-out (odd pages)", held), ("all pages", pairs)):
                rows = [(p, by_pair[id(p)]) for p in subset]
                print(f"\n[{label} thresholds, {part}: {len(subset)} pairs] macro F1 {_macro_f1(rows, chosen):.3f}")
                _report(rows, chosen)
    drift.title_similarity = shipped_measure  # type: ignore[assignment]


# ----------------------------------------------------------------------------- the set


def build_pairs(data: Path, limit: int) -> list[Pair]:
    rng = random.Random(15)
    captures: list[tuple[str, str, Any, list[str], str]] = []  # (id, url, tree bytes, paragraphs, headline)
    for source in SOURCES:
        key = json.loads((ROOT / "benchmarks" / "realworld" / "keys" / f"{source}.json").read_text("utf-8"))["pages"]
        taken = 0
        for page_id, entry in sorted(key.items()):
            if limit and taken >= limit:
                break
            raw = (data / entry["file"]).read_bytes()
            then = read_page(raw)
            if then is None or then.words < 150:
                continue
            root = _tree(raw)
            paragraphs = [_text(p) for p in _article_paragraphs(root)]
            if len(paragraphs) < 4:
                continue
            captures.append((f"{source}/{page_id}", entry.get("url") or f"https://{source}.example/{page_id}",
                             raw, paragraphs, headline(then.title, then.site) or ""))  # fmt: skip
            taken += 1
    templates = {path.stem: path.read_text("utf-8") for path in sorted((HERE / "pages").glob("*.html"))}
    pairs = []
    for index, (page_id, url, raw, _paragraphs, _title) in enumerate(captures):
        then = read_page(raw)
        donor = captures[(index + 1 + rng.randrange(len(captures) - 1)) % len(captures)]
        others = [captures[rng.randrange(len(captures))][4] for _ in range(12)]
        site = (then.site if then else None) or drift.site_name(then, then, url) if then else None
        site = site or urlsplit(url).hostname or "Example"
        domain = (urlsplit(url).hostname or "example.com").removeprefix("www.")
        teasers = "".join(f'<li><a href="/story/{i}">{_escape(text)}</a></li>' for i, text in enumerate(others))
        live: dict[str, tuple[str, bytes]] = {
            "furniture": ("none", _furniture(raw)),
            "typos": ("none", _typos(raw, rng)),
            "update": ("changed", _update(raw, donor[3])),
            "trim": ("changed", _trim(raw, donor[3], rng)),
            "story": ("replaced", _story(raw, donor[3], donor[4], site)),
            "home": ("replaced", _fill(templates[rng.choice(["landing-1", "landing-3"])], site, domain, teasers)),
            "landing": ("replaced", _fill(templates["landing-2"], site, domain, teasers)),
            "parked": ("replaced", _fill(templates[f"parked-{rng.randint(1, 4)}"], site, domain, teasers)),
            "shell": ("unknown", _shell(raw)),
        }
        for variant, (label, body) in live.items():
            # Served as HTTP would serve them: the header's charset wins over the original's meta tag.
            pairs.append(Pair(page_id, index, variant, label, url, then, read_page(body, "text/html; charset=utf-8")))
    return pairs


def _tree(raw: bytes) -> Any:
    """The page as drift reads it (same decoding), so an edit changes only what it edits."""
    text = drift._decode(raw[: drift.PAGE_LIMIT], None)
    return etree.fromstring(text, parser=etree.HTMLParser(huge_tree=True, remove_comments=True))


def _html(root: Any) -> bytes:
    return bytes(etree.tostring(root, method="html", encoding="utf-8"))


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _article_paragraphs(root: Any) -> list[Any]:
    """The story's paragraphs, found without refcheck's extractor: the <p> children
    (40 characters or more) of the element that holds the most such text."""
    by_parent: dict[Any, list[Any]] = {}
    for paragraph in root.iter("p"):
        parent = paragraph.getparent()
        if parent is not None and len(_text(paragraph)) >= 40:
            by_parent.setdefault(parent, []).append(paragraph)
    if not by_parent:
        return []
    return max(by_parent.values(), key=lambda paragraphs: sum(len(_text(p)) for p in paragraphs))


def _set_text(element: Any, text: str) -> None:
    tail = element.tail
    for child in list(element):
        element.remove(child)
    element.text, element.tail = text, tail


def _set_title(root: Any, text: str) -> None:
    title = root.find(".//title")
    if title is None:
        head = root.find("head")
        if head is None:
            head = etree.SubElement(root, "head")
            root.insert(0, head)
        title = etree.SubElement(head, "title")
    _set_text(title, text)


def _title(root: Any) -> str:
    title = root.find(".//title")
    return _text(title) if title is not None else ""


def _furniture(raw: bytes) -> bytes:
    root = _tree(raw)
    # The story's paragraphs and what holds them stay (the proxies kept alive: their id()s must not be reused).
    keep = [ancestor for p in _article_paragraphs(root) for ancestor in (p, *p.iterancestors())]
    holding = {id(element) for element in keep}
    elements = list(root.iter())
    for element in elements:
        if not isinstance(element.tag, str) or element.getparent() is None or id(element) in holding:
            continue
        words = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
        if element.tag in ("script", "aside", "footer", "iframe") or any(word in words for word in _FURNITURE_WORDS):
            element.getparent().remove(element)
    title = _title(root)
    _set_title(root, title.replace(" | ", " - ", 1) if " | " in title else title.replace(" - ", " | ", 1))
    return _html(root)


def _typos(raw: bytes, rng: random.Random) -> bytes:
    root = _tree(raw)
    for paragraph in _article_paragraphs(root):
        words = (paragraph.text or "").split()  # the paragraph's own text: its links and markup stay
        if len(words) >= 20:
            for _ in range(max(1, len(words) // 50)):
                words[rng.randrange(len(words))] = rng.choice(("the", "a", "its", "this", "new"))
            paragraph.text = " ".join(words) + " "
    return _html(root)


def _update(raw: bytes, donor: list[str]) -> bytes:
    root = _tree(raw)
    paragraphs = _article_paragraphs(root)
    start = len(paragraphs) - max(1, int(len(paragraphs) * 0.4))
    for offset, paragraph in enumerate(paragraphs[start:]):
        _set_text(paragraph, donor[offset % len(donor)])
    _set_title(root, "Update: " + _title(root))
    return _html(root)


def _trim(raw: bytes, donor: list[str], rng: random.Random) -> bytes:
    root = _tree(raw)
    paragraphs = _article_paragraphs(root)
    half = len(paragraphs) // 2
    for paragraph in paragraphs[half:-2] if len(paragraphs) - half > 2 else []:
        paragraph.getparent().remove(paragraph)
    for paragraph, text in zip(paragraphs[-2:], donor[:2], strict=False):
        _set_text(paragraph, text)
    words = _title(root).split()
    if words:
        words[rng.randrange(len(words))] = rng.choice(("now", "again", "latest", "officials"))
    _set_title(root, " ".join(words))
    return _html(root)


def _story(raw: bytes, donor: list[str], donor_title: str, site: str) -> bytes:
    root = _tree(raw)
    paragraphs = _article_paragraphs(root)
    for offset, paragraph in enumerate(paragraphs):
        if offset < len(donor):
            _set_text(paragraph, donor[offset])
        else:
            paragraph.getparent().remove(paragraph)
    for heading in root.iter("h1"):
        _set_text(heading, donor_title)
    _set_title(root, f"{donor_title} | {site}")
    return _html(root)


def _shell(raw: bytes) -> bytes:
    title = _title(_tree(raw))
    return (f"<html><head><title>{_escape(title)}</title><script src='/app.js'></script></head>"
            "<body><div id='root'></div><noscript>Please enable JavaScript.</noscript></body></html>").encode()  # fmt: skip


def _fill(template: str, site: str, domain: str, teasers: str) -> bytes:
    return template.replace("{site}", _escape(site)).replace("{domain}", domain).replace("{teasers}", teasers).encode()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# ----------------------------------------------------------------------------- scoring


def _token_set(first: str | None, second: str | None) -> float | None:
    if not first or not second:
        return None
    from rapidfuzz import fuzz, utils

    return fuzz.token_set_ratio(first, second, processor=utils.default_process) / 100.0


def _token_sort(first: str | None, second: str | None) -> float | None:
    if not first or not second:
        return None
    from rapidfuzz import fuzz, utils

    return fuzz.token_sort_ratio(first, second, processor=utils.default_process) / 100.0


def _difflib_ratio(first: str | None, second: str | None) -> float | None:
    if not first or not second:
        return None
    return difflib.SequenceMatcher(None, first.lower(), second.lower(), autojunk=False).ratio()


def _features(pair: Pair) -> Any:
    """What the thresholds act on, computed once: the classify() of the shipped
    thresholds gives the similarities; _decide() is re-run per threshold set."""
    result = drift.classify(pair.then, pair.now, url=pair.url, final_url=pair.final_url)
    return result


_NAMES = ("SAME_TEXT", "SAME_TITLE", "CLOSE_TITLE", "SHARED_TEXT")


def _thresholds() -> tuple[float, ...]:
    return tuple(getattr(drift, name) for name in _NAMES)


def _grid() -> list[tuple[float, ...]]:
    return list(itertools.product((0.3, 0.4, 0.5, 0.6, 0.7), (0.8, 0.85, 0.9, 0.95), (0.5, 0.6, 0.7, 0.8),
                                  (0.05, 0.1, 0.2, 0.3, 0.4)))  # fmt: skip


def _predict(pair: Pair, features: Any, values: tuple[float, ...]) -> str:
    if pair.then is None or pair.now is None or (features.verdict == "unknown" and features.text_similarity is None):
        return str(features.verdict)
    saved = _thresholds()
    for name, value in zip(_NAMES, values, strict=True):
        setattr(drift, name, value)
    try:
        site = drift.site_name(pair.then, pair.now, pair.url)
        verdict, _ = drift._decide(pair.then, pair.now, pair.url, pair.final_url, site, features.title_similarity,
                                   features.text_similarity)  # fmt: skip
    finally:
        for name, value in zip(_NAMES, saved, strict=True):
            setattr(drift, name, value)
    return str(verdict)


def _matrix(rows: list[tuple[Pair, Any]], values: tuple[float, ...]) -> Counter[tuple[str, str]]:
    return Counter((pair.label, _predict(pair, features, values)) for pair, features in rows)


def _macro_f1(rows: list[tuple[Pair, Any]], values: tuple[float, ...]) -> float:
    matrix = _matrix(rows, values)
    scores = []
    for label in LABELS:
        true_positive = matrix[(label, label)]
        predicted = sum(count for (_, guess), count in matrix.items() if guess == label)
        actual = sum(count for (truth, _), count in matrix.items() if truth == label)
        precision = true_positive / predicted if predicted else 0.0
        recall = true_positive / actual if actual else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def _report(rows: list[tuple[Pair, Any]], values: tuple[float, ...]) -> None:
    matrix = _matrix(rows, values)
    print("  truth \\ verdict " + "".join(f"{label:>10}" for label in LABELS))
    for truth in LABELS:
        print(f"  {truth:<16}" + "".join(f"{matrix[(truth, guess)]:>10}" for guess in LABELS))
    for label in LABELS:
        true_positive = matrix[(label, label)]
        predicted = sum(count for (_, guess), count in matrix.items() if guess == label)
        actual = sum(count for (truth, _), count in matrix.items() if truth == label)
        precision = true_positive / predicted if predicted else float("nan")
        recall = true_positive / actual if actual else float("nan")
        print(f"  {label:<9} precision {precision:.3f}  recall {recall:.3f}  ({actual} pairs)")
    wrong = Counter((pair.variant, _predict(pair, features, values)) for pair, features in rows
                    if _predict(pair, features, values) != pair.label)  # fmt: skip
    if wrong:
        print("  misses by variant -> verdict:", ", ".join(f"{v}->{g} {n}" for (v, g), n in wrong.most_common()))


def _show(values: tuple[float, ...]) -> str:
    return ", ".join(f"{name.lower()}={value:g}" for name, value in zip(_NAMES, values, strict=True))


if __name__ == "__main__":
    main()
