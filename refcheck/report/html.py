"""report.html: one self-contained file that works offline.

No request to any other host: style, script and pictures (SVG) are inside
the file, and a Content-Security-Policy forbids everything else -- scripts
run only if their hash is listed, so nothing from the corpus can run even if
it slipped past escaping. Every string from the corpus or from a server is
HTML-escaped (refcheck/report/escape.py, shared with every other writer);
links are made only of http(s) URLs. The tables are rendered on
the server (readable without script); the script adds sorting and filtering.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Iterable

from refcheck.models import DEAD_STATUSES, Document, LinkResult
from refcheck.report import escape
from refcheck.report.changes import Changes
from refcheck.report.graph import Graph
from refcheck.report.stats import articles_by_dead_links, outlet_rows

STATUS_COLOURS = {
    "ok": "#2e7d32", "dead": "#c62828", "soft-404": "#ef6c00", "blocked": "#6a1b9a", "rate-limited": "#8d6e63",
    "server-error": "#ad1457", "timeout": "#546e7a", "error": "#455a64", "unknown": "#9e9e9e", "skipped": "#bdbdbd",
    "invalid": "#000000", "unchecked": "#9e9e9e",
}  # fmt: skip

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1rem 2rem;color:#222}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.25rem .5rem;
text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f5f5f5;cursor:pointer;user-select:none}
td.n{text-align:right}.dead{color:#c62828;font-weight:600}.ok{color:#2e7d32}.muted{color:#777}
input.filter{width:100%;padding:.4rem;margin:.5rem 0;box-sizing:border-box}
.cards{display:flex;flex-wrap:wrap;gap:.5rem}.card{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem}
.card b{font-size:1.3rem;display:block}svg{max-width:100%;height:auto;border:1px solid #eee}
details{margin:.3rem 0}summary{cursor:pointer}
"""

_SCRIPT = """
(function(){
  function text(cell){return (cell.getAttribute('data-sort')||cell.textContent).trim();}
  document.querySelectorAll('table.sortable').forEach(function(table){
    table.querySelectorAll('th').forEach(function(th,index){
      th.addEventListener('click',function(){
        var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
        var asc=th.getAttribute('data-dir')!=='asc';th.setAttribute('data-dir',asc?'asc':'desc');
        rows.sort(function(a,b){var x=text(a.cells[index]),y=text(b.cells[index]);
          var nx=parseFloat(x),ny=parseFloat(y);
          var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c;});
        rows.forEach(function(row){body.appendChild(row);});
      });
    });
  });
  document.querySelectorAll('input.filter').forEach(function(input){
    var table=document.getElementById(input.getAttribute('data-table'));
    input.addEventListener('input',function(){
      var needle=input.value.toLowerCase();
      Array.prototype.forEach.call(table.tBodies[0].rows,function(row){
        row.style.display=row.textContent.toLowerCase().indexOf(needle)>=0?'':'none';});
    });
  });
  document.body.setAttribute('data-ready','yes');
  document.body.setAttribute('data-rows',String(document.querySelectorAll('table.sortable tbody tr').length));
})();
"""


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode()
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


_e = escape.html


def _link(url: str | None, label: str | None = None) -> str:
    if not url:
        return ""
    text = _e(label if label is not None else url)
    if url.lower().startswith(("http://", "https://")):
        return f'<a href="{_e(url)}" rel="noopener noreferrer nofollow">{text}</a>'
    return text


def render(
    generated_at: str,
    documents: Iterable[Document],
    links: dict[str, LinkResult],
    summary: dict[str, object],
    changes: Changes,
    graph: Graph,
    history: list[dict[str, object]],
) -> str:
    statuses = summary.get("statuses") if isinstance(summary.get("statuses"), dict) else {}
    assert isinstance(statuses, dict)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(_csp())}">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>refcheck report {_e(generated_at)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>refcheck report <span class=muted>{_e(generated_at)}</span></h1>",
        *_changes(changes),
        "<h2>Summary</h2>",
        '<div class="cards">',
        f"<div class=card><b>{_e(summary.get('documents_read'))}</b>articles</div>",
        f"<div class=card><b>{_e(summary.get('unique_links'))}</b>unique links</div>",
    ]
    for status, count in sorted(statuses.items()):
        parts.append(f"<div class=card><b>{_e(count)}</b>{_e(status)}</div>")
    parts.append("</div>")
    languages = summary.get("languages")
    if isinstance(languages, dict) and languages:
        ranked = sorted(languages.items(), key=lambda item: (-item[1], str(item[0])))
        parts.append(
            '<p id="languages">Languages: '
            + ", ".join(f'<span lang="{_e(code)}">{_e(code)}</span> {_e(count)}' for code, count in ranked)
            + "</p>"
        )
    parts += _dead_table(links)
    parts += ["<h2>Trend</h2>", _trend_svg(history)]
    parts += _outlets(links)
    scope = summary.get("links_scope")
    parts += _articles(documents, links, scope if isinstance(scope, str) else "article")
    parts += ["<h2>Citation graph</h2>", _graph_svg(graph)]
    parts.append(f"<script>{_SCRIPT}</script></body></html>")
    return "\n".join(parts)


def _changes(changes: Changes) -> list[str]:
    title = f"since {changes.previous}" if changes.previous else "(first run: every dead link is new)"
    rows = [
        ("Newly dead", changes.newly_dead),
        ("Recovered", changes.recovered),
        ("Newly archived", changes.newly_archived),
        ("Newly cited", changes.newly_cited),
        ("No longer cited", changes.no_longer_cited),
    ]
    out = [f"<h2>What changed <span class=muted>{_e(title)}</span></h2><ul>"]
    for label, urls in rows:
        items = "".join(f'<li dir="auto">{_e(url)}</li>' for url in urls[:30])
        more = f"<li class=muted>… {len(urls) - 30} more</li>" if len(urls) > 30 else ""
        out.append(f"<li>{_e(label)}: {len(urls)}" + (f"<ul>{items}{more}</ul>" if urls else "") + "</li>")
    still = sorted(changes.still_dead, key=lambda item: (-item.runs, item.url))[:30]
    out.append(f"<li>Still dead: {len(changes.still_dead)}<ul>")
    out += [f"<li><bdi>{_e(item.url)}</bdi> — since {_e(item.since or '?')}, {item.runs} runs</li>" for item in still]
    out.append("</ul></li></ul>")
    return out


def _dead_table(links: dict[str, LinkResult]) -> list[str]:
    out = [
        "<h2>Dead links</h2>",
        '<input class="filter" data-table="dead" placeholder="Filter dead links…" aria-label="Filter dead links">',
        '<table class="sortable" id="dead"><thead><tr><th>Article</th><th>Line</th><th>Note</th><th>Link</th>'
        "<th>Verdict</th><th>Archive copy</th></tr></thead><tbody>",
    ]
    for link in sorted((item for item in links.values() if item.status in DEAD_STATUSES), key=lambda item: item.url):
        archive = (
            _link(link.archive.url, link.archive.timestamp or "archived copy")
            if link.archive and link.archive.available
            else '<span class="muted">none found</span>'
        )
        for cited in link.cited_by:
            note = "" if cited.footnote is None else _e(cited.footnote)
            out.append(
                f'<tr><td dir="auto">{_e(cited.path)}</td><td class=n>{cited.line}</td><td class=n>{note}</td>'
                f'<td dir="auto">{_e(link.url)}</td>'
                f"<td class=dead>{_e(link.status)} {_e(link.http_status or '')}</td>"
                f"<td>{archive}</td></tr>"
            )
    out.append("</tbody></table>")
    return out


def _outlets(links: dict[str, LinkResult]) -> list[str]:
    out = [
        "<h2>Link rot by outlet</h2>",
        '<input class="filter" data-table="outlets" placeholder="Filter outlets…" aria-label="Filter outlets">',
        '<table class="sortable" id="outlets"><thead><tr><th>Outlet (domain)</th><th>Links</th><th>Dead</th>'
        "<th>Rot</th><th>Unknown</th></tr></thead><tbody>",
    ]
    for row in outlet_rows(links):
        out.append(
            f'<tr><td dir="auto">{_e(row.domain)}</td><td class=n>'
            f"{row.links}</td><td class=n>{row.dead}</td>"
            f'<td class=n data-sort="{-1 if row.rot is None else row.rot:.4f}">{row.rot_text}</td><td class=n>{row.unknown}</td></tr>'
        )
    out.append("</tbody></table>")
    worst = articles_by_dead_links(links)
    if worst:
        out.append(
            "<p>Articles with the most dead links: " + ", ".join(f"<bdi>{_e(p)}</bdi> ({n})" for p, n in worst) + "</p>"
        )
    return out


def _articles(documents: Iterable[Document], links: dict[str, LinkResult], scope: str) -> list[str]:
    out = ["<h2>Articles</h2>"]
    for document in documents:
        if document.skipped or document.error:
            out.append(
                f"<details><summary><bdi>{_e(document.path)}</bdi> — <bdi>{_e(document.skipped or document.error)}</bdi>"
                "</summary></details>"
            )
            continue
        cited = document.cited(scope)
        dead = sum(1 for c in cited if links.get(c.url) and links[c.url].status in DEAD_STATUSES)
        head = (
            f"<bdi>{_e(document.path)}</bdi> — <bdi>{_e(document.publisher or 'publisher unknown')}</bdi>, "
            f"{_e(document.date or 'date unknown')}"
            + (
                f' <span class=muted lang="{_e(document.language)}">{_e(document.language)}</span>'
                if document.language
                else ""
            )
            + f"; {len(cited)} citations, {dead} dead, {len(document.problems)} problems"
        )
        rows = []
        for citation in cited:
            link = links.get(citation.url)
            status = link.status if link else "unchecked"
            rows.append(
                f"<tr><td class=n>{citation.line}</td><td class=n>{_e(citation.footnote if citation.footnote is not None else '')}</td>"
                f'<td>{_e(citation.kind)}</td><td dir="auto">{_e(citation.text)}</td>'
                f'<td class="{"dead" if status in DEAD_STATUSES else "ok" if status == "ok" else ""}">{_e(status)}</td></tr>'
            )
        problems = "".join(
            f"<li>line {p.line}: {_e(p.kind)} — <bdi>{_e(p.message)}</bdi></li>" for p in document.problems
        )
        out.append(
            f"<details><summary>{head}</summary>"
            '<table class="sortable"><thead><tr><th>Line</th><th>Note</th><th>Kind</th><th>Link</th><th>Verdict</th>'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            + (f"<ul>{problems}</ul>" if problems else "")
            + "</details>"
        )
    return out


def _trend_svg(history: list[dict[str, object]]) -> str:
    """Verdict counts over all runs in the history, one line per verdict."""
    runs = [row for row in history if isinstance(row.get("statuses"), dict)]
    width, height, pad = 800, 240, 40
    if not runs:
        return '<p class="muted">No history yet.</p>'
    series: dict[str, list[int]] = {}
    for index, row in enumerate(runs):
        statuses = row["statuses"]
        assert isinstance(statuses, dict)
        for status in statuses:
            series.setdefault(str(status), [0] * len(runs))
        for status, count in statuses.items():
            series[str(status)][index] = int(count)
    peak = max([1, *(max(values) for values in series.values())])  # runs with no link at all: no series
    step = (width - 2 * pad) / max(1, len(runs) - 1)
    parts = [f'<svg id="trend" viewBox="0 0 {width} {height}" role="img" aria-label="Verdicts over runs">',
             f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#999"/>']  # fmt: skip
    for position, (status, values) in enumerate(sorted(series.items())):
        points = " ".join(
            f"{pad + i * step:.1f},{height - pad - (v / peak) * (height - 2 * pad):.1f}" for i, v in enumerate(values)
        )
        colour = STATUS_COLOURS.get(status, "#333")
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        for point in points.split():
            x, y = point.split(",")
            parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>')
        parts.append(f'<text x="{pad + position * 110}" y="16" fill="{colour}" font-size="13">{_e(status)}</text>')
    parts.append(
        f'<text x="{pad}" y="{height - 10}" font-size="12" fill="#666">{len(runs)} runs; peak {peak}</text></svg>'
    )
    return "".join(parts)


def _graph_svg(graph: Graph, limit: int = 60) -> str:
    """Articles on an inner ring, sources on an outer ring; node size by
    citations, edge width by count, dead links in red."""
    edges = [e for e in graph.edges.values() if e.kind in ("cites", "article-cites-article", "republished-from")]
    sources = sorted((n for n in graph.nodes.values() if n.kind == "source"), key=lambda n: (-n.citations, n.id))[
        :limit
    ]
    articles = sorted(n.id for n in graph.nodes.values() if n.kind == "article")[:limit]
    shown = {n.id for n in sources} | set(articles)
    size, centre = 900, 450
    positions: dict[str, tuple[float, float]] = {}
    for ring, ids, ring_radius in ((0, articles, 170), (1, [n.id for n in sources], 380)):
        for index, node_id in enumerate(ids):
            angle = 2 * math.pi * index / max(1, len(ids)) + ring * 0.1
            positions[node_id] = (centre + ring_radius * math.cos(angle), centre + ring_radius * math.sin(angle))
    parts = [f'<svg id="graph" viewBox="0 0 {size} {size}" role="img" aria-label="Citation graph">']
    for edge in edges:
        if edge.source not in shown or edge.target not in shown:
            continue
        (x1, y1), (x2, y2) = positions[edge.source], positions[edge.target]
        colour = "#c62828" if edge.dead else ("#1565c0" if edge.kind != "cites" else "#9e9e9e")
        parts.append(f'<line class="edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                     f'stroke="{colour}" stroke-width="{min(1 + edge.count / 2, 8):.1f}" opacity="0.6"/>')  # fmt: skip
    for node_id in articles + [n.id for n in sources]:
        node = graph.nodes[node_id]
        x, y = positions[node_id]
        radius = 6 + min(math.sqrt(node.citations) * 3, 30) if node.kind == "source" else 7
        fill = "#c62828" if node.dead else ("#37474f" if node.kind == "article" else "#1565c0")
        label = node.label if len(node.label) <= 40 else node.label[:37] + "…"
        parts.append(
            f'<g class="node"><circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{fill}"><title>{_e(node.label)}'
            f" — {node.citations} citations, {node.dead} dead</title></circle>"
            f'<text x="{x + radius + 2:.1f}" y="{y + 4:.1f}" font-size="11" unicode-bidi="plaintext">{_e(label)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
