"""Errors that services raise and pages turn into clear messages.

Messages are English msgids marked with ``N_`` so Babel extracts them; they are translated where
they are shown, in the reader's language.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for translation without translating it yet."""
    return message


class Invalid(ValueError):
    """Input that breaks a rule. ``errors`` maps a form field (or "" for the whole form) to msgids;
    ``params`` fill their %(name)s placeholders after translation."""

    def __init__(self, errors: dict[str, str], params: dict[str, object] | None = None):
        self.errors = errors
        self.params = params or {}
        super().__init__("; ".join(f"{k}: {v % self.params}" for k, v in errors.items()))


class NotFound(LookupError):
    pass


class Forbidden(PermissionError):
    pass
