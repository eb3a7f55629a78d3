"""Ways in: an organisation's first person asks for an account, an administrator invites colleagues.

ANS decides on editors' requests and ASP on labs' (they know who may take part in their part of
the programme). Approval creates the organisation, the person without a usable password and an
administrator membership in one transaction; the person then chooses a password from an e-mailed
link (Django's password-reset token: valid `PASSWORD_RESET_TIMEOUT`, spent once the password is
set). The e-mail is sent after the commit, by the service itself rather than through the
notification outbox, because the link is a credential that must not sit in a table; a failed
sending is returned to the reviewer, who can send the link again (`activation_link_send`).
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from segur_funding.core import clock
from segur_funding.core.errors import DomainError

from .constants import AccountRequestStatus, OrganizationKind, Role
from .models import AccountRequest, Membership, Organization, User
from .selectors import is_ans_reviewer, is_asp_reviewer
from .services import membership_add

logger = logging.getLogger(__name__)

ROLE_FOR_KIND = {OrganizationKind.EDITOR: Role.EDITOR_MEMBER, OrganizationKind.CLIENT: Role.LAB_MEMBER}


def existing_organization(*, kind: str, identifier: str) -> Organization | None:
    lookup = {"siren": identifier} if kind == OrganizationKind.EDITOR else {"siret": identifier}
    return Organization.objects.filter(kind=kind, **lookup).first()


def account_request_refusal(*, kind: str, identifier: str) -> str | None:
    """Why a new request for this organisation cannot be taken, or None."""
    if existing_organization(kind=kind, identifier=identifier) is not None:
        return (
            "Cet organisme a déjà des comptes sur la plateforme : demandez à son administrateur "
            "de vous inviter (menu « Mon organisation »)."
        )
    lookup = {"siren": identifier} if kind == OrganizationKind.EDITOR else {"siret": identifier}
    if AccountRequest.objects.filter(kind=kind, status=AccountRequestStatus.PENDING, **lookup).exists():
        return "Une demande d'ouverture de compte est déjà en cours d'examen pour cet organisme."
    return None


@transaction.atomic
def account_request_submit(*, data: dict) -> AccountRequest:
    """Record a validated request (the form checked SIREN/SIRET/FINESS with python-stdnum)."""
    request = AccountRequest(**data)
    request.email = request.email.strip().lower()
    refusal = account_request_refusal(kind=request.kind, identifier=request.identifier)
    if refusal:
        raise DomainError(refusal, code="ACCOUNT_REQUEST_DUPLICATE")
    request.full_clean()
    request.save()
    return request


def may_decide_kind(*, user: User, kind: str) -> bool:
    """ANS decides on editors' requests, ASP on labs' and other clients'."""
    if kind == OrganizationKind.EDITOR:
        return is_ans_reviewer(user=user)
    return is_asp_reviewer(user=user)


@dataclass(frozen=True)
class Decision:
    request: AccountRequest
    mail_sent: bool


def _locked_pending(request: AccountRequest, reviewer: User) -> AccountRequest:
    if not may_decide_kind(user=reviewer, kind=request.kind):
        raise DomainError(
            "Seule l'ANS décide des comptes des éditeurs, et l'ASP de ceux des laboratoires.",
            code="FORBIDDEN",
        )
    locked = AccountRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != AccountRequestStatus.PENDING:
        raise DomainError(
            f"Cette demande est déjà traitée ({locked.get_status_display().lower()}).",
            code="ALREADY_DECIDED",
        )
    return locked


def account_request_approve(*, request: AccountRequest, reviewer: User) -> Decision:
    """Create the organisation, the person and their administrator membership; e-mail the link."""
    with transaction.atomic():
        request = _locked_pending(request, reviewer)
        if existing_organization(kind=request.kind, identifier=request.identifier) is not None:
            raise DomainError(
                "Un organisme avec ce numéro existe déjà : invitez plutôt la personne depuis cet organisme.",
                code="ACCOUNT_REQUEST_DUPLICATE",
            )
        organization = Organization(
            kind=request.kind,
            name=request.organization_name,
            siren=request.siren,
            siret=request.siret,
            finess=request.finess,
            client_kind=request.client_kind,
            geographic_sites=request.geographic_sites,
            contact_email=request.email,
        )
        if request.kind == OrganizationKind.CLIENT and not organization.siren:
            organization.siren = request.siret[:9]
        organization.full_clean()
        organization.save()
        user = _person(email=request.email, first_name=request.first_name, last_name=request.last_name)
        membership_add(user=user, organization=organization, role=ROLE_FOR_KIND[request.kind], is_admin=True)
        request.status = AccountRequestStatus.APPROVED
        request.decided_by = reviewer
        request.decided_at = clock.now()
        request.organization = organization
        request.save()
    sent = activation_link_send(
        user=user,
        subject="Votre compte Ségur numérique SONS est ouvert",
        intro=(
            f"La demande d'ouverture de compte de {organization.name} est validée. "
            "Vous êtes administrateur de cet organisme sur la plateforme : vous pourrez inviter "
            "vos collègues."
        ),
    )
    return Decision(request=request, mail_sent=sent)


def account_request_reject(*, request: AccountRequest, reviewer: User, reason: str) -> Decision:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Indiquez le motif du refus : il est envoyé au demandeur.", code="REASON_REQUIRED")
    with transaction.atomic():
        request = _locked_pending(request, reviewer)
        request.status = AccountRequestStatus.REJECTED
        request.decided_by = reviewer
        request.decided_at = clock.now()
        request.rejection_reason = reason
        request.save()
    sent = _send(
        to=request.email,
        subject="Votre demande de compte Ségur numérique SONS",
        template="organizations/email/account_request_rejected.txt",
        context={"request": request},
    )
    return Decision(request=request, mail_sent=sent)


def _person(*, email: str, first_name: str, last_name: str) -> User:
    """The person with this e-mail: a new one without a usable password, or the existing one."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def member_invite(
    *, organization: Organization, by: User, email: str, first_name: str, last_name: str, is_admin: bool
) -> bool:
    """An administrator of the organisation adds a colleague, who receives a link to log in.

    Returns whether the e-mail left; the membership stands either way."""
    with transaction.atomic():
        _require_admin(organization=organization, user=by)
        user = _person(email=email, first_name=first_name, last_name=last_name)
        if Membership.objects.filter(user=user, organization=organization).exists():
            raise DomainError(f"{user.email} fait déjà partie de {organization.name}.", code="ALREADY_MEMBER")
        membership_add(
            user=user, organization=organization, role=ROLE_FOR_KIND[organization.kind], is_admin=is_admin
        )
    inviter = by.get_full_name() or by.email
    intro = f"{inviter} vous a invité à rejoindre {organization.name} sur la plateforme Ségur numérique SONS."
    if user.has_usable_password():
        sent = _send(
            to=user.email,
            subject=f"Vous avez rejoint {organization.name}",
            template="organizations/email/member_added.txt",
            context={"intro": intro, "login_url": settings.SEGUR_SITE_URL + reverse("login")},
        )
    else:
        sent = activation_link_send(
            user=user, subject=f"Invitation à rejoindre {organization.name}", intro=intro
        )
    return sent


def membership_revoke(*, membership: Membership, by: User) -> None:
    """Remove a person from the organisation; its last administrator cannot be removed."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().select_related("organization").get(pk=membership.pk)
        )
        organization = membership.organization
        _require_admin(organization=organization, user=by)
        admins = Membership.objects.filter(organization=organization, is_admin=True)
        if membership.is_admin and admins.count() == 1:
            raise DomainError(
                "Impossible de retirer le dernier administrateur de l'organisme : nommez d'abord "
                "un autre administrateur.",
                code="LAST_ADMIN",
            )
        membership._change_reason = f"Retrait par {by.email}"
        membership.delete()


def _require_admin(*, organization: Organization, user: User) -> None:
    if not Membership.objects.filter(organization=organization, user=user, is_admin=True).exists():
        raise DomainError("Seul un administrateur de l'organisme peut gérer ses membres.", code="FORBIDDEN")


def activation_link_send(*, user: User, subject: str, intro: str) -> bool:
    """E-mail the person a link to choose a password; False when the mail server refused it."""
    link = settings.SEGUR_SITE_URL + reverse(
        "organizations:account_activate",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    return _send(
        to=user.email,
        subject=subject,
        template="organizations/email/activation.txt",
        context={"intro": intro, "link": link, "days": days, "email": user.email},
    )


def _send(*, to: str, subject: str, template: str, context: dict) -> bool:
    body = render_to_string(template, context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:  # the SMTP server's refusal must not undo a decision already committed
        logger.exception("Account e-mail to %s not sent", to)
        return False
    return True
