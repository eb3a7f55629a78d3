"""What the header navigation needs to know about the user: one query, only when logged in."""

from django.http import HttpRequest

from .constants import OrganizationKind
from .selectors import user_organization_ids_prime


def roles(request: HttpRequest) -> dict[str, bool]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_is_editor": False, "nav_is_lab": False}
    user_organization_ids_prime(user=user)
    kinds = user.__dict__["_segur_org_kinds"]
    return {
        "nav_is_editor": OrganizationKind.EDITOR in kinds,
        "nav_is_lab": OrganizationKind.CLIENT in kinds,
    }
