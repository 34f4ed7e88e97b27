"""Consultation pages through the real app: reading, commenting, managing, open data."""

import csv
import io
from datetime import timedelta

from sqlmodel import Session, select
from starlette.testclient import TestClient

from core import accounts
from core.db import utcnow
from feedback.models import Comment
from participation import services
from participation.models import Consultation
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import DRAFT, agency_and_official, consultation

EN = {"Accept-Language": "en"}


def test_the_page_shows_articles_with_anchors_and_counts(client: TestClient, db: Session) -> None:
    c = consultation(db)
    services.comment_on_consultation(db, c, make_member(db), "oppose", "反對第二條", 2)
    page = client.get(f"/c/{c.slug}")
    assert page.status_code == 200
    for n in (1, 2, 3):
        assert f'id="art-{n}"' in page.text
    assert "反對第二條" in page.text
    assert "第二條" in page.text


def test_a_long_draft_folds_to_its_headings_with_their_comment_counts(client: TestClient, db: Session) -> None:
    c = consultation(db)
    for n, text in enumerate(("反對第二條", "再反對第二條")):
        services.comment_on_consultation(db, c, make_member(db, f"c{n}@example.tw"), "oppose", text, 2)
    page = client.get(f"/c/{c.slug}", headers=EN)
    contents = page.text.split('class="draft-contents"')[1].split("</nav>")[0]
    assert f'<a href="/c/{c.slug}#art-2">第二條</a>' in contents and "(2 comments)" in contents
    assert "(0 comments)" in contents  # article 3
    assert "喘息服務每年以二十一日為上限" in page.text
    assert '<a class="button" href="#comment-form">Add your comment</a>' in page.text  # the form, from the top

    folded = client.get(f"/c/{c.slug}?draft=headings", headers=EN)
    assert folded.status_code == 200
    assert "喘息服務每年以二十一日為上限" not in folded.text  # headings only
    assert folded.text.count("Read this article") == 4  # the preamble and three articles
    assert f'<a href="/c/{c.slug}#art-2">Read this article' in folded.text
    assert "Show the full text of every article" in folded.text


def test_comments_carry_their_language_and_say_so_when_it_is_not_the_pages(client: TestClient, db: Session) -> None:
    c = consultation(db)
    services.comment_on_consultation(db, c, make_member(db), "support", "支持提高喘息服務天數。")
    services.comment_on_consultation(db, c, make_member(db, "e@example.tw"), "support", "I support more respite days.")
    zh = client.get(f"/c/{c.slug}").text
    assert '<div class="comment-text" lang="zh-Hant">支持提高喘息服務天數。</div>' in zh
    assert (
        '<div class="comment-text" lang="en">I support more respite days.</div><p class="lang-note">原文為英文</p>'
        in zh
    )
    assert zh.count('class="lang-note"') == 1  # the Chinese one is in the page's own language
    en = client.get(f"/c/{c.slug}", headers=EN).text
    assert '支持提高喘息服務天數。</div><p class="lang-note">Written in Chinese (Traditional)</p>' in en


def test_a_citizen_comments_on_an_article_with_an_amendment(client: TestClient, db: Session) -> None:
    c = consultation(db)
    sign_in(client, make_member(db))
    form = client.get(f"/c/{c.slug}?article=2")
    assert "喘息服務每年以二十一日為上限。</textarea>" in form.text  # the article's text, ready to amend
    response = post(
        client,
        f"/c/{c.slug}/comments",
        {"article": "2", "stance": "amend", "text": "太少", "amendment": "喘息服務每年以三十日為上限。"},
        token_from=f"/c/{c.slug}",
    )
    assert response.status_code == 303
    comment = db.exec(select(Comment)).one()
    assert response.headers["location"] == f"/c/{c.slug}#comment-{comment.id}"
    page = client.get(f"/c/{c.slug}")
    assert '<del><span class="visually-hidden">[刪除：' in page.text or "<del>" in page.text
    assert "三十" in page.text and "二十一" in page.text


def test_a_comment_after_closing_is_refused_with_a_clear_message(client: TestClient, db: Session) -> None:
    c = consultation(db, phase="closed")
    sign_in(client, make_member(db))
    response = post(client, f"/c/{c.slug}/comments", {"stance": "support", "text": "支持"}, token_from=f"/c/{c.slug}")
    assert response.status_code == 400
    assert "這個諮詢已經結束，不再接受意見。" in response.text
    assert db.exec(select(Comment)).all() == []


def test_bad_comment_input_is_shown_on_the_form(client: TestClient, db: Session) -> None:
    c = consultation(db)
    sign_in(client, make_member(db))
    response = post(
        client,
        f"/c/{c.slug}/comments",
        {"article": "x", "stance": "amend", "text": ""},
        token_from=f"/c/{c.slug}",
        headers=EN,
    )
    assert response.status_code == 400
    assert "Write your comment." in response.text
    assert "There is no such article in this draft." in response.text
    assert db.exec(select(Comment)).all() == []


def test_anonymous_visitors_are_asked_to_sign_in_before_commenting(client: TestClient, db: Session) -> None:
    c = consultation(db)
    response = post(client, f"/c/{c.slug}/comments", {"stance": "support", "text": "支持"}, token_from=f"/c/{c.slug}")
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")


def test_posting_comments_is_rate_limited(client: TestClient, app, db: Session) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    app.state.limiter.__init__(replace(app.state.settings, rate_post="2/minute"))
    c = consultation(db)
    sign_in(client, make_member(db))
    codes = [
        post(
            client, f"/c/{c.slug}/comments", {"stance": "support", "text": f"第{n}則"}, token_from=f"/c/{c.slug}"
        ).status_code
        for n in range(3)
    ]
    assert codes == [303, 303, 429]
    assert len(db.exec(select(Comment)).all()) == 2


def test_drafts_are_hidden_from_the_public_and_shown_to_their_agency(client: TestClient, db: Session) -> None:
    c = consultation(db, phase="draft")
    assert client.get(f"/c/{c.slug}").status_code == 404
    assert c.title not in client.get("/c").text
    official = db.exec(select(accounts.Member).where(accounts.Member.email == "official@mohw.example.tw")).one()
    sign_in(client, official)
    assert client.get(f"/c/{c.slug}").status_code == 200
    assert post(client, f"/c/{c.slug}/publish", {}).status_code == 303
    db.refresh(c)
    assert c.published_at is not None


def test_an_official_creates_a_consultation(client: TestClient, db: Session) -> None:
    _agency, official = agency_and_official(db)
    sign_in(client, official)
    response = post(
        client,
        "/c/new",
        {
            "title": "新草案",
            "summary": "摘要",
            "background": "",
            "text": DRAFT,
            "opens_at": "2030-01-01T09:00",
            "closes_at": "2030-02-01T17:00",
            "tags": "長照，高齡",
            "slug": "new-draft",
        },
        token_from="/c/new",
    )
    assert response.status_code == 303
    created = services.get_consultation(db, "new-draft")
    assert created.tags == "長照,高齡"
    assert created.opens_at.hour == 1  # 09:00 in Taipei is 01:00 UTC
    assert created.published_at is None


def test_an_official_of_another_agency_cannot_edit(client: TestClient, db: Session) -> None:
    c = consultation(db)
    _other, stranger = agency_and_official(db, "moenv")
    sign_in(client, stranger)
    assert client.get(f"/c/{c.slug}/edit").status_code == 403
    assert post(client, f"/c/{c.slug}/edit", {"title": "偷改"}).status_code == 403
    db.refresh(c)
    assert c.title == "長照草案"


def test_a_citizen_forging_an_officials_form_is_refused(client: TestClient, db: Session) -> None:
    agency_and_official(db)
    sign_in(client, make_member(db))
    response = post(
        client,
        "/c/new",
        {"title": "x", "summary": "x", "text": DRAFT, "opens_at": "2030-01-01T09:00", "closes_at": "2030-02-01T09:00"},
    )
    assert response.status_code == 403
    assert db.exec(select(Consultation)).all() == []


def test_bad_consultation_form_shows_errors(client: TestClient, db: Session) -> None:
    _agency, official = agency_and_official(db)
    sign_in(client, official)
    response = post(
        client,
        "/c/new",
        {"title": "", "summary": "x", "text": "", "opens_at": "soon", "closes_at": ""},
        token_from="/c/new",
        headers=EN,
    )
    assert response.status_code == 400
    assert "Enter a title." in response.text and "Enter when comments open." in response.text
    assert db.exec(select(Consultation)).all() == []


def test_revisions_are_compared_article_by_article(client: TestClient, db: Session) -> None:
    c = consultation(db)
    official = db.exec(select(accounts.Member).where(accounts.Member.email == "official@mohw.example.tw")).one()
    sign_in(client, official)
    opens = (c.opens_at + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")
    closes = (c.closes_at + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")
    response = post(
        client,
        f"/c/{c.slug}/edit",
        {
            "title": c.title,
            "summary": c.summary,
            "background": c.background,
            "text": DRAFT.replace("二十一日", "三十日"),
            "opens_at": opens,
            "closes_at": closes,
            "note": "延長",
        },
        token_from=f"/c/{c.slug}/edit",
    )
    assert response.status_code == 303
    page = client.get(f"/c/{c.slug}/versions")
    assert page.status_code == 200
    assert "<del>" in page.text and "二十一" in page.text and "<ins>" in page.text
    assert client.get(f"/c/{c.slug}/versions?from=1&to=7").status_code == 404
    assert client.get(f"/c/{c.slug}/versions?from=x").status_code == 400


def test_comments_page_and_htmx_more(client: TestClient, db: Session) -> None:
    c = consultation(db)
    member = make_member(db)
    for n in range(35):
        services.comment_on_consultation(db, c, member, "support" if n % 2 else "oppose", f"意見{n}", 1)
    first = client.get(f"/c/{c.slug}/comments")
    assert first.text.count('class="comment ') == 30
    more = client.get(f"/c/{c.slug}/comments?before=6", headers={"HX-Request": "true"})
    assert more.text.lstrip().startswith("<li")
    assert more.text.count('class="comment ') == 5
    assert "<html" not in more.text
    only = client.get(f"/c/{c.slug}/comments?stance=oppose")
    assert only.text.count('class="comment ') == 18
    assert client.get(f"/c/{c.slug}/comments?stance=maybe").status_code == 400


def test_open_data_has_pseudonyms_and_no_emails(client: TestClient, db: Session) -> None:
    c = consultation(db)
    member = make_member(db, "secret.person@example.tw", name="某人")
    services.comment_on_consultation(db, c, member, "support", '支持，逗號, 與"引號"', 1)
    raw = client.get(f"/c/{c.slug}/comments.csv")
    assert raw.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(raw.text.lstrip("\ufeff"))))
    assert rows[0]["text"] == '支持，逗號, 與"引號"' and rows[0]["author"].startswith("p-")
    data = client.get(f"/c/{c.slug}/comments.json").json()
    assert data["comments"][0]["author"] == rows[0]["author"]
    for body in (raw.text, client.get(f"/c/{c.slug}/comments.json").text):
        assert "secret.person" not in body and "某人" not in body


def test_the_api_pages_consultations_and_comments(client: TestClient, db: Session) -> None:
    c = consultation(db)
    member = make_member(db)
    for n in range(5):
        services.comment_on_consultation(db, c, member, "support", f"意見{n}")
    listing = client.get("/api/v1/consultations").json()
    assert listing["total"] == 1 and listing["items"][0]["slug"] == c.slug
    page = client.get(f"/api/v1/consultations/{c.slug}/comments?per_page=2&page=2").json()
    assert (page["total"], len(page["items"]), page["items"][0]["text"]) == (5, 2, "意見2")
    assert client.get(f"/api/v1/consultations/{c.slug}/comments?per_page=500").status_code == 400
    assert client.get("/api/v1/consultations/nope/comments").status_code == 404
    assert "/api/v1/consultations/{slug}/comments" in client.get("/api/v1/openapi.json").json()["paths"]


def test_the_consultation_list_downloads_as_csv(client: TestClient, db: Session) -> None:
    consultation(db, slug="ltc")
    consultation(db, phase="closed", slug="done")
    consultation(db, phase="draft", slug="unpublished")
    assert 'href="/c.csv"' in client.get("/c").text
    download = client.get("/c.csv")
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert sorted(r["slug"] for r in rows) == ["done", "ltc"]  # never a draft
    ltc = next(r for r in rows if r["slug"] == "ltc")
    assert (ltc["agency"], ltc["phase"], ltc["tags"], ltc["url"]) == ("衛生福利部", "open", "長照", "/c/ltc")
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["Consultation"]
    assert {"slug", "phase", "closes_at"} <= set(schema["properties"])


def test_an_author_edits_within_the_window(client: TestClient, db: Session) -> None:
    c = consultation(db)
    member = make_member(db)
    comment = services.comment_on_consultation(db, c, member, "support", "原文")
    sign_in(client, member)
    path = f"/comments/{comment.id}/edit"
    response = post(client, path, {"stance": "oppose", "text": "改過"}, token_from=path)
    assert response.status_code == 303
    db.refresh(comment)
    assert comment.text == "改過"
    comment.created_at = utcnow() - timedelta(hours=1)
    db.add(comment)
    db.commit()
    response = post(client, path, {"stance": "support", "text": "再改"}, token_from=f"/c/{c.slug}")
    assert response.status_code == 400
    db.refresh(comment)
    assert comment.text == "改過"
