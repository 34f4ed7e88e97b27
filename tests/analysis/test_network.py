"""Stakeholder networks on a small graph built here."""

import xml.etree.ElementTree as ET

from analysis.network import Link, Node, build_network


def _network():  # type: ignore[no-untyped-def]
    nodes = [Node(f"p{i}", "participant", f"Participant {i}") for i in range(10)]
    nodes += [
        Node("org", "organisation", "台灣照顧者協會"),
        Node("a1", "article", "第一條"),
        Node("a2", "article", "第二條"),
    ]
    links = [Link(f"p{i}", "a1", "support") for i in range(5)] + [Link(f"p{i}", "a2", "oppose") for i in range(5, 10)]
    links += [Link("org", "a1", "support"), Link("org", "a2", "amend"), Link("p0", "nobody", "support")]
    return build_network(nodes, links)


def test_communities_central_actors_and_bridges() -> None:
    result = _network()
    assert len(result.communities) == 2 and sorted(c["size"] for c in result.communities) == [6, 7]
    assert result.bridges == ["org"]  # the only actor linked to both sides
    assert result.central[0] == "org"
    assert len(result.links) == 12  # the link to an unknown node is dropped
    drawn = [n for n in result.nodes if n.x is not None]
    assert len(drawn) == 13 and all(0 <= n.x <= 1 and 0 <= n.y <= 1 for n in drawn)


def test_the_same_input_gives_the_same_network() -> None:
    first, again = _network(), _network()
    assert [(n.id, n.community, n.x, n.y) for n in first.nodes] == [(n.id, n.community, n.x, n.y) for n in again.nodes]


def test_exports_for_gephi() -> None:
    result = _network()
    graphml = ET.fromstring(result.graphml())
    assert len(graphml.findall(".//{http://graphml.graphdrawing.org/xmlns}node")) == 13
    gexf = result.gexf()
    assert "台灣照顧者協會" in gexf and gexf.startswith("<?xml")
    empty = build_network([], [])
    assert empty.nodes == [] and empty.communities == []


def test_the_most_central_and_the_bridges_come_from_different_measures() -> None:
    """Two camps of four articles, each participant commenting on two of their camp's. hub-a and
    hub-b comment on every article of their own camp (most ties, all in one community);
    go-between comments once in each camp: the only path between them."""
    nodes = [Node(f"a{i}", "article", f"A{i}") for i in range(4)] + [
        Node(f"b{i}", "article", f"B{i}") for i in range(4)
    ]
    nodes += [Node(f"p{c}{i}", "participant", "") for c in "ab" for i in range(6)]
    nodes += [Node("hub-a", "participant", ""), Node("hub-b", "participant", ""), Node("go-between", "participant", "")]
    links = [Link(f"p{c}{i}", f"{c}{(i + j) % 4}", "support") for c in "ab" for i in range(6) for j in range(2)]
    links += [Link("hub-a", f"a{i}", "support") for i in range(4)] + [
        Link("hub-b", f"b{i}", "oppose") for i in range(4)
    ]
    links += [Link("go-between", "a0", "support"), Link("go-between", "b0", "oppose")]
    result = build_network(nodes, links)
    assert set(result.central[:2]) == {"hub-a", "hub-b"}  # most ties
    assert result.bridges[0] == "go-between" and "hub-a" not in result.bridges[:1]
    assert result.central != result.bridges
    by_id = {n.id: n for n in result.nodes}
    assert by_id["go-between"].participation > 0.4 and by_id["hub-a"].participation == 0
    assert by_id["hub-a"].strength == 4 and result.parameters["central"] == "weighted degree"
