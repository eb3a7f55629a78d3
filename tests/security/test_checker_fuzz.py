"""The quote checker on hostile JSON: any JSON value, and conform quotes with one part replaced
by any JSON value. It answers with a report or InvalidInput (a French message), never another
exception, and never `conform` for a quote that leaves the client something to pay.

tests/quotes/test_rules.py fuzzes well-typed quotes; these go after the parser's edges: wrong
types anywhere, huge or odd numbers, deep nesting, unicode, duplicated and missing keys.
"""

import copy
import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segur_funding.core.errors import InvalidInput
from segur_funding.quotes.report import report_to_json, report_to_text
from tests.quotes.test_rules import CONFORM, check

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from([
        "", "0", "-0.00", "1e400", "NaN", "Infinity", "32 940,00 €", "32940.001", "٣٢٩٤٠",
        "2022-02-30", "2022-13-01", "0000-00-00", "SGL-V1", "sgl-v1", "segur", "state_funding",
        "out_of_scope", "\x00", "\u202e", "A" * 5000,
    ])
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12) | st.sampled_from(list(CONFORM)), children, max_size=4),
    max_leaves=25,
)


def _outcome(data):
    """The report, or None when refused as invalid input; anything else fails the test."""
    try:
        report = check(data)
    except InvalidInput as refusal:
        assert isinstance(refusal.message, str) and refusal.message.strip()
        return None
    json.loads(report_to_json(report))
    report_to_text(report)
    return report


def _never_conform_with_a_remainder(report) -> None:
    if report is None:
        return
    if report.verdict == "conform":
        assert report.client_remainder_ttc == Decimal("0.00")
        assert not [f for f in report.findings if f.severity == "error"]
        if report.cap_ttc is not None and report.state_funding_ttc is not None:
            assert report.state_funding_ttc <= report.cap_ttc
    if report.client_remainder_ttc is not None and report.client_remainder_ttc > 0:
        assert report.verdict == "non_conform"


@FUZZ
@given(json_values)
def test_any_json_value_gets_a_report_or_a_french_refusal(data):
    _never_conform_with_a_remainder(_outcome(data))


# Where a value may sit in a quote document: top-level keys, the client, the referencing dates,
# and each field of each line.
PATHS = [
    (key,) for key in CONFORM
] + [
    ("client", key) for key in ("name", "siret", "geographic_sites")
] + [
    ("referencing", key) for key in ("referenced_on", "proofs_complete_on")
] + [
    ("lines", index, key)
    for index in range(len(CONFORM["lines"]))
    for key in ("label", "scope", "dsr", "amount_ttc", "amount_ht")
]


def _replace(document: dict, path: tuple, value) -> dict:
    data = copy.deepcopy(document)
    target = data
    try:
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    except (KeyError, IndexError, TypeError):
        return document  # an earlier replacement already took this part away
    return data


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values), min_size=1, max_size=3))
def test_a_conform_quote_with_parts_replaced_by_anything_is_never_wrongly_conform(replacements):
    data = CONFORM
    for path, value in replacements:
        data = _replace(data, path, value)
    _never_conform_with_a_remainder(_outcome(data))


@FUZZ
@given(
    st.sampled_from(range(3)),  # one of the Ségur lines
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2),
    st.sampled_from(["string", "number"]),
)
def test_raising_a_segur_line_without_raising_the_state_line_is_never_conform(index, extra, form):
    """The classic trap: the State line still says the cap, a Ségur line costs more."""
    data = copy.deepcopy(CONFORM)
    amount = Decimal(data["lines"][index]["amount_ttc"]) + extra
    data["lines"][index]["amount_ttc"] = f"{amount:.2f}" if form == "string" else float(amount)
    data["lines"][index].pop("amount_ht", None)
    report = _outcome(data)
    if report is not None:
        assert report.verdict == "non_conform"
        assert report.client_remainder_ttc > 0


@FUZZ
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_as_a_json_document_are_refused_cleanly(raw):
    from segur_funding.quotes.checker import _json

    try:
        data = _json(raw, "devis.json")
    except InvalidInput as refusal:
        assert refusal.message
        return
    _never_conform_with_a_remainder(_outcome(data))
