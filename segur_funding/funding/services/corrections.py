"""The editor's answer to an « à modifier »: exactly what the ASP asked for, or nothing.

Each reason of the open correction asks for its parts (`rules.CORRECTION_ANSWERS`): a signed
quote, an invoice, a VA/MOM declaration, a corrected amount, new bank details, the client's
identity. The answer is checked whole before anything is written, so an incomplete answer, a
wrong IBAN or a RIB declared by a member who is not an administrator leaves the request, the
files and the bank details as they were, with every French reason at once. Then, in one
transaction: the request's documents and amount, the bank declaration (through the bank-details
flow: it waits for ASP, and the request cannot be validated before it is), the correction row with
each part's old and new value (what the ASP sees side by side), the history row and the notice.
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile

from segur_funding.core import clock
from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.core.files import PDF, safe_filename, upload_check
from segur_funding.organizations.models import User
from segur_funding.organizations.rules import iban_masked
from segur_funding.quotes.services import quote_editor_require
from segur_funding.referential import rules as af_rules

from .. import bank, notify, rules
from ..constants import Actor, AnswerPart, Milestone, RequestAction
from ..models import CorrectionRequest, FundingRequest, Payment
from ._base import _locked_request, _move, _scheme

# Field names of the bank part (form and API); the RIB document is "rib" beside the answer's
# other documents, "document" in the bank-details flow.
BANK_FIELDS = {"holder": "holder", "iban": "iban", "bic": "bic", "document": "rib"}
DEFAULT_NAMES = {
    AnswerPart.SIGNED_QUOTE: "devis-signe.pdf",
    AnswerPart.INVOICE: "facture.pdf",
    AnswerPart.DELIVERY_DECLARATION: "declaration-va-mom.pdf",
}


class CorrectionAnswerInvalid(InvalidInput):
    """Every problem of an answer, per field (`comment`, `signed_quote`, `invoice`,
    `delivery_declaration`, `amount`, `client_identity`, `bank_details`, `holder`, `iban`, `bic`,
    `rib`), for the form and the API."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class BankAnswer:
    holder: str = ""
    iban: str = ""
    bic: str = ""
    rib: UploadedFile | None = None

    @property
    def given(self) -> bool:
        return bool(self.holder.strip() or self.iban.strip() or self.bic.strip() or self.rib)


def _ceiling(request: FundingRequest) -> Decimal:
    """The most this milestone may ask: the AF's advance of the funded amount, or what is left
    of it once the advance was paid."""
    if request.milestone == Milestone.ADVANCE:
        return af_rules.milestones(request.funded_amount, _scheme(request.quote).advance_rate).advance
    paid = Payment.objects.filter(quote_id=request.quote_id, milestone=Milestone.ADVANCE).first()
    return request.funded_amount - (paid.amount if paid else Decimal(0))


def _bank_in_answer_summary(account) -> str:
    if account is None:
        return ""
    return f"{account.holder} — {iban_masked(account.iban)} — {account.bic}"


def _client_identity(request: FundingRequest) -> str:
    client = request.quote.client
    parts = [
        client.name,
        f"SIRET {client.siret}" if client.siret else "",
        f"FINESS {client.finess}" if client.finess else "",
    ]
    return " — ".join(p for p in parts if p)


@transaction.atomic
def funding_request_resubmit(
    *,
    request: FundingRequest,
    user: User,
    comment: str,
    invoice: UploadedFile | None = None,
    signed_quote: UploadedFile | None = None,
    delivery_declaration: UploadedFile | None = None,
    amount: Decimal | None = None,
    client_identity: str = "",
    bank_details: BankAnswer | None = None,
) -> FundingRequest:
    """The editor answers the open « à modifier » with the parts its reasons ask for; the
    correction is resolved and the request goes back to the ASP."""
    request = _locked_request(request.pk)
    quote_editor_require(user=user, quote=request.quote)
    if rules.WORKFLOW.step(request.status, RequestAction.RESUBMIT) is None:
        raise DomainError(
            "Seule une demande « à modifier » peut être corrigée et redéposée.",
            code="ILLEGAL_TRANSITION",
        )
    correction = (
        CorrectionRequest.objects.select_for_update()
        .filter(request=request, resolved_at__isnull=True)
        .order_by("-requested_at", "-id")
        .first()
    )
    reasons = correction.reasons if correction else []
    files = {
        AnswerPart.SIGNED_QUOTE: signed_quote,
        AnswerPart.INVOICE: invoice,
        AnswerPart.DELIVERY_DECLARATION: delivery_declaration,
    }
    bank_details = bank_details or BankAnswer()
    client_identity = (client_identity or "").strip()
    provided = {part for part, upload in files.items() if upload is not None}
    if amount is not None:
        provided.add(AnswerPart.AMOUNT)
    if client_identity:
        provided.add(AnswerPart.CLIENT_IDENTITY)
    if bank_details.given:
        provided.add(AnswerPart.BANK_DETAILS)

    # 1. Check the whole answer; nothing is written before every part is known to be good.
    errors = rules.answer_problems(reasons=reasons, provided=provided, comment=comment)
    for part, upload in files.items():
        if upload is not None and part not in errors:
            try:
                upload_check(
                    upload, name=upload.name or DEFAULT_NAMES[part], size=upload.size or 0, kinds=(PDF,)
                )
            except InvalidInput as error:
                errors[part] = error.message
    if amount is not None and AnswerPart.AMOUNT not in errors:
        refusal = rules.corrected_amount_refusal(amount=amount, ceiling=_ceiling(request))
        if refusal:
            errors[AnswerPart.AMOUNT] = refusal
    if bank_details.given and AnswerPart.BANK_DETAILS not in errors:
        try:
            # Only the editor's administrators change where the money goes (DomainError at once).
            bank.bank_account_check(
                organization=request.editor,
                user=user,
                holder=bank_details.holder,
                iban=bank_details.iban,
                bic=bank_details.bic,
                document=bank_details.rib,
            )
        except bank.BankDetailsInvalid as error:
            errors.update({BANK_FIELDS[field]: message for field, message in error.errors.items()})
    if errors:
        raise CorrectionAnswerInvalid(errors)

    # 2. Write: bank declaration, documents, amount, the correction's answer, the move.
    changes: list[dict[str, object]] = []
    fields: dict[str, object] = {"editor_comment": comment, "submitted_at": clock.now()}
    new_account = None
    if AnswerPart.BANK_DETAILS in provided:
        in_force = bank.bank_account_in_force(organization=request.editor_id)
        new_account = bank.bank_account_submit(
            organization=request.editor,
            user=user,
            holder=bank_details.holder,
            iban=bank_details.iban,
            bic=bank_details.bic,
            document=bank_details.rib,
        )
        changes.append(
            {
                "part": AnswerPart.BANK_DETAILS,
                "old": _bank_in_answer_summary(in_force),
                "new": f"{_bank_in_answer_summary(new_account)} (à valider par l'ASP)",
            }
        )
    for part, upload in files.items():
        if upload is None:
            continue
        field: FieldFile = getattr(request, part)
        old = field.name or ""
        field.save(safe_filename(upload.name, default_ext=".pdf"), upload, save=False)
        fields[part] = field.name
        changes.append(
            {
                "part": part,
                "old": PurePosixPath(old).name,
                "new": PurePosixPath(field.name).name,
                "old_path": old,
                "new_path": field.name,
            }
        )
    if amount is not None:
        changes.append({"part": AnswerPart.AMOUNT, "old": str(request.amount), "new": str(amount)})
        fields["amount"] = amount
    if client_identity:
        changes.append(
            {"part": AnswerPart.CLIENT_IDENTITY, "old": _client_identity(request), "new": client_identity}
        )
    labels = dict(AnswerPart.choices)
    for change in changes:
        change["label"] = str(labels[change["part"]])
    if correction is not None:
        correction.resolved_at = clock.now()
        correction.answer_comment = comment
        correction.answered_by = user
        correction.changes = changes
        correction.bank_account = new_account
        correction.save(
            update_fields=["resolved_at", "answer_comment", "answered_by", "changes", "bank_account"]
        )
    CorrectionRequest.objects.filter(request=request, resolved_at__isnull=True).update(
        resolved_at=clock.now()
    )
    request = _move(
        request,
        action=RequestAction.RESUBMIT,
        actor=Actor.EDITOR,
        user=user,
        comment=comment,
        **fields,
    )
    notify.funding_request_submitted_notify(request=request)
    return request
