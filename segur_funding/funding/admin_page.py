"""What the ASP reads at the top of a funding request's admin page, before anything else: the
status, the clock, the decisions, the documents one click away and the checker's report.

The history, the corrections and the payment stay below (inlines); the read-only fields last.
"""

from datetime import date, timedelta

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from segur_funding.core import clock
from segur_funding.core.admin import fr_date, fr_days
from segur_funding.core.money import format_eur
from segur_funding.core.workflow import labeller
from segur_funding.quotes.constants import Severity

from .admin_decisions import decision_buttons
from .bank import bank_account_in_force
from .constants import AWAITING_ASP, Milestone, RequestStatus
from .models import FundingRequest

# *Assumption*: neither the seed nor the AF gives the ASP a time to decide or to pay; a request
# waiting for the ASP longer than this shows « en retard » in the queue and on its page.
ASP_TARGET_DAYS = 30

STATUS_TONES = {
    RequestStatus.VALIDATED: "success",
    RequestStatus.PAID: "success",
    RequestStatus.REFUSED: "error",
    RequestStatus.TO_MODIFY: "warning",
}


def waiting_since(obj: FundingRequest) -> date | None:
    """The day the request started waiting for the ASP (decision or payment), or None."""
    if obj.status in AWAITING_ASP and obj.submitted_at:
        return timezone.localdate(obj.submitted_at)
    if obj.status == RequestStatus.VALIDATED and obj.decided_at:
        return timezone.localdate(obj.decided_at)
    return None


def overdue_q(today: date) -> Q:
    """The requests waiting for the ASP for more than ASP_TARGET_DAYS (the « en retard » queue)."""
    limit = today - timedelta(days=ASP_TARGET_DAYS)
    return Q(status__in=AWAITING_ASP, submitted_at__date__lt=limit) | Q(
        status=RequestStatus.VALIDATED, decided_at__date__lt=limit
    )


def _clock(obj: FundingRequest, today: date) -> list[dict]:
    lines = []
    since = waiting_since(obj)
    if since is not None:
        days = (today - since).days
        late = days > ASP_TARGET_DAYS
        lines.append(
            {
                "label": "En attente de l'ASP depuis",
                "value": f"{fr_date(since)} ({fr_days(days)})"
                + (f" — en retard (objectif : {ASP_TARGET_DAYS} jours)" if late else ""),
                "tone": "error" if late else "",
            }
        )
    window = obj.quote.window
    if window is not None:
        advance = obj.milestone == Milestone.ADVANCE
        deadline = window.advance_request_deadline if advance else window.balance_request_deadline
        if deadline is not None:
            left = (deadline - today).days
            what = "Demande d'avance" if advance else "Demande de solde"
            state = f"dépassée de {fr_days(-left)}" if left < 0 else f"{fr_days(left)} restants"
            lines.append(
                {
                    "label": f"{what} au plus tard le",
                    "value": f"{fr_date(deadline)} ({state}) — {window}",
                    "tone": "warning" if left < 0 else "",
                }
            )
    return lines


def _doc(label: str, url_name: str = "", pk: int | None = None) -> dict:
    """A document link (no URL: a missing document, said in words)."""
    return {"label": label, "url": reverse(url_name, args=[pk]) if url_name else ""}


def _documents(obj: FundingRequest) -> list[dict]:
    quote = obj.quote
    docs = []
    if quote.pdf:
        docs.append(_doc(f"Devis {quote.number} (PDF)", "admin:quotes_quote_pdf", quote.pk))
    docs.append(_doc(f"Fiche du devis {quote.number}", "admin:quotes_quote_change", quote.pk))
    if obj.invoice:
        docs.append(_doc("Facture (PDF)", "admin:funding_fundingrequest_invoice", obj.pk))
    elif obj.milestone == Milestone.BALANCE:
        docs.append(_doc("Facture : absente"))
    account = bank_account_in_force(organization=obj.editor_id)
    if account is not None:
        docs.append(_doc("RIB en vigueur", "admin:organizations_bankaccount_rib", account.pk))
    else:
        docs.append(_doc("RIB : aucune coordonnée bancaire validée"))
    return docs


def _report(obj: FundingRequest) -> dict | None:
    report = obj.quote.check_report
    if not report:
        return None
    amounts = [
        ("Tranche", report.get("tier") or "—"),
        ("Plafond TTC", _eur(report.get("cap_ttc"))),
        ("Financement de l'État TTC", _eur(report.get("state_funding_ttc"))),
        ("Reste à charge du client TTC", _eur(report.get("client_remainder_ttc"))),
    ]
    return {
        "verdict": obj.quote.get_verdict_display() or report.get("verdict", ""),
        "tone": {"conform": "success", "non_conform": "error"}.get(report.get("verdict"), "warning"),
        "checked_at": fr_date(obj.quote.checked_at),
        "amounts": amounts,
        "findings": [
            {**f, "severity_label": labeller(Severity)(f.get("severity", ""))}
            for f in report.get("findings") or []
        ],
    }


def _eur(raw) -> str:
    from decimal import Decimal, InvalidOperation

    try:
        return format_eur(Decimal(str(raw)))
    except (InvalidOperation, TypeError, ValueError):
        return "—"


def request_page_context(request: HttpRequest, obj: FundingRequest) -> dict:
    today = clock.today()
    return {
        "workflow_buttons": decision_buttons(request, obj),
        "status_tone": STATUS_TONES.get(obj.status, ""),
        "facts": [
            ("Jalon", obj.get_milestone_display()),
            ("Montant demandé TTC", format_eur(obj.amount)),
            ("Éditeur", f"{obj.editor.name} (SIREN {obj.editor.siren or '—'})"),
            ("Client", f"{obj.quote.client.name} (SIRET {obj.quote.client.siret or '—'})"),
            ("Déposée le", fr_date(obj.submitted_at)),
            ("Instructeur assigné", str(obj.assigned_to) if obj.assigned_to else "personne"),
        ],
        "clock_lines": _clock(obj, today),
        "documents": _documents(obj),
        "report": _report(obj),
    }
