"""Participation's writers and read queries: consultations and their draft versions.

Every write goes through a function here. Comments on a consultation are feedback's
(`feedback.comments`); `comment_on_consultation` is the consultation's way in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.accounts import Agency, Member, Role
from core.db import pk, utcnow
from core.errors import N_, Invalid, NotFound
from feedback import articles, comments
from feedback.models import Comment
from feedback.subjects import Subject
from participation import scopes
from participation.models import Article, Consultation, DraftVersion

TITLE_MAX = 200
SUMMARY_MAX = 1000
DRAFT_MAX = 200_000
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
    scope: str = ""  # a place code: the county or township the consultation concerns; "" for everywhere

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
        if need_text and not articles.split_articles(self.text):
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
    errors = data.check(need_text) | scopes.check_scope(session, data.scope)
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
    scopes.set_consultation_scope(session, consultation, [data.scope] if data.scope else [])
    session.commit()
    return consultation


def update_consultation(
    session: Session, consultation: Consultation, author: Member, data: ConsultationInput, note: str = ""
) -> DraftVersion | None:
    """Change the details; a changed draft text becomes a new version. Returns that version, if any."""
    errors = data.check() | scopes.check_scope(session, data.scope)
    if errors:
        raise Invalid(errors)
    assert data.opens_at and data.closes_at
    scopes.set_consultation_scope(session, consultation, [data.scope] if data.scope else [])
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
    for article in articles.split_articles(text):
        session.add(
            Article(
                version_id=pk(version),
                number=article.number,
                heading=article.heading[:200],
                body=article.body,
            )
        )
    return version


def find_consultation(session: Session, slug: str) -> Consultation | None:
    return session.exec(select(Consultation).where(Consultation.slug == slug)).first()


def get_consultation(session: Session, slug: str) -> Consultation:
    consultation = find_consultation(session, slug)
    if consultation is None:
        raise NotFound(slug)
    return consultation


def list_consultations(
    session: Session, agency: Agency | None = None, include_drafts_of: int | None = None
) -> list[Consultation]:
    """Published consultations, newest first; an agency's officials also see their articles."""
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


def latest_article_numbers(session: Session, consultation: Consultation) -> tuple[set[int], int]:
    """The newest version's article numbers and its number, from one query of numbers only (each
    comment posted checks its article against them; the draft's text is not needed for that)."""
    newest = (
        select(func.max(DraftVersion.number)).where(DraftVersion.consultation_id == consultation.id).scalar_subquery()
    )
    query = (
        select(DraftVersion.number, Article.number)
        .outerjoin(Article, col(Article.version_id) == col(DraftVersion.id))
        .where(DraftVersion.consultation_id == consultation.id, DraftVersion.number == newest)
    )
    rows = session.exec(query).all()
    assert rows, "a consultation always has a version"
    return {article for _, article in rows if article is not None}, rows[0][0]


def get_version(session: Session, consultation: Consultation, number: int) -> DraftVersion:
    version = session.exec(
        select(DraftVersion).where(DraftVersion.consultation_id == consultation.id, DraftVersion.number == number)
    ).first()
    if version is None:
        raise NotFound(str(number))
    return version


def articles_of(session: Session, version: DraftVersion) -> list[Article]:
    return list(session.exec(select(Article).where(Article.version_id == version.id).order_by(col(Article.number))))


def compare_versions(session: Session, old: DraftVersion, new: DraftVersion) -> list[articles.ArticleChange]:
    def texts(version: DraftVersion) -> list[articles.ArticleText]:
        return [articles.ArticleText(a.number, a.heading, a.body) for a in articles_of(session, version)]

    return articles.diff_articles(texts(old), texts(new))


def consultation_json(consultation: Consultation) -> dict[str, Any]:
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "summary": consultation.summary,
        "phase": consultation.phase().value,
        "tags": consultation.tag_list,
        "opens_at": consultation.opens_at.isoformat(),
        "closes_at": consultation.closes_at.isoformat(),
        "url": f"/c/{consultation.slug}",
    }


def comment_on_consultation(
    session: Session,
    consultation: Consultation,
    author: Member,
    stance: str,
    text: str,
    article: int | None = None,
    amendment: str = "",
) -> Comment:
    return comments.submit(session, subject_of(consultation), author, stance, text, article, amendment)


def subject_of(consultation: Consultation) -> Subject:
    """The consultation as feedback sees it."""
    return Subject(
        "consultation",
        pk(consultation),
        consultation.title,
        f"/c/{consultation.slug}",
        consultation.slug,
        public=consultation.published_at is not None,
        agency_id=consultation.agency_id,
        record=consultation,
    )


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
