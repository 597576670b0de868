"""report.html and report.md as an editor reads them (issue 13): honest coverage
at the top, dead links by article with the reason and a dated archive copy,
footnote problems counted as the terminal counts them, each article's notes
with their links and verdicts, a trend over the runs -- rendered from templates
with escaping in one place. Runs are real (the CLI against a server on
127.0.0.1 and a stand-in of the archive); the page is read back with lxml and
the Markdown with markdown-it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest
from conftest import refcheck
from localweb import FLIPS, serve, serve_archive
from markdown_it import MarkdownIt

from refcheck.models import ArchiveCopy, Citation, CitedBy, Document, Footnote, LinkResult, LinkStatus, Verdict
from refcheck.report import escape, html, markdown
from refcheck.report.changes import Changes
from refcheck.report.graph import build_graph


@dataclass
class Run:
    folder: Path
    html: str
    md: str
    data: dict[str, object]
    stdout: str

    @property
    def page(self) -> lxml.html.HtmlElement:
        return lxml.html.fromstring(self.html)


def write_corpus(corpus: Path, web: str) -> None:
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_text(
        "The Talks\n\nReuters said (1). The page is gone (2). A soft one (3). It flipped (4). "
        "Missing (5). A book (7).\n\n"
        f"(1) Reuters, 28 August 2018, {web}/ok\n\n"
        f"(2) Gone, 28 August 2018, {web}/gone\n\n"
        f"(3) Soft, 28 August 2018, {web}/soft\n\n"
        f"(4) Flip, 28 August 2018, {web}/flip/report-pages\n\n"
        f"(6) Never referenced, 2018, {web}/ok-6\n\n"
        "(7) Jane Doe: A Book Without a Link, 2017\n",
        encoding="utf-8",
    )
    (corpus / "b.md").write_text(
        "---\ntitle: Second Story\ndate: 2018-09-02\n---\n\n"
        f"As [the agency said]({web}/ok-b) and [this page]({web}/removed) once did[^1].\n\n"
        f"[^1]: Source, 1 September 2018, {web}/ok\n",
        encoding="utf-8",
    )


def run_folders(root: Path) -> list[Path]:
    return sorted(p for p in (root / "reports").iterdir() if p.is_dir() and not p.is_symlink())


def read_run(root: Path, stdout: str) -> Run:
    folder = run_folders(root)[-1]
    return Run(
        folder,
        (folder / "report.html").read_text("utf-8"),
        (folder / "report.md").read_text("utf-8"),
        json.loads((folder / "report.json").read_text("utf-8")),
        stdout,
    )


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run, str]:
    """Two runs of one corpus: /flip/report-pages is ok at the first and dead at the second."""
    root = tmp_path_factory.mktemp("pages")
    with serve() as (web, _), serve_archive() as (archive_base, archive):
        archive.captures[f"{web}/gone"] = ["20180901000000"]
        write_corpus(root / "corpus", web)
        common = ["corpus", "--allow-private", "--host-interval", "0", "--archive-interval", "0", "--refresh",
                  "--wayback-url", archive_base, "--cdx-url", archive_base, "--cache-dir", "cache"]  # fmt: skip
        FLIPS["report-pages"] = 200
        first = refcheck(root, *common)
        assert first.returncode == 1, first.stderr
        FLIPS["report-pages"] = 404
        second = refcheck(root, *common)
        assert second.returncode == 1, second.stderr
        return read_run(root, first.stdout), read_run(root, second.stdout), web


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("offline")
    write_corpus(root / "corpus", "https://www.example-news.com")
    done = refcheck(root, "corpus", "--offline", "--cache-dir", "cache")
    assert done.returncode == 1, done.stderr
    return read_run(root, done.stdout)


def counted_problems(data: dict[str, object]) -> int:
    documents = data["documents"]
    assert isinstance(documents, list)
    return sum(1 for document in documents for p in document["problems"] if p["severity"] != "info")


# --------------------------------------------------------------------------- report.html


def test_footnote_problems_are_counted_as_the_terminal_counts_them(two_runs: tuple[Run, Run, str]) -> None:
    run = two_runs[1]
    page = run.page
    counted = counted_problems(run.data)
    assert counted >= 2 and f"{counted} footnote problems" in run.stdout
    assert page.get_element_by_id("problem-count").text_content() == str(counted)
    errors = page.get_element_by_id("problems-error").xpath(".//tbody/tr")
    warnings = page.get_element_by_id("problems-warning").xpath(".//tbody/tr")
    assert len(errors) + len(warnings) == counted
    assert any("missing-footnote" in row.text_content() for row in errors)
    assert any("unreferenced-footnote" in row.text_content() for row in warnings)
    notes = page.get_element_by_id("problems-info").text_content()
    assert "unlinked-work" in notes and "not counted" in notes  # info items listed apart
    card = page.get_element_by_id("card-problems").text_content()
    assert card.startswith(str(counted))


def test_dead_links_by_article_with_reason_and_dated_archive_copy(two_runs: tuple[Run, Run, str]) -> None:
    run, web = two_runs[1], two_runs[2]
    section = run.page.get_element_by_id("dead")
    rows = {row.xpath("./td[3]")[0].text_content().strip(): row for row in section.xpath(".//table//tbody/tr")}
    assert set(rows) == {f"{web}/gone", f"{web}/soft", f"{web}/flip/report-pages", f"{web}/removed"}
    gone = rows[f"{web}/gone"]
    cells = [cell.text_content().strip() for cell in gone.xpath("./td")]
    assert cells[:2] == ["7", "2"]  # line, note
    assert "HTTP 404" in cells[3]
    assert "archived copy, 2018-09-01" in cells[4] and "captured 4 days after it was cited" in cells[4]
    assert "20180901000000" not in cells[4]  # the raw Wayback timestamp is not what an editor reads
    soft = rows[f"{web}/soft"].xpath("./td")[3].text_content()
    assert soft.startswith("soft-404 error page title: Page not found")  # the reason, not "soft-404 200"
    flipped = rows[f"{web}/flip/report-pages"]
    assert flipped.get("class") == "new" and "newly dead" in flipped.text_content()
    assert "newly dead" not in gone.text_content()  # dead at the first run too
    headings = [h.text_content() for h in section.xpath(".//h3")]
    assert headings[0].startswith("corpus/a.txt")  # the article with the newly dead link first
    assert run.page.get_element_by_id("card-new").text_content().startswith("1")


def test_every_cited_link_is_clickable_and_nothing_else_is_a_link(two_runs: tuple[Run, Run, str]) -> None:
    run, web = two_runs[1], two_runs[2]
    anchors = run.page.xpath("//a")
    assert anchors
    for anchor in anchors:
        assert anchor.get("href", "").startswith(("http://", "https://")), anchor.get("href")
        assert set(anchor.get("rel", "").split()) >= {"noopener", "noreferrer"}
    hrefs = {anchor.get("href") for anchor in anchors}
    cited = {link["url"] for link in run.data["links"]}  # type: ignore[union-attr]
    assert cited <= hrefs
    assert f"{web}/ok-b" in hrefs


def test_each_article_shows_its_notes_in_order_with_links_and_verdicts(two_runs: tuple[Run, Run, str]) -> None:
    run, web = two_runs[1], two_runs[2]
    articles = run.page.xpath("//details[@class='article']")
    assert len(articles) == 2
    story = next(item for item in articles if "corpus/a.txt" in item.xpath("./summary")[0].text_content())
    assert story.get("data-attention") == "yes"
    notes = story.xpath(".//table[@class='notes']/tbody/tr")
    assert [row.xpath("./td[1]")[0].text_content() for row in notes] == ["1", "2", "3", "4", "6", "7"]
    verdicts = {row.xpath("./td[1]")[0].text_content(): row.xpath("./td[4]")[0].text_content() for row in notes}
    assert "ok" in verdicts["1"] and f"{web}/ok" in verdicts["1"]
    assert "dead" in verdicts["2"] and "HTTP 404" in verdicts["2"] and "archived copy, 2018-09-01" in verdicts["2"]
    assert "soft-404" in verdicts["3"]
    assert "no link" in verdicts["7"]
    problems = story.xpath(".//ul[@class='article-problems']/li")
    assert any("missing-footnote" in li.text_content() for li in problems)
    second = next(item for item in articles if item is not story)
    text_links = second.xpath(".//table[@class='text-links']/tbody/tr")
    assert [row.xpath("./td[3]//a")[0].get("href") for row in text_links] == [f"{web}/ok-b", f"{web}/removed"]
    assert "HTTP 410" in text_links[1].text_content()


def test_trend_chart_data_and_table_of_runs(two_runs: tuple[Run, Run, str]) -> None:
    run = two_runs[1]
    page = run.page
    data = json.loads(page.get_element_by_id("trend-data").text)
    assert len(data["x"]) == 2 and data["x"][0] <= data["x"][1]
    series = {line["label"]: line["values"] for line in data["series"]}
    assert series["dead"] == [2, 3] and series["soft-404"] == [1, 1]
    assert data["partial"] == [False, False]
    runs = page.get_element_by_id("runs").xpath("./tbody/tr")
    assert len(runs) == 2 and all("complete" in row.text_content() for row in runs)


def test_the_csp_lets_exactly_the_inlined_scripts_run(two_runs: tuple[Run, Run, str]) -> None:
    run = two_runs[1]
    page = run.page
    policy = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in policy and "connect-src" not in policy
    allowed = set(re.findall(r"'sha256-([^']+)'", policy))
    scripts = [script for script in page.xpath("//script") if script.get("type") is None]
    assert len(scripts) == 4 and not [script for script in scripts if script.get("src")]
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.text.encode("utf-8")).digest()).decode()
        assert digest in allowed
    assert len(allowed) == 4
    assert "uplot" in page.xpath("//style")[0].text  # one <style> for the page: tests/test_redteam.py
    assert json.loads(page.get_element_by_id("graph-data").text)["nodes"]


# --------------------------------------------------------------------------- report.md


def test_markdown_reads_in_a_terminal_and_renders_whole(two_runs: tuple[Run, Run, str]) -> None:
    run, web = two_runs[1], two_runs[2]
    text = run.md
    generated_at = run.data["generated_at"]
    assert isinstance(generated_at, str) and generated_at.endswith("+00:00")
    assert text.splitlines()[0] == f"# refcheck report — {generated_at}"  # not 09:34:57\+00:00
    assert "### `corpus/a.txt` — 3 dead citations" in text
    assert f"| 7 | 2 | <{web}/gone> | dead: HTTP 404" in text
    assert "captured 4 days after it was cited" in text
    assert f"| 9 | 3 | <{web}/soft> | soft-404: error page title: Page not found \\| Example News |" in text
    assert "**newly dead**" in text
    counted = counted_problems(run.data)
    assert f"- Footnote problems: {counted} (" in text
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    tree = lxml.html.fromstring(f"<div>{rendered}</div>")
    for table in tree.iter("table"):
        width = len(table.xpath(".//thead/tr/th"))
        assert all(len(row.xpath("./td")) == width for row in table.xpath(".//tbody/tr"))
    hrefs = {a.get("href") for a in tree.iter("a")}
    assert f"{web}/gone" in hrefs and all(href.startswith(("http://", "https://")) for href in hrefs)


# --------------------------------------------------------------------------- coverage


def test_a_run_that_checked_nothing_says_so_and_shows_no_health(offline_run: Run) -> None:
    page = offline_run.page
    banner = page.get_element_by_id("coverage").text_content()
    assert "Not every link was checked" in banner and "not checked (offline" in banner
    dead = page.get_element_by_id("dead").text_content()
    assert "None" not in dead and "No link was checked (offline" in dead
    assert page.get_element_by_id("card-dead").text_content().startswith("?")
    rot = [row.xpath("./td[4]")[0].text_content() for row in page.get_element_by_id("outlet-table").xpath("./tbody/tr")]
    assert rot and all(value == "not checked" for value in rot)
    md = offline_run.md
    assert "> **Not every link was checked:**" in md.split("## Summary")[0]
    assert "None." not in md.split("## Dead links", 1)[1].split("##", 1)[0]
    assert "| 0%" not in md and "| not checked |" in md
    runs = page.get_element_by_id("runs").xpath("./tbody/tr")
    assert runs[0].get("class") == "partial" and "partial run" in runs[0].text_content()
    assert json.loads(page.get_element_by_id("trend-data").text)["partial"] == [True]


# --------------------------------------------------------------------------- escaping in one place


def test_script_json_cannot_close_its_element_and_reads_back() -> None:
    value = {"label": "</script><script>alert(1)</script> <!-- & \u2028", "n": [1.5, float("nan")], "k\x01": "x"}
    text = escape.script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {
        "label": "</script><script>alert(1)</script> <!-- &  ",
        "n": [1.5, None],
        "k\\x01": "x",
    }
    assert "S3CRET" not in escape.script_json(["https://user:S3CRET@host.example/x"])


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2026-12-03T09:34:57+00:00", "2026-12-03T09:34:57+00:00"),
        ("a|b *em* _u_ [l](javascript:x) <b>", "a\\|b \\*em\\* \\_u\\_ \\[l\\](javascript:x) &lt;b&gt;"),
        ("C# and F#", "C# and F#"),
        ("closing ##", "closing \\##"),
        ("line\nbreak\x1b[31m", "line break\\\\x1b\\[31m"),
    ],
)
def test_markdown_text_escapes_only_what_markdown_needs(text: str, shown: str) -> None:
    assert escape.markdown_text(text) == shown


def test_markdown_autolinks_only_plain_web_urls() -> None:
    assert escape.markdown_autolink("https://example.org/a_b*c?d=1&e=2") == "<https://example.org/a_b*c?d=1&e=2>"
    for url in ("javascript:alert(1)", "https://x.test/<script>", "https://a b", "https://u:pw@host/x",
                "https://x.test/a|b", "https://x.test/\u202e"):  # fmt: skip
        assert escape.markdown_autolink(url) is None


@pytest.mark.parametrize(
    ("days", "text"),
    [(0, "captured the day it was cited"), (4, "captured 4 days after it was cited"),
     (-1, "captured 1 day before it was cited"), (95, "captured 3 months after it was cited"),
     (800, "captured 2 years after it was cited"), (None, None)],
)  # fmt: skip
def test_capture_distance(days: int | None, text: str | None) -> None:
    assert html.capture_distance(days) == text


def test_hostile_history_rows_are_left_out_of_the_trend() -> None:
    history: list[dict[str, object]] = [
        {"generated_at": "2026-01-01T03:00:00+00:00", "links": 4, "statuses": {"ok": 3, "dead": 1}},
        {"generated_at": "</script>", "links": "x", "statuses": {"dead": -5, "<b>": 1}, "complete": "no"},
        {"generated_at": 7, "statuses": {}},
        {"run": "2026-01-02T030000", "statuses": []},
        {"generated_at": "2026-01-03T03:00:00+00:00", "links": 4, "statuses": {"unknown": 4}, "complete": False,
         "coverage": {"reasons": {"network down": 4}}},
    ]  # fmt: skip
    points = html.run_points(history)
    assert [point.generated_at for point in points] == [
        "2026-01-01T03:00:00+00:00",
        "</script>",
        "2026-01-03T03:00:00+00:00",
    ]
    assert points[1].time is None and points[1].links == 0 and points[1].counts["dead"] == 0
    assert points[2].why == "network down 4" and not points[2].complete
    data = html.trend_data(points)
    assert len(data["x"]) == 2 and data["partial"] == [False, True]
    series = {line["label"]: line["values"] for line in data["series"]}
    assert series["dead"] == [1, None] and series["ok"] == [3, None]  # no fake recovery drawn
    assert series["not checked"] == [0, 4]


def small_run() -> tuple[list[Document], dict[str, LinkResult]]:
    url = "https://news.example/story"
    document = Document(
        "corpus/a.txt", "text", publisher="News", date="2018-08-28",
        footnotes=[Footnote(1, 5, f"News, 28 August 2018, {url}", "2018-08-28", [url])], markers=[1],
        citations=[Citation(url, url, "news.example", "footnote", 1, 5)],
    )  # fmt: skip
    link = LinkResult(
        url, "news.example", [CitedBy("corpus/a.txt", 5, 1, "2018-08-28")],
        verdict=Verdict(LinkStatus.SOFT_404, http_status=200, error="the page's title says 'Page not found'"),
        archive=ArchiveCopy(True, "https://web.archive.org/web/20180830000000/" + url, "20180830000000", "cdx"),
    )  # fmt: skip
    return [document], {url: link}


def test_a_summary_without_coverage_counts_it_from_the_links() -> None:
    documents, links = small_run()
    links["https://news.example/other"] = LinkResult("https://news.example/other", "news.example")
    view = html.report_view("2026-01-01", documents, links, {"statuses": {}}, Changes(None))
    assert view.coverage.not_checked == 1 and not view.coverage.complete


def test_renderers_keep_their_signatures_and_agree() -> None:
    documents, links = small_run()
    graph = build_graph(documents, links)
    changes = Changes(None, newly_dead=sorted(links))
    summary = {"documents": 1, "documents_read": 1, "unique_links": 1, "statuses": {"soft-404": 1}}
    page = html.render("2026-01-01T00:00:00+00:00", documents, links, summary, changes, graph, [])
    text = markdown.render("2026-01-01T00:00:00+00:00", documents, links, summary, changes, graph)
    reason = "the page's title says 'Page not found'"
    assert f'<span class="reason" dir="auto">{escape.html(reason)}</span>' in page
    assert "captured 2 days after it was cited" in page
    assert f"| soft-404: {escape.markdown_text(reason)} **newly dead** |" in text
    assert "captured 2 days after it was cited" in text
    assert "No history yet." in page and 'id="coverage"' not in page


def test_markdown_says_when_its_mermaid_diagram_is_trimmed() -> None:
    from refcheck.models import Summary
    from refcheck.report import markdown
    from refcheck.report.changes import Changes
    from refcheck.report.graph import Graph

    graph = Graph()
    for article in range(30):
        graph.node(f"article:{article}", "article", f"Article {article}")
        for source in range(5):
            graph.node(f"source:{article}-{source}", "source", f"source {article}-{source}")
            graph.edge(f"article:{article}", f"source:{article}-{source}", "cites").count = 1
    rendered = markdown.render("2026-12-03T00:00:00+00:00", [], {}, Summary().to_dict(), Changes(None), graph)
    assert "The diagram is trimmed to stay readable: 90 of 150 edges left out" in rendered
    mermaid = rendered.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert all(f"Article {article}" in mermaid for article in range(30))  # no article dropped


# --------------------------------------------------------------------------- the review of issue 13


def sections(run: Run) -> list[str]:
    """The ids of report.html's sections, in the page's order."""
    return [str(item.get("id")) for item in run.page.xpath("//body/header | //body/section")]


def md_sections(text: str) -> list[str]:
    return [line[3:].split(" since ")[0].split(" (")[0] for line in text.splitlines() if line.startswith("## ")]


def test_what_changed_comes_first_after_the_summary(two_runs: tuple[Run, Run, str]) -> None:
    run = two_runs[1]
    assert sections(run)[:4] == ["top", "changes", "dead", "problems"]
    assert md_sections(run.md)[:3] == ["Summary", "What changed", "Dead links"]


@pytest.fixture(scope="module")
def skipped_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Every link excluded by a rule: nothing checked (and nothing asked of any server)."""
    root = tmp_path_factory.mktemp("skipped")
    write_corpus(root / "corpus", "https://www.example-news.com")
    done = refcheck(root, "corpus", "--exclude", "example-news", "--no-archive", "--cache-dir", "cache")
    assert done.returncode in (0, 1), done.stderr
    return read_run(root, done.stdout)


def test_a_run_whose_links_were_all_skipped_says_nothing_was_checked(skipped_run: Run) -> None:
    links = len(skipped_run.data["links"])  # type: ignore[arg-type]
    assert links >= 5
    banner = skipped_run.page.get_element_by_id("coverage").text_content()
    assert f"{links} of {links} links skipped (by rules {links}): nothing was checked" in banner
    dead = skipped_run.page.get_element_by_id("dead").text_content()
    assert "None" not in dead and f"No link was checked (by rules {links})" in dead
    assert skipped_run.page.get_element_by_id("card-dead").text_content().startswith("?")
    md = skipped_run.md
    assert "- Dead links: unknown (no link checked)" in md
    assert f"skipped (by rules {links}): nothing was checked" in md.split("## Summary")[0]
    section = md.split("## Dead links", 1)[1].split("##", 1)[0]
    assert "None" not in section and f"No link was checked (by rules {links})" in section


def test_some_links_skipped_are_not_counted_as_checked() -> None:
    documents, links = small_run()
    other = "https://ads.example/banner"
    links[other] = LinkResult(
        other, "ads.example", verdict=Verdict(LinkStatus.SKIPPED, error="excluded by --exclude ads")
    )
    links["https://news.example/story"].verdict.status = LinkStatus.OK
    view = html.report_view("2026-01-01", documents, links, {"statuses": {}}, Changes(None))
    assert view.coverage.complete and view.partly_checked and not view.nothing_checked
    assert view.coverage_lines == ["1 of 2 links skipped (by rules 1)"]
    assert view.no_dead_text == "No dead link among the 1 link checked; 1 not checked (by rules 1)."


@pytest.fixture(scope="module")
def unconfirmed_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run, str]:
    """A run that finds /gone dead (with no archive lookup), then one that cannot check it (offline, no cache)."""
    root = tmp_path_factory.mktemp("unconfirmed")
    with serve() as (web, _):
        write_corpus(root / "corpus", web)
        first = refcheck(root, "corpus", "--allow-private", "--host-interval", "0", "--no-archive", "--refresh",
                         "--cache-dir", "cache")  # fmt: skip
        assert first.returncode == 1, first.stderr
    first_run = read_run(root, first.stdout)
    second = refcheck(root, "corpus", "--offline", "--cache-dir", "empty-cache")
    assert second.returncode == 1, second.stderr
    return first_run, read_run(root, second.stdout), web


def test_links_dead_before_and_not_checked_now_are_in_both_reports(unconfirmed_runs: tuple[Run, Run, str]) -> None:
    _, run, web = unconfirmed_runs
    item = run.page.get_element_by_id("unconfirmed")
    text = " ".join(item.text_content().split())
    assert text.startswith("Dead before and not checked now: 4") and "their fate is unknown" in text
    assert f"{web}/gone — now unknown; dead since" in text and "found dead 1 time" in text
    assert item.xpath(f".//a[@href='{web}/gone']")
    changed = run.md.split("## What changed", 1)[1].split("\n## ", 1)[0]
    assert "- Dead before and not checked now: 4 (neither recovered nor still dead" in changed
    assert f"  - <{web}/gone> — now unknown; dead since" in changed


def test_a_dead_link_with_no_archive_lookup_says_not_looked_up(unconfirmed_runs: tuple[Run, Run, str]) -> None:
    run, _, web = unconfirmed_runs
    section = run.page.get_element_by_id("dead")
    gone = next(row for row in section.xpath(".//tbody/tr") if row.xpath(f".//a[@href='{web}/gone']"))
    assert gone.xpath("./td[5]")[0].text_content() == "archive not looked up"
    assert "no archive copy found" not in run.html and "none found" not in run.md
    assert f"| <{web}/gone> | dead: HTTP 404 **newly dead** | archive not looked up |" in run.md
    assert "- Archive: not looked up" in run.md


@pytest.mark.parametrize(
    ("archive", "words"),
    [
        (None, "archive not looked up"),
        (ArchiveCopy(None, source="availability"), "could not tell (archive unreachable)"),
        (ArchiveCopy(False, source="availability"), "no archive copy found"),
    ],
)
def test_the_archive_column_says_what_the_lookup_found(archive: ArchiveCopy | None, words: str) -> None:
    documents, links = small_run()
    link = links["https://news.example/story"]
    link.archive = archive
    graph = build_graph(documents, links)
    summary = {"documents": 1, "documents_read": 1, "unique_links": 1, "statuses": {"soft-404": 1}}
    page = html.render("2026-01-01T00:00:00+00:00", documents, links, summary, Changes(None), graph, [])
    text = markdown.render("2026-01-01T00:00:00+00:00", documents, links, summary, Changes(None), graph)
    tree = lxml.html.fromstring(page)
    assert tree.get_element_by_id("dead").xpath(".//tbody/tr/td[5]")[0].text_content() == words
    assert tree.xpath("//details[@class='article']//span[@class='archive']")[0].text_content() == words
    dead_rows = [line for line in text.split("## Dead links", 1)[1].splitlines() if line.startswith("| 5 |")]
    assert dead_rows and dead_rows[0].endswith(f"| {words} |")
    if archive is None:
        assert "- Archive: not looked up" in text
    elif archive.available is None:
        assert "- Archive: could not tell for 1 link (archive unreachable)\n" in text
    else:
        assert "- Archive: no copy for 1 link\n" in text


def test_an_unreachable_archive_is_not_reported_as_no_copy(tmp_path: Path) -> None:
    from localweb import closed_port

    nowhere = f"http://127.0.0.1:{closed_port()}"
    with serve() as (web, _):
        write_corpus(tmp_path / "corpus", web)
        done = refcheck(tmp_path, "corpus", "--allow-private", "--host-interval", "0", "--archive-interval", "0",
                        "--wayback-url", nowhere, "--cdx-url", nowhere, "--cache-dir", "cache", "--retries", "0")  # fmt: skip
    assert done.returncode == 1, done.stderr
    run = read_run(tmp_path, done.stdout)
    cell = next(row for row in run.page.get_element_by_id("dead").xpath(".//tbody/tr")
                if row.xpath(f".//a[@href='{web}/gone']")).xpath("./td[5]")[0]  # fmt: skip
    assert cell.text_content() == "could not tell (archive unreachable)"
    assert "no archive copy found" not in run.html
    assert f"| <{web}/gone> | dead: HTTP 404 **newly dead** | could not tell (archive unreachable) |" in run.md
    assert "- Archive: could not tell for 4 links (archive unreachable)\n" in run.md


def test_one_of_a_kind_is_never_plural() -> None:
    documents, links = small_run()
    graph = build_graph(documents, links)
    summary = {"documents": 1, "documents_read": 1, "unique_links": 1, "citations": 1, "statuses": {"soft-404": 1}}
    history: list[dict[str, object]] = [
        {"generated_at": f"2026-01-{day:02d}T03:00:00+00:00", "links": 1, "statuses": {"ok": 1}, "complete": True}
        for day in range(1, html.RUNS_IN_TABLE + 2)
    ]
    page = lxml.html.fromstring(html.render("2026-02-01T00:00:00+00:00", documents, links, summary, Changes(None),
                                            graph, history))  # fmt: skip
    assert " ".join(page.get_element_by_id("card-links").text_content().split()) == "1unique link1 citation"
    assert "1 earlier run in history.jsonl." in page.get_element_by_id("trend").text_content()


def test_works_cited_without_a_link_and_unrecognised_languages_in_the_terminals_words(offline_run: Run) -> None:
    assert "1 work cited without a link" in offline_run.stdout
    md, page = offline_run.md, offline_run.page
    assert "; 1 work cited without a link (not counted)" in md and "notes not counted" not in md
    assert "### Works cited without a link, not counted as problems (1)" in md
    assert "1 work cited without a link listed apart, not counted" in page.get_element_by_id("problems").text_content()
    documents, links = small_run()
    summary = {"statuses": {}, "languages": {"en": 1, "unknown": 2}}
    view = html.report_view("2026-01-01", documents, links, summary, Changes(None))
    assert view.languages == [("en", 1)] and view.language_unknown == 2
    graph = build_graph(documents, links)
    text = markdown.render("2026-01-01T00:00:00+00:00", documents, links, summary, Changes(None), graph)
    assert "- Languages: en 1; language not recognised: 2 articles\n" in text
    tree = lxml.html.fromstring(html.render("2026-01-01T00:00:00+00:00", documents, links, summary, Changes(None),
                                            graph, []))  # fmt: skip
    assert tree.get_element_by_id("languages").text_content() == "Languages: en 1; language not recognised: 2 articles"
    assert not tree.xpath("//*[@lang='unknown']")


def test_trend_series_that_can_coincide_are_drawn_so_each_stays_visible() -> None:
    points = html.run_points(
        [{"generated_at": "2026-01-01T03:00:00+00:00", "links": 2, "statuses": {"ok": 1, "dead": 1}}]
    )
    series = html.trend_data(points)["series"]
    widths = [line["width"] for line in series]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == len(widths)  # each on top of a wider one
    dashes = [tuple(line["dash"]) for line in series]
    assert len(set(dashes)) == len(dashes) and all(dashes[1:])  # every line on top is dashed: the one below shows


def test_a_first_run_does_not_list_every_link_as_newly_cited(unconfirmed_runs: tuple[Run, Run, str]) -> None:
    first, _, web = unconfirmed_runs
    changed = first.md.split("## What changed", 1)[1].split("\n## ", 1)[0]
    assert "- Newly cited: 7 (every link: nothing to compare with)\n- No longer cited: 0" in changed
    assert f"<{web}/ok>" not in changed  # the top of the report is not a list of every link
    section = first.page.get_element_by_id("changes")
    assert not section.xpath(f".//a[@href='{web}/ok']") and section.xpath(f".//a[@href='{web}/gone']")
