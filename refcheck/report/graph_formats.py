"""The citation graph written out: JSON, GraphML (Gephi, yEd, networkx), DOT
(Graphviz) and Mermaid (GitHub/GitLab Markdown). Every label and id is made
safe for its format in one place, refcheck/report/escape.py."""

from __future__ import annotations

from refcheck.report import escape
from refcheck.report.graph import Graph
from refcheck.report.json import dumps

FORMATS = ("json", "graphml", "dot", "mermaid")


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


def graphml(graph: Graph) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '  <key id="label" for="node" attr.name="label" attr.type="string"/>',
        '  <key id="kind" for="node" attr.name="kind" attr.type="string"/>',
        '  <key id="citations" for="node" attr.name="citations" attr.type="int"/>',
        '  <key id="dead" for="node" attr.name="dead" attr.type="int"/>',
        '  <key id="ekind" for="edge" attr.name="kind" attr.type="string"/>',
        '  <key id="count" for="edge" attr.name="count" attr.type="int"/>',
        '  <key id="edead" for="edge" attr.name="dead" attr.type="int"/>',
        '  <key id="self" for="edge" attr.name="self_citation" attr.type="boolean"/>',
        '  <graph id="citations" edgedefault="directed">',
    ]
    for node in sorted(graph.nodes.values(), key=lambda n: n.id):
        lines.append(f'    <node id="{escape.xml_id(node.id)}">')
        lines.append(f'      <data key="label">{escape.xml(node.label)}</data>')
        lines.append(f'      <data key="kind">{escape.xml(node.kind)}</data>')
        lines.append(f'      <data key="citations">{node.citations}</data>')
        lines.append(f'      <data key="dead">{node.dead}</data>')
        lines.append("    </node>")
    for index, edge in enumerate(sorted(graph.edges.values(), key=lambda e: (e.kind, e.source, e.target))):
        lines.append(
            f'    <edge id="e{index}" source="{escape.xml_id(edge.source)}" target="{escape.xml_id(edge.target)}">'
        )
        lines.append(f'      <data key="ekind">{escape.xml(edge.kind)}</data>')
        lines.append(f'      <data key="count">{edge.count}</data>')
        lines.append(f'      <data key="edead">{edge.dead}</data>')
        lines.append(f'      <data key="self">{"true" if edge.self_citation else "false"}</data>')
        lines.append("    </edge>")
    lines += ["  </graph>", "</graphml>", ""]
    return "\n".join(lines)


def dot(graph: Graph) -> str:
    lines = ["digraph citations {", "  rankdir=LR;", "  node [fontname=Helvetica];"]
    for node in sorted(graph.nodes.values(), key=lambda n: n.id):
        shape = "box" if node.kind == "article" else "ellipse"
        color = ', color="red"' if node.dead else ""
        lines.append(f"  {escape.dot_id(node.id)} [label={escape.dot(node.label)}, shape={shape}{color}];")
    for edge in sorted(graph.edges.values(), key=lambda e: (e.kind, e.source, e.target)):
        if edge.kind == "publisher-cites":
            continue  # the aggregate is in the JSON and GraphML; drawn, it doubles every edge
        style = ', style="dashed"' if edge.kind in ("published-by", "republished-from") else ""
        dead = (
            f", color=red, label={escape.dot(f'{edge.count} ({edge.dead} dead)')}"
            if edge.dead
            else f", label={edge.count}"
        )
        lines.append(
            f"  {escape.dot_id(edge.source)} -> {escape.dot_id(edge.target)} [penwidth={min(1 + edge.count / 2, 6):.1f}{style}{dead}];"
        )
    lines += ["}", ""]
    return "\n".join(lines)


def mermaid(graph: Graph, limit: int = 60) -> str:
    """A flowchart of the article->source and article->article edges (the busiest
    ``limit`` edges: a diagram larger than that is unreadable in Markdown)."""
    ids = {node_id: f"n{index}" for index, node_id in enumerate(sorted(graph.nodes))}
    edges = [e for e in graph.edges.values() if e.kind != "publisher-cites"]
    edges.sort(key=lambda e: (-e.count, e.kind, e.source, e.target))
    shown = edges[:limit]
    used = {e.source for e in shown} | {e.target for e in shown}
    lines = ["flowchart LR"]
    for node_id in sorted(used):
        node = graph.nodes[node_id]
        label = escape.mermaid(node.label)
        lines.append(f'  {ids[node_id]}["{label}"]' if node.kind == "article" else f'  {ids[node_id]}(["{label}"])')
    for edge in shown:
        arrow = "-.->" if edge.kind in ("published-by", "republished-from") else "-->"
        text = f"{edge.count}" + (f", {edge.dead} dead" if edge.dead else "")
        lines.append(f"  {ids[edge.source]} {arrow}|{text}| {ids[edge.target]}")
    if len(edges) > limit:
        lines.append(f"  %% {len(edges) - limit} smaller edges left out")
    return "\n".join(lines) + "\n"
