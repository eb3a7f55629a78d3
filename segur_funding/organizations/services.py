"""Writes on organisations, people and reviewer groups."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .constants import ANS_REVIEWERS_GROUP, ASP_REVIEWERS_GROUP, Role
from .models import Membership, Organization, User

# Model permissions per reviewer group, as "app_label.codename" patterns ("*" = every codename of
# the app's models). ANS instructs referencing and keeps the reference data; ASP instructs funding
# requests and records payments. Neither can do the other's job.
GROUP_PERMISSIONS: dict[str, tuple[str, ...]] = {
    ANS_REVIEWERS_GROUP: (
        "referential.*",
        "referencing.*",
        "organizations.view_organization",
        # Account requests of editors (the admin shows ANS only those).
        "organizations.view_accountrequest",
        "organizations.change_accountrequest",
    ),
    ASP_REVIEWERS_GROUP: (
        "funding.*",
        "quotes.view_*",
        "organizations.view_organization",
        "referential.view_*",
        "referencing.view_dossier",
        # Editors' bank details, which ASP validates before paying into them.
        "organizations.view_bankaccount",
        "organizations.change_bankaccount",
        # Account requests of labs and other clients (the admin shows ASP only those).
        "organizations.view_accountrequest",
        "organizations.change_accountrequest",
    ),
}


def _matching_permissions(pattern: str) -> list[Permission]:
    app_label, codename = pattern.split(".", 1)
    qs = Permission.objects.filter(content_type__app_label=app_label)
    if codename == "*":
        return list(qs)
    if codename.endswith("*"):
        return list(qs.filter(codename__startswith=codename[:-1]))
    return list(qs.filter(codename=codename))


@transaction.atomic
def reviewer_groups_setup() -> dict[str, Group]:
    """Create or refresh the ANS and ASP reviewer groups with their permissions (idempotent)."""
    groups = {}
    for name, patterns in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = [p for pattern in patterns for p in _matching_permissions(pattern)]
        group.permissions.set(perms)
        groups[name] = group
    return groups


@transaction.atomic
def membership_add(
    *, user: User, organization: Organization, role: str, is_admin: bool = False
) -> Membership:
    """The person's membership of the organisation (idempotent); `is_admin` only ever promotes."""
    if role not in Role.values:
        raise ValueError(f"Rôle inconnu : {role}")
    membership, _ = Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": role, "is_admin": is_admin}
    )
    if is_admin and not membership.is_admin:
        membership.is_admin = True
        membership.save(update_fields=["is_admin"])
    return membership


# --- API tokens ---------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: User) -> str:
    """A new API token for the user, replacing any previous one (which stops working at once).

    Returns the key: the caller shows it once; the page never shows it again.
    """
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key


@transaction.atomic
def api_token_revoke(*, user: User) -> bool:
    """Delete the user's API token; False when there was none."""
    from rest_framework.authtoken.models import Token

    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted > 0
