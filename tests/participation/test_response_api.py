"""Every published structured response as open data: the JSON API, its OpenAPI entry, the CSV."""

import csv
import io

from sqlmodel import Session
from starlette.testclient import TestClient

from core.db import pk, utcnow
from feedback import responses
from participation import services
from participation.models import Consultation
from tests.helpers import make_member
from tests.participation.factories import consultation


def _answered(db: Session, slug: str, publish: bool = True, draft: bool = False) -> Consultation:
    """A consultation with three comments from two people, answered in two themes; `draft` takes
    the consultation out of public view afterwards (no service does, so the row is changed)."""
    c = consultation(db, slug=slug, agency_slug="mohw")
    people = [make_member(db, f"{slug}{n}@example.tw", name=f"民眾{n}") for n in range(2)]
    ids = [
        pk(services.comment_on_consultation(db, c, people[0], "oppose", "喘息太少", 2)),
        pk(services.comment_on_consultation(db, c, people[1], "oppose", "真的太少", 2)),
        pk(services.comment_on_consultation(db, c, people[1], "support", "薪資基準很好", 3)),
    ]
    c.closes_at = utcnow()
    db.add(c)
    db.commit()
    response = responses.response_for(db, "consultation", pk(c), create=True)
    assert response is not None
    responses.set_summary(db, response, f"{slug} 的回應摘要")
    respite = responses.add_theme(db, response, f"{slug}：喘息服務天數不足", "partly_adopted", "改為二十八日")
    wages = responses.add_theme(db, response, f"{slug}：支持薪資基準", "adopted")
    responses.assign(db, response, ids[:2], respite)
    responses.assign(db, response, ids[2:], wages)
    if publish:
        responses.publish(db, response, make_member(db, f"o-{slug}@example.tw"))
    if draft:
        c.published_at = None
        db.add(c)
        db.commit()
    return c


def test_published_responses_carry_their_themes(client: TestClient, db: Session) -> None:
    first = _answered(db, "ltc")
    _answered(db, "unpublished", publish=False)
    _answered(db, "secret", draft=True)  # published on a consultation the public cannot see
    data = client.get("/api/v1/responses").json()
    assert data["total"] == 1 and data["page"] == 1
    [item] = data["items"]
    assert item["subject"] == {"kind": "consultation", "id": first.id, "title": "長照草案", "url": "/c/ltc"}
    assert item["summary"] == "ltc 的回應摘要" and item["url"] == "/c/ltc/response" and item["published_at"]
    themes = {t["theme"]: t for t in item["themes"]}
    respite = themes["ltc：喘息服務天數不足"]
    assert (respite["comments"], respite["people"], respite["decision"]) == (2, 2, "partly_adopted")
    assert respite["reasoning"] == "改為二十八日" and respite["articles"] == [2]
    assert themes["ltc：支持薪資基準"]["decision"] == "adopted"
    body = client.get("/api/v1/responses").text
    assert "unpublished" not in body and "secret" not in body


def test_responses_page_and_refuse_bad_paging(client: TestClient, db: Session) -> None:
    for slug in ("one", "two", "three"):
        _answered(db, slug)
    first = client.get("/api/v1/responses?per_page=2").json()
    second = client.get("/api/v1/responses?per_page=2&page=2").json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["total"] == 3
    assert [i["subject"]["url"] for i in first["items"] + second["items"]] == ["/c/three", "/c/two", "/c/one"]
    for bad in ("per_page=0", "per_page=201", "page=0", "page=1.5"):
        assert client.get(f"/api/v1/responses?{bad}").status_code == 400, bad


def test_every_published_theme_downloads_as_csv(client: TestClient, db: Session) -> None:
    _answered(db, "ltc")
    _answered(db, "secret", draft=True)
    assert 'href="/responses.csv"' in client.get("/c/ltc/response").text
    rows = list(csv.DictReader(io.StringIO(client.get("/responses.csv").text.lstrip("\ufeff"))))
    assert [r["theme"] for r in rows] == ["ltc：喘息服務天數不足", "ltc：支持薪資基準"]
    assert (rows[0]["subject_kind"], rows[0]["url"], rows[0]["people"], rows[0]["decision"]) == (
        "consultation",
        "/c/ltc/response",
        "2",
        "partly_adopted",
    )


def test_the_openapi_document_lists_the_responses(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/responses" in document["paths"]
    themes = document["components"]["schemas"]["PublishedResponse"]["properties"]["themes"]
    assert themes["items"] == {"$ref": "#/components/schemas/ResponseTheme"}
    assert {"theme", "people", "decision", "reasoning"} <= set(
        document["components"]["schemas"]["ResponseTheme"]["properties"]
    )
