"""The site's search through the real app: what each package indexes, who may see it, the page
(plain form and HTMX), the API, the CLI, the comment list's search, and an outage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bills import manual
from core import moderation
from core.settings import Settings
from feedback.models import Comment
from participation import proposals, services
from search import outbox
from search.embedded import EmbeddedBackend
from search.outbox import SearchOutbox
from search.site import FACETS
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import agency_and_official, consultation
from thinktank import cli

LTC_COMMENT = "長照服務的喘息服務天數應該增加，家庭照顧者太辛苦了。"


def _hits(client: TestClient, query: str, **params: str) -> list[dict[str, str]]:
    answer = client.get("/api/v1/search", params={"q": query, **params})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, str]] = answer.json()["items"]
    return items


def _commented(db: Session) -> Comment:
    ltc = consultation(db)
    return services.comment_on_consultation(db, ltc, make_member(db), "support", LTC_COMMENT, 2)


def test_a_comment_is_found_by_its_words_in_either_script_with_a_link_to_it(client: TestClient, db: Session) -> None:
    comment = _commented(db)
    for query in ("長照", "长照", "喘息服務", "喘息服务", "照", "家庭 照顧者"):
        urls = [h["url"] for h in _hits(client, query, kind="comment")]
        assert urls == [f"/c/ltc#comment-{comment.id}"], query
    assert _hits(client, "健保", kind="comment") == []
    page = client.get("/search", params={"q": "长照"})
    assert page.status_code == 200 and f"/c/ltc#comment-{comment.id}" in page.text
    assert "<mark>" in page.text  # the words found are marked in the snippet


def test_consultations_articles_bills_and_proposals_are_found_with_their_kinds(
    client: TestClient, db: Session, settings: Settings
) -> None:
    agency, _official = agency_and_official(db)
    consultation(db)  # 長照草案, whose 第二條 is on respite days
    manual.create_bill(
        db, manual.ManualBill(title="長照服務法修正草案", text="第一條 司機休息時間應予保障。", on="2026-10-01")
    )
    citizen = make_member(db, "citizen@example.tw")
    proposal = proposals.submit(db, citizen, agency, "增設長照據點", "偏鄉需要更多長照據點。")
    assert {h["kind"] for h in _hits(client, "長照")} >= {"consultation", "bill"}
    assert [h["url"] for h in _hits(client, "喘息", kind="article")] == ["/c/ltc#art-2"]
    assert next(h["url"] for h in _hits(client, "司機", kind="article")).endswith("#art-1")
    assert _hits(client, "據點", kind="proposal") == []  # waiting for a moderator: not public yet
    proposals.review(db, proposal, settings, True, "")
    assert [h["url"] for h in _hits(client, "據點", kind="proposal")] == [f"/proposals/{proposal.id}"]
    facets = client.get("/api/v1/search", params={"q": "長照"}).json()["facets"]
    assert facets["kind"]["consultation"] == 1 and facets["kind"]["bill"] == 1


def test_english_matches_word_forms_and_ignores_case(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    services.comment_on_consultation(db, ltc, make_member(db), "oppose", "Residents are Protesting the new fees.")
    for query in ("protest", "protests", "PROTESTING", "fee"):
        assert len(_hits(client, query, kind="comment")) == 1, query


def test_hidden_comments_are_found_by_moderators_only_and_drafts_by_their_agency_only(
    client: TestClient, db: Session
) -> None:
    comment = _commented(db)
    moderator = make_member(db, "mod@example.tw", role="moderator")
    moderation.act_on_content(db, moderator, "comment", comment.id, "hide", "人身攻擊")  # type: ignore[arg-type]
    assert _hits(client, "長照", kind="comment") == []
    sign_in(client, moderator)
    assert len(_hits(client, "長照", kind="comment")) == 1
    _agency, official = agency_and_official(db, "moenv")
    consultation(db, phase="draft", slug="plastic", agency_slug="moenv", text="第一條 塑膠吸管減量。")
    assert _hits(client, "吸管") == []  # a moderator is not the agency
    sign_in(client, official)
    assert [h["url"] for h in _hits(client, "吸管")] == ["/c/plastic#art-1"]
    assert len(_hits(client, "長照草案", kind="consultation")) == 2  # the public one and the agency's draft
    client.cookies.clear()
    assert [h["url"] for h in _hits(client, "長照草案", kind="consultation")] == ["/c/ltc"]


def test_e_mail_addresses_are_never_indexed(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    member = make_member(db, "private.person@example.tw", name="公開名字")
    services.comment_on_consultation(db, ltc, member, "support", "支持")
    assert _hits(client, "private.person") == [] and _hits(client, "example.tw") == []


def test_the_search_page_pages_and_filters_without_javascript(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    for n in range(25):
        services.comment_on_consultation(db, ltc, make_member(db, f"p{n}@example.tw"), "support", f"長照意見 {n}")
    first = client.get("/search", params={"q": "長照意見"})
    assert "25" in first.text and 'rel="next"' in first.text
    second = client.get("/search", params={"q": "長照意見", "page": "2", "kind": "comment"})
    assert second.text.count('class="hit"') == 5 and 'rel="prev"' in second.text
    assert client.get("/search", params={"q": "x", "sort": "sideways"}).status_code == 400
    assert client.get("/search", params={"q": "x", "from": "yesterday"}).status_code == 400
    assert client.get("/api/v1/search", params={"q": "長" * 201}).json()["error"]["status"] == 400


def test_results_as_you_type_come_as_a_fragment_for_the_header_box(client: TestClient, db: Session) -> None:
    _commented(db)
    home = client.get("/")
    assert 'role="search"' in home.text and 'action="/search"' in home.text and 'hx-target="#search-live"' in home.text
    live = client.get("/search", params={"q": "長照"}, headers={"HX-Request": "true", "HX-Target": "search-live"})
    assert live.status_code == 200 and "<html" not in live.text
    assert 'id="search-live-status"' in live.text and "live-hits" in live.text
    assert "HX-Request" in live.headers["vary"]


def test_a_subjects_comment_list_finds_the_comments_that_mention_a_word(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    other = consultation(db, slug="other")
    author = make_member(db)
    wanted = services.comment_on_consultation(db, ltc, author, "oppose", "喘息服務不足", 2)
    services.comment_on_consultation(db, ltc, author, "support", "薪資太低", 3)
    services.comment_on_consultation(db, other, author, "oppose", "喘息服務也要檢討", 2)
    found = client.get("/c/ltc/comments", params={"q": "喘息"})
    assert f'id="comment-{wanted.id}"' in found.text and found.text.count('class="comment ') == 1
    assert client.get("/c/ltc/comments", params={"q": "喘息", "stance": "support"}).text.count('class="comment ') == 0


def test_search_down_keeps_every_comment_and_indexes_it_once_back(
    app: Starlette, client: TestClient, db: Session, tmp_path: Path
) -> None:
    ltc = consultation(db)
    down = EmbeddedBackend(tmp_path, FACETS)  # a folder, not a file: every call fails as an outage does
    app.state.search = down
    outbox.drain_after_commit(app.state.engine, down)
    sign_in(client, make_member(db))
    form = {"article": "2", "stance": "support", "text": LTC_COMMENT, "amendment": ""}
    assert post(client, "/c/ltc/comments", form, token_from="/c/ltc").status_code == 303
    assert db.exec(select(Comment)).one().text == LTC_COMMENT
    assert outbox.pending(db) >= 1
    page = client.get("/search", params={"q": "長照"})
    assert (page.status_code == 503 and "unavailable" in page.text.lower()) or "暫時無法" in page.text
    assert client.get("/api/v1/search", params={"q": "長照"}).status_code == 503
    back = EmbeddedBackend(tmp_path / "search.db", FACETS)
    app.state.search = back
    outbox.drain_after_commit(app.state.engine, back)
    assert outbox.drain_all(db, back) >= 1 and outbox.pending(db) == 0
    assert [h["kind"] for h in _hits(client, "長照")] == ["comment"]
    assert ltc.id is not None


def test_the_cli_reindexes_everything_and_answers_queries_as_json(
    db: Session, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    _commented(db)
    settings = app.state.settings
    for name, value in {
        "DATABASE_URL": settings.database_url,
        "THINKTANK_VAR": str(settings.var_dir),
        "SECRET_KEY": settings.secret_key,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SEARCH_URL", raising=False)
    runner = CliRunner()
    rebuilt = runner.invoke(cli.main, ["search", "reindex"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "indexed" in rebuilt.output
    answer = runner.invoke(cli.main, ["search", "query", "长照", "--kind", "comment", "--json"])
    assert answer.exit_code == 0, answer.output
    data = json.loads(answer.output)
    assert data["total"] == 1 and set(data["hits"][0]) == {"kind", "id", "title", "url", "snippet"}
    assert runner.invoke(cli.main, ["search", "query", "  "]).exit_code == 2
    assert db.exec(select(SearchOutbox)).all() == []


def test_facets_name_what_they_count_and_narrow_to_one_consultations_articles(client: TestClient, db: Session) -> None:
    ltc = consultation(db)
    author = make_member(db)
    services.comment_on_consultation(db, ltc, author, "support", "長照第二條意見", 2)
    services.comment_on_consultation(db, ltc, author, "oppose", "長照第三條意見", 3)
    page = client.get("/search", params={"q": "長照"}).text
    assert "開放意見徵集中" in page  # the consultation's phase, by its label
    assert "長照草案" in page and "article=2" not in page  # what comments are part of; articles only within one
    narrowed = client.get("/search", params={"q": "長照", "subject": f"consultation:{ltc.id}", "kind": "comment"}).text
    assert "第二條" in narrowed and "第三條" in narrowed and "article=2" in narrowed
    one = client.get("/api/v1/search", params={"q": "長照", "subject": f"consultation:{ltc.id}", "article": "3"}).json()
    assert one["total"] == 1 and one["items"][0]["title"] == "長照第三條意見"
