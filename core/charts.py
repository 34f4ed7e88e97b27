"""The geometry of the server-drawn charts (`_macros.html` draws them as SVG beside a table of the
same numbers): counts per day on a real time axis, and counts by category in stacked bars.

Plain numbers out, so a chart is the same with JavaScript off, on paper and on a phone. Dates on
the axis are written in the reader's language's one date format (`core.i18n.format_date`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from core import i18n

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 12, 36  # room for the count axis on the left, dates below
TICK_ROOM = 120  # the width a date label needs ("2026年12月31日", "31 Dec 2026") with space around it
DAY_STEPS = (1, 2, 7, 14)  # days between dated ticks; beyond a fortnight, whole months
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60)


@dataclass(frozen=True)
class Tick:
    at: float  # x (dates) or y (counts) in the chart's coordinates
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    n: int


@dataclass(frozen=True)
class TimeChart:
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    base: int  # y of the time axis
    bars: list[Bar]
    dates: list[Tick]
    counts: list[Tick]
    first: date | None
    last: date | None
    total: int
    peak: Bar | None  # the busiest day (the first of equals)


def nice_step(peak: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 times a power of ten) that covers `peak` in about `ticks` steps."""
    rough = max(1, peak) / ticks
    power = 1
    while power * 10 <= rough:
        power *= 10
    for multiple in (1, 2, 5, 10):
        if multiple * power >= rough:
            return multiple * power
    return 10 * power  # pragma: no cover - the loop always returns


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def date_ticks(first: date, last: date, room: int) -> list[date]:
    """Dated ticks between `first` and `last`: every day, two days, week (Mondays), fortnight, or
    1, 2, 3, 6, 12 ... months (the 1st), the finest step that leaves each label `TICK_ROOM`."""
    span = (last - first).days + 1
    most = max(1, room // TICK_ROOM)
    for step in DAY_STEPS:
        if span / step <= most:
            start = first if step < 7 else first + timedelta(days=(7 - first.weekday()) % 7)
            return [start + timedelta(days=n) for n in range(0, (last - start).days + 1, step)]
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = next((s for s in MONTH_STEPS if months / s <= most), MONTH_STEPS[-1])
    index = first.year * 12 + first.month - 1
    index -= index % step  # quarters start in January, April ...; years in January
    day = date(index // 12, index % 12 + 1, 1)
    found = []
    while day <= last:
        if day >= first:
            found.append(day)
        day = _add_months(day, step)
    return found or [first]


def time_chart(days: Sequence[tuple[date | str, int]]) -> TimeChart:
    """Counts per day as bars on a time axis from the first day to the last: days without any
    keep their place, so a quiet week looks like one."""
    counted = sorted((date.fromisoformat(d) if isinstance(d, str) else d, n) for d, n in days)
    right, base = WIDTH - RIGHT, HEIGHT - BOTTOM
    if not counted:
        return TimeChart(WIDTH, HEIGHT, LEFT, right, base, [], [], [], None, None, 0, None)
    first, last = counted[0][0], counted[-1][0]
    span = (last - first).days + 1
    per_day = (right - LEFT) / span
    step = nice_step(max(n for _d, n in counted))
    top = step * -(-max(n for _d, n in counted) // step)
    scale = (base - TOP) / top

    def x(day: date) -> float:
        return LEFT + (day - first).days * per_day

    bars = []
    for day, n in counted:
        width = max(1.0, per_day * 0.8)
        bars.append(
            Bar(
                round(x(day) + (per_day - width) / 2, 1),
                round(base - n * scale, 1),
                round(width, 1),
                round(n * scale, 1),
                day,
                n,
            )
        )
    timezone = i18n.get_timezone()
    ticks = date_ticks(first, last, right - LEFT)
    dates = [Tick(round(x(d) + per_day / 2, 1), i18n.format_date(d, timezone)) for d in ticks]
    counts = [Tick(round(base - v * scale, 1), i18n.format_number(v)) for v in range(0, top + 1, step)]
    peak = max(bars, key=lambda b: (b.n, -b.day.toordinal()))
    total = sum(n for _d, n in counted)
    return TimeChart(WIDTH, HEIGHT, LEFT, right, base, bars, dates, counts, first, last, total, peak)


@dataclass(frozen=True)
class Segment:
    key: str
    x: float
    width: float
    n: int


@dataclass(frozen=True)
class Row:
    label: str
    y: float
    segments: list[Segment]
    total: int


@dataclass(frozen=True)
class StackedBars:
    width: int
    height: int
    left: int  # x where the bars start (the labels end)
    right: int
    rows: list[Row]
    counts: list[Tick]  # x positions of the count axis
    bar_height: int


ROW_HEIGHT, BAR_HEIGHT, LABEL_ROOM = 28, 18, 150


def stacked_bars(rows: Sequence[tuple[str, dict[str, int]]], keys: Sequence[str]) -> StackedBars:
    """One horizontal bar per row, split by `keys` in that order, on a shared count axis."""
    right = WIDTH - RIGHT
    peak = max([sum(counts.get(k, 0) for k in keys) for _label, counts in rows] + [1])
    step = nice_step(peak)
    top = step * -(-peak // step)
    scale = (right - LABEL_ROOM) / top
    drawn = []
    for index, (label, counts) in enumerate(rows):
        x, segments = float(LABEL_ROOM), []
        for key in keys:
            n = counts.get(key, 0)
            if n:
                segments.append(Segment(key, round(x, 1), round(n * scale, 1), n))
                x += n * scale
        drawn.append(Row(label, TOP + index * ROW_HEIGHT, segments, sum(counts.get(k, 0) for k in keys)))
    height = TOP + len(rows) * ROW_HEIGHT + BOTTOM
    ticks = [Tick(round(LABEL_ROOM + v * scale, 1), i18n.format_number(v)) for v in range(0, top + 1, step)]
    return StackedBars(WIDTH, height, LABEL_ROOM, right, drawn, ticks, BAR_HEIGHT)
