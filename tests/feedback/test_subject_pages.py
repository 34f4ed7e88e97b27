"""Feedback's shared pages, run for every kind of subject: the same comment list, comment form,
exports, comment edit, response editor and analysis report under /c/<slug>/… and /bills/<id>/…."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from bills import manual
from core import accounts, notify
from core.db import utcnow
from feedback.models import Comment, ResponseTheme
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import agency_and_official, consultation

LAW = """第一條 本法依長期照顧服務法訂定之。

第二條 喘息服務每年以二十一日為上限。

第三條 照顧服務人員薪資不得低於基準。
"""


@dataclass
class Case:
    kind: str
    path: str  # the subject's page
    manager: accounts.Member  # who answers it
    article: int  # an article a comment may be on
    close: Callable[[], None]  # end the comment period, so the response may be published


def _consultation(db: Session) -> Case:
    _agency, official = agency_and_official(db)
    c = consultation(db, text=LAW)

    def close() -> None:
        c.closes_at = utcnow()
        db.add(c)
        db.commit()

    return Case("consultation", f"/c/{c.slug}", official, 2, close)


def _bill(db: Session) -> Case:
    bill = manual.create_bill(db, manual.ManualBill(title="長期照顧服務法修正草案", text=LAW, on="2026-10-01"))
    staff = make_member(db, "staff@example.tw", role="legislative_staff", name="法案助理")

    def close() -> None:
        bill.stage = "enacted"
        db.add(bill)
        db.commit()

    return Case("bill", f"/bills/{bill.id}", staff, 2, close)


@pytest.fixture(params=["consultation", "bill"])
def case(request: pytest.FixtureRequest, db: Session) -> Case:
    return {"consultation": _consultation, "bill": _bill}[request.param](db)


def _comment(client: TestClient, case: Case, text: str, article: int | None = None, stance: str = "support"):  # type: ignore[no-untyped-def]
    form = {"article": "" if article is None else str(article), "stance": stance, "text": text, "amendment": ""}
    return post(client, f"{case.path}/comments", form, token_from=case.path)


def test_a_member_comments_on_an_article_and_finds_it_on_the_page_and_in_the_list(
    client: TestClient, db: Session, case: Case
) -> None:
    sign_in(client, make_member(db))
    answer = _comment(client, case, "喘息服務應增加到三十日", case.article)
    assert answer.status_code == 303
    comment = db.exec(select(Comment)).one()
    assert comment.subject_kind == case.kind and comment.article == case.article
    assert answer.headers["location"] == f"{case.path}#comment-{comment.id}"
    page = client.get(case.path).text
    assert f'id="comment-{comment.id}"' in page and "喘息服務應增加到三十日" in page
    listed = client.get(f"{case.path}/comments?article={case.article}&stance=support")
    assert f'id="comment-{comment.id}"' in listed.text
    assert f'id="comment-{comment.id}"' not in client.get(f"{case.path}/comments?stance=oppose").text
    fragment = client.get(f"{case.path}/comments", headers={"HX-Request": "true"})
    assert "HX-Request" in fragment.headers["vary"] and "<html" not in fragment.text


def test_a_comment_on_no_such_article_is_explained_and_not_stored(client: TestClient, db: Session, case: Case) -> None:
    sign_in(client, make_member(db))
    answer = _comment(client, case, "第九條呢？", 9)
    assert answer.status_code == 400
    assert 'id="comment-form"' in answer.text and "第九條呢？" in answer.text  # the form keeps what was written
    assert db.exec(select(Comment)).all() == []


def test_once_the_comment_period_ends_comments_are_refused(client: TestClient, db: Session, case: Case) -> None:
    sign_in(client, make_member(db))
    case.close()
    assert _comment(client, case, "太晚了").status_code == 400
    assert db.exec(select(Comment)).all() == []
    assert 'action="' + case.path + '/comments"' not in client.get(case.path).text


def test_the_comments_as_open_data_carry_pseudonyms_never_names_or_addresses(
    client: TestClient, db: Session, case: Case
) -> None:
    member = make_member(db, "hidden.address@example.tw", name="不公開的名字")
    sign_in(client, member)
    _comment(client, case, '=HYPERLINK("x")', case.article)
    _comment(client, case, "第二則")
    rows = list(csv.DictReader(io.StringIO(client.get(f"{case.path}/comments.csv").text.lstrip("\ufeff"))))
    assert [r["text"] for r in rows][1] == "第二則" and rows[0]["author"] == rows[1]["author"]
    assert rows[0]["article"] == str(case.article) and rows[0]["author"].startswith("p-")
    assert rows[0]["article_label"] == "第二條" and rows[1]["article_label"] == ""  # as the law writes it
    data = client.get(f"{case.path}/comments.json").json()
    assert [c["text"] for c in data["comments"]][1] == "第二則"
    assert data[case.kind]["url"] == case.path
    api = f"/api/v1{case.path.replace('/c/', '/consultations/')}/comments?per_page=1"
    paged = client.get(api).json()
    assert paged["total"] == 2 and len(paged["items"]) == 1
    for body in (client.get(f"{case.path}/comments.csv").text, str(data), str(paged)):
        assert "hidden.address" not in body and "不公開的名字" not in body


def test_authors_edit_their_own_comment_and_nobody_else_may(client: TestClient, db: Session, case: Case) -> None:
    author = make_member(db)
    sign_in(client, author)
    _comment(client, case, "原本的意見", case.article)
    comment = db.exec(select(Comment)).one()
    edit = f"/comments/{comment.id}/edit"
    answer = post(client, edit, {"stance": "oppose", "text": "改過的意見", "amendment": ""}, token_from=edit)
    assert answer.status_code == 303 and answer.headers["location"] == f"{case.path}#comment-{comment.id}"
    db.refresh(comment)
    assert (comment.stance, comment.text) == ("oppose", "改過的意見")
    sign_in(client, make_member(db, "other@example.tw"))
    assert client.get(edit).status_code == 403


def test_the_people_who_answer_publish_a_response_and_commenters_are_told(
    client: TestClient, db: Session, case: Case
) -> None:
    citizen = make_member(db)
    sign_in(client, citizen)
    _comment(client, case, "喘息服務應增加到三十日", case.article)
    comment = db.exec(select(Comment)).one()
    assert client.get(f"{case.path}/response/edit").status_code == 403
    assert client.get(f"{case.path}/response").status_code == 404  # nothing published yet
    case.close()
    sign_in(client, case.manager)
    edit = f"{case.path}/response/edit"
    theme = {
        "theme": "",
        "title": "喘息服務天數",
        "decision": "adopted",
        "reasoning": "將提高至三十日",
        "article_changes": "",
    }
    assert post(client, f"{case.path}/response/themes", theme, token_from=edit).status_code == 303
    theme_id = db.exec(select(ResponseTheme.id)).one()
    placed = {"action": "assign", "comment": str(comment.id), "theme": str(theme_id)}
    assert post(client, f"{case.path}/response/assign", placed, token_from=edit).status_code == 303
    assert post(client, f"{case.path}/response/publish", {}, token_from=edit).status_code == 303
    public = client.get(f"{case.path}/response").text
    assert "喘息服務天數" in public and "將提高至三十日" in public
    rows = list(csv.DictReader(io.StringIO(client.get(f"{case.path}/response.csv").text.lstrip("\ufeff"))))
    assert rows[0]["theme"] == "喘息服務天數" and rows[0]["comments"] == "1"
    articles = client.get(f"{case.path}/response.json").json()["articles"]
    assert {a["number"]: a["decisions"] for a in articles}[case.article] == ["adopted"]
    told = db.exec(select(notify.Notification).where(notify.Notification.member_id == citizen.id)).all()
    assert any(n.url == f"{case.path}/response" for n in told)
    sign_in(client, citizen)
    assert "喘息服務天數" in client.get(f"{case.path}/comments").text  # where the comment went


def test_the_analysis_is_for_those_who_answer_until_they_publish_it(
    client: TestClient, db: Session, case: Case
) -> None:
    sign_in(client, make_member(db))
    for text in ["喘息服務要增加", "喘息服務不夠用", "照顧服務員薪資太低", "薪資基準要提高"]:
        _comment(client, case, text, case.article)
    report = f"{case.path}/analysis"
    assert post(client, f"{report}/run", {"k": ""}, token_from=case.path).status_code == 403
    assert "analysis/run" not in client.get(report).text
    sign_in(client, case.manager)
    assert post(client, f"{report}/run", {"k": "2"}, token_from=report).status_code == 303
    assert client.get(f"{report}.json").json()["counts"]["comments"] == 4
    client.cookies.clear()
    assert client.get(f"{report}.json").status_code == 404
    sign_in(client, case.manager)
    assert post(client, f"{report}/publish", {}, token_from=report).status_code == 303
    client.cookies.clear()
    themes = client.get(f"{report}.json").json()["themes"]
    assert sum(t["size"] for t in themes) == 4 and len(themes) == 2


def test_the_comment_just_posted_is_shown_highlighted_with_its_receipt(
    client: TestClient, db: Session, case: Case
) -> None:
    sign_in(client, make_member(db))
    _comment(client, case, "剛剛送出的意見", case.article)
    comment = db.exec(select(Comment)).one()
    page = client.get(case.path).text
    item = page.split(f'id="comment-{comment.id}"')[0].rsplit("<li", 1)[1]
    assert "comment--new" in item
    assert "/receipt/C" in page.split(f'id="comment-{comment.id}"')[1].split("</li>")[0]
    assert "comment--new" not in client.get(case.path).text  # once: a reload is an ordinary page


LETTER = "我反對一次性塑膠吸管全面禁用，這會造成身心障礙者與長者的不便，請保留其他選擇並延後實施日期，謝謝。"


def test_a_form_letter_is_one_entry_and_its_copies_are_a_click_away(
    client: TestClient, db: Session, case: Case
) -> None:
    for n in range(5):
        sign_in(client, make_member(db, f"s{n}@example.tw"))
        _comment(client, case, LETTER if n else LETTER.replace("謝謝。", "我的父親需要吸管。謝謝。"))
    sign_in(client, make_member(db, "own@example.tw"))
    _comment(client, case, "喘息服務應該增加到三十日，並且可以按小時使用。", case.article)
    own = db.exec(select(Comment).where(Comment.text.startswith("喘息"))).one()  # type: ignore[attr-defined]
    assert client.get(case.path).text.count('class="comment ') == 6  # no analysis yet: every comment
    sign_in(client, case.manager)
    report = f"{case.path}/analysis"
    assert post(client, f"{report}/run", {"k": ""}, token_from=report).status_code == 303
    page = client.get(case.path).text  # those who answer see the letters collapsed at once
    assert "這份意見與另外 4 份相近的意見" in page and page.count('class="comment ') == 1
    client.cookies.clear()
    assert client.get(case.path).text.count('class="comment ') == 6  # the public, once it is published
    sign_in(client, case.manager)
    assert post(client, f"{report}/publish", {}, token_from=report).status_code == 303
    client.cookies.clear()
    public = client.get(case.path).text
    assert public.count('class="comment ') == 1 and f'id="comment-{own.id}"' in public
    letter = public.split("comments?letter=")[1].split('"')[0]
    copies = client.get(f"{case.path}/comments?letter={letter}").text
    assert copies.count('class="comment ') == 5 and f'id="comment-{own.id}"' not in copies
    assert client.get(f"{case.path}/comments?letters=all").text.count('class="comment ') == 6
