"""Frozen means frozen: a signed quote's stored report is never rewritten by a re-check."""

import pytest
from rest_framework.test import APIClient

from segur_funding.quotes import services
from segur_funding.quotes.models import Quote, QuoteEventKind
from tests.funding.factories import Scenario

pytestmark = pytest.mark.django_db

SIGNED_REPORT = {"verdict": "conform", "findings": [], "note": "le rapport signé"}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _signed_with_marked_report(scenario) -> Quote:
    quote = scenario.signed()
    # Marked, so that any rewrite shows (a fresh check would write a full SPEC §4 report).
    Quote.objects.filter(pk=quote.pk).update(check_report=SIGNED_REPORT)
    return Quote.objects.get(pk=quote.pk)


def test_api_recheck_of_a_signed_quote_is_a_new_history_row_not_a_rewrite(reference_data):
    scenario = Scenario()
    quote = _signed_with_marked_report(scenario)
    before = Quote.objects.filter(pk=quote.pk).values().get()
    api = APIClient()
    api.force_authenticate(scenario.editor_user)

    response = api.post(f"/api/editor/quotes/{quote.pk}/check/")

    assert response.status_code == 200
    assert response.json()["check_report"] == SIGNED_REPORT
    assert Quote.objects.filter(pk=quote.pk).values().get() == before
    event = response.json()["events"][-1]
    assert event["kind"] == QuoteEventKind.CHECKED
    assert event["comment"] == (
        "Nouvelle vérification après signature : Conforme. Le rapport signé est conservé."
    )


def test_service_recheck_of_a_delivered_quote_answers_without_writing(reference_data):
    scenario = Scenario()
    quote = scenario.delivered()
    Quote.objects.filter(pk=quote.pk).update(check_report=SIGNED_REPORT)
    quote.refresh_from_db()

    report = services.quote_check(quote=quote)

    assert report["verdict"] == "conform" and "findings" in report
    assert Quote.objects.get(pk=quote.pk).check_report == SIGNED_REPORT


def test_a_signature_committed_during_a_recheck_keeps_the_signed_report(reference_data):
    scenario = Scenario()
    quote = _signed_with_marked_report(scenario)
    stale = Quote.objects.get(pk=quote.pk)
    stale.status = "issued"  # read before the signature committed
    services.quote_check(quote=stale)
    assert Quote.objects.get(pk=quote.pk).check_report == SIGNED_REPORT
