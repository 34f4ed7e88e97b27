"""The search contract, run against every configured backend: the embedded one always, Meilisearch
when MEILI_URL is set (each test in an index of its own, deleted afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from markupsafe import Markup

from search import Document, Filters, Results, SearchBackend
from search.embedded import EmbeddedBackend

PUBLIC = Filters(visibility={"public"})
Make = Callable[..., SearchBackend]


@pytest.fixture(params=["embedded", "meilisearch"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    if request.param == "embedded":
        made: SearchBackend = EmbeddedBackend(tmp_path / "search.db")
        yield made
        made.close()
        return
    url = os.environ.get("MEILI_URL")
    if not url:
        pytest.skip("MEILI_URL is not set: the Meilisearch backend's contract runs where a server is")
    from search.meili import MeiliBackend

    meili = MeiliBackend(url, os.environ.get("MEILI_API_KEY", ""), index_uid=f"test_{uuid.uuid4().hex}")
    yield meili
    meili.client.index(meili.index_uid).delete()


def doc(id: str, body: str, title: str = "", **fields: object) -> Document:
    values: dict[str, object] = {
        "kind": "comment",
        "lang": "",
        "url": f"/c/{id}",
        "facets": {},
        "visibility": "public",
        "date": None,
    } | fields
    return Document(id, title=title, body=body, **values)  # type: ignore[arg-type]


def ids(results: Results) -> set[str]:
    return {hit.id for hit in results.hits}


def found(backend: SearchBackend, query: str, filters: Filters = PUBLIC) -> set[str]:
    results = backend.search(query, filters, limit=100)
    assert results.total == len(results.hits)
    return ids(results)


# -- Chinese -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "texts"),
    [
        ("長照", ["長照喘息服務不足", "我們需要長照", "長照2.0之後的政策", "支持長照機構評鑑", "長期照顧的長照人力"]),
        ("健保", ["健保卡要改", "全民健保的財務", "調漲健保費", "我反對健保"]),
        ("司機", ["司機的工時太長", "計程車司機", "公車司機員", "外送司機與平台"]),
    ],
)
def test_a_two_character_word_finds_every_document_that_contains_it(
    backend: SearchBackend, word: str, texts: list[str]
) -> None:
    backend.index([doc(str(i), text) for i, text in enumerate(texts)] + [doc("other", "交通安全與行人")])
    assert found(backend, word) == {str(i) for i in range(len(texts))}


def test_a_single_character_still_finds_the_documents_that_have_it(backend: SearchBackend) -> None:
    backend.index([doc("1", "照顧服務員的薪資"), doc("2", "長照喘息"), doc("3", "交通安全")])
    hits = found(backend, "照")
    assert "1" in hits and "3" not in hits


def test_simplified_finds_traditional_and_the_reverse(backend: SearchBackend) -> None:
    backend.index([doc("t", "長照與計程車司機"), doc("s", "长期照顾服务法"), doc("x", "交通安全")])
    assert found(backend, "长照") == {"t"}
    assert found(backend, "司机") == {"t"}
    assert found(backend, "長期照顧") == {"s"}


def test_full_width_and_half_width_forms_match(backend: SearchBackend) -> None:
    backend.index([doc("full", "ＡＢＣ法案在２０３０年實施"), doc("half", "The XYZ act of 2031"), doc("x", "其他")])
    assert found(backend, "ABC") == found(backend, "abc") == {"full"}
    assert found(backend, "2030") == {"full"}
    assert found(backend, "ＸＹＺ") == {"half"}
    assert found(backend, "２０３１") == {"half"}


# -- English -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["protest", "protests", "protesting", "PROTESTS", "Protested"])
def test_english_matches_word_forms_and_ignores_case(backend: SearchBackend, query: str) -> None:
    backend.index(
        [
            doc("1", "Workers protest the new rules", lang="en"),
            doc("2", "Two PROTESTS were held", lang="en"),
            doc("3", "They are protesting outside", lang="en"),
            doc("4", "Laws that protect workers", lang="en"),
        ]
    )
    assert found(backend, query) == {"1", "2", "3"}


def test_every_english_word_is_required_and_stop_words_do_not_narrow(backend: SearchBackend) -> None:
    backend.index(
        [
            doc("both", "Respite care for carers", lang="en"),
            doc("one", "Care homes are closing", lang="en"),
        ]
    )
    assert found(backend, "respite care") == {"both"}
    assert found(backend, "the care") == {"both", "one"}


def test_a_mixed_query_needs_both_languages(backend: SearchBackend) -> None:
    backend.index(
        [
            doc("both", "長照喘息 respite 服務"),
            doc("zh", "長照喘息服務"),
            doc("en", "respite care", lang="en"),
        ]
    )
    assert found(backend, "長照 respite") == {"both"}


# -- visibility --------------------------------------------------------------------------------------


def visibility_docs() -> list[Document]:
    return [
        doc("pub", "長照 public", facets={"agency": "12"}),
        doc("a12", "長照 staff of twelve", visibility="agency:12", facets={"agency": "12"}),
        doc("a3", "長照 staff of three", visibility="agency:3", facets={"agency": "3"}),
        doc("hid", "長照 hidden by a moderator", visibility="hidden", facets={"agency": "12"}),
    ]


@pytest.mark.parametrize("query", ["長照", ""])
def test_viewers_see_only_the_visibilities_they_are_allowed(backend: SearchBackend, query: str) -> None:
    backend.index(visibility_docs())
    assert found(backend, query, Filters(visibility={"public"})) == {"pub"}
    assert found(backend, query, Filters(visibility={"public", "agency:12"})) == {"pub", "a12"}
    assert found(backend, query, Filters(visibility={"agency:3"})) == {"a3"}
    assert found(backend, query, Filters(visibility={"public", "agency:12", "agency:3", "hidden"})) == {
        "pub",
        "a12",
        "a3",
        "hid",
    }
    nothing = backend.search(query, Filters(visibility=set()))
    assert nothing.total == 0 and nothing.hits == []


def test_hidden_documents_are_not_counted_in_totals_or_facets(backend: SearchBackend) -> None:
    backend.index(visibility_docs())
    results = backend.search("長照", Filters(visibility={"public", "agency:3"}))
    assert results.total == 2
    assert results.facets["agency"] == {"12": 1, "3": 1}
    assert results.facets["kind"] == {"comment": 2}


@pytest.mark.parametrize("query", ["meta : restricted", 'meta:pub OR "x"', "長照 NOT 長照", '"', "* ( ) NEAR"])
def test_query_syntax_in_the_text_is_only_text(backend: SearchBackend, query: str) -> None:
    backend.index([*visibility_docs(), doc("syntax", "meta restricted pub or x not near")])
    assert found(backend, query) <= {"pub", "syntax"}


# -- facets, filters, dates ---------------------------------------------------------------------------


def facet_docs() -> list[Document]:
    return [
        doc("1", "長照 one", kind="comment", facets={"agency": "12", "tag": ["長照", "健保"], "status": "open"}),
        doc("2", "長照 two", kind="comment", facets={"agency": "12", "tag": ["長照"], "status": "closed"}),
        doc("3", "長照 three", kind="bill", facets={"agency": "3", "tag": ["健保"], "stage": "first reading"}),
        doc("4", "other", kind="bill", facets={"agency": "3"}),
    ]


def test_facets_count_every_match_and_filters_narrow_them(backend: SearchBackend) -> None:
    backend.index(facet_docs())
    results = backend.search("長照", PUBLIC, limit=1)
    assert results.total == 3 and len(results.hits) == 1
    assert results.facets["kind"] == {"comment": 2, "bill": 1}
    assert results.facets["agency"] == {"12": 2, "3": 1}
    assert results.facets["tag"] == {"健保": 2, "長照": 2}
    assert results.facets["stage"] == {"first reading": 1}
    assert list(results.facets["kind"]) == ["comment", "bill"]  # largest first

    narrowed = backend.search("長照", Filters(visibility={"public"}, facets={"tag": {"健保"}}))
    assert ids(narrowed) == {"1", "3"} and narrowed.facets["agency"] == {"12": 1, "3": 1}
    assert ids(backend.search("長照", Filters(visibility={"public"}, facets={"kind": {"bill"}}))) == {"3"}
    either = Filters(visibility={"public"}, facets={"status": {"open", "closed"}, "agency": {"12"}})
    assert ids(backend.search("", either)) == {"1", "2"}
    assert backend.search("長照", Filters(visibility={"public"}, facets={"agency": set()})).total == 0
    only = backend.search("長照", PUBLIC, facets=["agency"])
    assert set(only.facets) == {"agency"}


def test_a_facet_the_backend_does_not_know_is_refused(backend: SearchBackend) -> None:
    with pytest.raises(ValueError, match="colour"):
        backend.index([doc("1", "x", facets={"colour": "red"})])


def dated_docs() -> list[Document]:
    return [
        doc("jan", "長照 January", date=datetime(2026, 1, 10, 9, 0, tzinfo=UTC)),
        doc("feb", "長照 February", date=datetime(2026, 2, 10, 9, 0)),  # naive: UTC
        doc("mar", "長照 March", date=date(2026, 3, 31)),
        doc("undated", "長照 whenever"),
    ]


def test_a_date_range_includes_both_ends_and_leaves_out_the_undated(backend: SearchBackend) -> None:
    backend.index(dated_docs())
    assert found(backend, "長照", Filters(visibility={"public"}, date_from=date(2026, 2, 10))) == {"feb", "mar"}
    assert found(backend, "長照", Filters(visibility={"public"}, date_to=date(2026, 2, 10))) == {"jan", "feb"}
    between = Filters(visibility={"public"}, date_from=datetime(2026, 1, 10, 9, 0), date_to=date(2026, 3, 31))
    assert found(backend, "長照", between) == {"jan", "feb", "mar"}


def test_newest_first_puts_the_undated_last(backend: SearchBackend) -> None:
    backend.index(dated_docs())
    results = backend.search("長照", PUBLIC, sort="newest")
    assert [hit.id for hit in results.hits] == ["mar", "feb", "jan", "undated"]
    assert results.hits[0].date == datetime(2026, 3, 31, tzinfo=UTC)
    assert [hit.id for hit in backend.search("", PUBLIC).hits] == ["mar", "feb", "jan", "undated"]


def test_relevance_puts_a_title_match_first(backend: SearchBackend) -> None:
    backend.index(
        [
            doc("body", "a long comment that mentions respite once among many other words about care", lang="en"),
            doc("title", "short note", title="Respite", lang="en"),
        ]
    )
    assert [hit.id for hit in backend.search("respite", PUBLIC).hits] == ["title", "body"]


# -- paging, removal, replacement, rebuild -------------------------------------------------------------


def test_pages_cover_every_match_once_and_total_counts_them_all(backend: SearchBackend) -> None:
    backend.index([doc(f"d{i:02}", f"長照 number {i}", date=datetime(2026, 1, 1 + i)) for i in range(25)])
    pages = [backend.search("長照", PUBLIC, sort="newest", limit=10, offset=offset) for offset in (0, 10, 20)]
    assert [p.total for p in pages] == [25, 25, 25]
    assert [len(p.hits) for p in pages] == [10, 10, 5]
    seen = [hit.id for page in pages for hit in page.hits]
    assert seen == [f"d{i:02}" for i in reversed(range(25))]
    odd = backend.search("長照", PUBLIC, sort="newest", limit=10, offset=5)
    assert [hit.id for hit in odd.hits] == seen[5:15] and odd.total == 25
    assert backend.search("長照", PUBLIC, limit=10, offset=40).hits == []


def test_removed_documents_are_gone_and_unknown_ids_are_ignored(backend: SearchBackend) -> None:
    backend.index([doc("1", "長照 one"), doc("2", "長照 two")])
    backend.remove(["1", "never-indexed"])
    results = backend.search("長照", PUBLIC)
    assert ids(results) == {"2"} and results.total == 1 and results.facets["kind"] == {"comment": 1}


def test_indexing_an_id_again_replaces_it(backend: SearchBackend) -> None:
    backend.index([doc("1", "長照 first version", facets={"agency": "12"})])
    backend.index([doc("1", "健保 second version", visibility="hidden", facets={"agency": "3"})])
    assert found(backend, "長照", Filters(visibility={"public", "hidden"})) == set()
    results = backend.search("健保", Filters(visibility={"public", "hidden"}))
    assert ids(results) == {"1"} and results.total == 1 and results.facets["agency"] == {"3": 1}
    assert found(backend, "健保") == set()  # now hidden


def test_rebuild_replaces_the_whole_index(backend: SearchBackend) -> None:
    backend.index([doc("old", "長照 old")])
    assert backend.rebuild(doc(f"new{i}", "長照 new") for i in range(3)) == 3
    assert found(backend, "長照") == {"new0", "new1", "new2"}


# -- hits and snippets ----------------------------------------------------------------------------------


def test_a_hit_carries_what_a_page_shows(backend: SearchBackend) -> None:
    facets = {"tag": ["a", "b"], "agency": 12}  # a number is taken as its digits
    backend.index([doc("c:1", "長照", title="喘息", kind="post", url="/posts/1", lang="zh", facets=facets)])
    (hit,) = backend.search("長照", Filters(visibility={"public"}, facets={"agency": {"12"}})).hits
    assert (hit.id, hit.kind, hit.title, hit.url, hit.lang) == ("c:1", "post", "喘息", "/posts/1", "zh")
    assert hit.facets == {"tag": ("a", "b"), "agency": ("12",)} and hit.date is None


def test_snippets_mark_matches_and_escape_the_text(backend: SearchBackend) -> None:
    backend.index(
        [
            doc("html", "<script>alert('長照')</script> & 長照 <b>bold</b>"),
            doc("en", "Carers are Protesting the cuts", lang="en"),
            doc("simp", "长照服务和ＡＢＣ"),
        ]
    )
    (html,) = [hit for hit in backend.search("長照", PUBLIC).hits if hit.id == "html"]
    assert isinstance(html.snippet, Markup)
    assert str(html.snippet) == (
        "&lt;script&gt;alert(&#39;<mark>長照</mark>&#39;)&lt;/script&gt; &amp; <mark>長照</mark> &lt;b&gt;bold&lt;/b&gt;"
    )
    (en,) = backend.search("protest", PUBLIC).hits
    assert "<mark>Protesting</mark>" in en.snippet
    (simp,) = backend.search("長照 abc", PUBLIC).hits
    assert str(simp.snippet) == "<mark>长照</mark>服务和<mark>ＡＢＣ</mark>"  # marked as written


def test_a_long_body_is_cut_around_the_first_match(backend: SearchBackend) -> None:
    body = "前言。" * 100 + "這裡談到長照。" + "結尾。" * 100
    backend.index([doc("long", body)])
    (hit,) = backend.search("長照", PUBLIC).hits
    text = str(hit.snippet)
    assert text.startswith("…") and text.endswith("…") and "<mark>長照</mark>" in text
    assert len(text) < 200
