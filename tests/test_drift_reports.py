"""Content drift in every report (issue 15, part 2): the terminal, report.md,
report.html, per-outlet counts, what changed, history rows, JUnit and GitHub
annotations -- built from LinkResult records made here (the detection is tested
apart), with hostile titles read back by real parsers; and nothing at all about
drift when a run did not look at it."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import lxml.html
from markdown_it import MarkdownIt

from refcheck.models import (
    Citation,
    CitedBy,
    Document,
    Drift,
    DriftVerdict,
    LinkResult,
    LinkStatus,
    RunResult,
    Summary,
    Verdict,
)
from refcheck.report import html, markdown
from refcheck.report.annotations import annotation_lines
from refcheck.report.changes import Changes, compare
from refcheck.report.console import View, write_summary
from refcheck.report.files import history_row, read_history, write_reports
from refcheck.report.findings import dead_findings, drift_findings
from refcheck.report.graph import build_graph
from refcheck.report.junit import junit_xml
from refcheck.report.stats import outlet_rows
from refcheck.spool import DocumentSpool

HOSTILE = "<script>alert(1)</script> | *em* [x](javascript:y) ]]> `tick` \x1b[31m\u202e::error ::z%0A\r\nnext"
"""A title as a hostile page could give it: HTML, Markdown, XML, a terminal escape,
a bidi override, a workflow command and a line break."""

ARTICLE = "corpus/a.txt"
GENERATED = "2026-03-01T00:00:00+00:00"
REPLACED = "https://news.example/2018/assad-envoy"
CHANGED = "https://news.example/2018/edited"
SAME = "https://other.example/story"
UNKNOWN = "https://other.example/no-capture"
DEAD = "https://gone.example/page"


def capture(url: str) -> str:
    return f"https://web.archive.org/web/20180830000000/{url}"


def drifted(url: str, line: int, verdict: DriftVerdict, *, title: str | None = None, **evidence: object) -> LinkResult:
    """A live link cited at ``line`` (note ``line``) whose drift is ``verdict``."""
    known = verdict is not DriftVerdict.UNKNOWN
    drift = Drift(
        verdict,
        reason=str(evidence.get("reason", f"{verdict} reason")),
        cited_title=title,
        then_title=str(evidence.get("then", "Envoy meets Assad in Damascus")) if known else None,
        now_title=str(evidence.get("now", "News Example | Home")) if known else None,
        title_similarity=0.12 if known else None,
        cited_similarity=0.05 if known else None,
        text_similarity=0.03 if known else None,
        capture_url=capture(url) if known else None,
        capture_timestamp="20180830000000" if known else None,
        checked_at=GENERATED,
    )
    domain = url.split("/")[2]
    cited = [CitedBy(ARTICLE, line, line, "2018-08-28", title)]
    return LinkResult(url, domain, cited, verdict=Verdict(LinkStatus.OK, http_status=200), drift=drift)


def drift_links() -> dict[str, LinkResult]:
    links = [
        drifted(
            REPLACED,
            5,
            DriftVerdict.REPLACED,
            title=HOSTILE,
            then=f"Then {HOSTILE}",
            now=f"Now {HOSTILE}",
            reason="now a home page",
        ),
        drifted(CHANGED, 7, DriftVerdict.CHANGED, title="Envoy meets Assad", reason="same title, text edited"),
        drifted(SAME, 9, DriftVerdict.NONE),
        drifted(UNKNOWN, 11, DriftVerdict.UNKNOWN),
        LinkResult(
            DEAD,
            "gone.example",
            [CitedBy(ARTICLE, 13, 13, "2018-08-28")],
            verdict=Verdict(LinkStatus.DEAD, http_status=404, error="HTTP 404"),
        ),
    ]
    return {link.url: link for link in links}


def plain_links() -> dict[str, LinkResult]:
    """The same run with drift not looked at (``--drift`` off)."""
    links = drift_links()
    for link in links.values():
        link.drift = None
    return links


def document(links: dict[str, LinkResult]) -> Document:
    return Document(
        ARTICLE,
        "text",
        citations=[
            Citation(url, url, link.domain or "", "footnote", link.cited_by[0].line, link.cited_by[0].line)
            for url, link in links.items()
        ],
    )


def run_of(links: dict[str, LinkResult], inputs: list[str] | None = None) -> RunResult:
    spool = DocumentSpool()
    spool.append(document(links))
    statuses: dict[str, int] = {}
    for link in links.values():
        statuses[str(link.status)] = statuses.get(str(link.status), 0) + 1
    summary = Summary(documents=1, documents_read=1, unique_links=len(links), statuses=statuses)
    return RunResult(GENERATED, spool, links, summary, inputs=inputs or ["/corpus"])


def terminal(links: dict[str, LinkResult], level: str = "default", **view: object) -> str:
    out = io.StringIO()
    write_summary(run_of(links), out, view=View(level, **view))  # type: ignore[arg-type]
    return out.getvalue()


def pages(links: dict[str, LinkResult], changes: Changes) -> tuple[str, str]:
    """report.html and report.md of the run."""
    documents = [document(links)]
    graph = build_graph(documents, links)
    summary = run_of(links).summary.to_dict()
    page = html.render(GENERATED, documents, links, summary, changes, graph, [])
    text = markdown.render(GENERATED, documents, links, summary, changes, graph)
    return page, text


# --------------------------------------------------------------------------- the terminal


def test_terminal_lists_replaced_then_changed_with_titles_scores_and_links() -> None:
    text = terminal(drift_links(), newly_drifted=frozenset({REPLACED}))
    section = text.split("content drift: ", 1)[1]
    assert section.startswith("2 links (1 replaced, 1 changed), 1 newly replaced, cited 2 times in 1 article:")
    assert text.index("dead links:") < text.index("content drift: ")  # after the dead links
    lines = section.splitlines()
    assert lines[1] == f"  {ARTICLE}"
    assert lines[2] == f"    line 5, note 5: {REPLACED} — replaced: now a home page (newly replaced)"
    assert lines[3].startswith("      cited: “<script>alert(1)</script> | *em*") and " · then: “Then " in lines[3]
    assert lines[4] == "      similarity: cited/now title 0.05, then/now title 0.12, then/now text 0.03"
    assert lines[5] == f"      capture of 2018-08-30: {capture(REPLACED)}"
    assert lines[6] == f"      live: {REPLACED}"
    assert lines[7] == f"    line 7, note 7: {CHANGED} — changed: same title, text edited"
    assert SAME not in section.split("\n\n")[0] and UNKNOWN not in text  # none and unknown are not listed
    assert "content drift by outlet: news.example (1 replaced and 1 changed of 2 compared)" in text
    # Hostile titles reach the terminal with no escape sequence, bidi override or line break.
    assert "\x1b" not in text and "\u202e" not in text and "\r" not in text
    assert "`tick` \\x1b[31m" in text  # shown, and the title cut ("…") at the terminal's width
    assert max(len(line) for line in text.splitlines()) < 400


def test_quiet_terminal_lists_replaced_pages_only() -> None:
    text = terminal(drift_links(), "quiet")
    assert (
        "content drift: 1 link (1 replaced), cited 1 time in 1 article (1 changed page not listed: without -q):" in text
    )
    assert REPLACED in text and CHANGED not in text
    assert "content drift by outlet" not in text  # quiet: no outlet lines


def test_terminal_cuts_the_drift_list_like_the_dead_list() -> None:
    links = {
        f"https://news.example/{n}": drifted(f"https://news.example/{n}", n, DriftVerdict.REPLACED)
        for n in range(1, 26)
    }
    text = terminal(links, full_list="reports/x/report.md")
    assert text.count("— replaced: replaced reason") == 20
    assert "  … and 5 more in reports/x/report.md" in text
    assert terminal(links, "verbose").count("— replaced: replaced reason") == 25


# --------------------------------------------------------------------------- report.html and report.md


def test_html_shows_the_three_titles_side_by_side_escaped_with_capture_and_live_links() -> None:
    links = drift_links()
    page, _ = pages(links, compare(links, None, None, "2026-03-01"))
    tree = lxml.html.fromstring(page)
    ids = [str(item.get("id")) for item in tree.xpath("//body/header | //body/section")]
    assert ids[:4] == ["top", "changes", "dead", "drift"]
    section = tree.get_element_by_id("drift")
    assert section.find("h2").text_content() == "Content drift 2"
    counts = tree.get_element_by_id("drift-counts").text_content()
    assert counts.startswith("1 replaced, 1 changed, 1 unchanged among the 3 links compared; 1 link not comparable")
    rows = section.xpath(".//tbody/tr")
    assert [row.get("class") for row in rows] == ["drift-replaced new", "drift-changed new"]  # first run: all new
    cells = rows[0].findall("td")
    assert [cell.text_content() for cell in cells[:2]] == ["5", "5"]
    assert cells[2].text_content().startswith("replaced newly replaced now a home page")
    shown = HOSTILE.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e").replace("\r\n", "  ")
    assert cells[3].text_content() == shown  # the cited title, read back as text
    assert cells[4].text_content().startswith("Then " + shown)
    assert cells[5].text_content().startswith("Now " + shown)
    assert cells[6].text_content() == "cited/now title 0.05, then/now title 0.12, then/now text 0.03"
    assert [a.get("href") for a in cells[4].iter("a")] == [capture(REPLACED)]
    assert "captured 2 days after it was cited" in cells[4].text_content()
    assert [a.get("href") for a in cells[5].iter("a")] == [REPLACED]  # the live page
    # No element came from a title: the only scripts are the inlined ones, no javascript: link.
    assert len(tree.xpath("//script[not(@type)]")) == len(html.SCRIPTS)
    assert not [a for a in tree.iter("a") if not str(a.get("href", "")).startswith(("http://", "https://", "#"))]
    card = tree.get_element_by_id("card-drift").text_content()
    assert card == "2drifted pages1 replaced, 1 changed, of 3 compared"
    # The article's own table marks the drifted link beside its verdict.
    assert "ok content replaced https" in "".join(
        tree.xpath(f'//details//div[@class="cited"][.//a[@href="{REPLACED}"]]//text()')
    )


def test_html_outlet_table_counts_drift_per_outlet() -> None:
    links = drift_links()
    page, _ = pages(links, Changes(None))
    table = lxml.html.fromstring(page).get_element_by_id("outlet-table")
    header = [th.text_content() for th in table.xpath(".//thead//th")]
    assert header[-3:] == ["Compared", "Changed", "Replaced"]
    rows = {tr[0].text_content(): [td.text_content() for td in tr[-3:]] for tr in table.xpath(".//tbody/tr")}
    assert rows == {"news.example": ["2", "1", "1"], "other.example": ["1", "0", "0"], "gone.example": ["0", "0", "0"]}
    assert {row.domain: (row.compared, row.changed, row.replaced) for row in outlet_rows(links)}["news.example"] == (
        2,
        1,
        1,
    )


def test_markdown_drift_section_renders_whole_with_hostile_titles() -> None:
    links = drift_links()
    _, text = pages(links, compare(links, None, None, "2026-03-01"))
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings.index("## Content drift") == headings.index("## Dead links") + 1
    section = text.split("## Content drift\n", 1)[1].split("\n## ", 1)[0]
    assert "1 replaced, 1 changed, 1 unchanged among the 3 links compared" in section
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    assert rows[0] == "| Line | Note | Drift | Title cited | Then: the capture | Now: the live page | Similarity |"
    tokens = MarkdownIt("commonmark").enable("table").parse(section)
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    inline = [t for t in tokens if t.type == "inline"]
    assert not [c for t in inline for c in t.children or [] if c.type in ("html_inline", "em_open")]
    cells_per_row: list[int] = []
    for token in tokens:
        if token.type == "tr_open":
            cells_per_row.append(0)
        elif token.type in ("td_open", "th_open"):
            cells_per_row[-1] += 1
    assert cells_per_row == [7, 7, 7]  # a '|' in a title never splits a cell
    links_found = [c.attrs.get("href") for t in inline for c in t.children or [] if c.type == "link_open"]
    assert capture(REPLACED) in links_found and REPLACED in links_found
    assert "javascript:" not in "".join(str(href) for href in links_found)
    assert "\x1b" not in text and "\u202e" not in text
    assert "replaced: now a home page **newly replaced**" in section
    outlets = text.split("## Link rot by outlet\n", 1)[1].split("\n## ", 1)[0]
    assert "| Outlet (domain) | Links | Dead | Rot | Unknown | Compared | Changed | Replaced |" in outlets
    assert "| news.example | 2 | 0 | 0% | 0 | 2 | 1 | 1 |" in outlets
    assert "- Content drift: 1 replaced, 1 changed, 1 unchanged" in text


# --------------------------------------------------------------------------- what changed and history


def test_what_changed_names_newly_replaced_and_newly_changed() -> None:
    links = drift_links()
    links["https://news.example/was-changed"] = drifted(
        "https://news.example/was-changed", 15, DriftVerdict.REPLACED
    )  # changed before, replaced now: newly replaced
    links["https://news.example/still"] = drifted("https://news.example/still", 17, DriftVerdict.REPLACED)
    previous = {
        CHANGED: {"url": CHANGED, "status": "ok", "drift": None},  # drift not looked at then
        "https://news.example/was-changed": {"status": "ok", "drift": {"verdict": "changed"}},
        "https://news.example/still": {"status": "ok", "drift": {"verdict": "replaced"}},
        SAME: {"status": "ok", "drift": {"verdict": "replaced"}},  # replaced then, none now: not news
        REPLACED: {"status": "ok", "drift": "not our shape"},
    }
    changes = compare(links, previous, "2026-02-01T000000", "2026-03-01")
    assert changes.newly_replaced == [REPLACED, "https://news.example/was-changed"]
    assert changes.newly_changed == [CHANGED]
    assert changes.to_json()["newly_replaced"] == changes.newly_replaced
    # Only the newly drifted carry the mark, in every report.
    findings = drift_findings(links, changes.newly_drifted)
    assert {item.url for item in findings if item.newly} == {REPLACED, CHANGED, "https://news.example/was-changed"}
    page, text = pages(links, changes)
    listed = lxml.html.fromstring(page).get_element_by_id("changes").text_content()
    assert "Newly replaced: 2" in listed and "Newly changed: 1" in listed
    assert "- Newly replaced: 2\n" in text and f"  - <{CHANGED}>" in text


def test_write_reports_compares_with_the_previous_report_json_and_counts_drift_in_history(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    links = drift_links()
    result = run_of(links)
    earlier = root / "2026-02-01T000000"
    earlier.mkdir(parents=True)
    previous_links = [
        {"url": REPLACED, "status": "ok", "drift": {"verdict": "replaced"}},  # replaced already: not news
        {"url": CHANGED, "status": "ok", "drift": {"verdict": "none"}},  # edited since: newly changed
    ]
    report = {"schema": 1, "corpus": {"key": result.corpus_key}, "links": previous_links}
    (earlier / "report.json").write_text(json.dumps(report), "utf-8")
    written = write_reports(result, root)
    assert written.changes.previous == earlier.name
    assert (written.changes.newly_replaced, written.changes.newly_changed) == ([], [CHANGED])
    data = json.loads((written.folder / "report.json").read_text("utf-8"))
    assert data["changes"]["newly_changed"] == [CHANGED] and data["changes"]["newly_replaced"] == []
    assert {link["url"]: link["drift"]["verdict"] for link in data["links"] if link["drift"]}[REPLACED] == "replaced"
    [row] = read_history(root)
    assert row["drift"] == {"none": 1, "changed": 1, "replaced": 1, "unknown": 1}
    # A second run: the history row reaches the trend table of report.html.
    second = write_reports(run_of(drift_links()), root)
    assert second.changes.newly_changed == [] and second.changes.newly_replaced == []
    page = lxml.html.fromstring((second.folder / "report.html").read_text("utf-8"))
    runs = page.get_element_by_id("runs")
    assert [th.text_content() for th in runs.xpath(".//thead//th")][-3:] == ["replaced", "changed", "Coverage"]
    assert [[td.text_content() for td in tr[-3:-1]] for tr in runs.xpath(".//tbody/tr")] == [["1", "1"], ["1", "1"]]
    markdown_text = (second.folder / "report.md").read_text("utf-8")
    assert "- Newly replaced: 0\n- Newly changed: 0\n" in markdown_text


def test_a_replaced_page_is_not_newly_replaced_again_after_a_night_without_a_verdict(tmp_path: Path) -> None:
    """Replaced, then drift unknown (capture unreachable) and a run with drift off,
    then replaced again: news once only; the last known verdict rides in report.json."""
    root = tmp_path / "reports"
    first = write_reports(run_of(drift_links()), root)
    assert REPLACED in first.changes.newly_replaced
    unknown_night = drift_links()
    unknown_night[REPLACED] = drifted(REPLACED, 5, DriftVerdict.UNKNOWN)
    second = write_reports(run_of(unknown_night), root)
    assert REPLACED not in second.changes.newly_replaced
    record = {link["url"]: link for link in json.loads((second.folder / "report.json").read_text("utf-8"))["links"]}
    assert record[REPLACED]["last_drift"] == {"verdict": "replaced", "since": GENERATED[:10]}
    assert "last_drift" not in record[CHANGED]  # known this run: its own verdict says it
    third = write_reports(run_of(plain_links()), root)  # drift off: nothing said, everything carried
    assert not third.changes.drift and third.changes.last_drift[REPLACED]["verdict"] == "replaced"
    fourth = write_reports(run_of(drift_links()), root)
    assert fourth.changes.newly_replaced == [] and fourth.changes.newly_changed == []
    # A page that was only changed when last known is newly replaced when it is replaced now.
    previous = {REPLACED: {"status": "ok", "drift": {"verdict": "unknown"}, "last_drift": {"verdict": "changed"}}}
    assert compare(drift_links(), previous, "x", "2026-03-02").newly_replaced == [REPLACED]


# --------------------------------------------------------------------------- CI formats


def test_junit_marks_a_replaced_page_as_a_warning_not_a_failure() -> None:
    links = drift_links()
    result = run_of(links)
    root = ET.fromstring(junit_xml(result, dead_findings(links, set()), frozenset({REPLACED})))
    cases = {case.get("name"): case for case in root.iter("testcase")}
    replaced = cases[f"line 5 note 5: {REPLACED}"]
    assert replaced.find("failure") is None and replaced.find("skipped") is None
    [prop] = replaced.findall("properties/property")
    assert (prop.get("name"), prop.get("value")) == ("drift", "replaced")
    err = (replaced.findtext("system-err") or "").splitlines()
    assert err[0] == f"warning: replaced: {REPLACED}: now a home page (newly replaced)"
    assert err[1].startswith("cited: <script>alert(1)</script> | *em*") and "\x1b" not in err[1]
    assert err[-1] == f"capture of 2018-08-30: {capture(REPLACED)}"
    assert cases[f"line 7 note 7: {CHANGED}"].find("system-err") is None  # changed: no warning
    assert root.get("failures") == "1"  # the dead link only


def test_github_annotates_a_replaced_page_as_a_warning_that_cannot_break_out() -> None:
    links = drift_links()
    lines = list(annotation_lines(run_of(links), dead_findings(links, set())))
    assert lines[0].startswith("::error file=corpus/a.txt,line=13,")  # the dead link first
    [warning] = [line for line in lines if line.startswith("::warning")]
    head, message = warning.split("::", 2)[1:]
    assert head == "warning file=corpus/a.txt,line=5,title=replaced page (note 5)"
    assert message.startswith(f"{REPLACED}: now a home page; cited “<script>")
    assert "%250A" in message and "\n" not in warning and "\r" not in warning and "\x1b" not in warning
    assert f"; capture of 2018-08-30: {capture(REPLACED)}" in message
    assert CHANGED not in "\n".join(lines)  # an edited page is no warning
    assert len(lines) == 2


# --------------------------------------------------------------------------- drift off: nothing changes


def test_no_drift_data_means_no_drift_anywhere(tmp_path: Path) -> None:
    links = plain_links()
    text = terminal(links, "verbose")
    assert "drift" not in text
    page, md = pages(links, compare(links, None, None, "2026-03-01"))
    tree = lxml.html.fromstring(page)
    assert not tree.xpath('//*[@id="drift" or @id="card-drift" or @id="drift-counts"]')
    assert [th.text_content() for th in tree.get_element_by_id("outlet-table").xpath(".//thead//th")] == [
        "Outlet (domain)",
        "Links",
        "Dead",
        "Rot",
        "Unknown",
    ]
    assert "drift" not in page.lower().replace("drift.", "")  # no word of it (the inlined scripts have none)
    assert "drift" not in md.lower() and "Newly replaced" not in md and "Compared" not in md
    changes = compare(links, None, None, "2026-03-01")
    assert "newly_replaced" not in changes.to_json() and not changes.drift
    assert "drift" not in history_row(run_of(links), "x")
    result = run_of(links)
    assert "system-err" not in junit_xml(result, dead_findings(links, set()))
    assert not [line for line in annotation_lines(result, []) if line.startswith("::warning")]
    written = write_reports(result, tmp_path / "reports")
    assert "newly_replaced" not in json.loads((written.folder / "report.json").read_text("utf-8"))["changes"]
    assert "drift" not in read_history(tmp_path / "reports")[0]


def test_drift_looked_at_with_nothing_drifted_says_so_without_listing() -> None:
    links = plain_links()
    links[SAME].drift = Drift(DriftVerdict.NONE, "title and text match")
    assert "content drift" not in terminal(links)  # nothing to act on: no section in the terminal
    page, md = pages(links, Changes(None))
    tree = lxml.html.fromstring(page)
    assert tree.get_element_by_id("drift").find("h2").text_content() == "Content drift 0"
    assert tree.get_element_by_id("drift-counts").text_content() == (
        "0 replaced, 0 changed, 1 unchanged among the 1 link compared."
    )
    assert "## Content drift" in md and "| Line | Note | Drift |" not in md


# --------------------------------------------------------------------------- the command line, end to end

BUDGET_TEXT = (
    "The city council postponed its vote on the annual budget on Tuesday after members disagreed over how much"
    " money should go to public transport, schools and the repair of the old harbour bridge. Mayor Ana Ruiz said"
    " the delay would last at least two weeks, and that the finance committee would meet again on Friday to look"
    " for savings in the administration of the city's own offices. Opposition members argued that the proposed"
    " cuts to bus routes in the northern districts would hurt workers who start early."
)


def story_page() -> bytes:
    return (
        "<html><head><title>Budget vote delayed | Example News</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Budget vote delayed</h1><p>{BUDGET_TEXT}</p><p>{BUDGET_TEXT}</p></article></body></html>"
    ).encode()


def home_page() -> bytes:
    teasers = "".join(f'<li><a href="/story/{i}">Headline number {i} of the day</a></li>' for i in range(12))
    return f"<html><head><title>Example News</title></head><body><main><ul>{teasers}</ul></main></body></html>".encode()


def test_cli_runs_report_a_page_newly_replaced_in_every_report(tmp_path: Path) -> None:
    from conftest import refcheck
    from localweb import DRIFT_PAGES, serve, serve_archive

    with serve_archive() as (archive_base, archive), serve() as (web, _):
        url = web + "/drift/story"
        archive.captures[url] = ["20180829101500"]
        archive.pages[url] = story_page()
        folder = tmp_path / "corpus"
        folder.mkdir()
        (folder / "story.txt").write_text(
            "Budget trouble\n\nThe council delayed the vote (1).\n\nNotes\n\n"
            f'(1) Example News: "Budget vote delayed", August 28, 2018, {url}\n',
            "utf-8",
        )
        args = ["corpus", "--allow-private", "--host-interval", "0", "--archive-interval", "0", "--refresh",
                "--wayback-url", archive_base, "--cdx-url", archive_base, "--retries", "0", "--timeout", "5",
                "--drift"]  # fmt: skip
        try:
            DRIFT_PAGES["story"] = story_page()
            first = refcheck(tmp_path, *args)
            DRIFT_PAGES["story"] = home_page()
            second = refcheck(tmp_path, *args)
            github = refcheck(tmp_path, *args, "--no-report", "--format", "github")
        finally:
            DRIFT_PAGES.clear()
    assert first.returncode == 0, first.stdout + first.stderr
    assert "content drift" not in first.stdout  # the same page: nothing to list
    assert "content drift: 1 link (1 replaced), 1 newly replaced, cited 1 time in 1 article:" in second.stdout
    assert " · then: “Budget vote delayed | Example News” · now: “Example News”" in second.stdout
    assert "      live: " + url in second.stdout
    folders = sorted(p for p in (tmp_path / "reports").iterdir() if p.is_dir() and not p.is_symlink())
    changes = json.loads((folders[1] / "report.json").read_text("utf-8"))["changes"]
    assert changes["newly_replaced"] == [url] and changes["newly_changed"] == []
    text = (folders[1] / "report.md").read_text("utf-8")
    assert "## Content drift" in text and "- Newly replaced: 1" in text
    page = lxml.html.fromstring((folders[1] / "report.html").read_text("utf-8"))
    [row] = page.get_element_by_id("drift").xpath(".//tbody/tr")
    assert row.get("class") == "drift-replaced new" and url in [a.get("href") for a in row.iter("a")]
    rows = read_history(tmp_path / "reports")
    assert [row["drift"]["replaced"] for row in rows] == [0, 1]  # type: ignore[index]
    assert (
        [line for line in github.stdout.splitlines() if line.startswith("::warning")]
        == [line for line in github.stdout.splitlines() if "title=replaced page (note 1)" in line]
        != []
    )
