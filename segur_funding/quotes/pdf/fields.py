"""The quote's header fields: number, client, dates, DSR; its mentions and conditions.

Read from the free text around the table. A field printed twice with two different values is
not chosen between: it is left out and a person is asked to check it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from segur_funding.quotes.pdf.french import DATE_PATTERN, date_from_match, squash
from segur_funding.quotes.pdf.layout import Paragraph
from segur_funding.quotes.pdf.wording import dsr_codes
from segur_funding.quotes.rules.conditions import ConditionMatcher
from segur_funding.quotes.rules.text import is_conditional

# The header fields are searched for in the whole text around the table, a few thousand
# characters. With re.IGNORECASE, or a pattern that starts with `\b`, the regex engine tries
# the pattern at every character; without the flag, in the text in lower case (same length,
# same positions: `_lowered`), and with `\b` written after the first letter (`_WORD_START`), it
# skips ahead to the patterns' first letters: the same matches, about four times faster. A text
# holding a character whose lower case is not what re.IGNORECASE pairs it with is searched with
# the flag (tests/quotes/test_pdf_fields.py checks both readings over all of Unicode):
# re.IGNORECASE matches an ASCII letter to its two cases and, for i, s and k, to these four
# characters too, which `str.lower` does not all turn into the letter (U+0130 also lowercases
# to two characters).
_OTHER_CASES = ("\u0130", "\u0131", "\u017f", "\u212a")


class _Pattern(NamedTuple):
    cased: re.Pattern[str]  # re.IGNORECASE, searched in the text as it is
    lower: re.Pattern[str]  # the same without the flag, searched in the text in lower case
    # Words every match contains (in lower case): a text without any is not searched at all.
    words: tuple[str, ...] = ()


# Escapes (\d, \S…), the ranges A-Z of character classes and named groups are not capitals to
# match.
_NOT_LITERAL = re.compile(r"\\.|A-Z|\(\?P[<=]")


def _pattern(source: str, words: tuple[str, ...] = ()) -> _Pattern:
    if any(char.isupper() for char in _NOT_LITERAL.sub("", source)):
        raise ValueError(f"write the pattern's letters in lower case: {source!r}")
    return _Pattern(re.compile(source, re.IGNORECASE), re.compile(source), words)


# After a pattern's first character (a letter or a digit): that character starts a word, what
# `\b` before it says.
_WORD_START = r"(?<!\w.)"


def _at_a_word_start(alternatives: Iterable[str]) -> str:
    """`\b(?:a|b|…)` written with `_WORD_START`: each alternative starts with a letter or digit."""
    if not all(alternative[:1].isalnum() for alternative in alternatives):
        raise ValueError("each alternative must start with a letter or a digit")
    return "(?:" + "|".join(a[0] + _WORD_START + a[1:] for a in alternatives) + ")"


def _lowered(text: str) -> str | None:
    """`text` in lower case, character for character; None when it cannot be (`_OTHER_CASES`)."""
    return None if any(char in text for char in _OTHER_CASES) else text.lower()


# Between two sources of a search: no pattern matches across it.
_APART = "\x00"


class _Sources(NamedTuple):
    """The texts a field is searched in, and each in lower case (`_lowered`), or None when one
    of them cannot be lowered (then all are searched with re.IGNORECASE)."""

    texts: list[str]
    lowered: list[str] | None
    # Words -> the indexes of the sources holding one of them (patterns share their words).
    holding: dict[tuple[str, ...], list[int]]

    @classmethod
    def of(cls, texts: Iterable[str]) -> _Sources:
        texts = list(texts)
        if _lowered(_APART.join(texts)) is None:
            return cls(texts, None, {})
        return cls(texts, [text.lower() for text in texts], {})

    def with_words(self, words: tuple[str, ...]) -> list[int]:
        kept = self.holding.get(words)
        if kept is None:
            lowered = self.lowered or []
            kept = sorted({index for word in words for index, low in enumerate(lowered) if word in low})
            self.holding[words] = kept
        return kept


def _scan(pattern: _Pattern, sources: _Sources) -> tuple[str, Iterator[re.Match[str]]]:
    """The matches of `pattern` in the sources, and the text they were found in (the sources
    joined by `_APART`): read a match's groups by their positions in that text to keep their
    case. In lower case when it can be, and then only in the sources that hold one of the
    pattern's words: a match never crosses `_APART` and always holds one of them, so the
    others cannot have any (the same matches, in the same order, for less searching)."""
    texts, lowered, _ = sources
    if lowered is None:
        text = _APART.join(texts)
        return text, pattern.cased.finditer(text)
    if pattern.words:
        kept = sources.with_words(pattern.words)
        if not kept:
            return "", iter(())
        if len(kept) < len(texts):
            texts, lowered = [texts[i] for i in kept], [lowered[i] for i in kept]
    return _APART.join(texts), pattern.lower.finditer(_APART.join(lowered))


_NUMBER = r"(?P<value>[A-Za-z0-9][\w/.\-]*\d[\w/\-]*)"
# Every match of a pattern contains one of its words: a quote that has none of them is not
# scanned for that pattern (most quotes print no referencing nor proofs date).
_NUMBER_PATTERNS = [
    _pattern(
        _at_a_word_start(["devis", "proposition", "offre"])
        + r"\s*(?:n\s*[°º]|n[o°]\b\.?|num[ée]ro|r[ée]f\.?)\s*:?\s*"
        + _NUMBER,
        ("devis", "proposition", "offre"),
    ),
    _pattern(
        _at_a_word_start([r"n\s*[°º]", r"num[ée]ro", r"r[ée]f[ée]rence"])
        + r"\s*(?:de\s+|du\s+)?(?:devis|proposition)\s*:?\s*"
        + _NUMBER,
        ("devis", "proposition"),
    ),
]
_WEEKDAY = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\s+)?"
_DATE_AFTER = r"\s*[,:]?\s*(?:le\s*:?\s*)?" + _WEEKDAY + DATE_PATTERN
_DATE_LABELS = {
    "order_date": [
        r"date\s+de\s+(?:la\s+)?commande",
        r"command[ée]e?\s+le",
        r"bon\s+de\s+commande\s+(?:du|en\s+date\s+du)",
    ],
    "signature_date": [
        r"bon\s+pour\s+accord",
        r"sign[ée]e?\s+le",
        r"date\s+de\s+(?:la\s+)?signature",
        r"accept[ée]e?\s+le",
        r"lu\s+et\s+approuv[ée]e?",
    ],
    "referenced_on": [
        # « l'ANS » with any apostrophe, but not across two sources (`_APART`).
        r"r[ée]f[ée]renc[ée]e?\s+(?:par\s+l[^\x00]\s*ans\s+)?(?:le|depuis\s+le)",
        r"date\s+(?:de\s+|du\s+)?r[ée]f[ée]rencement",
        r"r[ée]f[ée]rencement\s+(?:ans\s+)?n\s*°\s*[\w/.\-]+\s+(?:du|obtenu\s+le)",
    ],
    "proofs_complete_on": [
        r"dossier\s+(?:complet\s+)?(?:de\s+)?preuves?\s+(?:complet\s+)?(?:d[ée]pos[ée]\s+)?le",
        r"preuves\s+compl[eè]tes\s+(?:d[ée]pos[ée]es\s+)?le",
    ],
}
_DATE_WORDS = {
    "order_date": ("command",),
    "signature_date": ("accord", "sign", "accept", "approuv"),
    "referenced_on": ("renc",),
    "proofs_complete_on": ("preuve",),
}
if any(
    not any(word in label for word in _DATE_WORDS[key])
    for key, labels in _DATE_LABELS.items()
    for label in labels
):
    raise ValueError("each date label must contain one of the words of its pattern in _DATE_WORDS")
_DATE_PATTERNS = {
    key: _pattern(_at_a_word_start(labels) + _DATE_AFTER, _DATE_WORDS[key])
    for key, labels in _DATE_LABELS.items()
}
_DATE_NAMES = {
    "order_date": "dates de commande",
    "signature_date": "dates de signature",
    "referenced_on": "dates de référencement",
    "proofs_complete_on": "dates de dépôt du dossier de preuves",
}

_CLIENT_LABEL = re.compile(
    r"^(?:client|destinataire|adress[ée] [àa]|à l.attention de|laboratoire client|"
    r"raison sociale|factur[ée] [àa])\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_NOT_A_NAME = re.compile(
    r"siret|siren|finess|t[ée]l\b|t[ée]l[ée]phone|fax|@|\b\d{5}\b|sites?\s+g[ée]ographiques?"
    r"|nombre\s+de\s+sites|n°\s*client|code\s+client|\btva\b|\bdevis\b|\bdate\b"
    r"|\b(rue|avenue|av\.|boulevard|bd|place|chemin|allée|route|impasse|quai|cours)\b"
    r"|\bbp\s*\d|cedex",
    re.IGNORECASE,
)
_SIRET = re.compile(
    r"siret\s*(?:n°\s*)?:?\s*(\d{3}[ .\u00a0\u202f]?\d{3}[ .\u00a0\u202f]?\d{3}"
    r"[ .\u00a0\u202f]?\d{5})(?!\d)",
    re.IGNORECASE,
)
_SITE = r"sites?(?:\(s\))?"
_GEO = r"g[ée]ographiques?(?:\(s\))?"
_SITES = [
    _pattern(rf"(\d{_WORD_START}\d{{0,3}})\s+{_SITE}\s+{_GEO}", ("site",)),
    _pattern(_at_a_word_start([_SITE]) + rf"\s+{_GEO}\s*:\s*(\d{{1,4}})\b", ("site",)),
    _pattern(
        _at_a_word_start(["nombre"]) + rf"\s+de\s+{_SITE}(?:\s+{_GEO})?\s*:?\s*(\d{{1,4}})\b",
        ("site",),
    ),
]


_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+")
_NON_DIGIT = re.compile(r"\D")


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def read_fields(
    *,
    texts: list[str],
    paragraphs: list[Paragraph],
    lines: list[dict],
    headings: list[str],
    conditions: ConditionMatcher,
) -> tuple[dict, list[str]]:
    """Header fields of the quote document, and the manual checks they call for.

    The quote's conditions are the sentences `conditions` (the wordings of conditional offers
    in force, reference data) reads as conditioning the offer: the same reading the checker
    gives a quote document's mentions, so a wording ANS adds counts on both doors.
    """
    document: dict = {}
    checks: list[str] = []
    # A one-line paragraph is often the very text of its row: searched once (the matches of a
    # source do not depend on its neighbours, and the values found are kept once each anyway).
    sources = _Sources.of(dict.fromkeys([squash(text) for text in texts] + [p.text for p in paragraphs]))

    numbers = _distinct(
        text[match.start("value") : match.end("value")].rstrip(".-/")
        for pattern in _NUMBER_PATTERNS
        for text, matches in [_scan(pattern, sources)]
        for match in matches
    )
    if len(numbers) == 1:
        document["number"] = numbers[0]
    elif numbers:
        checks.append(
            f"Le devis porte plusieurs numéros ({', '.join(numbers)}) : vérifiez lequel s'applique."
        )

    dsr = _document_dsr(lines, [p.text for p in paragraphs] + headings)
    if dsr is not None:
        document["dsr"] = dsr

    client, client_checks = _client(paragraphs, sources)
    if client:
        document["client"] = client
    checks.extend(client_checks)

    dates: dict[str, str] = {}
    for key, pattern in _DATE_PATTERNS.items():
        found = _distinct(
            value.isoformat()
            for match in _scan(pattern, sources)[1]
            if (value := date_from_match(match)) is not None
        )
        if len(found) == 1:
            dates[key] = found[0]
        elif found:
            checks.append(
                f"Le devis indique plusieurs {_DATE_NAMES[key]} ({', '.join(found)}) : "
                "vérifiez laquelle s'applique."
            )
    for key in ("order_date", "signature_date"):
        if key in dates:
            document[key] = dates[key]
    referencing = {k: dates[k] for k in ("referenced_on", "proofs_complete_on") if k in dates}
    if referencing:
        document["referencing"] = referencing

    mentions = [p.text for p in paragraphs]
    document["mentions"] = mentions
    document["conditions"] = [
        sentence
        for text in mentions
        for sentence in _SENTENCE_END.split(text)
        if is_conditional(sentence, "", conditions)
    ]
    return document, checks


def _document_dsr(lines: list[dict], texts: list[str]) -> str | None:
    """The quote's DSR when the quote names exactly one: on its Ségur lines, else anywhere."""
    segur = [line for line in lines if line.get("scope") in {"segur", "state_funding"}]
    for group in (segur, lines):
        codes = _distinct(code for line in group for code in line.get("dsr", []))
        if codes:
            return codes[0] if len(codes) == 1 else None
    codes = _distinct(code for text in texts for code in dsr_codes(text))
    return codes[0] if len(codes) == 1 else None


def _client(paragraphs: list[Paragraph], sources: _Sources) -> tuple[dict, list[str]]:
    client: dict = {}
    checks: list[str] = []
    block = _client_block(paragraphs)
    if block is not None:
        name = _client_name(block)
        if name:
            client["name"] = name
        siret = _SIRET.search(block.text)
        if siret:
            client["siret"] = _NON_DIGIT.sub("", siret.group(1))
    sites = _sites(block.text) if block is not None else []
    if not sites:
        sites = _sites_in(sources)
    if len(sites) == 1:
        client["geographic_sites"] = sites[0]
    elif sites:
        checks.append(
            "Le devis indique plusieurs nombres de sites géographiques "
            f"({', '.join(str(s) for s in sites)}) : vérifiez celui du client."
        )
    return client, checks


def _client_block(paragraphs: list[Paragraph]) -> Paragraph | None:
    for paragraph in paragraphs:
        if _CLIENT_LABEL.match(squash(paragraph.lines[0].text)):
            return paragraph
    for paragraph in paragraphs:
        if _sites(paragraph.text) and len(paragraph.lines) <= 8:
            return paragraph
    return None


def _client_name(block: Paragraph) -> str | None:
    lines = [squash(line.text) for line in block.lines]
    first = _CLIENT_LABEL.match(lines[0])
    if first is not None:
        lines = ([first["rest"]] if first["rest"] else []) + lines[1:]
    parts: list[str] = []
    for line in lines:
        if _NOT_A_NAME.search(line):
            if parts:
                break
            continue
        parts.append(line)
    name = " ".join(parts).strip(" :,-–")
    return name or None


def _sites(text: str) -> list[int]:
    return _sites_in(_Sources.of([squash(text)]))


def _sites_in(sources: _Sources) -> list[int]:
    """The numbers of sites the sources state (each source squashed already)."""
    return list(
        dict.fromkeys(int(match.group(1)) for pattern in _SITES for match in _scan(pattern, sources)[1])
    )
