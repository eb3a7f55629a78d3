"""Faults: the broker (Redis) unavailable, the database connection cut under a request.

A state change commits first and schedules its tasks after the commit: with the broker down the
user still gets the page of a successful action, the e-mails wait as `pending` rows of the outbox,
and the sweep sends them once the broker is back. These tests run the real commit (transactional
database) so that the on-commit callbacks run inside the request, as in production.
"""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from segur_funding.notifications.constants import NotificationStatus
from segur_funding.notifications.models import Notification

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_down(settings, tmp_path):
    """Tasks go to a Redis broker on a port where nothing listens: `.delay()` raises."""
    from segur_funding.celery import app

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    app.conf.broker_connection_timeout = 1
    app._pool = None  # connections are pooled per broker URL: start from none
    app.amqp._producer_pool = None
    try:
        yield app
    finally:
        app.conf.task_always_eager, app.conf.broker_url = saved
        app._pool = None
        app.amqp._producer_pool = None


def _broker_back(app) -> None:
    """The broker returns: here, tasks run in-process again (the test settings' default)."""
    app.conf.task_always_eager = True


def test_issuing_a_quote_with_the_broker_down_succeeds(client, reference_data, broker_down):
    from segur_funding.notifications.services import notifications_requeue_stuck
    from segur_funding.quotes.models import QuoteStatus
    from tests.funding.factories import Scenario

    scenario = Scenario()
    quote = scenario.draft()
    client.force_login(scenario.editor_user)

    response = client.post(reverse("quotes:editor_issue", args=[quote.pk]))

    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ISSUED
    assert not quote.pdf  # its rendering task could not be queued: no PDF yet, no error page
    # Whatever the issue notifies waits in the outbox, and leaves with the sweep.
    outbox = Notification.objects.all()
    assert set(outbox.values_list("status", flat=True)) <= {NotificationStatus.PENDING}
    assert mail.outbox == []
    _broker_back(broker_down)
    notifications_requeue_stuck(older_than=timedelta(0))
    assert not outbox.filter(status=NotificationStatus.PENDING).exists()


def test_submitting_a_candidature_with_the_broker_down_succeeds(client, broker_down):
    from segur_funding.notifications.services import notifications_requeue_stuck
    from segur_funding.organizations.constants import ANS_REVIEWERS_GROUP
    from segur_funding.organizations.services import reviewer_groups_setup
    from segur_funding.referencing import services
    from segur_funding.referencing.constants import DossierStatus
    from tests.referencing.factories import (
        DsrFactory,
        EditorFactory,
        RequirementFactory,
        SolutionVersionFactory,
        UserFactory,
        member,
    )

    groups = reviewer_groups_setup()
    ans = UserFactory(email="ans@test.example", is_staff=True)
    ans.groups.add(groups[ANS_REVIEWERS_GROUP])
    editor = EditorFactory()
    editor_user = member(editor, email="editeur@test.example")
    dsr = DsrFactory(code="TST-V1", software="Système de test")
    RequirementFactory(dsr=dsr, reference="EX-01", title="Identité patient", position=1)
    dossier = services.dossier_create(
        user=editor_user,
        solution_version=SolutionVersionFactory(solution__editor=editor),
        dsr=dsr,
        contact_name="Élise Martin",
        contact_email="elise@test.example",
        honour_declaration=True,
    )
    client.force_login(editor_user)

    response = client.post(
        reverse("referencing:dossier_action", args=[dossier.pk, "submit_candidature"])
    )

    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.CANDIDATURE_SUBMITTED
    pending = Notification.objects.filter(status=NotificationStatus.PENDING)
    assert pending.filter(recipient=ans).exists()
    _broker_back(broker_down)
    notifications_requeue_stuck(older_than=timedelta(0))
    assert not Notification.objects.filter(status=NotificationStatus.PENDING).exists()
    assert ans.email in {m.to[0] for m in mail.outbox}


@pytest.mark.postgresql
def test_a_cut_database_connection_is_replaced_on_the_next_request(client, reference_data):
    """CONN_HEALTH_CHECKS: a connection the server dropped (restart, failover, idle timeout) is
    noticed at the start of the next request and replaced, instead of failing it."""
    from django.db import close_old_connections

    assert connection.vendor == "postgresql", "pg_terminate_backend simulates the cut (PostgreSQL)"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    from tests.funding.factories import Scenario

    scenario = Scenario()
    quote = scenario.issued()
    client.force_login(scenario.lab_user)
    url = reverse("quotes:lab_detail", args=[quote.pk])
    # A persistent connection between requests, as in production (CONN_MAX_AGE > 0).
    saved_age = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 600
    try:
        assert client.get(url).status_code == 200
        old_pid = connection.connection.info.backend_pid
        # Another session kills ours, as a server restart or a failover would.
        import psycopg

        db = connection.settings_dict
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"],
            password=db["PASSWORD"] or None, autocommit=True,
        ) as killer:
            killer.execute("SELECT pg_terminate_backend(%s)", [old_pid])
        # What the request_started signal does before each request in production (the test
        # client disconnects it): mark the connection for a health check on first use.
        close_old_connections()
        response = client.get(url)
        assert response.status_code == 200
        assert connection.connection.info.backend_pid != old_pid
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = saved_age
