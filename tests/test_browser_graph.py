"""The interactive citation graph in headless Chromium, driven as a user drives it
(Playwright's Python API over Debian's chromium; skips without it): the graph
library loads under the page's Content-Security-Policy, the nodes are drawn with
no label cut at the edge, a click highlights a node's neighbours and lists its
provenance chain, the filters hide what they say, the search centres a node --
and the page makes no request but for itself, with no console error."""

from __future__ import annotations

import base64
import hashlib
import html
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE_CORPUS, refcheck
from test_graph_view import story_graph

from refcheck.report import escape
from refcheck.report.graph_view import graph_view

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here (Debian package 'chromium')")

ASSETS = Path(__file__).resolve().parent.parent / "refcheck" / "report" / "assets"


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def graph_page(view: dict[str, Any]) -> str:
    """A page holding the graph section as report.html holds it: the section's style
    (assets/graph.css, in the page's one <style>), the data block, the partial, the
    two scripts, and a CSP like html.py's (hashed scripts only)."""
    import jinja2

    environment = jinja2.Environment(loader=jinja2.PackageLoader("refcheck.report", "templates"), autoescape=True)
    partial = environment.get_template("_graph.html.j2").render()
    scripts = [
        (ASSETS / "vendor" / "cytoscape.min.js").read_text("utf-8"),
        (ASSETS / "graph.js").read_text("utf-8"),
    ]
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src {' '.join(_hash(script) for script in scripts)}; base-uri 'none'; form-action 'none'"
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp)}"><title>graph</title>'
        f'<style>{(ASSETS / "graph.css").read_text("utf-8")}</style></head>'
        f'<body><script type="application/json" id="graph-data">{escape.script_json(view)}</script>\n{partial}\n'
        + "".join(f"<script>{script}</script>" for script in scripts)
        + "</body></html>"
    )


@dataclass
class Visit:
    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def run(self, script: str, argument: Any = None) -> Any:
        return self.page.evaluate(script, argument)

    def violations(self) -> list[str]:
        return list(self.run("() => window.__violations || []"))


@contextmanager
def visit(path: Path) -> Iterator[Visit]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            seen = Visit(page, path.as_uri())
            page.on("request", lambda request: seen.requests.append(request.url))
            page.on("console", lambda message: seen.errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: seen.errors.append(str(error)))
            # Anything but the file itself is refused (and recorded above): nothing reaches the network.
            page.route("**/*", lambda route: route.continue_() if route.request.url == seen.url else route.abort())
            page.add_init_script(
                "window.__violations = [];"
                "document.addEventListener('securitypolicyviolation',"
                " function (e) { window.__violations.push(e.violatedDirective + ' ' + e.blockedURI); });"
            )
            page.goto(seen.url)
            page.wait_for_selector('#graph[data-graph-ready="yes"]', timeout=30_000)
            yield seen
        finally:
            browser.close()


def click_node(seen: Visit, node_id: str) -> None:
    """A real mouse click where the node is drawn (the graph scrolled into view
    first, and two frames let Cytoscape take the new offset of its canvas)."""
    seen.page.locator("#citation-graph").scroll_into_view_if_needed()
    seen.run("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    x, y = seen.run(
        "(id) => { const cy = window.refcheckGraph, box = cy.container().getBoundingClientRect();"
        " const p = cy.getElementById(id).renderedPosition(); return [box.left + p.x, box.top + p.y]; }",
        node_id,
    )
    seen.page.mouse.click(x, y)


def classes(seen: Visit, node_id: str) -> list[str]:
    return list(seen.run("(id) => window.refcheckGraph.getElementById(id).classes()", node_id))


def shown(seen: Visit, group: str) -> list[str]:
    return sorted(
        seen.run(
            "(group) => window.refcheckGraph[group]().filter(e => !e.hasClass('filtered')).map(e => e.id())", group
        )
    )


def test_the_graph_draws_highlights_filters_and_searches(tmp_path: Path) -> None:
    view = graph_view(story_graph())
    path = tmp_path / "graph.html"
    path.write_text(graph_page(view), "utf-8")
    with visit(path) as seen:
        assert seen.run("() => typeof window.cytoscape") == "function"
        assert seen.run("() => window.refcheckGraph.nodes().length") == len(view["nodes"])
        assert seen.run("() => window.refcheckGraph.edges().length") == len(view["edges"])
        # Fitted with every label inside the drawing area: none is cut at the edge.
        inside = seen.run(
            "() => { const cy = window.refcheckGraph, b = cy.elements().renderedBoundingBox({includeLabels: true});"
            " return b.x1 >= 0 && b.y1 >= 0 && b.x2 <= cy.width() && b.y2 <= cy.height(); }"
        )
        assert inside

        # A click on a.txt: it and its neighbours stay, the rest fades; the panel lists its chain.
        click_node(seen, "article:corpus/a.txt")
        assert "focus" in classes(seen, "article:corpus/a.txt")
        assert "highlighted" in classes(seen, "reuters.com") and "highlighted" in classes(seen, "article:corpus/b.txt")
        assert "faded" in classes(seen, "nytimes.com") and "faded" in classes(seen, "article:corpus/lonely.txt")
        assert "chain" in classes(seen, "al-akhbar.com")  # two steps away, on the chain
        chain = seen.page.locator("#graph-panel ol.chain li").all_inner_texts()
        assert chain == [
            "Astana, Sochi and the Last Rebel Stronghold",
            "The Idlib offensive, as Al-Akhbar reported it",
            "Al-Akhbar",
        ]
        assert "Cites (" in seen.page.locator("#graph-panel").inner_text()
        # A click in the panel moves to the neighbour.
        seen.page.locator('#graph-panel button[data-node="article:corpus/b.txt"]').first.click()
        assert seen.run("() => document.getElementById('graph').getAttribute('data-focus')") == "article:corpus/b.txt"

        # Citation kinds: with only named mentions shown, a.txt -> reuters.com stays (a mention), bbc goes.
        for kind in ("footnote", "inline", "link"):
            seen.page.locator(f'#graph-kinds input[value="{kind}"]').uncheck()
        edges = {tuple(edge) for edge in seen.run("() => window.refcheckGraph.edges().filter(e => !e.hasClass('filtered')).map(e => [e.data('source'), e.data('target'), e.data('kind')])")}  # fmt: skip
        assert ("article:corpus/a.txt", "reuters.com", "cites") in edges
        assert ("article:corpus/a.txt", "bbc.co.uk", "cites") not in edges
        assert "bbc.co.uk" not in shown(seen, "nodes")
        assert "article:corpus/lonely.txt" in shown(seen, "nodes")  # articles stay

        # Dead links only: the three dead citations and their ends.
        for kind in ("footnote", "inline", "link"):
            seen.page.locator(f'#graph-kinds input[value="{kind}"]').check()
        seen.page.locator("#graph-dead-only").check()
        dead_edges = seen.run(
            "() => window.refcheckGraph.edges().filter(e => !e.hasClass('filtered')).map(e => e.data('dead'))"
        )
        assert len(dead_edges) == 3 and all(dead_edges)
        assert shown(seen, "nodes") == ["article:corpus/a.txt", "article:corpus/c.md", "nytimes.com", "reuters.com"]
        seen.page.locator("#graph-dead-only").uncheck()
        assert len(shown(seen, "edges")) == len(view["edges"])

        # Search: found, centred, highlighted.
        seen.page.locator("#graph-search").fill("al-akhbar")
        seen.page.locator("#graph-search").press("Enter")
        assert seen.run("() => document.getElementById('graph').getAttribute('data-focus')") == "al-akhbar.com"
        x, y, width, height = seen.run(
            "() => { const cy = window.refcheckGraph, p = cy.getElementById('al-akhbar.com').renderedPosition();"
            " return [p.x, p.y, cy.width(), cy.height()]; }"
        )
        assert abs(x - width / 2) < 2 and abs(y - height / 2) < 2
        assert "highlighted" in classes(seen, "article:corpus/b.txt")
        seen.page.locator("#graph").screenshot(path=str(tmp_path / "graph.png"))

        assert seen.errors == []
        assert seen.violations() == []
        assert seen.requests == [seen.url]


def test_a_bounded_view_says_what_it_left_out(tmp_path: Path) -> None:
    from refcheck.models import Citation, Document
    from refcheck.report.graph import build_graph

    documents = [
        Document(
            f"corpus/{n}.txt", "text",
            citations=[Citation(f"https://s{n}-{k}.example/", f"https://s{n}-{k}.example/", f"s{n}-{k}.example",
                                "inline", None, 1) for k in range(10)],
        )
        for n in range(20)
    ]  # fmt: skip
    view = graph_view(build_graph(documents, {}), max_nodes=60, max_edges=40)
    path = tmp_path / "graph.html"
    path.write_text(graph_page(view), "utf-8")
    with visit(path) as seen:
        status = seen.page.locator("#graph-status").inner_text()
        assert "60 nodes and 40 edges shown" in status
        assert "160 smaller sources (160 citations) and 160 edges" in status
        assert seen.errors == [] and seen.requests == [seen.url]


def test_the_graph_in_a_real_report(tmp_path: Path) -> None:
    """report.html as refcheck writes it (once html.py includes the graph partial)."""
    done = refcheck(tmp_path, str(SAMPLE_CORPUS), "--offline", "--cache-dir", str(tmp_path / "cache"))
    assert done.returncode in (0, 1), done.stderr
    page = (tmp_path / "reports" / "latest" / "report.html").resolve()
    if 'id="graph-data"' not in page.read_text("utf-8"):
        pytest.skip("report.html does not include the interactive graph yet (html.py)")
    with visit(page) as seen:
        assert seen.run("() => window.refcheckGraph.nodes().length") >= 13
        clear = seen.run(
            "() => { const cy = window.refcheckGraph, nodes = cy.nodes();"
            " const free = cy.nodes('.article').filter(a => { const b = a.renderedBoundingBox({includeLabels: false});"
            "  return nodes.every(n => n === a || (() => { const c = n.renderedBoundingBox({includeLabels: false});"
            "   return c.x1 > b.x2 || c.x2 < b.x1 || c.y1 > b.y2 || c.y2 < b.y1; })()); });"
            " return free.length ? free[0].id() : null; }"
        )
        assert clear is not None  # an article drawn clear of every other node, to click on
        click_node(seen, clear)
        assert seen.run("() => window.refcheckGraph.nodes('.focus').length") == 1
        assert seen.errors == [] and seen.violations() == [] and seen.requests == [seen.url]
