"""Reading line labels by meaning: items of the Prestation Ségur, excluded items, SUN-ES.

Source: seed slide "Périmètre de la Prestation Ségur" (SPEC §3.4): what the Prestation covers
(rights to use the referenced version and inter-application flows, installation, configuration,
qualification and set-up, 6 years of maintenance, training, documentation, project follow-up)
and what it never covers (non-referenced solutions, MSSanté mailboxes, complete change of
solution, technical-debt catch-up, infrastructure: servers, DBMS migration, hardware); slide
"Bonnes pratiques" (no reliance on SUN-ES).

The wordings of each item are reference data (`LabelItemRef`, edited by ANS in the admin, shipped
defaults in `referential.label_defaults`); `LabelMatcher` compiles them once into a plain
token index, and `LabelMatcher.read` answers what one label says. Pure: no ORM, no I/O.

How a label is read:
- *normalisation* and *clauses*: see `words.py` (« Suivi du projet », « suivi de projet » and
  « SUIVI PROJETS » are one wording); a pattern never spans two clauses;
- *negation*: a match preceded in its clause, within three words, by « pas », « non », « hors »,
  « sans », « aucun », « ni », « sauf », « exclu »… does not count (« ne relève pas du programme
  SUN-ES », « hors MSSanté », « sans serveur »). For SUN-ES, a negation right after counts too
  (« SUN-ES : non applicable »);
- *an item* counts when one of its patterns matches, one of its `requires` patterns matches too
  (when it has any: « licence » is a Prestation item only next to « référencée » / « Ségur »),
  and none of its `exceptions` matches (« installation sur le serveur du laboratoire » is not
  the purchase of a server).

Pattern syntax (one pattern per line in the admin): see `patterns.py`.

Conditional offers (SPEC §3.4: the Prestation may be conditioned neither on a re-engagement nor
on a new option) are read by `conditions.ConditionMatcher` from wordings that are reference data
too (`ConditionWordingRef`, shipped defaults in `referential.condition_defaults`), with the same
normalisation; the label matcher carries one.
"""

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from segur_funding.referential.condition_defaults import DEFAULT_CONDITION_WORDINGS
from segur_funding.referential.rules import ConditionWordingRef, LabelItemKind, LabelItemRef

from .conditions import ConditionMatcher
from .patterns import Element, compile_pattern, element_matches, match_rest
from .words import (
    BREAK,
    CACHE_LIMIT,
    NEGATION_WINDOW,
    NUMBER_KEY,
    Clause,
    canonical_words,
    clauses_of,
    label_tokens,
)

_NEGATIONS_RAW = (
    "pas", "non", "hors", "sans", "aucun", "aucune", "ni", "sauf", "exclu", "exclus", "exclue",
    "excepte", "hormis", "jamais", "nullement",
)
_NEGATIONS = frozenset(word for raw in _NEGATIONS_RAW for word in canonical_words(raw))

_MATCH, _REQUIRE, _EXCEPT = 0, 1, 2


class _Phrase(NamedTuple):
    elements: tuple[Element, ...]
    rule: int  # index in LabelMatcher.items
    role: int  # _MATCH, _REQUIRE or _EXCEPT
    single: bool  # one word: matched by the index lookup alone


class LabelReading(NamedTuple):
    """What one label says: the item it describes in each category (French names), or None."""

    prestation: str | None  # an item of the Prestation Ségur (not an excluded one)
    excluded: str | None  # an excluded item


NOTHING = LabelReading(None, None)

# SUN-ES is not an item of §3.4 but a wording read the same way (negation seen on both sides:
# « SUN-ES : non applicable »).
_SUN_ES = compile_pattern("sun es")

# What a line's scope needs to know (SPEC §4): in the Ségur part, excluded items; billed out of
# scope, Prestation items and what rules them out.
VIEW_SEGUR = "segur"
VIEW_OUT_OF_SCOPE = "out_of_scope"
_VIEW_KINDS = {
    VIEW_SEGUR: frozenset({LabelItemKind.EXCLUDED}),
    VIEW_OUT_OF_SCOPE: frozenset(
        {LabelItemKind.PRESTATION, LabelItemKind.EXCLUDED, LabelItemKind.OUTSIDE}
    ),
}
_EMPTY: frozenset[tuple[int, int]] = frozenset()


class LabelMatcher:
    """The items compiled into a token index. Build once per set of items (a selector caches
    it). Reading is pure; the matcher remembers, per distinct clause, which items it names, and
    per combination of those, the reading: labels repeat their clauses far more than
    themselves."""

    __slots__ = ("_exact", "_hits", "_items", "_prefixes", "_readings", "_starts", "conditions")

    def __init__(
        self,
        items: Iterable[LabelItemRef],
        conditions: Iterable[ConditionWordingRef] | ConditionMatcher = DEFAULT_CONDITION_WORDINGS,
    ) -> None:
        # The wordings of conditional offers travel with the label items: one matcher per
        # version of both, one argument for the checker.
        self.conditions = (
            conditions if isinstance(conditions, ConditionMatcher) else ConditionMatcher(conditions)
        )
        self._items: tuple[LabelItemRef, ...] = tuple(items)
        self._exact: dict[str, tuple[_Phrase, ...]] = {}
        self._prefixes: list[tuple[Element, _Phrase]] = []
        for index, item in enumerate(self._items):
            for role, patterns in (
                (_MATCH, item.patterns),
                (_REQUIRE, item.requires),
                (_EXCEPT, item.exceptions),
            ):
                for pattern in patterns:
                    if not pattern.strip() or pattern.strip().startswith("#"):
                        continue
                    elements = compile_pattern(pattern)
                    phrase = _Phrase(elements, index, role, len(elements) == 1)
                    first = elements[0]
                    if first.__class__ is str:
                        self._exact[first] = (*self._exact.get(first, ()), phrase)  # type: ignore[index]
                    else:
                        self._prefixes.append((first, phrase))
        self._starts: dict[str, tuple[_Phrase, ...]] = {}  # word -> phrases starting with it
        # clause key -> (rule, role) found in it
        self._hits: dict[int, frozenset[tuple[int, int]]] = {NUMBER_KEY: _EMPTY}
        self._readings: dict[tuple[frozenset, str], LabelReading] = {}

    @property
    def items(self) -> tuple[LabelItemRef, ...]:
        return self._items

    def _phrases_from(self, word: str) -> tuple[_Phrase, ...]:
        found = self._exact.get(word, ()) + tuple(
            phrase for first, phrase in self._prefixes if word != BREAK and element_matches(first, word)
        )
        if len(self._starts) >= CACHE_LIMIT:
            self._starts.clear()
        self._starts[word] = found
        return found

    def _clause_hits(self, clause: Clause) -> frozenset[tuple[int, int]]:
        """(rule, role) of every phrase found, not negated, in one clause."""
        words = clause.words
        starts = self._starts
        found = []
        for i, word in enumerate(words):
            phrases = starts.get(word)
            if phrases is None:
                phrases = self._phrases_from(word)
            for phrase in phrases:
                end = i + 1 if phrase.single else match_rest(phrase.elements, 1, words, i + 1)
                if end >= 0 and not (i and _negated(words, i, end, forward=False)):
                    found.append((phrase.rule, phrase.role))
        hits = frozenset(found) if found else _EMPTY
        if len(self._hits) >= CACHE_LIMIT:
            self._hits.clear()
            self._hits[NUMBER_KEY] = _EMPTY
        self._hits[clause.key] = hits
        return hits

    def read_clauses(self, clauses: list[Clause], view: str = VIEW_OUT_OF_SCOPE) -> LabelReading:
        """What a label (as its clauses, see `clauses_of`) says, for what `view` needs."""
        remembered = self._hits
        if len(clauses) == 1:
            hits = remembered.get(clauses[0].key)
            if hits is None:
                hits = self._clause_hits(clauses[0])
        else:
            sets = []
            for clause in clauses:
                found = remembered.get(clause.key)
                if found is None:
                    found = self._clause_hits(clause)
                if found:
                    sets.append(found)
            if not sets:
                return NOTHING
            hits = sets[0] if len(sets) == 1 else sets[0].union(*sets[1:])
        if not hits:
            return NOTHING
        reading = self._readings.get((hits, view))
        if reading is None:
            reading = self._reading(hits, view)
        return reading

    def _reading(self, hits: frozenset[tuple[int, int]], view: str) -> LabelReading:
        kinds = _VIEW_KINDS[view]
        items = self._items
        matched = sorted({rule for rule, role in hits if role == _MATCH})
        prestation = excluded = None
        outside = False
        for rule in matched:
            item = items[rule]
            if item.kind not in kinds or (rule, _EXCEPT) in hits:
                continue
            if item.requires and not any((rule, _REQUIRE) == hit for hit in hits):
                continue
            if item.kind == LabelItemKind.EXCLUDED:
                excluded = excluded or item.name
            elif item.kind == LabelItemKind.PRESTATION:
                prestation = prestation or item.name
            else:
                outside = True
        if excluded is not None or outside:
            prestation = None
        reading = LabelReading(prestation, excluded)
        if len(self._readings) >= CACHE_LIMIT:
            self._readings.clear()
        self._readings[(hits, view)] = reading
        return reading

    def read(self, text: str, view: str = VIEW_OUT_OF_SCOPE) -> LabelReading:
        return self.read_clauses(clauses_of(text), view)


def relies_on_sun_es(text: str) -> bool:
    """A text that relies on SUN-ES: « financement SUN-ES », « SUNES »; not « ne relève pas du
    programme SUN-ES », « hors SUN-ES », « SUN-ES : non applicable »."""
    words = label_tokens(text)
    for i, word in enumerate(words):
        if word == "sun":
            end = match_rest(_SUN_ES, 1, words, i + 1)
            if end >= 0 and not _negated(words, i, end, forward=True):
                return True
    return False


def _negated(words: Sequence[str], start: int, end: int, forward: bool) -> bool:
    for j in range(start - 1, max(start - 1 - NEGATION_WINDOW, -1), -1):
        word = words[j]
        if word == BREAK:
            break
        if word in _NEGATIONS:
            return True
    if forward:
        # A break right after is skipped: « SUN-ES : non applicable ».
        for word in words[end : end + 3]:
            if word in _NEGATIONS:
                return True
    return False
