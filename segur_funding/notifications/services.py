"""Writes on notifications: the outbox (enqueue, send, retry, sweep), read marks, preferences.

How a notification travels, and why each e-mail leaves once:

1. `notification_enqueue` is called by the service that changes state, inside its transaction.
   It writes one `Notification` row per recipient and asks, *on commit*, for one
   `send_notification` task per row. A rolled-back change leaves no row and sends nothing.
2. The task claims its row with a compare-and-set UPDATE (`pending` → `sending`). Only one
   claimer can win: a redelivered message, a duplicate task or a second worker finds the row
   already `sending` or `sent` and does nothing.
3. After the SMTP server accepts the message the row becomes `sent`. On an error it goes back to
   `pending` with one more attempt and the task retries 2, 4, 8, 16, 32 s later; after
   MAX_SEND_ATTEMPTS the row is `failed`, with the error, for administrators to see and resend.
4. `notifications_requeue_stuck` (beat, every few minutes) picks up rows that lost their task:
   `pending` rows whose message never reached the broker, and `sending` rows whose worker died.

Delivery is *at least once*, not exactly once, at one single point: a worker killed after the
SMTP server accepted the message but before the row became `sent` leaves it `sending`; the sweep
re-queues it and the person may get that e-mail twice. Everywhere else the status guard holds: a
kill before or during the SMTP conversation means the server did not take the message, and no
duplicate task can claim a row that is `sending` or `sent`. The window is a few milliseconds per
message, the sweep waits STUCK_AFTER before touching a `sending` row (so a slow but alive send is
never doubled), and every copy carries the same Message-ID so mail clients can fold duplicates.
"""

import json
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from segur_funding.core import clock
from segur_funding.core.tasks import enqueue_on_commit
from segur_funding.organizations.models import User

from .constants import (
    DEFAULT_EMAIL_TIMEOUT,
    MAX_SEND_ATTEMPTS,
    STUCK_AFTER,
    NotificationKind,
    NotificationStatus,
    preference_kind,
)
from .messages import missing_keys, render_email
from .models import CalendarFeed, Notification, NotificationPreference
from .rules import calendar_token_hash

logger = logging.getLogger(__name__)

IN_FLIGHT = (NotificationStatus.PENDING, NotificationStatus.SENDING)
SWEEP_BATCH = 500
ERROR_MAX_CHARS = 2000


class SendOutcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # not ours to send: already claimed, sent, failed, disabled or gone
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: SendOutcome
    attempts: int = 0


def _schedule_send(notification_ids: Iterable[int]) -> None:
    # A broker outage at commit time must not turn the committed state change into an error page
    # (enqueue_on_commit logs it); the row stays `pending` and the sweep queues it again.
    for pk in notification_ids:
        enqueue_on_commit("notifications.send_notification", pk)


def _json_safe(context: Mapping[str, Any]) -> dict[str, Any]:
    # Round-trip through JSON now, in the caller's transaction: a model instance or any other
    # non-serialisable value fails here, at the caller's line, not later in a worker.
    return json.loads(json.dumps(dict(context), cls=DjangoJSONEncoder))


def row_dedup_key(dedup_key: str | None, user_id: int) -> str | None:
    # One key per recipient: "reminder:preorder:quote:42:30d" reaches each member of the editor
    # once, and a member added later still gets the next threshold.
    return None if dedup_key is None else f"{dedup_key}#u{user_id}"


def _existing_dedup_keys(keys: list[str]) -> set[str]:
    # The common case for reminders (every beat run meets the keys of earlier runs), read first so
    # that the unique index only has to settle true races.
    if not keys:
        return set()
    return set(Notification.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True))


def _checked_payload(kind: str, context: Mapping[str, Any]) -> dict[str, Any]:
    if kind not in NotificationKind.values:
        raise ValueError(f"Type de notification inconnu : {kind}")
    missing = missing_keys(kind, context)
    if missing:
        raise ValueError(f"Contexte incomplet pour « {kind} » : {', '.join(missing)}")
    return _json_safe(context)


def _active(recipients: Iterable[User]) -> dict[int, User]:
    users: dict[int, User] = {}
    for user in recipients:
        if user.is_active and user.pk not in users:
            users[user.pk] = user
    return users


def _email_off(kind: str, user_ids: Iterable[int]) -> set[int]:
    """Who turned e-mail off for `kind` (its preference kind), among `user_ids`: one query."""
    user_ids = list(user_ids)
    if not user_ids:
        return set()
    return set(
        NotificationPreference.objects.filter(
            user_id__in=user_ids, kind=preference_kind(kind), email_enabled=False
        ).values_list("user_id", flat=True)
    )


def _row(*, user: User, kind: str, payload: dict, link: str, key: str | None, off: bool, now: datetime):
    return Notification(
        recipient=user,
        kind=kind,
        context=payload,
        link=link,
        dedup_key=key,
        status=NotificationStatus.DISABLED if off else NotificationStatus.PENDING,
        created_at=now,
        status_changed_at=now,
    )


def notification_enqueue(
    *,
    kind: str,
    recipients: Iterable[User],
    context: Mapping[str, Any],
    link: str = "",
    dedup_key: str | None = None,
) -> list[Notification]:
    """Write the notification rows of a state change; their e-mails leave after commit.

    Call it inside the transaction of the change (it joins it). `context` holds ids and display
    values; `link` is a site path ("/devis/12/"). With `dedup_key`, a recipient who already
    has a row with that key gets no new one (reminders: "once per threshold and per object"),
    even when two processes enqueue at the same time. Inactive users are skipped; a recipient
    who turned e-mail off for this kind gets the in-app row only (status `disabled`).
    Returns the rows created.
    """
    if dedup_key is None:
        return notifications_enqueue(kind=kind, messages=[(recipients, context, link)])
    payload = _checked_payload(kind, context)
    users = _active(recipients)
    if not users:
        return []
    email_off = _email_off(kind, users)
    keys = {pk: row_dedup_key(dedup_key, pk) for pk in users}
    already = _existing_dedup_keys(list(keys.values()))

    now = clock.now()
    created: list[Notification] = []
    with transaction.atomic(savepoint=False):
        for pk, user in users.items():
            key = keys[pk]
            if key in already:
                continue
            row = _row(
                user=user, kind=kind, payload=payload, link=link, key=key, off=pk in email_off, now=now
            )
            try:
                # A savepoint: another process may insert the same key between our read and
                # this write; the unique index refuses it and only the savepoint is undone,
                # the caller's transaction goes on.
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                if not Notification.objects.filter(dedup_key=key).exists():
                    raise
                continue
            created.append(row)
        _schedule_send(r.pk for r in created if r.status == NotificationStatus.PENDING)
    return created


def notifications_enqueue(
    *, kind: str, messages: Iterable[tuple[Iterable[User], Mapping[str, Any], str]]
) -> list[Notification]:
    """`notification_enqueue` without dedup key for many messages of one kind at once, each
    (recipients, context, link): the recipients' e-mail preferences read in one query and the
    rows written in one INSERT, whatever the number of messages (a digest per editor paid by a
    file of the ASP). Returns the rows created."""
    planned: list[tuple[dict[int, User], dict[str, Any], str]] = []
    for recipients, context, link in messages:
        payload = _checked_payload(kind, context)
        users = _active(recipients)
        if users:
            planned.append((users, payload, link))
    if not planned:
        return []
    email_off = _email_off(kind, {pk for users, _payload, _link in planned for pk in users})
    now = clock.now()
    with transaction.atomic(savepoint=False):
        created = Notification.objects.bulk_create(
            _row(user=user, kind=kind, payload=payload, link=link, key=None, off=pk in email_off, now=now)
            for users, payload, link in planned
            for pk, user in users.items()
        )
        _schedule_send(r.pk for r in created if r.status == NotificationStatus.PENDING)
    return created


def report_ready_enqueue(
    *,
    user_id: int | None,
    title: str,
    failed: bool,
    outcome: str,
    link: str,
    dedup_key: str,
    **ids: int,
) -> list[Notification]:
    """A background job (a quote check, an export) is over: the person who started it is told
    once per `dedup_key`, with what it was about (`ids`, e.g. quote_id=42). Nobody to tell when
    `user_id` is None."""
    if user_id is None:
        return []
    return notification_enqueue(
        kind=NotificationKind.REPORT_READY,
        recipients=User.objects.filter(pk=user_id),
        context={**ids, "title": title, "failed": failed, "outcome": outcome},
        link=link,
        dedup_key=dedup_key,
    )


def _message_id(notification: Notification) -> str:
    # The same Message-ID on every copy of one notification: if the at-least-once window ever
    # sends it twice, mail clients and servers can recognise the duplicate.
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "localhost"
    stamp = int(notification.created_at.timestamp())
    return f"<notification-{notification.pk}.{stamp}@{domain}>"


def _deliver(notification: Notification) -> None:
    user = notification.recipient
    rendered = render_email(
        notification.kind,
        notification.context,
        recipient_name=user.get_full_name() or user.email,
        link=notification.link,
    )
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_EMAIL_TIMEOUT
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        to=[user.email],
        connection=get_connection(timeout=timeout),
        headers={
            "Message-ID": _message_id(notification),
            "X-Segur-Notification": str(notification.pk),
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send()


def notification_send(*, notification_id: int) -> SendResult:
    """Send one notification's e-mail if, and only if, this call wins the claim on its row.

    Runs outside any transaction (the claim must be visible to other workers at once, and an SMTP
    conversation must never hold a database transaction open).
    """
    claimed = Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.PENDING
    ).update(status=NotificationStatus.SENDING, status_changed_at=clock.now())
    if not claimed:
        return SendResult(SendOutcome.SKIPPED)
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        _deliver(notification)
    except Exception as exc:
        return _record_failure(notification, exc)

    now = clock.now()
    attempts = notification.attempts + 1
    # `pending` too: if this send was so slow that the sweep re-queued the row meanwhile, marking
    # it sent now stops the re-queued task before it sends a second copy.
    Notification.objects.filter(pk=notification_id, status__in=IN_FLIGHT).update(
        status=NotificationStatus.SENT,
        sent_at=now,
        status_changed_at=now,
        attempts=attempts,
        last_error="",
    )
    return SendResult(SendOutcome.SENT, attempts)


def _record_failure(notification: Notification, exc: Exception) -> SendResult:
    attempts = notification.attempts + 1
    final = attempts >= MAX_SEND_ATTEMPTS
    error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS]
    logger.warning(
        "Notification %s: échec d'envoi (tentative %s/%s) : %s",
        notification.pk,
        attempts,
        MAX_SEND_ATTEMPTS,
        error,
    )
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.FAILED if final else NotificationStatus.PENDING,
        attempts=attempts,
        last_error=error,
        status_changed_at=clock.now(),
    )
    return SendResult(SendOutcome.FAILED if final else SendOutcome.RETRY, attempts)


def notifications_requeue_stuck(*, older_than: timedelta = STUCK_AFTER) -> int:
    """Queue again the rows that lost their task; returns how many were queued.

    A `pending` row older than `older_than` never got its task (broker down at commit, message
    lost). A `sending` row that old belonged to a worker that died mid-send: it counts as an
    attempt (a message that kills its worker every time must end `failed`, not loop forever).
    Each row moves by compare-and-set on its `status_changed_at`, so two sweeps, or a sweep and a
    late worker, never queue the same row twice.
    """
    now = clock.now()
    cutoff = now - older_than
    rows: list[tuple[int, str, int, datetime]] = list(
        Notification.objects.filter(status__in=IN_FLIGHT, status_changed_at__lt=cutoff)
        .order_by("status_changed_at")
        .values_list("pk", "status", "attempts", "status_changed_at")[:SWEEP_BATCH]
    )
    requeued: list[int] = []
    with transaction.atomic():
        for pk, status, attempts, changed_at in rows:
            guard = Notification.objects.filter(pk=pk, status=status, status_changed_at=changed_at)
            if status == NotificationStatus.PENDING:
                moved = guard.update(status_changed_at=now)
            else:
                attempts += 1
                final = attempts >= MAX_SEND_ATTEMPTS
                moved = guard.update(
                    status=NotificationStatus.FAILED if final else NotificationStatus.PENDING,
                    attempts=attempts,
                    last_error="Envoi interrompu : le processus d'envoi s'est arrêté en cours "
                    "d'envoi (relancé par la reprise automatique).",
                    status_changed_at=now,
                )
                if final:
                    continue
            if moved:
                requeued.append(pk)
        _schedule_send(requeued)
    if requeued:
        logger.info("Reprise des notifications bloquées : %s remise(s) en file.", len(requeued))
    return len(requeued)


def notifications_resend_failed(*, notification_ids: Iterable[int]) -> int:
    """Give failed notifications a fresh series of attempts (admin action); returns the count."""
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(
                pk__in=list(notification_ids), status=NotificationStatus.FAILED
            ).values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=ids, status=NotificationStatus.FAILED).update(
            status=NotificationStatus.PENDING, attempts=0, status_changed_at=clock.now()
        )
        _schedule_send(ids)
    return len(ids)


def notification_mark_read(*, user: User, notification_id: int) -> bool:
    """Mark one of the user's notifications read; False if it was read already (or not theirs)."""
    return bool(
        Notification.objects.filter(
            pk=notification_id, recipient=user, read_at__isnull=True
        ).update(read_at=clock.now())
    )


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=clock.now()
    )


def preference_set(*, user: User, kind: str, email_enabled: bool) -> NotificationPreference:
    """Turn e-mail on or off for one kind; the in-app entry is always kept."""
    if kind not in NotificationKind.values:
        raise ValueError(f"Type de notification inconnu : {kind}")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"email_enabled": email_enabled}
    )
    return preference


@transaction.atomic
def preferences_update(*, user: User, email_enabled: Mapping[str, bool]) -> None:
    """Save the whole preferences form at once."""
    for kind, enabled in email_enabled.items():
        preference_set(user=user, kind=kind, email_enabled=enabled)


def calendar_feed_rotate(*, user: User) -> str:
    """Give the person a new secret calendar address (the previous one stops working at once).

    Returns the token, which is not stored: the page shows the address once.
    """
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user,
        defaults={
            "token_hash": calendar_token_hash(token),
            "created_at": clock.now(),
            "last_used_at": None,
        },
    )
    return token


def calendar_feed_revoke(*, user: User) -> bool:
    """Stop the person's calendar address; False when there was none."""
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


def calendar_feed_touch(*, feed_id: int) -> None:
    """Note when a calendar client last read the feed (shown to the person, to spot a leak)."""
    CalendarFeed.objects.filter(pk=feed_id).update(last_used_at=clock.now())
