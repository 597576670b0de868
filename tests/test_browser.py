"""report.html in a real browser (headless Chromium driven by Playwright): the
page renders and its scripts run under its Content-Security-Policy, it asks for
nothing but itself, nothing from a hostile corpus runs, and what an editor needs
is there -- the footnote problems counted as the terminal counts them, dead links
with their reasons, clickable links, the trend chart. Skips only where no
Chromium (Debian's ``chromium``) or no Playwright can be found."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from localweb import serve

BROWSER = next(
    (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None
)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium here (Debian package 'chromium'; .ci/run installs it)"
)

HOSTILE_TITLE = '<img src=x onerror="document.body.setAttribute(`data-pwned`,1)">'
HOSTILE_URL = 'https://x.test/"><script>document.body.setAttribute(`data-pwned`,2)</script>'

# Before any script of the page: record what the CSP refused (Playwright's init
# scripts are not subject to the page's policy).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (event) {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


@dataclass
class Visit:
    """What the browser saw of one page."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        # Debian's chromium: Playwright never downloads a browser of its own here.
        launched = playwright.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_page(path: Path, width: int = 1280, height: int = 1600) -> Visit:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page)
        page.on("request", lambda request: seen.requests.append(request.url))
        page.on("console", lambda message: seen.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: seen.errors.append(f"uncaught: {error}"))
        page.add_init_script(WATCH_CSP)
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("body[data-ready=yes]", timeout=30_000)
        return seen

    yield open_page
    for context in contexts:
        context.close()


def run_refcheck(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "refcheck", "corpus", "--allow-private", "--no-archive",
                           "--host-interval", "0", "--refresh", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=os.environ.copy())  # fmt: skip


def only_the_file_was_asked_for(seen: Visit, page: Path) -> None:
    assert seen.requests == [page.resolve().as_uri()], seen.requests


def test_report_renders_and_hostile_input_stays_inert(tmp_path: Path, visit: Any) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with serve() as (web, _):
        (corpus / "a.txt").write_text(
            f"Title\n\nClaims (1) and (2).\n\n(1) Reuters, 28 August 2018, {web}/ok\n\n(2) Gone, 2018, {web}/gone\n",
            encoding="utf-8",
        )
        (corpus / "evil.md").write_text(
            f"---\ntitle: '{HOSTILE_TITLE}'\npublisher: '{HOSTILE_TITLE}'\n---\n# {HOSTILE_TITLE}\n\n"
            f"Text[^1] and [a click](javascript:document.body.setAttribute('data-pwned',3)).\n\n"
            f"[^1]: See {HOSTILE_URL}\n",
            encoding="utf-8",
        )
        (corpus / "evil.html").write_text(
            "<html><head><title></title></script><script>document.body.setAttribute('data-pwned',4)</script>"
            "</title><meta name='author' content='\"><svg onload=document.body.setAttribute(`data-pwned`,5)>'>"
            "</head><body><p>Said <a href=\"javascript:document.body.setAttribute('data-pwned',6)\">here</a>"
            "<sup><a href='#fn1'>1</a></sup> and <iframe src='data:text/html,<script>parent.pwn()</script>'>"
            "</iframe></p><ol class='references'><li id='fn1'>Evil, 2018, "
            "https://x.test/<style>body{display:none}</style></li></ol></body></html>",
            encoding="utf-8",
        )
        done = run_refcheck(tmp_path)
        assert done.returncode == 1, done.stderr
    page = tmp_path / "reports" / "latest" / "report.html"
    seen = visit(page)
    browser_page = seen.page
    body = browser_page.locator("body")
    assert body.get_attribute("data-ready") == "yes"  # our script ran (its hash is in the CSP)
    assert body.get_attribute("data-pwned") is None  # nothing from the corpus did
    dom = browser_page.content()
    assert "<img" not in dom and "<iframe" not in dom and "<style>body" not in dom  # payloads are text
    assert 'href="javascript:' not in dom.lower()
    assert (
        browser_page.evaluate(
            "Array.from(document.querySelectorAll('*')).flatMap(e => e.getAttributeNames()).filter(n => n.startsWith('on'))"
        )
        == []
    )  # no event handler attribute anywhere (<svg onload>, <img onerror>)
    scripts = browser_page.evaluate(
        "Array.from(document.scripts).map(s => [s.type || 'script', s.id, s.src])"
    )  # fmt: skip
    assert sorted(kind for kind, _, _ in scripts) == ["application/json"] * 2 + ["script"] * 4
    assert {name for kind, name, _ in scripts if kind == "application/json"} == {"graph-data", "trend-data"}
    assert all(not source for _, _, source in scripts)
    assert seen.violations() == [] and seen.errors == []
    only_the_file_was_asked_for(seen, page)
    assert browser_page.evaluate("typeof uPlot === 'function' && typeof cytoscape === 'function'")
    assert browser_page.locator("#graph").count() == 1 and browser_page.locator("#graph canvas").count() >= 1
    assert browser_page.locator("#trend-chart canvas").count() >= 1
    assert int(body.get_attribute("data-rows") or 0) >= 3
    assert browser_page.locator(f'#dead a[href="{web}/gone"]').count() == 1  # the dead link is listed
    screenshot = tmp_path / "report.png"
    browser_page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.is_file() and screenshot.stat().st_size > 10_000


def write_newsroom_corpus(corpus: Path, web: str) -> None:
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_text(
        "The Talks\n\nReuters said (1). The page is gone (2). A soft one (3). Missing (5).\n\n"
        f"(1) Reuters, 28 August 2018, {web}/ok\n\n(2) Gone, 28 August 2018, {web}/gone\n\n"
        f"(3) Soft, 28 August 2018, {web}/soft\n\n(4) Never referenced, 2018, {web}/ok-4\n",
        encoding="utf-8",
    )
    (corpus / "b.md").write_text(f"# Second\n\nAs [the agency said]({web}/ok-b) once[^1].\n\n[^1]: {web}/removed\n")


def test_what_an_editor_needs_is_on_the_page(tmp_path: Path, visit: Any) -> None:
    with serve() as (web, _):
        write_newsroom_corpus(tmp_path / "corpus", web)
        first = run_refcheck(tmp_path)
        second = run_refcheck(tmp_path)
    assert first.returncode == second.returncode == 1, second.stderr
    page = tmp_path / "reports" / "latest" / "report.html"
    seen = visit(page)
    browser_page = seen.page

    # Footnote problems: the section and its count, as the terminal counts them.
    totals = re.search(r"(\d+) footnote problems", second.stdout)
    assert totals is not None, second.stdout
    counted = totals.group(1)
    assert browser_page.locator("#problem-count").inner_text() == counted
    rows = browser_page.locator("#problems-error tbody tr, #problems-warning tbody tr")
    assert rows.count() == int(counted) >= 2
    assert "missing-footnote" in browser_page.locator("#problems-error").inner_text()

    # Dead links with their reasons; every cited link clickable, opened without a referrer.
    dead = browser_page.locator("#dead")
    text = dead.inner_text()
    assert "HTTP 404" in text and "HTTP 410" in text
    assert "error page title: Page not found" in text and "soft-404 200" not in text
    anchors = browser_page.evaluate("Array.from(document.links).map(a => [a.getAttribute('href'), a.rel])")
    assert anchors and all(href.startswith(("http://", "https://")) for href, _ in anchors)
    assert all({"noopener", "noreferrer"} <= set(rel.split()) for _, rel in anchors)
    hrefs = {href for href, _ in anchors}
    assert {f"{web}/ok", f"{web}/gone", f"{web}/soft", f"{web}/ok-b", f"{web}/removed"} <= hrefs
    assert browser_page.locator(f'#dead a[href="{web}/gone"]').is_visible()

    # The filter box narrows the dead links.
    browser_page.fill("input[data-scope=dead-groups]", "soft")
    visible = browser_page.locator("#dead-groups tbody tr:visible")
    assert visible.count() == 1 and "soft" in visible.inner_text()
    browser_page.fill("input[data-scope=dead-groups]", "")

    # An article's notes, opened.
    browser_page.click("#open-attention")
    assert browser_page.locator("details.article[open]").count() == 2
    assert "no link" not in browser_page.locator("details.article[open] table.notes").first.inner_text()

    # The trend chart: drawn by uPlot over the two runs, with a legend.
    assert browser_page.locator("body").get_attribute("data-trend") == "drawn"
    assert browser_page.locator("#trend-chart canvas").count() >= 1
    legend = browser_page.locator("#trend-chart .u-legend").inner_text()
    assert all(label in legend for label in ("ok", "dead", "soft-404", "not checked"))
    assert browser_page.locator("#runs tbody tr").count() == 2

    assert seen.violations() == [] and seen.errors == []
    only_the_file_was_asked_for(seen, page)


def test_an_offline_report_says_so_in_the_browser(tmp_path: Path, visit: Any) -> None:
    write_newsroom_corpus(tmp_path / "corpus", "https://www.example-news.com")
    done = subprocess.run([sys.executable, "-m", "refcheck", "corpus", "--offline"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, env=os.environ.copy())  # fmt: skip
    assert done.returncode == 1, done.stderr
    page = tmp_path / "reports" / "latest" / "report.html"
    seen = visit(page)
    banner = seen.page.locator("#coverage")
    assert banner.is_visible() and "not checked (offline" in banner.inner_text()
    assert "No link was checked" in seen.page.locator("#dead").inner_text()
    assert "partial run" in seen.page.locator("#runs").inner_text()
    assert seen.violations() == [] and seen.errors == []
    only_the_file_was_asked_for(seen, page)


def test_trend_lines_with_equal_counts_both_stay_visible(tmp_path: Path, visit: Any) -> None:
    """ok and dead with the same counts at every run lie on one line: each is drawn
    with its own width and dash (the narrower, dashed one on top), both are in the
    legend with their values, and both colours are on the canvas."""
    from refcheck.report import html
    from refcheck.report.changes import Changes
    from refcheck.report.graph import Graph

    history: list[dict[str, object]] = [
        {"generated_at": f"2026-01-0{day}T03:00:00+00:00", "links": 4, "complete": True,
         "statuses": {"ok": 2, "dead": 2}}
        for day in (1, 2, 3)
    ]  # fmt: skip
    page = tmp_path / "report.html"
    page.write_text(html.render("2026-01-03T03:00:00+00:00", [], {}, {"statuses": {}}, Changes(None), Graph(), history))
    seen = visit(page)
    browser_page = seen.page
    assert browser_page.locator("body").get_attribute("data-trend") == "drawn"
    drawn = browser_page.evaluate(
        "document.getElementById('trend-chart').uplot.series.slice(1)"
        ".map(s => ({label: s.label, width: s.width, dash: s.dash || [], show: s.show}))"
    )
    lines = {line["label"]: line for line in drawn}
    ok, dead = lines["ok"], lines["dead"]
    assert ok["show"] and dead["show"]
    assert ok["width"] > dead["width"] and dead["dash"] and ok["dash"] != dead["dash"]
    labels = [line["label"] for line in drawn]
    assert labels.index("ok") < labels.index("dead")  # the wider one is drawn first, under the other
    legend = {
        row[0]: row[1]
        for row in browser_page.evaluate(
            "Array.from(document.querySelectorAll('#trend-chart .u-legend tr.u-series'))"
            ".map(tr => [tr.querySelector('.u-label').textContent, tr.querySelector('.u-value').textContent])"
        )
    }
    assert legend["ok"] == "2" and legend["dead"] == "2"
    colours = browser_page.evaluate(
        """() => {
          const canvas = document.querySelector('#trend-chart canvas');
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          const near = (i, r, g, b) => Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 40;
          let green = 0, red = 0;
          for (let i = 0; i < data.length; i += 4) {
            if (near(i, 0x2e, 0x7d, 0x32)) green++;
            if (near(i, 0xc6, 0x28, 0x28)) red++;
          }
          return {green, red};
        }"""
    )
    assert colours["green"] > 100 and colours["red"] > 100, colours  # neither line hides the other
    assert seen.violations() == [] and seen.errors == []
    only_the_file_was_asked_for(seen, page)
