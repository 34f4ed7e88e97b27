"""The JSON API and its generated OpenAPI document."""

from sqlmodel import Session
from starlette.testclient import TestClient

from core import accounts


def test_openapi_document_lists_the_api(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/agencies" in document["paths"]
    assert "/api/v1/members/{member_id}" in document["paths"]
    assert all(path.startswith("/api/v1/") for path in document["paths"])


def test_agencies_api(client: TestClient, db: Session) -> None:
    accounts.create_agency(db, "moda", "數位發展部", "Ministry of Digital Affairs")
    assert client.get("/api/v1/agencies").json() == {
        "items": [{"slug": "moda", "name": "數位發展部", "name_en": "Ministry of Digital Affairs"}]
    }


def test_health_reports_database_and_queue(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "queue": "ok"}
