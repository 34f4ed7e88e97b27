"""Poll pages through the real app: creating, voting with JavaScript off and by HTMX, the live
count, receipts, the kiosk, publishing, the API and the CLI; and hidden results seen nowhere."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import accounts, notify
from core.db import utcnow
from deliberation import polls
from deliberation.poll_models import Poll
from tests.deliberation.poll_factories import CITIES, during, make_poll, official
from tests.helpers import make_member, post, sign_in
from thinktank.cli import main

SECRET_LABEL = "祕密選項甲"


def _receipt(page: str) -> str:
    match = re.search(r'class="receipt-code"><strong>([A-Z0-9-]{19})</strong>', page)
    assert match, "no receipt code on the page"
    return match.group(1)


def test_an_official_creates_a_poll_and_a_member_votes_without_javascript(client: TestClient, db: Session) -> None:
    creator = official(db)
    sign_in(client, creator)
    opens, closes = utcnow() - timedelta(hours=1), utcnow() + timedelta(days=3)
    form = {
        "question": "長照據點要設在哪裡？",
        "description": "",
        "options": "公園旁 | 一張公園的照片\n圖書館\n公車站",
        "method": "multiple",
        "max_choices": "2",
        "opens_at": (opens + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),  # the form is in Taipei time
        "closes_at": (closes + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
        "eligibility": "members",
    }
    created = post(client, "/polls/new", form, token_from="/polls/new")
    assert created.status_code == 303, created.text
    slug = created.headers["location"].rsplit("/", 1)[1]
    poll = polls.get_poll(db, slug)
    assert poll.method == "multiple" and polls.params_of(poll) == {"max_choices": 2}
    assert [o.image_alt for o in polls.options_of(db, poll)] == ["一張公園的照片", "", ""]

    client.cookies.clear()
    sign_in(client, make_member(db))
    page = client.get(f"/polls/{slug}")
    assert 'type="checkbox"' in page.text and "一張公園的照片" in page.text
    too_many = post(client, f"/polls/{slug}/vote", {"choice": ["1", "2", "3"]}, token_from=f"/polls/{slug}")
    assert too_many.status_code == 400 and "最多只能選 2 個選項。" in too_many.text
    voted = post(client, f"/polls/{slug}/vote", {"choice": ["1", "3"]}, token_from=f"/polls/{slug}")
    assert voted.status_code == 200
    code = _receipt(voted.text)
    changed = post(client, f"/polls/{slug}/vote", {"choice": ["2"]}, token_from=f"/polls/{slug}")
    assert "收據代碼不變" in changed.text and 'class="receipt-code"' not in changed.text
    fragment = client.get(f"/polls/{slug}/tally", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in fragment.text and 'data-ballots="1"' in fragment.text
    assert "<!DOCTYPE" not in fragment.text and "HX-Request" in fragment.headers["vary"]
    checked = client.get(f"/polls/{slug}/receipt", params={"code": code})
    assert "已記錄在投票的雜湊鏈中" in checked.text and "選票內容會在投票截止後顯示" in checked.text
    assert "沒有以此收據代碼" in client.get(f"/polls/{slug}/receipt", params={"code": "X" * 16}).text


def test_ranked_ballots_come_from_rank_selects_and_repeated_ranks_are_refused(client: TestClient, db: Session) -> None:
    poll = make_poll(db, official(db), method="ranked", labels=CITIES)
    sign_in(client, make_member(db))
    page = client.get(f"/polls/{poll.slug}")
    assert page.text.count('<select id="opt-') == 4
    same = post(client, f"/polls/{poll.slug}/vote", {"rank-1": "1", "rank-2": "1"}, token_from=f"/polls/{poll.slug}")
    assert same.status_code == 400 and "每個名次只能給一個選項" in same.text
    ok = post(client, f"/polls/{poll.slug}/vote", {"rank-4": "1", "rank-2": "2"}, token_from=f"/polls/{poll.slug}")
    assert ok.status_code == 200
    assert polls.entries_of(db, poll)[0]["choice"] == ["4", "2"]


def test_a_kiosk_votes_with_a_paper_code_and_keeps_no_one_signed_in(client: TestClient, db: Session) -> None:
    creator = official(db)
    poll = make_poll(db, creator)
    sign_in(client, creator)
    printed = post(client, f"/polls/{poll.slug}/codes", {"count": "3"}, token_from=f"/polls/{poll.slug}/codes")
    codes = re.findall(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</strong>", printed.text)
    assert len(codes) == 3
    client.cookies.clear()
    kiosk = f"/polls/{poll.slug}/in-person"
    done = post(client, kiosk, {"code": codes[0].lower(), "choice": "2"}, token_from=kiosk)
    assert done.status_code == 200 and "這台裝置不會保留任何關於您的資料" in done.text
    again = post(client, kiosk, {"code": codes[0], "choice": "1"}, token_from=kiosk)
    assert again.status_code == 400 and "已經用過了" in again.text
    entries = polls.entries_of(db, poll)
    assert [(e["choice"], e["in_person"]) for e in entries] == [("2", True)]
    assert "sid" not in str(client.cookies)


def test_hidden_results_leak_through_nothing_until_the_poll_closes(
    client: TestClient, db: Session, app: Starlette, tmp_path: Path
) -> None:
    creator = official(db)
    poll = make_poll(db, creator, labels=[SECRET_LABEL, "乙", "丙"], hide_results=True, question="隱藏結果的投票")
    voters = [make_member(db, f"v{n}@example.tw") for n in range(3)]
    for voter in voters:
        polls.cast_ballot(db, poll, voter, "1")
    notify.follow(db, voters[0], "poll", poll.id)
    app.state.queue.submit(db, "announce_poll_phases")  # runs now: the poll has opened
    sign_in(client, creator)  # its own agency sees no more than anyone
    slug = poll.slug
    surfaces = {
        "page": client.get(f"/polls/{slug}").text,
        "fragment": client.get(f"/polls/{slug}/tally", headers={"HX-Request": "true"}).text,
        "list": client.get("/polls").text,
        "api list": client.get("/api/v1/polls").text,
        "api": client.get(f"/api/v1/polls/{slug}").text,
        "ballot file": client.get(f"/polls/{slug}/ballots.jsonl").text,
        "search": client.get("/search", params={"q": SECRET_LABEL}).text,
        "agency feed": client.get("/agencies/mohw/feed.atom").text,
    }
    notes = db.exec(select(notify.Notification)).all()
    assert notes, "the follower was told the poll opened"
    surfaces["notifications"] = " ".join(n.text(lambda s: s) for n in notes)
    surfaces["e-mail"] = " ".join(m.body for m in db.exec(select(notify.OutboxEmail)).all())
    api = json.loads(surfaces["api"])
    assert api["result"] is None and api["results_visible"] is False and api["ballots"] == 3
    assert client.get(f"/polls/{slug}/ballots.jsonl").status_code == 404
    for name, text in surfaces.items():
        assert '"votes"' not in text and "<td>3</td>" not in text and "100.0%" not in text, (
            f"the {name} leaks the count"
        )
        assert "winner" not in text and "勝出" not in text, f"the {name} names a winner"
    assert SECRET_LABEL in surfaces["page"]  # the options themselves are public
    code_page = client.get(f"/polls/{slug}/receipt", params={"code": "NOPE"})
    assert code_page.status_code == 200


def test_after_closing_the_result_shows_is_published_and_the_file_verifies(
    client: TestClient, db: Session, tmp_path: Path
) -> None:
    creator = official(db)
    poll = make_poll(db, creator, method="ranked", labels=CITIES, closed=True, hide_results=True)
    orders = (
        [["1", "2", "3", "4"]] * 4 + [["2", "3", "4", "1"]] * 3 + [["3", "4", "2", "1"]] + [["4", "3", "2", "1"]] * 2
    )
    codes = [
        polls.cast_ballot(db, poll, make_member(db, f"r{n}@example.tw"), o, now=during(poll))
        for n, o in enumerate(orders)
    ]
    page = client.get(f"/polls/{poll.slug}")
    assert "即時決選各輪" in page.text and "<svg" in page.text and "<table" in page.text
    assert "Knoxville" in page.text and "勝出" in page.text
    english = client.get(f"/polls/{poll.slug}/tally", headers={"Accept-Language": "en"})
    assert "Instant-runoff rounds" in english.text and "Exhausted ballots" in english.text
    checked = client.get(f"/polls/{poll.slug}/receipt", params={"code": codes[0]})
    assert "計為" in checked.text and "Memphis" in checked.text
    api = client.get(f"/api/v1/polls/{poll.slug}").json()
    assert [r["winner"] for r in api["result"]["results"]] == [
        False,
        True,
        False,
        False,
    ]  # Knoxville out on the tie-break

    sign_in(client, creator)
    published = post(client, f"/polls/{poll.slug}/publish", {}, token_from=f"/polls/{poll.slug}")
    assert published.status_code == 303
    db.refresh(poll)
    assert poll.published_at is not None

    file = tmp_path / "ballots.jsonl"
    file.write_bytes(client.get(f"/polls/{poll.slug}/ballots.jsonl").content)
    runner = CliRunner()
    ok = runner.invoke(main, ["polls", "verify", str(file)])
    assert ok.exit_code == 0, ok.output
    assert "10 ballots" in ok.output
    lines = file.read_text().splitlines()
    row = json.loads(lines[3])
    row["choice"] = ["1"]
    lines[3] = json.dumps(row)
    (tmp_path / "bad.jsonl").write_text("\n".join(lines) + "\n")
    bad = runner.invoke(main, ["polls", "verify", str(tmp_path / "bad.jsonl")])
    assert bad.exit_code == 1 and "line 4" in bad.output
    (tmp_path / "junk.jsonl").write_bytes(b"\xff\xfe not json")
    assert runner.invoke(main, ["polls", "verify", str(tmp_path / "junk.jsonl")]).exit_code == 2
    assert runner.invoke(main, ["polls", "verify", str(tmp_path / "absent.jsonl")]).exit_code == 2


def test_the_cli_tallies_and_exports_closed_polls_only(db: Session, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    creator = official(db)
    open_poll = make_poll(db, creator)
    closed = make_poll(db, creator, closed=True)
    polls.cast_ballot(db, closed, make_member(db), "2", now=during(closed))
    from tests.conftest import base_settings  # noqa: F401  (the database the fixtures made)

    runner = CliRunner()
    env = {"DATABASE_URL": str(db.get_bind().url.render_as_string(hide_password=False))}
    tallied = runner.invoke(main, ["polls", "tally", closed.slug, "--json"], env=env)
    assert tallied.exit_code == 0, tallied.output
    data = json.loads(tallied.output)
    assert set(data) == {"method", "ballots", "results", "rounds"} and data["ballots"] == 1
    refused = runner.invoke(main, ["polls", "export", open_poll.slug, str(tmp_path / "x.jsonl")], env=env)
    assert refused.exit_code == 2 and "closed" in refused.output
    written = runner.invoke(main, ["polls", "export", closed.slug, str(tmp_path / "c.jsonl")], env=env)
    assert written.exit_code == 0 and runner.invoke(main, ["polls", "verify", str(tmp_path / "c.jsonl")]).exit_code == 0
    assert runner.invoke(main, ["polls", "tally", "no-such-poll"], env=env).exit_code == 2


def test_polls_show_on_the_consultation_they_are_attached_to(client: TestClient, db: Session) -> None:
    from tests.participation.factories import consultation

    creator = official(db)
    found = consultation(db, phase="open", slug="ltc", agency_slug="mohw")
    poll = make_poll(db, creator, on=("consultation", found.id), question="附在諮詢上的投票")
    assert polls.polls_on(db, "consultation", found.id) == [poll]
    assert "附在諮詢上的投票" in client.get("/c/ltc").text
    assert "/c/ltc" in client.get(f"/polls/{poll.slug}").text
    unused = db.exec(select(Poll)).all()
    assert len(unused) == 1 and accounts
