"""Validation of the SPEC §4 quote document. No database."""

import copy
from datetime import date
from decimal import Decimal

import pytest

from segur_funding.core.errors import InvalidInput
from segur_funding.quotes.documents import parse_quote_document, quote_json_loads

SPEC_EXAMPLE = {
    "number": "D-2022-0042",
    "dsr": "SGL-V1",
    "client": {"name": "Laboratoire X", "siret": "…", "geographic_sites": 12},
    "referencing": {"referenced_on": "2022-03-01", "proofs_complete_on": "2022-02-01"},
    "order_date": "2022-01-10",
    "signature_date": "2022-06-01",
    "mentions": ["free text printed on the quote"],
    "conditions": [],
    "lines": [
        {
            "label": "Droits d'utilisation SGL",
            "scope": "segur",
            "dsr": ["SGL-V1"],
            "amount_ttc": "12000.00",
            "amount_ht": "10000.00",
        },
        {
            "label": "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur",
            "scope": "state_funding",
            "amount_ttc": "32940.00",
        },
        {"label": "Module statistiques", "scope": "out_of_scope", "amount_ttc": "1200.00"},
    ],
}


def _with(path: str, value, data=SPEC_EXAMPLE):
    """A copy of the example with `path` ("lines.1.amount_ttc") set, or deleted when DELETE."""
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key = int(last) if isinstance(target, list) else last
    if value is DELETE:
        del target[key]
    else:
        target[key] = value
    return data


DELETE = object()


def _refusal(data, *, partial=False) -> str:
    with pytest.raises(InvalidInput) as exc:
        parse_quote_document(data, partial=partial)
    return exc.value.message


def test_spec_example_is_read_into_typed_values():
    doc = parse_quote_document(SPEC_EXAMPLE)
    assert doc.number == "D-2022-0042"
    assert doc.dsr == "SGL-V1"
    assert doc.client.geographic_sites == 12
    assert doc.referencing.referenced_on == date(2022, 3, 1)
    assert doc.referencing.referenced_on_known
    assert doc.order_date == date(2022, 1, 10)
    assert doc.lines[0].amount_ttc == Decimal("12000.00")
    assert doc.lines[0].amount_ht == Decimal("10000.00")
    assert doc.lines[0].dsr == ("SGL-V1",)
    assert doc.lines[1].amount_ht is None
    assert doc.lines[2].scope == "out_of_scope"


def test_json_numbers_are_accepted_as_amounts():
    doc = parse_quote_document(_with("lines.0.amount_ttc", 12000.5))
    assert doc.lines[0].amount_ttc == Decimal("12000.50")
    doc = parse_quote_document(_with("lines.0.amount_ttc", 12000))
    assert doc.lines[0].amount_ttc == Decimal("12000.00")


def test_negative_amount_is_refused_naming_the_field_and_line():
    message = _refusal(_with("lines.2.amount_ttc", "-5"))
    assert message.startswith("lines[2].amount_ttc (ligne 3 du devis) : montant négatif")


def test_amount_with_three_decimals_is_refused():
    assert "plus de deux décimales" in _refusal(_with("lines.0.amount_ht", "10.001"))


def test_float_that_is_not_a_cent_amount_is_refused():
    assert "lines[0].amount_ttc" in _refusal(_with("lines.0.amount_ttc", 0.1 + 0.2))


@pytest.mark.parametrize("raw", ["douze", "1 200,00", "NaN", True, [], {}])
def test_unreadable_amount_is_refused(raw):
    assert "lines[0].amount_ttc" in _refusal(_with("lines.0.amount_ttc", raw))


def test_missing_amount_is_refused_unless_partial():
    data = _with("lines.0.amount_ttc", DELETE)
    assert "montant obligatoire absent" in _refusal(data)
    assert parse_quote_document(data, partial=True).lines[0].amount_ttc is None


@pytest.mark.parametrize("sites", [0, -3, 12.0, "12", True, None, [12]])
def test_sites_must_be_an_integer_of_at_least_one(sites):
    message = _refusal(_with("client.geographic_sites", sites))
    assert message.startswith("client.geographic_sites : ")
    assert "sites géographiques" in message


def test_missing_sites_and_dsr_are_allowed_in_partial_documents():
    data = _with("client.geographic_sites", DELETE, _with("dsr", DELETE))
    doc = parse_quote_document(data, partial=True)
    assert doc.dsr is None and doc.client.geographic_sites is None
    assert "dsr" in _refusal(data)


def test_dsr_codes_are_upper_cased_and_a_single_string_is_a_list():
    doc = parse_quote_document(_with("lines.0.dsr", "sgl-v1", _with("dsr", " sgl-v1 ")))
    assert doc.dsr == "SGL-V1"
    assert doc.lines[0].dsr == ("SGL-V1",)


def test_line_dsr_must_hold_strings():
    assert "lines[0].dsr[1]" in _refusal(_with("lines.0.dsr", ["SGL-V1", 3]))


@pytest.mark.parametrize("raw", ["2022-13-01", "2022-02-30", "10/01/2022", "20220110", 20220110])
def test_invalid_dates_are_refused(raw):
    message = _refusal(_with("order_date", raw))
    assert message.startswith("order_date : date")


def test_referencing_dates_absent_are_unknown_but_null_means_not_yet():
    doc = parse_quote_document(_with("referencing", DELETE))
    assert not doc.referencing.referenced_on_known
    doc = parse_quote_document(_with("referencing.referenced_on", None))
    assert doc.referencing.referenced_on_known and doc.referencing.referenced_on is None


def test_lines_must_be_a_list_of_objects():
    assert _refusal(_with("lines", {"a": 1})) == "lines : une liste de lignes est attendue."
    assert "lines[1] (ligne 2 du devis) : un objet est attendu" in _refusal(
        _with("lines.1", "Maintenance")
    )
    assert "obligatoire" in _refusal(_with("lines", DELETE))


def test_mentions_and_conditions_hold_strings():
    assert "mentions[0]" in _refusal(_with("mentions", [42]))
    assert "conditions" in _refusal(_with("conditions", {"a": "b"}))
    doc = parse_quote_document(_with("conditions", "Réengagement de 3 ans"))
    assert doc.conditions == ("Réengagement de 3 ans",)


def test_blank_mentions_and_conditions_are_dropped():
    doc = parse_quote_document(_with("conditions", ["", "  "]))
    assert doc.conditions == ()


def test_scope_is_kept_lower_cased_and_unknown_values_stay_visible():
    doc = parse_quote_document(_with("lines.0.scope", " Segur "))
    assert doc.lines[0].scope == "segur"
    doc = parse_quote_document(_with("lines.0.scope", "maybe"))
    assert doc.lines[0].scope == "maybe"
    assert "lines[0].scope" in _refusal(_with("lines.0.scope", 1))


def test_document_must_be_an_object():
    assert _refusal([SPEC_EXAMPLE]) == "Le devis doit être un objet JSON (entre accolades)."
    assert "client : un objet est attendu" in _refusal(_with("client", "Labo"))


@pytest.mark.parametrize("where", ["dsr", "number", "mention"])
def test_a_nul_character_is_refused_with_a_clear_message(where):
    data = {
        "number": "D-1",
        "dsr": "SGL-V1",
        "client": {"name": "Labo", "geographic_sites": 3},
        "lines": [],
        "mentions": [],
    }
    if where == "mention":
        data["mentions"] = ["Bon de commande\x00"]
    else:
        data[where] = data[where] + "\x00"
    with pytest.raises(InvalidInput, match="caractère nul"):
        parse_quote_document(data)


# --- Scope values, numbers of any size (SPEC §4) ------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read"),
    [("Ségur", "segur"), ("SEGUR", "segur"), (" segur ", "segur"), ("SÉGUR", "segur"),
     ("State_Funding", "state_funding"), ("OUT_OF_SCOPE", "out_of_scope"),
     ("Hors Ségur", "Hors Ségur"), ("autre", "autre"),
     # Decomposed accents, and marks of the other combining blocks the label folding strips.
     ("Se\u0301gur", "segur"), ("Se\u1dc6gur", "segur"), ("SE\u20d7GUR", "segur")],
)
def test_scope_ignores_case_and_accents_only(written, read):
    assert parse_quote_document(_with("lines.0.scope", written)).lines[0].scope == read


HUGE = "9" * 5000  # past Python's 4,300-digit int conversion limit


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"lines": [{"label": "x", "scope": "segur", "amount_ttc": ' + HUGE + "}]}",
         "lines[0].amount_ttc"),
        ('{"client": {"geographic_sites": ' + HUGE + "}}", "client.geographic_sites"),
        ('{"number": ' + HUGE + "}", "number"),
        ('{"order_date": ' + HUGE + "}", "order_date"),
        ('{"lines": [{"label": "x", "scope": "segur", "amount_ttc": 1e400}]}',
         "lines[0].amount_ttc"),
        ('{"lines": [{"label": "x", "scope": "segur", "amount_ttc": -0.5}]}',
         "lines[0].amount_ttc"),
        ('{"lines": [{"label": "x", "scope": "segur", "amount_ttc": "' + HUGE + '"}]}',
         "lines[0].amount_ttc"),
        ('{"client": {"geographic_sites": 12.0}}', "client.geographic_sites"),
        ('{"client": {"geographic_sites": 10000000}}', "client.geographic_sites"),
    ],
)
def test_malformed_or_huge_numbers_are_invalid_input_naming_the_field(text, field):
    base = {**copy.deepcopy(SPEC_EXAMPLE), **quote_json_loads(text)}
    if "lines" in quote_json_loads(text):
        base["lines"] = quote_json_loads(text)["lines"]
    with pytest.raises(InvalidInput) as caught:
        parse_quote_document(base)
    message = caught.value.message
    assert message.startswith(field)
    assert len(message) < 250 and "\n" not in message  # the value is shown shortened


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
def test_json_constants_are_refused(text):
    with pytest.raises(InvalidInput, match="interdite"):
        quote_json_loads('{"amount": ' + text + "}")


def test_json_numbers_are_decimals_not_floats():
    data = quote_json_loads('{"a": 12000.10, "b": 12, "c": 1' + "0" * 30 + "}")
    assert data == {"a": Decimal("12000.10"), "b": 12, "c": Decimal("1" + "0" * 30)}
    assert isinstance(data["a"], Decimal)
