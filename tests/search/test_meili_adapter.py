"""The Meilisearch backend without a Meilisearch server: what it sends (settings, documents, query,
filter) as pure functions, and its behaviour on the wire against a tiny HTTP server started here
that records every request and answers as the test scripts it."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from search import DEFAULT_FACETS, Document, Filters, SearchUnavailable
from search import meili_wire as wire
from search.meili import MeiliBackend
from search.terms import parse, prepare_many

Reply = tuple[int, Any]


def document(**fields: Any) -> Document:
    values: dict[str, Any] = {
        "id": "comment:1",
        "kind": "comment",
        "title": "長照喘息",
        "body": "我們希望長照的喘息服務增加 protesting cuts",
        "lang": "",
        "url": "/c/1",
        "facets": {"agency": "12", "tag": ["長照", "健保"]},
        "visibility": "public",
        "date": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    } | fields
    return Document(**values)


# -- pure translation ----------------------------------------------------------------------------------


def test_settings_declare_fields_locales_and_no_typos() -> None:
    settings = wire.index_settings(DEFAULT_FACETS)
    assert settings["localizedAttributes"] == [
        {"attributePatterns": ["zh_*"], "locales": ["cmn"]},
        {"attributePatterns": ["en_*", "lemmas"], "locales": ["eng"]},
    ]
    assert settings["searchableAttributes"][:2] == ["zh_title", "en_title"]  # titles rank first
    assert {"id", "visibility", "kind", "date", "facet_agency", "facet_tag"} <= set(settings["filterableAttributes"])
    assert settings["sortableAttributes"] == ["date"]
    assert settings["typoTolerance"] == {"enabled": False}
    assert settings["pagination"]["maxTotalHits"] >= 10_000


def test_settings_differ_only_when_something_that_matters_changed() -> None:
    wanted = wire.index_settings(["agency"])
    current = dict(wanted, filterableAttributes=list(reversed(wanted["filterableAttributes"])), rankingRules=["words"])
    assert not wire.settings_differ(wanted, current)
    assert wire.settings_differ(wanted, dict(current, searchableAttributes=["en_title", "zh_title"]))
    assert wire.settings_differ(wanted, dict(current, typoTolerance={"enabled": True}))
    assert wire.settings_differ(wanted, {})


def test_a_document_has_a_simplified_copy_english_lemmas_and_flat_facets() -> None:
    (prepared,) = prepare_many([document()])
    sent = wire.document(prepared, DEFAULT_FACETS)
    assert re.fullmatch(r"[0-9a-f]{32}", sent["uid"]) and sent["id"] == "comment:1"
    assert sent["zh_title"] == "长照喘息"
    assert sent["zh_body"].startswith("我们希望长照的喘息服务增加")
    assert sent["en_body"].split() == ["protesting", "cuts"]  # Chinese left to the cmn copy
    assert "en_title" not in sent
    assert set(sent["lemmas"].split()) == {"protest", "cut"}
    assert sent["facet_agency"] == ["12"] and sent["facet_tag"] == ["長照", "健保"]
    assert sent["facets"] == {"agency": ["12"], "tag": ["長照", "健保"]}
    assert sent["date"] == 1767323045 and sent["body"] == document().body  # the original, for snippets


def test_the_query_is_simplified_and_lemmatised() -> None:
    assert wire.query_string(parse("長照 Protesting")) == "长照 protest"
    assert wire.query_string(parse("the respite")) == "respite"
    assert wire.query_string(parse('"care workers" 司機')) == '"care workers" 司机'
    assert wire.query_string(parse("ＡＢＣ")) == "abc"


def test_filters_quote_values_and_bound_dates() -> None:
    filters = Filters(
        visibility={"public", "agency:12"},
        facets={"tag": {'a"b\\c'}, "kind": {"bill"}},
        date_from=date(2026, 1, 1),
        date_to=date(2026, 1, 31),
    )
    assert wire.filter_expression(filters, DEFAULT_FACETS) == [
        'visibility IN ["agency:12", "public"]',
        'kind IN ["bill"]',
        'facet_tag IN ["a\\"b\\\\c"]',
        "date >= 1767225600",
        f"date <= {1767225600 + 31 * 86400 - 1}",
    ]
    with pytest.raises(ValueError, match="colour"):
        wire.filter_expression(Filters(visibility={"public"}, facets={"colour": {"red"}}), DEFAULT_FACETS)


def test_paging_is_exact_and_newest_sorts_by_date() -> None:
    terms = parse("長照")
    public = Filters(visibility={"public"})
    params, skip = wire.search_params(terms, public, DEFAULT_FACETS, ["kind", "tag"], "relevance", 20, 40)
    assert (params["hitsPerPage"], params["page"], skip) == (20, 3, 0)
    assert params["facets"] == ["kind", "facet_tag"] and params["matchingStrategy"] == "all"
    assert params["locales"] == ["cmn"] and "sort" not in params
    params, skip = wire.search_params(terms, public, DEFAULT_FACETS, [], "newest", 10, 5)
    assert (params["hitsPerPage"], params["page"], skip, params["sort"]) == (15, 1, 5, ["date:desc"])
    params, _ = wire.search_params([], public, DEFAULT_FACETS, [], "relevance", 10, 0)
    assert params["sort"] == ["date:desc"] and "locales" not in params  # browsing: newest first
    params, _ = wire.search_params(parse("長照 respite"), public, DEFAULT_FACETS, [], "relevance", 10, 0)
    assert params["locales"] == ["cmn", "eng"]


def test_results_are_read_back_into_hits_and_facets() -> None:
    response = {
        "totalHits": 2,
        "hits": [
            {
                "id": "skipped",
                "kind": "comment",
                "title": "",
                "body": "長照",
                "url": "/",
                "lang": "",
                "visibility": "public",
            },
            {
                "id": "c:1",
                "kind": "comment",
                "title": "t",
                "body": "長照<b>",
                "url": "/c/1",
                "lang": "zh",
                "visibility": "public",
                "date": 1767323045,
                "facets": {"tag": ["a"]},
            },
            {
                "id": "leak",
                "kind": "comment",
                "title": "",
                "body": "長照",
                "url": "/",
                "lang": "",
                "visibility": "hidden",
            },
        ],
        "facetDistribution": {"kind": {"comment": 2}, "facet_tag": {"a": 1, "b": 2}, "visibility": {"public": 2}},
    }
    results = wire.results(response, parse("长照"), ["kind", "tag"], 1, Filters(visibility={"public"}))
    assert results.total == 2
    assert [h.id for h in results.hits] == ["c:1"]  # the skipped lead and the one the viewer may not see are gone
    (hit,) = results.hits
    assert str(hit.snippet) == "<mark>長照</mark>&lt;b&gt;" and hit.facets == {"tag": ("a",)}
    assert hit.date == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert results.facets == {"kind": {"comment": 2}, "tag": {"b": 2, "a": 1}}


# -- on the wire ----------------------------------------------------------------------------------------


class Recorder(ThreadingHTTPServer):
    def __init__(self, answer: Callable[[str, str, Any], Reply]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer
        self.requests: list[tuple[str, str, Any, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Recorder

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        self.server.requests.append((self.command, self.path, body, self.headers.get("Authorization", "")))
        status, payload = self.server.answer(self.command, self.path, body)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _reply

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[str, str, Any], Reply]], Recorder]]:
    servers: list[Recorder] = []

    def start(answer: Callable[[str, str, Any], Reply]) -> Recorder:
        server = Recorder(answer)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def task(uid: int, status: str = "enqueued", error: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "taskUid": uid,
        "uid": uid,
        "indexUid": "t",
        "status": status,
        "type": "documentAdditionOrUpdate",
        "enqueuedAt": "2026-01-01T00:00:00.000000Z",
        "error": error,
    }


def backend(server: Recorder, **options: Any) -> MeiliBackend:
    return MeiliBackend(server.url, "secret", index_uid="t", backoff=0.01, **options)


def test_search_checks_settings_once_then_sends_the_translated_query(serve: Any) -> None:
    def answer(method: str, path: str, body: Any) -> Reply:
        if path == "/indexes/t/settings":
            return 200, wire.index_settings(DEFAULT_FACETS)
        return 200, {"hits": [], "totalHits": 7, "facetDistribution": {"kind": {"bill": 7}}}

    server = serve(answer)
    meili = backend(server)
    first = meili.search("长照", Filters(visibility={"public"}, facets={"agency": {"12"}}), limit=10, offset=10)
    meili.search("長照", Filters(visibility={"public"}))
    assert [(m, p) for m, p, _, _ in server.requests] == [
        ("GET", "/indexes/t/settings"),
        ("POST", "/indexes/t/search"),
        ("POST", "/indexes/t/search"),
    ]
    sent = server.requests[1][2]
    assert sent["q"] == "长照" and sent["hitsPerPage"] == 10 and sent["page"] == 2
    assert sent["filter"] == ['visibility IN ["public"]', 'facet_agency IN ["12"]']
    assert server.requests[1][3] == "Bearer secret"
    assert first.total == 7 and first.facets["kind"] == {"bill": 7}


def test_a_missing_index_is_made_and_every_task_is_waited_for(serve: Any) -> None:
    polls: dict[int, int] = {}

    def answer(method: str, path: str, body: Any) -> Reply:
        if method == "GET" and path == "/indexes/t/settings":
            return 404, {"message": "Index `t` not found.", "code": "index_not_found", "type": "invalid_request"}
        if method == "GET" and path.startswith("/tasks/"):
            uid = int(path.rsplit("/", 1)[1])
            polls[uid] = polls.get(uid, 0) + 1
            return 200, task(uid, "succeeded" if polls[uid] > 1 else "processing")
        return 202, task({"/indexes": 1, "/indexes/t/settings": 2}.get(path, 3))

    server = serve(answer)
    backend(server).index([document()])
    calls = [(m, p) for m, p, _, _ in server.requests if not p.startswith("/tasks/")]
    assert calls == [
        ("GET", "/indexes/t/settings"),
        ("POST", "/indexes"),
        ("PATCH", "/indexes/t/settings"),
        ("POST", "/indexes/t/documents?primaryKey=uid"),
    ]
    assert polls == {1: 2, 2: 2, 3: 2}  # each waited for until it succeeded
    created = next(body for m, p, body, _ in server.requests if p == "/indexes")
    assert created == {"uid": "t", "primaryKey": "uid"}
    (sent,) = next(body for m, p, body, _ in server.requests if p.startswith("/indexes/t/documents"))
    assert sent["id"] == "comment:1" and sent["zh_title"] == "长照喘息"


def test_removal_goes_by_our_ids(serve: Any) -> None:
    def answer(method: str, path: str, body: Any) -> Reply:
        if path == "/indexes/t/settings":
            return 200, wire.index_settings(DEFAULT_FACETS)
        return (200, task(9, "succeeded")) if path.startswith("/tasks/") else (202, task(9))

    server = serve(answer)
    backend(server).remove(["comment:1", 'odd"id'])
    (body,) = [b for m, p, b, _ in server.requests if p == "/indexes/t/documents/delete"]
    assert body == {"filter": 'id IN ["comment:1", "odd\\"id"]'}


def test_a_failed_task_is_search_unavailable_with_its_reason(serve: Any) -> None:
    def answer(method: str, path: str, body: Any) -> Reply:
        if path == "/indexes/t/settings":
            return 200, wire.index_settings(DEFAULT_FACETS)
        if path.startswith("/tasks/"):
            return 200, task(5, "failed", {"message": "disk full", "code": "no_space_left_on_device"})
        return 202, task(5)

    with pytest.raises(SearchUnavailable, match="disk full"):
        backend(serve(answer)).index([document()])


def test_transient_failures_are_retried_with_backoff_then_search_unavailable(serve: Any) -> None:
    server = serve(lambda method, path, body: (503, {"message": "overloaded"}))
    started = time.monotonic()
    with pytest.raises(SearchUnavailable, match="overloaded"):
        backend(server, retries=3).search("長照", Filters(visibility={"public"}))
    assert len(server.requests) == 4  # one try and three retries
    assert time.monotonic() - started >= 0.01 + 0.02 + 0.04


def test_a_server_that_recovers_is_used_after_a_retry(serve: Any) -> None:
    answers = iter([(503, {"message": "starting"}), (200, wire.index_settings(DEFAULT_FACETS))])

    def answer(method: str, path: str, body: Any) -> Reply:
        if path == "/indexes/t/settings":
            return next(answers)
        return 200, {"hits": [], "totalHits": 0}

    assert backend(serve(answer)).search("長照", Filters(visibility={"public"})).total == 0


def test_a_refused_key_is_unavailable_at_once(serve: Any) -> None:
    server = serve(
        lambda method, path, body: (403, {"message": "The provided API key is invalid.", "code": "invalid_api_key"})
    )
    with pytest.raises(SearchUnavailable, match="API key"):
        backend(server).search("長照", Filters(visibility={"public"}))
    assert len(server.requests) == 1


def test_a_slow_server_times_out(serve: Any) -> None:
    def answer(method: str, path: str, body: Any) -> Reply:
        time.sleep(1.5)
        return 200, {}

    with pytest.raises(SearchUnavailable, match=r"(?i)timed? ?out"):
        backend(serve(answer), timeout=1, retries=0).search("長照", Filters(visibility={"public"}))


def test_nothing_listening_is_search_unavailable() -> None:
    with pytest.raises(SearchUnavailable):
        MeiliBackend("http://127.0.0.1:9", retries=1, backoff=0.01).search("長照", Filters(visibility={"public"}))
