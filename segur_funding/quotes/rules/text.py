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
from .conditions import ConditionMatcher
from .labels import NOTHING, VIEW_OUT_OF_SCOPE, VIEW_SEGUR, LabelMatcher, relies_on_sun_es
from .words import BREAK, BREAK_CLASS, clauses_of, fold, label_tokens, plain_of

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
def is_conditional(text: str, mention: str, conditions: ConditionMatcher) -> bool:
    """A text (a mention, a condition) that conditions the offer on options, modules, a
    contract or a re-engagement, read with the wordings of `conditions` (reference data).

    `mention` (the §3.2 mention) is cut out first: it is a required condition on the
    referencing, not one put on the client. The PDF reader, which picks the quote's conditions
    out of its text before the scheme (and so its mention) is known, passes "": the `allowed`
    wordings (« obtention du référencement ») keep the mention out there, and the checker reads
    each condition again with the scheme's mention.
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


def _label_facts(
    label: str, scope: str | None, wording: str, mention: str, matcher: LabelMatcher
) -> _LabelFacts:
    """The heuristics of one label (remembered: see `label_facts_reader`)."""
    return label_facts_reader(wording, mention, matcher).get(label, scope)


# A clause that is a number alone (« (12) », « , 3 , »), as `clauses_of` cuts labels: after a
# clause separator (kept), or first in the label (_FIRST_NUMBER_CLAUSE). A pattern that starts
# with its separator is searched several times faster than one that starts with a look-behind.
_NUMBER_CLAUSE = re.compile(BREAK_CLASS + r"\s*[0-9]+\s*(?=" + BREAK_CLASS + "|$)")
_FIRST_NUMBER_CLAUSE = re.compile(r"\s*[0-9]+\s*(?=" + BREAK_CLASS + "|$)")
_MARK = "\x00"
_REMEMBERED = 100_000


class _LabelFactsReader:
    """The heuristics of labels for one wording, mention and matcher, remembered twice:

    - per label: labels repeat across an editor's quotes, so a batch re-check reads each
      distinct label once;
    - per *shape*, the label with its number clauses blanked out (« Installation (site 2) »
      and « … (site 3) » differ; « Formation (12) » and « Formation (13) » do not): a label
      never seen before is mostly a known label with a quantity or a reference number in
      brackets. No heuristic depends on the value of such a number: the label matcher never
      matches across clauses and skips number clauses, the other tests count words or look
      for words that are not numbers. The one exception is a number that the State-funding
      wording or the §3.2 mention contains (« 120 jours »): such a label is read in full.
    """

    __slots__ = ("_digits", "_labels", "_matcher", "_mention", "_shapes", "_wording")

    def __init__(self, wording: str, mention: str, matcher: LabelMatcher) -> None:
        self._wording, self._mention, self._matcher = wording, mention, matcher
        self._digits = tuple({w for w in (wording + mention).split() if w.isdigit()})
        self._labels: dict[str | None, dict[str, _LabelFacts]] = {}
        self._shapes: dict[str | None, dict[str, _LabelFacts]] = {}

    def get(self, label: str, scope: str | None) -> _LabelFacts:
        labels = self._labels.get(scope)
        if labels is None:
            labels = self._labels[scope] = {}
            self._shapes[scope] = {}
        found = labels.get(label)
        if found is not None:
            return found
        shape = None
        if _MARK not in label:
            shape, count = _shape(label)
            if shape[:1].isdigit() or shape[:1].isspace():
                first = _FIRST_NUMBER_CLAUSE.match(shape)
                if first is not None:
                    shape, count = _MARK + shape[first.end() :], count + 1
            if not count:
                shape = None
            else:
                for digits in self._digits:
                    if digits in label:
                        shape = None
                        break
        shapes = self._shapes[scope]
        if shape is not None:
            found = shapes.get(shape)
            if found is not None:
                return found
        found = _read_label_facts(label, scope, self._wording, self._mention, self._matcher)
        if len(labels) >= _REMEMBERED:
            labels.clear()
        labels[label] = found
        if shape is not None:
            if len(shapes) >= _REMEMBERED:
                shapes.clear()
            shapes[shape] = found
        return found


def _blank(match: re.Match) -> str:
    return match.group()[0] + _MARK


def _shape(label: str) -> tuple[str, int]:
    """The label with its number clauses blanked out, and how many there were. The usual one,
    a number in brackets at the end (« … (12) »), is found with plain string methods; any other
    with a regular expression, several times slower. (Blanking only some of a label's number
    clauses is as sound as blanking them all.)"""
    stripped = label.rstrip()
    if stripped.endswith(")"):
        head, bracket, number = stripped[:-1].rpartition("(")
        if bracket and number.isascii() and number.strip().isdigit():
            return f"{head}({_MARK}{label[len(stripped) - 1 :]}", 1
    return _NUMBER_CLAUSE.subn(_blank, label)


_readers: dict[tuple[str, str, LabelMatcher], _LabelFactsReader] = {}


def label_facts_reader(wording: str, mention: str, matcher: LabelMatcher) -> _LabelFactsReader:
    """The remembered label readings for one (normalised) wording, mention and matcher: an edit
    by ANS gives a new matcher, hence fresh readings."""
    key = (wording, mention, matcher)
    reader = _readers.get(key)
    if reader is None:
        if len(_readers) >= 16:
            _readers.clear()
        reader = _readers[key] = _LabelFactsReader(wording, mention, matcher)
    return reader


def _read_label_facts(
    label: str, scope: str | None, wording: str, mention: str, matcher: LabelMatcher
) -> _LabelFacts:
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
    """`is_conditional` of a label from its clauses (read once already)."""
    words = [word for clause in clauses for word in (*clause.words, BREAK)]
    return conditions.conditional(words, _mention_words(mention))


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
