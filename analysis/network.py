"""Stakeholder networks: who commented on what, with which stance, who sent the same form letter,
who co-signed the same proposal, and (for conversations) whose votes agree.

Plain data in (nodes and weighted links), a networkx graph inside, plain data out: communities
(Louvain, seeded), the most central actors (betweenness, sampled on large graphs), the actors who
bridge communities, a server-side layout for drawing, and GraphML/GEXF for Gephi. Who is named is
the caller's choice: it hands in a private member as an anonymous label."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

SEED = 0
DRAWN = 250  # nodes drawn on the map; the table lists them all
CENTRAL = 10
BETWEENNESS_SAMPLE = 300


@dataclass(frozen=True)
class Node:
    id: str
    kind: str  # participant, organisation, article, theme, campaign, proposal
    label: str


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    relation: str  # support, oppose, amend, neutral, sent, signed, agrees
    weight: float = 1.0


@dataclass
class NodeSummary:
    id: str
    kind: str
    label: str
    community: int
    degree: int
    betweenness: float
    x: float | None = None  # layout in [0, 1], for drawn nodes only
    y: float | None = None


@dataclass
class NetworkResult:
    nodes: list[NodeSummary]  # most central first
    links: list[Link]
    communities: list[dict[str, Any]]  # size and the kinds in each, largest first
    central: list[str]  # node ids
    bridges: list[str]  # actors linked into more than one community, most between first
    parameters: dict[str, Any] = field(default_factory=dict)
    graph: Any = None  # the networkx graph, for export

    def graphml(self) -> str:
        import networkx as nx

        return "\n".join(nx.generate_graphml(self.graph))

    def gexf(self) -> str:
        import networkx as nx

        buffer = io.BytesIO()
        nx.write_gexf(self.graph, buffer)
        return buffer.getvalue().decode("utf-8")


ACTORS = ("participant", "organisation")


def build_network(nodes: Iterable[Node], links: Iterable[Link]) -> NetworkResult:
    import networkx as nx

    graph = nx.Graph()
    for node in nodes:
        graph.add_node(node.id, kind=node.kind, label=node.label)
    kept: list[Link] = []
    for link in links:
        if link.source not in graph or link.target not in graph or link.source == link.target:
            continue
        if graph.has_edge(link.source, link.target):
            graph[link.source][link.target]["weight"] += link.weight
        else:
            graph.add_edge(link.source, link.target, relation=link.relation, weight=link.weight)
        kept.append(link)
    parameters: dict[str, Any] = {"communities": "Louvain (networkx)", "seed": SEED}
    if not graph.number_of_nodes():
        return NetworkResult([], [], [], [], [], parameters, graph)
    communities = sorted(
        nx.community.louvain_communities(graph, weight="weight", seed=SEED), key=lambda c: (-len(c), min(c))
    )
    community_of = {node: index for index, members in enumerate(communities) for node in members}
    sample = None if graph.number_of_nodes() <= BETWEENNESS_SAMPLE else BETWEENNESS_SAMPLE
    parameters["betweenness"] = "exact" if sample is None else f"sampled from {sample} sources"
    betweenness = nx.betweenness_centrality(graph, k=sample, seed=SEED, weight=None)
    for node, attributes in graph.nodes(data=True):
        attributes["community"] = community_of[node]
        attributes["betweenness"] = round(betweenness[node], 6)
    order = sorted(graph.nodes, key=lambda n: (-betweenness[n], -graph.degree[n], str(n)))
    drawn = order[:DRAWN]
    positions = _layout(graph.subgraph(drawn))
    parameters["layout"] = f"spring (seeded), the {len(drawn)} most central nodes"
    summaries = [
        NodeSummary(
            id=str(n),
            kind=graph.nodes[n]["kind"],
            label=graph.nodes[n]["label"],
            community=community_of[n],
            degree=graph.degree[n],
            betweenness=round(betweenness[n], 4),
            x=positions[n][0] if n in positions else None,
            y=positions[n][1] if n in positions else None,
        )
        for n in order
    ]
    actors = [n for n in order if graph.nodes[n]["kind"] in ACTORS]
    bridges = [n for n in actors if len({community_of[m] for m in graph.neighbors(n)} | {community_of[n]}) > 1]
    described = [
        {"index": index, "size": len(members), "kinds": dict(Counter(graph.nodes[n]["kind"] for n in members))}
        for index, members in enumerate(communities)
    ]
    return NetworkResult(
        summaries, kept, described, [str(n) for n in actors[:CENTRAL]], [str(n) for n in bridges[:CENTRAL]],
        parameters, graph,
    )  # fmt: skip


def _layout(graph: Any) -> dict[Hashable, tuple[float, float]]:
    """Spring layout, seeded, scaled into the unit square."""
    import networkx as nx

    if not graph.number_of_nodes():
        return {}
    raw = nx.spring_layout(graph, seed=SEED, iterations=60, weight="weight")
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    return {
        n: (round(float((p[0] - min(xs)) / span_x), 4), round(float((p[1] - min(ys)) / span_y), 4))
        for n, p in raw.items()
    }
