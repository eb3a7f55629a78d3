"""Words of quotes as the checker reads them: folded, stemmed, cut into clauses.

How a text is normalised, word by word and remembered per word (words repeat across labels even
when labels never do): accents and case folded, articles dropped, plurals made singular, number
words made digits (« six ans » = « 6 an »), abbreviations expanded (« maint. », « form. »,
« docs », « BAL », « BDD »). Punctuation that separates ideas (, ; : ( ) / + …) cuts a text into
clauses (BREAK between them). Patterns (`patterns.py`) are normalised the same way, so « Suivi du
projet », « suivi de projet » and « SUIVI PROJETS » are one wording.

Part of the quote checker (sources in `segur_funding.quotes.rules`). Pure: no ORM, no I/O.
"""

import re
import unicodedata
from itertools import chain
from operator import itemgetter
from typing import NamedTuple

from segur_funding.core.text import COMBINING

_FOLD = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})


def fold(text: str) -> str:
    """Lowercase without accents (« État » -> « etat »); punctuation kept."""
    if text.isascii():
        return text.lower()
    # Decomposed before lowercasing: « 𝕊 » is « S », hence « s » (lowercased first, it stays a
    # symbol with no lowercase and is lost).
    text = unicodedata.normalize("NFKD", text).lower()
    if "œ" in text or "æ" in text or "ß" in text:
        text = text.translate(_FOLD)
    return COMBINING.sub("", text)


def _composed(text: str) -> str:
    """Compatibility characters composed as `normalise` reads them (« ﬁ » is « fi », « ㍘ » is
    « 0点 », « é » written as « e » + accent is « é »): a text is cut into clauses where its plain
    text has a word boundary, never inside a symbol."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


BREAK = "|"
# The punctuation that separates clauses (ideas). A hyphen, an apostrophe or a dot joins or
# ends words (« SUN-ES », « l'État », « maint. ») without separating ideas.
BREAK_CHARACTERS = ";:,()[]{}/+|!?\u2013\u2014\u2022\u00b7<>=\u2192"
# One of them, as a regular expression.
BREAK_CLASS = "[" + re.escape(BREAK_CHARACTERS) + "]"
# Words, and clause breaks.
TOKEN = re.compile("[a-z0-9]+|" + BREAK_CLASS)
_BREAKS = frozenset(BREAK_CHARACTERS)

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


def stem_word(word: str) -> str:
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


def canonical_words(word: str) -> tuple[str, ...]:
    """The canonical words of one folded alphanumeric word."""
    if word in ABBREVIATIONS:
        return tuple(stem_word(w) for w in ABBREVIATIONS[word])
    if word in _STOPWORDS or (len(word) == 1 and not word.isdigit()):
        return ()
    if word in _NUMBERS:
        return (_NUMBERS[word],)
    ordinal = _ORDINAL.fullmatch(word)
    if ordinal:
        return (ordinal.group(1) + "e",)
    stem = stem_word(word)
    if stem in ABBREVIATIONS:
        return tuple(stem_word(w) for w in ABBREVIATIONS[stem])
    return (stem,)


_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Words as written (any script: folded once per distinct word, below) and clause breaks.
_RAW = re.compile(r"\w+|" + BREAK_CLASS)


class _Word(NamedTuple):
    folded: str  # for the plain normalised text: « état » -> "etat", « sun_es » -> "sun es"
    canonical: tuple[str, ...]  # for the matcher: () for an article, (BREAK,) for a break


_WORDS: dict[str, _Word] = {b: _Word("", (BREAK,)) for b in _BREAKS}
CACHE_LIMIT = 200_000


def _word(raw: str) -> _Word:
    """What one written word (lowercase) normalises to; remembered, the vocabulary is small."""
    found = _WORDS.get(raw)
    if found is None:
        if raw.isdigit() and raw.isascii():
            return _Word(raw, (raw,))  # numbers are not remembered: too many of them
        parts = _NON_ALNUM.sub(" ", fold(raw)).split()
        found = _Word(" ".join(parts), tuple(w for part in parts for w in canonical_words(part)))
        if len(_WORDS) >= CACHE_LIMIT:
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
    raws = _RAW.findall(_composed(text).lower())
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


_CLAUSE_SPLIT = re.compile(BREAK_CLASS + "+")
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
    if len(_CLAUSES) >= CACHE_LIMIT:
        _CLAUSES.clear()
    _CLAUSES[raw] = found
    return found


def clauses_of(text: str) -> list[Clause]:
    """The clauses of a label. A label never seen before is mostly made of clauses seen before
    (« Installation, paramétrage et qualification » and a site name, a quantity, a reference):
    each distinct clause is read once for the whole process."""
    known = _CLAUSES.get
    return [known(raw) or _clause(raw) for raw in _CLAUSE_SPLIT.split(_composed(text))]


def plain_of(clauses: list[Clause]) -> str:
    """The plain normalised text of a label from its clauses (`normalise`'s result)."""
    return " " + " ".join(filter(None, map(_second, clauses))) + " "


# A negation counts when it stands at most this many words before what it negates.
NEGATION_WINDOW = 3
