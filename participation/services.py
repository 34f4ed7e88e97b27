"""Participation's writers and read queries: consultations, their draft versions, and comments.

Every write goes through a function here. Comments are one mechanism for consultations and bills
(`subject_kind`); the bills package calls `add_comment` with its own rule for when a bill is open.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import accounts, moderation
from core.accounts import Agency, Member, Role
from core.db import pk, utcnow
from core.errors import N_, Forbidden, Invalid, NotFound
from participation import drafts
from participation.models import Article, Comment, Consultation, DraftVersion, Phase, Stance

TITLE_MAX = 200
SUMMARY_MAX = 1000
DRAFT_MAX = 200_000
COMMENT_MAX = 5000
EDIT_WINDOW = timedelta(minutes=15)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}$")


# --- who may do what -------------------------------------------------------------------------------


def can_manage(member: Member | None, roles: set[str], consultation: Consultation) -> bool:
    """Officials of the consultation's own agency, and admins."""
    if member is None:
        return False
    if Role.admin in roles:
        return True
    return Role.agency_official in roles and member.agency_id == consultation.agency_id


# --- consultations -----------------------------------------------------------------------------------


@dataclass
class ConsultationInput:
    title: str
    summary: str
    background: str
    text: str
    opens_at: datetime | None
    closes_at: datetime | None
    tags: str = ""
    contact: str = ""
    slug: str = ""

    def check(self, need_text: bool = True) -> dict[str, str]:
        errors = {}
        if not self.title.strip():
            errors["title"] = N_("Enter a title.")
        elif len(self.title.strip()) > TITLE_MAX:
            errors["title"] = N_("The title is too long (200 characters at most).")
        if not self.summary.strip():
            errors["summary"] = N_("Enter a short summary.")
        elif len(self.summary.strip()) > SUMMARY_MAX:
            errors["summary"] = N_("The summary is too long (1,000 characters at most).")
        if need_text and not drafts.split_articles(self.text):
            errors["text"] = N_("Enter the draft text.")
        elif len(self.text) > DRAFT_MAX:
            errors["text"] = N_("The draft is too long.")
        if len(self.background) > DRAFT_MAX:
            errors["background"] = N_("The background is too long.")
        if len(self.tags) > 300 or len(self.contact) > 300:
            errors["tags" if len(self.tags) > 300 else "contact"] = N_("This field is too long.")
        if self.opens_at is None:
            errors["opens_at"] = N_("Enter when comments open.")
        if self.closes_at is None:
            errors["closes_at"] = N_("Enter when comments close.")
        elif self.opens_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = N_("The closing time must be after the opening time.")
        if self.slug and not _SLUG.match(self.slug):
            errors["slug"] = N_("Use 2 to 79 lower-case letters, digits or hyphens.")
        return errors


def create_consultation(
    session: Session, agency: Agency, author: Member | None, data: ConsultationInput, need_text: bool = True
) -> Consultation:
    """A new consultation in draft, with its text as version 1. Not public until published.

    `need_text=False` is for comments imported from elsewhere, which may come without a draft."""
    errors = data.check(need_text)
    slug = data.slug or _new_slug(session, agency)
    if data.slug and session.exec(select(Consultation).where(Consultation.slug == slug)).first():
        errors["slug"] = N_("Another consultation uses this address already.")
    if errors:
        raise Invalid(errors)
    assert data.opens_at and data.closes_at
    consultation = Consultation(
        slug=slug,
        agency_id=pk(agency),
        title=data.title.strip(),
        summary=data.summary.strip(),
        background=data.background.strip(),
        tags=_clean_tags(data.tags),
        contact=data.contact.strip(),
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        created_by_id=author.id if author else None,
    )
    session.add(consultation)
    session.flush()
    _add_version(session, consultation, author, data.text, note="")
    session.commit()
    return consultation


def update_consultation(
    session: Session, consultation: Consultation, author: Member, data: ConsultationInput, note: str = ""
) -> DraftVersion | None:
    """Change the details; a changed draft text becomes a new version. Returns that version, if any."""
    errors = data.check()
    if errors:
        raise Invalid(errors)
    assert data.opens_at and data.closes_at
    consultation.title, consultation.summary = data.title.strip(), data.summary.strip()
    consultation.background, consultation.tags = data.background.strip(), _clean_tags(data.tags)
    consultation.contact = data.contact.strip()
    consultation.opens_at, consultation.closes_at = data.opens_at, data.closes_at
    session.add(consultation)
    version = None
    if data.text.strip() != latest_version(session, consultation).text.strip():
        version = _add_version(session, consultation, author, data.text, note)
    session.commit()
    return version


def publish_consultation(session: Session, consultation: Consultation, at: datetime | None = None) -> None:
    """Make the consultation public (`at` backdates it, for imports and the demo)."""
    if consultation.published_at is None:
        consultation.published_at = at or utcnow()
        session.add(consultation)
        session.commit()


def _clean_tags(tags: str) -> str:
    parts = [t.strip() for t in re.split(r"[,，、]", tags) if t.strip()]
    return ",".join(dict.fromkeys(parts))


def _new_slug(session: Session, agency: Agency) -> str:
    while True:
        slug = f"{agency.slug}-{utcnow():%Y%m%d}-{secrets.token_hex(2)}"
        if not session.exec(select(Consultation).where(Consultation.slug == slug)).first():
            return slug


def _add_version(
    session: Session, consultation: Consultation, author: Member | None, text: str, note: str
) -> DraftVersion:
    previous = session.exec(
        select(func.max(DraftVersion.number)).where(DraftVersion.consultation_id == consultation.id)
    ).one()
    version = DraftVersion(
        consultation_id=pk(consultation),
        number=(previous or 0) + 1,
        text=text.strip(),
        note=note.strip()[:1000],
        created_by_id=author.id if author else None,
    )
    session.add(version)
    session.flush()
    for article in drafts.split_articles(text):
        session.add(
            Article(
                version_id=pk(version),
                number=article.number,
                heading=article.heading[:200],
                body=article.body,
            )
        )
    return version


def get_consultation(session: Session, slug: str) -> Consultation:
    consultation = session.exec(select(Consultation).where(Consultation.slug == slug)).first()
    if consultation is None:
        raise NotFound(slug)
    return consultation


def list_consultations(
    session: Session, agency: Agency | None = None, include_drafts_of: int | None = None
) -> list[Consultation]:
    """Published consultations, newest first; an agency's officials also see their drafts."""
    query = select(Consultation).order_by(col(Consultation.opens_at).desc())
    if agency is not None:
        query = query.where(Consultation.agency_id == agency.id)
    if include_drafts_of is None:
        query = query.where(col(Consultation.published_at).is_not(None))
    else:
        query = query.where(col(Consultation.published_at).is_not(None) | (Consultation.agency_id == include_drafts_of))
    return list(session.exec(query))


def versions_of(session: Session, consultation: Consultation) -> list[DraftVersion]:
    query = select(DraftVersion).where(DraftVersion.consultation_id == consultation.id)
    return list(session.exec(query.order_by(col(DraftVersion.number))))


def latest_version(session: Session, consultation: Consultation) -> DraftVersion:
    query = select(DraftVersion).where(DraftVersion.consultation_id == consultation.id)
    version = session.exec(query.order_by(col(DraftVersion.number).desc())).first()
    assert version is not None, "a consultation always has a version"
    return version


def get_version(session: Session, consultation: Consultation, number: int) -> DraftVersion:
    version = session.exec(
        select(DraftVersion).where(DraftVersion.consultation_id == consultation.id, DraftVersion.number == number)
    ).first()
    if version is None:
        raise NotFound(str(number))
    return version


def articles_of(session: Session, version: DraftVersion) -> list[Article]:
    return list(session.exec(select(Article).where(Article.version_id == version.id).order_by(col(Article.number))))


def compare_versions(session: Session, old: DraftVersion, new: DraftVersion) -> list[drafts.ArticleChange]:
    def texts(version: DraftVersion) -> list[drafts.ArticleText]:
        return [drafts.ArticleText(a.number, a.heading, a.body) for a in articles_of(session, version)]

    return drafts.diff_articles(texts(old), texts(new))


# --- comments ----------------------------------------------------------------------------------------


def _check_comment(stance: str, text: str, article: int | None, amendment: str, articles: set[int]) -> dict[str, str]:
    errors = {}
    if stance not in Stance.__members__:
        errors["stance"] = N_("Choose support, oppose, neutral or amend.")
    if not text.strip():
        errors["text"] = N_("Write your comment.")
    elif len(text) > COMMENT_MAX:
        errors["text"] = N_("The comment is too long (5,000 characters at most).")
    if article is not None and article not in articles:
        errors["article"] = N_("There is no such article in this draft.")
    if stance == Stance.amend:
        if article is None:
            errors["article"] = N_("An amendment needs the article it would change.")
        if not amendment.strip():
            errors["amendment"] = N_("Write the text you suggest for the article.")
    if len(amendment) > COMMENT_MAX:
        errors["amendment"] = N_("The suggested text is too long (5,000 characters at most).")
    return errors


def add_comment(
    session: Session,
    subject_kind: str,
    subject_id: int,
    author: Member,
    stance: str,
    text: str,
    article: int | None,
    amendment: str,
    articles: set[int],
    version: int | None = None,
) -> Comment:
    """The one way a member's comment is written, for a consultation or a bill."""
    errors = _check_comment(stance, text, article, amendment, articles)
    if errors:
        raise Invalid(errors)
    comment = Comment(
        subject_kind=subject_kind,
        subject_id=subject_id,
        article=article,
        version=version,
        stance=stance,
        text=text.strip(),
        amendment=amendment.strip() if stance == Stance.amend else "",
        author_id=author.id,
        dedupe_key=secrets.token_hex(16),
    )
    session.add(comment)
    session.commit()
    return comment


def comment_on_consultation(
    session: Session,
    consultation: Consultation,
    author: Member,
    stance: str,
    text: str,
    article: int | None = None,
    amendment: str = "",
) -> Comment:
    phase = consultation.phase()
    if phase != Phase.open:
        message = (
            N_("This consultation is not open for comments yet.")
            if phase in (Phase.draft, Phase.upcoming)
            else N_("This consultation has closed; comments are no longer accepted.")
        )
        raise Invalid({"": message})
    version = latest_version(session, consultation)
    numbers = {a.number for a in articles_of(session, version)}
    return add_comment(
        session,
        "consultation",
        pk(consultation),
        author,
        stance,
        text,
        article,
        amendment,
        numbers,
        version=version.number,
    )


def edit_comment(
    session: Session, comment: Comment, author: Member, stance: str, text: str, amendment: str, articles: set[int]
) -> Comment:
    """Authors may correct a comment for a short while; then it is fixed, as others may have read it."""
    if comment.author_id != author.id:
        raise Forbidden("not the author")
    if not can_edit(comment):
        raise Invalid({"": N_("The time for editing this comment has passed.")})
    errors = _check_comment(stance, text, comment.article, amendment, articles)
    if errors:
        raise Invalid(errors)
    comment.stance, comment.text = stance, text.strip()
    comment.amendment = amendment.strip() if stance == Stance.amend else ""
    comment.edited_at = utcnow()
    session.add(comment)
    session.commit()
    return comment


def can_edit(comment: Comment, now: datetime | None = None) -> bool:
    return comment.source == "web" and (now or utcnow()) - comment.created_at < EDIT_WINDOW


def get_comment(session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(str(comment_id))
    return comment


def list_comments(
    session: Session,
    subject_kind: str,
    subject_id: int,
    article: int | None = None,
    stance: str | None = None,
    before: int | None = None,
    limit: int = 30,
) -> list[Comment]:
    """Newest first, paged by id (keyset): as fast on page 3,000 as on page 1."""
    query = select(Comment).where(Comment.subject_kind == subject_kind, Comment.subject_id == subject_id)
    if article is not None:
        query = query.where(Comment.article == article)
    if stance:
        query = query.where(Comment.stance == stance)
    if before:
        query = query.where(col(Comment.id) < before)
    return list(session.exec(query.order_by(col(Comment.id).desc()).limit(limit)))


def comment_counts(session: Session, subject_kind: str, subject_id: int) -> dict[int | None, dict[str, int]]:
    """{article (None for the whole text): {stance: count}} from one grouped query."""
    rows = session.exec(
        select(Comment.article, Comment.stance, func.count())
        .where(Comment.subject_kind == subject_kind, Comment.subject_id == subject_id)
        .group_by(col(Comment.article), col(Comment.stance))
    )
    counts: dict[int | None, dict[str, int]] = defaultdict(dict)
    for article, stance, n in rows:
        counts[article][stance] = n
    return dict(counts)


def authors_of(session: Session, comments: list[Comment]) -> dict[int, Member]:
    return accounts.members_by_id(session, (c.author_id for c in comments))


def pseudonym(secret: str, subject_kind: str, subject_id: int, comment: Comment) -> str:
    """A stable per-consultation pseudonym: counts distinct people in open data without linking
    them across consultations or back to an account."""
    who = f"member:{comment.author_id}" if comment.author_id else f"name:{comment.author_name or comment.dedupe_key}"
    digest = hmac.new(secret.encode(), f"{subject_kind}:{subject_id}:{who}".encode(), hashlib.sha256)
    return "p-" + digest.hexdigest()[:12]


def comment_page(
    session: Session, subject_kind: str, subject_id: int, number: int, per_page: int
) -> tuple[list[Comment], int]:
    """Oldest first, by page number: for the API, where a stable order matters more than depth."""
    where = (Comment.subject_kind == subject_kind, Comment.subject_id == subject_id)
    total = session.exec(select(func.count()).select_from(Comment).where(*where)).one()
    query = select(Comment).where(*where).order_by(col(Comment.id)).offset((number - 1) * per_page).limit(per_page)
    return list(session.exec(query)), total


def create_imported_consultation(session: Session, slug: str, title: str, agency_ref: str) -> Consultation:
    """A published, closed consultation to hold comments gathered elsewhere (`comments import --create`).

    The agency is found by short name or name, and created when there is none."""
    agency = session.exec(select(Agency).where((Agency.slug == agency_ref) | (Agency.name == agency_ref))).first()
    if agency is None:
        agency_slug = (
            agency_ref.lower()
            if re.match(r"^[a-z0-9][a-z0-9-]{1,62}$", agency_ref.lower())
            else ("agency-" + hashlib.sha256(agency_ref.encode()).hexdigest()[:8])
        )
        agency = Agency(slug=agency_slug, name=agency_ref[:120])
        session.add(agency)
        session.flush()
    now = utcnow()
    data = ConsultationInput(title, title, "", "", now - timedelta(days=1), now, slug=slug)
    consultation = create_consultation(session, agency, None, data, need_text=False)
    publish_consultation(session, consultation, at=data.opens_at)
    return consultation


def commenter_ids(session: Session, subject_kind: str, subject_id: int) -> set[int]:
    query = select(Comment.author_id).where(
        Comment.subject_kind == subject_kind, Comment.subject_id == subject_id, col(Comment.author_id).is_not(None)
    )
    return {member_id for member_id in session.exec(query.distinct()) if member_id is not None}


# --- moderation: comments are one kind of content moderators can hide ----------------------------


def _describe_comment(session: Session, comment_id: int) -> moderation.Content | None:
    comment = session.get(Comment, comment_id)
    if comment is None:
        return None
    if comment.subject_kind == "consultation":
        consultation = session.get(Consultation, comment.subject_id)
        where = f"/c/{consultation.slug}" if consultation else "/"
    else:
        where = f"/bills/{comment.subject_id}"
    return moderation.Content(
        comment.text, comment.author_id, f"{where}#comment-{comment.id}", bool(comment.hidden_reason)
    )


def _hide_comment(session: Session, comment_id: int, reason: str) -> None:
    comment = get_comment(session, comment_id)
    comment.hidden_reason = reason[:500]
    session.add(comment)


def _restore_comment(session: Session, comment_id: int) -> None:
    comment = get_comment(session, comment_id)
    comment.hidden_reason = ""
    session.add(comment)


moderation.moderatable["comment"] = moderation.Moderatable(
    N_("Comment"), _describe_comment, _hide_comment, _restore_comment
)


def _my_comments(session: Session, member: Member) -> list[dict[str, object]]:
    query = select(Comment).where(Comment.author_id == member.id).order_by(col(Comment.id))
    return [
        {
            "id": c.id,
            "on": f"{c.subject_kind}:{c.subject_id}",
            "article": c.article,
            "stance": c.stance,
            "text": c.text,
            "amendment": c.amendment,
            "created_at": c.created_at.isoformat(),
            "hidden_by_moderator": c.hidden_reason or None,
        }
        for c in session.exec(query)
    ]


accounts.exporters["comments"] = _my_comments
