"""Who may see what: every list or fetch of an organisation's objects starts from these."""

from django.db.models import QuerySet

from .constants import ANS_REVIEWERS_GROUP, ASP_REVIEWERS_GROUP, OrganizationKind
from .models import ApiToken, Organization, User


def user_organizations(*, user: User, kind: str | None = None) -> QuerySet[Organization]:
    """Organisations the user is a member of (none for an anonymous user)."""
    if not user.is_authenticated:
        return Organization.objects.none()
    qs = Organization.objects.filter(memberships__user=user)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs.distinct()


def user_editors(*, user: User) -> QuerySet[Organization]:
    return user_organizations(user=user, kind=OrganizationKind.EDITOR)


def user_clients(*, user: User) -> QuerySet[Organization]:
    return user_organizations(user=user, kind=OrganizationKind.CLIENT)


def user_editor_ids(*, user: User) -> list[int]:
    """Ids of the user's editors. Filtering large tables on literal ids rather than on a subquery
    lets the planner see which editor it reads and walk the (editor, …) indexes."""
    return _cached_ids(user, "_segur_editor_ids")


def user_client_ids(*, user: User) -> list[int]:
    """Ids of the user's labs and establishments (see user_editor_ids)."""
    return _cached_ids(user, "_segur_client_ids")


def user_organization_ids_prime(*, user: User) -> None:
    """Reads the user's memberships once (ids and kinds) for everything a page asks of them: the
    header's roles and counts, `user_editor_ids`, `user_client_ids`."""
    if not user.is_authenticated or all(
        key in user.__dict__ for key in ("_segur_editor_ids", "_segur_client_ids", "_segur_org_kinds")
    ):
        return
    from .models import Membership

    rows = list(Membership.objects.filter(user=user).values_list("organization_id", "organization__kind"))
    user.__dict__["_segur_editor_ids"] = sorted({pk for pk, kind in rows if kind == OrganizationKind.EDITOR})
    user.__dict__["_segur_client_ids"] = sorted({pk for pk, kind in rows if kind == OrganizationKind.CLIENT})
    user.__dict__["_segur_org_kinds"] = {kind for _, kind in rows}


def _cached_ids(user: User, key: str) -> list[int]:
    # Cached on the user object, which lives for one request: a page lists requests and quotes
    # of the same editors, and its header asks the roles from the same memberships read.
    if not user.is_authenticated:
        return []
    user_organization_ids_prime(user=user)
    return user.__dict__[key]


def _in_group(user: User, name: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    # Cached on the user object: templates and permission checks ask several times per request.
    cache = user.__dict__.setdefault("_segur_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user.__dict__["_segur_groups"] = cache
    return name in cache


def is_ans_reviewer(*, user: User) -> bool:
    return user.is_superuser or _in_group(user, ANS_REVIEWERS_GROUP)


def is_asp_reviewer(*, user: User) -> bool:
    return user.is_superuser or _in_group(user, ASP_REVIEWERS_GROUP)


def clients_list() -> QuerySet[Organization]:
    return Organization.objects.filter(kind=OrganizationKind.CLIENT).order_by("name")


def api_token_of(*, user: User):
    """The user's API token (dates and the first characters: the key itself is not stored), or
    None if they have none."""
    return ApiToken.objects.filter(user=user).first()
