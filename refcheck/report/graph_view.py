"""The citation graph as report.html's interactive view reads it (owned by the
graph work of issue 13; this first version is a placeholder with the interface)."""

from __future__ import annotations

from typing import Any

from refcheck.report.graph import Graph


def graph_view(graph: Graph) -> dict[str, Any]:
    """JSON-ready data for ``assets/graph.js``: nodes, edges, and what the page shows beside them."""
    return {
        "nodes": [{"id": node.id, "label": node.label, "kind": node.kind} for node in graph.nodes.values()],
        "edges": [{"source": edge.source, "target": edge.target, "kind": edge.kind} for edge in graph.edges.values()],
    }
