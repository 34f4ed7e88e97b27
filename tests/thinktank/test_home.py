"""The front page gathers what is open, what closes soon, the latest answers and bill moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session
from starlette.testclient import TestClient

from bills import manual
from core import i18n, web
from core.db import utcnow
from feedback import responses
from participation import proposals, services
from tests.helpers import make_member
from tests.participation.factories import agency_and_official, consultation


def test_the_home_page_shows_what_is_open_closing_and_answered(client: TestClient, db: Session, settings) -> None:  # type: ignore[no-untyped-def]
    agency, official = agency_and_official(db)
    soon = consultation(db, slug="soon")
    soon.closes_at = utcnow() + timedelta(days=2, hours=3, minutes=30)
    db.add(soon)
    db.commit()
    later = consultation(db, slug="later")
    consultation(db, phase="draft", slug="secret-draft")
    services.comment_on_consultation(db, later, make_member(db), "support", "支持")
    answered = consultation(db, phase="closed", slug="answered")
    response = responses.response_for(db, "consultation", answered.id, create=True)  # type: ignore[arg-type]
    assert response is not None
    responses.add_theme(db, response, "喘息服務")
    responses.publish(db, response, official)
    proposal = proposals.submit(db, make_member(db, "p@example.tw"), agency, "增設長照據點", "偏鄉需要。")
    proposals.review(db, proposal, settings, True, "")
    manual.create_bill(
        db, manual.ManualBill(title="長照法修正草案", text="第一條 本法。", on="2026-10-01", stage="in_committee")
    )
    page = client.get("/").text
    closing = page.split('id="soon-title"')[1].split("</section>")[0]
    assert "/c/soon" in closing and "/c/later" not in closing and "還有 2 天 3 小時" in closing
    assert "/c/later" in page and "secret-draft" not in page
    assert "/c/answered/response" in page and f"/proposals/{proposal.id}" in page
    assert "長照法修正草案" in page
    assert "<div><dt>本月意見數</dt><dd>1</dd></div>" in page


def test_a_countdown_says_days_and_hours_left_or_how_late_in_words_and_with_the_date() -> None:
    now = datetime(2026, 12, 1, 6, 42, tzinfo=UTC)  # 14:42 in Taipei
    i18n.set_locale("zh_TW")
    left = str(web.countdown(now + timedelta(days=3, hours=5), now))
    assert (
        "還有 3 天 5 小時" in left
        and "2026年12月4日 19:42 截止" in left
        and 'datetime="2026-12-04T11:42:00+00:00"' in left
    )
    late = str(web.countdown(now - timedelta(days=2, hours=1), now))
    assert "已逾期 2 天" in late and "overdue" in late
    assert "不到 1 小時" in str(web.countdown(now + timedelta(minutes=20), now))
    i18n.set_locale("en")
    assert "1 day left" in str(web.countdown(now + timedelta(days=1), now))
    i18n.set_locale("zh_TW")
