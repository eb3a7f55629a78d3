"""The header fields of a PDF quote read whatever their case (pdf/fields.py).

The fields are searched for in the text in lower case, without re.IGNORECASE (several times
faster): the reading must be the one re.IGNORECASE gives, on every text.
"""

import re
import sys

import pytest

from segur_funding.quotes.pdf import fields
from segur_funding.quotes.pdf.layout import Paragraph, TextLine
from segur_funding.quotes.rules.text import DEFAULT_MATCHER


def _read(*lines: str) -> tuple[dict, list[str]]:
    paragraph = Paragraph([TextLine(1, 60, 300, 800 - 12 * i, 9, text) for i, text in enumerate(lines)])
    return fields.read_fields(
        texts=[], paragraphs=[paragraph], lines=[], headings=[], conditions=DEFAULT_MATCHER.conditions
    )


HEADER = (
    "Client : Laboratoire Biolab",
    "12 sites géographiques",
    "Devis n° D-2022-0042",
    "Date de la commande : 10/01/2022",
    "Bon pour accord le 1er juin 2022",
    "Référencé par l'ANS le 01/03/2022",
    "Dossier de preuves complet déposé le 01/02/2022",
)
EXPECTED = {
    "number": "D-2022-0042",
    "client": {"name": "laboratoire biolab", "geographic_sites": 12},
    "order_date": "2022-01-10",
    "signature_date": "2022-06-01",
    "referencing": {"referenced_on": "2022-03-01", "proofs_complete_on": "2022-02-01"},
}


@pytest.mark.parametrize(
    "header",
    [
        HEADER,
        tuple(line.upper() for line in HEADER),
        tuple(line.title() for line in HEADER),
        # A character re.IGNORECASE pairs with a letter that str.lower does not give (the
        # Kelvin sign, a long s): the text is then searched with the flag.
        (*HEADER, "Réf. \u212a-12 \u017fans objet"),
    ],
    ids=["as written", "upper case", "title case", "other cases"],
)
def test_header_fields_are_read_whatever_their_case(header):
    document, checks = _read(*header)
    document["client"]["name"] = document["client"]["name"].lower()  # as printed
    assert {key: document.get(key) for key in EXPECTED} == EXPECTED
    assert checks == []


def test_the_quote_number_keeps_its_case():
    document, _ = _read("DEVIS N° Ab-2022-X7")
    assert document["number"] == "Ab-2022-X7"


def test_a_word_that_only_ends_like_a_label_is_not_one():
    document, _ = _read("Redevis n° 12", "Contre-signé le 01/06/2022", "Ce devis n° 7-12 annule le précédent")
    assert document.get("number") == "7-12"
    assert "signature_date" in document  # « signé le » after a hyphen starts a word
    document, _ = _read("Prédevis n° 12", "Cosigné le 01/06/2022")
    assert "number" not in document
    assert "signature_date" not in document


def _code_points():
    return (chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)


def test_lower_case_reads_as_re_ignorecase_over_all_of_unicode():
    """Searching the text in lower case without the flag finds what re.IGNORECASE finds, for
    every character but `_OTHER_CASES`: each lowercases to one character, words, digits and
    spaces stay so, and a character matches a letter of the patterns (ASCII, « é è à û ô »)
    under re.IGNORECASE exactly when its lower case is that letter."""
    letters = "abcdefghijklmnopqrstuvwxyzéèàûô"
    any_letter = re.compile(f"[{letters}]", re.IGNORECASE)
    kinds = [re.compile(r"\w"), re.compile(r"\d"), re.compile(r"\s")]
    wrong = []
    for char in _code_points():
        if char in fields._OTHER_CASES:
            continue
        lower = char.lower()
        if len(lower) != 1:
            wrong.append((char, "length"))
            continue
        if any(bool(kind.match(char)) != bool(kind.match(lower)) for kind in kinds):
            wrong.append((char, "kind"))
        if any_letter.match(char) or lower in letters:
            paired = {letter for letter in letters if re.match(letter, char, re.IGNORECASE)}
            if paired != ({lower} if lower in letters else set()):
                wrong.append((char, "letter"))
    assert wrong == []


def test_patterns_are_written_in_lower_case():
    with pytest.raises(ValueError):
        fields._pattern(r"r[ée]f[ée]renc[ée]e?\s+par\s+l.\s*ANS")
    fields._pattern(r"(?P<value>[A-Za-z0-9]\w*)\s\d")
