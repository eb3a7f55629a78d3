"""PDF rendering from a Django template with WeasyPrint (imported lazily: start-up stays fast)."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string


def pdf_render(*, template_name: str, context: dict[str, Any]) -> bytes:
    """Render `template_name` to PDF bytes. Call from a task: it takes a second or so."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
