"""The in-app list, read marks, preferences and the unread badge: each person sees only their own."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from segur_funding.notifications.constants import PREFERENCE_OF, NotificationKind, NotificationStatus
from segur_funding.notifications.context_processors import unread_notifications
from segur_funding.notifications.models import Notification, NotificationPreference
from segur_funding.notifications.services import notification_enqueue

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")


def url(name, *args):
    return reverse(f"notifications:{name}", args=args)


def test_pages_require_login(client):
    for target in (url("list"), url("preferences")):
        response = client.get(target)
        assert response.status_code == 302 and "/connexion/" in response.url


def test_list_shows_my_notifications_unread_first(client, alice, bob):
    old_unread = NotificationFactory(recipient=alice, context={"quote_number": "D-OLD"})
    read = NotificationFactory(recipient=alice, read=True, context={"quote_number": "D-READ"})
    new_unread = NotificationFactory(recipient=alice, context={"quote_number": "D-NEW"})
    NotificationFactory(recipient=bob, context={"quote_number": "D-BOB"})
    client.force_login(alice)
    response = client.get(LIST)
    assert response.status_code == 200
    assert [n.pk for n in response.context["page"].object_list] == [
        new_unread.pk,
        old_unread.pk,
        read.pk,
    ]
    html = response.content.decode()
    assert "D-BOB" not in html
    assert "2 notifications non lues." in html
    assert "Devis D-NEW signé" in html


def test_list_query_budget(client, alice, django_assert_max_num_queries):
    NotificationFactory.create_batch(40, recipient=alice)
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 30


def test_someone_elses_notification_is_not_found(client, alice, bob):
    theirs = NotificationFactory(recipient=bob)
    client.force_login(alice)
    assert client.post(url("open", theirs.pk)).status_code == 404
    assert client.post(url("mark_read", theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_marks_are_posted_not_got(client, alice):
    mine = NotificationFactory(recipient=alice)
    client.force_login(alice)
    assert client.get(url("mark_read", mine.pk)).status_code == 405
    assert client.get(url("open", mine.pk)).status_code == 405
    assert client.get(url("mark_all_read")).status_code == 405


def test_open_marks_read_and_follows_the_link(client, alice):
    mine = NotificationFactory(recipient=alice, link="/devis/42/")
    client.force_login(alice)
    response = client.post(url("open", mine.pk))
    assert response.status_code == 302 and response.url == "/devis/42/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_open_never_redirects_off_site(client, alice):
    mine = NotificationFactory(recipient=alice, link="https://evil.example.org/")
    client.force_login(alice)
    response = client.post(url("open", mine.pk))
    assert response.url == LIST


def test_mark_one_then_all_read(client, alice, bob):
    first, second = NotificationFactory.create_batch(2, recipient=alice)
    other = NotificationFactory(recipient=bob)
    client.force_login(alice)
    response = client.post(url("mark_read", first.pk), {"page": "1"})
    assert response.url == f"{LIST}?page=1"
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).get() == second
    response = client.post(url("mark_all_read"), follow=True)
    assert "1 notification marquée comme lue." in response.content.decode()
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_preferences_turn_email_off_but_keep_the_in_app_entry(
    client, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    page = client.get(url("preferences"))
    html = page.content.decode()
    # A digest follows the preference of the notice it gathers: no box of its own.
    own = [k for k in NotificationKind.values if k not in PREFERENCE_OF]
    assert html.count('type="checkbox"') == len(own)
    assert html.count(" checked") == len(own)
    keep = [k for k in own if k != NotificationKind.PAYMENT_MADE]
    response = client.post(url("preferences"), {k: "on" for k in keep}, follow=True)
    assert "préférences de notification sont enregistrées" in response.content.decode()
    assert list(
        NotificationPreference.objects.filter(user=alice, email_enabled=False).values_list(
            "kind", flat=True
        )
    ) == [NotificationKind.PAYMENT_MADE]
    assert client.get(url("preferences")).content.decode().count(" checked") == len(keep)

    with django_capture_on_commit_callbacks(execute=True):
        [row] = notification_enqueue(
            kind=NotificationKind.PAYMENT_MADE,
            recipients=[alice],
            context={"request_reference": "DF-1", "milestone": "avance (30 %)", "amount": "9 882,00 €"},
        )
    assert Notification.objects.get(pk=row.pk).status == NotificationStatus.DISABLED
    assert "Versement de 9 882,00 €" in client.get(LIST).content.decode()


def test_unread_count_costs_one_query_and_only_when_shown(alice, django_assert_num_queries):
    NotificationFactory.create_batch(3, recipient=alice)
    NotificationFactory(recipient=alice, read=True)
    request = RequestFactory().get("/")
    request.user = alice
    with django_assert_num_queries(0):
        context = unread_notifications(request)
    with django_assert_num_queries(1):
        assert context["notifications_unread_count"]() == 3
        assert context["notifications_unread_count"]() == 3


def test_unread_count_is_free_for_anonymous_visitors(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread_notifications(request) == {"notifications_unread_count": 0}


def test_header_link_shows_the_badge_with_one_count(alice, rf, django_assert_num_queries):
    from django.template.loader import render_to_string

    NotificationFactory.create_batch(2, recipient=alice)
    request = rf.get("/")
    request.user = alice
    # One COUNT for the badge (shared with the context processor); the navigation roles are read
    # only by a page that shows the navigation, not by this fragment.
    with django_assert_num_queries(1):
        html = render_to_string(
            "notifications/_header_link.html", unread_notifications(request), request=request
        )
    assert ">2<span class=\"fr-sr-only\"> non lues</span>" in html
