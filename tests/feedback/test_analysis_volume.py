"""The analysis report's "comments over time" counts the site's days, as every other date does."""

import json
from datetime import UTC, datetime

from sqlmodel import Session, select
from starlette.testclient import TestClient

from feedback.models import Analysis, Comment
from participation import services
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import agency_and_official, consultation


def test_comments_over_time_are_counted_by_the_day_in_the_site_s_time_zone(client: TestClient, db: Session) -> None:
    _agency, official = agency_and_official(db)
    ltc = consultation(db)
    people = [make_member(db, f"p{i}@example.tw", name=f"民眾{i}") for i in range(3)]
    texts = [
        "喘息服務的天數太少，家庭照顧者需要更多喘息服務",
        "照顧服務員薪資太低，應訂定薪資基準",
        "偏鄉的喘息服務據點不足",
    ]
    # 02:00 and 17:00 UTC on 9 March are 10:00 on 9 March and 01:00 on 10 March in Taipei.
    times = [datetime(2026, 3, 9, 2, 0, tzinfo=UTC), datetime(2026, 3, 9, 17, 0, tzinfo=UTC)] * 2
    for person, text, when in zip(people, texts, times, strict=False):
        comment = services.comment_on_consultation(db, ltc, person, "support", text, 2)
        comment.created_at = when
        db.add(comment)
    db.commit()
    assert len(db.exec(select(Comment)).all()) == 3
    sign_in(client, official)
    assert post(client, "/c/ltc/analysis/run", {"k": ""}, token_from="/c/ltc/analysis").status_code in (200, 303)
    db.expire_all()
    analysis = db.exec(select(Analysis)).one()
    assert analysis.status == "done"
    assert json.loads(analysis.volume) == [["2026-03-09", 2], ["2026-03-10", 1]]
