"""The citation graph as report.html's interactive view reads it (assets/graph.js
over Cytoscape.js): JSON-ready, bounded, every string plain.

What the page gets:

* ``nodes``: every article, every node on a provenance chain, then the most
  cited sources and publishers up to ``max_nodes`` -- each with its kind
  (``article``, ``source``, or ``publisher``: a source that publishes an article
  of the corpus), the citations it received, how many articles cite it, the
  citations an article makes, its dead links, a drawing size, and for an article
  its provenance chains (article -> article -> original source, computed with
  networkx in :meth:`Graph.provenance_chains`);
* ``edges`` between those nodes: article -> source (``cites``, with counts by
  citation kind: footnote, inline, link, mention), article -> article,
  republished-from and published-by; the publisher aggregate is left out (it
  doubles every edge);
* ``omitted``: how many nodes, edges and citations did not fit, so the page says so.

report.html embeds it as ``<script type="application/json" id="graph-data">``
through escape.script_json (no ``<``, ``>`` or ``&`` left to close the element).
"""

from __future__ import annotations

import math
from typing import Any

from refcheck.report import escape
from refcheck.report.graph import PROVENANCE_KINDS, Edge, Graph, Node, essential_edges

MAX_NODES = 400
"""Nodes drawn at most, unless the articles alone are more (every article is
drawn): past a few hundred a force layout is slow and unreadable; graph.json has
the rest."""
MIN_SOURCES = 150
"""Sources and publishers drawn at least, however many articles there are."""
MAX_EDGES = 3000
"""Edges drawn at most, unless each article's essential edges alone are more
(see :func:`refcheck.report.graph.essential_edges`)."""

VIEW_EDGE_KINDS = ("cites", *PROVENANCE_KINDS, "published-by")
CITATION_KINDS = ("footnote", "inline", "link", "mention")
LABEL_LENGTH = 48
"""Characters of a label drawn on the canvas (the panel shows the whole)."""


def graph_view(graph: Graph, max_nodes: int = MAX_NODES, max_edges: int = MAX_EDGES) -> dict[str, Any]:
    """JSON-ready data for ``assets/graph.js`` (see the module)."""
    chains = graph.provenance_chains()
    publishers = {edge.target for edge in graph.edges.values() if edge.kind == "published-by"}
    every_edge = [edge for edge in graph.edges.values() if edge.kind in VIEW_EDGE_KINDS]
    kept = _kept_nodes(graph, chains, every_edge, max_nodes)
    edges = _kept_edges(graph, [edge for edge in every_edge if edge.source in kept and edge.target in kept], max_edges)
    # A source whose every edge was left out would float alone: it goes too (articles stay).
    drawn = {edge.source for edge in edges} | {edge.target for edge in edges}
    kept = {node_id for node_id in kept if node_id in drawn or graph.nodes[node_id].kind == "article"}
    cited_by = _articles_citing(graph)
    cites, dead_cited = _citations_made(graph)
    nodes = [
        _node(graph.nodes[node_id], publishers, cited_by, cites, dead_cited, chains)
        for node_id in sorted(kept, key=lambda node_id: (graph.nodes[node_id].kind, node_id))
    ]
    left_out = [node for node in graph.nodes.values() if node.id not in kept]
    return {
        "nodes": nodes,
        "edges": [_edge(index, edge) for index, edge in enumerate(edges)],
        "citation_kinds": list(CITATION_KINDS),
        "omitted": {
            "nodes": len(left_out),
            "edges": len(every_edge) - len(edges),
            "citations": sum(node.citations for node in left_out),
        },
        "total": {"nodes": len(graph.nodes), "edges": len(every_edge)},
    }


def _kept_nodes(graph: Graph, chains: dict[str, list[list[str]]], edges: list[Edge], max_nodes: int) -> set[str]:
    """Every article, every node of a chain and each article's strongest source,
    then the most cited others: up to ``max_nodes`` in all, and never fewer than
    ``MIN_SOURCES`` others (a corpus of many articles still shows what they cite)."""
    kept = {node.id for node in graph.nodes.values() if node.kind == "article"}
    kept.update(node_id for paths in chains.values() for path in paths for node_id in path)
    kept.update(edge.target for edge in essential_edges(graph, sorted(edges, key=_busiest)))
    others = sorted(
        (node for node in graph.nodes.values() if node.id not in kept), key=lambda node: (-node.citations, node.id)
    )
    room = max(MIN_SOURCES, max_nodes - len(kept))
    kept.update(node.id for node in others[:room])
    return kept


def _busiest(edge: Edge) -> tuple[int, int, str, str, str]:
    return (-edge.count, -edge.dead, edge.kind, edge.source, edge.target)


def _kept_edges(graph: Graph, edges: list[Edge], max_edges: int) -> list[Edge]:
    """All of ``edges`` when they fit; else each article's edges to other articles
    and to its strongest source, then the busiest others up to ``max_edges``."""
    order = sorted(edges, key=_busiest)
    if len(order) > max_edges:
        chosen = {id(edge): edge for edge in essential_edges(graph, order)}
        for edge in order:
            if len(chosen) >= max_edges:
                break
            chosen.setdefault(id(edge), edge)
        order = list(chosen.values())
    return sorted(order, key=lambda e: (e.kind, e.source, e.target))


def _articles_citing(graph: Graph) -> dict[str, int]:
    """How many different articles point at each node (cite it, cite it as an
    article, or say they were republished from it): networkx in-degree."""
    pointing = graph.kind_graph(("cites", *PROVENANCE_KINDS))
    return {node_id: int(degree) for node_id, degree in pointing.in_degree()}


def _citations_made(graph: Graph) -> tuple[dict[str, int], dict[str, int]]:
    """Per article: the citations it makes and how many of the links it cites are dead."""
    citing = graph.kind_graph(("cites",))
    made = {node_id: int(count) for node_id, count in citing.out_degree(weight="count")}
    dead = {node_id: int(count) for node_id, count in citing.out_degree(weight="dead")}
    return made, dead


def _size(received: int, kind: str) -> float:
    """Node diameter in pixels: grows with the square root of the citations
    received (area, not width, tracks the count), articles never tiny."""
    smallest = 22.0 if kind == "article" else 14.0
    return round(min(smallest + 7.0 * math.sqrt(received), 90.0), 1)


def _node(
    node: Node,
    publishers: set[str],
    cited_by: dict[str, int],
    cites: dict[str, int],
    dead_cited: dict[str, int],
    chains: dict[str, list[list[str]]],
) -> dict[str, Any]:
    kind = node.kind if node.kind == "article" or node.id not in publishers else "publisher"
    received = node.citations if node.kind == "source" else cited_by.get(node.id, 0)
    whole = escape.plain(node.label)
    shown = whole if len(whole) <= LABEL_LENGTH else whole[: LABEL_LENGTH - 1].rstrip() + "…"
    data: dict[str, Any] = {
        "id": escape.ident(node.id),
        "label": shown,
        "full": whole,
        "kind": kind,
        "citations": received,
        "cited_by": cited_by.get(node.id, 0),
        "dead": dead_cited.get(node.id, 0) if node.kind == "article" else node.dead,
        "size": _size(max(received, cited_by.get(node.id, 0)), node.kind),
    }
    if node.kind == "article":
        data["path"] = escape.plain(node.id.removeprefix("article:"))
        data["cites"] = cites.get(node.id, 0)
        data["chains"] = [[escape.ident(step) for step in path] for path in chains.get(node.id, [])]
    return data


def _edge(index: int, edge: Edge) -> dict[str, Any]:
    return {
        "id": f"e{index}",
        "source": escape.ident(edge.source),
        "target": escape.ident(edge.target),
        "kind": edge.kind,
        "count": edge.count,
        "by_kind": {kind: edge.by_kind.get(kind, 0) for kind in CITATION_KINDS},
        "dead": edge.dead,
    }
