"""The review of issue 13, as a user meets it: link filters as lychee's, honest exit
lines and coverage when rules leave links out, outputs that fail after the run,
plurals and wording, paths with line breaks in CI formats, HTML entities in page
titles, doubtful option values, an interrupted run's reports, flags that undo the
settings file."""

from __future__ import annotations

import json
import signal
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import exit_line, refcheck, totals_line
from localweb import serve
from test_interruption import check_args, start, wait_for, write_corpus

from refcheck.models import Coverage, LinkResult, LinkStatus, Summary, Verdict
from refcheck.report.annotations import escape_property, real_path
from refcheck.report.console import _rot_text
from refcheck.report.console import totals_line as summary_totals
from refcheck.report.stats import OutletRow
from refcheck.resolve.settings import LinkPattern, LinkRules
from refcheck.resolve.verdict import classify_response, page_title

PAD = "This sentence pads the paragraph so that it is long enough to end the header of the article. " * 3


def corpus_citing(tmp_path: Path, urls: list[str], name: str = "a.txt") -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    notes = "\n\n".join(f"({n}) Source, 3 March 2020: {url}" for n, url in enumerate(urls, 1))
    markers = " ".join(f"Claim ({n})." for n in range(1, len(urls) + 1))
    (corpus / name).write_text(f"A headline\n\n{markers} {PAD}\n\nNotes\n\n{notes}\n", encoding="utf-8")
    return corpus


def one_line_error(done: object) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)  # type: ignore[attr-defined]
    lines = done.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    return lines[0]  # type: ignore[no-any-return]


# --- 1. includes and excludes as lychee's --------------------------------------------------------


def rules(exclude: list[str], include: list[str]) -> LinkRules:
    import re

    return LinkRules(
        exclude=tuple(LinkPattern(re.compile(p), "--exclude") for p in exclude),
        include=tuple(LinkPattern(re.compile(p), "--include") for p in include),
    )


def test_with_excludes_too_a_link_matching_neither_is_checked() -> None:
    both = rules([r"/dead/"], ["keep"])
    assert both.skip_reason("http://h/ok/1", "h") is None
    assert both.skip_reason("http://h/dead/keep", "h") is None  # include wins
    assert both.skip_reason("http://h/dead/1", "h") == "excluded by --exclude '/dead/'"
    alone = rules([], ["keep"])
    assert alone.skip_reason("http://h/ok/1", "h") == "not matched by --include 'keep'"
    assert alone.skip_reason("http://h/keep", "h") is None


def test_readme_example_settings_skip_only_the_ads(tmp_path: Path) -> None:
    with serve() as (web, stats):
        corpus = corpus_citing(tmp_path, [f"{web}/ok", f"{web}/ok-ads/x", f"{web}/ok-ads/keep-this"])
        (corpus / "refcheck.toml").write_text(
            "exclude-links = ['^https?://127\\.0\\.0\\.1:\\d+/ok-ads/']\ninclude-links = ['ads/keep-this']\n",
            encoding="utf-8",
        )
        done = refcheck(tmp_path, "corpus", "--allow-private", "--no-archive", "--host-interval", "0",
                        "--no-report", "--json", "-")  # fmt: skip
    statuses = {link["url"]: link["status"] for link in json.loads(done.stdout)["links"]}
    assert statuses[f"{web}/ok-ads/x"] == "skipped"
    assert statuses[f"{web}/ok"] != "skipped" and statuses[f"{web}/ok-ads/keep-this"] != "skipped"
    assert stats.requests["/ok-ads/x"] == 0
    assert stats.requests["/ok"] >= 1 and stats.requests["/ok-ads/keep-this"] >= 1


# --- 2. a run that checks nothing says so -----------------------------------------------------------


def test_every_link_skipped_by_rules_is_said_and_not_called_no_dead_links(tmp_path: Path) -> None:
    corpus_citing(tmp_path, ["https://example.org/a", "https://example.org/b"])
    done = refcheck(tmp_path, "corpus", "--offline", "--exclude", "example", "--no-report")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "2 of 2 links skipped by rules (--exclude): nothing was checked"
    assert exit_line(done.stdout) == "exit 0: no link checked, 2 links skipped by rules — nothing failed"
    assert "no dead links" not in done.stdout


def ruled(url: str, reason: str) -> LinkResult:
    return LinkResult(url, "example.org", verdict=Verdict(LinkStatus.SKIPPED, error=reason))


def test_coverage_counts_links_left_out_by_rules_apart_from_other_skips() -> None:
    links = [
        ruled("https://a/1", "excluded by --exclude 'a'"),
        ruled("https://a/2", "domain rule: skip (a)"),
        ruled("mailto:x@a", "unsupported scheme mailto:"),
        LinkResult("https://b/", "b", verdict=Verdict(LinkStatus.OK)),
    ]
    coverage = Coverage.of(links)
    assert (coverage.skipped, coverage.ruled_out, coverage.rules) == (3, 2, ["--exclude", "domain rules"])
    assert coverage.complete and not coverage.nothing_settled
    assert coverage.text() == "2 of 4 links skipped by rules (--exclude, domain rules)"
    assert Coverage.of(links[:2]).nothing_settled
    assert (
        Coverage.of(links[:2]).text() == "2 of 2 links skipped by rules (--exclude, domain rules): nothing was checked"
    )
    assert Coverage.of([links[3]]).text() == ""


# --- 5. an output that cannot be written -----------------------------------------------------------


def test_graph_out_folder_is_refused_before_the_run(tmp_path: Path) -> None:
    corpus_citing(tmp_path, ["https://example.org/a"])
    (tmp_path / "somewhere").mkdir()
    line = one_line_error(refcheck(tmp_path, "corpus", "--offline", "--graph", "dot", "--graph-out", "somewhere"))
    assert line == "refcheck: --graph-out somewhere: is a folder, not a file"
    assert not (tmp_path / "reports").exists()  # refused before anything ran


def test_graph_write_failing_at_the_end_keeps_the_summary(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    corpus_citing(tmp_path, ["https://example.org/a"])
    done = refcheck(tmp_path, "corpus", "--offline", "--no-report", "--graph", "dot", "--graph-out", "/dev/full")
    assert done.returncode == 2
    assert "1 of 1 article read" in totals_line(done.stdout)
    assert exit_line(done.stdout).startswith("exit 2: /dev/full: cannot write the graph")
    assert done.stderr.startswith("refcheck: /dev/full: cannot write the graph") and done.stderr.count("\n") == 1


# --- 6. plurals and -h -------------------------------------------------------------------------------


def test_help_shows_path_without_its_python_type(tmp_path: Path) -> None:
    done = refcheck(tmp_path, "-h")
    assert done.returncode == 0
    assert "<list" not in done.stdout and "{PATH" not in done.stdout
    assert "[OPTIONS] PATH..." in done.stdout


def test_quiet_cut_of_errors_says_one_more_error(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    note = "(1) Source, 3 March 2020: https://example.org/a"
    for name in ("a.txt", "b.txt", "c.txt"):  # 7 missing notes each: 21 errors, one past the cut of 20
        markers = " ".join(f"Claim ({n})." for n in range(1, 9))  # one note: the others are missing
        (corpus / name).write_text(f"A headline\n\n{markers} {PAD}\n\nNotes\n\n{note}\n", encoding="utf-8")
    done = refcheck(tmp_path, "corpus", "--offline", "--no-report", "-q")
    assert "footnote problems: 21 errors (missing-footnote 21)" in done.stdout.splitlines()
    assert "  … and 1 more error (-v lists them all)" in done.stdout.splitlines()


# --- 9. line breaks in an article's path --------------------------------------------------------------


def test_path_with_a_line_break_is_escaped_as_the_actions_toolkit_does(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "new\nline.md").write_text(f"# A headline\n\nClaim [^1] {PAD}\n", encoding="utf-8")
    github = refcheck(tmp_path, "corpus", "--offline", "--no-report", "--format", "github")
    [line] = [line for line in github.stdout.splitlines() if "missing-footnote" in line]
    assert line.startswith("::error file=corpus/new%0Aline.md,line=3,")
    junit = refcheck(tmp_path, "corpus", "--offline", "--no-report", "--format", "junit")
    [suite] = ET.fromstring(junit.stdout).findall("testsuite")
    assert suite.get("name") == "corpus/new\nline.md"
    assert {case.get("file") for case in suite.findall("testcase")} == {"corpus/new\nline.md"}


def test_real_path_undoes_only_the_escapes_of_control_characters() -> None:
    assert real_path("a\\nb\\x01c\\x41.md") == "a\nb\x01c\\x41.md"
    assert escape_property(real_path("d\\r\\n:x,y%.md")) == "d%0D%0A%3Ax%2Cy%25.md"


# --- 10. HTML entities in a page title -------------------------------------------------------------


def test_page_title_entities_are_decoded_before_the_error_patterns() -> None:
    assert page_title(b"<title>Page not found &ndash; Site</title>") == "Page not found \u2013 Site"
    assert page_title(b"<title>&lt;b&gt; is a tag</title>") == "<b> is a tag"
    status, reason = classify_response(
        200, {}, b"<title>Page&nbsp;not&#32;found &amp; more</title>", "https://a/x/y", "https://a/x/y", False
    )
    assert status is LinkStatus.SOFT_404
    assert reason == "error page title: Page not found & more"


# --- 11. doubtful option values --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--fail-on", ""], "refcheck: --fail-on: no condition given"),
        (["--fail-on", "none,dead"], "refcheck: --fail-on: 'none' cannot go with other conditions"),
        (["--exclude", ""], "refcheck: --exclude '' is empty: it would match every link"),
        (["--include", ""], "refcheck: --include '' is empty: it would match every link"),
    ],
)
def test_doubtful_values_are_refused(tmp_path: Path, args: list[str], expected: str) -> None:
    corpus_citing(tmp_path, ["https://example.org/a"])
    assert one_line_error(refcheck(tmp_path, "corpus", "--offline", *args)).startswith(expected)


def test_empty_link_pattern_in_the_settings_file_is_refused(tmp_path: Path) -> None:
    corpus = corpus_citing(tmp_path, ["https://example.org/a"])
    (corpus / "refcheck.toml").write_text("exclude-links = ['']\n", encoding="utf-8")
    line = one_line_error(refcheck(tmp_path, "corpus", "--offline"))
    assert line.endswith(
        "refcheck.toml: setting 'exclude-links': '' is empty: it would match every link (write a regular expression)"
    )


# --- 12. wording --------------------------------------------------------------------------------------


def test_option_values_are_named_as_options(tmp_path: Path) -> None:
    corpus_citing(tmp_path, ["https://example.org/a"])
    assert one_line_error(refcheck(tmp_path, "corpus", "--timeout", "0")) == "refcheck: --timeout must be more than 0"


def test_two_consumers_message_suggests_only_what_applies(tmp_path: Path) -> None:
    corpus_citing(tmp_path, ["https://example.org/a"])
    line = one_line_error(refcheck(tmp_path, "corpus", "--offline", "--format", "junit", "--json", "-"))
    assert "--graph-out" not in line and "--json FILE" in line


def test_rot_by_outlet_has_one_pair_of_parentheses() -> None:
    row = OutletRow(links=3, dead=1, unknown=2, not_checked=2, domain="(no domain)")
    assert _rot_text(row) == "(no domain) 1/1 (100%, 2 not checked)"
    assert _rot_text(OutletRow(links=5, dead=2, unknown=0, domain="example.org")) == "example.org 2/5 (40%)"


def test_totals_wording() -> None:
    summary = Summary(documents=2, documents_read=2, citations=71, unique_links=70, links_scope="article")
    summary.citations_by_region = {"article": 71, "page": 7}
    summary.languages = {"en": 1, "unknown": 1}
    line = summary_totals(summary, [])
    assert line.startswith(
        "2 of 2 articles read, 71 citations (7 more in page furniture, not checked: --links all), 70 unique links"
    )
    summary.languages = {"en": 2, "ar": 1, "unknown": 1}
    assert summary_totals(summary, []).startswith(
        "2 of 2 articles read (2 languages: en 2, ar 1; 1 of unknown language), "
    )
    one = Summary(documents=1, documents_read=1)
    assert summary_totals(one, []).startswith("1 of 1 article read, 0 citations, 0 unique links")


# --- 13. an interrupted run writes its reports ---------------------------------------------------


def test_interrupted_run_writes_its_reports_and_an_incomplete_history_row(tmp_path: Path) -> None:
    with serve() as (base, stats):
        write_corpus(tmp_path / "corpus", base)
        process = start(tmp_path, *check_args(tmp_path / "cache", "--report-dir", "reports"))
        try:
            wait_for(lambda: stats.total >= 6)
            process.send_signal(signal.SIGINT)
            stdout, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 130, (stdout, stderr)
    assert "Traceback" not in stderr
    assert stdout.splitlines()[-1] == "exit 130: interrupted"
    [row] = [json.loads(line) for line in (tmp_path / "reports" / "history.jsonl").read_text().splitlines()]
    assert row["complete"] is False
    report = json.loads((tmp_path / "reports" / row["run"] / "report.json").read_text())
    coverage = report["summary"]["coverage"]
    assert coverage["interrupted"] is True and coverage["not_checked"] > 0


# --- 14. flags that undo the settings file -----------------------------------------------------


def test_report_and_no_refresh_undo_the_settings_file(tmp_path: Path) -> None:
    with serve() as (web, stats):
        corpus = corpus_citing(tmp_path, [f"{web}/ok"])
        args = ["--allow-private", "--no-archive", "--host-interval", "0", "--cache-dir", "cache"]
        assert refcheck(tmp_path, "corpus", *args, "--no-report").returncode == 0
        (corpus / "refcheck.toml").write_text("no-report = true\nrefresh = true\n", encoding="utf-8")
        done = refcheck(tmp_path, "corpus", *args, "--report", "--no-refresh")
    assert done.returncode == 0, done.stderr
    assert stats.requests["/ok"] == 1  # the cached verdict was reused
    assert (tmp_path / "reports" / "history.jsonl").is_file()
