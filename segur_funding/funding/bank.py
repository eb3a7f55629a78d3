"""Bank details of editors: declared by an administrator of the editor, validated by ASP.

Changing where the State's money goes is the classic fraud on such programmes, so: only the
editor's administrators declare new details; every administrator is told of each declaration
and decision (so that a hijacked account is noticed by its colleagues); nothing is used for a
payment before an ASP reviewer compared the IBAN with the RIB document and validated it; the
details in force stay in force until then. Each payment records the details it was made to.
"""

from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from segur_funding.core import clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.files import JPEG, PDF, PNG, CheckedUpload, safe_filename, upload_check
from segur_funding.notifications.constants import NotificationKind
from segur_funding.notifications.selectors import asp_reviewers
from segur_funding.notifications.services import notification_enqueue
from segur_funding.organizations.constants import BankAccountStatus, OrganizationKind
from segur_funding.organizations.models import BankAccount, Membership, Organization, User
from segur_funding.organizations.rules import BankDetails, bank_details_check, iban_masked
from segur_funding.organizations.selectors import is_asp_reviewer

RIB_KINDS = (PDF, PNG, JPEG)


class BankDetailsInvalid(InvalidInput):
    """Field errors of a declaration, for the form ("iban", "bic", "holder", "document")."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def bank_account_in_force(*, organization: Organization | int) -> BankAccount | None:
    """The validated details the next payment to this editor goes to, or None."""
    organization_id = organization if isinstance(organization, int) else organization.pk
    return bank_accounts_in_force(organizations=[organization_id]).get(organization_id)


def bank_accounts_in_force(*, organizations: Iterable[int]) -> dict[int, BankAccount]:
    """`bank_account_in_force` of many editors in one query: editor id → details in force
    (editors without any are left out)."""
    in_force: dict[int, BankAccount] = {}
    accounts = BankAccount.objects.filter(
        organization_id__in=list(organizations), status=BankAccountStatus.VALIDATED
    ).order_by("organization_id", *BankAccount._meta.ordering)
    for account in accounts:
        in_force.setdefault(account.organization_id, account)
    return in_force


def bank_account_pending(*, organization: Organization | int) -> BankAccount | None:
    return BankAccount.objects.filter(organization=organization, status=BankAccountStatus.PENDING).first()


def _admins(organization: Organization) -> QuerySet[User]:
    return User.objects.filter(
        memberships__organization=organization, memberships__is_admin=True, is_active=True
    ).distinct()


def _notify(*, kind: str, account: BankAccount, recipients, **context: object) -> None:
    notification_enqueue(
        kind=kind,
        recipients=recipients,
        context={
            "organization_name": account.organization.name,
            "iban_masked": iban_masked(account.iban),
            "holder": account.holder,
            **context,
        },
        link=reverse("funding:bank_details"),
    )


def bank_account_check(
    *, organization: Organization, user: User, holder: str, iban: str, bic: str, document: UploadedFile | None
) -> tuple[BankDetails, CheckedUpload, str]:
    """Check a declaration without writing anything: who declares (DomainError), then every field
    (BankDetailsInvalid with all the field errors at once). Returns the compact details, the
    checked RIB document and the holder."""
    if organization.kind != OrganizationKind.EDITOR:
        raise DomainError("Seuls les éditeurs déclarent des coordonnées bancaires.", code="NOT_AN_EDITOR")
    if not Membership.objects.filter(organization=organization, user=user, is_admin=True).exists():
        raise DomainError(
            "Seul un administrateur de l'éditeur peut modifier ses coordonnées bancaires.", code="FORBIDDEN"
        )
    details, errors = bank_details_check(iban_text=iban, bic_text=bic)
    holder = (holder or "").strip()
    if not holder:
        errors["holder"] = "Indiquez le titulaire du compte, tel qu'il figure sur le RIB."
    checked = None
    if document is None:
        errors["document"] = "Joignez le RIB (PDF, PNG ou JPEG) : l'ASP le compare à l'IBAN saisi."
    else:
        try:
            checked = upload_check(
                document, name=document.name or "rib.pdf", size=document.size or 0, kinds=RIB_KINDS
            )
        except InvalidInput as error:
            errors["document"] = error.message
    if errors:
        raise BankDetailsInvalid(errors)
    return details, checked, holder


def bank_account_submit(
    *, organization: Organization, user: User, holder: str, iban: str, bic: str, document: UploadedFile | None
) -> BankAccount:
    """Declare new bank details; they wait for ASP and replace any declaration still waiting."""
    details, checked, holder = bank_account_check(
        organization=organization, user=user, holder=holder, iban=iban, bic=bic, document=document
    )
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=organization.pk)  # one declaration at a time
        BankAccount.objects.filter(organization=organization, status=BankAccountStatus.PENDING).update(
            status=BankAccountStatus.SUPERSEDED
        )
        account = BankAccount(
            organization=organization,
            holder=holder,
            iban=details.iban,
            bic=details.bic,
            document_sha256=checked.sha256,
            submitted_by=user,
            submitted_at=clock.now(),
        )
        account.document.save(safe_filename(checked.original_name), document, save=False)
        account.save()
        submitted_by = user.get_full_name() or user.email
        _notify(
            kind=NotificationKind.BANK_DETAILS_SUBMITTED,
            account=account,
            recipients=_admins(organization),
            submitted_by=submitted_by,
        )
        _notify(
            kind=NotificationKind.BANK_DETAILS_SUBMITTED,
            account=account,
            recipients=asp_reviewers(),
            submitted_by=submitted_by,
        )
    return account


def _decide(account: BankAccount, reviewer: User) -> BankAccount:
    if not is_asp_reviewer(user=reviewer):
        raise DomainError("Seule l'ASP valide les coordonnées bancaires.", code="FORBIDDEN")
    locked = BankAccount.objects.select_for_update().select_related("organization").get(pk=account.pk)
    if locked.status != BankAccountStatus.PENDING:
        raise DomainError(
            f"Ces coordonnées ne sont plus à valider ({locked.get_status_display().lower()}).",
            code="ALREADY_DECIDED",
        )
    if locked.submitted_by_id == reviewer.pk:
        raise DomainError(
            "On ne valide pas des coordonnées bancaires que l'on a soi-même déclarées.", code="FORBIDDEN"
        )
    return locked


@transaction.atomic
def bank_account_validate(*, account: BankAccount, reviewer: User) -> BankAccount:
    """Put the details in force: the previous ones are kept as « remplacées »."""
    account = _decide(account, reviewer)
    BankAccount.objects.filter(organization=account.organization, status=BankAccountStatus.VALIDATED).update(
        status=BankAccountStatus.SUPERSEDED
    )
    account.status = BankAccountStatus.VALIDATED
    account.decided_by, account.decided_at = reviewer, clock.now()
    account.save()
    _notify(
        kind=NotificationKind.BANK_DETAILS_DECIDED,
        account=account,
        recipients=_admins(account.organization),
        validated=True,
    )
    return account


@transaction.atomic
def bank_account_reject(*, account: BankAccount, reviewer: User, reason: str) -> BankAccount:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Indiquez le motif du refus : il est envoyé aux administrateurs de l'éditeur.")
    account = _decide(account, reviewer)
    account.status = BankAccountStatus.REJECTED
    account.decided_by, account.decided_at = reviewer, clock.now()
    account.rejection_reason = reason
    account.save()
    _notify(
        kind=NotificationKind.BANK_DETAILS_DECIDED,
        account=account,
        recipients=_admins(account.organization),
        validated=False,
        reason=reason,
    )
    return account
