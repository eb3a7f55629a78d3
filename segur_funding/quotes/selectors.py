"""Reads of quotes: scoped lists for editors and labs, and the SPEC §4 document of a quote.

Every list or fetch starts from the user's organisations, so another editor's or lab's quote is
simply not found (the views answer 404).
"""

import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch, QuerySet

from segur_funding.core.errors import InvalidInput
from segur_funding.organizations.models import Organization, User
from segur_funding.organizations.selectors import user_client_ids, user_clients, user_editor_ids, user_editors
from segur_funding.referencing.selectors import referenced_dossiers
from segur_funding.referential.rules import SchemeRef, TierRow, ordered_before_referencing, tier_for_sites
from segur_funding.referential.selectors import (
    condition_wording_refs,
    condition_wordings_version,
    label_item_refs,
    label_items_version,
    scheme_ref_for_dsr,
)

from .constants import Scope
from .models import Quote, QuoteEvent, QuoteLine, QuoteOrigin
from .rules.labels import LabelMatcher
from .rules.referencing import ReferencedSolution
from .rules.text import DEFAULT_MATCHER


def lab_for_upload(*, user: User, client_id: int | None) -> Organization:
    """The lab a PDF upload is for, the same on the web page and in the API: the one chosen, or
    the user's only lab. A member of several labs must say which (never the first one found)."""
    clients = user_clients(user=user)
    if client_id is None:
        labs = list(clients.order_by("name", "pk")[:2])
        if len(labs) > 1:
            raise InvalidInput("Vous êtes membre de plusieurs laboratoires : indiquez lequel.")
        if not labs:
            raise InvalidInput("Vous n'êtes membre d'aucun laboratoire.")
        return labs[0]
    lab = clients.filter(pk=client_id).first()
    if lab is None:
        raise InvalidInput("Laboratoire introuvable parmi les vôtres.")
    return lab


def user_roles(*, user: User) -> dict[str, bool]:
    """Which sides of the quote pages the user sees (for the navigation and the index)."""
    return {
        "is_editor": user_editors(user=user).exists(),
        "is_lab": user_clients(user=user).exists(),
    }


# Columns no list shows: the quote document alone is about a kilobyte of JSON per quote, and
# decoding it is a good share of a list page's CPU. Lists leave them out of their query.
QUOTE_HEAVY_FIELDS = ("document", "check_report", "overrides")


def _quotes() -> QuerySet[Quote]:
    return Quote.objects.select_related("editor", "client", "dsr", "window", "dossier")


def quotes_for_editor(*, user: User) -> QuerySet[Quote]:
    """Quotes written by the user's editors (uploaded PDFs belong to the labs, not here)."""
    return _quotes().filter(editor_id__in=user_editor_ids(user=user), origin=QuoteOrigin.WEB)


def quotes_for_lab(*, user: User) -> QuerySet[Quote]:
    """Quotes addressed to the user's labs: issued web quotes (never drafts) and uploaded PDFs."""
    from .models import QuoteStatus

    return (
        _quotes()
        .filter(client_id__in=user_client_ids(user=user))
        .exclude(origin=QuoteOrigin.WEB, status=QuoteStatus.DRAFT)
    )


def quote_with_details(queryset: QuerySet[Quote]) -> QuerySet[Quote]:
    return queryset.prefetch_related(
        Prefetch("lines", queryset=QuoteLine.objects.order_by("position", "id")),
        Prefetch("events", queryset=QuoteEvent.objects.select_related("actor").order_by("at", "id")),
    )


@dataclass(frozen=True, slots=True)
class ReferencingDates:
    referenced_on: date | None
    proofs_complete_on: date | None


def quote_referencing(quote: Quote) -> ReferencingDates:
    """Referencing dates of the quoted software, read live from the editor's dossier."""
    dossier = quote.dossier
    if dossier is None:
        return ReferencingDates(referenced_on=None, proofs_complete_on=None)
    return ReferencingDates(
        referenced_on=dossier.referenced_on, proofs_complete_on=dossier.proofs_complete_on
    )


def needs_conditional_mention(*, order_date: date | None, referenced_on: date | None) -> bool:
    if order_date is None:
        return referenced_on is None
    return ordered_before_referencing(order_date=order_date, referenced_on=referenced_on)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _text_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def line_to_json(line: QuoteLine) -> dict[str, object]:
    data: dict[str, object] = {"label": line.label, "scope": line.scope}
    if line.dsr_list:
        data["dsr"] = line.dsr_list
    data["amount_ttc"] = f"{line.amount_ttc:.2f}"
    if line.amount_ht is not None:
        data["amount_ht"] = f"{line.amount_ht:.2f}"
    return data


def document_build(
    *,
    number: str,
    dsr_code: str,
    client: Organization,
    referencing: ReferencingDates,
    order_date: date | None,
    signature_date: date | None,
    mentions: list[str],
    conditions: list[str],
    lines: list[QuoteLine],
    scheme: SchemeRef | None,
) -> dict[str, object]:
    """The SPEC §4 quote document. The §3.2 mention is added when ordered before referencing:
    segur_funding prints it on every such quote, so the checker finds it like on paper."""
    mentions = list(mentions)
    if (
        scheme is not None
        and scheme.conditional_order_mention
        and needs_conditional_mention(order_date=order_date, referenced_on=referencing.referenced_on)
    ):
        mentions.insert(0, scheme.conditional_order_mention)
    return {
        "number": number,
        "dsr": dsr_code,
        "client": {
            "name": client.name,
            "siret": client.siret,
            "geographic_sites": client.geographic_sites,
        },
        "referencing": {
            "referenced_on": _iso(referencing.referenced_on),
            "proofs_complete_on": _iso(referencing.proofs_complete_on),
        },
        "order_date": _iso(order_date),
        "signature_date": _iso(signature_date),
        "mentions": mentions,
        "conditions": conditions,
        "lines": [line_to_json(line) for line in lines],
    }


def quote_document(quote: Quote, *, signature_date: date | None = None) -> dict[str, object]:
    """The SPEC §4 document of a web quote, as the checker and the PDF attachment see it.

    Client sites come from the lab's organisation and referencing dates from the editor's
    dossier, read now: a dossier completed after the quote was issued counts at signature.
    """
    if quote.dsr_id is None:
        raise InvalidInput("Le devis n'indique pas de DSR.")
    return document_build(
        number=quote.number,
        dsr_code=quote.dsr.code,
        client=quote.client,
        referencing=quote_referencing(quote),
        order_date=quote.order_date,
        signature_date=signature_date or quote.signature_date,
        mentions=_text_lines(quote.mentions),
        conditions=_text_lines(quote.conditions),
        lines=list(quote.lines.all()),
        scheme=scheme_ref_for_dsr(dsr_code=quote.dsr.code),
    )


@dataclass(frozen=True, slots=True)
class LabTier:
    dsr_code: str
    sites: int
    tier: TierRow


def lab_tier(*, lab: Organization, dsr_code: str) -> LabTier | None:
    """The lab's tier and cap for a DSR, or None when the DSR has no barème or sites are unknown."""
    scheme = scheme_ref_for_dsr(dsr_code=dsr_code)
    if scheme is None or not lab.geographic_sites:
        return None
    try:
        tier = tier_for_sites(scheme.tiers, lab.geographic_sites)
    except InvalidInput:
        return None
    return LabTier(dsr_code=dsr_code, sites=lab.geographic_sites, tier=tier)


def out_of_scope_total(quote: Quote) -> Decimal:
    """The options (out-of-scope lines) the client pays: all of them until it signs, then those
    it accepted."""
    return sum(
        (
            line.amount_ttc
            for line in quote.lines.all()
            if line.scope == Scope.OUT_OF_SCOPE and not line.declined
        ),
        Decimal("0.00"),
    )


# --- Rows waiting for a task (the sweep of tasks.py queues them again) -------------------------


def quotes_waiting_for_pdf(*, before: datetime, limit: int) -> list[int]:
    """Issued web quotes still without their PDF, issued before `before` (their task was lost)."""
    from .models import QuoteStatus

    return list(
        Quote.objects.filter(origin=QuoteOrigin.WEB, pdf="", issued_at__lt=before)
        .exclude(status=QuoteStatus.DRAFT)
        .order_by("issued_at")
        .values_list("pk", flat=True)[:limit]
    )


def uploaded_quotes_waiting_for_check(*, before: datetime, limit: int) -> list[int]:
    """Uploaded PDF quotes whose check has not run, uploaded before `before`."""
    from .models import CheckStatus

    return list(
        Quote.objects.filter(
            origin=QuoteOrigin.UPLOADED, check_status=CheckStatus.PENDING, created_at__lt=before
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


# --- What the checker reads besides the quote ---------------------------------------------------

_matchers: dict[tuple, LabelMatcher] = {}
_matchers_lock = threading.Lock()


def label_matcher() -> LabelMatcher:
    """The label matcher of the label items and the wordings of conditional offers in force
    (SPEC §3.4 wordings edited by ANS).

    Compiled once per version of the two tables and kept in the process: each call costs one
    aggregate query on each table's history, and an edit in the admin (a new history row) gives
    a new matcher at the next check, in every process. While a table is empty (reference data
    not loaded), its shipped wordings are used.
    """
    version = (label_items_version(), condition_wordings_version())
    matcher = _matchers.get(version)
    if matcher is None:
        items = label_item_refs()
        conditions = condition_wording_refs()
        if items is None and conditions is None:
            matcher = DEFAULT_MATCHER
        else:
            matcher = LabelMatcher(
                DEFAULT_MATCHER.items if items is None else items,
                DEFAULT_MATCHER.conditions if conditions is None else conditions,
            )
        with _matchers_lock:
            _matchers.clear()
            _matchers[version] = matcher
    return matcher


def referenced_solutions(*, dsr_code: str) -> tuple[ReferencedSolution, ...]:
    """The platform's referenced solutions of a DSR (the public list), as plain values for the
    checker's lookup of a quote that does not state its referencing."""
    dossiers = referenced_dossiers(dsr_code=dsr_code).filter(referenced_on__isnull=False)
    return tuple(
        ReferencedSolution(
            editor=dossier.editor.name,
            solution=dossier.solution_version.solution.name,
            version=dossier.solution_version.label,
            dsr_code=dossier.dsr.code,
            referenced_on=dossier.referenced_on,
            proofs_complete_on=dossier.proofs_complete_on,
            number=dossier.referencing_number or "",
        )
        for dossier in dossiers
    )


# --- Lines read from an uploaded PDF ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadLine:
    number: int  # from 1, as in the check report
    label: str
    scope: str  # a Scope value, or "" when the PDF does not say
    amount_ttc: Decimal | None

    @property
    def scope_label(self) -> str:
        return Scope(self.scope).label if self.scope else "Non classée"


def read_lines(document: dict) -> list[ReadLine]:
    """The lines of a quote document as the checker read them from a PDF (label, scope, amount
    TTC), for the lab to compare with the printed quote. Values it could not read stay empty."""
    out = []
    for number, line in enumerate(document.get("lines") or [], start=1):
        if not isinstance(line, dict):
            continue
        scope = str(line.get("scope") or "")
        try:
            amount = Decimal(str(line.get("amount_ttc"))).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            amount = None
        out.append(
            ReadLine(
                number=number,
                label=str(line.get("label") or ""),
                scope=scope if scope in Scope.values else "",
                amount_ttc=amount if amount is not None and amount.is_finite() else None,
            )
        )
    return out
