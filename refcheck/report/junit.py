"""JUnit XML for CI (``refcheck --format junit``): one test suite per article, one
test case per cited link and one per footnote problem.

A dead or soft-404 link fails its case (the verdict's reason and the archive copy
that can replace it in the failure); a footnote error or warning is a failing case
of its own (info items are not problems: not listed); a link that could not be
checked (offline, network down, blocked, a time-out, left out by a rule) is
*skipped*, with the reason -- never passed. A cited page that now shows something
else (content drift ``replaced``) is a warning: JUnit has none, so its case passes
(whether drift fails the run is ``--fail-on drift``'s to say, in the exit status)
and carries a ``drift`` property and a ``<system-err>`` starting ``warning:`` with the
titles cited, captured and live and the capture. Written with xml.etree, which escapes;
every string first goes through :func:`refcheck.report.escape.plain`, which
removes the characters XML 1.0 forbids (control characters, lone surrogates).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from refcheck.models import DEAD_STATUSES, Document, LinkResult, LinkStatus, RunResult
from refcheck.report.annotations import keeping_breaks, real_path
from refcheck.report.escape import plain
from refcheck.report.findings import DriftFinding, Finding, drift_findings, reason_of


@dataclass
class _Suite:
    element: ET.Element
    tests: int = 0
    failures: int = 0
    skipped: int = 0
    cases: list[ET.Element] = field(default_factory=list)

    def add(self, case: ET.Element, outcome: str | None) -> None:
        self.cases.append(case)
        self.tests += 1
        self.failures += outcome == "failure"
        self.skipped += outcome == "skipped"


def write_junit(
    result: RunResult, findings: Iterable[Finding], out: IO[str], newly_drifted: frozenset[str] = frozenset()
) -> None:
    """The run as JUnit XML on ``out``. ``findings``: :func:`~refcheck.report.findings.dead_findings`
    (for the archive copy and the newly-dead mark of each failing link); ``newly_drifted``:
    URLs newly replaced since the previous run."""
    out.write(junit_xml(result, findings, newly_drifted))


def junit_xml(result: RunResult, findings: Iterable[Finding], newly_drifted: frozenset[str] = frozenset()) -> str:
    by_place = {(item.path, item.line, item.url): item for item in findings}
    drifted = {
        (item.path, item.line, item.url): item
        for item in drift_findings(result.links, newly_drifted, replaced_only=True)
    }
    root = ET.Element("testsuites", name="refcheck")
    totals = [0, 0, 0]
    for document in result.documents:
        if document.skipped or document.error:
            continue
        suite = _suite_of(document, result, by_place, drifted)
        for key, value in (("tests", suite.tests), ("failures", suite.failures), ("errors", 0),
                           ("skipped", suite.skipped)):  # fmt: skip
            suite.element.set(key, str(value))
        suite.element.extend(suite.cases)
        root.append(suite.element)
        totals = [totals[0] + suite.tests, totals[1] + suite.failures, totals[2] + suite.skipped]
    root.set("tests", str(totals[0]))
    root.set("failures", str(totals[1]))
    root.set("errors", "0")
    root.set("skipped", str(totals[2]))
    coverage = result.summary.coverage.text()
    if coverage:
        properties = ET.Element("properties")
        ET.SubElement(properties, "property", name="coverage", value=plain(coverage))
        root.insert(0, properties)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


_XML_BREAKS = {"\n": "\n", "\r": "\r", "\t": "\t"}
"""Kept in a path: XML allows them, and ElementTree writes them in an attribute as ``&#10;``…"""


def xml_path(shown: str) -> str:
    """An article's path as the repository names it (the escapes :mod:`refcheck.collect`
    wrote turned back: ``new\\nline.md`` is ``new`` + a line feed + ``line.md``), with every
    character XML 1.0 forbids -- and every other control character -- still shown escaped."""
    return keeping_breaks(real_path(shown), plain, _XML_BREAKS)


def _suite_of(
    document: Document,
    result: RunResult,
    by_place: dict[tuple[str, int, str], Finding],
    drifted: dict[tuple[str, int, str], DriftFinding],
) -> _Suite:
    path = xml_path(document.path)
    suite = _Suite(ET.Element("testsuite", name=path))
    for citation in document.cited(result.summary.links_scope):
        link = result.links.get(citation.url)
        note = f" note {citation.footnote}" if citation.footnote is not None else ""
        case = _case(path, f"{document.unit} {citation.line}{note}: {plain(citation.url)}", citation.line, document.unit)
        place = (document.path, citation.line, citation.url)
        outcome = _link_outcome(case, link, by_place.get(place))
        if outcome is None and place in drifted:
            _drift_warning(case, drifted[place])
        suite.add(case, outcome)
    for problem in document.problems:
        if problem.severity == "info":
            continue
        case = _case(path, f"{document.unit} {problem.line}: {problem.kind}", problem.line, document.unit)
        failure = ET.SubElement(
            case, "failure", type=problem.kind, message=plain(f"{problem.severity}: {problem.message}")
        )
        where = f":{problem.line}" if document.unit == "line" else f" {document.unit} {problem.line}"
        failure.text = plain(f"{document.path}{where}: {problem.severity}: {problem.kind}: {problem.message}")
        suite.add(case, "failure")
    return suite


def _case(path: str, name: str, line: int, unit: str = "line") -> ET.Element:
    """A test case; ``line`` only for a text file (a PDF's page is no line a CI can show)."""
    case = ET.Element("testcase", classname=path, name=plain(name), file=path)
    if unit == "line":
        case.set("line", str(line))
    return case


def _drift_warning(case: ET.Element, item: DriftFinding) -> None:
    """Mark a passed case whose page now shows something else (see the module)."""
    properties = ET.SubElement(case, "properties")
    ET.SubElement(properties, "property", name="drift", value=str(item.verdict))
    lines = [f"warning: {item.verdict}: {item.url}: {item.reason}" + (" (newly replaced)" if item.newly else "")]
    for label, title in (("cited", item.cited_title), ("then", item.then_title), ("now", item.now_title)):
        lines.append(f"{label}: {title if title else 'none'}")
    if item.scores:
        lines.append(f"similarity: {item.scores}")
    if item.capture_url:
        day = f" of {item.capture_date}" if item.capture_date else ""
        lines.append(f"capture{day}: {item.capture_url}")
    ET.SubElement(case, "system-err").text = "\n".join(plain(line) for line in lines)


def _link_outcome(case: ET.Element, link: LinkResult | None, finding: Finding | None) -> str | None:
    """Mark ``case`` failed or skipped for ``link``'s verdict; returns which (None: passed)."""
    if link is None:
        ET.SubElement(case, "skipped", message="not checked")
        return "skipped"
    status = link.status
    if status in DEAD_STATUSES:
        reason = finding.reason if finding is not None else reason_of(link)
        failure = ET.SubElement(case, "failure", type=str(status), message=plain(reason))
        lines = [f"{link.url}: {reason}"]
        if finding is not None and finding.newly_dead:
            lines.append("newly dead since the previous run")
        if finding is not None and finding.archive_url:
            day = f" of {finding.archive_date}" if finding.archive_date else ""
            lines.append(f"archive copy{day}: {finding.archive_url}")
        failure.text = "\n".join(plain(line) for line in lines)
        return "failure"
    if status is LinkStatus.OK:
        return None
    # Not checked, no answer about the page (blocked, a time-out…), left out by a rule, or
    # not a usable address: no verdict on the page either way, so neither passed nor failed.
    ET.SubElement(case, "skipped", message=plain(f"{status}: {reason_of(link)}"))
    return "skipped"
