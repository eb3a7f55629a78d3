"""Read a PDF quote into the SPEC §4 quote-document shape, plus what to check by hand.

The implementation lives in segur_funding.quotes.pdf (one module per concern: opening the file
safely, positioned text, rows, the table, header fields); this module is the stable entry point
the checker, the API and the `check_quote` command import.
"""

from segur_funding.quotes.pdf.opening import (
    LOCKED_PDF_REFUSAL,
    MAX_BYTES,
    MAX_PAGES,
    needs_password,
    read_pdf_seal,
)
from segur_funding.quotes.pdf.reader import PdfReading, read_pdf_quote

__all__ = [
    "LOCKED_PDF_REFUSAL",
    "MAX_BYTES",
    "MAX_PAGES",
    "PdfReading",
    "needs_password",
    "read_pdf_quote",
    "read_pdf_seal",
]
