"""Conditional offers read by meaning (SPEC §3.4: the Prestation may be conditioned neither on a
re-engagement nor on a new option), from wordings that are reference data (`ConditionWordingRef`,
edited by ANS; shipped defaults in `referential.condition_defaults`), normalised like the label
items (`words.py`, `patterns.py`). The one reading of conditions: the checker's (mentions,
conditions, labels) and the PDF reader's (which sentences of a quote are its conditions).

Part of the quote checker (sources in `segur_funding.quotes.rules`). Pure: no ORM, no I/O.
"""

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from segur_funding.referential.rules import ConditionWordingKind, ConditionWordingRef

from .patterns import Element, compile_pattern, element_matches, match_rest
from .words import BREAK, CACHE_LIMIT, NEGATION_WINDOW, canonical_words

# Negations of a condition. Not « sauf », « hors », « hormis », which the label items read as
# negations: after « sans réengagement », « sauf souscription de l'option » turns the sentence
# round (see _TURNS).
_CONDITION_NEGATIONS = frozenset(
    word
    for raw in ("pas", "non", "sans", "aucun", "aucune", "ni", "jamais", "nullement", "aucunement")
    for word in canonical_words(raw)
)
# Words that end what a negation covers: « sans réengagement, mais conditionnée à l'achat … ».
_TURNS = frozenset(
    word
    for raw in ("mais", "toutefois", "cependant", "neanmoins", "sauf", "hormis", "excepte",
                "revanche", "contre", "pourtant", "seulement", "uniquement")
    for word in canonical_words(raw)
)
# How far a negation reaches after the wording it negates (« n'est pas conditionnée à la
# souscription d'un contrat de maintenance ni à l'achat de modules »), within its clause.
_NEGATION_REACH = 12
# A trigger counts when a demand starts within this many words after it.
_DEMAND_WINDOW = 6

_CONDITION_KINDS = {kind: index for index, kind in enumerate(ConditionWordingKind.ALL)}
_TRIGGER, _DEMAND, _ALWAYS, _ALLOWED = (
    _CONDITION_KINDS[kind]
    for kind in (
        ConditionWordingKind.TRIGGER,
        ConditionWordingKind.DEMAND,
        ConditionWordingKind.ALWAYS,
        ConditionWordingKind.ALLOWED,
    )
)


class _Wording(NamedTuple):
    elements: tuple[Element, ...]
    kind: int


class ConditionMatcher:
    """The wordings of conditional offers compiled into a token index (built once per set of
    wordings, with the label matcher that carries it).

    How a text is read (canonical words, as for labels):
    - the §3.2 mention the checker is given is cut out first: a condition on the referencing,
      which the rules require, not one put on the client;
    - every wording is found; an `allowed` one (« obtention du référencement », « conditions
      générales ») covers its words: nothing found inside it counts;
    - *negation*: a wording with « pas », « non », « sans », « aucun », « ni »… at most three
      words before it (in its clause) does not count, nor does anything after it in its clause,
      up to twelve words or a word that turns the sentence round (« mais », « sauf »,
      « toutefois »…): « n'est pas conditionnée à la souscription d'un module », « sans
      réengagement ni achat d'option »;
    - the offer is conditioned when an `always` wording is left, or a `trigger` followed, at
      most six words further (across punctuation: « sous réserve de : la souscription… »), by a
      `demand`.
    """

    __slots__ = ("_exact", "_prefixes", "_starts", "wordings")

    def __init__(self, wordings: Iterable[ConditionWordingRef]) -> None:
        self.wordings: tuple[ConditionWordingRef, ...] = tuple(wordings)
        self._exact: dict[str, tuple[_Wording, ...]] = {}
        self._prefixes: list[tuple[Element, _Wording]] = []
        for wording in self.wordings:
            kind = _CONDITION_KINDS.get(wording.kind)
            if kind is None:
                continue
            for pattern in wording.patterns:
                if not pattern.strip() or pattern.strip().startswith("#"):
                    continue
                compiled = _Wording(compile_pattern(pattern), kind)
                first = compiled.elements[0]
                if first.__class__ is str:
                    self._exact[first] = (*self._exact.get(first, ()), compiled)  # type: ignore[index]
                else:
                    self._prefixes.append((first, compiled))
        self._starts: dict[str, tuple[_Wording, ...]] = {}

    def _from(self, word: str) -> tuple[_Wording, ...]:
        found = self._starts.get(word)
        if found is None:
            found = self._exact.get(word, ()) + tuple(
                wording for first, wording in self._prefixes if word != BREAK and element_matches(first, word)
            )
            if len(self._starts) >= CACHE_LIMIT:
                self._starts.clear()
            self._starts[word] = found
        return found

    def may_condition(self, words: Iterable[str]) -> bool:
        """Cheap first pass: does any word start a wording that is not `allowed`?"""
        for word in words:
            for wording in self._from(word):
                if wording.kind != _ALLOWED:
                    return True
        return False

    def conditional(self, words: Sequence[str], mention: Sequence[str] = ()) -> bool:
        """Is the offer conditioned, in this text's canonical words (`label_tokens`, clause
        breaks included)? `mention`: the canonical words of the §3.2 mention (no breaks)."""
        if not self.may_condition(words):
            return False
        words = list(words)
        if mention:
            _cut(words, mention)
        found: list[tuple[int, int, int]] = []  # (start, end, kind)
        for i, word in enumerate(words):
            if word == BREAK:
                continue
            for wording in self._from(word):
                elements = wording.elements
                end = i + 1 if len(elements) == 1 else match_rest(elements, 1, words, i + 1)
                if end >= 0:
                    found.append((i, end, wording.kind))
        if not found:
            return False
        allowed = [False] * len(words)  # words inside an `allowed` wording
        dead = [False] * len(words)  # words no wording may start at: allowed or negated
        for start, end, kind in found:
            if kind == _ALLOWED:
                for j in range(start, end):
                    allowed[j] = dead[j] = True
        for start, end, kind in found:
            if kind == _ALLOWED or dead[start]:
                continue
            negation = _condition_negation(words, start)
            if negation < 0:
                continue
            # What the negation covers: this wording and what follows in its clause.
            for j in range(negation, min(end + _NEGATION_REACH, len(words))):
                if j >= end and (words[j] == BREAK or words[j] in _TURNS):
                    break
                dead[j] = True
        live = [(start, end, kind) for start, end, kind in found if kind != _ALLOWED and not dead[start]]
        if any(kind == _ALWAYS for _, _, kind in live):
            return True
        demands = {start for start, _, kind in live if kind == _DEMAND}
        if not demands:
            return False
        for _, end, kind in live:
            if kind != _TRIGGER:
                continue
            counted = 0
            for j in range(end, len(words)):
                if j in demands:
                    return True
                if words[j] != BREAK and not allowed[j]:
                    counted += 1
                    if counted >= _DEMAND_WINDOW:
                        break
        return False


def _condition_negation(words: Sequence[str], start: int) -> int:
    """Where the negation of a wording starting at `start` is, or -1 (three words back at
    most, never across a clause break)."""
    for j in range(start - 1, max(start - 1 - NEGATION_WINDOW, -1), -1):
        word = words[j]
        if word == BREAK:
            return -1
        if word in _CONDITION_NEGATIONS:
            return j
    return -1


def _cut(words: list[str], mention: Sequence[str]) -> None:
    """Replace each occurrence of `mention` in `words` (clause breaks skipped) by breaks."""
    first = mention[0]
    size = len(mention)
    for i, word in enumerate(words):
        if word != first:
            continue
        k, j, taken = 0, i, []
        while j < len(words) and k < size:
            if words[j] == BREAK:
                j += 1
                continue
            if words[j] != mention[k]:
                break
            taken.append(j)
            k += 1
            j += 1
        if k == size:
            for index in taken:
                words[index] = BREAK
