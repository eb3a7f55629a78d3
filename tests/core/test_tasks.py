"""The background-work contract (core/tasks.py): tasks named, queued after commit, a broker outage
logged rather than shown to the user, a task's own error never swallowed; every task of the
project acknowledged late and found again by a sweep."""

import logging

import pytest
from django.db import transaction

from segur_funding.core.tasks import enqueue, enqueue_on_commit, task_by_name


def _project_tasks():
    from segur_funding.celery import app

    task_by_name("quotes.quote_pdf_render")  # imports every app's tasks.py
    return {name: task for name, task in app.tasks.items() if task.__module__.startswith("segur_funding.")}


def test_every_task_is_named_for_its_app_and_acknowledged_late():
    tasks = _project_tasks()
    assert {
        "quotes.quote_pdf_render", "quotes.uploaded_quote_check", "funding.export_job_run",
        "referencing.proof_file_scan", "referencing.dossier_certificate_render",
        "notifications.send_notification",
    } <= set(tasks)
    for name, task in tasks.items():
        app_label = task.__module__.split(".")[1]
        assert name.startswith(f"{app_label}."), name
        assert task.acks_late, f"{name} n'est pas acquittée après exécution (acks_late)"


def test_every_periodic_task_exists_and_each_app_with_tasks_has_a_sweep(settings):
    tasks = _project_tasks()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(tasks)
    # A password-reset e-mail lost in a broker outage leaves no row waiting: the person asks again.
    apps_without_waiting_rows = {"organizations"}
    apps_with_work = {name.split(".")[0] for name in tasks} - apps_without_waiting_rows
    assert {
        "quotes.requeue_lost_work", "funding.requeue_lost_work", "referencing.requeue_lost_work",
        "notifications.sweep_stuck_notifications",
    } <= scheduled
    assert apps_with_work == {"quotes", "funding", "referencing", "notifications"}


@pytest.mark.django_db
def test_an_unknown_task_name_fails_at_the_callers_line():
    with pytest.raises(LookupError, match="nope"), transaction.atomic():
        enqueue_on_commit("quotes.nope", 1)


@pytest.mark.django_db
def test_the_task_is_queued_after_commit_only(monkeypatch, django_capture_on_commit_callbacks):
    task = task_by_name("quotes.quote_pdf_render")
    queued = []
    monkeypatch.setattr(task, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            enqueue_on_commit("quotes.quote_pdf_render", 42)
            assert queued == []
    assert (len(callbacks), queued) == (1, [(42,)])
    queued.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit("quotes.quote_pdf_render", 43)
        raise RuntimeError("rolled back")
    assert queued == []


def test_a_broker_outage_is_logged_not_raised(monkeypatch, caplog):
    from kombu.exceptions import OperationalError

    task = task_by_name("funding.export_job_run")

    def down(*args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(task, "delay", down)
    with caplog.at_level(logging.WARNING, logger="segur_funding.core.tasks"):
        assert enqueue("funding.export_job_run", 7) is False
    assert "balayage" in caplog.text and "funding.export_job_run" in caplog.text


@pytest.mark.django_db
def test_a_task_error_is_not_swallowed_in_eager_mode(monkeypatch, django_capture_on_commit_callbacks):
    """The outbox used on_commit(robust=True), which hid a crashing send in tests and in the
    embedded default; the one helper lets a task's own error through."""
    from segur_funding.notifications import tasks
    from segur_funding.notifications.constants import NotificationKind
    from segur_funding.notifications.services import notification_enqueue
    from tests.notifications.factories import UserFactory

    def crash(*, notification_id):
        raise ZeroDivisionError("bug in the send")

    monkeypatch.setattr(tasks, "notification_send", crash)
    user = UserFactory()
    with pytest.raises(ZeroDivisionError), django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notification_enqueue(
                kind=NotificationKind.QUOTE_SIGNED,
                recipients=[user],
                context={"quote_number": "D-1", "client_name": "Labo"},
            )
