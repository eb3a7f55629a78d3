"""Web pages of quotes: the editor writes and issues them, the lab checks, signs and declares delivery.

Every page starts from the user's organisations (selectors), so another editor's or lab's quote
answers 404. Writes go through services; a DomainError becomes a French message on the page.

- `editor`: the editor's list, one quote, issue and cancel, its PDFs;
- `editor_form`: the quote form (a draft created or edited, checked live);
- `lab`: the lab's list, one quote, signature, delivery declaration, PDFs;
- `upload`: a PDF quote the lab received elsewhere;
- `common`: the user's roles, the quotes home and the PDF answers, shared by the others.
"""

from .common import index
from .editor import editor_cancel, editor_detail, editor_issue, editor_list, editor_pdf, editor_signed_pdf
from .editor_form import editor_create, editor_edit
from .lab import lab_deliver, lab_detail, lab_list, lab_pdf, lab_report_pdf, lab_sign, lab_signed_pdf
from .upload import lab_upload

__all__ = [
    "editor_cancel",
    "editor_create",
    "editor_detail",
    "editor_edit",
    "editor_issue",
    "editor_list",
    "editor_pdf",
    "editor_signed_pdf",
    "index",
    "lab_deliver",
    "lab_detail",
    "lab_list",
    "lab_pdf",
    "lab_report_pdf",
    "lab_sign",
    "lab_signed_pdf",
    "lab_upload",
]
