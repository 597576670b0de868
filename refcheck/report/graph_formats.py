"""The citation graph written out: JSON, GraphML (Gephi, yEd, networkx), DOT
(Graphviz) and Mermaid (GitHub/GitLab Markdown).

GraphML is written by networkx and DOT by pydot, so the XML and DOT syntax is
theirs; every label and id going in is first made plain (no control character,
no bidirectional override, no credential) or DOT-quoted by
refcheck/report/escape.py, the one place that makes corpus text safe for each
format. Both libraries are imported only when their format is written.

No format drops an article: GraphML, DOT and JSON hold the whole graph; Mermaid
is trimmed to stay readable but keeps every article with its edges to other
articles and to its strongest source, and says what it left out (a ``%%
trimmed: ...`` line, and :func:`mermaid_diagram`'s ``trimmed`` for a report).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from refcheck.report import escape
from refcheck.report.graph import Edge, Graph, essential_edges, networkx
from refcheck.report.json import dumps

FORMATS = ("json", "graphml", "dot", "mermaid")

CITATION_KINDS = ("footnote", "inline", "link", "mention")
"""How an article cites a source (the ``by_kind`` counts of a ``cites`` edge)."""


def render(graph: Graph, fmt: str) -> str:
    if fmt == "json":
        return dumps(graph.to_json(), indent=1) + "\n"
    if fmt == "graphml":
        return graphml(graph)
    if fmt == "dot":
        return dot(graph)
    if fmt == "mermaid":
        return mermaid(graph)
    raise ValueError(f"unknown graph format {fmt!r} (choose from {', '.join(FORMATS)})")


def _edge_order(edge: Edge) -> tuple[str, str, str]:
    return (edge.kind, edge.source, edge.target)


# --------------------------------------------------------------------------- GraphML


def graphml(graph: Graph) -> str:
    """GraphML from networkx's writer: node ids and labels plain (escape.ident and
    escape.plain), counts as integers, every edge kind (the publisher aggregate too)."""
    nx = networkx()
    plain = nx.MultiDiGraph()
    for node in sorted(graph.nodes.values(), key=lambda n: n.id):
        plain.add_node(
            escape.ident(node.id), label=escape.plain(node.label), kind=node.kind, citations=node.citations,
            dead=node.dead,
        )  # fmt: skip
    for index, edge in enumerate(sorted(graph.edges.values(), key=_edge_order)):
        # Only the kinds the edge has: a missing count reads as none (and writes faster).
        counts = {kind: edge.by_kind[kind] for kind in CITATION_KINDS if edge.by_kind.get(kind)}
        plain.add_edge(
            escape.ident(edge.source), escape.ident(edge.target), key=f"e{index}", kind=edge.kind, count=edge.count,
            dead=edge.dead, self_citation=edge.self_citation, **counts,
        )  # fmt: skip
    lines = nx.generate_graphml(plain, encoding="utf-8", prettyprint=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- DOT


def dot(graph: Graph) -> str:
    """DOT from pydot. Names and labels go in already quoted by escape.dot_id and
    escape.dot (pydot leaves a quoted string as it is; unquoted, it would read
    ``article:a.txt`` as a node with a port and pass backslashes through)."""
    import pydot

    drawing = pydot.Dot("citations", graph_type="digraph")
    drawing.set("rankdir", "LR")
    drawing.set(
        "comment", escape.dot("publisher-cites edges (a publisher's aggregate) are in graph.graphml and graph.json")
    )
    drawing.set_node_defaults(fontname="Helvetica")
    for node in sorted(graph.nodes.values(), key=lambda n: n.id):
        attributes: dict[str, Any] = {
            "label": escape.dot(node.label),
            "shape": "box" if node.kind == "article" else "ellipse",
        }
        if node.dead:
            attributes["color"] = "red"
        drawing.add_node(pydot.Node(escape.dot_id(node.id), **attributes))
    for edge in sorted(graph.edges.values(), key=_edge_order):
        if edge.kind == "publisher-cites":
            continue  # the aggregate is in the JSON and GraphML; drawn, it doubles every edge
        drawing.add_edge(pydot.Edge(escape.dot_id(edge.source), escape.dot_id(edge.target), **_dot_edge(edge)))
    text: str = drawing.to_string()
    return text if text.endswith("\n") else text + "\n"


def _dot_edge(edge: Edge) -> dict[str, Any]:
    attributes: dict[str, Any] = {"penwidth": f"{min(1 + edge.count / 2, 6):.1f}"}
    if edge.kind in ("published-by", "republished-from"):
        attributes["style"] = "dashed"
    if edge.dead:
        attributes["color"] = "red"
        attributes["label"] = escape.dot(f"{edge.count} ({edge.dead} dead)")
    else:
        attributes["label"] = str(edge.count)
    return attributes


# --------------------------------------------------------------------------- Mermaid

MERMAID_EDGES = 60
"""Edges a Mermaid diagram aims at: larger ones are unreadable in Markdown. Every
article's own edges (to articles and its strongest source) are kept beyond it."""


@dataclass(frozen=True)
class MermaidDiagram:
    text: str
    trimmed: str | None
    """What was left out, one sentence (None: the whole graph is drawn)."""


def mermaid(graph: Graph, limit: int = MERMAID_EDGES) -> str:
    return mermaid_diagram(graph, limit).text


def mermaid_diagram(graph: Graph, limit: int = MERMAID_EDGES) -> MermaidDiagram:
    """A flowchart of the article->source, article->article and article->publisher
    edges. Kept first, whatever ``limit`` says: every article node, its edges to
    other articles (cited, republished from) and to its strongest source; then the
    busiest other edges up to ``limit``."""
    edges = sorted((e for e in graph.edges.values() if e.kind != "publisher-cites"), key=_busiest)
    kept = {_edge_order(edge): edge for edge in essential_edges(graph, edges)}
    for edge in edges:
        if len(kept) >= limit:
            break
        kept.setdefault(_edge_order(edge), edge)
    shown = sorted(kept.values(), key=_busiest)
    articles = {node.id for node in graph.nodes.values() if node.kind == "article"}
    used = _endpoints(shown) | articles
    whole = _endpoints(edges) | articles  # the nodes of the untrimmed diagram
    trimmed = _trim_statement(len(edges) - len(shown), len(edges), len(whole - used), len(whole))
    ids = {node_id: f"n{index}" for index, node_id in enumerate(sorted(graph.nodes))}
    lines = ["flowchart LR"]
    if trimmed:
        lines.append("  %% Trimmed to stay readable: every article is kept, with its edges to other articles and to")
        lines.append("  %% its strongest source; graph.json, graph.graphml and graph.dot hold the whole graph.")
        lines.append(f"  %% trimmed: {trimmed}")
    for node_id in sorted(used):
        node = graph.nodes[node_id]
        label = escape.mermaid(node.label)
        lines.append(f'  {ids[node_id]}["{label}"]' if node.kind == "article" else f'  {ids[node_id]}(["{label}"])')
    for edge in shown:
        arrow = "-.->" if edge.kind in ("published-by", "republished-from") else "-->"
        text = f"{edge.count}" + (f", {edge.dead} dead" if edge.dead else "")
        lines.append(f"  {ids[edge.source]} {arrow}|{text}| {ids[edge.target]}")
    return MermaidDiagram("\n".join(lines) + "\n", trimmed)


def _busiest(edge: Edge) -> tuple[int, int, str, str, str]:
    return (-edge.count, -edge.dead, edge.kind, edge.source, edge.target)


def _endpoints(edges: list[Edge]) -> set[str]:
    return {edge.source for edge in edges} | {edge.target for edge in edges}


def _trim_statement(edges_left_out: int, edges: int, nodes_left_out: int, nodes: int) -> str | None:
    if edges_left_out <= 0:
        return None
    statement = f"{edges_left_out} of {edges} edges left out (those with the fewest citations)"
    if nodes_left_out > 0:
        statement += f", and with them {nodes_left_out} of {nodes} nodes (sources cited only there)"
    return statement
