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
word starting with « mot »; `...` (or `…`) lets up to four words sit in between.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from segur_funding.referential.rules import LabelItemKind, LabelItemRef

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


_CANON: dict[str, tuple[str, ...]] = {}
_CANON_LIMIT = 200_000


def _canon_slow(word: str) -> tuple[str, ...]:
    if word in ABBREVIATIONS:
        return ABBREVIATIONS[word]
    if word in _STOPWORDS or (len(word) == 1 and not word.isdigit()):
        return ()
    if word in _NUMBERS:
        return (_NUMBERS[word],)
    ordinal = _ORDINAL.fullmatch(word)
    if ordinal:
        return (ordinal.group(1) + "e",)
    stem = _stem(word)
    if stem in ABBREVIATIONS:
        return ABBREVIATIONS[stem]
    return (stem,)


def canon(word: str) -> tuple[str, ...]:
    """The canonical words of one folded word (remembered: the vocabulary is small)."""
    found = _CANON.get(word)
    if found is None:
        found = _canon_slow(word)
        if len(_CANON) >= _CANON_LIMIT:
            _CANON.clear()
        _CANON[word] = found
    return found


def tokens_of(folded: str) -> list[str]:
    """Canonical words of a folded text, clause breaks as BREAK (never two in a row)."""
    out: list[str] = []
    cache = _CANON
    for raw in _TOKEN.findall(folded):
        if raw in _BREAKS:
            if out and out[-1] != BREAK:
                out.append(BREAK)
            continue
        words = cache.get(raw)
        if words is None:
            words = canon(raw)
        out.extend(words)
    return out


def label_tokens(text: str) -> list[str]:
    return tokens_of(fold(text))


_NEGATIONS = frozenset(word for raw in _NEGATIONS_RAW for word in _canon_slow(raw))
_NEGATION_WINDOW = 3
_GAP = 4  # words that `...` may skip


# --- Patterns ----------------------------------------------------------------------------------


class PatternError(ValueError):
    """A pattern that cannot be compiled; the message is French (shown in the admin)."""


# An element: an exact word (str), a prefix (("*", stem)) or a gap (None).
Element = str | tuple[str, str] | None


def compile_pattern(pattern: str) -> tuple[Element, ...]:
    """The elements of one pattern; PatternError (French) when it cannot match anything."""
    text = fold(pattern).replace("\u2026", " ... ")
    elements: list[Element] = []
    for part in text.split():
        if part in ("...", ".."):
            if not elements or elements[-1] is None:
                raise PatternError(f"« {pattern} » : « ... » doit être placé entre deux mots.")
            elements.append(None)
            continue
        prefix = part.endswith("*")
        words = tokens_of(part.rstrip("*"))
        words = [w for w in words if w != BREAK]
        if prefix:
            stem = _TOKEN.findall(part.rstrip("*"))
            if len(stem) != 1 or not stem[0].isalnum() or len(stem[0]) < 2:
                raise PatternError(
                    f"« {pattern} » : « * » se place à la fin d'un mot d'au moins deux lettres."
                )
            elements.append(("*", stem[0]))
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
    forward_negation: bool


class LabelReading(NamedTuple):
    """What one label says: the item it describes in each category (French names), or None."""

    prestation: str | None  # an item of the Prestation Ségur (not an excluded one)
    excluded: str | None  # an excluded item
    sun_es: bool  # relies on SUN-ES (not a negated mention)


NOTHING = LabelReading(None, None, False)

# SUN-ES is not an item of §3.4 but a wording the checker reads the same way.
SUN_ES_ITEM = LabelItemRef(
    code="sun_es", kind=LabelItemKind.SUN_ES, name="programme SUN-ES", patterns=("sun es",)
)


class LabelMatcher:
    """The items compiled into a token index. Build once per set of items (a selector caches it);
    `read` is pure and remembers nothing but the first-word lookups of this matcher."""

    __slots__ = ("_exact", "_items", "_prefixes", "_starts")

    def __init__(self, items: Iterable[LabelItemRef]) -> None:
        self._items: tuple[LabelItemRef, ...] = (*items, SUN_ES_ITEM)
        self._exact: dict[str, list[_Phrase]] = {}
        self._prefixes: list[tuple[str, _Phrase]] = []
        self._starts: dict[str, tuple[_Phrase, ...]] = {}
        for index, item in enumerate(self._items):
            forward = item.kind == LabelItemKind.SUN_ES
            for role, patterns in (
                (_MATCH, item.patterns),
                (_REQUIRE, item.requires),
                (_EXCEPT, item.exceptions),
            ):
                for pattern in patterns:
                    if not pattern.strip() or pattern.strip().startswith("#"):
                        continue
                    elements = compile_pattern(pattern)
                    phrase = _Phrase(elements, index, role, forward)
                    first = elements[0]
                    if first.__class__ is str:
                        self._exact.setdefault(first, []).append(phrase)  # type: ignore[arg-type]
                    else:
                        self._prefixes.append((first[1], phrase))  # type: ignore[index]

    @property
    def items(self) -> tuple[LabelItemRef, ...]:
        return self._items[:-1]

    def _phrases_from(self, word: str) -> tuple[_Phrase, ...]:
        found = self._starts.get(word)
        if found is None:
            found = tuple(self._exact.get(word, ())) + tuple(
                phrase for prefix, phrase in self._prefixes if word.startswith(prefix)
            )
            if len(self._starts) >= _CANON_LIMIT:
                self._starts.clear()
            self._starts[word] = found
        return found

    def read_tokens(self, words: Sequence[str]) -> LabelReading:
        starts = self._starts
        hits: list[tuple[_Phrase, int, int]] = []
        for i, word in enumerate(words):
            phrases = starts.get(word)
            if phrases is None:
                phrases = self._phrases_from(word)
            for phrase in phrases:
                end = _rest(phrase.elements, 1, words, i + 1)
                if end >= 0:
                    hits.append((phrase, i, end))
        if not hits:
            return NOTHING
        matched: set[int] = set()
        required: set[int] = set()
        excepted: set[int] = set()
        for phrase, start, end in hits:
            if _negated(words, start, end, phrase.forward_negation):
                continue
            if phrase.role == _MATCH:
                matched.add(phrase.rule)
            elif phrase.role == _REQUIRE:
                required.add(phrase.rule)
            else:
                excepted.add(phrase.rule)
        prestation = excluded = None
        outside = sun_es = False
        for index in sorted(matched):
            item = self._items[index]
            if index in excepted or (item.requires and index not in required):
                continue
            kind = item.kind
            if kind == LabelItemKind.EXCLUDED:
                excluded = excluded or item.name
            elif kind == LabelItemKind.PRESTATION:
                prestation = prestation or item.name
            elif kind == LabelItemKind.OUTSIDE:
                outside = True
            elif kind == LabelItemKind.SUN_ES:
                sun_es = True
        if excluded is not None or outside:
            prestation = None
        return LabelReading(prestation, excluded, sun_es)

    def read(self, text: str) -> LabelReading:
        return self.read_tokens(tokens_of(fold(text)))


def _negated(words: Sequence[str], start: int, end: int, forward: bool) -> bool:
    for j in range(start - 1, max(start - 1 - _NEGATION_WINDOW, -1), -1):
        word = words[j]
        if word == BREAK:
            break
        if word in _NEGATIONS:
            return True
    if forward:
        for j in range(end, min(end + 2, len(words))):
            word = words[j]
            if word == BREAK:
                continue
            if word in _NEGATIONS:
                return True
    return False

