"""Free a PDF library's objects as soon as a reading is done with them.

pypdf, pdfplumber and pdfminer keep their objects in reference cycles: every pypdf object points
back to its reader, a pdfplumber page to itself (`root_page`, a cache of its own bound method),
pdfminer's document and parser to each other, pypdf's extractor to the visitors it was handed.
Left as they are, a whole file's objects, pages, characters and layout wait for a pass of Python's
cyclic collector, which walks each of them before freeing it (a tenth of a small quote's reading).
Emptying the objects that close the cycles lets reference counting free the rest at once
(tests/quotes/test_pdf_hostile.py checks nothing of a file is left to the collector).
"""

from typing import Any


def release(*objects: Any) -> None:
    """Empty each object (its attributes): only for objects the reading will not use again."""
    for thing in objects:
        thing.__dict__.clear()
