"""What only the embedded backend promises: one file shared safely by several processes, readers
undisturbed by a writer, a clear SearchUnavailable when the file cannot be used."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from core.settings import Settings, SettingsError
from search import Document, Filters, SearchUnavailable, backend_from_settings
from search.embedded import EmbeddedBackend
from search.meili import MeiliBackend

PUBLIC = Filters(visibility={"public"})


def doc(id: str, body: str) -> Document:
    return Document(id, "comment", "", body, "zh", f"/c/{id}", {}, "public")


WRITER = textwrap.dedent(
    """
    import sys
    from search import Document
    from search.embedded import EmbeddedBackend
    backend = EmbeddedBackend(sys.argv[1])
    name = sys.argv[2]
    for batch in range(10):
        backend.index(
            Document(f"{name}-{batch}-{i}", "comment", "", f"長照 {name}", "zh", "/", {}, "public") for i in range(30)
        )
    """
)


def test_several_processes_write_the_same_file_while_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "search.db"
    reader = EmbeddedBackend(path)
    reader.index([doc("first", "長照 first")])
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name]) for name in ("a", "b", "c")]
    totals = []
    while any(w.poll() is None for w in writers):
        totals.append(reader.search("長照", PUBLIC).total)  # never fails, never goes backwards
    assert [w.wait() for w in writers] == [0, 0, 0]
    assert totals == sorted(totals)
    results = reader.search("長照", PUBLIC, facets=())
    assert results.total == 1 + 3 * 10 * 30
    assert reader.search("長照 b", PUBLIC).total == 300


def test_a_writer_waits_for_another_and_then_gives_up_with_search_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "search.db"
    backend = EmbeddedBackend(path, busy_timeout=0.2)
    backend.index([doc("1", "長照")])
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
    try:
        with pytest.raises(SearchUnavailable, match="locked"):
            backend.index([doc("2", "長照")])
        assert backend.search("長照", PUBLIC).total == 1  # reading goes on meanwhile
    finally:
        holder.execute("ROLLBACK")
    backend.index([doc("2", "長照")])
    assert backend.search("長照", PUBLIC).total == 2


def test_a_file_that_cannot_be_opened_is_search_unavailable(tmp_path: Path) -> None:
    (tmp_path / "search.db").mkdir()
    with pytest.raises(SearchUnavailable):
        EmbeddedBackend(tmp_path / "search.db").search("長照", PUBLIC)


def test_searches_see_the_old_index_until_a_rebuild_is_complete(tmp_path: Path) -> None:
    path = tmp_path / "search.db"
    EmbeddedBackend(path).index([doc("old", "長照 old")])
    other = EmbeddedBackend(path)  # another worker's connection
    seen_during: list[set[str]] = []

    def documents() -> Iterator[Document]:
        yield doc("new1", "長照 new")
        seen_during.append({hit.id for hit in other.search("長照", PUBLIC).hits})
        yield doc("new2", "長照 new")

    EmbeddedBackend(path).rebuild(documents())
    assert seen_during == [{"old"}]
    assert {hit.id for hit in other.search("長照", PUBLIC).hits} == {"new1", "new2"}


def test_remembered_facet_counts_follow_every_write_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "search.db"
    reader, writer = EmbeddedBackend(path), EmbeddedBackend(path)  # two workers' connections
    tagged = Document("a", "comment", "", "長照", "zh", "/", {"tag": "長照"}, "public")
    reader.index([tagged])

    def counts() -> tuple[int, dict[str, int]]:
        results = reader.search("長照", PUBLIC)
        return results.total, results.facets["tag"]

    assert counts() == (1, {"長照": 1})
    assert reader.search("長照", PUBLIC, limit=1, offset=1).total == 1  # the next page: counted once
    writer.index([Document("b", "comment", "", "長照", "zh", "/", {"tag": "健保"}, "public")])
    assert counts() == (2, {"長照": 1, "健保": 1})  # another connection's write
    reader.remove(["a"])
    assert counts() == (1, {"健保": 1})  # its own write


def test_the_backend_follows_search_url(tmp_path: Path) -> None:
    settings = Settings(database_url="sqlite://", secret_key="k", var_dir=tmp_path)
    embedded = backend_from_settings(settings)
    assert isinstance(embedded, EmbeddedBackend) and embedded.path == tmp_path / "search.db"
    meili = backend_from_settings(Settings("sqlite://", "k", search_url="http://127.0.0.1:7700", meili_api_key="key"))
    assert isinstance(meili, MeiliBackend) and meili.client.config.api_key == "key"
    with pytest.raises(SettingsError, match="SEARCH_URL"):
        backend_from_settings(Settings("sqlite://", "k", search_url="127.0.0.1:7700"))


def test_past_the_rank_window_relevance_orders_the_newest_matches_and_the_rest_follow_newest_first(
    tmp_path: Path,
) -> None:
    backend = EmbeddedBackend(tmp_path / "search.db", rank_window=3)
    # Six matches, one a day; the strongest (the word three times) are the oldest and the newest.
    bodies = [
        "長照 長照 長照",
        "長照 and more words here",
        "長照 again with other words",
        "長照 once more here",
        "長照 x",
        "長照 長照 長照",
    ]
    backend.index(
        Document(f"d{i}", "comment", "", body, "zh", "/", {}, "public", date(2026, 1, 1 + i))
        for i, body in enumerate(bodies)
    )
    order = [hit.id for hit in backend.search("長照", PUBLIC, limit=10).hits]
    assert order[0] == "d5" and set(order[:3]) == {"d3", "d4", "d5"}  # the newest three, by relevance
    assert order[3:] == ["d2", "d1", "d0"]  # then the rest, newest first
    pages = [backend.search("長照", PUBLIC, limit=2, offset=offset).hits for offset in (0, 2, 4)]
    assert [hit.id for page in pages for hit in page] == order  # a page across the edge agrees
    assert backend.search("長照", PUBLIC, limit=2, offset=2).total == 6


def test_chinese_is_indexed_as_character_pairs_and_looked_up_as_runs_of_them() -> None:
    from search.fts import chars_expression
    from search.terms import char_pairs

    assert char_pairs("長照服務 and 健") == " 長照 照服 服務 務  and  健 "
    assert chars_expression("長照") == '{title_chars body_chars} : "長照"'
    assert chars_expression("照顧服務") == '{title_chars body_chars} : "照顧 顧服 服務"'
    assert chars_expression("照") == '{title_chars body_chars} : "照" *'  # meets 照顧 and the 照 ending 長照
    assert chars_expression("長照2.0") == '({title_chars body_chars} : "長照" AND {title_chars body_chars} : "2.0")'


def test_a_character_or_a_run_is_found_wherever_it_stands_in_a_run(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "search.db")
    texts = {
        "end": "長照",
        "start": "照顧者",
        "middle": "護照號碼",
        "alone": "照 片",
        "before": "依照。其他",
        "none": "交通",
    }
    backend.index(doc(key, text) for key, text in texts.items())

    def found(query: str) -> set[str]:
        return {hit.id for hit in backend.search(query, PUBLIC).hits}

    assert found("照") == {"end", "start", "middle", "alone", "before"}
    assert found("照號") == {"middle"} and found("護照號") == {"middle"} and found("照顧") == {"start"}
    assert found("依照") == {"before"} and found("照其") == set()  # a full stop is not adjacent
