"""Web pages of quotes: the editor writes and issues them, the lab checks, signs and declares delivery.

Every page starts from the user's organisations (selectors), so another editor's or lab's quote
answers 404. Writes go through services; a DomainError becomes a French message on the page.
"""


from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from segur_funding.core import clock
from segur_funding.core.errors import DomainError
from segur_funding.core.files import pdf_download
from segur_funding.core.pagination import page_of
from segur_funding.organizations.selectors import user_clients, user_editors
from segur_funding.referential.selectors import scheme_ref_for_dsr

from . import services
from .constants import QuoteAction, QuoteActor, Scope
from .forms import DeliveryForm, LineFormSet, QuoteForm, SignForm, UploadForm, blank_line_formset
from .funding_panel import quote_funding_summary
from .models import CheckStatus, Quote, QuoteLine, QuoteOrigin, QuoteStatus
from .rules.workflow import WORKFLOW
from .selectors import (
    ReadLine,
    ReferencingDates,
    document_build,
    lab_for_upload,
    lab_tier,
    out_of_scope_total,
    quote_with_details,
    quotes_for_editor,
    quotes_for_lab,
    read_lines,
    user_roles,
)

LINES_PREFIX = "lines"
BLANK_LINES = 2


def _bound(request: HttpRequest) -> tuple:
    """Form arguments: bound on POST (even an empty one), unbound otherwise."""
    if request.method == "POST":
        return (request.POST, request.FILES)
    return ()


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


# --- Editor -----------------------------------------------------------------------------------


@login_required
def editor_list(request: HttpRequest) -> HttpResponse:
    quotes = quotes_for_editor(user=request.user).defer("document", "overrides")
    page = page_of(request, quotes.order_by("-created_at", "-id"))
    return render(
        request, "quotes/editor_list.html", {"quotes": page.object_list, "page": page, **roles(request)}
    )


def _formset_data(lines, *, blanks: int = BLANK_LINES) -> dict[str, str]:
    """Lines as POST data: the page is always re-rendered from bound forms (no JS needed)."""
    data = {
        f"{LINES_PREFIX}-TOTAL_FORMS": str(len(lines) + blanks),
        f"{LINES_PREFIX}-INITIAL_FORMS": "0",
    }
    for i, line in enumerate(lines):
        p = f"{LINES_PREFIX}-{i}-"
        data[p + "label"] = line.label
        data[p + "scope"] = line.scope
        data[p + "dsr_codes"] = line.dsr_codes
        if line.is_technical_debt:
            data[p + "is_technical_debt"] = "on"
        data[p + "amount_ht"] = "" if line.amount_ht is None else f"{line.amount_ht:.2f}".replace(".", ",")
        data[p + "amount_ttc"] = f"{line.amount_ttc:.2f}".replace(".", ",")
    return data


def _live_check(quote: Quote | None, form: QuoteForm, lines) -> tuple[dict | None, str, object]:
    """Check the unsaved page with the one checker. Returns (report, error, scheme)."""
    dossier = form.cleaned_data["dossier"]
    client = form.cleaned_data["client"]
    scheme = scheme_ref_for_dsr(dsr_code=dossier.dsr.code)
    document = document_build(
        number=quote.number if quote else "BROUILLON",
        dsr_code=dossier.dsr.code,
        client=client,
        referencing=ReferencingDates(dossier.referenced_on, dossier.proofs_complete_on),
        order_date=form.cleaned_data.get("order_date") or clock.today(),
        signature_date=None,
        mentions=[m.strip() for m in form.cleaned_data["mentions"].splitlines() if m.strip()],
        conditions=[c.strip() for c in form.cleaned_data["conditions"].splitlines() if c.strip()],
        lines=[
            QuoteLine(
                label=x.label,
                scope=x.scope,
                dsr_codes=x.dsr_codes,
                amount_ht=x.amount_ht,
                amount_ttc=x.amount_ttc,
            )
            for x in lines
        ],
        scheme=scheme,
    )
    try:
        return services.document_check(document), "", scheme
    except DomainError as exc:
        return None, exc.message, scheme


def _quote_form_page(request: HttpRequest, quote: Quote | None) -> HttpResponse:
    user = request.user
    template = "quotes/editor_form.html"
    report, check_error, suggestion, tier = None, "", None, None
    if request.method != "POST":
        if quote is None:
            form = QuoteForm(user=user)
            formset = blank_line_formset(6, prefix=LINES_PREFIX)
        else:
            form = QuoteForm(
                user=user,
                initial={
                    "client": quote.client,
                    "dossier": quote.dossier,
                    "order_date": quote.order_date,
                    "mentions": quote.mentions,
                    "conditions": quote.conditions,
                },
            )
            formset = LineFormSet(_formset_data(list(quote.lines.all())), prefix=LINES_PREFIX)
            report = quote.check_report
        return render(
            request,
            template,
            {
                "form": form,
                "formset": formset,
                "quote": quote,
                "report": report,
                **roles(request),
            },
        )

    action = request.POST.get("action", "check")
    form = QuoteForm(request.POST, user=user)
    formset = LineFormSet(request.POST, prefix=LINES_PREFIX)
    if action == "add_lines":
        lines = [f.to_input() for f in formset.forms if f.is_valid() and f.has_changed()]
        formset = LineFormSet(_formset_data(lines, blanks=BLANK_LINES + 3), prefix=LINES_PREFIX)
    elif form.is_valid() and formset.is_valid():
        lines = formset.line_inputs()
        report, check_error, scheme = _live_check(quote, form, lines)
        wording = scheme.state_funding_wording if scheme else ""
        suggestion = services.state_line_suggestion(lines=lines, report=report, wording=wording)
        if action == "add_state_line" and suggestion and not suggestion.already_there:
            lines = services.lines_with_state_line(lines=lines, suggestion=suggestion)
            report, check_error, scheme = _live_check(quote, form, lines)
            suggestion = services.state_line_suggestion(lines=lines, report=report, wording=wording)
            formset = LineFormSet(_formset_data(lines), prefix=LINES_PREFIX)
        elif action == "save":
            fields = {
                "client": form.cleaned_data["client"],
                "dsr": form.cleaned_data["dossier"].dsr,
                "dossier": form.cleaned_data["dossier"],
                "order_date": form.cleaned_data.get("order_date"),
                "mentions": form.cleaned_data["mentions"],
                "conditions": form.cleaned_data["conditions"],
                "lines": lines,
            }
            try:
                if quote is None:
                    saved = services.quote_create(
                        user=user, editor=form.cleaned_data["dossier"].editor, **fields
                    )
                else:
                    saved = services.quote_update(quote=quote, user=user, **fields)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    f"Devis {saved.number} enregistré (brouillon). "
                    + (
                        "Il est conforme : vous pouvez l'émettre."
                        if saved.is_conform
                        else "Il n'est pas encore conforme : corrigez les problèmes signalés."
                    ),
                )
                return redirect("quotes:editor_detail", pk=saved.pk)
        dossier = form.cleaned_data["dossier"]
        tier = lab_tier(lab=form.cleaned_data["client"], dsr_code=dossier.dsr.code)
    return render(
        request,
        template,
        {
            "form": form,
            "formset": formset,
            "quote": quote,
            "report": report,
            "check_error": check_error,
            "suggestion": suggestion,
            "tier": tier,
            "checked": report is not None,
            **roles(request),
        },
    )


@login_required
def editor_create(request: HttpRequest) -> HttpResponse:
    if not user_editors(user=request.user).exists():
        raise Http404
    return _quote_form_page(request, None)


@login_required
def editor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quotes_for_editor(user=request.user), pk=pk)
    if quote.status != QuoteStatus.DRAFT:
        messages.error(request, "Seul un brouillon peut être modifié.")
        return redirect("quotes:editor_detail", pk=quote.pk)
    return _quote_form_page(request, quote)


@login_required
def editor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quote_with_details(quotes_for_editor(user=request.user)), pk=pk)
    return render(
        request,
        "quotes/editor_detail.html",
        {
            "quote": quote,
            "report": quote.check_report,
            "lines": list(quote.lines.all()),
            "tier": lab_tier(lab=quote.client, dsr_code=quote.dsr.code) if quote.dsr_id else None,
            "out_of_scope_total": out_of_scope_total(quote),
            "funding": quote_funding_summary(quote=quote),
            # The buttons are the moves the workflow table allows the editor from this status.
            "actions": WORKFLOW.available_actions(quote.status, QuoteActor.EDITOR),
            **roles(request),
        },
    )


@login_required
@require_POST
def editor_issue(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quotes_for_editor(user=request.user), pk=pk)
    try:
        services.quote_issue(quote=quote, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Devis {quote.number} émis : le client peut le consulter et le signer. "
            "Le PDF est généré en arrière-plan.",
        )
    return redirect("quotes:editor_detail", pk=quote.pk)


@login_required
@require_POST
def editor_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quotes_for_editor(user=request.user), pk=pk)
    try:
        services.quote_cancel(quote=quote, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Devis {quote.number} annulé.")
    return redirect("quotes:editor_detail", pk=quote.pk)


def _quote_pdf_response(quote: Quote) -> FileResponse:
    return pdf_download(quote.pdf, filename=quote.pdf_download_name)


@login_required
def editor_pdf(request: HttpRequest, pk: int) -> FileResponse:
    return _quote_pdf_response(get_object_or_404(quotes_for_editor(user=request.user), pk=pk))


# --- Lab --------------------------------------------------------------------------------------


@login_required
def lab_list(request: HttpRequest) -> HttpResponse:
    quotes = quotes_for_lab(user=request.user).defer("document", "overrides")
    page = page_of(request, quotes.order_by("-created_at", "-id"))
    return render(
        request, "quotes/lab_list.html", {"quotes": page.object_list, "page": page, **roles(request)}
    )


def _read_lines(quote: Quote) -> list[ReadLine]:
    """The lines the checker read from an uploaded PDF (its document), for the lab to compare."""
    if quote.origin != QuoteOrigin.UPLOADED or not isinstance(quote.document, dict):
        return []
    return read_lines(quote.document)


def _lab_page(request: HttpRequest, quote: Quote, *, sign_form: SignForm | None = None) -> HttpResponse:
    web = quote.origin == QuoteOrigin.WEB
    lines = list(quote.lines.all()) if web else []
    # The lab's forms are the moves the workflow table allows it (an uploaded PDF has none here).
    actions = WORKFLOW.available_actions(quote.status, QuoteActor.LAB) if web else []
    if sign_form is None and QuoteAction.SIGN in actions:
        sign_form = SignForm(options=services.offered_lines(lines))
    read = _read_lines(quote)
    options = [x for x in lines if x.scope == Scope.OUT_OF_SCOPE]
    return render(
        request,
        "quotes/lab_detail.html",
        {
            "quote": quote,
            "report": quote.check_report,
            "lines": lines,
            "read_lines": read,
            "tier": lab_tier(lab=quote.client, dsr_code=quote.dsr.code) if quote.dsr_id else None,
            "out_of_scope_total": out_of_scope_total(quote) if web else None,
            # The options the banner speaks of: every out-of-scope line offered, or read.
            "options_total": (
                sum((x.amount_ttc for x in options), Decimal("0.00"))
                if web
                else sum((x.amount_ttc for x in read if x.scope == Scope.OUT_OF_SCOPE), Decimal("0.00"))
            ),
            "declined_lines": [(i, x) for i, x in enumerate(lines, start=1) if x.declined],
            "signed": quote.status in (QuoteStatus.SIGNED, QuoteStatus.DELIVERED),
            "pending": quote.check_status == CheckStatus.PENDING,
            "sign_form": sign_form if QuoteAction.SIGN in actions else None,
            "delivery_form": (
                DeliveryForm(initial={"delivered_on": clock.today()})
                if QuoteAction.DECLARE_DELIVERY in actions
                else None
            ),
            **roles(request),
        },
    )


@login_required
def lab_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quote_with_details(quotes_for_lab(user=request.user)), pk=pk)
    return _lab_page(request, quote)


@login_required
@require_POST
def lab_sign(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quote_with_details(quotes_for_lab(user=request.user)), pk=pk)
    form = SignForm(request.POST, options=services.offered_lines(list(quote.lines.all())))
    if not form.is_valid():
        # The form's error summary says it, where the focus lands (no second banner at the top).
        return _lab_page(request, quote, sign_form=form)
    try:
        services.quote_sign(
            quote=quote,
            user=request.user,
            signatory_name=form.cleaned_data["signatory_name"],
            signatory_role=form.cleaned_data["signatory_role"],
            declined_lines=form.declined_lines(),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _lab_page(request, quote, sign_form=form)
    messages.success(
        request,
        f"Devis {quote.number} signé le {clock.today():%d/%m/%Y}. L'éditeur peut "
        "demander l'avance à l'ASP.",
    )
    return redirect("quotes:lab_detail", pk=quote.pk)


@login_required
@require_POST
def lab_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quotes_for_lab(user=request.user), pk=pk)
    form = DeliveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la date et cochez la déclaration.")
        return redirect("quotes:lab_detail", pk=quote.pk)
    try:
        services.quote_declare_delivery(
            quote=quote, user=request.user, delivered_on=form.cleaned_data["delivered_on"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "Mise en ordre de marche déclarée : l'éditeur peut demander le solde à l'ASP.",
        )
    return redirect("quotes:lab_detail", pk=quote.pk)


@login_required
def lab_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_object_or_404(quote_with_details(quotes_for_lab(user=request.user)), pk=pk)
    if not quote.check_report:
        raise Http404
    content = services.quote_report_pdf_bytes(quote)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="verification-devis-{quote.number or quote.pk}.pdf"'
    )
    return response


def _signed_pdf_response(quote: Quote) -> HttpResponse:
    try:
        content = services.signed_quote_pdf_bytes(quote)
    except DomainError:
        raise Http404 from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quote.signed_pdf_download_name}"'
    return response


@login_required
def lab_signed_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _signed_pdf_response(
        get_object_or_404(quote_with_details(quotes_for_lab(user=request.user)), pk=pk)
    )


@login_required
def editor_signed_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _signed_pdf_response(
        get_object_or_404(quote_with_details(quotes_for_editor(user=request.user)), pk=pk)
    )


@login_required
def lab_pdf(request: HttpRequest, pk: int) -> FileResponse:
    return _quote_pdf_response(get_object_or_404(quotes_for_lab(user=request.user), pk=pk))


@login_required
def lab_upload(request: HttpRequest) -> HttpResponse:
    clients = user_clients(user=request.user)
    if not clients.exists():
        raise Http404
    form = UploadForm(*_bound(request), clients=clients)
    # A member of several labs chooses one in the form (the API asks the same), never the first.
    lab = None if "client" in form.fields else lab_for_upload(user=request.user, client_id=None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            chosen = data.get("client")
            lab = lab_for_upload(user=request.user, client_id=chosen.pk if chosen else None)
            quote = services.quote_upload(
                user=request.user,
                client=lab,
                file=data["file"],
                dsr=data["dsr"],
                editor_name=data["editor_name"],
                order_date=data["order_date"],
                signature_date=data["signature_date"],
                referenced_on=data["referenced_on"],
                proofs_complete_on=data["proofs_complete_on"],
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("quotes:lab_detail", pk=quote.pk)
    return render(request, "quotes/lab_upload.html", {"form": form, "lab": lab, **roles(request)})
