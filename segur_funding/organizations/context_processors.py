"""What the header navigation needs to know about the user: one query, only when a page shows it
(the admin's pages never do, so they never read the memberships)."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .constants import OrganizationKind
from .selectors import user_organization_ids_prime


def _has_kind(user, kind: str) -> bool:
    user_organization_ids_prime(user=user)
    return kind in user.__dict__["_segur_org_kinds"]


def roles(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_is_editor": False, "nav_is_lab": False}
    return {
        "nav_is_editor": SimpleLazyObject(lambda: _has_kind(user, OrganizationKind.EDITOR)),
        "nav_is_lab": SimpleLazyObject(lambda: _has_kind(user, OrganizationKind.CLIENT)),
    }
