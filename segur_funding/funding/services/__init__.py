"""Writes on funding requests: filing (`requests`), answering an « à modifier »
(`corrections`), ASP decisions (`instruction`), payments (`payments`), exports (`exports`); what
they share is in `_base`.

Each function owns its transaction and writes the history row of its move. Money moves follow
one pattern: lock the row (`select_for_update`, a real lock on PostgreSQL; SQLite serialises
writers with BEGIN IMMEDIATE), then a compare-and-set update that only touches the row if its
status is still the one we read, then the payment row that a unique constraint per (quote,
milestone) protects a third time. Two reviewers clicking "pay" together get one payment and one
clear message.
"""

from .corrections import BankAnswer, CorrectionAnswerInvalid, funding_request_resubmit
from .exports import export_job_create, export_job_run
from .instruction import funding_request_refuse, funding_request_send_back, funding_request_validate
from .payments import (
    NO_BANK_DETAILS_MESSAGE,
    BulkPaymentOutcome,
    PaymentLine,
    payment_record,
    payments_record_bulk,
)
from .requests import advance_request_file, balance_request_file

__all__ = [
    "NO_BANK_DETAILS_MESSAGE",
    "BankAnswer",
    "BulkPaymentOutcome",
    "CorrectionAnswerInvalid",
    "PaymentLine",
    "advance_request_file",
    "balance_request_file",
    "export_job_create",
    "export_job_run",
    "funding_request_refuse",
    "funding_request_resubmit",
    "funding_request_send_back",
    "funding_request_validate",
    "payment_record",
    "payments_record_bulk",
]
