"""The wordings quotes use: sections, totals, the State-funding line, DSR names.

Conditions put on the client are not read here: `fields.read_fields` reads them with the
checker's own matcher (`quotes.rules.conditions.ConditionMatcher`, fed with the reference data).

Everything is matched on `normalize`d text (no accents, case, apostrophes or spacing), as SPEC
§3.4 asks for the State-funding line and the 120-day mention.
"""

from __future__ import annotations

import re

from segur_funding.quotes.pdf.french import normalize

_STATE_FUNDING = re.compile(r"montant de la prestation segur prise? en charge par l etat au titre du segur")

# Out of scope is tested first: "Hors Ségur" contains "Ségur".
_OUT_OF_SCOPE = re.compile(
    r"\bhors (perimetre|segur|prestation|financement|sons)\b"
    r"|\bnon (pris|prise|finance|financee|financees|eligible|eligibles|couvert)\b"
    r"|\bprestations? complementaires?\b"
    r"|\boptions?( facultatives?)?$"
    r"|\ba la charge (du|de l|de votre) (client|laboratoire|etablissement)\b"
)
_SEGUR = re.compile(
    r"\bprestation segur\b"
    r"|\bperimetre segur\b"
    r"|\bprise? en charge (par l etat|segur)\b"
    r"|\bfinancee?s? par l etat\b"
    r"|\bfinancement (segur|de l etat|sons)\b"
    r"|\bpart (de l )?etat\b"
    r"|\bau titre du segur\b"
    r"|^segur numerique( sons)?$"
)

_TOTAL = re.compile(
    r"^(sous )?total\b|^totaux\b|^montant (total|global|net)\b|^net a (payer|regler)\b"
    r"|^reste a (charge|payer|regler)\b|^(montant |total |somme )?a (payer|regler)\b"
    r"|^solde\b|^total general\b|^(montant )?tva\b|^base ht\b"
)


def is_state_funding(label: str) -> bool:
    return _STATE_FUNDING.search(normalize(label)) is not None


def section_scope(text: str) -> str | None:
    """The scope a section heading gives the lines under it, or None if not a heading."""
    raw = " ".join(text.split())
    if not raw or raw.endswith((".", ";", ",")) or not (raw[0].isupper() or raw[0].isdigit()):
        return None
    if ":" in raw.rstrip(" :"):
        return None
    words = normalize(raw)
    # "Montant de la Prestation Ségur pris en charge par l'Etat" is the first line of the
    # State-funding label wrapped in its cell, not a heading.
    if len(words.split()) > 9 or _TOTAL.search(words) or words.startswith("montant"):
        return None
    if _OUT_OF_SCOPE.search(words):
        return "out_of_scope"
    if _SEGUR.search(words):
        return "segur"
    return None


_TVA = re.compile(r"^(montant )?tva\b")
_SUBTOTAL = re.compile(r"^sous total\b")
_SECTION_TOTAL = re.compile(r"^total\b")
_REMAINDER = re.compile(r"\b(reste|net|a payer|a regler|solde)\b")


def total_kind(label: str) -> str | None:
    """What a totals row adds up, or None when the label is not a total's."""
    words = normalize(label)
    if not _TOTAL.search(words):
        return None
    if _TVA.match(words):
        return "tva"
    if _SUBTOTAL.match(words) or (
        _SECTION_TOTAL.match(words) and (_SEGUR.search(words) or _OUT_OF_SCOPE.search(words))
    ):
        return "subtotal"
    if _REMAINDER.search(words):
        return "remainder"
    return "total"


# DSR names as quotes print them. A mention introduced by "avec", "dans", "vers"… names the
# software the line connects to, not the one it sells ("interface avec votre SGL").
_DSR_NAMES = [
    ("SGL", r"\bsgl\b|systeme de gestion de laboratoire|logiciel de gestion de laboratoire"),
    ("LOINC", r"\bloinc\b|\btranscodeur\b"),
    ("LGC", r"\blgc\b|logiciel de gestion de cabinet"),
    ("DPI", r"\bdpi\b|dossier patient informatise"),
    ("RI", r"referentiel d identite"),
    ("PFI", r"\bpfi\b|plateforme d intermediation"),
    ("RIS", r"\bris\b|systeme d information radiologique"),
]


def _literals(pattern: str) -> tuple[str, ...]:
    """The plain words each alternative of `pattern` needs, whatever its word boundaries."""
    words = tuple(alternative.replace(r"\b", "") for alternative in pattern.split("|"))
    if not all(re.fullmatch("[a-z ]+", word) for word in words):
        # A name written with more than words and boundaries needs its own pre-test.
        raise ValueError(f"DSR name pattern is not plain words: {pattern}")
    return words


# A name is looked for only in a text that contains one of its words: most labels name no
# DSR, and one scan for all the words (plain literals, which the regex engine skips through
# fast) replaces seven scans with word boundaries. Same answer, less work.
_DSR_PATTERNS = [(code, _literals(pattern), re.compile(pattern)) for code, pattern in _DSR_NAMES]
_DSR_WORDS = re.compile("|".join(literal for _, literals, _ in _DSR_PATTERNS for literal in literals))
_CONTEXT = re.compile(
    r"\b(avec|dans|vers|depuis|interface|interfacage|connecteur|connexion|existant)"
    r"( (le|la|les|l|votre|vos|du|au|un|une|son|sa))?\s*$"
)
_EXPLICIT = re.compile(r"\b(sgl|loinc|lgc|dpi|ri|pfi|ris)\s?v\s?(\d)\b")
_WAVE = re.compile(r"\bvague (\d)\b")


def dsr_codes(text: str) -> list[str]:
    """DSR codes a text names as what it covers, in order of appearance (SGL-V1, LOINC-V1…).

    Wave 1 is the only wave with a barème in the seed; a text naming another wave says so
    ("vague 2", "SGL-V2").
    """
    words = normalize(text)
    wave_match = _WAVE.search(words) if "vague" in words else None
    wave = wave_match.group(1) if wave_match else "1"
    found: list[tuple[int, str]] = []
    for match in _EXPLICIT.finditer(words):
        found.append((match.start(), f"{match.group(1).upper()}-V{match.group(2)}"))
    named = _DSR_WORDS.search(words) is not None
    for code, literals, pattern in _DSR_PATTERNS if named else ():
        if not any(literal in words for literal in literals):
            continue
        for match in pattern.finditer(words):
            if _CONTEXT.search(words[: match.start()][-40:]):
                continue
            if any(existing.startswith(f"{code}-") for _, existing in found):
                continue
            found.append((match.start(), f"{code}-V{wave}"))
            break
    ordered: list[str] = []
    for _, code in sorted(found):
        if code not in ordered:
            ordered.append(code)
    return ordered
