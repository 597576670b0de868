#!/usr/bin/env python
"""Rebuild the real-world link benchmark's local folder and its answer keys.

    python benchmarks/realworld/build.py --mirror /work/.mirror --data /work/realworld-data

``--mirror`` holds one git repository per source, as ``<owner>+<name>/repo`` (a bare
repository, or a clone whose ``.git`` is inside); see README.md for the list and the
commits. The pages are copied to ``DATA/pages/<source>/`` (never into this repository);
the answer keys go to ``benchmarks/realworld/keys/<source>.json``, except those of
sources whose licence does not allow passing derived data on (L3S-GN1: research use
only, non-transferable), which go to ``DATA/keys/``. ``--spot ID`` prints one page's
links with their verdicts and contexts (for checking the rule by hand).
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import linkrules as lr  # noqa: E402

from refcheck.collect import decode  # noqa: E402

KEYS = HERE / "keys"

SOURCES: dict[str, dict[str, Any]] = {
    "scrapinghub": {
        "repo": "scrapinghub+article-extraction-benchmark",
        "licence": "MIT (Copyright (c) 2020 Scrapinghub); the pages are third-party web pages crawled for the benchmark",
        "rule": "text",
        "committed": True,
    },
    "trafilatura": {
        "repo": "adbar+trafilatura",
        "licence": "Apache-2.0 (trafilatura's repository: tests/evaldata.json and tests/eval, tests/cache); the pages are third-party web pages",
        "rule": "snippets",
        "committed": True,
    },
    "l3s-gn1": {
        "repo": "geodrome+page-signal",
        "licence": "L3S-GN1 (Kohlschuetter et al., WSDM 2010): non-exclusive, non-transferable licence for research use only; keys kept out of the repository",
        "rule": "labels",
        "committed": False,
    },
    "wikipedia": {
        "repo": None,
        "licence": "Wikipedia text CC BY-SA (attribution: the article's URL); saved in the test folders of the repositories listed",
        "rule": "structure",
        "committed": True,
    },
}

WIKIPEDIA = [
    ("adbar+trafilatura", "tests/cache/en.wikipedia.org.tsne.html", "en-t-sne"),
    ("jncraton+pagetext.js", "test/wikipedia.html", "en-phantomjs"),
    ("arp242+singlepage", "testdata/wikipedia.html", "en-go-programming-language"),
    ("breakdance+breakdance", "test/fixtures/random-wiki-page.html", "en-go-to-market"),
    ("breakdance+breakdance", "test/fixtures/wikipedia-punctuation.html", "en-punctuation"),
    ("breakdance+breakdance", "test/fixtures/wikipedia.html", "en-two-sided-market"),
    ("jakubkottnauer+html-extraction", "templates/articles/wikipedia.html", "en-computer"),
    ("lucabol+oscanweb", "tests/fixtures/wikipedia.html", "en-html"),
    ("Mikumikunisiteageru+GeologicTime.jl", "data/wikipedia.html", "en-geologic-time-scale"),
    ("Lucas-Froguel+auto-gpt-translator", "examples/wikipedia.html", "en-np-completeness"),
    ("BjoernRave+chonka", "examples/wikipedia.html", "de-naturdenkmal"),
    ("suzunone+Contender", "tests/data/wikipedia.html", "ja-web-scraping"),
]


# --- git access -----------------------------------------------------------------------


def git_dir(mirror: Path, repo: str) -> Path:
    base = mirror / repo / "repo"
    return base / ".git" if (base / ".git").is_dir() else base


def git_show(mirror: Path, repo: str, path: str) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={git_dir(mirror, repo)}", "show", f"HEAD:{path}"], check=True, capture_output=True
    ).stdout


def git_ls(mirror: Path, repo: str, path: str) -> list[str]:
    out = subprocess.run(
        ["git", f"--git-dir={git_dir(mirror, repo)}", "ls-tree", "-r", "--name-only", "HEAD", path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line for line in out.splitlines() if line]


def git_head(mirror: Path, repo: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={git_dir(mirror, repo)}", "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def read_page(data: bytes) -> str:
    text, _ = decode(data)
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- combining per-link labels into per-URL labels -----------------------------------------


def per_url(labels: list[tuple[str, str]], *, complete: bool) -> dict[str, Any]:
    by_url: dict[str, set[str]] = {}
    for url, label in labels:
        by_url.setdefault(url, set()).add(label)
    article, unjudged, page = [], [], []
    for url, seen in by_url.items():
        if "article" in seen:
            article.append(url)
        elif "page" in seen:
            page.append(url)  # a link with text outside the article; its image twin (no text) says nothing
        else:
            unjudged.append(url)
    entry: dict[str, Any] = {
        "article": sorted(article),
        "unjudged": sorted(unjudged),
        "links": len(by_url),
        "page_links": len(page),
    }
    if not complete:
        entry["page"] = sorted(page)
        entry.pop("unjudged")
    return entry


# --- sources ------------------------------------------------------------------------------


def build_scrapinghub(mirror: Path, out: Path, spot: str | None) -> dict[str, Any]:
    repo = SOURCES["scrapinghub"]["repo"]
    truth = json.loads(git_show(mirror, repo, "ground-truth.json"))
    pages: dict[str, Any] = {}
    for page_id in sorted(truth):
        record = truth[page_id]
        raw = gzip.decompress(git_show(mirror, repo, f"html/{page_id}.html.gz"))
        (out / f"{page_id}.html").write_bytes(raw)
        root = lr.parse(read_page(raw))
        if root is None:
            continue
        gt = lr.squash(record.get("articleBody") or "")
        labels = []
        for link in lr.page_links(root, record.get("url")):
            verdict = lr.text_rule(link.element, gt)
            labels.append((link.url, verdict))
            if spot == page_id:
                show(link, verdict)
        pages[page_id] = {"file": f"pages/scrapinghub/{page_id}.html", "url": record.get("url")}
        pages[page_id].update(per_url(labels, complete=True))
    return pages


def _around(element: Any, snippet: str) -> bool:
    """The link's block holds the snippet, or (a block of MATCH characters or more) lies inside it."""
    scope = element.getparent()
    while scope is not None and scope.tag not in lr.BLOCKS:
        scope = scope.getparent()
    block = lr.squash(lr.visible_text(scope if scope is not None else element))
    return snippet in block or (len(block) >= lr.MATCH and block in snippet)


def build_trafilatura(mirror: Path, out: Path, spot: str | None) -> dict[str, Any]:
    repo = SOURCES["trafilatura"]["repo"]
    evaldata = json.loads(git_show(mirror, repo, "tests/evaldata.json"))
    files = set(git_ls(mirror, repo, "tests/eval")) | set(git_ls(mirror, repo, "tests/cache"))
    pages: dict[str, Any] = {}
    for url, record in sorted(evaldata.items()):
        name = record["file"]
        path = next((p for p in (f"tests/eval/{name}", f"tests/cache/{name}") if p in files), None)
        if path is None:
            continue
        raw = git_show(mirror, repo, path)
        root = lr.parse(read_page(raw))
        if root is None:
            continue
        with_s = [s for s in (lr.squash(x) for x in record.get("with", [])) if len(s) >= 3]
        without_s = [s for s in (lr.squash(x) for x in record.get("without", [])) if len(s) >= 3]
        labels = []
        for link in lr.page_links(root, url):
            anchor = lr.squash(lr.visible_text(link.element))
            if len(anchor) < 3:
                continue
            pos = any(anchor in s and _around(link.element, s) for s in with_s)
            neg = any(anchor in s and _around(link.element, s) for s in without_s)
            if pos != neg:
                labels.append((link.url, "article" if pos else "page"))
                if spot == name:
                    show(link, "article" if pos else "page")
        if not labels:
            continue
        page_id = name
        (out / name).write_bytes(raw)
        pages[page_id] = {"file": f"pages/trafilatura/{name}", "url": url}
        pages[page_id].update(per_url(labels, complete=False))
    return pages


L3S = "L3S-GN1-20100130203947-00001"
_CONTENT = {"x-nc-sel1", "x-nc-sel2"}  # headline, full text
_SUPPLEMENTAL = {"x-nc-sel3"}  # captions, datelines, bylines, "see also" boxes: left unjudged


def _l3s_label(anchor: Any) -> str:
    classes: set[str] = set()
    for node in anchor.iterancestors("span"):
        classes.update((node.get("class") or "").split())
    for node in anchor.iter("span"):
        classes.update((node.get("class") or "").split())
    if classes & _CONTENT:
        return "article"
    if classes & _SUPPLEMENTAL:
        return "unjudged"
    if not lr.squash(lr.visible_text(anchor)):
        return "unjudged"
    return "page"


def build_l3s(mirror: Path, out: Path, spot: str | None) -> dict[str, Any]:
    repo = SOURCES["l3s-gn1"]["repo"]
    mapping = {}
    for line in git_show(mirror, repo, f"{L3S}/url-mapping.txt").decode("utf-8", "replace").splitlines():
        if "\t" in line:
            urn, url = line.split("\t", 1)
            mapping[urn.strip("<>").removeprefix("urn:uuid:")] = url.strip()
    pages: dict[str, Any] = {}
    aligned = Counter()
    for uuid in sorted(mapping):
        try:
            raw = git_show(mirror, repo, f"{L3S}/original/{uuid}.html")
            annotated_raw = git_show(mirror, repo, f"{L3S}/annotated/{uuid}.html")
        except subprocess.CalledProcessError:
            continue
        root = lr.parse(read_page(raw))
        annotated = lr.parse(read_page(annotated_raw))
        if root is None or annotated is None:
            continue
        url = mapping[uuid]
        # The annotator's copy replaced every href with javascript:void(0): its links are
        # matched to the original's in document order by their text.
        original_anchors = [a for a in lr.iter_body(root) if a.tag == "a"]
        annotated_anchors = [a for a in lr.iter_body(annotated) if a.tag == "a"]
        left = [lr.squash(lr.visible_text(a)) for a in original_anchors]
        right = [lr.squash(lr.visible_text(a)) for a in annotated_anchors]
        matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
        label_of: dict[int, str] = {}
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                label_of[id(original_anchors[block.a + k])] = _l3s_label(annotated_anchors[block.b + k])
        labels = []
        for link in lr.page_links(root, url):
            verdict = label_of.get(id(link.element), "unjudged")
            aligned["matched" if id(link.element) in label_of else "unmatched"] += 1
            labels.append((link.url, verdict))
            if spot == uuid:
                show(link, verdict)
        (out / f"{uuid}.html").write_bytes(raw)
        pages[uuid] = {"file": f"pages/l3s-gn1/{uuid}.html", "url": url}
        pages[uuid].update(per_url(labels, complete=True))
    print(f"l3s-gn1: links matched to the annotated copy: {dict(aligned)}", file=sys.stderr)
    return pages


_WIKI_FURNITURE = {
    "navbox", "vertical-navbox", "sidebar", "mw-editsection", "catlinks", "printfooter",
    "portal-bar", "portalbox", "portal", "navbox-styles", "mw-jump-link", "hatnote", "sieheauch",
    "navigation-not-searchable", "NavFrame", "navbar", "side-box", "sistersitebox", "metadata", "noprint",
}  # fmt: skip


def _wiki_label(element: Any) -> str:
    inside = False
    for node in element.iterancestors():
        classes = set((node.get("class") or "").split())
        if classes & _WIKI_FURNITURE:
            return "page"
        if node.get("id") == "mw-content-text":
            inside = True
    return "article" if inside else "page"


def build_wikipedia(mirror: Path, out: Path, spot: str | None) -> dict[str, Any]:
    pages: dict[str, Any] = {}
    for repo, path, page_id in WIKIPEDIA:
        try:
            raw = git_show(mirror, repo, path)
        except subprocess.CalledProcessError:
            print(f"wikipedia: {repo} {path} not found", file=sys.stderr)
            continue
        root = lr.parse(read_page(raw))
        if root is None:
            continue
        url = None
        for link in root.iter("link"):
            if "canonical" in (link.get("rel") or "").split():
                url = link.get("href")
                break
        labels = []
        for link in lr.page_links(root, url):
            verdict = _wiki_label(link.element)
            labels.append((link.url, verdict))
            if spot == page_id:
                show(link, verdict)
        (out / f"{page_id}.html").write_bytes(raw)
        pages[page_id] = {"file": f"pages/wikipedia/{page_id}.html", "url": url, "origin": f"{repo.replace('+', '/')}:{path}"}
        pages[page_id].update(per_url(labels, complete=True))
    return pages


def show(link: lr.Link, verdict: str) -> None:
    ctx = lr.context_of(link.element)
    print(f"{verdict:9} {link.url[:90]:90} | {ctx.left[-25:]}[{ctx.anchor[:40]}]{ctx.right[:25]}")


BUILDERS = {
    "scrapinghub": build_scrapinghub,
    "trafilatura": build_trafilatura,
    "l3s-gn1": build_l3s,
    "wikipedia": build_wikipedia,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--data", type=Path, default=Path("/work/realworld-data"))
    parser.add_argument("--sources", nargs="*", default=list(BUILDERS))
    parser.add_argument("--spot", help="print the links of this page id with their verdicts (no files written)")
    args = parser.parse_args()
    for source in args.sources:
        info = SOURCES[source]
        out = args.data / "pages" / source
        out.mkdir(parents=True, exist_ok=True)
        pages = BUILDERS[source](args.mirror, out, args.spot)
        if args.spot:
            continue
        origin = (
            f"github:{info['repo'].replace('+', '/')}@{git_head(args.mirror, info['repo'])}"
            if info["repo"]
            else "several repositories (see each page's origin)"
        )
        key = {
            "source": source,
            "origin": origin,
            "licence": info["licence"],
            "rule": info["rule"],
            "complete": info["rule"] != "snippets",
            "pages": pages,
        }
        target = (KEYS if info["committed"] else args.data / "keys") / f"{source}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(key, indent=1, ensure_ascii=False, sort_keys=False) + "\n", "utf-8")
        article = sum(len(p["article"]) for p in pages.values())
        print(f"{source}: {len(pages)} pages, {article} article links -> {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
