"""The citation graph: which sources the articles cite, and which cite each other.

Nodes: the corpus's articles; sources -- an outlet keyed by its registrable
domain, or, for an outlet named without a known domain, by its name; and the
publishers of the articles (sources too: a publisher is a site or an outlet).
Edges:

* article -> source, counted by kind (footnote, inline link, markup link,
  named mention), with how many of the cited links are dead;
* article -> publisher (``published-by``);
* article -> article, when an article cites a URL or a publisher that belongs
  to another article of the corpus (its canonical address, its publisher's
  domain or name), or says it was republished from one -- the chain an editor
  follows to see where a story came from;
* publisher -> source, the aggregate over the publisher's articles, with
  self-citation (a publisher citing itself) marked.

Derived: most-cited sources, sources cited by several publishers, mutual
citation between publishers, self-citation and provenance chains, computed with
networkx (imported only when a figure is asked for: ``refcheck --version`` and a
``--no-report`` run never load it); co-citation (sources cited together) is
counted while the graph is built.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any
from urllib.parse import urlsplit

from refcheck.models import DEAD_STATUSES, Document, LinkResult


@dataclass
class Node:
    id: str
    kind: str
    """``article`` or ``source``."""
    label: str
    citations: int = 0
    dead: int = 0


@dataclass
class Edge:
    source: str
    target: str
    kind: str
    """``cites``, ``published-by``, ``article-cites-article``, ``republished-from``, ``publisher-cites``."""
    count: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    dead: int = 0
    self_citation: bool = False


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], Edge] = field(default_factory=dict)
    co_citation: Counter[tuple[str, str]] = field(default_factory=Counter)

    def node(self, node_id: str, kind: str, label: str) -> Node:
        found = self.nodes.get(node_id)
        if found is None:
            found = self.nodes[node_id] = Node(node_id, kind, label)
        return found

    def edge(self, source: str, target: str, kind: str) -> Edge:
        key = (source, target, kind)
        found = self.edges.get(key)
        if found is None:
            found = self.edges[key] = Edge(source, target, kind)
        return found

    # --- derived figures (networkx, imported only here) ---------------------------------

    def to_networkx(self, kinds: Iterable[str] | None = None) -> Any:
        """The graph as a ``networkx.MultiDiGraph`` (one edge per kind between two
        nodes, keyed by its kind), of the edges of ``kinds`` only when given; every
        node is kept either way. Nodes and edges carry the fields of :class:`Node`
        and :class:`Edge` (``by_kind`` as a plain dict)."""
        nx = networkx()
        wanted = None if kinds is None else frozenset(kinds)
        built = nx.MultiDiGraph()
        for node in sorted(self.nodes.values(), key=lambda n: n.id):
            built.add_node(node.id, kind=node.kind, label=node.label, citations=node.citations, dead=node.dead)
        for edge in sorted(self.edges.values(), key=lambda e: (e.kind, e.source, e.target)):
            if wanted is None or edge.kind in wanted:
                built.add_edge(
                    edge.source, edge.target, key=edge.kind, kind=edge.kind, count=edge.count,
                    by_kind=dict(edge.by_kind), dead=edge.dead, self_citation=edge.self_citation,
                )  # fmt: skip
        return built

    def kind_graph(self, kinds: Iterable[str]) -> Any:
        """The edges of ``kinds`` as a ``networkx.DiGraph`` over their end nodes (two
        kinds between the same pair merge into one edge: weights ``count`` and
        ``dead`` summed). Cheaper than :meth:`to_networkx` for one measure."""
        nx = networkx()
        wanted = frozenset(kinds)
        built = nx.DiGraph()
        for edge in self.edges.values():
            if edge.kind not in wanted:
                continue
            if built.has_edge(edge.source, edge.target):
                data = built[edge.source][edge.target]
                data["count"] += edge.count
                data["dead"] += edge.dead
            else:
                built.add_edge(edge.source, edge.target, count=edge.count, dead=edge.dead)
        return built

    def most_cited(self, limit: int = 10) -> list[Node]:
        cites = self.kind_graph(("cites",))
        received = dict(cites.in_degree(weight="count"))
        sources = [node for node in self.nodes.values() if node.kind == "source" and received.get(node.id)]
        return sorted(sources, key=lambda node: (-received[node.id], node.id))[:limit]

    def cited_by_several_publishers(self) -> dict[str, list[str]]:
        nx = networkx()
        citing = self.kind_graph(("publisher-cites",))
        citing.remove_edges_from(list(nx.selfloop_edges(citing)))
        return {
            source: sorted(citing.predecessors(source)) for source in sorted(citing) if citing.in_degree(source) > 1
        }

    def mutual_citation(self) -> list[tuple[str, str]]:
        nx = networkx()
        citing = self.kind_graph(("publisher-cites",))
        citing.remove_edges_from(list(nx.selfloop_edges(citing)))
        both_ways = citing.to_undirected(reciprocal=True)
        return sorted((min(a, b), max(a, b)) for a, b in both_ways.edges())

    def self_citations(self) -> int:
        nx = networkx()
        citing = self.kind_graph(("publisher-cites",))
        return sum(int(data["count"]) for _a, _b, data in nx.selfloop_edges(citing, data=True))

    def provenance_chains(self, per_article: int = 5) -> dict[str, list[list[str]]]:
        """Where each article's story came from: for every article with an
        article-to-article or republished-from edge, the paths along those edges to
        the sources at their far end (an original source, or an article that names
        none) -- at most ``per_article``, the longest first. Inside a cycle (two
        articles citing each other) the far end is the other article."""
        nx = networkx()
        provenance = self.kind_graph(PROVENANCE_KINDS)
        if not provenance:
            return {}
        condensed = nx.condensation(provenance)
        component = condensed.graph["mapping"]
        far_end = {node for node, index in component.items() if condensed.out_degree(index) == 0}
        chains: dict[str, list[list[str]]] = {}
        for article in sorted(provenance):
            if self.nodes[article].kind != "article" or provenance.out_degree(article) == 0:
                continue
            # One breadth-first search per article: the shortest path to each far end
            # (bounded work however tangled the corpus; every path is a real chain).
            paths = nx.single_source_shortest_path(provenance, article)
            ends = [path for end, path in paths.items() if end in far_end and end != article]
            ends.sort(key=lambda path: (-len(path), path))
            chains[article] = ends[:per_article]
        return chains

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": [
                {"id": n.id, "kind": n.kind, "label": n.label, "citations": n.citations, "dead": n.dead}
                for n in sorted(self.nodes.values(), key=lambda n: (n.kind, n.id))
            ],
            "edges": [
                {
                    "source": e.source,
                    "target": e.target,
                    "kind": e.kind,
                    "count": e.count,
                    "by_kind": dict(sorted(e.by_kind.items())),
                    "dead": e.dead,
                    "self_citation": e.self_citation,
                }
                for e in sorted(self.edges.values(), key=lambda e: (e.kind, e.source, e.target))
            ],
            "most_cited": [{"id": n.id, "citations": n.citations} for n in self.most_cited()],
            "cited_by_several_publishers": self.cited_by_several_publishers(),
            "mutual_citation": [list(pair) for pair in self.mutual_citation()],
            "co_citation": [
                {"sources": list(pair), "articles": count}
                for pair, count in sorted(self.co_citation.items(), key=lambda item: (-item[1], item[0]))[:50]
            ],
            "self_citations": self.self_citations(),
            "provenance_chains": self.provenance_chains(),
        }


PROVENANCE_KINDS = ("article-cites-article", "republished-from")
"""The edges an editor follows to see where a story came from."""


def essential_edges(graph: Graph, edges: list[Edge]) -> list[Edge]:
    """What a trimmed drawing keeps of ``edges`` (sorted busiest first): each
    article's edges to other articles and republished-from, and its strongest
    source (the first ``cites`` edge of the article in that order)."""
    kept: list[Edge] = []
    strongest: dict[str, Edge] = {}
    for edge in edges:
        if edge.kind in PROVENANCE_KINDS:
            kept.append(edge)
        elif edge.kind == "cites" and graph.nodes[edge.source].kind == "article":
            strongest.setdefault(edge.source, edge)
    return kept + list(strongest.values())


def networkx() -> Any:
    """The networkx module, imported on first use (0.4 s: only a run that writes
    or measures a graph pays it). Typed ``Any``: networkx ships no type hints."""
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]

    return nx


def article_id(document: Document) -> str:
    return "article:" + document.path


def source_id(domain: str | None, name: str | None) -> str | None:
    if domain:
        return domain
    if name:
        return "name:" + name
    return None


def build_graph(documents: Iterable[Document], links: dict[str, LinkResult], scope: str = "article") -> Graph:
    """Build the graph in one pass over the documents (and a second over the few
    facts kept about each article, for article-to-article edges)."""
    graph = Graph()
    owners_by_url: dict[str, str] = {}
    owners_by_source: dict[str, list[str]] = defaultdict(list)
    cited: list[tuple[str, str | None, set[str], set[str]]] = []
    """(article id, its publisher's source id, cited source ids, cited URLs) for the second pass."""
    final_domains = _FinalDomains(links)

    for document in documents:
        if document.skipped or document.error:
            continue
        article = article_id(document)
        graph.node(article, "article", document.title or document.path)
        publisher = source_id(document.publisher_domain, document.publisher)
        if publisher is not None:
            graph.node(publisher, "source", document.publisher or publisher)
            graph.edge(article, publisher, "published-by").count += 1
            owners_by_source[publisher].append(article)
            if document.publisher and document.publisher_domain:
                owners_by_source["name:" + document.publisher].append(article)
        sources: set[str] = set()
        urls: set[str] = set()
        for citation in document.cited(scope):
            link = links.get(citation.url)
            target = source_id(_through_shortener(citation.domain, link, final_domains), None)
            if target is None:
                continue
            urls.add(citation.url)
            is_dead = link is not None and link.status in DEAD_STATUSES
            _count(graph, article, target, target, citation.kind, is_dead)
            sources.add(target)
        for mention in document.mentions:
            target = source_id(mention.domain, mention.outlet)
            if target is None:
                continue
            _count(graph, article, target, mention.outlet, "mention", False, mention.count)
            sources.add(target)
            if mention.domain:
                owners_by_source.setdefault("name:" + mention.outlet, [])
        if document.url:
            owners_by_url.setdefault(document.url, article)
        if document.republished_from:
            named = [m.domain for m in document.mentions if m.outlet == document.republished_from and m.domain]
            origin = source_id(named[0] if named else None, document.republished_from) or ""
            graph.node(origin, "source", document.republished_from)
            graph.edge(article, origin, "republished-from").count += 1
        for first, second in combinations(sorted(sources), 2):
            graph.co_citation[(first, second)] += 1
        cited.append((article, publisher, sources, urls))
        if publisher is not None:
            for target in sources:
                edge = graph.edge(publisher, target, "publisher-cites")
                edge.count += 1
                edge.self_citation = target == publisher
    for article, _publisher, sources, urls in cited:
        reached: set[str] = {owners_by_url[url] for url in urls if url in owners_by_url}
        for source in sources:
            reached.update(owners_by_source.get(source, []))
            node = graph.nodes.get(source)
            if node is not None and source.startswith("name:") is False:
                reached.update(owners_by_source.get("name:" + node.label, []))
        for other in sorted(reached - {article}):
            graph.edge(article, other, "article-cites-article").count += 1
    return graph


SHORTENERS = frozenset(
    {"bit.ly", "t.co", "ift.tt", "goo.gl", "ow.ly", "tinyurl.com", "buff.ly", "dlvr.it", "trib.al", "fb.me",
     "lnkd.in", "is.gd", "bitly.com", "wp.me", "shorturl.at", "rebrand.ly", "cutt.ly", "tiny.cc", "youtu.be"}
)  # fmt: skip


class _FinalDomains:
    """The registrable domain of a redirect's destination, from the records: the domain
    of the corpus link with the same host, else the longest domain of the corpus's links
    that the host is under (``www.example.org`` -> ``example.org``). Built on the first
    shortened link that was followed.

    Only a destination on a site the corpus never cites otherwise needs the public-suffix
    list (the records carry no domain for a final URL): then, and only then, it is
    imported -- in a run the pipeline has loaded it already, so it costs nothing there."""

    def __init__(self, links: dict[str, LinkResult]) -> None:
        self._links = links
        self._by_host: dict[str, str] | None = None
        self._domains: frozenset[str] = frozenset()

    def __call__(self, url: str) -> str | None:
        if self._by_host is None:
            self._by_host = {}
            for link in self._links.values():
                host = _host(link.url)
                if link.domain and host:
                    self._by_host.setdefault(host, link.domain)
            self._domains = frozenset(self._by_host.values())
        host = _host(url)
        if not host:
            return None
        found = self._by_host.get(host)
        if found is not None:
            return found
        labels = host.split(".")
        for start in range(1, len(labels) - 1):
            parent = ".".join(labels[start:])
            if parent in self._domains:
                return parent
        return None  # a site the corpus does not cite (the record's final_domain names it)


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.rstrip(".") if host else None


def _through_shortener(domain: str | None, link: LinkResult | None, final_domains: _FinalDomains) -> str | None:
    """A shortened link counts under the site it leads to, when the check followed it
    there and that site is one the corpus cites (see :class:`_FinalDomains`)."""
    if domain in SHORTENERS and link is not None and link.final_url:
        final = link.final_domain or final_domains(link.final_url)
        if final and final != domain:
            return final
    return domain


def _count(graph: Graph, article: str, target: str, label: str, kind: str, is_dead: bool, times: int = 1) -> None:
    node = graph.node(target, "source", label)
    node.citations += times
    node.dead += int(is_dead)
    edge = graph.edge(article, target, "cites")
    edge.count += times
    edge.by_kind[kind] += times
    edge.dead += int(is_dead)
