"""The ASP's funding request page in the admin: one generic decision view driven by the table."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse

from segur_funding.core import clock
from segur_funding.funding import rules, services
from segur_funding.funding.admin_decisions import DECISIONS
from segur_funding.funding.admin_page import ASP_TARGET_DAYS
from segur_funding.funding.constants import Actor, RequestStatus
from segur_funding.funding.models import CorrectionRequest, FundingRequest
from segur_funding.quotes.demo import demo_window_ensure
from tests.funding.factories import Scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(reference_data):
    """An advance request filed today, inside the demo window (the admin uses the real clock)."""
    today = clock.today()
    demo_window_ensure(today=today)
    scenario = Scenario()
    quote = scenario.signed(today=today)
    return services.advance_request_file(quote=quote, user=scenario.editor_user)


def _url(request, suffix: str) -> str:
    return reverse(f"admin:funding_fundingrequest_{suffix}", args=[request.pk])


def _text(response) -> str:
    return unescape(response.content.decode())


def test_every_asp_move_of_the_table_has_one_decision_page():
    asp_moves = {action for (_, action), step in rules.TRANSITIONS.items() if Actor.ASP in step.actors}
    assert set(DECISIONS) == asp_moves
    assert {d.style for d in DECISIONS.values()} <= {"primary", "secondary", "danger"}


def test_decision_buttons_follow_the_status_with_their_style(client, filed, asp):
    client.force_login(asp)
    page = _text(client.get(reverse("admin:funding_fundingrequest_change", args=[filed.pk])))
    assert 'class="segur-btn segur-btn--primary" href="{}"'.format(_url(filed, "validate")) in page
    assert 'class="segur-btn segur-btn--secondary" href="{}"'.format(_url(filed, "send_back")) in page
    assert 'class="segur-btn segur-btn--danger" href="{}"'.format(_url(filed, "refuse")) in page
    assert _url(filed, "payment") not in page  # not validated yet: no payment button


def test_a_refusal_needs_a_reason_and_a_confirmation_checked_on_the_server(client, filed, asp):
    client.force_login(asp)
    url = _url(filed, "refuse")
    form_page = _text(client.get(url))
    assert "novalidate" in form_page and "Refuser définitivement" in form_page
    response = client.post(url, {"comment": "Devis hors programme"})
    assert "Cochez la case pour confirmer le refus." in _text(response)
    response = client.post(url, {"confirm": "on"})
    assert "Le motif du refus est obligatoire" in _text(response)
    filed.refresh_from_db()
    assert filed.status == RequestStatus.SUBMITTED
    response = client.post(url, {"comment": "Devis hors programme", "confirm": "on"})
    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.status == RequestStatus.REFUSED


def _summary(page: str) -> str:
    return page.split('class="errornote segur-error-summary"', 1)[1].split("</div>", 1)[0]


def test_a_refused_decision_comes_back_with_a_summary_linked_to_each_field_and_what_was_typed(
    client, filed, asp
):
    client.force_login(asp)
    response = client.post(_url(filed, "refuse"), {"comment": "Devis hors programme"})
    assert response.status_code == 400
    page = _text(response)
    summary = _summary(page)
    assert "La demande n'est pas refusée" in summary and 'autofocus' in page
    assert '<a href="#id_confirm">' in summary and 'id="id_confirm"' in page
    assert "Devis hors programme</textarea>" in page  # the reason typed is kept
    # A group of check boxes: the link goes to its fieldset.
    response = client.post(_url(filed, "send_back"), {"comment": "À revoir"})
    page = _text(response)
    assert '<a href="#reasons-fieldset">Motifs : Cochez au moins un motif' in _summary(page)
    assert 'id="reasons-fieldset"' in page
    filed.refresh_from_db()
    assert filed.status == RequestStatus.SUBMITTED


def test_send_back_without_a_reason_says_so_in_french_and_writes_nothing(client, filed, asp):
    client.force_login(asp)
    response = client.post(_url(filed, "send_back"), {"comment": "?"})
    assert "Cochez au moins un motif" in _text(response)
    response = client.post(_url(filed, "send_back"), {"reasons": ["other"]})
    assert "Précisez le motif « Autre »" in _text(response)
    assert not CorrectionRequest.objects.exists()
    filed.refresh_from_db()
    assert filed.status == RequestStatus.SUBMITTED


def test_a_move_the_table_refuses_is_told_above_the_form(client, filed, asp):
    client.force_login(asp)
    response = client.post(_url(filed, "payment"), {"paid_on": clock.today().isoformat(), "reference": "V"})
    assert "Seule une demande validée peut être payée" in _text(response)
    filed.refresh_from_db()
    assert filed.status == RequestStatus.SUBMITTED


def test_request_page_shows_status_clock_decisions_documents_and_report_first(client, filed, asp):
    filed.quote.check_report = {
        "verdict": "conform",
        "tier": "B",
        "cap_ttc": "32940.00",
        "state_funding_ttc": "32940.00",
        "client_remainder_ttc": "0.00",
        "findings": [{"code": "REFERENCING_FROM_PLATFORM", "severity": "warning", "line": None,
                      "message": "Référencement lu sur la plateforme."}],
    }
    filed.quote.save(update_fields=["check_report"])
    client.force_login(asp)
    html = _text(client.get(reverse("admin:funding_fundingrequest_change", args=[filed.pk])))
    top = html[html.index('id="decision-title"'):html.index('id="report-title"')]
    assert "Déposée" in top and 'id="request-clock"' in top and "En attente de l'ASP depuis" in top
    assert _url(filed, "validate") in top
    rib = filed.editor.bank_accounts.get()
    assert reverse("admin:organizations_bankaccount_rib", args=[rib.pk]) in top
    assert reverse("admin:quotes_quote_change", args=[filed.quote_id]) in top
    assert "SIREN " + filed.editor.siren in top and "SIRET " + filed.quote.client.siret in top
    report = html[html.index('id="report-title"'):]
    assert "Conforme" in report and "32\u202f940,00\u00a0€" in report and "Avertissement" in report
    assert html.index('id="report-title"') < html.index("Historique")
    assert re.search(r"\d{1,2} [a-zéû]+ \d{4}", top)
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}", top)


def test_search_by_number_siren_and_siret(client, filed, asp):
    client.force_login(asp)
    changelist = reverse("admin:funding_fundingrequest_changelist")
    for q in (str(filed.pk), filed.quote.number, filed.editor.siren, filed.quote.client.siret):
        html = _text(client.get(changelist, {"q": q}))
        assert f'href="{reverse("admin:funding_fundingrequest_change", args=[filed.pk])}' in html, q
    html = _text(client.get(changelist, {"q": "999999999"}))
    assert f'href="{reverse("admin:funding_fundingrequest_change", args=[filed.pk])}' not in html
    assert "<h1>Demandes de financement (instruction ASP)</h1>" in html and "Sélectionnez" not in html


def test_assigned_to_me_and_overdue_queues(client, filed, asp):
    client.force_login(asp)
    changelist = reverse("admin:funding_fundingrequest_changelist")
    change = f'href="{reverse("admin:funding_fundingrequest_change", args=[filed.pk])}'
    assert change not in _text(client.get(changelist, {"assignation": "moi"}))
    client.post(changelist, {"action": "assign_to_me", "_selected_action": [filed.pk]})
    filed.refresh_from_db()
    assert filed.assigned_to == asp
    assert change in _text(client.get(changelist, {"assignation": "moi"}))

    assert change not in _text(client.get(changelist, {"delai": "retard"}))
    FundingRequest.objects.filter(pk=filed.pk).update(
        submitted_at=clock.now() - timedelta(days=ASP_TARGET_DAYS + 1)
    )
    assert change in _text(client.get(changelist, {"delai": "retard"}))
    page = _text(client.get(reverse("admin:funding_fundingrequest_change", args=[filed.pk])))
    assert f"{ASP_TARGET_DAYS + 1} jours) — en retard" in page
