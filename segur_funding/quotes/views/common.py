"""What the quote pages share: the user's roles (the header's links), the quotes home, the lists,
the PDF answers."""

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from segur_funding.core.errors import DomainError
from segur_funding.core.files import pdf_download
from segur_funding.core.pagination import uncounted_page_of

from .. import services
from ..models import Quote
from ..selectors import user_roles


def roles(request: HttpRequest) -> dict[str, bool]:
    return user_roles(user=request.user)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    r = roles(request)
    if r["is_editor"]:
        return redirect("quotes:editor_list")
    if r["is_lab"]:
        return redirect("quotes:lab_list")
    raise Http404


def quote_list_page(request: HttpRequest, quotes: QuerySet[Quote], template: str) -> HttpResponse:
    """A page of the user's quotes, newest first, without the document the list does not show.

    No COUNT(*): an editor's quotes grow with the programme (tens of thousands at national
    scale) and counting them all cost more than the page (issue 17); « Page N » and « Page
    suivante » are read with one more row than the page shows, on the editor's index."""
    page = uncounted_page_of(request, quotes.defer("document", "overrides").order_by("-created_at", "-id"))
    return render(request, template, {"quotes": page.object_list, "page": page, **roles(request)})


def quote_pdf_response(quote: Quote) -> FileResponse:
    return pdf_download(quote.pdf, filename=quote.pdf_download_name)


def signed_pdf_response(quote: Quote) -> HttpResponse:
    try:
        content = services.signed_quote_pdf_bytes(quote)
    except DomainError:
        raise Http404 from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quote.signed_pdf_download_name}"'
    return response
