"""Feedback by place, on a real database with the real place data: the grouped counts, small
counts merged so that no table, filter or difference between them gives a number from 1 to 4,
the population arithmetic, and the pages, downloads and API through the real app."""

from __future__ import annotations

import csv
import io
import itertools
import random

import pytest
from sqlalchemy import insert
from sqlmodel import Session, select
from starlette.testclient import TestClient

from analysis.places import safe
from core import places as place_data
from feedback import places as counting
from feedback.models import Comment
from feedback.places import Filter, Level
from participation import scopes
from participation.models import Consultation
from tests.helpers import make_member, sign_in
from tests.participation.factories import agency_and_official, consultation

SONGSHAN, XINYI, DAAN = "63000010", "63000020", "63000030"
TAITUNG_CITY = "10014010"
BANQIAO = "65000010"


def add_comments(
    db: Session,
    kind: str,
    subject_id: int,
    code: str | None,
    n: int,
    article: int | None = None,
    stance: str = "support",
) -> None:
    """n comments from n different people (each without an account, as imported comments are)."""
    for _ in range(n):
        number = db.info["made"] = db.info.get("made", 0) + 1
        db.add(
            Comment(
                subject_kind=kind,
                subject_id=subject_id,
                article=article,
                stance=stance,
                text="意見",
                author_name=f"民眾{number}",
                source="import",
                dedupe_key=f"k{number}",
                place_code=code,
            )
        )
    db.commit()


PLACE_TABLES = (place_data.Place, place_data.Constituency, place_data.ConstituencyPart, place_data.PostalCode)
_loaded: list[tuple[type, list[dict[str, object]]]] = []


def insert_places(db: Session) -> None:
    """The real place data. The tables are emptied before each test, so the first test loads it
    with `load_places` and later ones insert the same rows again whole, which is much faster."""
    if not _loaded:
        place_data.load_places(db)
        _loaded.extend((model, [row.model_dump() for row in db.exec(select(model))]) for model in PLACE_TABLES)
        return
    for model, rows in _loaded:
        db.execute(insert(model), rows)
    db.commit()


@pytest.fixture
def places(db: Session) -> Session:
    insert_places(db)
    return db


def _ltc(db: Session) -> int:
    ltc = consultation(db)
    assert ltc.id is not None
    add_comments(db, "consultation", ltc.id, SONGSHAN, 8, article=2)
    add_comments(db, "consultation", ltc.id, XINYI, 6, article=3, stance="oppose")
    add_comments(db, "consultation", ltc.id, DAAN, 3, article=2)
    add_comments(db, "consultation", ltc.id, BANQIAO, 7, article=2, stance="oppose")
    add_comments(db, "consultation", ltc.id, TAITUNG_CITY, 3, article=3)
    add_comments(db, "consultation", ltc.id, None, 2)
    return ltc.id


def test_counties_show_big_places_and_merge_the_small_with_no_place_into_elsewhere(places: Session) -> None:
    ltc = _ltc(places)
    found = counting.table(places, [("consultation", ltc)], Level.county)
    by_code = found.by_code
    assert (by_code["63000"].comments, by_code["63000"].people) == (17, 17)
    assert by_code["65000"].people == 7
    assert (by_code["elsewhere"].people, by_code["elsewhere"].remainder) == (5, True)  # 臺東 3 and 2 with no place
    assert "10014" not in by_code  # 臺東縣 is in elsewhere
    assert found.comments == 29 and found.people == 29
    taipei = place_data.get_place(places, "63000")
    assert taipei is not None and by_code["63000"].population == taipei.population
    assert by_code["63000"].ratio is not None and by_code["63000"].verdict in ("over", "under", "even")
    assert by_code["10013"].people == 0 and by_code["10013"].verdict == "under"  # 屏東縣: nobody, and it shows


def test_townships_merge_within_their_county_so_the_county_total_gives_nothing_away(places: Session) -> None:
    ltc = _ltc(places)
    found = counting.table(places, [("consultation", ltc)], Level.township)
    by_code = found.by_code
    assert by_code[SONGSHAN].people == 8
    # 大安's 3 alone would be the county's 17 less 松山's 8 and 信義's 6: 信義 joins it
    assert DAAN not in by_code and XINYI not in by_code
    assert by_code["other:63000"].people == 9 and by_code["other:63000"].remainder
    assert BANQIAO in by_code and by_code["elsewhere"].people == 5


def test_a_filter_never_shows_a_place_whose_unfiltered_count_would_reveal_a_small_one(places: Session) -> None:
    ltc = _ltc(places)
    source = [("consultation", ltc)]
    everything = counting.table(places, source, Level.county).by_code
    on_two = counting.table(places, source, Level.county, Filter(article=2)).by_code
    # 臺北市: 11 of 17 on article 2, 6 not: both safe, so it shows
    assert on_two["63000"].people == 11 and everything["63000"].people - on_two["63000"].people == 6
    on_three = counting.table(places, source, Level.county, Filter(article=3)).by_code
    # 臺東縣's 3 and the 2 with no place (on no article: 0 here and 2 left out) make an unsafe
    # remainder; 臺北市 (6 on it, 11 not) joins it, 新北市 (0 on it, 7 not) stays
    assert "63000" not in on_three and on_three["65000"].people == 0
    assert (on_three["elsewhere"].people, on_three["elsewhere"].comments) == (9, 9)


def test_no_filter_level_or_difference_shows_a_count_from_one_to_four(places: Session) -> None:
    """Random comments over seven townships, two articles and two stances; every level and filter."""
    ltc = consultation(places)
    assert ltc.id is not None
    chance = random.Random(16)
    codes = [SONGSHAN, XINYI, DAAN, BANQIAO, "65000020", TAITUNG_CITY, "10014020", None]
    made = {2: 0, 3: 0}
    for code, article in itertools.product(codes, (2, 3)):
        n = chance.choice([0, 1, 2, 3, 4, 5, 6, 9])
        made[article] += n
        add_comments(places, "consultation", ltc.id, code, n, article=article)
    source = [("consultation", ltc.id)]
    for level in (Level.county, Level.township, Level.constituency):
        whole = counting.table(places, source, level)
        for only in (Filter(), Filter(article=2), Filter(article=3)):
            shown = counting.table(places, source, level, only)
            assert shown.comments == (made[only.article] if only.article else made[2] + made[3])  # none lost
            for row in shown.rows:
                assert safe([row.comments, row.people]), (level, only, row)
                if only.active and not row.remainder and row.code in whole.by_code:
                    unfiltered = whole.by_code[row.code]
                    assert safe([unfiltered.comments - row.comments]), (level, only, row)
            named = [r for r in shown.rows if not r.remainder and r.code.startswith("63000")]
            if level == Level.township and "63000" in counting.table(places, source, Level.county, only).by_code:
                county = counting.table(places, source, Level.county, only).by_code["63000"]
                assert safe([county.people - sum(r.people for r in named)])


def test_the_weighted_stance_counts_each_county_by_its_population(places: Session) -> None:
    ltc = _ltc(places)
    found = counting.table(places, [("consultation", ltc)], Level.county)
    assert found.stance["oppose"] == pytest.approx(13 / 29)
    assert found.weighted_stance  # 臺北市 (6 of 17 oppose) and 新北市 (all 7) weighted by population
    taipei, new_taipei = place_data.get_place(places, "63000"), place_data.get_place(places, "65000")
    assert taipei and new_taipei and taipei.population and new_taipei.population
    expected = (taipei.population * 6 / 17 + new_taipei.population * 1.0) / (taipei.population + new_taipei.population)
    assert found.weighted_stance["oppose"] == pytest.approx(expected)


def test_the_places_page_has_the_map_the_table_and_the_downloads(client: TestClient, places: Session) -> None:
    _ltc(places)
    page = client.get("/c/ltc/places")
    assert page.status_code == 200
    assert 'class="choropleth"' in page.text and '<title id="place-map-name">' in page.text
    assert 'aria-label="臺北市: 17' in page.text and 'id="place-63000"' in page.text
    assert "10014" not in page.text.split('id="place-table-title"')[1].split("</table>")[0].replace("place-10014", "")
    township = client.get("/c/ltc/places?level=township")
    assert township.status_code == 200 and 'id="place-63000010"' in township.text
    assert 'id="place-63000030"' not in township.text  # 大安區 is too small to show
    english = client.get("/c/ltc/places", headers={"Accept-Language": "en"})
    assert "Taipei City" in english.text or "臺北市" in english.text
    rows = list(csv.DictReader(io.StringIO(client.get("/c/ltc/places.csv?level=township").text.lstrip("\ufeff"))))
    assert {r["code"]: int(r["people"]) for r in rows}[SONGSHAN] == 8
    assert all(int(r["people"]) == 0 or int(r["people"]) >= 5 for r in rows)
    data = client.get("/c/ltc/places.json").json()
    assert data["level"] == "county" and data["consultation"]["slug"] == "ltc"


def test_the_places_api_and_its_errors(client: TestClient, places: Session) -> None:
    _ltc(places)
    found = client.get("/api/v1/consultations/ltc/places?level=township").json()
    assert found["level"] == "township"
    assert set(found["places"][0]) == {"code", "name", "comments", "people", "population", "ratio"}
    bad = client.get("/api/v1/consultations/ltc/places?level=village")
    assert bad.status_code == 400 and bad.json()["error"]["status"] == 400
    assert client.get("/c/ltc/places?level=village").status_code == 400
    assert client.get("/c/ltc/places?article=2&theme=1").status_code == 400
    assert client.get("/c/ltc/places?article=99").status_code == 400
    assert client.get("/c/ltc/places?theme=1").status_code == 400  # no analysis, so no such theme
    assert client.get("/api/v1/consultations/nothing/places").status_code == 404
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/consultations/{slug}/places" in document["paths"]
    assert "/api/v1/bills/{bill_id}/places" in document["paths"]
    assert "Places" in document["components"]["schemas"]


def test_a_draft_consultations_places_are_seen_only_by_its_agency(client: TestClient, places: Session) -> None:
    _agency, official = agency_and_official(places)
    consultation(places, phase="draft", slug="draft")
    assert client.get("/c/draft/places").status_code == 404
    assert client.get("/api/v1/consultations/draft/places").status_code == 404
    sign_in(client, make_member(places, "c@example.tw"))
    assert client.get("/c/draft/places").status_code == 404
    client.cookies.clear()
    sign_in(client, official)
    assert client.get("/c/draft/places").status_code == 200


def test_a_scoped_consultation_compares_inside_with_outside(client: TestClient, places: Session) -> None:
    ltc_id = _ltc(places)
    ltc = places.get(Consultation, ltc_id)
    assert ltc is not None
    scopes.set_consultation_scope(places, ltc, ["63000"])
    places.commit()
    found = counting.inside_and_outside(places, [("consultation", ltc_id)], ["63000"])
    assert found == ((17, 17), (12, 12))
    page = client.get("/c/ltc/places")
    assert "17 則意見，來自 17 人" in page.text.split('id="scope-title"')[1].split("</section>")[0]
    # 臺東縣 alone holds 3: its inside would give the outside away, so neither is shown
    assert counting.inside_and_outside(places, [("consultation", ltc_id)], ["10014"]) is None
