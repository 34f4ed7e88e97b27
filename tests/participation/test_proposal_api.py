"""Proposals as open data: the JSON API, its OpenAPI entries, and the list's CSV."""

import csv
import io
from dataclasses import replace

from sqlmodel import Session
from starlette.testclient import TestClient

from core import accounts
from core.settings import Settings
from participation import proposals
from participation.models import Proposal
from tests.helpers import make_member, sign_in


def _proposals(db: Session, settings: Settings) -> dict[str, Proposal]:
    """Three public proposals (one signed twice, one answered), one pending and one rejected."""
    agency = accounts.create_agency(db, "mohw", "衛生福利部", "Ministry of Health and Welfare")
    author = make_member(db, "author@example.tw", name="提案人")
    rules = replace(settings, proposal_threshold=2)
    made = {}
    for title in ("設立照顧者津貼", "延長喘息服務", "公開長照機構評鑑", "尚待審查", "不予受理"):
        made[title] = proposals.submit(db, author, agency, title, f"{title}的說明。")
    for title in ("設立照顧者津貼", "延長喘息服務", "公開長照機構評鑑"):
        proposals.review(db, made[title], rules, True, "")
    proposals.review(db, made["不予受理"], rules, False, "與機關職掌無關")
    for n in range(2):
        proposals.sign(db, made["設立照顧者津貼"], make_member(db, f"s{n}@example.tw", name=f"連署人{n}"), rules)
    proposals.respond(db, made["延長喘息服務"], "將研議。")
    return made


def test_the_proposal_list_carries_counts_and_deadlines(client: TestClient, db: Session, settings: Settings) -> None:
    made = _proposals(db, settings)
    data = client.get("/api/v1/proposals").json()
    assert data["total"] == 3 and data["page"] == 1 and data["per_page"] == 50
    by_title = {p["title"]: p for p in data["items"]}
    assert set(by_title) == {"設立照顧者津貼", "延長喘息服務", "公開長照機構評鑑"}
    signed = by_title["設立照顧者津貼"]
    assert signed["agency"] == {"slug": "mohw", "name": "衛生福利部", "name_en": "Ministry of Health and Welfare"}
    assert (signed["signatures"], signed["threshold"], signed["status"]) == (2, 2, "awaiting_response")
    assert signed["response_due_at"] and signed["signing_ends_at"] and signed["answered"] is False
    assert signed["url"] == f"/proposals/{made['設立照顧者津貼'].id}"
    answered = by_title["延長喘息服務"]
    assert answered["answered"] is True and answered["status"] == "responded" and answered["responded_at"]
    fresh = by_title["公開長照機構評鑑"]
    assert (fresh["signatures"], fresh["status"], fresh["response_due_at"]) == (0, "collecting", None)


def test_proposals_page_and_refuse_bad_paging(client: TestClient, db: Session, settings: Settings) -> None:
    _proposals(db, settings)
    first = client.get("/api/v1/proposals?per_page=2").json()
    second = client.get("/api/v1/proposals?per_page=2&page=2").json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["total"] == 3
    assert {p["id"] for p in first["items"]}.isdisjoint(p["id"] for p in second["items"])
    assert client.get("/api/v1/proposals?per_page=200").status_code == 200
    for bad in ("per_page=0", "per_page=201", "page=0", "page=two"):
        answer = client.get(f"/api/v1/proposals?{bad}")
        assert answer.status_code == 400 and answer.json()["error"]["status"] == 400, bad


def test_one_proposal_and_never_one_that_is_not_public(client: TestClient, db: Session, settings: Settings) -> None:
    made = _proposals(db, settings)
    data = client.get(f"/api/v1/proposals/{made['延長喘息服務'].id}").json()
    assert data["body"] == "延長喘息服務的說明。" and data["response"] == "將研議。"
    assert [e["event"] for e in data["history"]] == ["submitted", "accepted", "responded"]
    sign_in(client, make_member(db, "mod@example.tw", role="moderator"))  # even a moderator's API is public data
    for hidden in ("尚待審查", "不予受理"):
        answer = client.get(f"/api/v1/proposals/{made[hidden].id}")
        assert answer.status_code == 404 and answer.json()["error"]["status"] == 404
    assert client.get("/api/v1/proposals/424242").status_code == 404
    assert "尚待審查" not in client.get("/api/v1/proposals").text
    assert "不予受理" not in client.get("/proposals.csv").text


def test_the_openapi_document_lists_the_proposal_endpoints(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/proposals" in document["paths"] and "/api/v1/proposals/{proposal_id}" in document["paths"]
    listed = document["paths"]["/api/v1/proposals"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listed["schema"]["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Proposal"}
    assert {"signatures", "threshold", "response_due_at", "answered"} <= set(
        document["components"]["schemas"]["Proposal"]["properties"]
    )


def test_the_proposal_list_downloads_as_csv(client: TestClient, db: Session, settings: Settings) -> None:
    made = _proposals(db, settings)
    page = client.get("/proposals")
    assert 'href="/proposals.csv"' in page.text
    download = client.get("/proposals.csv")
    assert download.headers["content-type"].startswith("text/csv")
    reader = csv.reader(io.StringIO(download.text.lstrip("\ufeff")))
    header = next(reader)
    assert header[:6] == ["id", "title", "agency", "status", "signatures", "threshold"]
    rows = {row[1]: dict(zip(header, row, strict=True)) for row in reader}
    assert set(rows) == {"設立照顧者津貼", "延長喘息服務", "公開長照機構評鑑"}
    signed = rows["設立照顧者津貼"]
    assert (signed["agency"], signed["signatures"], signed["status"]) == ("衛生福利部", "2", "awaiting_response")
    assert signed["url"] == f"/proposals/{made['設立照顧者津貼'].id}" and signed["response_due_at"]
