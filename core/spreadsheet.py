"""CSV cells a spreadsheet cannot take for formulas, and the way our importers read them back.

Every CSV download goes through ``core.web.csv_download``, which passes each cell through
``defuse``: as OWASP's "CSV Injection" page advises, text beginning with =, +, - or @, a tab or
a carriage return gets a single quote in front, so a comment such as ``=HYPERLINK(...)`` opens as
the text it is, not as a formula that runs. Numbers we write ourselves stay numbers (-3 is no
formula, and a spreadsheet must be able to add it up). Every cell is also quoted, as OWASP advises,
so that a separator inside a text (a ; where spreadsheets split on it) cannot start a new cell.

Our importers (comments uploaded to a consultation, ``thinktank analyze``) pass each cell through
``restore``, so an exported file imported again gives back the text that was written. To make that
exact, a cell that already begins with quotes followed by such a character gets one quote more,
and ``restore`` takes exactly one off: ``restore(defuse(text)) == text`` for every text. The price
is a file from elsewhere whose cell really begins with ``'=``: it loses that one quote.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _looks_defused(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_STARTS)


def defuse(value: Any) -> Any:
    """The cell to write: text that a spreadsheet would run gets a leading single quote."""
    if isinstance(value, str) and _looks_defused(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The text a cell written by ``defuse`` stood for."""
    if text.startswith("'") and _looks_defused(text):
        return text[1:]
    return text
