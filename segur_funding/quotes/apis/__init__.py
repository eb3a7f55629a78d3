"""Quotes API: editors write, check and issue quotes; labs read them with their check report,
check a quote document or upload a PDF, sign and declare delivery; anyone can run the checker
on a JSON document (throttled).

Every list starts from the user's organisations (selectors): another editor's or lab's quote
answers 404. Commands call the same services as the web pages; the check is the one checker of
SPEC §4, so the report is the one `manage.py check_quote` prints for the same document.
"""

from .checker import PublicQuoteCheckView, QuoteCheckView
from .editor import EditorQuoteViewSet
from .lab import LabQuoteViewSet

__all__ = ["EditorQuoteViewSet", "LabQuoteViewSet", "PublicQuoteCheckView", "QuoteCheckView"]
