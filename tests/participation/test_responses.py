"""Structured responses: themes, placing comments, counts, publishing, and where each comment went."""

import csv
import io
import re

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from core import accounts, notify
from core.db import pk, utcnow
from core.errors import Invalid
from feedback import responses
from feedback.models import ThemeComment
from participation import services
from participation.models import Consultation
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import consultation


def _closed_with_comments(db: Session) -> tuple[Consultation, list[int], list[accounts.Member]]:
    c = consultation(db, phase="open")
    people = [make_member(db, f"p{n}@example.tw", name=f"民眾{n}") for n in range(3)]
    ids = [
        pk(services.comment_on_consultation(db, c, people[0], "oppose", "喘息太少", 2)),
        pk(
            services.comment_on_consultation(db, c, people[0], "amend", "改成三十日", 2, "喘息服務每年以三十日為上限。")
        ),
        pk(services.comment_on_consultation(db, c, people[1], "oppose", "真的太少", 2)),
        pk(services.comment_on_consultation(db, c, people[2], "support", "薪資基準很好", 3)),
    ]
    c.closes_at = utcnow()  # comments were made while open; now it has closed
    db.add(c)
    db.commit()
    return c, ids, people


def test_themes_count_comments_and_distinct_people(db: Session) -> None:
    c, ids, _people = _closed_with_comments(db)
    response = responses.response_for(db, "consultation", pk(c), create=True)
    assert response is not None
    respite = responses.add_theme(db, response, "喘息服務天數不足", "partly_adopted", "改為二十八日")
    wages = responses.add_theme(db, response, "支持薪資基準", "adopted")
    assert responses.assign(db, response, ids[:3], respite) == 3
    responses.assign(db, response, [ids[3], 999999], wages)  # an id from nowhere is ignored
    responses.set_representative(db, response, ids[1], True)
    summary = {s.theme.title: s for s in responses.summarise(db, response)}
    assert (summary["喘息服務天數不足"].comments, summary["喘息服務天數不足"].people) == (3, 2)
    assert [q.text for q in summary["喘息服務天數不足"].quotes] == ["改成三十日"]
    assert summary["喘息服務天數不足"].articles == {2: {"oppose": 2, "amend": 1}}
    responses.assign(db, response, [ids[0]], wages)  # moving a comment takes it out of its old theme
    summary = {s.theme.title: s for s in responses.summarise(db, response)}
    assert (summary["喘息服務天數不足"].comments, summary["支持薪資基準"].comments) == (2, 2)
    assert len(db.exec(select(ThemeComment)).all()) == 4


def test_bad_theme_input_is_refused(db: Session) -> None:
    c, _ids, _people = _closed_with_comments(db)
    response = responses.response_for(db, "consultation", pk(c), create=True)
    assert response is not None
    with pytest.raises(Invalid) as caught:
        responses.add_theme(db, response, " ", "maybe")
    assert set(caught.value.errors) == {"title", "decision"}
    with pytest.raises(Invalid):
        responses.publish(db, response, make_member(db, "o@example.tw"))
    assert responses.themes_of(db, response) == []


def test_deleting_a_theme_keeps_its_comments(db: Session) -> None:
    c, ids, _people = _closed_with_comments(db)
    response = responses.response_for(db, "consultation", pk(c), create=True)
    assert response is not None
    theme = responses.add_theme(db, response, "暫定")
    responses.assign(db, response, ids, theme)
    responses.delete_theme(db, theme)
    _unassigned, total = responses.unassigned_comments(db, response)
    assert total == 4


def test_the_agency_publishes_and_commenters_see_where_their_comment_went(client: TestClient, db: Session) -> None:
    c, ids, people = _closed_with_comments(db)
    official = db.exec(select(accounts.Member).where(accounts.Member.email == "official@mohw.example.tw")).one()
    sign_in(client, official)
    edit = f"/c/{c.slug}/response/edit"
    assert (
        post(
            client,
            f"/c/{c.slug}/response/themes",
            {"title": "喘息服務天數不足", "decision": "partly_adopted", "reasoning": "改為二十八日"},
            token_from=edit,
        ).status_code
        == 303
    )
    response = responses.response_for(db, "consultation", pk(c))
    assert response is not None
    theme = responses.themes_of(db, response)[0]
    token_page = client.get(edit)
    assert "喘息太少" in token_page.text
    form = {"theme": str(theme.id)}
    answer = client.post(
        f"/c/{c.slug}/response/assign",
        data={**form, "comment": [str(i) for i in ids[:3]], "csrf_token": _token(token_page.text)},
    )
    assert answer.status_code == 303
    assert client.get(f"/c/{c.slug}/response").status_code == 200  # the agency's preview
    assert post(client, f"/c/{c.slug}/response/publish", {}, token_from=edit).status_code == 303
    db.refresh(c)
    assert c.phase() == "responded"

    told = {n.member_id for n in db.exec(select(notify.Notification))}
    assert told == {pk(p) for p in people}
    assert {m.to_address for m in notify.recent_outbox(db)} == {p.email for p in people}

    client.cookies.clear()
    sign_in(client, people[1])
    page = client.get(f"/c/{c.slug}")
    assert "機關將這則意見歸入主題" in page.text and "喘息服務天數不足" in page.text and "部分採納" in page.text
    public = client.get(f"/c/{c.slug}/response")
    assert "3 則意見" in public.text and "2 人" in public.text and "改為二十八日" in public.text
    assert client.get("/notifications").text.count("機關已回應政策諮詢") == 1
    rows = list(csv.DictReader(io.StringIO(client.get(f"/c/{c.slug}/response.csv").text.lstrip("\ufeff"))))
    assert rows[0]["theme"] == "喘息服務天數不足" and rows[0]["comments"] == "3" and rows[0]["people"] == "2"
    data = client.get(f"/c/{c.slug}/response.json").json()
    assert data["themes"][0]["decision"] == "partly_adopted"
    assert {a["number"]: a["counts"] for a in data["articles"]}[2] == {"oppose": 2, "amend": 1}


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_a_response_cannot_be_published_while_comments_are_open(client: TestClient, db: Session) -> None:
    c = consultation(db, phase="open")
    official = db.exec(select(accounts.Member).where(accounts.Member.email == "official@mohw.example.tw")).one()
    sign_in(client, official)
    edit = f"/c/{c.slug}/response/edit"
    post(client, f"/c/{c.slug}/response/themes", {"title": "主題", "decision": "adopted"}, token_from=edit)
    response = post(client, f"/c/{c.slug}/response/publish", {}, token_from=edit)
    assert response.status_code == 400
    assert "諮詢截止後才能發布回應" in response.text
    db.refresh(c)
    assert c.responded_at is None


def test_unpublished_responses_are_private_and_editing_is_for_the_agency(client: TestClient, db: Session) -> None:
    c, _ids, people = _closed_with_comments(db)
    responses.response_for(db, "consultation", pk(c), create=True)
    assert client.get(f"/c/{c.slug}/response").status_code == 404
    assert client.get(f"/c/{c.slug}/response.csv").status_code == 404
    sign_in(client, people[0])
    assert client.get(f"/c/{c.slug}/response/edit").status_code == 403
    forged = post(
        client, f"/c/{c.slug}/response/themes", {"title": "偽造", "decision": "adopted"}, token_from=f"/c/{c.slug}"
    )
    assert forged.status_code == 403
    response = responses.response_for(db, "consultation", pk(c))
    assert response is not None and responses.themes_of(db, response) == []


def test_the_published_response_has_a_print_button_run_by_a_script_of_our_own(client: TestClient, db: Session) -> None:
    c, _ids, _people = _closed_with_comments(db)
    official = accounts.find_member_by_email(db, "official@mohw.example.tw")  # the consultation's agency's
    response = responses.response_for(db, "consultation", pk(c), create=True)
    assert response is not None and official is not None
    responses.add_theme(db, response, "喘息服務天數不足", "adopted")
    responses.publish(db, response, official)
    page = client.get(f"/c/{c.slug}/response", headers={"Accept-Language": "en"}).text
    assert '<button type="button" class="print-button no-print" data-print hidden>Print this page</button>' in page
    assert '<script src="/static/print.js" defer></script>' in page
    script = client.get("/static/print.js")
    assert script.status_code == 200 and "window.print()" in script.text
    assert "script-src 'self'" in script.headers["content-security-policy"]  # no inline script needed
