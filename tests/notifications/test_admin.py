import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from segur_funding.notifications.constants import NotificationStatus

from .factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:notifications_notification_changelist"


@pytest.fixture
def admin_user(db):
    return UserFactory(email="root@notif.test", is_staff=True, is_superuser=True)


def test_failed_notifications_are_visible_and_searchable(client, admin_user, alice, bob):
    failed = NotificationFactory(recipient=alice, failed=True)
    NotificationFactory(recipient=alice, sent=True)
    NotificationFactory(recipient=bob, failed=True)
    client.force_login(admin_user)
    response = client.get(
        reverse(CHANGELIST), {"status__exact": "failed", "q": "alice@notif.test"}
    )
    assert response.status_code == 200
    assert [n.pk for n in response.context["cl"].result_list] == [failed.pk]
    detail = client.get(reverse("admin:notifications_notification_change", args=[failed.pk]))
    assert "SMTPException: boom" in detail.content.decode()
    assert "Devis D-2022-0042 signé" in detail.content.decode()


def test_resend_action_requeues_failed_rows_through_the_service(
    client, admin_user, alice, django_capture_on_commit_callbacks
):
    failed = NotificationFactory(recipient=alice, failed=True)
    sent = NotificationFactory(recipient=alice, sent=True)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST),
            {"action": "resend_failed", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert "1 notification(s) en échec remise(s) en file" in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (NotificationStatus.SENT, 1)
    assert len(mail.outbox) == 1


def test_rows_are_read_only_and_resend_needs_its_permission(client, alice):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_notification"))
    row = NotificationFactory(recipient=alice, failed=True)
    client.force_login(viewer)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert "resend_failed" not in response.content.decode()
    change = client.post(
        reverse("admin:notifications_notification_change", args=[row.pk]), {"status": "sent"}
    )
    assert change.status_code == 403
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED
