"""--format junit and --format github: parsed back (xml.etree; GitHub's own escaping
rules), with hostile text from the corpus and from servers (control characters,
``]]>``, ``::`` and line breaks that would end a workflow command early)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import refcheck
from localweb import serve

from refcheck.models import (
    ArchiveCopy,
    Citation,
    CitedBy,
    Document,
    LinkResult,
    LinkStatus,
    Problem,
    RunResult,
    Verdict,
)
from refcheck.report.annotations import annotation_lines, command, escape_data, escape_property
from refcheck.report.findings import dead_findings
from refcheck.report.junit import junit_xml
from refcheck.spool import DocumentSpool

PAD = "This sentence pads the paragraph so that it is long enough to end the header of the article. " * 3
LIVE = ["--allow-private", "--no-archive", "--host-interval", "0", "--retries", "0", "--no-report"]


def corpus(tmp_path: Path, web: str) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    notes = f"(1) Source: {web}/ok\n\n(2) Source: {web}/gone\n\n(3) Source: {web}/soft\n\n(4) Source: {web}/forbidden"
    body = f"One (1). Two (2). Three (3). Four (4). Five (5). {PAD}"
    (folder / "a.txt").write_text(f"A headline\n\n{body}\n\nNotes\n\n{notes}\n", encoding="utf-8")


def test_junit_on_stdout_parses_and_counts(tmp_path: Path) -> None:
    with serve() as (web, _):
        corpus(tmp_path, web)
        done = refcheck(tmp_path, "corpus", *LIVE, "--format", "junit")
    assert done.returncode == 1
    root = ET.fromstring(done.stdout)  # stdout holds the XML and nothing else
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    assert suite.get("name") == "corpus/a.txt"
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert cases[f"line 7 note 1: {web}/ok"].find("failure") is None
    gone = cases[f"line 9 note 2: {web}/gone"].find("failure")
    assert gone is not None and gone.get("type") == "dead" and "HTTP 404" in (gone.get("message") or "")
    soft = cases[f"line 11 note 3: {web}/soft"].find("failure")
    assert soft is not None and soft.get("type") == "soft-404" and (soft.get("message") or "").startswith("soft-404: ")
    blocked = cases[f"line 13 note 4: {web}/forbidden"].find("skipped")
    assert blocked is not None and (blocked.get("message") or "").startswith("blocked: HTTP 403")
    missing = cases["line 3: missing-footnote"].find("failure")
    assert missing is not None and missing.get("message") == "error: marker 5 has no footnote"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("5", "3", "1")
    assert (root.get("tests"), root.get("failures")) == ("5", "3")
    assert "of 1 article read" in done.stderr and done.stderr.splitlines()[-1].startswith("exit 1: ")


def test_github_annotations_on_stdout(tmp_path: Path) -> None:
    with serve() as (web, _):
        corpus(tmp_path, web)
        done = refcheck(tmp_path, "corpus", *LIVE, "--format", "github")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"::error file=corpus/a.txt,line=9,title=newly dead link (note 2)::{web}/gone: HTTP 404")
    assert lines[1].startswith(f"::warning file=corpus/a.txt,line=11,title=newly soft-404 link (note 3)::{web}/soft: ")
    assert lines[2] == "::error file=corpus/a.txt,line=3,title=missing-footnote::marker 5 has no footnote"
    assert len(lines) == 3  # the blocked link is not a problem; the ok one neither
    assert done.stderr.splitlines()[-1].startswith("exit 1: ")


def test_offline_junit_skips_every_link_with_the_reason(tmp_path: Path) -> None:
    corpus(tmp_path, "https://example.org")
    done = refcheck(tmp_path, "corpus", "--offline", "--no-report", "--format", "junit", "--fail-on", "none")
    assert done.returncode == 0
    root = ET.fromstring(done.stdout)
    assert root.get("skipped") == "4" and root.get("failures") == "1"
    [coverage] = root.findall("properties/property")
    assert coverage.get("name") == "coverage" and "not checked (offline 4)" in (coverage.get("value") or "")
    messages = {
        case.find("skipped").get("message") for case in root.iter("testcase") if case.find("skipped") is not None
    }  # type: ignore[union-attr]
    assert messages == {"unknown: offline run: not checked"}


# --- hostile text --------------------------------------------------------------------------------

HOSTILE = "bad]]><x/>&\x01\x1b[31m\u202e\ud800%0A\r\n::error ::x,y:z"


def hostile_result() -> RunResult:
    url = f"https://example.org/{HOSTILE}"
    spool = DocumentSpool()
    spool.append(
        Document(
            path=f"corpus/{HOSTILE}.txt",
            format="text",
            citations=[Citation(url, url, "example.org", "footnote", 1, 7)],
            problems=[
                Problem("missing-footnote", 2, 3, f"marker {HOSTILE}", "error"),
                Problem("unlinked-work", 1, 4, "a book", "info"),
            ],
        )
    )
    link = LinkResult(
        url,
        "example.org",
        cited_by=[CitedBy(f"corpus/{HOSTILE}.txt", 7, 1, "2020-03-03")],
        verdict=Verdict(LinkStatus.SOFT_404, http_status=200, error=f"error page title: {HOSTILE}"),
        archive=ArchiveCopy(True, f"https://web.archive.org/web/20200307000000/{HOSTILE}", "20200307000000"),
    )
    return RunResult(generated_at="2026-01-01T00:00:00+00:00", documents=spool, links={url: link})


def test_junit_with_hostile_text_is_well_formed() -> None:
    result = hostile_result()
    text = junit_xml(result, dead_findings(result.links, set()))
    root = ET.fromstring(text)
    assert "\x01" not in text and "\x1b" not in text and "\u202e" not in text
    [suite] = root.findall("testsuite")
    assert suite.get("name", "").startswith("corpus/bad]]><x/>&")  # read back as it was, escaped by the library
    failures = [case.find("failure") for case in suite.findall("testcase")]
    assert [failure.get("type") for failure in failures if failure is not None] == ["soft-404", "missing-footnote"]
    assert "archive copy of 2020-03-07" in (failures[0].text or "")  # type: ignore[union-attr]
    assert len(suite.findall("testcase")) == 2  # the info item is not a problem
    result.documents.close()


def test_github_lines_with_hostile_text_stay_one_command_each() -> None:
    result = hostile_result()
    lines = list(annotation_lines(result, dead_findings(result.links, set())))
    result.documents.close()
    assert len(lines) == 2
    for line in lines:
        assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\u202e" not in line
        head, _, message = line.partition("::")[2].partition("::")
        assert message  # what follows the second "::" is data to the runner: only a line break could end it
        level, _, properties = head.partition(" ")
        assert level in ("error", "warning")
        for pair in properties.split(","):  # commas inside a value are escaped, so each pair splits cleanly
            name, _, value = pair.partition("=")
            assert name in ("file", "line", "title") and ":" not in value
    # Control characters shown as visible escapes, "%" escaped before anything else, line breaks as
    # the Actions toolkit escapes them (%0D%0A), ",", ":" in properties.
    assert lines[0].startswith(
        "::warning file=corpus/bad]]><x/>&\\x01\\x1b[31m\\u202e\\ud800%250A%0D%0A%3A%3Aerror %3A%3Ax%2Cy%3Az.txt,"
    )


def test_github_escaping_rules() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"  # line breaks escaped as the toolkit does
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    assert command("error", "msg", file="a.md", line=3, title="t") == "::error file=a.md,line=3,title=t::msg"
    assert command("warning", "m") == "::warning::m"


def test_json_and_junit_never_share_stdout(tmp_path: Path) -> None:
    corpus(tmp_path, "https://example.org")
    done = refcheck(tmp_path, "corpus", "--offline", "--format", "junit", "--json", "out.json")
    assert done.returncode == 1
    ET.fromstring(done.stdout)
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["schema"] == 1
