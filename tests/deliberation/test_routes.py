"""Conversations through the real app: open one, vote through it (HTMX and plain forms), add and
moderate statements, change votes, and see the groups form."""

import re
from pathlib import Path

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from core import accounts
from core.errors import Invalid
from deliberation import services
from deliberation.models import Conversation, OpinionMap, Statement, Vote
from deliberation.polis import read_export
from tests.deliberation.test_polis import _export
from tests.helpers import make_member, post, sign_in

SEEDS = ["長照應該由稅收支應", "長照保險比稅收制更穩定", "外籍看護應納入長照體系", "照顧服務員薪資應提高"]


def _opened(client: TestClient, db: Session) -> tuple[Conversation, accounts.Member]:
    agency = accounts.create_agency(db, "mohw", "衛生福利部")
    official = make_member(db, "official@mohw.example.tw", role="agency_official", agency=agency, name="承辦人")
    sign_in(client, official)
    form = {"topic": "長照財源怎麼來？", "description": "**說明**", "seeds": "\n".join(SEEDS) + "\n\n"}
    response = post(client, "/conversations/new", form, token_from="/conversations/new")
    assert response.status_code == 303, response.text
    client.cookies.clear()
    conversation = db.exec(select(Conversation)).one()
    return conversation, official


def _vote(client: TestClient, path: str, statement: int, vote: str, htmx: bool = False):  # type: ignore[no-untyped-def]
    headers = {"HX-Request": "true"} if htmx else {}
    return post(client, f"{path}/vote", {"statement": str(statement), "vote": vote}, token_from=path, headers=headers)


def test_a_participant_votes_through_every_statement(client: TestClient, db: Session) -> None:
    conversation, _official = _opened(client, db)
    path = f"/conversations/{conversation.slug}"
    page = client.get(path)
    assert page.status_code == 200 and "<strong>說明</strong>" in page.text and "/signin" in page.text
    sign_in(client, make_member(db))
    seen = []
    card = client.get(path).text
    buttons = re.findall(
        r'<button type="submit" name="vote" value="(\w+)" class="vote vote--(\w+)"><span aria-hidden="true">(.)</span>',
        card,
    )
    assert buttons == [("agree", "agree", "✓"), ("disagree", "disagree", "✗"), ("pass", "pass", "?")]
    for n in range(len(SEEDS)):
        shown = int(re.search(r'name="statement" value="(\d+)"', card).group(1))
        seen.append(shown)
        response = _vote(client, path, shown, ["agree", "disagree", "pass", "agree"][n], htmx=True)
        assert response.status_code == 200 and response.text.lstrip().startswith('<section id="vote-card"')
        card = response.text
    assert sorted(seen) == sorted(s.id for s in db.exec(select(Statement)))  # each once, none twice
    assert 'name="statement"' not in response.text  # nothing left to vote on
    votes = db.exec(select(Vote)).all()
    assert sorted(v.vote for v in votes) == [-1, 0, 1, 1]
    # Without JavaScript the same form posts and the page reloads at the card.
    plain = _vote(client, path, seen[0], "disagree")
    assert plain.status_code == 303 and plain.headers["location"].endswith("#vote-card")
    assert len(db.exec(select(Vote)).all()) == 4  # a changed vote, not a new one


def test_bad_votes_are_refused(client: TestClient, db: Session) -> None:
    conversation, _official = _opened(client, db)
    path = f"/conversations/{conversation.slug}"
    assert _vote(client, path, 1, "agree").status_code in (302, 303)  # signed out: to the sign-in page
    sign_in(client, make_member(db))
    assert _vote(client, path, 1, "maybe").status_code == 400
    assert _vote(client, path, 99999, "agree").status_code == 400
    other = make_member(db, "other@example.tw")
    statement = services.add_statement(db, conversation, other, set(), "還沒審核的意見")
    assert _vote(client, path, statement.id, "agree").status_code == 400  # pending: not open for votes
    assert db.exec(select(Vote)).all() == []


def test_participant_statements_wait_for_moderation(client: TestClient, db: Session) -> None:
    conversation, official = _opened(client, db)
    path = f"/conversations/{conversation.slug}"
    citizen = make_member(db)
    sign_in(client, citizen)
    added = post(client, f"{path}/statements", {"text": "  應該  先試辦再全面實施  "}, token_from=path)
    assert added.status_code == 303
    statement = db.exec(select(Statement).where(Statement.author_id == citizen.id)).one()
    assert statement.status == "pending" and statement.text == "應該 先試辦再全面實施"
    assert post(client, f"{path}/statements", {"text": ""}, token_from=path).status_code == 400
    assert post(client, f"{path}/statements", {"text": "長" * 281}, token_from=path).status_code == 400
    assert post(client, f"{path}/statements", {"text": SEEDS[0]}, token_from=path).status_code == 400
    assert client.get(f"{path}/moderate").status_code == 403
    client.cookies.clear()
    sign_in(client, official)
    queue = client.get(f"{path}/moderate")
    assert "應該 先試辦再全面實施" in queue.text
    decided = post(
        client,
        f"{path}/moderate",
        {"statement": str(statement.id), "decision": "accept"},
        token_from=f"{path}/moderate",
    )
    assert decided.status_code == 303
    db.refresh(statement)
    assert statement.status == "accepted"


def test_my_votes_can_be_reviewed_and_changed(client: TestClient, db: Session) -> None:
    conversation, _official = _opened(client, db)
    path = f"/conversations/{conversation.slug}"
    sign_in(client, make_member(db))
    first = db.exec(select(Statement)).first()
    _vote(client, path, first.id, "agree")
    mine = client.get(f"{path}/mine")
    assert first.text in mine.text
    changed = post(
        client,
        f"{path}/vote",
        {"statement": str(first.id), "vote": "disagree", "next": "mine"},
        token_from=f"{path}/mine",
    )
    assert changed.status_code == 303 and changed.headers["location"].endswith("/mine")
    assert db.exec(select(Vote)).one().vote == -1


def test_groups_form_as_votes_arrive(client: TestClient, db: Session, app) -> None:  # type: ignore[no-untyped-def]
    conversation, _official = _opened(client, db)
    statements = db.exec(select(Statement).order_by(Statement.id)).all()
    for n in range(24):
        member = make_member(db, f"v{n}@example.tw", name=f"投票者{n}")
        for i, statement in enumerate(statements):
            camp_agrees = (i % 2) == (n % 2)
            services.cast_vote(db, conversation, member, statement.id, 1 if i == 3 or camp_agrees else -1)
    services.refresh_maps(db, app.state.queue)
    opinion = db.exec(select(OpinionMap)).one()
    assert opinion.status == "done" and opinion.votes == 96
    page = client.get(f"/conversations/{conversation.slug}/map", headers={"HX-Request": "true"})
    assert page.text.lstrip().startswith('<section id="opinion-map"')
    assert page.text.count("<polygon") == 2 and page.text.count("<circle") == 24
    assert SEEDS[3] in page.text.split("group-card")[-1]  # every group agrees: common ground
    assert "您在這裡" not in page.text  # nobody is signed in
    assert services.refresh_maps(db, app.state.queue) == 0  # nothing changed: nothing recomputed

    sign_in(client, accounts.find_member_by_email(db, "v0@example.tw"))  # type: ignore[arg-type]
    mine = client.get(f"/conversations/{conversation.slug}/map", headers={"HX-Request": "true"}).text
    assert mine.count('class="me-ring"') == 1 and mine.count("<circle") == 25  # everyone, and a ring around one
    assert '<text x="' in mine and ">您在這裡</text>" in mine
    assert 'aria-labelledby="opinion-map-title opinion-map-you"' in mine
    said = mine.split('<desc id="opinion-map-you">')[1].split("</desc>")[0]
    assert said.startswith("您在這裡：您在第") and said.endswith("群。")
    assert "<strong>您在這裡：</strong>您在第" in mine  # and in the text below the map

    services.moderate(db, conversation, statements[3].id, accept=False)  # moderated out after the map
    later = client.get(f"/conversations/{conversation.slug}/map", headers={"HX-Request": "true"}).text
    assert SEEDS[3] not in later


def test_a_polis_export_is_imported_as_a_conversation(db: Session, tmp_path: Path) -> None:
    export = read_export(_export(tmp_path / "vtaiwan-demo", moderated={3: -1}))
    conversation = services.import_export(db, export)
    assert conversation.slug == "polis-vtaiwan-demo" and conversation.topic == "測試對話"
    statements = services.statements_of(db, conversation)
    assert len(statements) == 8 and [s.status for s in statements].count("rejected") == 1
    assert services.vote_count(db, conversation) == 240
    opinion = services.compute_map(db, conversation)
    assert services.map_result(opinion)["k"] == 2 and opinion.votes == 240
    with pytest.raises(Invalid) as refused:
        services.import_export(db, export)
    assert "This export was imported already." in refused.value.errors.values()


def test_a_map_with_no_votes_is_an_empty_map(client: TestClient, db: Session, app) -> None:  # type: ignore[no-untyped-def]
    conversation, _official = _opened(client, db)
    assert services.request_map(db, app.state.queue, conversation, force=True)
    opinion = db.exec(select(OpinionMap)).one()
    assert opinion.status == "done" and opinion.votes == 0
    assert services.map_result(opinion)["k"] == 0 and services.map_result(opinion)["points"] == []
    page = client.get(f"/conversations/{conversation.slug}/map", headers={"HX-Request": "true"})
    assert page.status_code == 200 and "<circle" not in page.text


def test_a_map_left_queued_by_a_lost_job_does_not_hold_back_the_next(client: TestClient, db: Session, app) -> None:  # type: ignore[no-untyped-def]
    conversation, _official = _opened(client, db)
    db.add(OpinionMap(conversation_id=conversation.id, status="queued"))  # its job is gone: no Job row asks for it
    db.commit()
    path = f"/conversations/{conversation.slug}"
    sign_in(client, make_member(db))
    statement = db.exec(select(Statement)).first()
    assert _vote(client, path, statement.id, "agree").status_code == 303
    opinion = db.exec(select(OpinionMap)).one()
    db.refresh(opinion)
    assert opinion.status == "done" and opinion.votes == 1
