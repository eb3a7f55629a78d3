"""A payment is dated between the request's validation and today: one rule, every door."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from segur_funding.core import clock
from segur_funding.core.errors import InvalidInput
from segur_funding.funding import services
from segur_funding.funding.models import Payment
from segur_funding.funding.rules import PAYMENT_IN_FUTURE_MESSAGE, payment_date_refusal
from segur_funding.quotes.demo import demo_window_ensure
from tests.funding.factories import ADVANCE_DAY, PAID_DAY, asp_validate

BEFORE = "La date de versement (01/01/1900) ne peut pas précéder la validation de la demande"

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))


@given(validated_on=days, after=st.integers(0, 400), before_today=st.integers(0, 400))
def test_any_day_from_the_validation_to_today_is_accepted(validated_on, after, before_today):
    today = validated_on + timedelta(days=after + before_today)
    paid_on = validated_on + timedelta(days=after)
    assert payment_date_refusal(paid_on=paid_on, validated_on=validated_on, today=today) is None


@given(validated_on=days, early=st.integers(1, 40_000))
def test_a_day_before_the_validation_is_refused(validated_on, early):
    paid_on = validated_on - timedelta(days=early)
    refusal = payment_date_refusal(paid_on=paid_on, validated_on=validated_on, today=validated_on)
    assert refusal == (
        f"La date de versement ({paid_on:%d/%m/%Y}) ne peut pas précéder la validation de la demande "
        f"({validated_on:%d/%m/%Y})."
    )


@given(today=days, late=st.integers(1, 400))
def test_a_day_after_today_is_refused(today, late):
    paid_on = today + timedelta(days=late)
    assert payment_date_refusal(paid_on=paid_on, validated_on=today, today=today) == PAYMENT_IN_FUTURE_MESSAGE


def _validated(scenario, asp, *, on):
    request = services.advance_request_file(quote=scenario.delivered(), user=scenario.editor_user,
                                            today=ADVANCE_DAY)
    return asp_validate(request, asp, on=on)


@pytest.mark.django_db
def test_service_refuses_a_payment_dated_before_the_validation_and_writes_nothing(scenario, asp):
    request = _validated(scenario, asp, on=ADVANCE_DAY)
    for paid_on in (date(1900, 1, 1), ADVANCE_DAY - timedelta(days=1)):
        with pytest.raises(InvalidInput) as info:
            services.payment_record(request=request, user=asp, paid_on=paid_on, reference="R", today=PAID_DAY)
        assert "ne peut pas précéder la validation de la demande (10/06/2022)" in info.value.message
    assert not Payment.objects.exists()
    services.payment_record(request=request, user=asp, paid_on=ADVANCE_DAY, reference="R", today=PAID_DAY)
    assert Payment.objects.get().paid_on == ADVANCE_DAY


@pytest.fixture
def validated_today(reference_data, scenario, asp):
    """A request validated today (the admin and the API use the real clock)."""
    today = clock.today()
    demo_window_ensure(today=today)
    quote = scenario.signed(today=today)
    request = services.advance_request_file(quote=quote, user=scenario.editor_user)
    return services.funding_request_validate(request=request, user=asp)


@pytest.mark.django_db
def test_admin_form_shows_the_rule_on_the_date_field(client, validated_today, asp):
    client.force_login(asp)
    url = reverse("admin:funding_fundingrequest_payment", args=[validated_today.pk])
    response = client.post(url, {"paid_on": "1900-01-01", "reference": "VIR-1"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "paid_on": [f"{BEFORE} ({clock.today():%d/%m/%Y})."]
    }
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_api_refuses_the_date_field_in_french(validated_today, asp):
    api = APIClient()
    api.force_authenticate(asp)
    url = f"/api/asp/funding-requests/{validated_today.pk}/payment/"
    response = api.post(url, {"paid_on": "1900-01-01", "reference": "VIR-1"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_INPUT"
    assert response.json()["errors"] == {"paid_on": [f"{BEFORE} ({clock.today():%d/%m/%Y})."]}
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    response = api.post(url, {"paid_on": tomorrow, "reference": "VIR-1"}, format="json")
    assert response.json()["errors"] == {"paid_on": [PAYMENT_IN_FUTURE_MESSAGE]}
    assert not Payment.objects.exists()
    response = api.post(url, {"paid_on": clock.today().isoformat(), "reference": "VIR-1"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "paid"
