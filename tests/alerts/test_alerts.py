"""A lab reports a doubtful quote; the Ségur team answers in the admin; the lab reads the answer
in its space; the editor is told and answers; floods and strangers write nothing."""

import pytest
from django.urls import reverse

from segur_funding.alerts import services
from segur_funding.alerts.constants import MAX_ALERTS_PER_LAB_PER_DAY, AlertStatus
from segur_funding.alerts.models import QuoteAlert
from segur_funding.core.errors import DomainError
from segur_funding.notifications.models import Notification
from segur_funding.organizations.constants import ASP_REVIEWERS_GROUP
from segur_funding.organizations.services import reviewer_groups_setup
from tests.funding.factories import Scenario, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reference_data, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    scenario = Scenario()
    quote = scenario.issued(number="DEV-DOUTE")
    groups = reviewer_groups_setup()
    asp = UserFactory(email="asp@test.example", is_staff=True)
    asp.groups.add(groups[ASP_REVIEWERS_GROUP])
    return scenario, quote, type(asp).objects.get(pk=asp.pk)


def test_the_lab_reports_the_team_answers_and_the_lab_reads_it_in_its_space(client, world):
    scenario, quote, asp = world
    client.force_login(scenario.lab_user)
    page = client.get(reverse("quotes:lab_detail", args=[quote.pk])).content.decode()
    assert reverse("alerts:create", args=[quote.pk]) in page
    response = client.post(
        reverse("alerts:create", args=[quote.pk]),
        {"reason": "remainder", "message": "La maintenance de la 3e année m'est facturée."},
        follow=True,
    )
    assert "Votre signalement est transmis" in response.content.decode()
    alert = QuoteAlert.objects.get()
    assert (alert.client, alert.editor, alert.status) == (scenario.lab, scenario.editor, AlertStatus.OPEN)
    told = set(
        Notification.objects.filter(kind="quote_alert_raised").values_list("recipient__email", flat=True)
    )
    assert told == {"asp@test.example", scenario.editor_user.email}

    client.force_login(asp)
    changelist = reverse("admin:alerts_quotealert_changelist")
    client.post(changelist, {"action": "assign_to_me", "_selected_action": [alert.pk]})
    client.post(
        changelist,
        {
            "action": "answer",
            "_selected_action": [alert.pk],
            "confirm": "yes",
            "reason": "L'éditeur corrige le devis.",
        },
    )
    alert.refresh_from_db()
    assert (alert.assigned_to, alert.status, alert.answer) == (
        asp,
        AlertStatus.ANSWERED,
        "L'éditeur corrige le devis.",
    )

    client.force_login(scenario.lab_user)
    space = client.get(reverse("my_space")).content.decode()
    assert f"Signalement n° {alert.pk}" in space and "réponse à lire" in space
    detail = client.get(reverse("alerts:lab_detail", args=[alert.pk])).content.decode()
    assert "L&#x27;éditeur corrige le devis." in detail


def test_the_editor_is_told_and_answers(client, world):
    scenario, quote, _asp = world
    alert = services.alert_create(
        quote=quote, user=scenario.lab_user, reason="conditional", message="Module imposé"
    )
    client.force_login(scenario.editor_user)
    assert (
        reverse("alerts:editor_detail", args=[alert.pk])
        in client.get(reverse("alerts:editor_list")).content.decode()
    )
    client.post(
        reverse("alerts:editor_detail", args=[alert.pk]), {"answer": "Le module est optionnel, retiré."}
    )
    alert.refresh_from_db()
    assert alert.editor_answer == "Le module est optionnel, retiré."
    lab_told = Notification.objects.filter(kind="quote_alert_answered", recipient=scenario.lab_user)
    assert lab_told.count() == 1


def test_strangers_and_floods_write_nothing(client, world):
    scenario, quote, _asp = world
    stranger = member(Scenario().lab, "autre-labo@test.example")
    with pytest.raises(DomainError, match="Seul le laboratoire destinataire"):
        services.alert_create(quote=quote, user=stranger, reason="other", message="?")
    client.force_login(stranger)
    assert client.get(reverse("alerts:create", args=[quote.pk])).status_code == 404
    services.alert_create(quote=quote, user=scenario.lab_user, reason="other", message="Première")
    with pytest.raises(DomainError, match="déjà l'objet d'un signalement"):
        services.alert_create(quote=quote, user=scenario.lab_user, reason="other", message="Encore")
    for i in range(MAX_ALERTS_PER_LAB_PER_DAY - 1):
        other = scenario.issued(number=f"DEV-{i}")
        services.alert_create(quote=other, user=scenario.lab_user, reason="other", message="Suivant")
    flood = scenario.issued(number="DEV-FLOOD")
    with pytest.raises(DomainError, match="réessayez demain"):
        services.alert_create(quote=flood, user=scenario.lab_user, reason="other", message="Trop")
    assert QuoteAlert.objects.count() == MAX_ALERTS_PER_LAB_PER_DAY
    client.force_login(scenario.lab_user)
    empty = client.post(reverse("alerts:create", args=[flood.pk]), {"reason": "other", "message": " "})
    assert empty.status_code == 400
    assert QuoteAlert.objects.count() == MAX_ALERTS_PER_LAB_PER_DAY
