"""Reading quote wordings: `normalise` (the required wordings), the conditional-offer and mixed-DSR
heuristics, and what each line label says (`_label_facts`, through the label matcher of
`labels.py` for the items of SPEC §3.4 and SUN-ES).

Part of the quote checker; the sources (seed slides) are cited in the package docstring
(`segur_funding.quotes.rules`). Pure: no ORM, no settings, no I/O.
"""

import re
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from segur_funding.referential.label_defaults import DEFAULT_LABEL_ITEMS

from ..constants import Scope
from ..documents import QuoteLine
from .labels import (
    BREAK,
    NOTHING,
    VIEW_OUT_OF_SCOPE,
    VIEW_SEGUR,
    ConditionMatcher,
    LabelMatcher,
    clauses_of,
    fold,
    label_tokens,
    plain_of,
    relies_on_sun_es,
)

# Plain strings: comparing with them is several times faster than with the enum members.
_SEGUR = Scope.SEGUR.value
_STATE_FUNDING = Scope.STATE_FUNDING.value
_OUT_OF_SCOPE = Scope.OUT_OF_SCOPE.value

# --- Normalisation ----------------------------------------------------------------------------

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lowercase ASCII words separated by one space, with one space before and after.

    « Montant … pris en charge par l’État » and "montant ... pris en charge par l' Etat" give the
    same text; the padding lets a phrase be searched as whole words with `" phrase " in text`.
    """
    return " " + _NON_ALNUM.sub(" ", fold(text)).strip() + " "


@lru_cache(maxsize=8192)
def _normalised(text: str) -> str:
    """`normalise`, remembered: wordings, mentions, conditions and labels repeat from one quote
    to the next (every quote carries the State-funding wording, every pre-referencing order the
    same mention, an editor's quotes the same line labels), so a batch re-check of many quotes
    normalises each distinct text once."""
    return normalise(text)


# --- Keyword heuristics -----------------------------------------------------------------------

# An out-of-scope line that says it is not billed (no amount read).
_NOT_BILLED = re.compile(r"\b(?:inclus(?:e|es)?|offerte?s?|gratuite?s?|compris(?:e|es)?)\b")

_DSR_FAMILY_WORDS = (" sgl ", " loinc ", " dpi ", " pfi ", " ris ", " lgc ", " ri v")
_DSR_FAMILY_WORD = re.compile(r" (?:sgl|loinc|dpi|pfi|ris|lgc|ri v)")



# DSR families named in a label, for MIXED_DSR_LINE ("Licences SGL + LOINC", "SGL/LOINC").
_DSR_FAMILY = r"(?:sgl|loinc|dpi|pfi|ris|lgc|ri(?= v[0-9]))"
_MIXED_DSR_LABEL = re.compile(
    rf"\b({_DSR_FAMILY})(?: v[0-9]+)? (?:et |plus |avec |and )?(?:(?:le |la |l )?"
    rf"transcodeur )?(?!\1\b)({_DSR_FAMILY})\b"
)


@lru_cache(maxsize=256)
def _mention_words(mention: str) -> tuple[str, ...]:
    return tuple(word for word in label_tokens(mention) if word != BREAK)


@lru_cache(maxsize=4096)
def _is_conditional(text: str, mention: str, conditions: ConditionMatcher) -> bool:
    """A text (a mention, a condition) that conditions the offer on options, modules, a
    contract or a re-engagement, read with the wordings of `conditions` (reference data).

    `mention` (the §3.2 mention) is cut out first: it is a required condition on the
    referencing, not one put on the client.
    """
    return conditions.conditional(label_tokens(text), _mention_words(mention))


# The matcher of the shipped wordings: what the rules use when no selector handed them the
# database's (tests, benchmarks, a fresh install before `load_reference_data`).
DEFAULT_MATCHER = LabelMatcher(DEFAULT_LABEL_ITEMS)


class _LabelFacts(NamedTuple):
    """What the heuristics read in one line label (whatever the line's scope)."""

    text: str  # normalised
    has_wording: bool  # carries the State-funding wording
    excluded: str | None  # excluded item it describes (French name), in a Ségur line
    prestation_item: str | None  # item of the Prestation it describes (French), out of scope
    not_billed: bool  # says it is included / free
    conditional: bool
    sun_es: bool
    mixed_dsr: tuple[str, str] | None  # two DSR families named side by side


@lru_cache(maxsize=8192)
def _label_facts(
    label: str, scope: str | None, wording: str, mention: str, matcher: LabelMatcher
) -> _LabelFacts:
    """The heuristics of one label, remembered: labels repeat across an editor's quotes, so a
    batch re-check reads each distinct label once (per matcher: an edit by ANS gives a new
    matcher, hence fresh readings)."""
    clauses = clauses_of(label)
    text = plain_of(clauses)
    # Only what the line's scope needs is read: excluded items in the Ségur part, Prestation
    # items out of scope. Every test starts with its cheapest rejection: labels are checked
    # by the hundred thousand in a batch re-check.
    not_billed = False
    if scope == _SEGUR:
        reading = matcher.read_clauses(clauses, VIEW_SEGUR)
    elif scope == _OUT_OF_SCOPE:
        reading = matcher.read_clauses(clauses, VIEW_OUT_OF_SCOPE)
        not_billed = _NOT_BILLED.search(text) is not None
    else:
        reading = NOTHING
    return _LabelFacts(
        text,
        wording in text,
        reading.excluded,
        reading.prestation,
        not_billed,
        _conditional(clauses, mention, matcher.conditions),
        " sun" in text and relies_on_sun_es(label),
        _mixed_dsr(text) if _DSR_FAMILY_WORD.search(text) else None,
    )


def _conditional(clauses: list, mention: str, conditions: ConditionMatcher) -> bool:
    """`_is_conditional` of a label from its clauses (read once already)."""
    words = [word for clause in clauses for word in (*clause.words, BREAK)]
    return conditions.may_condition(words) and conditions.conditional(words, _mention_words(mention))


def _mixed_dsr(text: str) -> tuple[str, str] | None:
    """Two DSR families named side by side in a label (« Licences SGL + LOINC »)."""
    if sum(word in text for word in _DSR_FAMILY_WORDS) > 1:
        match = _MIXED_DSR_LABEL.search(text)
        if match:
            return match.group(1).upper(), match.group(2).upper()
    return None


def _relies_on_sun_es(text: str) -> bool:
    """A free text (mention, condition) that relies on SUN-ES; a negated mention does not."""
    return relies_on_sun_es(text)


def _quote(label: str, limit: int = 70) -> str:
    label = " ".join(label.split())
    if len(label) > limit:
        label = label[: limit - 1].rstrip() + "…"
    return f"« {label} »"


def _label(line: QuoteLine) -> str:
    return _quote(line.label) if line.label.strip() else "(sans libellé)"


def _fr_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")
