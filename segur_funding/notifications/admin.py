"""Administrators watch the outbox here; nothing is edited by hand, failures are resent by a
service (which queues the task after commit, like every other send)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import CalendarFeed, Notification
from .services import notifications_resend_failed


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "status", "attempts", "sent_at", "read_at"]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["recipient__email", "recipient__last_name", "dedup_key"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = ["resend_failed"]
    fields = [
        "recipient",
        "kind",
        "in_app_message",
        "link",
        "context",
        "dedup_key",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "status_changed_at",
        "sent_at",
        "read_at",
    ]
    readonly_fields = fields

    @admin.display(description="message dans l'application")
    def in_app_message(self, obj: Notification) -> str:
        return obj.message

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.resend_notification")

    @admin.action(description="Renvoyer les notifications en échec", permissions=["resend"])
    def resend_failed(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notifications_resend_failed(notification_ids=queryset.values_list("pk", flat=True))
        if count:
            self.message_user(
                request,
                f"{count} notification(s) en échec remise(s) en file d'envoi.",
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, "Aucune notification en échec dans la sélection.", messages.WARNING
            )


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Calendar addresses: administrators see who has one and may revoke it (delete)."""

    list_display = ["user", "created_at", "last_used_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CalendarFeed | None = None) -> bool:
        return False
