"""Editor pages of funding requests: file the advance and the balance, answer an "à modifier".

The ASP works in the admin (see admin.py). Every page starts from the user's editors, so another
editor's quote or request answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from segur_funding.core.errors import DomainError
from segur_funding.core.files import pdf_download, private_storage
from segur_funding.core.pagination import uncounted_page_of
from segur_funding.organizations.selectors import is_asp_reviewer
from segur_funding.quotes.selectors import QUOTE_HEAVY_FIELDS, quotes_for_editor, user_roles

from . import rules, services
from .constants import RequestAction, RequestStatus
from .forms import AdvanceForm, BalanceForm, CorrectionAnswerForm
from .models import FundingRequest
from .selectors import (
    quote_funding_summary,
    quotes_awaiting_request,
    request_with_details,
    requests_for_editor,
)


def _bound(request: HttpRequest) -> tuple:
    """Form arguments: bound on POST (even an empty one), unbound otherwise."""
    if request.method == "POST":
        return (request.POST, request.FILES)
    return ()


def roles(request: HttpRequest) -> dict[str, bool]:
    return user_roles(user=request.user)


@login_required
def editor_list(request: HttpRequest) -> HttpResponse:
    r = roles(request)
    if not r["is_editor"]:
        raise Http404
    requests = requests_for_editor(user=request.user)
    # « ?statut=paid »: the link of the digest of a payment file (« Versements effectués »).
    status = request.GET.get("statut")
    status_label = dict(RequestStatus.choices).get(status)
    if status_label:
        requests = requests.filter(status=status)
    # Uncounted: the COUNT(*) of a large editor's requests grows with them (bench/NOTES.md).
    page = uncounted_page_of(
        request,
        requests.defer(*(f"quote__{name}" for name in QUOTE_HEAVY_FIELDS)).order_by("-submitted_at", "-pk"),
        by_ids=True,
    )
    return render(
        request,
        "funding/editor_list.html",
        {
            "requests": page.object_list,
            "page": page,
            "status_label": status_label,
            "awaiting": uncounted_page_of(
                request, quotes_awaiting_request(user=request.user), param="a_demander"
            ),
            **r,
        },
    )


def _file_request(request: HttpRequest, quote_pk: int, *, milestone: str, form_class, file, success: str):
    """The editor files one milestone of a quote: the same page and flow for advance and balance;
    `file(quote, cleaned_data)` calls the milestone's service."""
    quote = get_object_or_404(quotes_for_editor(user=request.user), pk=quote_pk)
    form = form_class(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            funding_request = file(quote, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, success)
            return redirect("funding:request_detail", pk=funding_request.pk)
    return render(
        request,
        "funding/file_form.html",
        {
            "quote": quote,
            "form": form,
            "milestone": milestone,
            "funding": quote_funding_summary(quote=quote),
            **roles(request),
        },
    )


@login_required
def advance_file(request: HttpRequest, quote_pk: int) -> HttpResponse:
    return _file_request(
        request,
        quote_pk,
        milestone="advance",
        form_class=AdvanceForm,
        file=lambda quote, data: services.advance_request_file(
            quote=quote, user=request.user, comment=data["comment"]
        ),
        success="Demande d'avance déposée auprès de l'ASP.",
    )


@login_required
def balance_file(request: HttpRequest, quote_pk: int) -> HttpResponse:
    return _file_request(
        request,
        quote_pk,
        milestone="balance",
        form_class=BalanceForm,
        file=lambda quote, data: services.balance_request_file(
            quote=quote, user=request.user, invoice=data["invoice"], comment=data["comment"]
        ),
        success="Demande de solde déposée auprès de l'ASP.",
    )


def _answer(request: HttpRequest, funding_request, form: CorrectionAnswerForm) -> bool:
    """Run the editor's answer through the service; False (errors on the form) when refused."""
    if not (form.is_valid() or form.only_missing()):
        return False
    try:
        services.funding_request_resubmit(request=funding_request, user=request.user, **form.answer())
    except services.CorrectionAnswerInvalid as exc:
        form.set_errors(exc.errors)
        return False
    except DomainError as exc:
        form.set_errors({"__all__": exc.message})
        return False
    return True


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    funding_request = get_object_or_404(request_with_details(requests_for_editor(user=request.user)), pk=pk)
    corrections = list(funding_request.corrections.all())
    form = None
    status = 200
    if rules.WORKFLOW.step(funding_request.status, RequestAction.RESUBMIT) is not None:
        open_reasons = next((c.reasons for c in corrections if c.resolved_at is None), [])
        form = CorrectionAnswerForm(rules.answer_parts(open_reasons), *_bound(request))
        if request.method == "POST":
            if _answer(request, funding_request, form):
                messages.success(request, "Demande corrigée et redéposée auprès de l'ASP.")
                return redirect("funding:request_detail", pk=funding_request.pk)
            status = 400
    return render(
        request,
        "funding/request_detail.html",
        {
            "funding_request": funding_request,
            "quote": funding_request.quote,
            "events": list(funding_request.events.all()),
            "corrections": corrections,
            "payment": getattr(funding_request, "payment", None),
            "form": form,
            **roles(request),
        },
        status=status,
    )


@login_required
def request_invoice(request: HttpRequest, pk: int) -> FileResponse:
    funding_request = get_object_or_404(requests_for_editor(user=request.user), pk=pk)
    return pdf_download(funding_request.invoice, filename=funding_request.invoice_download_name)


@login_required
def correction_document(
    request: HttpRequest, pk: int, correction_pk: int, index: int, side: str
) -> FileResponse:
    """A document of an answer, before (`old`) or after (`new`) it: for the editor's members and
    the ASP, who compares them in the request's history."""
    if side not in ("old", "new"):
        raise Http404
    requests = (
        FundingRequest.objects.all()
        if is_asp_reviewer(user=request.user)
        else requests_for_editor(user=request.user)
    )
    funding_request = get_object_or_404(requests.select_related("quote"), pk=pk)
    correction = get_object_or_404(funding_request.corrections, pk=correction_pk)
    changes = correction.changes or []
    if index >= len(changes) or not changes[index].get(f"{side}_path"):
        raise Http404
    change = changes[index]
    when = "avant" if side == "old" else "apres"
    storage = private_storage()
    response = FileResponse(
        storage.open(change[f"{side}_path"], "rb"),
        as_attachment=True,
        filename=f"{change['part']}-{when}-{funding_request.quote.number}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
