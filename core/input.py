"""What a request or an imported file may carry, read in one place: whole numbers the database
can hold, and text without control characters.

Both are checked at the edge, before anything reaches the database: PostgreSQL refuses a NUL
in text and a number beyond its integer columns with an error, where SQLite stores either.
"""

from __future__ import annotations

import re

# Every id column is an INTEGER (PostgreSQL's signed 32 bits), and no page or count the site
# reads goes further: a larger number names nothing here.
MAX_INT = 2**31 - 1

_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")

# Line breaks and tabs belong in multi-line text; every other control character (NUL first of
# all) is noise a browser or a spreadsheet let through. Unicode's control characters (category
# Cc) are exactly C0 and DEL with C1; one regex finds them in a long comment far faster than a
# category lookup a character.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def whole_number(raw: str) -> int | None:
    """`raw` (spaces around it allowed) as a whole number from 0 to MAX_INT in ASCII digits, else None.

    `str.isdigit()` is not enough: it accepts "²" and "٣", which int() refuses or reads, and
    digits beyond what the database holds."""
    raw = raw.strip()
    if not _ASCII_DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= MAX_INT else None


def has_control(text: str) -> bool:
    """Whether `text` holds a control character other than a line break or a tab."""
    return _CONTROL.search(text) is not None


def clean_text(text: str) -> str:
    """`text` without its control characters, line breaks and tabs kept."""
    return _CONTROL.sub("", text)
