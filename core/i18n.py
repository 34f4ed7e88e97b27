"""Languages: gettext catalogs (Babel), negotiation, and locale-aware dates and numbers.

Interface strings are English msgids. A language is a catalog, ``locales/<code>/LC_MESSAGES/
messages.po``, and nothing else: it is found at start-up, compiled in memory and offered in the
language switcher. zh-TW is the default.
"""

from __future__ import annotations

import io
import re
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from core.settings import ROOT

LOCALES_DIR = ROOT / "locales"
SOURCE_LOCALE = "en"
# How each language names itself in the switcher, where Babel's name is not what speakers use.
OWN_NAMES = {"zh_TW": "繁體中文", "id": "Bahasa Indonesia"}  # the language of the msgids themselves
COOKIE = "lang"

_current: ContextVar[str] = ContextVar("locale", default="zh_TW")
_timezone: ContextVar[str] = ContextVar("timezone", default="Asia/Taipei")


@cache
def available_locales(directory: Path = LOCALES_DIR) -> tuple[str, ...]:
    found = sorted(p.parent.parent.name for p in directory.glob("*/LC_MESSAGES/messages.po"))
    # The default comes first in the switcher; the source language needs no catalog.
    ordered = [code for code in found if code == "zh_TW"] + [c for c in found if c != "zh_TW"]
    return tuple(ordered + ([SOURCE_LOCALE] if SOURCE_LOCALE not in ordered else []))


@cache
def translations(locale: str) -> NullTranslations:
    po = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def set_locale(locale: str) -> None:
    _current.set(locale)


def get_locale() -> str:
    return _current.get()


def set_timezone(timezone: str) -> None:
    _timezone.set(timezone)


def get_timezone() -> str:
    return _timezone.get()


def gettext(message: str) -> str:
    return translations(get_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_locale()).ngettext(singular, plural, n)


_ = gettext


def negotiate(cookie: str | None, accept_language: str | None, default: str) -> str:
    """The cookie set by the switcher wins; then the browser's Accept-Language; then the default."""
    available = available_locales()
    if cookie and cookie in available:
        return cookie
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        if not tag:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, index, tag.strip().replace("-", "_")))
    for _quality, _index, tag in sorted(weighted):
        match = _match(tag, available)
        if match:
            return match
    return default if default in available else available[0]


def _match(tag: str, available: tuple[str, ...]) -> str | None:
    """Exact tag first, then the same language in another region (any Chinese reads zh-TW)."""
    lowered = {code.lower(): code for code in available}
    if tag.lower() in lowered:
        return lowered[tag.lower()]
    language = tag.lower().split("_")[0]
    for code in available:
        if code.lower().split("_")[0] == language:
            return code
    return None


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_INDONESIAN = {"yang", "dan", "dengan", "tidak", "untuk", "saya", "ini", "itu", "kami", "dari"}
_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def text_lang(text: str) -> str:
    """The lang attribute for people's words, so each renders in its own script (Chinese content
    in an English page must not take Japanese glyphs): zh-Hant, th, vi, en, or "" when unsure."""
    sample = text[:400]
    han, latin = len(_HAN.findall(sample)), len(_LATIN.findall(sample))
    if han and han >= latin / 3:
        return "zh-Hant"
    if _THAI.search(sample):
        return "th"
    if not latin:
        return ""
    if len(_VIETNAMESE.findall(sample)) * 20 >= latin:
        return "vi"
    words = set(re.findall(r"[a-z]+", sample.lower()))
    if words & _INDONESIAN:
        return "id"
    return "en"


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 13 -> 十三, 25 -> 二十五, 105 -> 一百零五, 110 -> 一百一十, as laws number articles."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        tail = ""
    elif rest < 10:
        tail = "零" + _DIGITS[rest]
    else:
        tail = ("一" if rest < 20 else "") + chinese_number(rest)
    return _DIGITS[hundreds] + "百" + tail


def article_label(n: int) -> str:
    """An article's label as the law writes it: 第五條 in Chinese, "Article 5" elsewhere."""
    if get_locale() == "zh_TW" and 0 < n < 1000:
        return f"第{chinese_number(n)}條"
    return gettext("Article %(n)s") % {"n": n}


def html_lang(locale: str) -> str:
    return locale.replace("_", "-")


@cache
def language_name(locale: str) -> str:
    """The language's name in itself, as a switcher shows it."""
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return locale
    if locale in OWN_NAMES:
        return OWN_NAMES[locale]
    name = parsed.get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


def language_label(lang: str) -> str:
    """A content language ("zh-Hant", "en") named in the reader's language: 英文, Chinese (Traditional)."""
    try:
        name = Locale.parse(lang.replace("-", "_")).get_display_name(get_locale()) or lang
    except (UnknownLocaleError, ValueError):
        return lang
    if get_locale() == "zh_TW":  # CLDR writes 中文 (繁體), with half-width brackets
        name = name.replace(" (", "（").replace("(", "（").replace(")", "）")
    return name[:1].upper() + name[1:]


# One date format per language, everywhere: (date, date and time). Other languages take Babel's
# medium date and a 24-hour time.
DATE_FORMATS = {"zh_TW": ("y年M月d日", "y年M月d日 HH:mm"), "en": ("d MMM y", "d MMM y, HH:mm")}


def _formats(locale: str) -> tuple[str, str]:
    if locale in DATE_FORMATS:
        return DATE_FORMATS[locale]
    medium = str(babel_locale(locale).date_formats["medium"].pattern)
    return medium, f"{medium} HH:mm"


@cache
def babel_locale(code: str) -> Locale:
    """Babel's Locale for a catalog code, parsed once: Babel parses the code again on every
    format call given a string, and a page formats hundreds of dates and numbers."""
    return Locale.parse(code)


@cache
def _patterns(locale: str) -> tuple[dates.DateTimePattern, dates.DateTimePattern]:
    """The language's (date, date and time) patterns, parsed once."""
    day, moment = _formats(locale)
    return dates.parse_pattern(day), dates.parse_pattern(moment)


def format_datetime(value: datetime | None, timezone: str) -> str:
    """A datetime in the site's time zone, in the reader's language's one format (naive is UTC)."""
    if value is None:
        return ""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    locale = get_locale()
    return _patterns(locale)[1].apply(aware.astimezone(ZoneInfo(timezone)), babel_locale(locale))


def format_date(value: datetime | date | str | None, timezone: str) -> str:
    """A date (a datetime is taken in the site's time zone; a string is YYYY-MM-DD)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        value = aware.astimezone(ZoneInfo(timezone)).date()
    locale = get_locale()
    return _patterns(locale)[0].apply(value, babel_locale(locale))


def format_number(value: float | int) -> str:
    locale = get_locale()
    if type(value) is int:
        return _whole_number(value, locale)
    return numbers.format_decimal(value, locale=babel_locale(locale))


@lru_cache(maxsize=4096)
def _whole_number(value: int, locale: str) -> str:
    """A count in the language's digits grouping, formatted once: a report prints thousands of
    counts, mostly the same small ones, and Babel takes tens of microseconds for each."""
    return numbers.format_decimal(value, locale=babel_locale(locale))


def format_percent(share: float) -> str:
    """0.0002 -> "0.02%": two decimals, so a small share does not read as nothing."""
    return numbers.format_percent(share, "#,##0.##%", locale=babel_locale(get_locale()))


def parse_local_datetime(value: str, timezone: str) -> datetime | None:
    """A form's datetime-local value ("2026-03-01T09:30"), read in the site's time zone, as UTC."""
    try:
        local = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(timezone))
    return local.astimezone(ZoneInfo("UTC"))


def local_input_value(value: datetime | None, timezone: str) -> str:
    """The other way: what a datetime-local field shows for a stored time."""
    if value is None:
        return ""
    aware = value.replace(tzinfo=ZoneInfo("UTC")) if value.tzinfo is None else value
    return aware.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")
