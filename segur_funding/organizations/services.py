"""Writes on organisations, people and reviewer groups."""

from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from segur_funding.core import clock

from .authentication import token_digest, token_key_new
from .constants import ANS_REVIEWERS_GROUP, API_TOKEN_LIFETIME_DAYS, ASP_REVIEWERS_GROUP, Role
from .models import ApiToken, Membership, Organization, User

# Model permissions per reviewer group, as "app_label.codename" patterns ("*" = every codename of
# the app's models). ANS instructs referencing and keeps the reference data; ASP instructs funding
# requests and records payments. Neither can do the other's job.
GROUP_PERMISSIONS: dict[str, tuple[str, ...]] = {
    ANS_REVIEWERS_GROUP: (
        "referential.*",
        "referencing.*",
        "organizations.view_organization",
    ),
    ASP_REVIEWERS_GROUP: (
        "funding.*",
        "quotes.view_*",
        "organizations.view_organization",
        "referential.view_*",
        "referencing.view_dossier",
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
def membership_add(*, user: User, organization: Organization, role: str) -> Membership:
    if role not in Role.values:
        raise ValueError(f"Rôle inconnu : {role}")
    membership, _ = Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    return membership


# --- API tokens ---------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: User) -> str:
    """A new API token for the user, replacing any previous one (which stops working at once).

    Returns the key: the caller shows it once; only its digest is stored, so it can never be
    shown again.
    """
    ApiToken.objects.filter(user=user).delete()
    key = token_key_new()
    now = clock.now()
    ApiToken.objects.create(
        user=user,
        digest=token_digest(key),
        prefix=key[:8],
        created_at=now,
        expires_at=now + timedelta(days=API_TOKEN_LIFETIME_DAYS),
    )
    return key


@transaction.atomic
def api_token_revoke(*, user: User) -> bool:
    """Delete the user's API token; False when there was none."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted > 0
