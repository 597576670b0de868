"""The citation graph's measures (networkx), provenance chains, the interactive
view's data, and the written formats read back by real parsers: GraphML by
networkx, DOT by pydot (and Graphviz where installed), Mermaid trimmed without
dropping an article."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import SHARED_CORPUS, extract_path

from refcheck.extract import ExtractContext, OutletIndex
from refcheck.models import Citation, Document, LinkResult, LinkStatus, Mention, Verdict
from refcheck.report import escape, graph_formats
from refcheck.report.graph import Graph, build_graph
from refcheck.report.graph_view import MIN_SOURCES, graph_view

SYRIANA = "https://syrianaanalysis.example/2018/08/idlib-offensive"


def story_run() -> tuple[list[Document], dict[str, LinkResult]]:
    """Three articles and a chain: a.txt cites the Syriana Analysis article b.txt
    (by its address), which was republished from Al-Akhbar; a.txt and c.md cite
    Reuters, one of a.txt's links and c.md's New York Times link are dead, and
    lonely.txt cites nothing at all."""
    reuters, bbc, nyt = "https://www.reuters.com/idlib", "https://www.bbc.co.uk/news/idlib", "https://www.nytimes.com/x"
    a = Document(
        "corpus/a.txt", "text", publisher="Levant Dispatch", publisher_domain="levantdispatch.example",
        title="Astana, Sochi and the Last Rebel Stronghold",
        citations=[
            Citation(SYRIANA, SYRIANA, "syrianaanalysis.example", "footnote", 1, 9),
            Citation(reuters, reuters, "reuters.com", "footnote", 2, 10),
            Citation(bbc, bbc, "bbc.co.uk", "inline", None, 4),
        ],
        mentions=[Mention("Reuters", "Reuters", "reuters.com", 3)],
    )  # fmt: skip
    b = Document(
        "corpus/b.txt", "text", publisher="Syriana Analysis", publisher_domain="syrianaanalysis.example",
        title="The Idlib offensive, as Al-Akhbar reported it", url=SYRIANA, republished_from="Al-Akhbar",
        mentions=[Mention("al-Akhbar", "Al-Akhbar", "al-akhbar.com", 2)],
    )  # fmt: skip
    c = Document(
        "corpus/c.md", "markdown", title="Two Days in November",
        citations=[
            Citation(nyt, nyt, "nytimes.com", "link", None, 5),
            Citation(reuters, reuters, "reuters.com", "link", None, 6),
        ],
    )  # fmt: skip
    lonely = Document("corpus/lonely.txt", "text", title="A note with no sources")
    links = {
        SYRIANA: LinkResult(SYRIANA, "syrianaanalysis.example", verdict=Verdict(LinkStatus.OK)),
        reuters: LinkResult(reuters, "reuters.com", verdict=Verdict(LinkStatus.DEAD, http_status=404)),
        bbc: LinkResult(bbc, "bbc.co.uk", verdict=Verdict(LinkStatus.OK)),
        nyt: LinkResult(nyt, "nytimes.com", verdict=Verdict(LinkStatus.SOFT_404, http_status=200)),
    }
    return [a, b, c, lonely], links


def story_graph() -> Graph:
    return build_graph(*story_run())


# --------------------------------------------------------------------------- measures and chains


def test_measures_come_out_as_counted() -> None:
    graph = story_graph()
    assert [node.id for node in graph.most_cited(2)] == ["reuters.com", "al-akhbar.com"]
    assert graph.nodes["reuters.com"].citations == 3 and graph.nodes["reuters.com"].dead == 2
    assert graph.cited_by_several_publishers() == {}  # c.md has no publisher: only one publisher cites Reuters
    assert graph.self_citations() == 0
    as_json = graph.to_json()
    assert as_json["most_cited"][0] == {"id": "reuters.com", "citations": 3}
    for key in ("nodes", "edges", "cited_by_several_publishers", "mutual_citation", "co_citation", "self_citations"):
        assert key in as_json


def test_publisher_measures_mutual_several_and_self() -> None:
    def article(path: str, publisher: str, cited: list[str]) -> Document:
        citations = [Citation(f"https://{d}/{path}", f"https://{d}/{path}", d, "inline", None, 1) for d in cited]
        return Document(path, "text", publisher=publisher, publisher_domain=publisher, citations=citations)

    graph = build_graph(
        [
            article("1.txt", "one.example", ["two.example", "one.example", "wire.example"]),
            article("2.txt", "two.example", ["one.example", "wire.example"]),
            article("3.txt", "three.example", ["wire.example"]),
        ],
        {},
    )
    assert graph.mutual_citation() == [("one.example", "two.example")]
    assert graph.cited_by_several_publishers()["wire.example"] == ["one.example", "three.example", "two.example"]
    assert graph.self_citations() == 1


def test_provenance_chain_runs_article_to_article_to_the_original() -> None:
    chains = story_graph().provenance_chains()
    assert chains["article:corpus/a.txt"] == [["article:corpus/a.txt", "article:corpus/b.txt", "al-akhbar.com"]]
    assert chains["article:corpus/b.txt"] == [["article:corpus/b.txt", "al-akhbar.com"]]
    assert "article:corpus/c.md" not in chains  # no article cited, nothing republished


def test_provenance_chain_in_a_cycle_ends_at_the_other_article() -> None:
    def article(path: str, url: str, cites: str) -> Document:
        return Document(path, "text", url=url, citations=[Citation(cites, cites, "x.example", "inline", None, 1)])

    one, two = "https://x.example/one", "https://x.example/two"
    graph = build_graph([article("one.txt", one, two), article("two.txt", two, one)], {})
    chains = graph.provenance_chains()
    assert chains["article:one.txt"] == [["article:one.txt", "article:two.txt"]]
    assert chains["article:two.txt"] == [["article:two.txt", "article:one.txt"]]


@pytest.mark.skipif(not (SHARED_CORPUS / "expected.json").is_file(), reason="../shared/corpus is not here")
def test_seed_corpus_chain_through_syriana_analysis_to_al_akhbar() -> None:
    context = ExtractContext(OutletIndex.load())
    documents = [extract_path(path, context) for path in sorted(SHARED_CORPUS.glob("*.txt"))]
    view = graph_view(build_graph(documents, {}))
    by_path = {node.get("path", "").rsplit("/", 1)[-1]: node for node in view["nodes"]}
    chain = by_path["003_d77863566ad15677.txt"]["chains"][0]
    assert [step.removeprefix("article:").rsplit("/", 1)[-1] for step in chain] == [
        "003_d77863566ad15677.txt",
        "004_13d5b0a7579bcb0e.txt",
        "al-akhbar.com",
    ]
    labels = {node["id"]: node["full"] for node in view["nodes"]}
    assert labels["al-akhbar.com"] == "Al-Akhbar"


# --------------------------------------------------------------------------- the view's data


def test_view_nodes_edges_and_kinds() -> None:
    view = graph_view(story_graph())
    nodes = {node["id"]: node for node in view["nodes"]}
    assert nodes["article:corpus/a.txt"]["kind"] == "article"
    assert nodes["syrianaanalysis.example"]["kind"] == "publisher"  # publishes b.txt
    assert nodes["reuters.com"]["kind"] == "source"
    assert nodes["reuters.com"]["citations"] == 3 and nodes["reuters.com"]["cited_by"] == 2
    assert nodes["reuters.com"]["size"] > nodes["bbc.co.uk"]["size"]
    assert nodes["article:corpus/a.txt"]["dead"] == 1 and nodes["article:corpus/c.md"]["dead"] == 2
    assert nodes["article:corpus/a.txt"]["cites"] == 4  # three links and a named mention
    assert nodes["article:corpus/lonely.txt"]["chains"] == []
    kinds = {edge["kind"] for edge in view["edges"]}
    assert kinds == {"cites", "article-cites-article", "republished-from", "published-by"}
    to_reuters = next(
        e for e in view["edges"] if e["source"] == "article:corpus/a.txt" and e["target"] == "reuters.com"
    )
    assert to_reuters["by_kind"] == {"footnote": 1, "inline": 0, "link": 0, "mention": 1} and to_reuters["dead"] == 1
    assert view["omitted"] == {"nodes": 0, "edges": 0, "citations": 0}
    assert all(edge["source"] in nodes and edge["target"] in nodes for edge in view["edges"])


def test_view_is_bounded_and_keeps_every_article() -> None:
    documents = [
        Document(
            f"corpus/{n}.txt", "text",
            citations=[Citation(f"https://s{n}-{k}.example/", f"https://s{n}-{k}.example/", f"s{n}-{k}.example",
                                "inline", None, 1) for k in range(20)],
        )
        for n in range(30)
    ]  # fmt: skip
    graph = build_graph(documents, {})
    view = graph_view(graph, max_nodes=100)  # the articles and at least MIN_SOURCES sources
    ids = {node["id"] for node in view["nodes"]}
    assert {f"article:corpus/{n}.txt" for n in range(30)} <= ids
    kept = 30 + MIN_SOURCES  # each article's strongest source first, then the most cited others
    assert len(ids) == 30 + kept
    assert {f"s{n}-0.example" for n in range(30)} <= ids
    assert view["omitted"] == {"nodes": 600 - kept, "edges": 600 - kept, "citations": 600 - kept}
    assert view["total"] == {"nodes": 630, "edges": 600}
    assert all(edge["source"] in ids and edge["target"] in ids for edge in view["edges"])

    # Fewer edges than articles' essentials: each article keeps its strongest source, sources left bare go.
    tight = graph_view(graph, max_nodes=100, max_edges=40)
    assert len(tight["edges"]) == 40
    assert {edge["source"] for edge in tight["edges"]} == {f"article:corpus/{n}.txt" for n in range(30)}
    assert len(tight["nodes"]) == 30 + 40


def test_view_labels_are_plain_and_short_and_embedding_is_inert() -> None:
    hostile = "</script><!-- \u202eevil\x01 " + "x" * 80
    document = Document("corpus/h.txt", "text", title=hostile, publisher=hostile)
    view = graph_view(build_graph([document], {}))
    article = next(node for node in view["nodes"] if node["kind"] == "article")
    assert "\u202e" not in article["full"] and "\x01" not in article["full"]
    assert len(article["label"]) <= 48 and article["label"].endswith("…")
    text = escape.script_json(view)  # as report.html embeds it
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == view


# --------------------------------------------------------------------------- written formats


def test_graphml_is_written_by_networkx_and_read_back() -> None:
    networkx = pytest.importorskip("networkx")
    graph = story_graph()
    text = graph_formats.render(graph, "graphml")
    ET.fromstring(text.encode("utf-8"))
    read = networkx.read_graphml(io.BytesIO(text.encode("utf-8")))
    assert read.number_of_nodes() == len(graph.nodes) and read.number_of_edges() == len(graph.edges)
    assert read.nodes["reuters.com"]["label"] == "reuters.com" and read.nodes["reuters.com"]["citations"] == 3
    kinds = {data["kind"] for _a, _b, data in read.edges(data=True)}
    assert "republished-from" in kinds and "publisher-cites" in kinds
    to_reuters = [d for a, b, d in read.edges(data=True) if a == "article:corpus/a.txt" and b == "reuters.com"]
    assert to_reuters[0]["footnote"] == 1 and to_reuters[0]["mention"] == 1 and to_reuters[0]["dead"] == 1


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's own use of pyparsing
def test_graphml_and_dot_carry_no_hidden_character() -> None:
    pydot = pytest.importorskip("pydot")
    networkx = pytest.importorskip("networkx")
    label = 'Pub\x01"lisher\x1b[31m \u202eevil\\N'
    document = Document("corpus/x\x0b.txt", "text", title=label, publisher=label)
    graph = build_graph([document], {})
    graphml = graph_formats.render(graph, "graphml")
    read = networkx.read_graphml(io.BytesIO(graphml.encode("utf-8")))
    assert escape.plain(label) in {data["label"] for _n, data in read.nodes(data=True)}
    dot = graph_formats.render(graph, "dot")
    for text in (graphml, dot):
        assert not any(ord(ch) < 0x20 and ch not in "\n" for ch in text) and "\u202e" not in text
    [parsed] = pydot.graph_from_dot_data(dot)
    labels = {node.get("label") for node in parsed.get_nodes()}
    assert escape.dot(label) in labels


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's own use of pyparsing
def test_dot_is_written_by_pydot_and_read_back(tmp_path: Path) -> None:
    pydot = pytest.importorskip("pydot")
    graph = story_graph()
    text = graph_formats.render(graph, "dot")
    assert text.startswith("digraph citations {")
    [parsed] = pydot.graph_from_dot_data(text)
    names = {node.get_name() for node in parsed.get_nodes()} - {"node", "edge", "graph"}
    assert names == {escape.dot_id(node_id) for node_id in graph.nodes}
    drawn = [edge for edge in graph.edges.values() if edge.kind != "publisher-cites"]
    assert len(parsed.get_edges()) == len(drawn)
    dead = [e for e in parsed.get_edges() if e.get("color") == "red"]
    assert {e.get_destination() for e in dead} == {'"reuters.com"', '"nytimes.com"'}
    if shutil.which("dot"):
        path = tmp_path / "graph.dot"
        path.write_text(text, "utf-8")
        done = subprocess.run(["dot", "-Tsvg", str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr


def test_mermaid_whole_graph_says_nothing_was_trimmed() -> None:
    diagram = graph_formats.mermaid_diagram(story_graph())
    assert diagram.trimmed is None and "%%" not in diagram.text
    assert diagram.text.count('["') >= 4  # every article, lonely.txt too
    assert "A note with no sources" in diagram.text


def test_mermaid_trims_but_never_drops_an_article() -> None:
    """One busy article used to push the others out ("18 smaller edges left out",
    their nodes gone with them)."""
    busy = Document(
        "corpus/busy.txt", "text", title="Busy",
        citations=[Citation(f"https://s{k}.example/{n}", f"https://s{k}.example/{n}", f"s{k}.example", "footnote",
                            k, k) for k in range(70) for n in range(3)],
    )  # fmt: skip
    quiet = Document(
        "corpus/quiet.txt", "text", title="Quiet", url="https://quiet.example/q",
        citations=[
            Citation(f"https://q{k}.example/", f"https://q{k}.example/", f"q{k}.example", "inline", None, k)
            for k in range(5)
        ] + [Citation("https://strong.example/1", "https://strong.example/1", "strong.example", "inline", None, 9),
             Citation("https://strong.example/2", "https://strong.example/2", "strong.example", "inline", None, 9)],
    )  # fmt: skip
    citing = Document(
        "corpus/citing.txt", "text", title="Citing",
        citations=[Citation("https://quiet.example/q", "https://quiet.example/q", "quiet.example", "inline", None, 1)],
    )  # fmt: skip
    graph = build_graph([busy, quiet, citing], {})
    diagram = graph_formats.mermaid_diagram(graph, limit=60)
    lines = diagram.text.splitlines()
    assert diagram.trimmed is not None and diagram.trimmed.startswith("18 of 78 edges left out")
    assert f"  %% trimmed: {diagram.trimmed}" in lines
    for title in ("Busy", "Quiet", "Citing"):
        assert f'["{title}"]' in diagram.text
    names = {line.split('"')[1]: line.split()[0].split("(")[0].split("[")[0] for line in lines if '["' in line}
    edges = [line.split() for line in lines if "-->" in line or "-.->" in line]
    assert [names["Quiet"], "-->|2|", names["strong.example"]] in edges  # its strongest source
    assert [names["Citing"], "-->|1|", names["Quiet"]] in edges  # its edge to another article
    assert len(edges) == 60


def test_graph_modules_load_networkx_and_pydot_only_when_used() -> None:
    probe = (
        "import json, sys\n"
        "from refcheck.report import graph, graph_formats, graph_view\n"
        "from refcheck.models import Document\n"
        "g = graph.build_graph([Document('a.txt', 'text')], {})\n"
        "graph_formats.render(g, 'mermaid')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('networkx', 'pydot'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(done.stdout) == []
