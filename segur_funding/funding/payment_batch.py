"""Batch payments: the ASP exports a payment order, pays from its accounting system, and imports
the accounting system's answer file to record every payment at once.

django-import-export reads the file (CSV/XLSX into rows, each cell checked, errors kept per row
number); `services.payments_record_bulk` then judges and records every row at once, asking each
the questions of the single « Enregistrer le versement » (`services.payment_record`) with the
same row locks, compare-and-set of the status and unique payment per milestone: the same
exactly-once guarantee, in a number of queries that does not grow with the file. The whole file
is one transaction: one bad row (unknown request, already paid, amount differing by a cent,
date out of range) and nothing is written, the row named by its line in the file. Importing the
same file again pays nothing twice: every row then reads « déjà enregistré ».
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import tablib
from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from import_export.formats.base_formats import XLSX
from import_export.instance_loaders import BaseInstanceLoader

from segur_funding.core.errors import DomainError
from segur_funding.organizations.models import User
from segur_funding.organizations.selectors import is_asp_reviewer
from segur_funding.referential.resources import RemCSV

from . import services
from .bank import bank_accounts_in_force
from .constants import AWAITING_PAYMENT, Milestone
from .models import FundingRequest

IMPORT_FORMATS = {"csv": RemCSV, "xlsx": XLSX}
MAX_ROWS = 20_000

# The payment order sent to accounting, and the answer expected back (the same first column).
ORDER_HEADERS = [
    "N° de demande",
    "Jalon",
    "Devis",
    "Éditeur",
    "SIREN",
    "Titulaire du compte",
    "IBAN",
    "BIC",
    "Montant à verser (€)",
]
ANSWER_COLUMNS = {
    "request": "N° de demande",
    "amount": "Montant versé (€)",
    "paid_on": "Date de versement",
    "reference": "Référence du versement",
}


# --- Payment order ---------------------------------------------------------------------------


class UnpayableRequest(NamedTuple):
    """A validated request left out of the order: its editor has no bank details in force."""

    pk: int
    editor_name: str
    siren: str


@dataclass
class PaymentOrder:
    rows: list[list]
    without_bank_details: list[UnpayableRequest] = field(default_factory=list)


ORDER_CHUNK = 2_000


def payment_order(*, request_ids: list[int] | None = None) -> PaymentOrder:
    """Validated requests not yet paid, each with the editor's bank details in force.

    A request whose editor has no validated bank details is left out of the order and listed
    apart: it cannot be paid until ASP validates them. Read as tuples (the columns of the
    order only, no model instance: building 30,000 of them, quote JSON and dates parsed, was
    most of the 4–8 s a 10,000-row order took), by chunks, with the bank details of each
    chunk's new editors in one query."""
    requests = (
        FundingRequest.objects.filter(status__in=AWAITING_PAYMENT)
        .order_by("pk")
        .values_list(
            "pk", "milestone", "quote__number", "editor_id", "editor__name", "editor__siren", "amount"
        )
    )
    if request_ids is not None:
        requests = requests.filter(pk__in=request_ids)
    milestones = dict(Milestone.choices)
    order = PaymentOrder(rows=[list(ORDER_HEADERS)])
    in_force: dict[int, Any] = {}
    chunk: list[tuple] = []

    def flush() -> None:
        new = {row[3] for row in chunk} - in_force.keys()
        if new:
            found = bank_accounts_in_force(organizations=new)
            in_force.update({editor_id: found.get(editor_id) for editor_id in new})
        for pk, milestone, number, editor_id, editor_name, siren, amount in chunk:
            account = in_force[editor_id]
            if account is None:
                order.without_bank_details.append(UnpayableRequest(pk, editor_name, siren))
                continue
            order.rows.append(
                [
                    str(pk),
                    milestones.get(milestone, milestone),
                    number,
                    editor_name,
                    siren,
                    account.holder,
                    account.iban,
                    account.bic,
                    amount,
                ]
            )
        chunk.clear()

    for row in requests.iterator(chunk_size=ORDER_CHUNK):
        chunk.append(row)
        if len(chunk) == ORDER_CHUNK:
            flush()
    flush()
    return order


# --- Answer file -----------------------------------------------------------------------------


class FrenchDecimalWidget(widgets.Widget):
    """« 9 882,00 », « 9882.00 », « 9 882,00 € » or a spreadsheet number: a Decimal in euros."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal | None:
        if value is None or str(value).strip() == "":
            raise ValueError("montant absent")
        if isinstance(value, float):  # a spreadsheet cell: its shortest decimal form
            value = repr(value)
        text = str(value).replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "")
        text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"montant illisible « {value} »") from None
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise ValueError(f"montant illisible « {value} » (deux décimales au plus)")
        return amount


class FrenchDateWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> date:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value or "").strip()
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date
            except ValueError:
                continue
        raise ValueError(f"date illisible « {text} » (JJ/MM/AAAA attendu)")


class RequestNumberWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int:
        text = str(
            value if not isinstance(value, float) else int(value) if value.is_integer() else value
        ).strip()
        if not text.isdigit() or len(text) > 12:
            raise ValueError(f"numéro de demande illisible « {text} »")
        return int(text)


@dataclass
class PaymentLine:
    request: int | None = None
    amount: Decimal | None = None
    paid_on: date | None = None
    reference: str = ""
    line: int = 0  # as the spreadsheet shows it (header = 1)
    # Filled when the row checks out, for the preview.
    editor: str = ""
    milestone: str = ""


class PaymentFileResource(resources.Resource):
    """Reads the accounting system's answer: one row → one `PaymentLine`, each cell checked by
    its widget. Nothing is looked up nor written here: the lines are then judged (reference,
    request named twice, …) and recorded together by `services.payments_record_bulk`."""

    request = fields.Field(
        attribute="request", column_name=ANSWER_COLUMNS["request"], widget=RequestNumberWidget()
    )
    amount = fields.Field(
        attribute="amount", column_name=ANSWER_COLUMNS["amount"], widget=FrenchDecimalWidget()
    )
    paid_on = fields.Field(
        attribute="paid_on", column_name=ANSWER_COLUMNS["paid_on"], widget=FrenchDateWidget()
    )
    reference = fields.Field(attribute="reference", column_name=ANSWER_COLUMNS["reference"])

    class Meta:
        use_transactions = True
        # No savepoint per row (two queries a row): rows are only read here, and what is written
        # is written at once, after them.
        use_bulk = True
        skip_diff = True
        import_id_fields = ()
        instance_loader_class = BaseInstanceLoader  # every row is a new payment, nothing to look up

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lines: list[PaymentLine] = []

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        missing = [name for name in ANSWER_COLUMNS.values() if name not in (dataset.headers or [])]
        if missing:
            dataset.wipe()
            raise ValidationError(
                "Colonnes absentes du fichier : " + ", ".join(f"« {name} »" for name in missing) + "."
            )
        if len(dataset) > MAX_ROWS:
            dataset.wipe()
            raise ValidationError(f"Le fichier dépasse {MAX_ROWS} lignes : découpez-le.")

    def get_instance(self, instance_loader: Any, row: Any) -> None:
        return None

    def init_instance(self, row: Any = None) -> PaymentLine:
        return PaymentLine()

    def import_field(
        self, field: fields.Field, instance: PaymentLine, row: Any, is_m2m: bool = False, **kwargs
    ):
        try:
            value = field.clean(row, **kwargs)
        except ValueError as error:
            raise ValidationError({field.attribute: str(error)}) from None
        if field.attribute == "reference":
            value = str(value or "")  # stripped, and refused when blank, by the service
        setattr(instance, field.attribute, value)

    def validate_instance(
        self, instance: PaymentLine, import_validation_errors: dict | None = None, **kwargs
    ):
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def save_instance(self, instance: PaymentLine, is_create: bool, row: Any, **kwargs: Any) -> None:
        instance.line = kwargs.get("row_number", 0) + 1
        self.lines.append(instance)


@dataclass
class ImportOutcome:
    lines: list[PaymentLine]
    errors: list[str]  # « Ligne 3 : … », the line as the spreadsheet shows it (header = 1)
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def read_dataset(content: bytes, *, file_format: str) -> tablib.Dataset:
    try:
        fmt = IMPORT_FORMATS[file_format]()
    except KeyError:
        raise DomainError("Format de fichier non pris en charge : CSV ou XLSX attendu.") from None
    try:
        return fmt.create_dataset(content)
    except Exception:  # a damaged file: tablib and openpyxl raise many kinds
        raise DomainError("Fichier illisible : vérifiez qu'il s'agit bien d'un CSV ou d'un XLSX.") from None


def payment_file_import(*, content: bytes, file_format: str, user: User, dry_run: bool) -> ImportOutcome:
    """Check (dry run) or record every payment of the file, all or nothing.

    The preview and the import run the same code: the file is read, then every line it could
    read is judged by `services.payments_record_bulk` (which writes only when asked to and when
    no line is refused). Every refusal is listed, by line, whether it came from reading or from
    judging."""
    if not is_asp_reviewer(user=user):
        raise DomainError("Seul un instructeur de l'ASP peut enregistrer des versements.", code="FORBIDDEN")
    dataset = read_dataset(content, file_format=file_format)
    resource = PaymentFileResource()
    result = resource.import_data(
        dataset, dry_run=True, use_transactions=True, rollback_on_validation_errors=True
    )
    errors = sorted(_errors(result))
    if result.base_errors:
        return ImportOutcome(lines=[], errors=[message for _line, message in errors], dry_run=dry_run)
    lines = resource.lines
    checked = services.payments_record_bulk(
        lines=[
            services.PaymentLine(
                line=line.line,
                request_id=line.request,
                amount=line.amount,
                paid_on=line.paid_on,
                reference=line.reference,
            )
            for line in lines
        ],
        user=user,
        # Write only when the whole file was read: one unreadable row and nothing is paid.
        dry_run=dry_run or bool(errors),
    )
    errors = sorted([*errors, *checked.errors.items()])
    if errors:
        return ImportOutcome(
            lines=[], errors=[f"Ligne {line} : {message}" for line, message in errors], dry_run=dry_run
        )
    for line in lines:
        request = checked.requests[line.request]
        line.editor = request.editor.name
        line.milestone = request.get_milestone_display()
    return ImportOutcome(lines=lines, errors=[], dry_run=dry_run)


def _errors(result: Any) -> Iterator[tuple[int, str]]:
    for error in result.base_errors:
        yield 0, _message(error.error)
    for invalid in result.invalid_rows:
        yield invalid.number + 1, _message(invalid.error)
    for number, row_errors in result.row_errors():
        for error in row_errors:
            yield number + 1, _message(error.error)


def _message(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "message_dict"):
            return " ; ".join(message for messages in error.message_dict.values() for message in messages)
        return " ; ".join(error.messages)
    return "erreur inattendue lors de la lecture de la ligne"
