"""Red-team regressions: every attack of the review of SECURITY.md's threat model
(tests/redteam.py, replayed by hand with benchmarks/redteam.py), and the same
hostile strings fed through every report writer, each output read back by a
real parser (markdown-it-py with tables, networkx, pydot and Graphviz, lxml and
headless Chromium)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from redteam import ATTACKS, Attack, markdown_html, smuggled_elements, table_rows_are_whole

from refcheck.models import (
    ArchiveCopy,
    Citation,
    CitedBy,
    Document,
    Footnote,
    LinkResult,
    LinkStatus,
    Problem,
    Verdict,
)
from refcheck.redact import redact
from refcheck.report import escape, graph_formats, html, markdown
from refcheck.report.changes import Changes, StillDead
from refcheck.report.graph import build_graph


@pytest.mark.parametrize("attack", ATTACKS, ids=[f"{item.finding}-{item.id}" for item in ATTACKS])
def test_attack_is_held(attack: Attack, tmp_path: Path) -> None:
    """Each attack, as an attacker would make it, against the real command line."""
    assert attack.run(tmp_path) == []


# --------------------------------------------------------------------------- one escaping, every writer

SECRET = "S3CRET-in-a-label"
HOSTILE = [
    "x|<img src=x onerror=alert(1)>.txt",
    '"]); alert(1); //',
    "ctl\x01\x1b[31mred\x7f\x9b",
    "rtl \u202eevil\u2066",
    "</script><script>alert(1)</script>",
    "%% mermaid -->|x| n0 --> n1",
    "\\N \\l \\G back\\slash\\",
    "]]> <![CDATA[ &amp; & &#x1; <b>bold</b>",
    "line\nbreak\r\u2028sep\u0085",
    "`tick` *em* [link](javascript:alert(1)) ![i](x)",
    "lone \ud800 surrogate \ufffe",
    f"http://user:{SECRET}@host.example/p and user:{SECRET}@host.example/q",
]
HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")


def hostile_run() -> tuple[list[Document], dict[str, LinkResult], Changes]:
    documents, links = [], {}
    for index, text in enumerate(HOSTILE):
        url = f"https://site{index}.example/{index}"
        citation = Citation(text, url, f"site{index}.example", "footnote", 1, 3)
        documents.append(
            Document(
                path=f"corpus/{text}", format="text", publisher=text, title=text, date="2018-08-28",
                footnotes=[Footnote(1, 3, text, "2018-08-28", [url])], markers=[1], citations=[citation],
                problems=[Problem("empty-footnote", 1, 3, text)],
            )
        )  # fmt: skip
        links[url] = LinkResult(
            url, f"site{index}.example", [CitedBy(f"corpus/{text}", 3, 1, "2018-08-28")],
            verdict=Verdict(LinkStatus.DEAD, http_status=404, final_url=url, error=text),
            archive=ArchiveCopy(True, f"https://web.archive.org/web/2018/{text}", "2018", "cdx"),
        )  # fmt: skip
    dead = sorted(links)
    changes = Changes(f"run {HOSTILE[0]}", newly_dead=dead, newly_cited=[*HOSTILE], no_longer_cited=[*HOSTILE],
                      still_dead=[StillDead(text, text, 2) for text in HOSTILE])  # fmt: skip
    return documents, links, changes


def outputs() -> dict[str, str]:
    documents, links, changes = hostile_run()
    graph = build_graph(documents, links)
    summary = {"documents": 12, "documents_read": 12, "unique_links": 12, "statuses": {"dead": 12}}
    history: list[dict[str, object]] = [{"run": HOSTILE[0], "statuses": {"dead": 12, HOSTILE[4]: 1}}]
    return {
        "md": markdown.render(HOSTILE[0], documents, links, summary, changes, graph),
        "html": html.render(HOSTILE[0], documents, links, summary, changes, graph, history),
        "graphml": graph_formats.render(graph, "graphml"),
        "dot": graph_formats.render(graph, "dot"),
        "mermaid": graph_formats.render(graph, "mermaid"),
    }


@pytest.fixture(scope="module")
def written() -> dict[str, str]:
    return outputs()


@pytest.mark.parametrize("fmt", ["md", "html", "graphml", "dot", "mermaid"])
def test_no_output_carries_a_hidden_character_or_a_credential(written: dict[str, str], fmt: str) -> None:
    text = written[fmt]
    assert not HIDDEN.findall(text)
    assert SECRET not in text
    text.encode("utf-8")  # no lone surrogate left to fail the write


def test_markdown_parses_to_whole_tables_and_no_markup(written: dict[str, str]) -> None:
    rendered = markdown_html(written["md"])
    assert "<table>" in rendered and "onerror" in rendered  # the hostile strings are there, as text
    assert smuggled_elements(rendered) == []
    assert table_rows_are_whole(rendered) == []
    assert 'href="javascript' not in rendered.lower()
    # report.md links the cited pages (autolinks), and nothing but http(s) becomes a link.
    assert all(href.startswith(("http://", "https://")) for href in re.findall(r'href="([^"]*)"', rendered))


def test_mermaid_lines_keep_to_the_grammar(written: dict[str, str]) -> None:
    mermaid = written["md"].split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert mermaid == written["mermaid"]
    node = re.compile(r'^  n\d+(?:\["[\w .,:/()\'-]+"\]|\(\["[\w .,:/()\'-]+"\]\))$')
    edge = re.compile(r"^  n\d+ (?:-->|-\.->)\|\d+(?:, \d+ dead)?\| n\d+$")
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart LR"
    assert all(node.match(line) or edge.match(line) for line in lines[1:]), lines


def test_graphml_is_read_by_networkx_with_every_label(written: dict[str, str], tmp_path: Path) -> None:
    networkx = pytest.importorskip("networkx")
    path = tmp_path / "graph.graphml"
    path.write_text(written["graphml"], "utf-8")
    graph = networkx.read_graphml(path)
    labels = {data["label"] for _, data in graph.nodes(data=True)}
    for text in HOSTILE[1:]:  # publishers (the first is also a file name: one node either way)
        assert escape.plain(text) in labels
    assert len(graph) == len(build_graph(*hostile_run()[:2]).nodes)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's own use of pyparsing
def test_dot_is_read_by_pydot_and_graphviz(written: dict[str, str], tmp_path: Path) -> None:
    pydot = pytest.importorskip("pydot")
    [graph] = pydot.graph_from_dot_data(written["dot"])
    nodes = [node for node in graph.get_nodes() if node.get_name() not in ("node", "edge", "graph")]
    assert len(nodes) == len(build_graph(*hostile_run()[:2]).nodes)
    labels = {node.get("label") for node in nodes}
    assert escape.dot(HOSTILE[1]) in labels and escape.dot(HOSTILE[6]) in labels
    if shutil.which("dot"):
        path = tmp_path / "graph.dot"
        path.write_text(written["dot"], "utf-8")
        done = subprocess.run(["dot", "-Tsvg", str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "<svg" in done.stdout and "<script" not in done.stdout


def test_html_parses_to_no_smuggled_markup(written: dict[str, str]) -> None:
    import lxml.html

    tree = lxml.html.fromstring(written["html"])
    assert not [element.tag for element in tree.iter() if element.tag in ("img", "iframe", "object", "embed")]
    assert [element.tag for element in tree.iter() if element.tag == "style"] == ["style"]
    assert not [element for element in tree.iter("b") if "bold" in element.text_content()]
    assert only_the_pages_own_scripts(tree)
    assert not [name for element in tree.iter() for name in element.attrib if name.startswith("on")]
    assert all(href.startswith(("http://", "https://")) for href in tree.xpath("//a/@href"))
    assert "onerror" in tree.text_content()  # there, as text


def only_the_pages_own_scripts(tree: Any) -> bool:
    """Every script runs only because the page's CSP lists its SHA-256 (no ``src``);
    the rest are inert JSON data blocks."""
    [policy] = tree.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
    for script in tree.iter("script"):
        assert "src" not in script.attrib
        if script.get("type") == "application/json":
            continue
        digest = base64.b64encode(hashlib.sha256((script.text or "").encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in policy, script.text[:80] if script.text else ""
    return True


BROWSER = next(
    (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None
)


@pytest.mark.skipif(BROWSER is None, reason="no Chromium here (Debian package 'chromium')")
def test_html_in_a_browser_runs_only_its_own_script(written: dict[str, str], tmp_path: Path) -> None:
    assert BROWSER is not None
    page = tmp_path / "report.html"
    page.write_text(written["html"].replace("alert(1)", "document.body.setAttribute('data-pwned',1)"), "utf-8")
    done = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'p'}",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, env=os.environ.copy(),
    )  # fmt: skip
    body = done.stdout.split("<body", 1)[1].split(">", 1)[0]
    assert 'data-ready="yes"' in body and "data-pwned" not in body
    # No script element appeared beyond the page's own (its hashed libraries and data blocks).
    assert done.stdout.count("<script") == written["html"].count("<script") and "<img" not in done.stdout


def test_plain_masks_escapes_and_stays_distinct() -> None:
    assert escape.plain("a\x01b\nc\u202ed") == "a\\x01b c\\u202ed"
    assert escape.plain(f"see http://u:{SECRET}@h.example/x") == "see http://***@h.example/x"
    assert escape.ident("a\\x01") != escape.ident("a\x01")  # node ids never merge
    assert escape.markdown_code("a|b", table=True) == "`a\\|b`" and escape.markdown_code("a|b") == "`a|b`"
    assert escape.dot('a"b\\N') == '"a\\"b\\\\N"'
    assert escape.xml('<&>"\x01') == "&lt;&amp;&gt;&quot;\\x01"
    assert escape.mermaid('"]) x|y') == ") x y"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Intranet, user:pw@intranet.example.com/path", "Intranet, ***@intranet.example.com/path"),
        ("(alice:p@ss@www.example.org:8080/x)", "(***@www.example.org:8080/x)"),
        ("write to someone@example.org", "write to someone@example.org"),
        ("mailto:someone@example.org/x", "mailto:someone@example.org/x"),
        ("ftp://bob@host/x", "ftp://***@host/x"),
    ],
)
def test_credentials_without_a_scheme_are_masked(text: str, masked: str) -> None:
    assert redact(text) == masked
