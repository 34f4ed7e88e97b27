"""The admin's pages: roles and agencies. Every write checks the role."""

from sqlmodel import Session
from starlette.testclient import TestClient

from core import accounts
from tests.helpers import make_member, post, sign_in


def _admin(db: Session) -> accounts.Member:
    return make_member(db, "admin@example.tw", role="admin", name="管理員")


def test_only_admins_see_the_roles_page(client: TestClient, db: Session) -> None:
    assert client.get("/admin/members").status_code == 303
    sign_in(client, make_member(db, role="moderator"))
    assert client.get("/admin/members").status_code == 403


def test_admin_grants_an_agency_official_role(client: TestClient, db: Session) -> None:
    agency = accounts.create_agency(db, "mohw", "衛生福利部")
    sign_in(client, _admin(db))
    official = make_member(db, "official@example.tw", name="林怡君")
    assert "林怡君" in client.get("/admin/members?q=official").text
    response = post(
        client, f"/admin/members/{official.id}/roles", {"role": "agency_official", "agency": "mohw", "action": "grant"}
    )
    assert response.status_code == 303
    db.refresh(official)
    assert accounts.roles_of(db, official) == {"citizen", "agency_official"}
    assert official.agency_id == agency.id


def test_granting_an_official_role_without_an_agency_is_refused(client: TestClient, db: Session) -> None:
    sign_in(client, _admin(db))
    member = make_member(db, "someone@example.tw")
    response = post(client, f"/admin/members/{member.id}/roles", {"role": "agency_official", "action": "grant"})
    assert response.status_code == 400
    assert "機關承辦人必須隸屬於一個機關。" in response.text
    assert accounts.roles_of(db, member) == {"citizen"}


def test_a_forged_role_grant_by_a_citizen_is_refused(client: TestClient, db: Session) -> None:
    citizen = make_member(db, "citizen@example.tw")
    sign_in(client, citizen)
    response = post(client, f"/admin/members/{citizen.id}/roles", {"role": "admin", "action": "grant"})
    assert response.status_code == 403
    assert accounts.roles_of(db, citizen) == {"citizen"}


def test_the_last_admin_cannot_be_removed(client: TestClient, db: Session) -> None:
    admin = _admin(db)
    sign_in(client, admin)
    response = post(client, f"/admin/members/{admin.id}/roles", {"role": "admin", "action": "revoke"})
    assert response.status_code == 400
    assert "admin" in accounts.roles_of(db, admin)


def test_admin_revokes_a_role(client: TestClient, db: Session) -> None:
    sign_in(client, _admin(db))
    moderator = make_member(db, "mod@example.tw", role="moderator")
    response = post(client, f"/admin/members/{moderator.id}/roles", {"role": "moderator", "action": "revoke"})
    assert response.status_code == 303
    assert accounts.roles_of(db, moderator) == {"citizen"}


def test_the_member_search_answers_htmx_with_just_the_rows(client: TestClient, db: Session) -> None:
    sign_in(client, _admin(db))
    make_member(db, "chen@example.tw", name="陳志明")
    response = client.get("/admin/members?q=陳", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="member-rows">')
    assert "陳志明" in response.text and "admin@example.tw" not in response.text
    assert "HX-Request" in response.headers["vary"]


def test_admin_creates_an_agency_and_bad_input_is_explained(client: TestClient, db: Session) -> None:
    sign_in(client, _admin(db))
    response = post(client, "/agencies", {"slug": "moenv", "name": "環境部", "name_en": "Ministry of Environment"})
    assert response.status_code == 303
    response = post(client, "/agencies", {"slug": "moenv", "name": "重複"})
    assert response.status_code == 400
    assert "已有機關使用這個簡稱。" in response.text
    assert [a.name for a in accounts.list_agencies(db)] == ["環境部"]
    assert "Ministry of Environment" in client.get("/agencies").text


def test_the_outbox_is_for_admins_only(client: TestClient, db: Session) -> None:
    sign_in(client, make_member(db))
    assert client.get("/outbox").status_code == 403
