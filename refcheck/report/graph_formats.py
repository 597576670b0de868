"""The citation graph written out: JSON, GraphML (Gephi, yEd, networkx), DOT
(Graphviz) and Mermaid (GitHub/GitLab Markdown). Every label is escaped for
its format."""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from refcheck.report.graph import Graph

FORMATS = ("json", "graphml", "dot", "mermaid")


def render(graph: Graph, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(graph.to_json(), ensure_ascii=False, indent=1) + "\n"
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
        lines.append(f"    <node id={quoteattr(node.id)}>")
        lines.append(f'      <data key="label">{xml_escape(node.label)}</data>')
        lines.append(f'      <data key="kind">{node.kind}</data>')
        lines.append(f'      <data key="citations">{node.citations}</data>')
        lines.append(f'      <data key="dead">{node.dead}</data>')
        lines.append("    </node>")
    for index, edge in enumerate(sorted(graph.edges.values(), key=lambda e: (e.kind, e.source, e.target))):
        lines.append(f'    <edge id="e{index}" source={quoteattr(edge.source)} target={quoteattr(edge.target)}>')
        lines.append(f'      <data key="ekind">{edge.kind}</data>')
        lines.append(f'      <data key="count">{edge.count}</data>')
        lines.append(f'      <data key="edead">{edge.dead}</data>')
        lines.append(f'      <data key="self">{"true" if edge.self_citation else "false"}</data>')
        lines.append("    </edge>")
    lines += ["  </graph>", "</graphml>", ""]
    return "\n".join(lines)


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def dot(graph: Graph) -> str:
    lines = ["digraph citations {", "  rankdir=LR;", "  node [fontname=Helvetica];"]
    for node in sorted(graph.nodes.values(), key=lambda n: n.id):
        shape = "box" if node.kind == "article" else "ellipse"
        color = ', color="red"' if node.dead else ""
        lines.append(f"  {_dot_string(node.id)} [label={_dot_string(node.label)}, shape={shape}{color}];")
    for edge in sorted(graph.edges.values(), key=lambda e: (e.kind, e.source, e.target)):
        if edge.kind == "publisher-cites":
            continue  # the aggregate is in the JSON and GraphML; drawn, it doubles every edge
        style = ', style="dashed"' if edge.kind in ("published-by", "republished-from") else ""
        dead = (
            f", color=red, label={_dot_string(f'{edge.count} ({edge.dead} dead)')}"
            if edge.dead
            else f", label={edge.count}"
        )
        lines.append(
            f"  {_dot_string(edge.source)} -> {_dot_string(edge.target)} [penwidth={min(1 + edge.count / 2, 6):.1f}{style}{dead}];"
        )
    lines += ["}", ""]
    return "\n".join(lines)


_MERMAID_UNSAFE = re.compile(r"[^\w .,:/()'-]")


def _mermaid_label(text: str) -> str:
    return _MERMAID_UNSAFE.sub(" ", text)[:60].strip() or "?"


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
        label = _mermaid_label(node.label)
        lines.append(f'  {ids[node_id]}["{label}"]' if node.kind == "article" else f'  {ids[node_id]}(["{label}"])')
    for edge in shown:
        arrow = "-.->" if edge.kind in ("published-by", "republished-from") else "-->"
        text = f"{edge.count}" + (f", {edge.dead} dead" if edge.dead else "")
        lines.append(f"  {ids[edge.source]} {arrow}|{text}| {ids[edge.target]}")
    if len(edges) > limit:
        lines.append(f"  %% {len(edges) - limit} smaller edges left out")
    return "\n".join(lines) + "\n"
