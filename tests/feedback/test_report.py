"""The report's theme counts, from grouped queries: comments, people as `person_key` tells them
apart, stances, articles, form letters, and only the comments shown read."""

from __future__ import annotations

from sqlalchemy import insert
from sqlmodel import Session
from starlette.testclient import TestClient

from core.db import pk, utcnow
from feedback import analyses, report, responses
from feedback.models import Comment
from participation import services
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import agency_and_official, consultation

LETTER = "喘息服務天數不足，請主管機關儘速改善，增加家庭照顧者每年可使用的喘息服務日數，謝謝。"


def test_theme_counts_match_the_comments_one_by_one(client: TestClient, db: Session) -> None:
    _agency, official = agency_and_official(db)
    ltc = consultation(db)
    wang, chen = make_member(db, "wang@example.tw", name="王小明"), make_member(db, "chen@example.tw", name="陳大文")
    services.comment_on_consultation(db, ltc, wang, "support", "喘息服務天數不足", 2)
    services.comment_on_consultation(db, ltc, wang, "oppose", "照顧服務員薪資太低", 3)
    services.comment_on_consultation(db, ltc, chen, "support", "喘息服務應該增加", 2)
    # Imported letters: two from one named sender, one from a sender with no name (a person each).
    now = utcnow()
    imported = [("李阿姨", "i1"), ("李阿姨", "i2"), ("", "i3")]
    row = {"subject_kind": "consultation", "subject_id": ltc.id, "stance": "oppose", "text": LETTER, "amendment": ""}
    rows = [
        {**row, "author_name": name, "source": "import", "dedupe_key": key, "created_at": now} for name, key in imported
    ]
    db.execute(insert(Comment), rows)
    db.commit()
    sign_in(client, official)
    assert post(client, "/c/ltc/analysis/run", {"k": "1"}, token_from="/c/ltc/analysis").status_code == 303
    analysis = analyses.analysis_for(db, "consultation", pk(ltc))
    assert analysis is not None and analysis.status == "done"
    every = analyses.subject_comments(db, "consultation", pk(ltc))
    (view,) = report.theme_views(db, analysis, members_shown=2, with_member_ids=True)
    assert view.size == 6 and view.people == len({responses.person_key(c) for c in every}) == 4
    assert view.stances == {"support": 2, "oppose": 4}
    assert view.articles == {2: {"support": 2}, 3: {"oppose": 1}}
    letters = report.stored_campaigns(analysis)["campaigns"]
    assert view.campaigns == {0: 3} and len(letters) == 1 and view.individual == 3
    assert view.member_ids == sorted(pk(c) for c in every)
    assert [pk(c) for c in view.members] == view.member_ids[:2]  # the first shown, oldest first
    (plain,) = report.theme_views(db, analysis, members_shown=0)
    assert plain.member_ids == [] and plain.members == [] and plain.size == 6
    assert "6 comments from 4 people" in client.get("/c/ltc/analysis", headers={"Accept-Language": "en"}).text
