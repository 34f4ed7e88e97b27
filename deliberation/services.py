"""Conversations: opening one with seed statements, participants' statements and their
moderation, votes, the next statement to show, importing a Pol.is export, and the opinion map
(computed by `analysis.opinion` in a background job and stored as JSON)."""

from __future__ import annotations

import json
import re
import secrets
import zlib
from collections.abc import Hashable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import accounts, jobs, moderation
from core.accounts import Agency, Member, Role
from core.db import pk, utcnow
from core.errors import N_, Invalid, NotFound
from core.jobs import JobContext, Queue, QueueUnavailable, handler, periodic
from deliberation.models import Conversation, OpinionMap, Statement, StatementStatus, Vote
from deliberation.polis import Export

TOPIC_MAX = 200
STATEMENT_MAX = 280
DESCRIPTION_MAX = 20_000
VOTES = {"agree": 1, "disagree": -1, "pass": 0}
REFRESH_AFTER = timedelta(seconds=10)  # at most one recomputation per conversation this often
_SPACES = re.compile(r"\s+")


def voter_key(member: Member) -> str:
    return f"member:{pk(member)}"


def can_host(member: Member | None, roles: set[str], conversation: Conversation | None = None) -> bool:
    """Moderators and admins host every conversation; an agency's officials host their agency's."""
    if member is None:
        return False
    if roles & {Role.moderator, Role.admin}:
        return True
    if Role.agency_official not in roles:
        return False
    return conversation is None or (conversation.agency_id is not None and conversation.agency_id == member.agency_id)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _check_statement(text: str) -> str:
    text = _clean(text)
    if not text:
        raise Invalid({"text": N_("Write the statement.")})
    if len(text) > STATEMENT_MAX:
        raise Invalid({"text": N_("A statement is 280 characters at most: one idea, said briefly.")})
    return text


def create_conversation(
    session: Session, member: Member, topic: str, description: str, seeds: list[str], agency: Agency | None
) -> Conversation:
    errors = {}
    topic = _clean(topic)
    if not topic:
        errors["topic"] = N_("Enter the topic.")
    elif len(topic) > TOPIC_MAX:
        errors["topic"] = N_("The topic is too long (200 characters at most).")
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = N_("The description is too long.")
    cleaned = [_clean(s) for s in seeds if _clean(s)]
    if not cleaned:
        errors["seeds"] = N_("Write at least one seed statement, one per line.")
    elif any(len(s) > STATEMENT_MAX for s in cleaned):
        errors["seeds"] = N_("A statement is 280 characters at most: one idea, said briefly.")
    if errors:
        raise Invalid(errors)
    conversation = Conversation(
        slug=_new_slug(session),
        topic=topic,
        description=description.strip(),
        agency_id=agency.id if agency else None,
        created_by_id=member.id,
    )
    session.add(conversation)
    session.flush()
    for text in dict.fromkeys(cleaned):
        session.add(
            Statement(conversation_id=pk(conversation), text=text, author_id=member.id, seed=True, status="accepted")
        )
    session.commit()
    return conversation


def _new_slug(session: Session) -> str:
    while True:
        slug = f"talk-{utcnow():%Y%m%d}-{secrets.token_hex(2)}"
        if not session.exec(select(Conversation).where(Conversation.slug == slug)).first():
            return slug


def get_conversation(session: Session, slug: str) -> Conversation:
    conversation = session.exec(select(Conversation).where(Conversation.slug == slug)).first()
    if conversation is None:
        raise NotFound(slug)
    return conversation


def list_conversations(session: Session) -> list[tuple[Conversation, int, int]]:
    """Each conversation with its accepted statements and its voters, newest first."""
    conversations = list(session.exec(select(Conversation).order_by(col(Conversation.created_at).desc())))
    statements = dict(
        session.exec(
            select(Statement.conversation_id, func.count())
            .where(Statement.status == StatementStatus.accepted)
            .group_by(col(Statement.conversation_id))
        ).all()
    )
    voters = dict(
        session.exec(
            select(Vote.conversation_id, func.count(func.distinct(Vote.voter))).group_by(col(Vote.conversation_id))
        ).all()
    )
    return [(c, statements.get(pk(c), 0), voters.get(pk(c), 0)) for c in conversations]


def statements_of(session: Session, conversation: Conversation, status: str | None = None) -> list[Statement]:
    query = select(Statement).where(Statement.conversation_id == pk(conversation))
    if status:
        query = query.where(Statement.status == status)
    return list(session.exec(query.order_by(col(Statement.id))))


def add_statement(
    session: Session, conversation: Conversation, member: Member, roles: set[str], text: str
) -> Statement:
    """A participant's own statement, held for moderation unless a host wrote it."""
    if conversation.closed_at is not None:
        raise Invalid({"": N_("This conversation is closed.")})
    text = _check_statement(text)
    known = {_clean(s.text).lower() for s in statements_of(session, conversation)}
    if text.lower() in known:
        raise Invalid({"text": N_("This statement is already in the conversation.")})
    hosting = can_host(member, roles, conversation)
    statement = Statement(
        conversation_id=pk(conversation),
        text=text,
        author_id=member.id,
        status=StatementStatus.accepted if hosting else StatementStatus.pending,
    )
    session.add(statement)
    session.commit()
    return statement


def moderate(session: Session, conversation: Conversation, statement_id: int, accept: bool) -> Statement:
    statement = session.get(Statement, statement_id)
    if statement is None or statement.conversation_id != conversation.id:
        raise NotFound(str(statement_id))
    statement.status = StatementStatus.accepted if accept else StatementStatus.rejected
    session.add(statement)
    session.commit()
    return statement


def cast_vote(session: Session, conversation: Conversation, member: Member, statement_id: int, vote: int) -> Vote:
    """Record or change a member's vote. The unique constraint keeps one vote per statement even
    when two clicks race; the loser of the race updates the winner's row."""
    if conversation.closed_at is not None:
        raise Invalid({"": N_("This conversation is closed.")})
    if vote not in (-1, 0, 1):
        raise Invalid({"vote": N_("Choose agree, disagree or pass.")})
    statement = session.get(Statement, statement_id)
    if statement is None or statement.conversation_id != conversation.id or statement.status != "accepted":
        raise Invalid({"statement": N_("That statement is not open for votes.")})
    voter = voter_key(member)
    for _attempt in range(2):
        row = session.exec(select(Vote).where(Vote.statement_id == statement_id, Vote.voter == voter)).first()
        if row is None:
            row = Vote(conversation_id=pk(conversation), statement_id=statement_id, voter=voter, vote=vote)
        else:
            row.vote, row.updated_at = vote, utcnow()
        row.place_code = member.place_code  # the voter's place when voting (a change of vote is a new act)
        session.add(row)
        try:
            session.commit()
            return row
        except IntegrityError:
            session.rollback()
    raise Invalid({"": N_("Your vote could not be saved. Please try again.")})


def tallies(session: Session, conversation: Conversation) -> dict[int, dict[str, int]]:
    """statement id -> how many agree, disagree and pass, for each statement anyone voted on."""
    query = (
        select(Vote.statement_id, Vote.vote, func.count())
        .where(Vote.conversation_id == pk(conversation))
        .group_by(col(Vote.statement_id), col(Vote.vote))
    )
    names = {value: name for name, value in VOTES.items()}
    found: dict[int, dict[str, int]] = {}
    for statement_id, vote, n in session.exec(query):
        found.setdefault(statement_id, dict.fromkeys(VOTES, 0))[names[vote]] = int(n)
    return found


def votes_of(session: Session, conversation: Conversation, voter: str) -> dict[int, int]:
    query = select(Vote.statement_id, Vote.vote).where(Vote.conversation_id == pk(conversation), Vote.voter == voter)
    return dict(session.exec(query).all())


def next_statement(session: Session, conversation: Conversation, voter: str) -> tuple[Statement | None, int, int]:
    """An accepted statement this voter has not voted on, drawn by the opinion map's priorities
    (few votes, and statements that place people, first), the same draw for the same state;
    with how many they have voted on and how many remain."""
    from analysis import opinion

    voted = votes_of(session, conversation, voter)
    candidates = [s for s in statements_of(session, conversation, "accepted") if pk(s) not in voted]
    if not candidates:
        return None, len(voted), 0
    stored = map_result(opinion_map(session, conversation))
    priority: dict[Hashable, float] = {int(k): v for k, v in stored.get("priority", {}).items()}
    seed = zlib.crc32(f"{voter}:{len(voted)}".encode())
    chosen = opinion.next_statement(priority or None, [pk(s) for s in candidates], seed)
    return next(s for s in candidates if pk(s) == chosen), len(voted), len(candidates)


# --- Pol.is import ------------------------------------------------------------------------------


def import_export(session: Session, export: Export, agency: Agency | None = None) -> Conversation:
    """The export as a conversation, in one transaction: its statements (moderated-out ones kept
    as such) and every participant's latest votes, under voters named polis:<participant>."""
    slug = re.sub(r"[^a-z0-9-]+", "-", export.folder.name.lower()).strip("-")[:70] or "polis"
    slug = f"polis-{slug}"
    if session.exec(select(Conversation).where(Conversation.slug == slug)).first():
        raise Invalid({"": N_("This export was imported already.")})
    conversation = Conversation(
        slug=slug,
        topic=export.topic[:TOPIC_MAX],
        description=export.description,
        agency_id=agency.id if agency else None,
        source="polis",
    )
    session.add(conversation)
    session.flush()
    ids: dict[str, int] = {}
    for statement_id in export.statements:
        found = export.texts[statement_id]
        row = Statement(
            conversation_id=pk(conversation),
            text=found.text[:1000],
            status=StatementStatus.rejected if found.moderated == -1 else StatementStatus.accepted,
            external_id=statement_id,
        )
        session.add(row)
        session.flush()
        ids[statement_id] = pk(row)
    latest = {(str(v.participant), str(v.statement)): v.vote for v in export.votes}
    imported = utcnow()  # one time for all: the export's vote times are not kept, so one update of them
    if latest:
        session.execute(
            insert(Vote),
            [
                {
                    "conversation_id": pk(conversation),
                    "statement_id": ids[statement],
                    "voter": f"polis:{participant}"[:60],
                    "vote": vote,
                    "created_at": imported,
                    "updated_at": imported,
                }
                for (participant, statement), vote in latest.items()
            ],
        )
    session.commit()
    return conversation


# --- the opinion map ----------------------------------------------------------------------------


def opinion_map(session: Session, conversation: Conversation) -> OpinionMap | None:
    return session.exec(select(OpinionMap).where(OpinionMap.conversation_id == pk(conversation))).first()


def map_result(found: OpinionMap | None) -> dict[str, Any]:
    """The groups last computed ({} before the first), shown while a recomputation is queued or failed."""
    return dict(json.loads(found.result)) if found and found.computed_at is not None else {}


def vote_count(session: Session, conversation: Conversation) -> int:
    return int(
        session.exec(select(func.count()).select_from(Vote).where(Vote.conversation_id == pk(conversation))).one()
    )


def request_map(session: Session, queue: Queue, conversation: Conversation, force: bool = False) -> bool:
    """Queue a recomputation when votes have changed, at most once per REFRESH_AFTER; a periodic
    job picks up what that held back. Returns whether a job was queued."""
    found = opinion_map(session, conversation)
    now = utcnow()
    # Only a job that is still queued or running holds the next one back: a map whose job failed
    # or was lost is asked for again.
    if jobs.in_progress(session, "compute_opinion_map", {"conversation_id": pk(conversation)}):
        return False
    if found is not None and not force:
        fresh = found.computed_at is not None and now - found.computed_at < REFRESH_AFTER
        if fresh or (found.status == "done" and found.votes == vote_count(session, conversation)):
            return False
    found = found or OpinionMap(conversation_id=pk(conversation))
    found.status, found.requested_at = "queued", now
    session.add(found)
    session.commit()
    try:
        queue.submit(session, "compute_opinion_map", {"conversation_id": pk(conversation)})
    except QueueUnavailable:  # the vote that asked stands; the map is marked failed and asked for again later
        return False
    return True


def _map_failed(session: Session, payload: dict[str, Any], _why: str) -> None:
    found = session.exec(select(OpinionMap).where(OpinionMap.conversation_id == payload["conversation_id"])).first()
    if found is not None:
        found.status = "failed"
        session.add(found)


@handler("compute_opinion_map", on_failure=_map_failed)
def compute_job(job: JobContext) -> dict[str, object]:
    conversation = job.session.get(Conversation, job.payload["conversation_id"])
    if conversation is None:
        return {"skipped": "no such conversation"}
    found = compute_map(job.session, conversation)
    return {"conversation": pk(conversation), "votes": found.votes}


def compute_map(session: Session, conversation: Conversation) -> OpinionMap:
    from analysis import opinion

    statements = statements_of(session, conversation)
    rows = session.exec(
        select(Vote.voter, Vote.statement_id, Vote.vote, Vote.updated_at)
        .where(Vote.conversation_id == pk(conversation))
        .order_by(col(Vote.updated_at), col(Vote.id))
    ).all()
    votes = [opinion.Vote(voter, statement, vote) for voter, statement, vote, _when in rows]
    found = opinion_map(session, conversation) or OpinionMap(conversation_id=pk(conversation))
    # Pol.is's state between updates, kept with the map: in-conv, the base and group clusters k-means
    # starts from, and the k smoothing. Pol.is updates after every batch of votes and we at most once
    # per REFRESH_AFTER, so in-conv also takes everyone who qualified at some vote since, in time order
    # (an import's votes share one time: one update).
    previous = opinion.OpinionState.from_json(map_result(found).get("state", {}))
    over_time = opinion.in_conv_over_time(votes, [when for *_vote, when in rows])
    previous.in_conv = list(dict.fromkeys([*previous.in_conv, *over_time]))
    result = opinion.compute(
        votes,
        statements=[pk(s) for s in statements if s.status != StatementStatus.pending],
        moderated_out=[pk(s) for s in statements if s.status == StatementStatus.rejected],
        previous=previous,
    )
    found.result = json.dumps(_stored(result), ensure_ascii=False)
    found.status, found.votes, found.computed_at = "done", len(rows), utcnow()
    session.add(found)
    session.commit()
    return found


def _stored(result: Any) -> dict[str, Any]:
    points = []
    for row, voter in enumerate(result.participants):
        x, y = (float(v) for v in result.projection[row])
        points.append([voter, round(x, 4), round(y, 4), result.groups.get(voter)])
    sizes = [sum(1 for g in result.groups.values() if g == group) for group in range(result.k)]
    return {
        "k": result.k,
        "silhouette": result.silhouette,
        "points": points,
        "sizes": sizes,
        "repness": {
            str(g): [
                {"statement": r.statement, "direction": r.direction, "probability": round(r.probability, 3)}
                for r in picks
            ]
            for g, picks in result.repness.items()
        },
        "consensus": list(result.consensus),
        "divisive": list(result.divisive),
        "gic": {str(s): round(v, 4) for s, v in result.gic.items()},
        "priority": {str(s): v for s, v in result.priority.items()},
        "group_votes": {str(g): {str(s): list(c) for s, c in by.items()} for g, by in result.group_votes.items()},
        "state": result.state.as_json(),
    }


def refresh_maps(session: Session, queue: Queue) -> int:
    """Recompute every open conversation whose votes changed since its map was made."""
    queued = 0
    for conversation in session.exec(select(Conversation).where(col(Conversation.closed_at).is_(None))):
        queued += request_map(session, queue, conversation)
    return queued


@handler("refresh_opinion_maps")
def refresh_job(job: JobContext) -> dict[str, object]:
    return {"queued": refresh_maps(job.session, job.queue)}


periodic("refresh_opinion_maps", minute="*")


# --- moderation: a flagged statement can be moderated out, and back in ----------------------------


def _describe_statement(session: Session, statement_id: int) -> moderation.Content | None:
    statement = session.get(Statement, statement_id)
    if statement is None:
        return None
    conversation = session.get(Conversation, statement.conversation_id)
    url = f"/conversations/{conversation.slug}" if conversation else "/"
    return moderation.Content(statement.text, statement.author_id, url, statement.status == StatementStatus.rejected)


def _set_status(status: str) -> Any:
    def change(session: Session, statement_id: int, *_reason: str) -> None:
        statement = session.get(Statement, statement_id)
        if statement is None:
            raise NotFound(str(statement_id))
        statement.status = status
        session.add(statement)

    return change


moderation.moderatable["statement"] = moderation.Moderatable(
    N_("Statement"), _describe_statement, _set_status(StatementStatus.rejected), _set_status(StatementStatus.accepted)
)


def _my_votes_and_statements(session: Session, member: Member) -> list[dict[str, object]]:
    statements = session.exec(select(Statement).where(Statement.author_id == member.id).order_by(col(Statement.id)))
    votes = session.exec(select(Vote).where(Vote.voter == voter_key(member)).order_by(col(Vote.id)))
    found: list[dict[str, object]] = [
        {"statement": s.id, "conversation": s.conversation_id, "text": s.text, "status": s.status} for s in statements
    ]
    found += [{"vote": v.vote, "on_statement": v.statement_id, "at": v.updated_at.isoformat()} for v in votes]
    return found


accounts.exporters["conversations"] = _my_votes_and_statements
