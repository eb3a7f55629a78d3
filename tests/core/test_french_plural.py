"""French plural agreement in every template: 0 and 1 take the singular."""

from decimal import Decimal

import pytest
from django.template import engines
from hypothesis import given
from hypothesis import strategies as st

from segur_funding.core.templatetags.french import is_plural
from segur_funding.notifications.messages import render_inapp


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "0 demande validée à payer"),
        (1, "1 demande validée à payer"),
        (2, "2 demandes validées à payer"),
        (1500, "1500 demandes validées à payer"),
    ],
)
def test_pages_agree_in_french(count, expected):
    source = "{{ n }} demande{{ n|pluralize }} validée{{ n|pluralize }} à payer"
    assert render(source, n=count) == expected


def test_the_two_suffix_form_and_collections():
    source = "{{ rows|length }} ligne{{ rows|pluralize }} ne {{ rows|pluralize:'peut,peuvent' }} pas"
    assert render(source, rows=[]) == "0 ligne ne peut pas"
    assert render(source, rows=["a", "b"]) == "2 lignes ne peuvent pas"


@given(st.decimals(min_value=-10**6, max_value=10**6, allow_nan=False, places=2))
def test_only_two_or_more_is_plural(value: Decimal):
    assert is_plural(value) is (abs(value) >= 2)


def test_unreadable_values_stay_singular():
    assert not is_plural(None)
    assert not is_plural(object())


def test_notification_texts_use_the_same_rule():
    # Their own text engine loads the same builtin (0 only shows which rule answers).
    text = render_inapp("payments_made", {"count": 0, "total": "0,00 €", "editor_name": "Bio"})
    assert "0 versement " in text
