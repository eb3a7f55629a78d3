"""The deadline calendar: a page per actor (what is due, by when, by whom) and the iCalendar feed
of the editor's and the lab's deadlines, opened by a secret, revocable address."""

from datetime import date, time

import pytest
from django.urls import reverse

from segur_funding.core import clock
from segur_funding.notifications.constants import DeadlineKind
from segur_funding.notifications.deadlines import user_deadlines
from segur_funding.notifications.models import CalendarFeed
from segur_funding.quotes.models import QuoteStatus
from segur_funding.referencing import services as referencing
from segur_funding.referencing.constants import DossierStatus
from tests.referencing.factories import EditorFactory, LabFactory, SolutionVersionFactory, member

from .world import World, paris

PAGE = reverse("notifications:deadlines")
CREATE = reverse("notifications:calendar_feed_create")
REVOKE = reverse("notifications:calendar_feed_revoke")
TODAY = date(2022, 6, 20)


@pytest.fixture(autouse=True)
def frozen_day():
    with clock.travel_to(paris(TODAY, time(9))):
        yield


@pytest.fixture
def world(reference_data):
    w = World()
    referenced = w.dossier(
        "BioLab", status=DossierStatus.REFERENCED, referenced_on=date(2022, 1, 1),
        proofs_complete_on=date(2021, 12, 1),
    )
    pending = w.dossier("BioLab Plus", status=DossierStatus.PROOFS_IN_PROGRESS)
    w.issued = w.quote("D-ISSUED", dossier=referenced, order_date=date(2022, 6, 1),
                       status=QuoteStatus.ISSUED)
    w.signed = w.quote("D-SIGNED", dossier=pending, order_date=date(2022, 4, 1),
                       status=QuoteStatus.SIGNED, signature_date=date(2022, 4, 15),
                       window=w.window)
    # Someone else's quote, which nobody here may see.
    other_editor, other_lab = EditorFactory(name="Concurrent SAS"), LabFactory(name="Labo Autre")
    member(other_editor, email="autre-editeur@test.example")
    member(other_lab, email="autre-labo@test.example")
    w.quote("D-OTHER", dossier=referenced, order_date=date(2022, 6, 1), status=QuoteStatus.ISSUED,
            editor=other_editor, client=other_lab)
    return w


def kinds(section):
    return [(item.kind, item.quote_number or item.dossier_ref) for item in section.items]


def test_the_editor_sees_its_orders_and_windows_with_who_acts(world):
    [editor] = user_deadlines(user=world.e1)
    assert editor.audience == "editor"
    assert kinds(editor) == [
        (DeadlineKind.SIGNATURE, "D-ISSUED"),  # 15/07
        (DeadlineKind.PREORDER, "D-SIGNED"),  # 01/04 + 120 days = 30/07
        (DeadlineKind.SERVICE_COMPLETION, "D-SIGNED"),  # 15/10
        (DeadlineKind.ADVANCE_REQUEST, "D-SIGNED"),  # 30/11
    ]
    signature = editor.items[0]
    assert (signature.due, signature.days_left) == (date(2022, 7, 15), 25)
    assert signature.owner == "Laboratoire Ébène (client)"
    assert signature.window_label == "Fenêtre de financement 1 (biologie, vague 1)"


def test_the_lab_sees_its_signatures_and_deliveries(world):
    [lab] = user_deadlines(user=world.l1)
    assert lab.audience == "lab"
    assert kinds(lab) == [
        (DeadlineKind.SIGNATURE, "D-ISSUED"),
        (DeadlineKind.SERVICE_COMPLETION, "D-SIGNED"),
    ]


def test_the_ans_sees_the_review_clocks_paused_ones_included(world):
    version = SolutionVersionFactory(solution__editor=world.editor, label="9")
    dossier = referencing.dossier_create(
        user=world.e1, solution_version=version, dsr=world.sgl, contact_name="Élise",
        contact_email="elise@test.example", honour_declaration=True,
    )
    referencing.candidature_submit(user=world.e1, dossier=dossier)
    [ans] = user_deadlines(user=world.ans)
    [clock_item] = ans.items
    assert clock_item.kind == DeadlineKind.ELIGIBILITY_CLOCK
    assert (clock_item.due, clock_item.owner) == (date(2022, 6, 27), "ANS (instruction)")
    assert clock_item.link("ans") == f"/admin/referencing/dossier/{dossier.pk}/change/"


def test_the_page_per_actor(client, world, django_assert_max_num_queries):
    client.force_login(world.e1)
    with django_assert_max_num_queries(20):
        response = client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Mes échéances</h1>" in html and 'class="fr-table' in html
    assert "D-ISSUED" in html and "D-SIGNED" in html and "D-OTHER" not in html
    assert '<time datetime="2022-07-15">15/07/2022</time>' in html
    assert "Dans 25 jours" in html
    assert f'href="/devis/editeur/{world.issued.pk}/"' in html
    assert "Créer mon adresse d'abonnement" in html

    client.force_login(world.l1)
    html = client.get(PAGE).content.decode()
    assert f'href="/devis/laboratoire/{world.issued.pk}/"' in html
    assert "Dossier de preuves complet" not in html


def test_someone_with_nothing_due_is_told_so(client, db):
    from tests.referencing.factories import UserFactory

    client.force_login(UserFactory())
    html = client.get(PAGE).content.decode()
    assert "Aucune échéance ne vous concerne" in html
    assert "abonnement" not in html.lower()
    assert client.post(CREATE).status_code == 404


def test_pages_need_a_login_the_feed_does_not(client, world):
    assert client.get(PAGE).status_code == 302
    assert client.post(CREATE).status_code == 302


def feed_url_from(client) -> str:
    html = client.get(PAGE).content.decode()
    start = html.index('id="calendar-url" type="text" readonly value="') + len(
        'id="calendar-url" type="text" readonly value="'
    )
    return html[start : html.index('"', start)]


def test_the_feed_lifecycle(client, world):
    client.force_login(world.l1)
    response = client.post(CREATE)
    assert response.status_code == 302
    url = feed_url_from(client)
    assert url.startswith("https://segur.example.fr/notifications/echeances/calendrier/")
    # Shown once: the token is not stored, only its hash.
    assert 'id="calendar-url"' not in client.get(PAGE).content.decode()
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in CalendarFeed.objects.get().token_hash

    path = url.removeprefix("https://segur.example.fr")
    client.logout()
    feed = client.get(path)
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    assert feed["Cache-Control"] == "private, no-cache"
    body = feed.content.decode().replace("\r\n ", "")
    assert body.count("BEGIN:VEVENT") == 2
    assert f"UID:quote:{world.issued.pk}:signature@segur.example.fr" in body
    assert "DTSTART;VALUE=DATE:20220715" in body
    assert "DTSTART;VALUE=DATE:20221015" in body
    assert "D-OTHER" not in body
    assert f"URL;VALUE=URI:https://segur.example.fr/devis/laboratoire/{world.issued.pk}/" in body
    assert CalendarFeed.objects.get().last_used_at is not None

    # A new address replaces the old one at once.
    client.force_login(world.l1)
    client.post(CREATE)
    new_path = feed_url_from(client).removeprefix("https://segur.example.fr")
    assert client.get(path).status_code == 404
    assert client.get(new_path).status_code == 200
    # Revoked: nothing opens any more.
    client.post(REVOKE)
    assert client.get(new_path).status_code == 404
    assert not CalendarFeed.objects.exists()


def test_the_feed_is_personal_and_dies_with_the_account(client, world):
    client.force_login(world.e1)
    client.post(CREATE)
    path = feed_url_from(client).removeprefix("https://segur.example.fr")
    body = client.get(path).content.decode().replace("\r\n ", "")
    # The editor's feed: its four deadlines, none of the ANS, none of another editor.
    assert body.count("BEGIN:VEVENT") == 4
    assert "Dossier de preuves complet (règle des 120 jours) — Devis D-SIGNED" in body
    world.e1.is_active = False
    world.e1.save()
    assert client.get(path).status_code == 404
    assert client.get(reverse("notifications:calendar_feed", args=["x" * 43])).status_code == 404


def test_the_domain_apps_publish_their_deadlines_to_notifications():
    """Notifications imports no domain app: referencing and funding register their deadline
    sources when Django starts (their AppConfig.ready)."""
    from segur_funding.notifications.deadlines import deadline_sources

    assert [source.name for source in deadline_sources()] == ["referencing", "funding"]
