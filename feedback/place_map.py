"""The choropleth maps of the places pages, drawn on the server: each county's or township's
outline (from map_data/, see SOURCE.md there) filled by how many of its residents took part, per
100,000, or by how many people where the place data has no population for every place shown. A
place merged into "other places in X" takes the remainder's colour and name, so the map shows
nothing the table does not; one merged into "elsewhere" is drawn as too few to show."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from feedback.places import Level, PlaceTable, Row

DATA = Path(__file__).with_name("map_data")
CLASSES = 5  # colour classes, light to dark; see .map-fill-N in the style sheet


@dataclass(frozen=True)
class Area:
    code: str
    d: str
    row: Row | None
    fill: str  # "0".."4", "none" (nobody), "merged" (too few to show)
    rate: float | None  # participants per 100,000 residents


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    areas: list[Area]
    borders: str
    breaks: list[float]  # upper bounds of each class but the last
    per_resident: bool  # coloured by people per 100,000 residents; else by people, for want of populations


@cache
def outlines(level: str) -> dict[str, Any]:
    name = "counties.json" if level == Level.county else "townships.json"
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def rate(row: Row) -> float | None:
    return row.people * 100_000 / row.population if row.population else None


def _value(row: Row, per_resident: bool) -> float | None:
    return rate(row) if per_resident else float(row.people)


def _breaks(rates: list[float]) -> list[float]:
    """Quantile breaks over the places shown, rounded to read well in the legend."""
    if not rates:
        return []
    ordered = sorted(rates)
    found: list[float] = []
    for i in range(1, CLASSES):
        value = ordered[min(len(ordered) - 1, i * len(ordered) // CLASSES)]
        value = round(value, 1 if value < 10 else 0)
        if not found or value > found[-1]:
            found.append(value)
    return found


def _class(value: float, breaks: list[float]) -> str:
    return str(next((i for i, bound in enumerate(breaks) if value < bound), len(breaks)))


def draw(places: PlaceTable) -> Drawing | None:
    """The map for a county or township table; None for districts (no outlines)."""
    if places.level not in (Level.county, Level.township):
        return None
    shape = outlines(places.level)
    owner: dict[str, Row] = {}
    for row in places.rows:
        for code in row.codes:
            owner[code] = row
    spoke = [row for row in places.rows if row.people and row.code != "elsewhere"]
    per_resident = all(row.population for row in spoke)
    breaks = _breaks([v for v in (_value(row, per_resident) for row in spoke) if v is not None])
    areas = []
    for code, d in shape["areas"].items():
        found = owner.get(code)
        value = _value(found, per_resident) if found is not None else None
        if found is None or found.code == "elsewhere" or (value is None and found.people):
            fill = "merged"
        elif not found.people:
            fill = "none"
        else:
            fill = _class(value or 0.0, breaks)
        areas.append(Area(code, d, found, fill, value))
    return Drawing(shape["width"], shape["height"], areas, shape["borders"], breaks, per_resident)
