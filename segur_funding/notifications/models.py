from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from segur_funding.core import clock

from .constants import NotificationKind, NotificationStatus


class Notification(models.Model):
    """One message to one person: the outbox row of its e-mail and its in-app entry at once.

    Written by `notification_enqueue` in the transaction of the state change that causes it, so
    it exists if and only if the change was committed; `status` is only moved by compare-and-set
    updates in services.py.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="destinataire",
    )
    kind = models.CharField("type", max_length=40, choices=NotificationKind.choices)
    # Ids and display values only (never a model instance): the e-mail must read the same
    # whenever it is sent, and the row must survive the deletion of what it talks about.
    context = models.JSONField("contexte", default=dict, blank=True, encoder=DjangoJSONEncoder)
    link = models.CharField("lien", max_length=500, blank=True)
    # "Once per threshold and per object": a second enqueue with the same key adds nothing.
    dedup_key = models.CharField(
        "clé d'unicité", max_length=255, null=True, blank=True, unique=True
    )
    status = models.CharField(
        "statut",
        max_length=16,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField("tentatives d'envoi", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    created_at = models.DateTimeField("créée le", default=clock.now)
    status_changed_at = models.DateTimeField("statut modifié le", default=clock.now)
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)
    read_at = models.DateTimeField("lue le", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        ordering = ["-created_at", "-pk"]
        permissions = [("resend_notification", "Peut renvoyer les notifications en échec")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=NotificationStatus.values),
                name="notification_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=NotificationStatus.SENT)
                | models.Q(sent_at__isnull=False),
                name="notification_sent_has_date",
            ),
        ]
        indexes = [
            # The unread badge on every page: COUNT over this partial index only.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            # The sweep only looks at rows still on their way.
            models.Index(
                fields=["status_changed_at"],
                condition=models.Q(
                    status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING]
                ),
                name="notification_in_flight_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id} ({self.get_status_display()})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def message(self) -> str:
        """The in-app one-liner."""
        from .messages import render_inapp

        return render_inapp(self.kind, self.context)


class NotificationPreference(models.Model):
    """A person's choice for one kind; no row means e-mail is on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name="utilisateur",
    )
    kind = models.CharField("type", max_length=40, choices=NotificationKind.choices)
    email_enabled = models.BooleanField("recevoir un e-mail", default=True)

    class Meta:
        verbose_name = "préférence de notification"
        verbose_name_plural = "préférences de notification"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique"),
        ]

    def __str__(self) -> str:
        state = "e-mail" if self.email_enabled else "sans e-mail"
        return f"{self.user_id} — {self.get_kind_display()} : {state}"


class CalendarFeed(models.Model):
    """A person's secret iCalendar address (calendar clients cannot log in: the token in the URL
    stands for the person). Only the token's SHA-256 is stored, so that a copy of the database
    opens nobody's calendar; revoking deletes the row, a new token replaces the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name="utilisateur",
    )
    token_hash = models.CharField("empreinte du jeton", max_length=64, unique=True)
    created_at = models.DateTimeField("créé le", default=clock.now)
    last_used_at = models.DateTimeField("dernière consultation", null=True, blank=True)

    class Meta:
        verbose_name = "abonnement calendrier"
        verbose_name_plural = "abonnements calendrier"

    def __str__(self) -> str:
        return f"Calendrier des échéances de {self.user_id}"
