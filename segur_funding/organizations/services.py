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
        # Labs' reports of doubtful quotes: ASP, which instructs the quotes and their funding,
        # answers them for the Ségur team.
        "alerts.*",
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


# --- password reset ------------------------------------------------------------------------------


def password_reset_email_send(*, user_id: int) -> bool:
    """E-mail the user a one-time link to choose a new password; False (nothing sent) when the
    account is gone, inactive or has no usable password by the time the task runs.

    Runs in a task, not in the request: with a worker (REDIS_URL), the reset page answers the same
    thing in the same time whether the address has an account or not, even while the SMTP server
    is slow or down (a send in the request betrays known addresses by its delay or by an error
    page). In the embedded eager mode the send still happens during the request; the task then
    logs an SMTP failure rather than raise it. The token is made here, in the worker, so it never
    travels through the broker.

    The link is built on SEGUR_SITE_URL, never on the request's Host header, which a visitor
    chooses: a forged Host would otherwise send a real user a valid token on someone else's site.
    """
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from segur_funding.core.durations import duration_fr

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    context = {
        "email": user.email,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "site_url": settings.SEGUR_SITE_URL.rstrip("/"),
        "link_validity": duration_fr(settings.PASSWORD_RESET_TIMEOUT),
    }
    subject = "".join(render_to_string("registration/password_reset_subject.txt", context).splitlines())
    body = render_to_string("registration/password_reset_email.txt", context)
    send_mail(subject, body, None, [user.email])
    return True
