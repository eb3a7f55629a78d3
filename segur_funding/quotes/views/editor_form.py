"""The editor's quote form: a draft created or edited, its lines typed, checked live by the one
checker before it is saved, and the State-funding line suggested from the report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from segur_funding.core import clock
from segur_funding.core.errors import DomainError
from segur_funding.organizations.selectors import user_editors
from segur_funding.referential.selectors import scheme_ref_for_dsr

from .. import services
from ..forms import LineForm, LineFormSet, QuoteForm, blank_line_formset
from ..models import Quote, QuoteLine, QuoteStatus
from ..selectors import LabTier, ReferencingDates, document_build, lab_tier, quotes_for_editor
from .common import roles

LINES_PREFIX = "lines"
BLANK_LINES = 2


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
    # The blank lines as the browser sends them (the list's first choice): unchanged, so that
    # the re-rendered page does not call them incomplete.
    for i in range(len(lines), len(lines) + blanks):
        data[f"{LINES_PREFIX}-{i}-scope"] = LineForm.base_fields["scope"].initial
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


def _form_render(
    request: HttpRequest,
    quote: Quote | None,
    form: QuoteForm,
    formset: LineFormSet,
    *,
    report: dict | None,
    check_error: str = "",
    suggestion: services.StateLineSuggestion | None = None,
    tier: LabTier | None = None,
) -> HttpResponse:
    """The form page, first shown (the saved report, if any) or after a button (the live check)."""
    return render(
        request,
        "quotes/editor_form.html",
        {
            "form": form,
            "formset": formset,
            "quote": quote,
            "report": report,
            "check_error": check_error,
            "suggestion": suggestion,
            "tier": tier,
            **roles(request),
        },
    )


def _quote_form_page(request: HttpRequest, quote: Quote | None) -> HttpResponse:
    user = request.user
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
        return _form_render(request, quote, form, formset, report=report)

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
    return _form_render(
        request, quote, form, formset,
        report=report, check_error=check_error, suggestion=suggestion, tier=tier,
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
