"""Places: Taiwan's counties, townships and (where a legislator's district splits a township)
villages, with the Ministry of the Interior's codes; the Legislative Yuan's regional
constituencies; 3-digit postal codes; populations. The tables, the readers, and `load_places`, the
one writer, which upserts the CSV files of core/places_data (see SOURCE.md there).

Codes are strings: a county has 5 digits (63000 臺北市), a township 8 (63000010), a village 11
(63000010001). A township's county is its code's first 5 characters, a village's township its
first 8, so counting by county or township is counting by prefix."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import NoReturn

from sqlmodel import Field, Session, SQLModel, col, select

from core.errors import N_, Invalid

DATA_DIR = Path(__file__).with_name("places_data")
CODE_MAX = 11
COUNTY_LEN = 5
TOWNSHIP_LEN = 8
VILLAGE_LEN = 11


class Level(StrEnum):
    county = "county"
    township = "township"
    village = "village"


LEVEL_OF_LENGTH = {COUNTY_LEN: Level.county, TOWNSHIP_LEN: Level.township, VILLAGE_LEN: Level.village}


class Place(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=CODE_MAX)
    level: str = Field(max_length=10, index=True)  # county, township, village
    name: str = Field(max_length=40)
    name_en: str = Field(default="", max_length=80)
    parent_code: str | None = Field(default=None, max_length=CODE_MAX, index=True)
    population: int | None = None
    population_date: date | None = None


class Constituency(SQLModel, table=True):
    """A regional constituency of the Legislative Yuan (code: county code, dash, number)."""

    code: str = Field(primary_key=True, max_length=12)
    name: str = Field(max_length=40)
    name_en: str = Field(default="", max_length=80)
    county_code: str = Field(max_length=COUNTY_LEN, index=True)
    term: int = 11


class ConstituencyPart(SQLModel, table=True):
    """A township wholly inside a constituency, or, where a township is split, one of its villages."""

    __tablename__ = "constituency_part"
    constituency_code: str = Field(primary_key=True, max_length=12, foreign_key="constituency.code")
    place_code: str = Field(primary_key=True, max_length=CODE_MAX, foreign_key="place.code", index=True)


class PostalCode(SQLModel, table=True):
    __tablename__ = "postal_code"
    code: str = Field(primary_key=True, max_length=3)
    township_code: str = Field(max_length=TOWNSHIP_LEN, foreign_key="place.code")


class PlaceDataError(Exception):
    """A place data directory or file that cannot be loaded; the message says which and why."""


# --- codes ----------------------------------------------------------------------------------------


def county_of(code: str) -> str:
    return code[:COUNTY_LEN]


def township_of(code: str) -> str | None:
    """The township a township or village code lies in; None for a county code."""
    return code[:TOWNSHIP_LEN] if len(code) >= TOWNSHIP_LEN else None


# --- readers --------------------------------------------------------------------------------------


def get_place(session: Session, code: str | None) -> Place | None:
    return session.get(Place, code) if code else None


def places(session: Session, level: str, parent_code: str | None = None) -> list[Place]:
    query = select(Place).where(Place.level == level)
    if parent_code is not None:
        query = query.where(Place.parent_code == parent_code)
    return list(session.exec(query.order_by(col(Place.code))))


def place_for_postal(session: Session, code: str) -> Place | None:
    """The township a 3-digit postal code belongs to (None for an unknown or shared code)."""
    postal = session.get(PostalCode, code.strip())
    return session.get(Place, postal.township_code) if postal else None


def constituency_of(session: Session, code: str | None) -> Constituency | None:
    """The constituency a township or village lies in. None when the township is split between
    constituencies and no village was given, or the code is not a known place."""
    if not code or len(code) < TOWNSHIP_LEN:
        return None
    candidates = [code, code[:TOWNSHIP_LEN]] if len(code) > TOWNSHIP_LEN else [code]
    for candidate in candidates:
        found = session.exec(
            select(Constituency)
            .join(ConstituencyPart, col(ConstituencyPart.constituency_code) == col(Constituency.code))
            .where(ConstituencyPart.place_code == candidate)
        ).first()
        if found is not None:
            return found
    return None


def constituencies(session: Session) -> list[Constituency]:
    return list(session.exec(select(Constituency).order_by(col(Constituency.code))))


def constituency_parts(session: Session, constituency_code: str) -> list[str]:
    query = select(ConstituencyPart.place_code).where(ConstituencyPart.constituency_code == constituency_code)
    return sorted(session.exec(query))


def place_label(session: Session, code: str | None, lang: str = "zh-TW") -> str:
    """ "臺北市松山區" (or "Songshan District, Taipei City"): the place and the places above it."""
    chain: list[Place] = []
    place = get_place(session, code)
    while place is not None:
        chain.append(place)
        place = get_place(session, place.parent_code)
    if lang.startswith("zh") or not all(p.name_en for p in chain):
        return "".join(p.name for p in reversed(chain))
    return ", ".join(p.name_en for p in chain)


def has_places(session: Session) -> bool:
    return session.exec(select(Place.code).limit(1)).first() is not None


def township_choices(session: Session, lang: str = "zh-TW") -> list[tuple[str, list[tuple[str, str]]]]:
    """Townships grouped by county, for a <select> with one <optgroup> per county (no script needed)."""
    english = not lang.startswith("zh")
    groups: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, str] = {}
    for place in session.exec(
        select(Place).where(col(Place.level).in_([Level.county, Level.township])).order_by(col(Place.code))
    ):
        label = place.name_en if english and place.name_en else place.name
        if place.level == Level.county:
            labels[place.code], groups[place.code] = label, []
        else:
            groups.setdefault(county_of(place.code), []).append((place.code, label))
    return [(labels.get(code, code), townships) for code, townships in groups.items()]


def village_in(session: Session, township_code: str, name: str) -> str | None:
    """The code of the village called `name` in a township, where the data has its villages
    (only in townships a constituency boundary splits)."""
    wanted = "".join(name.split()).replace("台", "臺")
    for village in places(session, Level.village, township_code):
        if village.name == wanted:
            return village.code
    return None


class PlaceFinder:
    """Reads the place a person wrote in a file: a township or village code (63000030), a township
    name with its county (臺北市大安區, 台北市 大安區) or alone where only one has it (花蓮市), or a
    3-digit postal code (106). Built once, for a whole file."""

    def __init__(self, session: Session) -> None:
        rows = session.exec(select(Place).where(Place.level != Level.village)).all()
        self.codes = {p.code for p in session.exec(select(Place))}
        self.postal = {p.code: p.township_code for p in session.exec(select(PostalCode))}
        counties = {p.code: p.name for p in rows if p.level == Level.county}
        self.names: dict[str, str | None] = {}
        for place in rows:
            if place.level == Level.township:
                self.names[counties.get(county_of(place.code), "") + place.name] = place.code
                alone = place.name
                self.names[alone] = None if alone in self.names else place.code  # None: ambiguous (東區)
            else:
                self.names[place.name] = place.code

    def find(self, text: str) -> str | None:
        cleaned = "".join(text.split()).replace("台", "臺")
        if cleaned.isdigit():
            return cleaned if cleaned in self.codes and len(cleaned) > COUNTY_LEN else self.postal.get(cleaned)
        return self.names.get(cleaned)


def choose_place(session: Session, place_code: str, postal_code: str) -> str | None:
    """The place a member gives: a 3-digit postal code, or else a township (or village) chosen from
    the list; None when they give neither. Invalid, naming the field, for anything else."""
    place_code, postal_code = place_code.strip(), postal_code.strip()
    if postal_code:
        if len(postal_code) != 3 or not postal_code.isdigit():
            raise Invalid({"postal_code": N_("Enter the first 3 digits of your postal code, such as 106.")})
        found = place_for_postal(session, postal_code)
        if found is None:
            raise Invalid({"postal_code": N_("That postal code is not in our list. Choose your township instead.")})
        return found.code  # a postal code typed in wins over the list, which may still show the old place
    if not place_code:
        return None
    place = session.get(Place, place_code)
    if place is None or place.level == Level.county:
        raise Invalid({"place_code": N_("Choose a township from the list.")})
    return place.code


# --- the loader -----------------------------------------------------------------------------------

FILES = {
    "places.csv": ("code", "level", "name", "name_en", "parent_code"),
    "constituencies.csv": ("code", "name", "name_en", "county_code", "term"),
    "constituency_parts.csv": ("constituency_code", "place_code"),
    "postal_codes.csv": ("code", "township_code"),
    "population.csv": ("code", "population", "date"),
}


def _rows(directory: Path, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    path = directory / name
    if not path.is_file():
        raise PlaceDataError(f"{path}: file is missing")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in FILES[name] if c not in (reader.fieldnames or [])]
            if missing:
                raise PlaceDataError(f"{path}: missing columns {', '.join(missing)}")
            for number, row in enumerate(reader, start=2):
                yield number, {key: (value or "").strip() for key, value in row.items() if key}
    except UnicodeDecodeError as error:
        raise PlaceDataError(f"{path}: not UTF-8 text ({error.reason})") from error
    except csv.Error as error:
        raise PlaceDataError(f"{path}: not a readable CSV file ({error})") from error


def _refuse(name: str, number: int, problem: str) -> NoReturn:
    raise PlaceDataError(f"{name} line {number}: {problem}")


def _read_places(directory: Path) -> list[Place]:
    found: list[Place] = []
    for number, row in _rows(directory, "places.csv"):
        code, level = row["code"], row["level"]
        if level not in Level.__members__:
            _refuse("places.csv", number, f"level {level!r} is not county, township or village")
        if not code.isdigit() or LEVEL_OF_LENGTH.get(len(code)) != level:
            _refuse("places.csv", number, f"{code!r} is not a {level} code")
        parent = row["parent_code"] or None
        expected = None if level == Level.county else code[: COUNTY_LEN if level == Level.township else TOWNSHIP_LEN]
        if parent != expected:
            _refuse("places.csv", number, f"{code} should have parent {expected}, not {parent}")
        if not row["name"]:
            _refuse("places.csv", number, f"{code} has no name")
        found.append(Place(code=code, level=level, name=row["name"], name_en=row["name_en"], parent_code=parent))
    codes = {p.code for p in found}
    for place in found:
        if place.parent_code is not None and place.parent_code not in codes:
            raise PlaceDataError(f"places.csv: {place.code}'s parent {place.parent_code} is not in the file")
    return found


def _read_populations(directory: Path, found: dict[str, Place]) -> None:
    for number, row in _rows(directory, "population.csv"):
        place = found.get(row["code"])
        if place is None:
            _refuse("population.csv", number, f"{row['code']!r} is not in places.csv")
        try:
            place.population, place.population_date = int(row["population"]), date.fromisoformat(row["date"])
        except ValueError as error:
            _refuse("population.csv", number, str(error))
        if place.population < 0:
            _refuse("population.csv", number, "a population cannot be negative")


def _read_constituencies(directory: Path, found: dict[str, Place]) -> list[Constituency]:
    constituencies: list[Constituency] = []
    for number, row in _rows(directory, "constituencies.csv"):
        county = found.get(row["county_code"])
        if county is None or county.level != Level.county:
            _refuse("constituencies.csv", number, f"{row['county_code']!r} is not a county in places.csv")
        if not row["code"].startswith(row["county_code"] + "-"):
            _refuse("constituencies.csv", number, f"{row['code']!r} should start with its county code")
        if not row["term"].isdigit():
            _refuse("constituencies.csv", number, f"term {row['term']!r} is not a number")
        constituencies.append(
            Constituency(
                code=row["code"],
                name=row["name"],
                name_en=row["name_en"],
                county_code=row["county_code"],
                term=int(row["term"]),
            )
        )
    return constituencies


def _read_parts(directory: Path, found: dict[str, Place], known: set[str]) -> set[tuple[str, str]]:
    parts: set[tuple[str, str]] = set()
    for number, row in _rows(directory, "constituency_parts.csv"):
        constituency, code = row["constituency_code"], row["place_code"]
        if constituency not in known:
            _refuse("constituency_parts.csv", number, f"{constituency!r} is not in constituencies.csv")
        place = found.get(code)
        if place is None or place.level == Level.county:
            _refuse("constituency_parts.csv", number, f"{code!r} is not a township or village in places.csv")
        parts.add((constituency, code))
    return parts


def _read_postal(directory: Path, found: dict[str, Place]) -> dict[str, str]:
    postal: dict[str, str] = {}
    for number, row in _rows(directory, "postal_codes.csv"):
        code, township = row["code"], row["township_code"]
        if len(code) != 3 or not code.isdigit():
            _refuse("postal_codes.csv", number, f"{code!r} is not a 3-digit postal code")
        place = found.get(township)
        if place is None or place.level != Level.township:
            _refuse("postal_codes.csv", number, f"{township!r} is not a township in places.csv")
        postal[code] = township
    return postal


def load_places(session: Session, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Load or refresh the place data from `data_dir`: insert what is new, update what changed,
    and drop constituency parts and postal codes the files no longer list. Every file is read
    and checked first, so a bad one (PlaceDataError, naming the file and line) writes nothing.
    Places are never deleted: contributions keep their codes."""
    if not data_dir.is_dir():
        raise PlaceDataError(f"{data_dir}: not a directory")
    found = _read_places(data_dir)
    by_code = {place.code: place for place in found}
    _read_populations(data_dir, by_code)
    constituencies = _read_constituencies(data_dir, by_code)
    parts = _read_parts(data_dir, by_code, {c.code for c in constituencies})
    postal = _read_postal(data_dir, by_code)
    # What is there already is held in the session, so merge() updates it without a query per
    # row; what is new is added as it is (a merge costs several times an insert, and a new site
    # loads all 1,200 places).
    places_there = {p.code: p for p in session.exec(select(Place))}
    constituencies_there = {c.code: c for c in session.exec(select(Constituency))}
    for place in sorted(found, key=lambda p: len(p.code)):  # parents first
        if place.code in places_there:
            session.merge(place)
        else:
            session.add(place)
    for constituency in constituencies:
        if constituency.code in constituencies_there:
            session.merge(constituency)
        else:
            session.add(constituency)
    session.flush()
    for part in session.exec(select(ConstituencyPart)):
        key = (part.constituency_code, part.place_code)
        if key in parts:
            parts.discard(key)
        else:
            session.delete(part)
    session.add_all(ConstituencyPart(constituency_code=c, place_code=p) for c, p in sorted(parts))
    for postal_code in session.exec(select(PostalCode)):
        if postal_code.code in postal:
            postal_code.township_code = postal.pop(postal_code.code)
        else:
            session.delete(postal_code)
    session.add_all(PostalCode(code=c, township_code=t) for c, t in sorted(postal.items()))
    session.commit()
    return {
        "places": len(found),
        "constituencies": len(constituencies),
        "constituency parts": len(session.exec(select(ConstituencyPart)).all()),
        "postal codes": len(session.exec(select(PostalCode)).all()),
    }
