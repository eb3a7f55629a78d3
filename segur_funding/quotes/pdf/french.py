"""How French quotes print amounts, dates and wordings, and how to compare wordings.

Pure functions on strings: no PDF, no Django. Amounts come back as Decimal, dates as
datetime.date; anything ambiguous comes back as None so callers can ask a human instead of
guessing.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from segur_funding.core.money import format_eur
from segur_funding.core.text import COMBINING

SPACES = "\u00a0\u202f\u2007\u2009 "
MINUS = "-\u2212\u2013"
_SPACE_CLASS = "[ \u00a0\u202f\u2007\u2009]"
_NOT_WORD = re.compile(r"[^a-z0-9%€]+")


def normalize(text: str) -> str:
    """Lower case, no accents, apostrophes and punctuation as spaces, single spaces.

    Used to match wordings whatever the accents, case, apostrophe style and spacing
    (SPEC §3.4: the State-funding line and the 120-day mention are matched this way).
    """
    # Cell texts repeat (headers, units, amounts): cache them, not whole paragraphs.
    return _normalize_short(text) if len(text) <= 120 else _normalize(text)


def _normalize(text: str) -> str:
    if not text.isascii():
        text = COMBINING.sub("", unicodedata.normalize("NFKD", text))
    lowered = text.lower().replace("œ", "oe").replace("æ", "ae")
    return " ".join(_NOT_WORD.sub(" ", lowered).split())


_normalize_short = lru_cache(maxsize=4096)(_normalize)


def squash(text: str) -> str:
    """Collapse every kind of whitespace (NBSP, narrow NBSP, newlines) to single spaces."""
    if "\u00ad" in text:
        text = text.replace("\u00ad", "")
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------
# Amounts
# --------------------------------------------------------------------------------------------

_AMOUNT = re.compile(
    rf"""^
    (?P<sign>[{MINUS}]{_SPACE_CLASS}?)?
    (?P<int>\d{{1,3}}(?:(?P<sep>{_SPACE_CLASS}|\.)\d{{3}}(?:(?P=sep)\d{{3}})*)?|\d+)
    (?:(?P<dec>[,.])(?P<cents>\d{{1,2}}))?
    {_SPACE_CLASS}*(?P<cur>€|EUR|euros?|Eur)?
    (?:{_SPACE_CLASS}*(?P<tax>HT|TTC|H\.T\.|T\.T\.C\.))?
    $""",
    re.VERBOSE,
)
_FREE_WORDS = {"inclus", "incluse", "offert", "offerte", "compris", "comprise", "gratuit"}
_MORE_THAN_A_FREE_WORD = re.compile(
    f"[A-Za-z0-9](?:[^A-Za-z0-9]*[A-Za-z0-9]){{{max(len(word) for word in _FREE_WORDS)}}}"
)


class Amount(NamedTuple):
    """An amount read from a cell.

    Every cell of every row is tried as an amount: a named tuple is as immutable as the frozen
    dataclass it replaces and several times cheaper to create.
    """

    value: Decimal
    tax: str | None  # "HT", "TTC" or None when the cell does not say
    has_currency: bool
    has_cents: bool

    @property
    def is_money(self) -> bool:
        """A bare integer ("1", "12") is a quantity until a column header says otherwise."""
        return self.has_currency or self.has_cents


def parse_amount(cell: str) -> Amount | None:
    """Read a cell that is exactly one amount, as French editors print them.

    "32 940,00 €", "32.940,00 EUR", "-3 500,00€", "3 500 €", "32 940,00 € TTC", NBSP and
    narrow NBSP separators; "Inclus"/"Offert" read as zero. Returns None for anything else,
    including a sentence that merely contains an amount.
    """
    text = cell.strip().rstrip("*")
    if not text:
        return None
    match = _AMOUNT.match(text)
    if match is None:
        # Tried second: every cell of a row is tried as an amount, and an amount, made of
        # digits, currency and tax, is never one of these words once normalized. A cell with
        # more ASCII letters and digits than the longest of them is none either (`normalize`
        # keeps each of them): a sentence is not normalized for nothing.
        if _MORE_THAN_A_FREE_WORD.search(text) is None and normalize(text) in _FREE_WORDS:
            return Amount(Decimal("0.00"), None, True, True)
        return None
    integer, sep, dec, cents, currency, sign, tax = match.group(
        "int", "sep", "dec", "cents", "cur", "sign", "tax"
    )
    if dec == "." and sep == ".":
        return None
    if dec == "." and sep is None and len(cents or "") != 2:
        # "3.500" is three thousand five hundred in French; only "3500.00" reads as decimals.
        if cents is not None:
            return None
    if sep == "." and dec is None and currency is None:
        return None
    # The integer part is digits and its thousands separator, the same one all along.
    digits = integer.replace(sep, "") if sep else integer
    try:
        value = Decimal(f"{digits}.{(cents or '0').ljust(2, '0')}")
    except InvalidOperation:
        return None
    if sign:
        value = -value
    if tax:
        tax = "TTC" if "C" in tax else "HT"
    return Amount(value, tax, currency is not None, cents is not None)


def format_amount(value: Decimal) -> str:
    """French display for messages a person reads (32 940,00 €)."""
    return format_eur(value).replace("\u202f", " ").replace("\u00a0", " ")


# A rate as a cell prints it ("20 %", "5,5%"), for patterns built on it.
PERCENTAGE_PATTERN = rf"\d+(?:[,.]\d+)?{_SPACE_CLASS}*%"


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

MONTHS = {
    "janvier": 1,
    "janv": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_NUMERIC_DATE = r"(?P<d>\d{1,2})\s*[/.\-]\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<y>\d{4}|\d{2})(?!\d)"
_WORD_DATE = r"(?P<wd>\d{1,2})\s*(?:er)?\s+(?P<wm>[a-zA-Zéèûôà]+)\.?\s+(?P<wy>\d{4})(?!\d)"
DATE_PATTERN = rf"(?:{_NUMERIC_DATE}|{_WORD_DATE})"
_DATE = re.compile(DATE_PATTERN)


def parse_date(text: str) -> date | None:
    """The first date at the start of `text`: 01/06/2022, 1.6.22, 1er juin 2022, 1 juin 2022."""
    match = _DATE.match(text.strip())
    return date_from_match(match) if match else None


def date_from_match(match: re.Match[str]) -> date | None:
    if match.group("d"):
        day, month, year = int(match["d"]), int(match["m"]), int(match["y"])
    else:
        month = MONTHS.get(normalize(match["wm"]))
        if month is None:
            return None
        day, year = int(match["wd"]), int(match["wy"])
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None
