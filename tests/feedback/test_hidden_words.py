"""A comment a moderator hid is gone from every public copy of the words: the open-data API, the
CSV and JSON downloads, and the analysis (its quotes and form letters)."""

from sqlmodel import Session
from starlette.testclient import TestClient

from core import moderation
from feedback import analyses
from feedback.models import Comment
from participation import services
from tests.helpers import make_member
from tests.participation.factories import consultation

PHONE = "請打 0912-345-678 找我"


def _hidden(db: Session) -> tuple[Comment, Comment]:
    ltc = consultation(db)
    author, other = make_member(db, "a@example.tw"), make_member(db, "b@example.tw")
    hidden = services.comment_on_consultation(db, ltc, author, "support", f"喘息服務不足，{PHONE}")
    kept = services.comment_on_consultation(db, ltc, other, "oppose", "喘息服務的天數應該增加")
    moderator = make_member(db, "mod@example.tw", role="moderator")
    moderation.act_on_content(db, moderator, "comment", hidden.id, "hide", "個資")
    return hidden, kept


def test_open_data_lists_a_hidden_comment_without_its_words(client: TestClient, db: Session) -> None:
    hidden, kept = _hidden(db)
    api = client.get("/api/v1/consultations/ltc/comments").json()
    rows = {item["id"]: item for item in api["items"]}
    assert rows[hidden.id]["hidden"] is True and rows[hidden.id]["text"] == ""
    assert rows[kept.id]["hidden"] is False and rows[kept.id]["text"] == "喘息服務的天數應該增加"
    for path in ("/c/ltc/comments.csv", "/c/ltc/comments.json", "/api/v1/consultations/ltc/comments"):
        body = client.get(path).text
        assert "0912-345-678" not in body and "喘息服務的天數應該增加" in body, path


def test_the_analysis_reads_no_hidden_comment(db: Session) -> None:
    _hidden_one, kept = _hidden(db)
    ids = [c.id for c in analyses.subject_comments(db, "consultation", kept.subject_id)]
    assert ids == [kept.id]
