"""The JSON API against input generated from its own OpenAPI document (schemathesis, in process
through the ASGI app): whatever a client sends, the answer is never a 5xx.

Every operation the document lists is a test of its own, with a modest number of examples so the
default run stays fast; the site holds a consultation with a comment and a bill, so lists and
pages have something to show.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bills import importing
from core.api import openapi_document
from feedback import comments
from participation import services
from tests.bills.test_import import LY_RECORD
from tests.helpers import make_member
from tests.participation.factories import consultation
from thinktank.app import all_routes


@pytest.fixture
def site(app: Starlette, db: Session) -> Starlette:
    ltc = consultation(db)
    citizen = make_member(db, "citizen@example.tw", name="公民")
    comments.submit(db, services.subject_of(ltc), citizen, "support", "喘息服務要多一點", 2, "")
    importing.upsert(db, importing.parse_ly_api(LY_RECORD))
    db.commit()
    return app


# The document the app serves at /api/v1/openapi.json, built from the same routes (as JSON, where
# a response's status is a string). Loaded here rather than from the app in a fixture, since
# schemathesis's fixture loader does not work with the pytest this project uses.
DOCUMENT = json.loads(json.dumps(openapi_document(all_routes())))
schema = schemathesis.openapi.from_dict(DOCUMENT)


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_generated_request_gets_a_server_error(case: Any, site: Starlette) -> None:
    response = case.call(app=site, base_url="http://127.0.0.1:8000")
    assert response.status_code < 500, f"{case.method} {case.formatted_path} {case.query}: {response.text[:300]}"


def test_the_document_tested_is_the_one_served(client: TestClient) -> None:
    assert client.get("/api/v1/openapi.json").json() == DOCUMENT
