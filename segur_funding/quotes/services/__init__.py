"""Writes on quotes, one module per responsibility; each function owns its transaction, writes the
history row of the move and schedules its tasks on commit.

- `lines`: the lines an editor types and the State-funding line suggested to them;
- `checking`: the one checker of SPEC §4 (`checker.quote_check_document` /
  `checker.quote_check_file`) run on a quote, its report kept, or frozen once signed;
- `drafting`: the editor drafts, updates, issues and cancels a web quote;
- `printing`: the issued quote's sealed PDF (rendered in a task), the signed quote's PDF and
  the check report's PDF;
- `signature`: the lab signs an issued quote (signatory, options declined one by one), then
  declares the service delivered;
- `uploads`: PDF quotes a lab received elsewhere, kept and checked in the background;
- `common`: the history row, the compare-and-set move and who may act, shared by the others.

Callers import from this package (`from segur_funding.quotes.services import quote_sign`), not
from its modules.
"""

from .checking import FROZEN_REPORT_STATUSES, document_check, quote_check
from .common import quote_editor_require
from .drafting import quote_cancel, quote_create, quote_issue, quote_update
from .lines import LineInput, StateLineSuggestion, lines_with_state_line, state_line_suggestion
from .printing import quote_pdf_bytes, quote_pdf_render, quote_report_pdf_bytes, signed_quote_pdf_bytes
from .signature import offered_lines, quote_declare_delivery, quote_sign
from .uploads import MAX_UPLOAD_BYTES, quote_upload, uploaded_quote_check

__all__ = [
    "FROZEN_REPORT_STATUSES",
    "MAX_UPLOAD_BYTES",
    "LineInput",
    "StateLineSuggestion",
    "document_check",
    "lines_with_state_line",
    "offered_lines",
    "quote_cancel",
    "quote_check",
    "quote_create",
    "quote_declare_delivery",
    "quote_editor_require",
    "quote_issue",
    "quote_pdf_bytes",
    "quote_pdf_render",
    "quote_report_pdf_bytes",
    "quote_sign",
    "quote_update",
    "quote_upload",
    "signed_quote_pdf_bytes",
    "state_line_suggestion",
    "uploaded_quote_check",
]
