"""What the header navigation needs to know about the user: one query, only when logged in."""

from django.http import HttpRequest

from .constants import OrganizationKind


def roles(request: HttpRequest) -> dict[str, bool]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_is_editor": False, "nav_is_lab": False}
    kinds = user.__dict__.get("_segur_org_kinds")
    if kinds is None:
        kinds = set(user.memberships.values_list("organization__kind", flat=True))
        user.__dict__["_segur_org_kinds"] = kinds
    return {
        "nav_is_editor": OrganizationKind.EDITOR in kinds,
        "nav_is_lab": OrganizationKind.CLIENT in kinds,
    }
