"""The place data as shipped (core/places_data), the loader, and the readers, on a real database."""

from __future__ import annotations

import csv
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from core import places
from core.places import Constituency, ConstituencyPart, Place, PostalCode
from core.settings import Settings
from thinktank.cli import main


def rows(name: str) -> list[dict[str, str]]:
    with (places.DATA_DIR / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- the files ------------------------------------------------------------------------------------


def test_there_are_22_counties_and_every_township_belongs_to_one_of_them() -> None:
    found = rows("places.csv")
    counties = {r["code"] for r in found if r["level"] == "county"}
    townships = [r for r in found if r["level"] == "township"]
    assert len(counties) == 22
    assert len(townships) == 368
    for township in townships:
        assert township["parent_code"] == township["code"][:5] and township["parent_code"] in counties
        assert township["name_en"], township
    codes = [r["code"] for r in found]
    assert len(codes) == len(set(codes))


def test_there_are_73_regional_constituencies_whose_parts_exist_and_cover_each_place_once() -> None:
    found = {r["code"]: r for r in rows("places.csv")}
    constituencies = rows("constituencies.csv")
    assert len(constituencies) == 73
    assert {c["term"] for c in constituencies} == {"11"}
    per_county = Counter(c["county_code"] for c in constituencies)
    assert per_county["65000"] == 12 and per_county["63000"] == 8 and per_county["10017"] == 1  # 新北, 臺北, 基隆
    parts = rows("constituency_parts.csv")
    known = {c["code"] for c in constituencies}
    where: dict[str, set[str]] = defaultdict(set)
    for part in parts:
        assert part["constituency_code"] in known
        assert found[part["place_code"]]["level"] in ("township", "village")
        assert part["place_code"].startswith(part["constituency_code"][:5])  # a district stays in its county
        where[part["place_code"]].add(part["constituency_code"])
    assert all(len(c) == 1 for c in where.values())
    # Every township is covered exactly once: whole, or village by village.
    for code, place in found.items():
        if place["level"] != "township":
            continue
        villages = [v for v in found.values() if v["parent_code"] == code]
        if villages:
            assert code not in where and all(v["code"] in where for v in villages), code
        else:
            assert code in where, code
    assert {c for p in parts for c in [p["constituency_code"]]} == known  # none is empty


def test_the_populations_add_up() -> None:
    found = {r["code"]: r for r in rows("places.csv")}
    population = {r["code"]: int(r["population"]) for r in rows("population.csv")}
    counties = [c for c, r in found.items() if r["level"] == "county"]
    assert set(counties) <= set(population)  # every county has its population
    assert 23_000_000 < sum(population[c] for c in counties) < 24_000_000
    townships = defaultdict(int)
    for code, people in population.items():
        if found[code]["level"] == "township":
            townships[code[:5]] += people
    for county, people in townships.items():  # where townships are given, they add up to the county
        assert people == population[county], county


def test_postal_codes_name_townships() -> None:
    found = {r["code"]: r for r in rows("places.csv")}
    postal = {r["code"]: r["township_code"] for r in rows("postal_codes.csv")}
    assert found[postal["100"]]["name"] == "中正區" and postal["100"].startswith("63000")
    assert found[postal["970"]]["name"] == "花蓮市"
    assert "300" not in postal  # shared by three districts of 新竹市
    assert all(found[t]["level"] == "township" for t in postal.values())


# --- the loader and the readers -----------------------------------------------------------------


def test_load_places_is_idempotent_and_the_readers_find_what_it_loaded(db: Session) -> None:
    first = places.load_places(db)
    again = places.load_places(db)
    assert first == again
    assert len(db.exec(select(Place)).all()) == first["places"]
    assert len(db.exec(select(ConstituencyPart)).all()) == first["constituency parts"]
    assert len(places.places(db, "county")) == 22
    assert [p.name for p in places.places(db, "township", "63000")][:2] == ["松山區", "信義區"]
    taipei = db.get(Place, "63000")
    assert taipei is not None and taipei.population and taipei.population_date is not None


def test_constituency_of_a_whole_township_a_split_one_and_its_village(db: Session) -> None:
    places.load_places(db)
    whole = places.constituency_of(db, "63000030")  # 大安區 is all of 臺北市第6選舉區
    assert whole is not None and whole.name == "臺北市第6選舉區"
    assert places.constituency_of(db, "63000110") is None  # 士林區 is split: which half is unknown
    village = places.constituency_of(db, "63000110027")  # 士林區德行里
    assert village is not None and village.code == "63000-01"
    assert places.constituency_of(db, "63000") is None
    assert places.constituency_of(db, "99999999") is None


def test_codes_give_their_county_and_township() -> None:
    assert places.county_of("63000110027") == "63000"
    assert places.township_of("63000110027") == "63000110"
    assert places.township_of("63000") is None


def test_postal_code_lookup(db: Session) -> None:
    places.load_places(db)
    found = places.place_for_postal(db, "106")
    assert found is not None and found.code == "63000030" and found.name_en == "Da'an District"
    assert places.place_for_postal(db, "300") is None
    assert places.place_for_postal(db, "999") is None
    assert places.place_label(db, "63000030") == "臺北市大安區"
    assert places.place_label(db, "63000030", "en") == "Da'an District, Taipei City"


def copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "places"
    shutil.copytree(places.DATA_DIR, target)
    return target


def test_a_refresh_drops_a_postal_code_the_files_no_longer_list(db: Session, tmp_path: Path) -> None:
    places.load_places(db)
    data = copy_data(tmp_path)
    lines = (data / "postal_codes.csv").read_text(encoding="utf-8").splitlines()
    (data / "postal_codes.csv").write_text("\n".join(line for line in lines if not line.startswith("100,")) + "\n")
    places.load_places(db, data)
    assert db.get(PostalCode, "100") is None and db.get(PostalCode, "103") is not None


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("places.csv", "code,level,name,name_en,parent_code\n6300,county,臺北市,,\n", "not a county code"),
        ("places.csv", "code,level,name\n63000,county,臺北市\n", "missing columns"),
        ("constituency_parts.csv", "constituency_code,place_code\n63000-01,12345678\n", "not a township or village"),
        ("postal_codes.csv", "code,township_code\n1000,63000010\n", "not a 3-digit postal code"),
        ("population.csv", "code,population,date\n63000,many,2025-12-31\n", "population.csv line 2"),
    ],
)
def test_a_bad_file_is_refused_with_its_name_and_line_before_anything_is_written(
    db: Session, tmp_path: Path, name: str, text: str, message: str
) -> None:
    data = copy_data(tmp_path)
    (data / name).write_text(text, encoding="utf-8")
    with pytest.raises(places.PlaceDataError, match=message):
        places.load_places(db, data)
    assert db.exec(select(Constituency)).first() is None


def test_a_missing_directory_or_file_is_refused(db: Session, tmp_path: Path) -> None:
    with pytest.raises(places.PlaceDataError, match="not a directory"):
        places.load_places(db, tmp_path / "nowhere")
    data = copy_data(tmp_path)
    (data / "postal_codes.csv").unlink()
    with pytest.raises(places.PlaceDataError, match=r"postal_codes\.csv: file is missing"):
        places.load_places(db, data)


def test_the_cli_loads_places_and_exits_2_on_a_bad_directory(settings: Settings, db: Session, tmp_path: Path) -> None:
    env = {"DATABASE_URL": settings.database_url, "THINKTANK_VAR": str(settings.var_dir), "SECRET_KEY": "x"}
    result = CliRunner().invoke(main, ["places", "load"], env=env)
    assert result.exit_code == 0 and "73 constituencies" in result.output
    assert db.get(Constituency, "63000-01") is not None
    missing = CliRunner().invoke(main, ["places", "load", str(tmp_path / "nowhere")], env=env)
    assert missing.exit_code == 2 and "not a directory" in missing.output
    data = copy_data(tmp_path)
    (data / "places.csv").write_bytes(b"code,level\n\xff\xfe\n")
    broken = CliRunner().invoke(main, ["places", "load", str(data)], env=env)
    assert broken.exit_code == 2 and "places.csv" in broken.output
