"""Consultations and comments on a real database, without HTTP."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from core.db import utcnow
from core.errors import Invalid
from feedback import comments
from feedback.models import Comment
from participation import services
from participation.models import Phase
from tests.helpers import make_member
from tests.participation.factories import DRAFT, agency_and_official, consultation


def test_a_new_consultation_is_a_private_draft_with_its_articles(db: Session) -> None:
    c = consultation(db, phase="draft")
    assert c.phase() == Phase.draft
    version = services.latest_version(db, c)
    assert version.number == 1
    assert [a.heading for a in services.articles_of(db, version)] == ["", "第一條", "第二條", "第三條"]
    assert services.list_consultations(db) == []
    services.publish_consultation(db, c)
    assert services.list_consultations(db) == [c]


def test_the_lifecycle_follows_the_clock_and_the_response(db: Session) -> None:
    c = consultation(db, phase="open")
    assert c.phase() == Phase.open
    assert c.phase(c.opens_at - timedelta(seconds=1)) == Phase.upcoming
    assert c.phase(c.closes_at) == Phase.closed
    c.responded_at = utcnow()
    assert c.phase() == Phase.responded


def test_bad_consultation_input_is_explained_and_nothing_is_written(db: Session) -> None:
    agency, official = agency_and_official(db)
    now = utcnow()
    data = services.ConsultationInput("", "", "", "", now, now - timedelta(days=1), slug="Bad Slug")
    with pytest.raises(Invalid) as caught:
        services.create_consultation(db, agency, official, data)
    assert set(caught.value.errors) == {"title", "summary", "text", "closes_at", "slug"}
    assert services.list_consultations(db, include_drafts_of=agency.id) == []


def test_revising_the_text_makes_a_new_version_and_keeps_the_old(db: Session) -> None:
    c = consultation(db)
    official = make_member(db, "editor@example.tw")
    data = services.ConsultationInput(
        c.title, c.summary, c.background, DRAFT.replace("二十一日", "三十日"), c.opens_at, c.closes_at
    )
    version = services.update_consultation(db, c, official, data, note="延長喘息服務")
    assert version is not None and version.number == 2
    assert services.update_consultation(db, c, official, data) is None  # same text: no new version
    changes = services.compare_versions(db, *services.versions_of(db, c))
    changed = [ch for ch in changes if ch.status == "changed"]
    assert [ch.new.heading for ch in changed] == ["第二條"]  # type: ignore[union-attr]


def test_comment_with_an_amendment_on_an_open_consultation(db: Session) -> None:
    c = consultation(db)
    member = make_member(db)
    comment = services.comment_on_consultation(db, c, member, "amend", "太少了", 2, "喘息服務每年以三十日為上限。")
    assert (comment.article, comment.version, comment.stance) == (2, 1, "amend")
    assert comments.comment_counts(db, "consultation", c.id) == {2: {"amend": 1}}  # type: ignore[arg-type]


def test_a_comment_is_on_the_newest_versions_articles_and_records_that_version(db: Session) -> None:
    c = consultation(db)
    member = make_member(db)
    with pytest.raises(Invalid) as caught:  # no fourth article yet
        services.comment_on_consultation(db, c, member, "support", "好", 4)
    assert set(caught.value.errors) == {"article"}
    official = make_member(db, "editor@example.tw")
    data = services.ConsultationInput(
        c.title, c.summary, c.background, DRAFT + "\n第四條 本辦法自發布日施行。\n", c.opens_at, c.closes_at
    )
    assert services.update_consultation(db, c, official, data) is not None
    comment = services.comment_on_consultation(db, c, member, "support", "好", 4)
    assert (comment.article, comment.version) == (4, 2)
    assert services.comment_on_consultation(db, c, member, "support", "好", None).version == 2


@pytest.mark.parametrize(
    ("stance", "text", "article", "amendment", "field"),
    [
        ("cheer", "好", None, "", "stance"),
        ("support", "  ", None, "", "text"),
        ("support", "好", 99, "", "article"),
        ("amend", "改", None, "新文字", "article"),
        ("amend", "改", 1, "", "amendment"),
        ("support", "長" * 5001, None, "", "text"),
    ],
)
def test_bad_comments_are_refused_and_nothing_is_written(
    db: Session, stance: str, text: str, article: int | None, amendment: str, field: str
) -> None:
    c = consultation(db)
    with pytest.raises(Invalid) as caught:
        services.comment_on_consultation(db, c, make_member(db), stance, text, article, amendment)
    assert field in caught.value.errors
    assert db.exec(select(Comment)).all() == []


@pytest.mark.parametrize("phase", ["closed", "upcoming", "draft"])
def test_comments_outside_the_open_period_are_refused(db: Session, phase: str) -> None:
    c = consultation(db, phase=phase)
    with pytest.raises(Invalid) as caught:
        services.comment_on_consultation(db, c, make_member(db), "support", "支持")
    assert "" in caught.value.errors
    assert db.exec(select(Comment)).all() == []


def test_comments_can_be_edited_briefly_and_only_by_their_author(db: Session) -> None:
    c = consultation(db)
    author, other = make_member(db, "a@example.tw"), make_member(db, "b@example.tw")
    comment = services.comment_on_consultation(db, c, author, "support", "支持")
    numbers = {0, 1, 2, 3}
    comments.edit_comment(db, comment, author, "oppose", "改為反對", "", numbers)
    assert (comment.stance, comment.text) == ("oppose", "改為反對") and comment.edited_at
    with pytest.raises(PermissionError):
        comments.edit_comment(db, comment, other, "support", "偷改", "", numbers)
    comment.created_at = utcnow() - comments.EDIT_WINDOW - timedelta(seconds=1)
    with pytest.raises(Invalid):
        comments.edit_comment(db, comment, author, "support", "太晚了", "", numbers)
    db.refresh(comment)
    assert comment.text == "改為反對"


def test_comment_listing_pages_by_id(db: Session) -> None:
    c = consultation(db)
    member = make_member(db)
    made = [services.comment_on_consultation(db, c, member, "support", f"第{n}則", 1) for n in range(7)]
    first = comments.list_comments(db, "consultation", c.id, limit=3)  # type: ignore[arg-type]
    assert [x.id for x in first] == [m.id for m in reversed(made)][:3]
    second = comments.list_comments(db, "consultation", c.id, before=first[-1].id, limit=3)  # type: ignore[arg-type]
    assert [x.id for x in second] == [m.id for m in reversed(made)][3:6]
    assert comments.list_comments(db, "consultation", c.id, article=2) == []  # type: ignore[arg-type]


def test_pseudonyms_are_stable_per_consultation_and_differ_across_them(db: Session) -> None:
    first, second = consultation(db, slug="one"), consultation(db, slug="two")
    member = make_member(db)
    a = services.comment_on_consultation(db, first, member, "support", "一")
    b = services.comment_on_consultation(db, first, member, "oppose", "二")
    c = services.comment_on_consultation(db, second, member, "support", "三")
    assert comments.pseudonym("k", "consultation", first.id, a) == comments.pseudonym("k", "consultation", first.id, b)  # type: ignore[arg-type]
    assert comments.pseudonym("k", "consultation", first.id, a) != comments.pseudonym("k", "consultation", second.id, c)  # type: ignore[arg-type]
    assert str(member.id) not in comments.pseudonym("k", "consultation", first.id, a)  # type: ignore[arg-type]
