"""Reads on notifications, and who should receive what."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Case, IntegerField, QuerySet, Value, When

from segur_funding.organizations.constants import ANS_REVIEWERS_GROUP, ASP_REVIEWERS_GROUP
from segur_funding.organizations.models import Membership, Organization, User

from .constants import PREFERENCE_OF, NotificationKind
from .models import CalendarFeed, Notification, NotificationPreference
from .rules import calendar_token_hash


def notification_list(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first within each group."""
    return (
        Notification.objects.filter(recipient=user)
        .annotate(
            read_rank=Case(
                When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("read_rank", "-created_at", "-pk")
    )


def notification_get(*, user: User, notification_id: int) -> Notification:
    """One of the user's notifications; Notification.DoesNotExist for anyone else's."""
    return Notification.objects.get(pk=notification_id, recipient=user)


def notification_unread_count(*, user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preferences_by_kind(*, user: User) -> dict[str, bool]:
    """E-mail on/off for every kind (on unless the user turned it off)."""
    off = set(
        NotificationPreference.objects.filter(user=user, email_enabled=False).values_list("kind", flat=True)
    )
    return {kind: kind not in off for kind in NotificationKind.values if kind not in PREFERENCE_OF}


# Recipients. Services of other apps pick the people to notify with these, so that "who is told"
# reads the same everywhere.


def organization_members(*, organization: Organization | int) -> QuerySet[User]:
    """Active members of an editor or a client."""
    return User.objects.filter(memberships__organization=organization, is_active=True).distinct()


def organizations_members(*, organizations: Iterable[int]) -> dict[int, list[User]]:
    """`organization_members` of many organisations in one query: organisation id -> members."""
    members: dict[int, list[User]] = defaultdict(list)
    for membership in Membership.objects.filter(
        organization_id__in=list(organizations), user__is_active=True
    ).select_related("user"):
        members[membership.organization_id].append(membership.user)
    return members


def ans_reviewers() -> QuerySet[User]:
    return User.objects.filter(groups__name=ANS_REVIEWERS_GROUP, is_active=True).distinct()


def asp_reviewers() -> QuerySet[User]:
    return User.objects.filter(groups__name=ASP_REVIEWERS_GROUP, is_active=True).distinct()


# Calendar feeds.


def calendar_feed_for(*, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_by_token(*, token: str) -> CalendarFeed | None:
    """The feed a secret address opens, for an active person only; None for anything else."""
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=calendar_token_hash(token), user__is_active=True)
        .first()
    )
