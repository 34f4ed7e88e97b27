"""Stakeholder networks: who commented on what, with which stance, who sent the same form letter,
who co-signed the same proposal, and (for conversations) whose votes agree.

Plain data in (nodes and weighted links), a networkx graph inside, plain data out: communities
(Louvain, seeded), the most central actors, the actors who bridge communities, a server-side
layout for drawing, and GraphML/GEXF for Gephi. Who is named is the caller's choice: it hands in
a private member as an anonymous label.

"Most central" and "bridges" answer different questions, so they come from different measures:
the most central actors have the most ties (weighted degree, the sum of their links' weights;
Freeman's degree centrality), the bridges are actors tied into more than one community, ranked by
betweenness (the share of shortest paths through them, sampled on large graphs), which is what
carries a message from one community to another. Each node also gets its participation
coefficient (Guimera and Amaral, 2005: 1 - sum over communities of its share of ties there,
squared), 0 for an actor whose ties all stay in one community."""

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
    strength: float = 0.0  # weighted degree: the measure of "most central"
    participation: float = 0.0  # how evenly its ties spread over communities (0: all in one)


@dataclass
class NetworkResult:
    nodes: list[NodeSummary]  # most central first
    links: list[Link]
    communities: list[dict[str, Any]]  # size and the kinds in each, largest first
    central: list[str]  # actors with the most ties (weighted degree), node ids
    bridges: list[str]  # actors linked into more than one community, highest betweenness first
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
    strength = dict(graph.degree(weight="weight"))
    participation = {n: _participation(graph, n, community_of) for n in graph.nodes}
    for node, attributes in graph.nodes(data=True):
        attributes["community"] = community_of[node]
        attributes["betweenness"] = round(betweenness[node], 6)
        attributes["strength"] = round(float(strength[node]), 6)
        attributes["participation"] = round(participation[node], 6)
    # Nodes, the drawing and "central": most ties first; "bridges": most between first.
    order = sorted(graph.nodes, key=lambda n: (-strength[n], -graph.degree[n], -betweenness[n], str(n)))
    drawn = order[:DRAWN]
    positions = _layout(graph.subgraph(drawn))
    parameters["layout"] = f"spring (seeded), the {len(drawn)} nodes with most ties"
    parameters["central"] = "weighted degree"
    parameters["bridges"] = "betweenness, among actors tied into two or more communities"
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
            strength=round(float(strength[n]), 4),
            participation=round(participation[n], 4),
        )
        for n in order
    ]
    actors = [n for n in order if graph.nodes[n]["kind"] in ACTORS]
    between = sorted(actors, key=lambda n: (-betweenness[n], -participation[n], str(n)))
    bridges = [n for n in between if len({community_of[m] for m in graph.neighbors(n)} | {community_of[n]}) > 1]
    described = [
        {"index": index, "size": len(members), "kinds": dict(Counter(graph.nodes[n]["kind"] for n in members))}
        for index, members in enumerate(communities)
    ]
    return NetworkResult(
        summaries, kept, described, [str(n) for n in actors[:CENTRAL]], [str(n) for n in bridges[:CENTRAL]],
        parameters, graph,
    )  # fmt: skip


def _participation(graph: Any, node: Hashable, community_of: dict[Hashable, int]) -> float:
    """1 - sum over communities of (the node's tie weight into it / its total tie weight) squared."""
    ties: Counter[int] = Counter()
    for neighbour, data in graph[node].items():
        ties[community_of[neighbour]] += data.get("weight", 1.0)
    total = sum(ties.values())
    if not total:
        return 0.0
    return max(0.0, 1.0 - sum((w / total) ** 2 for w in ties.values()))


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
