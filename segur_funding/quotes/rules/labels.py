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
- *normalisation*, word by word and remembered per word (words repeat across labels even when
  labels never do): accents and case folded, articles dropped, plurals made singular, number
  words made digits (« six ans » = « 6 an »), abbreviations expanded (« maint. », « form. »,
  « docs », « BAL », « BDD »). Patterns are normalised the same way, so « Suivi du projet »,
  « suivi de projet » and « SUIVI PROJETS » are one wording;
- *clauses*: punctuation that separates ideas (, ; : ( ) / + …) cuts the label into clauses; a
  pattern never spans two clauses;
- *negation*: a match preceded in its clause, within three words, by « pas », « non », « hors »,
  « sans », « aucun », « ni », « sauf », « exclu »… does not count (« ne relève pas du programme
  SUN-ES », « hors MSSanté », « sans serveur »). For SUN-ES, a negation right after counts too
  (« SUN-ES : non applicable »);
- *an item* counts when one of its patterns matches, one of its `requires` patterns matches too
  (when it has any: « licence » is a Prestation item only next to « référencée » / « Ségur »),
  and none of its `exceptions` matches (« installation sur le serveur du laboratoire » is not
  the purchase of a server).

Pattern syntax (one pattern per line in the admin): words as written on quotes; `mot*` is any
word starting with « mot »; `...` (or `…`) lets up to four words sit in between; `#` is any
number (« engagement # ans »; a line starting with `#` is a comment).

Conditional offers (SPEC §3.4: the Prestation may be conditioned neither on a re-engagement nor
on a new option) are read by `ConditionMatcher` from wordings that are reference data too
(`ConditionWordingRef`, shipped defaults in `referential.condition_defaults`), with the same
normalisation: see its docstring.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from itertools import chain
from operator import itemgetter
from typing import NamedTuple

from segur_funding.referential.condition_defaults import DEFAULT_CONDITION_WORDINGS
from segur_funding.referential.rules import (
    ConditionWordingKind,
    ConditionWordingRef,
    LabelItemKind,
    LabelItemRef,
)

# --- Normalisation -----------------------------------------------------------------------------

_FOLD = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_COMBINING = re.compile(r"[\u0300-\u036f]+")


def fold(text: str) -> str:
    """Lowercase without accents (« État » -> « etat »); punctuation kept."""
    text = text.lower()
    if not text.isascii():
        if "œ" in text or "æ" in text or "ß" in text:
            text = text.translate(_FOLD)
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return text


BREAK = "|"
# Words, and the punctuation that separates clauses. A hyphen, an apostrophe or a dot joins or
# ends words (« SUN-ES », « l'État », « maint. ») without separating ideas.
_TOKEN = re.compile(r"[a-z0-9]+|[;:,()\[\]{}/+|!?\u2013\u2014\u2022\u00b7<>=\u2192]")
_BREAKS = frozenset(";:,()[]{}/+|!?\u2013\u2014\u2022\u00b7<>=\u2192")

_STOPWORDS = frozenset(
    "le la les l un une des du de d a au aux en et ou pour par avec y sa son ses leur leurs ce "
    "cet cette ces notre nos votre vos qui que qu dont est sont etre".split()
)
_NUMBERS = {
    "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "six": "6", "sept": "7", "huit": "8",
    "neuf": "9", "dix": "10", "onze": "11", "douze": "12", "septieme": "7e", "huitieme": "8e",
    "neuvieme": "9e", "dixieme": "10e", "sixieme": "6e",
}
_ORDINAL = re.compile(r"(\d+)(?:e|eme|ieme|em)")
# Abbreviations editors print, and a few spellings of one word (read before plurals).
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "maint": ("maintenance",), "mainten": ("maintenance",), "maintenances": ("maintenance",),
    "form": ("formation",), "forma": ("formation",), "format": ("formation",),
    "doc": ("documentation",), "docs": ("documentation",), "docum": ("documentation",),
    "inst": ("installation",), "instal": ("installation",), "install": ("installation",),
    "param": ("parametrage",), "parametr": ("parametrage",), "paramet": ("parametrage",),
    "config": ("configuration",), "conf": ("configuration",), "qualif": ("qualification",),
    "bdd": ("base", "donnee"), "bd": ("base", "donnee"), "bal": ("boite", "lettre"),
    "srv": ("serveur",), "lic": ("licence",), "license": ("licence",), "licenses": ("licence",),
    "sunes": ("sun", "es"), "mss": ("mssante",), "msante": ("mssante",),
    "suivis": ("suivi",), "ans": ("an",), "an": ("an",),
}
_NEGATIONS_RAW = (
    "pas", "non", "hors", "sans", "aucun", "aucune", "ni", "sauf", "exclu", "exclus", "exclue",
    "excepte", "hormis", "jamais", "nullement",
)


def _stem(word: str) -> str:
    """Singular, masculine-ish form of one folded word (consistent, not linguistic)."""
    if len(word) > 3:
        if word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        elif word.endswith("x") and word[-2] == "u":
            word = word[:-1]
    if len(word) > 4:
        if word.endswith("ee"):
            word = word[:-1]
        elif word.endswith("elle"):
            word = word[:-2]
    return word


def _canon_slow(word: str) -> tuple[str, ...]:
    """The canonical words of one folded alphanumeric word."""
    if word in ABBREVIATIONS:
        return tuple(_stem(w) for w in ABBREVIATIONS[word])
    if word in _STOPWORDS or (len(word) == 1 and not word.isdigit()):
        return ()
    if word in _NUMBERS:
        return (_NUMBERS[word],)
    ordinal = _ORDINAL.fullmatch(word)
    if ordinal:
        return (ordinal.group(1) + "e",)
    stem = _stem(word)
    if stem in ABBREVIATIONS:
        return tuple(_stem(w) for w in ABBREVIATIONS[stem])
    return (stem,)


_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Words as written (any script: folded once per distinct word, below) and clause breaks.
_RAW = re.compile(r"\w+|[;:,()\[\]{}/+|!?\u2013\u2014\u2022\u00b7<>=\u2192]")


class _Word(NamedTuple):
    folded: str  # for the plain normalised text: « état » -> "etat", « sun_es » -> "sun es"
    canonical: tuple[str, ...]  # for the matcher: () for an article, (BREAK,) for a break


_WORDS: dict[str, _Word] = {b: _Word("", (BREAK,)) for b in _BREAKS}
_WORDS_LIMIT = 200_000


def _word(raw: str) -> _Word:
    """What one written word (lowercase) normalises to; remembered, the vocabulary is small."""
    found = _WORDS.get(raw)
    if found is None:
        if raw.isdigit() and raw.isascii():
            return _Word(raw, (raw,))  # numbers are not remembered: too many of them
        parts = _NON_ALNUM.sub(" ", fold(raw)).split()
        found = _Word(" ".join(parts), tuple(w for part in parts for w in _canon_slow(part)))
        if len(_WORDS) >= _WORDS_LIMIT:
            _WORDS.clear()
            _WORDS.update({b: _Word("", (BREAK,)) for b in _BREAKS})
        _WORDS[raw] = found
    return found


_first = itemgetter(0)
_second = itemgetter(1)


def read_text(text: str) -> tuple[str, list[str]]:
    """(the plain normalised text, the canonical words with clause breaks) of a whole text.

    The plain text is `normalise`'s (lowercase ASCII words between single spaces, padded). Each
    distinct written word is folded, stemmed and looked up once for the whole process.
    """
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)  # « é » written as « e » + accent
    raws = _RAW.findall(text.lower())
    try:
        words = list(map(_WORDS.__getitem__, raws))
    except KeyError:
        words = [_WORDS.get(raw) or _word(raw) for raw in raws]
    plain = " ".join(filter(None, map(_first, words)))
    return f" {plain} ", list(chain.from_iterable(map(_second, words)))


def label_tokens(text: str) -> list[str]:
    """The canonical words of a text (clause breaks as BREAK)."""
    return read_text(text)[1]


class Clause(NamedTuple):
    """One clause of a label (the text between two breaks), read once per distinct clause."""

    key: int  # small and unique while remembered: what the matchers remember readings by
    plain: str  # the clause's plain normalised words ("" when none)
    words: tuple[str, ...]  # canonical words


_CLAUSE_SPLIT = re.compile(r"[;:,()\[\]{}/+|!?\u2013\u2014\u2022\u00b7<>=\u2192]+")
_CLAUSES: dict[str, Clause] = {}
_clause_keys = iter(range(1 << 62))


# A clause that is a number alone (a quantity, a reference in brackets) names no item: read
# without remembering it, since numbers are where labels differ most.
NUMBER_KEY = -1


def _clause(raw: str) -> Clause:
    number = raw.strip()
    if number.isdigit() and number.isascii():
        return Clause(NUMBER_KEY, number, (number,))
    plain, words = read_text(raw)
    found = Clause(next(_clause_keys), plain.strip(), tuple(words))
    if len(_CLAUSES) >= _WORDS_LIMIT:
        _CLAUSES.clear()
    _CLAUSES[raw] = found
    return found


def clauses_of(text: str) -> list[Clause]:
    """The clauses of a label. A label never seen before is mostly made of clauses seen before
    (« Installation, paramétrage et qualification » and a site name, a quantity, a reference):
    each distinct clause is read once for the whole process."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    known = _CLAUSES.get
    return [known(raw) or _clause(raw) for raw in _CLAUSE_SPLIT.split(text)]


def plain_of(clauses: list[Clause]) -> str:
    """The plain normalised text of a label from its clauses (`normalise`'s result)."""
    return " " + " ".join(filter(None, map(_second, clauses))) + " "


_NEGATIONS = frozenset(word for raw in _NEGATIONS_RAW for word in _canon_slow(raw))
_NEGATION_WINDOW = 3
_GAP = 4  # words that `...` may skip


# --- Patterns ----------------------------------------------------------------------------------


class PatternError(ValueError):
    """A pattern that cannot be compiled; the message is French (shown in the admin)."""


# An element: an exact word (str), a prefix (("*", stem)), any number (_NUMBER) or a gap (None).
Element = str | tuple[str, str] | None
_NUMBER = ("#", "")


def compile_pattern(pattern: str) -> tuple[Element, ...]:
    """The elements of one pattern; PatternError (French) when it cannot match anything."""
    text = fold(pattern).replace("\u2026", " ... ")
    elements: list[Element] = []
    for part in text.split():
        if part == "#":
            elements.append(_NUMBER)
            continue
        if part in ("...", ".."):
            if not elements or elements[-1] is None:
                raise PatternError(f"« {pattern} » : « ... » doit être placé entre deux mots.")
            elements.append(None)
            continue
        prefix = part.endswith("*")
        words = label_tokens(part.rstrip("*"))
        words = [w for w in words if w != BREAK]
        if prefix:
            stem = _TOKEN.findall(part.rstrip("*"))
            if len(stem) != 1 or not stem[0].isalnum() or len(stem[0]) < 2:
                raise PatternError(
                    f"« {pattern} » : « * » se place à la fin d'un mot d'au moins deux lettres."
                )
            # Stemmed like the words it is compared with (« donnée* » -> "donne").
            elements.append(("*", _stem(stem[0])))
            continue
        elements.extend(words)
    if elements and elements[-1] is None:
        raise PatternError(f"« {pattern} » : « ... » doit être placé entre deux mots.")
    if not elements:
        raise PatternError(
            f"« {pattern} » : aucun mot significatif (les articles et la ponctuation sont ignorés)."
        )
    return tuple(elements)


def pattern_problems(patterns: Iterable[str]) -> list[str]:
    """French sentences, one per pattern that cannot be compiled (empty when all can)."""
    problems = []
    for pattern in patterns:
        if pattern.strip() and not pattern.strip().startswith("#"):
            try:
                compile_pattern(pattern)
            except PatternError as exc:
                problems.append(str(exc))
    return problems


def _matches(element: Element, word: str) -> bool:
    if element.__class__ is str:
        return element == word
    if element is _NUMBER:
        return word.isdigit()
    return word.startswith(element[1])  # type: ignore[index]


def _rest(elements: tuple[Element, ...], k: int, words: Sequence[str], j: int) -> int:
    """End index when elements[k:] match from words[j], else -1 (never across a clause break)."""
    count = len(elements)
    size = len(words)
    while k < count:
        element = elements[k]
        if element is None:
            following = elements[k + 1]
            for jj in range(j, min(j + _GAP + 1, size)):
                word = words[jj]
                if word == BREAK:
                    return -1
                if _matches(following, word):
                    end = _rest(elements, k + 2, words, jj + 1)
                    if end >= 0:
                        return end
            return -1
        if j >= size or not _matches(element, words[j]):
            return -1
        j += 1
        k += 1
    return j


# --- The matcher -------------------------------------------------------------------------------

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
        conditions: "Iterable[ConditionWordingRef] | ConditionMatcher" = DEFAULT_CONDITION_WORDINGS,
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
            phrase for first, phrase in self._prefixes if word != BREAK and _matches(first, word)
        )
        if len(self._starts) >= _WORDS_LIMIT:
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
                end = i + 1 if phrase.single else _rest(phrase.elements, 1, words, i + 1)
                if end >= 0 and not (i and _negated(words, i, end, forward=False)):
                    found.append((phrase.rule, phrase.role))
        hits = frozenset(found) if found else _EMPTY
        if len(self._hits) >= _WORDS_LIMIT:
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
        if len(self._readings) >= _WORDS_LIMIT:
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
            end = _rest(_SUN_ES, 1, words, i + 1)
            if end >= 0 and not _negated(words, i, end, forward=True):
                return True
    return False


def _negated(words: Sequence[str], start: int, end: int, forward: bool) -> bool:
    for j in range(start - 1, max(start - 1 - _NEGATION_WINDOW, -1), -1):
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



# --- Conditional offers ------------------------------------------------------------------------

# Negations of a condition. Not « sauf », « hors », « hormis », which the label items read as
# negations: after « sans réengagement », « sauf souscription de l'option » turns the sentence
# round (see _TURNS).
_CONDITION_NEGATIONS = frozenset(
    word
    for raw in ("pas", "non", "sans", "aucun", "aucune", "ni", "jamais", "nullement", "aucunement")
    for word in _canon_slow(raw)
)
# Words that end what a negation covers: « sans réengagement, mais conditionnée à l'achat … ».
_TURNS = frozenset(
    word
    for raw in ("mais", "toutefois", "cependant", "neanmoins", "sauf", "hormis", "excepte",
                "revanche", "contre", "pourtant", "seulement", "uniquement")
    for word in _canon_slow(raw)
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
                wording for first, wording in self._prefixes if word != BREAK and _matches(first, word)
            )
            if len(self._starts) >= _WORDS_LIMIT:
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
                end = i + 1 if len(elements) == 1 else _rest(elements, 1, words, i + 1)
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
    for j in range(start - 1, max(start - 1 - _NEGATION_WINDOW, -1), -1):
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
