"""Following consultations, proposals and agencies; Atom feeds; participation indicators."""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.testclient import TestClient

from core import accounts, notify
from core.db import pk, utcnow
from core.jobs import Queue
from core.settings import Settings
from feedback import responses
from participation import indicators, services
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import consultation

ATOM = "{http://www.w3.org/2005/Atom}"


def test_follow_and_unfollow_from_the_page(client: TestClient, db: Session) -> None:
    c = consultation(db)
    member = make_member(db)
    sign_in(client, member)
    path = f"/c/{c.slug}"
    assert post(client, "/follow", {"kind": "consultation", "id": str(c.id), "next": path}, path).status_code == 303
    assert notify.followers(db, "consultation", pk(c)) == {pk(member)}
    assert "長照草案" in client.get("/profile").text
    post(client, "/follow", {"kind": "consultation", "id": str(c.id), "action": "unfollow", "next": path}, path)
    assert notify.followers(db, "consultation", pk(c)) == set()


def test_following_something_that_does_not_exist_is_refused(client: TestClient, db: Session) -> None:
    draft = consultation(db, phase="draft")
    sign_in(client, make_member(db))
    assert post(client, "/follow", {"kind": "consultation", "id": "99999"}).status_code == 404
    assert post(client, "/follow", {"kind": "consultation", "id": str(draft.id)}).status_code == 404
    assert post(client, "/follow", {"kind": "planet", "id": "1"}).status_code == 400
    assert db.exec(select(notify.Follow)).all() == []


def test_followers_hear_of_openings_closings_and_new_versions(
    client: TestClient, db: Session, settings: Settings, engine: Engine
) -> None:
    c = consultation(db, phase="upcoming")
    agency = accounts.get_agency(db, "mohw")
    fan, agency_fan = make_member(db, "fan@example.tw"), make_member(db, "agency.fan@example.tw")
    notify.follow(db, fan, "consultation", pk(c))
    notify.follow(db, agency_fan, "agency", pk(agency))
    queue = Queue(settings, engine)
    c.opens_at = utcnow() - timedelta(minutes=1)
    db.add(c)
    db.commit()
    for _ in range(2):  # the second run finds nothing new to announce
        queue.submit(db, "announce_consultation_phases")
    assert [n.message for n in notify.notifications_for(db, pk(fan))] == ["Comments are open on “%(title)s”."]
    assert len(notify.notifications_for(db, pk(agency_fan))) == 1
    official = db.exec(select(accounts.Member).where(accounts.Member.email == "official@mohw.example.tw")).one()
    sign_in(client, official)
    edit = f"/c/{c.slug}/edit"
    text = services.latest_version(db, c).text.replace("二十一日", "三十日")
    local = lambda moment: (moment + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
    post(
        client,
        edit,
        {
            "title": c.title,
            "summary": c.summary,
            "text": text,
            "opens_at": local(c.opens_at),
            "closes_at": local(c.closes_at),
        },
        token_from=edit,
    )
    assert notify.notifications_for(db, pk(fan))[0].message == "Version %(number)s of the draft “%(title)s” is out."


def test_atom_feeds_are_valid_and_list_what_happened(client: TestClient, db: Session) -> None:
    c = consultation(db, phase="closed")
    response = responses.response_for(db, "consultation", pk(c), create=True)
    assert response is not None
    responses.add_theme(db, response, "主題")
    responses.publish(db, response, make_member(db))
    feed = client.get(f"/c/{c.slug}/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert titles[0] == "機關回應" and "開始收集意見" in titles and "意見截止" in titles
    agency_feed = ET.fromstring(client.get("/agencies/mohw/feed.atom").content)
    assert [e.findtext(f"{ATOM}title") for e in agency_feed.findall(f"{ATOM}entry")] == ["長照草案"]
    assert client.get("/agencies/nope/feed.atom").status_code == 404


def test_control_characters_in_titles_leave_the_feeds_valid_xml(client: TestClient, db: Session) -> None:
    c = consultation(db)
    c.title, c.summary = "長照\x0b草案\x1b[31m", "摘要\x0c\x08"
    db.add(c)
    db.commit()
    agency = accounts.get_agency(db, "mohw")
    agency.name = "衛生\x1b福利部"
    db.add(agency)
    db.commit()
    root = ET.fromstring(client.get(f"/c/{c.slug}/feed.atom").content)  # ParseError if a forbidden character is left
    assert root.findtext(f"{ATOM}title") == "長照草案[31m"
    assert root.findtext(f"{ATOM}entry/{ATOM}author/{ATOM}name") == "衛生福利部"
    agency_feed = ET.fromstring(client.get("/agencies/mohw/feed.atom").content)
    assert agency_feed.findtext(f"{ATOM}entry/{ATOM}title") == "長照草案[31m"
    assert agency_feed.findtext(f"{ATOM}entry/{ATOM}summary") == "摘要"


def test_indicators_count_participation_and_answers(client: TestClient, db: Session) -> None:
    open_one = consultation(db, slug="open-one")
    closed = consultation(db, phase="closed", slug="closed-one")
    a, b = make_member(db, "a@example.tw"), make_member(db, "b@example.tw")
    services.comment_on_consultation(db, open_one, a, "support", "一")
    services.comment_on_consultation(db, open_one, a, "oppose", "二")
    services.comment_on_consultation(db, open_one, b, "support", "三")
    response = responses.response_for(db, "consultation", pk(closed), create=True)
    assert response is not None
    responses.add_theme(db, response, "改了", "adopted", "", "第二條修正")
    responses.add_theme(db, response, "沒改", "not_adopted")
    responses.publish(db, response, a)
    closed.responded_at = closed.closes_at + timedelta(days=4)
    db.add(closed)
    db.commit()
    data = indicators.compute(db)
    assert (data.consultations, data.comments, data.participants) == (2, 3, 2)
    assert (data.closed, data.answered, data.median_days_to_response) == (1, 1, 4.0)
    assert (data.themes, data.themes_changing_text) == (2, 1)
    assert sum(m.comments for m in data.months) == 3
    page = client.get("/indicators")
    assert page.status_code == 200 and "<svg" in page.text and "50%" in page.text
    rows = list(csv.reader(io.StringIO(client.get("/agencies/mohw/indicators.csv").text)))
    assert ["comments", "all", "3"] in rows and ["participants", "all", "2"] in rows
    assert client.get("/agencies/nope/indicators").status_code == 404
