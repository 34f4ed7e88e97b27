"""Conversations and discussions as open data: the JSON API, its OpenAPI entries, and the CSVs."""

import csv
import io

from sqlmodel import Session
from starlette.testclient import TestClient

from core import accounts, moderation
from deliberation import discussions, services
from deliberation.models import Conversation, Discussion, Statement
from tests.helpers import make_member
from tests.participation.factories import consultation

SEEDS = ["長照應該由稅收支應", "長照保險比稅收制更穩定", "外籍看護應納入長照體系", "照顧服務員薪資應提高"]


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _conversation(db: Session, voters: int = 4) -> tuple[Conversation, list[Statement]]:
    """A conversation with its four seeds voted on, one statement waiting and one moderated out."""
    agency = accounts.create_agency(db, "mohw", "衛生福利部", "Ministry of Health and Welfare")
    host = make_member(db, "host@mohw.example.tw", role="agency_official", agency=agency, name="承辦人")
    conversation = services.create_conversation(db, host, "長照財源怎麼來？", "**說明**", SEEDS, agency)
    citizen = make_member(db, "c@example.tw", name="參與者")
    services.add_statement(db, conversation, citizen, set(), "尚待審查的陳述")
    rejected = services.add_statement(db, conversation, citizen, set(), "被移除的陳述")
    services.moderate(db, conversation, rejected.id, accept=False)
    seeds = services.statements_of(db, conversation, "accepted")
    for n in range(voters):
        member = make_member(db, f"v{n}@example.tw", name=f"投票者{n}")
        for i, statement in enumerate(seeds):
            camp_agrees = (i % 2) == (n % 2)
            services.cast_vote(db, conversation, member, statement.id, 1 if i == 3 or camp_agrees else -1)
    return conversation, seeds


def test_conversations_list_with_their_counts(client: TestClient, db: Session) -> None:
    conversation, _seeds = _conversation(db)
    data = client.get("/api/v1/conversations").json()
    assert data["total"] == 1 and data["page"] == 1
    [item] = data["items"]
    assert item["slug"] == conversation.slug and item["topic"] == "長照財源怎麼來？"
    assert (item["statement_count"], item["participants"]) == (4, 4)  # waiting and removed ones do not count
    assert item["agency"]["slug"] == "mohw" and item["url"] == f"/conversations/{conversation.slug}"


def test_one_conversation_has_its_public_statements_votes_and_groups(client: TestClient, db: Session) -> None:
    conversation, seeds = _conversation(db, voters=24)
    before = client.get(f"/api/v1/conversations/{conversation.slug}").json()
    assert before["groups"] is None  # not computed yet
    statements = {s["text"]: s for s in before["statements"]}
    assert list(statements) == SEEDS  # neither the waiting nor the moderated-out statement
    assert {k: statements[SEEDS[0]][k] for k in ("agree", "disagree", "pass")} == {
        "agree": 12,
        "disagree": 12,
        "pass": 0,
    }
    assert statements[SEEDS[3]]["agree"] == 24 and statements[SEEDS[3]]["seed"] is True
    services.compute_map(db, conversation)
    data = client.get(f"/api/v1/conversations/{conversation.slug}").json()
    groups = data["groups"]
    assert groups["votes"] == 96 and groups["computed_at"]
    assert [g["group"] for g in groups["groups"]] == [0, 1]
    assert sorted(g["participants"] for g in groups["groups"]) == [12, 12]
    texts = {s.id: s.text for s in seeds}
    for group in groups["groups"]:
        assert group["representative"], group
        for pick in group["representative"]:
            assert pick["text"] == texts[pick["statement"]] and pick["direction"] in ("agree", "disagree")
    assert groups["consensus"] == [seeds[3].id]  # every group agrees on the wages
    assert "被移除的陳述" not in str(data) and "尚待審查的陳述" not in str(data)
    missing = client.get("/api/v1/conversations/no-such-talk")
    assert missing.status_code == 404 and missing.json()["error"]["status"] == 404


def test_conversations_page_and_refuse_bad_paging(client: TestClient, db: Session) -> None:
    host = make_member(db, "host@example.tw", role="moderator", name="主持人")
    for n in range(3):
        services.create_conversation(db, host, f"議題{n}", "", ["一個陳述"], None)
    first = client.get("/api/v1/conversations?per_page=2").json()
    second = client.get("/api/v1/conversations?per_page=2&page=2").json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["total"] == 3
    assert {c["topic"] for c in first["items"] + second["items"]} == {"議題0", "議題1", "議題2"}
    assert second["items"][0]["agency"] is None
    for bad in ("per_page=0", "per_page=201", "page=0", "page=x"):
        assert client.get(f"/api/v1/conversations?{bad}").status_code == 400, bad


def test_conversations_download_as_csv(client: TestClient, db: Session) -> None:
    conversation, _seeds = _conversation(db)
    assert 'href="/conversations.csv"' in client.get("/conversations").text
    [row] = _rows(client.get("/conversations.csv").text)
    assert (row["slug"], row["topic"], row["agency"], row["statement_count"]) == (
        conversation.slug,
        "長照財源怎麼來？",
        "衛生福利部",
        "4",
    )
    path = f"/conversations/{conversation.slug}/statements.csv"
    assert f'href="{path}"' in client.get(f"/conversations/{conversation.slug}").text
    statements = _rows(client.get(path).text)
    assert [s["text"] for s in statements] == SEEDS
    assert (statements[3]["agree"], statements[3]["disagree"]) == ("4", "0")
    assert client.get("/conversations/no-such-talk/statements.csv").status_code == 404


def _forum(db: Session) -> dict[str, object]:
    author = make_member(db, "a@example.tw", name="發文者")
    other = make_member(db, "b@example.tw", name="回覆者")
    moderator = make_member(db, "mod@example.tw", role="moderator", name="版主")
    thread = discussions.start(db, author, "長照人力怎麼補？", "先談薪資。")
    kept = discussions.reply(db, other, thread, "同意，薪資是關鍵。", None)
    deleted = discussions.reply(db, author, thread, "這則我會刪掉", kept.id)
    discussions.delete(db, author, deleted)
    hidden = discussions.reply(db, other, thread, "不當言論", None)
    moderation.act_on_content(db, moderator, "post", hidden.id, "hide", "人身攻擊")
    discussions.reply(db, other, thread, "等待審查的回覆", None, held=True)
    waiting = discussions.start(db, other, "全部待審的討論", "內容", held=True)
    older = discussions.start(db, other, "另一個討論", "內容")
    return {"thread": thread, "kept": kept, "waiting": waiting, "older": older}


def test_forum_discussions_list_with_post_counts(client: TestClient, db: Session) -> None:
    made = _forum(db)
    data = client.get("/api/v1/discussions").json()
    assert data["total"] == 2
    titles = [d["title"] for d in data["items"]]
    assert set(titles) == {"長照人力怎麼補？", "另一個討論"}  # a thread that is all held is not listed
    older = next(d for d in data["items"] if d["title"] == "另一個討論")
    assert older["post_count"] == 1 and older["url"] == f"/discussions/{made['older'].id}"  # type: ignore[attr-defined]
    first = client.get("/api/v1/discussions?per_page=1").json()
    second = client.get("/api/v1/discussions?per_page=1&page=2").json()
    assert {first["items"][0]["title"], second["items"][0]["title"]} == set(titles)
    for bad in ("per_page=0", "per_page=201", "page=-1", "per_page=ten"):
        assert client.get(f"/api/v1/discussions?{bad}").status_code == 400, bad


def test_a_threads_posts_leave_out_deleted_hidden_and_held(client: TestClient, db: Session) -> None:
    made = _forum(db)
    thread, kept = made["thread"], made["kept"]
    data = client.get(f"/api/v1/discussions/{thread.id}").json()  # type: ignore[attr-defined]
    assert [p["body"] for p in data["posts"]] == ["先談薪資。", "同意，薪資是關鍵。"]
    assert data["posts"][1]["parent_id"] is None and data["posts"][1]["id"] == kept.id  # type: ignore[attr-defined]
    assert data["post_count"] == 2 and data["about"] is None
    for gone in ("這則我會刪掉", "不當言論", "人身攻擊", "等待審查的回覆"):
        assert gone not in str(data)
    waiting = client.get(f"/api/v1/discussions/{made['waiting'].id}")  # type: ignore[attr-defined]
    assert waiting.status_code == 404
    assert client.get("/api/v1/discussions/424242").status_code == 404


def test_a_discussion_on_a_draft_is_not_public(client: TestClient, db: Session) -> None:
    draft = consultation(db, phase="draft")
    author = make_member(db, "a@example.tw", name="發文者")
    published = consultation(db, phase="open", slug="open-one")
    on_it = discussions.start(db, author, "第二條的天數", "太少", "consultation", published.id, 2)
    assert client.get(f"/api/v1/discussions/{on_it.id}").json()["about"]["url"] == "/c/open-one"
    # start() refuses a draft already; a thread left from before it was unpublished must stay hidden too
    hidden = Discussion(subject_kind="consultation", subject_id=draft.id, title="草案上的討論")
    db.add(hidden)
    db.commit()
    assert client.get(f"/api/v1/discussions/{hidden.id}").status_code == 404


def test_the_forum_downloads_as_csv(client: TestClient, db: Session) -> None:
    _forum(db)
    assert 'href="/discussions.csv"' in client.get("/discussions").text
    rows = _rows(client.get("/discussions.csv").text)
    assert {r["title"] for r in rows} == {"長照人力怎麼補？", "另一個討論"}
    assert list(rows[0]) == ["id", "title", "created_at", "last_post_at", "post_count", "url"]


def test_the_openapi_document_lists_conversations_and_discussions(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/conversations",
        "/api/v1/conversations/{slug}",
        "/api/v1/discussions",
        "/api/v1/discussions/{discussion_id}",
    ):
        assert path in document["paths"], path
    schemas = document["components"]["schemas"]
    assert {"Conversation", "ConversationDetail", "Statement", "OpinionGroups", "Discussion", "Post"} <= set(schemas)
    listed = document["paths"]["/api/v1/discussions"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listed["schema"]["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Discussion"}
