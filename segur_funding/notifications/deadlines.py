"""Reads of what is due, by when and by whom: the deadline calendar, its iCalendar feed and the
reminders all start from these, so that a reminder never speaks of a deadline the page does not
show.

Each selector turns rows of the referencing, quotes and funding apps into plain `Deadline`
values computed for one `today` (a Europe/Paris date, `clock.today()` by default). Only deadlines
whose action is still pending are returned: once the quote is signed, the signature deadline
disappears from the calendar and no reminder speaks of it any more.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from segur_funding.core import clock
from segur_funding.funding.constants import Milestone, RequestStatus
from segur_funding.funding.models import CorrectionRequest as FundingCorrection
from segur_funding.funding.models import FundingRequest
from segur_funding.organizations.models import User
from segur_funding.organizations.selectors import is_ans_reviewer, user_clients, user_editors
from segur_funding.quotes.models import Quote, QuoteOrigin, QuoteStatus
from segur_funding.referencing import rules as referencing_rules
from segur_funding.referencing import selectors as referencing_selectors
from segur_funding.referencing.constants import ClockPhase, DossierStatus
from segur_funding.referencing.models import CorrectionRequest, Dossier
from segur_funding.referential.rules import SchemeRef, preorder_deadline, window_for_signature
from segur_funding.referential.selectors import active_scheme_refs

from .constants import OVERDUE_VISIBLE_DAYS, DeadlineKind
from .rules import days_left, dossier_reference, fr_date, quote_reference


class Audience(StrEnum):
    ANS = "ans"
    EDITOR = "editor"
    LAB = "lab"


@dataclass(frozen=True, slots=True)
class Deadline:
    """One thing due: what, by when (`due`, None while it has no date) and by whom (`owner`)."""

    kind: DeadlineKind
    # Stable per object and step ("quote:42:signature"): reminder dedup keys and iCalendar UIDs.
    key: str
    due: date | None
    days_left: int | None
    subject: str  # what it concerns, e.g. "Devis D-2022-0001 — Laboratoire X"
    owner: str  # who must act, in French
    editor_id: int | None = None
    client_id: int | None = None
    dossier_id: int | None = None
    quote_id: int | None = None
    request_id: int | None = None
    correction_id: int | None = None
    dossier_ref: str = ""
    quote_number: str = ""
    client_name: str = ""
    editor_name: str = ""
    solution: str = ""
    window_label: str = ""
    reason: str = ""
    since: date | None = None  # an open correction: asked on that day
    paused: bool = False  # a review clock stopped while the editor answers a correction

    @property
    def label(self) -> str:
        return str(DeadlineKind(self.kind).label)

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def due_display(self) -> str:
        return fr_date(self.due) if self.due else ""

    def link(self, audience: Audience) -> str:
        """The page where `audience` acts on it (the ANS instructs dossiers in the admin)."""
        if self.request_id is not None:
            return reverse("funding:request_detail", args=[self.request_id])
        if self.quote_id is not None:
            name = "quotes:lab_detail" if audience == Audience.LAB else "quotes:editor_detail"
            return reverse(name, args=[self.quote_id])
        if self.dossier_id is not None:
            if audience == Audience.ANS:
                return reverse("admin:referencing_dossier_change", args=[self.dossier_id])
            return reverse("referencing:dossier_detail", args=[self.dossier_id])
        return ""


def _sort_key(deadline: Deadline) -> tuple:
    # Dateless items (open corrections, paused clocks) first: they wait on someone now.
    return (deadline.due is not None, deadline.due or date.min, deadline.key)


def _still_visible(left: int | None) -> bool:
    return left is None or left >= -OVERDUE_VISIBLE_DAYS


# --- Referencing: the ANS clocks and open corrections -------------------------------------------


def review_clock_deadlines(
    *, today: date | None = None, editor_ids: Iterable[int] | None = None
) -> list[Deadline]:
    """The running eligibility and instruction clocks (referencing's own rules, pauses included).

    A clock paused by an open correction has no date (it moves every day until the editor
    answers); it is returned with `paused` so that the page can say so.
    """
    today = today or clock.today()
    dossiers = (
        Dossier.objects.filter(
            status__in=referencing_rules.ELIGIBILITY_CLOCK_STATUSES
            | referencing_rules.INSTRUCTION_CLOCK_STATUSES
        )
        .select_related("dsr", "editor", "solution_version__solution")
        .prefetch_related("corrections")
        .order_by("pk")
    )
    if editor_ids is not None:
        dossiers = dossiers.filter(editor_id__in=list(editor_ids))
    items = []
    for dossier in dossiers:
        running = referencing_selectors.dossier_clock(dossier=dossier, today=today)
        if running is None:
            continue
        eligibility = running.phase == ClockPhase.ELIGIBILITY
        items.append(
            Deadline(
                kind=DeadlineKind.ELIGIBILITY_CLOCK if eligibility else DeadlineKind.INSTRUCTION_CLOCK,
                key=f"dossier:{dossier.pk}:{running.phase}",
                due=None if running.paused else today + timedelta(days=running.days_left),
                days_left=None if running.paused else running.days_left,
                subject=f"Dossier {_dossier_ref(dossier)} — {dossier.solution_version}",
                owner="ANS (instruction)",
                editor_id=dossier.editor_id,
                dossier_id=dossier.pk,
                dossier_ref=_dossier_ref(dossier),
                editor_name=dossier.editor.name,
                solution=str(dossier.solution_version),
                paused=running.paused,
            )
        )
    return sorted(items, key=_sort_key)


def _dossier_ref(dossier: Dossier) -> str:
    return dossier_reference(dossier_id=dossier.pk, dsr_code=dossier.dsr.code)


def open_correction_items(*, editor_ids: Iterable[int] | None = None) -> list[Deadline]:
    """Corrections the editor has to answer: ANS's on a dossier, ASP's "à modifier" on a request.

    They have no date (the ANS clock is paused meanwhile; the ASP sets no limit), only the day
    they were asked.
    """
    corrections = CorrectionRequest.objects.filter(
        resolved_at__isnull=True, dossier__status=DossierStatus.CORRECTION_REQUESTED
    ).select_related("dossier__dsr", "dossier__editor", "dossier__solution_version__solution")
    funding = FundingCorrection.objects.filter(
        resolved_at__isnull=True, request__status=RequestStatus.TO_MODIFY
    ).select_related("request__quote__client", "request__editor")
    if editor_ids is not None:
        ids = list(editor_ids)
        corrections = corrections.filter(dossier__editor_id__in=ids)
        funding = funding.filter(request__editor_id__in=ids)
    items = []
    for correction in corrections:
        dossier = correction.dossier
        items.append(
            Deadline(
                kind=DeadlineKind.CORRECTION_OPEN,
                key=f"correction:{correction.pk}",
                due=None,
                days_left=None,
                subject=f"Dossier {_dossier_ref(dossier)} — {dossier.solution_version}",
                owner=f"{dossier.editor.name} (éditeur)",
                editor_id=dossier.editor_id,
                dossier_id=dossier.pk,
                correction_id=correction.pk,
                dossier_ref=_dossier_ref(dossier),
                editor_name=dossier.editor.name,
                solution=str(dossier.solution_version),
                reason=f"{correction.get_reason_display()} : {correction.message}",
                since=timezone.localdate(correction.opened_at),
            )
        )
    for correction in funding:
        request = correction.request
        number = quote_reference(quote_id=request.quote_id, number=request.quote.number)
        items.append(
            Deadline(
                kind=DeadlineKind.CORRECTION_OPEN,
                key=f"funding-correction:{correction.pk}",
                due=None,
                days_left=None,
                subject=f"Demande de {request.get_milestone_display().lower()} — devis {number}",
                owner=f"{request.editor.name} (éditeur)",
                editor_id=request.editor_id,
                client_id=request.quote.client_id,
                quote_id=request.quote_id,
                request_id=request.pk,
                correction_id=correction.pk,
                quote_number=number,
                client_name=request.quote.client.name,
                editor_name=request.editor.name,
                reason=", ".join(correction.reason_labels)
                + (f" : {correction.comment}" if correction.comment else ""),
                since=timezone.localdate(correction.requested_at),
            )
        )
    return sorted(items, key=lambda d: (d.since or date.min, d.key))


# --- Quotes and funding windows ------------------------------------------------------------------

# Never read for deadlines, and possibly large (the frozen document and its check report): left in
# the database when open quotes are loaded every hour.
QUOTE_HEAVY_FIELDS = ("document", "check_report", "overrides", "mentions", "conditions", "check_error")


def open_quotes(
    *, editor_ids: Iterable[int] | None = None, client_ids: Iterable[int] | None = None
) -> list[Quote]:
    """Web quotes with an order still under way (issued, signed or delivered) and their funding
    requests, in two queries: what `preorder_deadlines` and `window_deadlines` read."""
    quotes = (
        Quote.objects.filter(
            origin=QuoteOrigin.WEB,
            editor__isnull=False,
            status__in=[QuoteStatus.ISSUED, QuoteStatus.SIGNED, QuoteStatus.DELIVERED],
        )
        .select_related("editor", "client", "dsr", "window", "dossier__dsr")
        .defer(*QUOTE_HEAVY_FIELDS)
        .prefetch_related(
            Prefetch(
                "funding_requests",
                queryset=FundingRequest.objects.only("pk", "quote_id", "milestone", "status"),
            )
        )
        .order_by("pk")
    )
    if editor_ids is not None or client_ids is not None:
        scope = Q(pk__in=[])
        if editor_ids is not None:
            scope |= Q(editor_id__in=list(editor_ids))
        if client_ids is not None:
            scope |= Q(client_id__in=list(client_ids))
        quotes = quotes.filter(scope)
    return list(quotes)


def _quote_deadline(
    quote: Quote,
    *,
    kind: DeadlineKind,
    due: date,
    today: date,
    owner: str,
    window_label: str = "",
) -> Deadline:
    number = quote_reference(quote_id=quote.pk, number=quote.number)
    return Deadline(
        kind=kind,
        key=f"quote:{quote.pk}:{kind}",
        due=due,
        days_left=days_left(due=due, today=today),
        subject=f"Devis {number} — {quote.client.name}",
        owner=owner,
        editor_id=quote.editor_id,
        client_id=quote.client_id,
        dossier_id=quote.dossier_id,
        quote_id=quote.pk,
        quote_number=number,
        client_name=quote.client.name,
        editor_name=quote.editor.name,
        dossier_ref=_dossier_ref(quote.dossier) if quote.dossier_id else "",
        window_label=window_label,
    )


def _preorder_pending(quote: Quote) -> bool:
    dossier = quote.dossier
    return (
        quote.order_date is not None
        and dossier is not None
        and dossier.proofs_complete_on is None
        and dossier.referenced_on is None
        and dossier.status not in (DossierStatus.INELIGIBLE, DossierStatus.REFUSED)
    )


def preorder_deadlines(
    *,
    today: date | None = None,
    editor_ids: Iterable[int] | None = None,
    schemes: dict[str, SchemeRef] | None = None,
    quotes: list[Quote] | None = None,
) -> list[Deadline]:
    """Orders placed before referencing whose proof dossier is not complete yet (SPEC §3.2):
    the complete dossier must be sent at most 120 days (the AF's figure) after the order.

    `quotes` (from `open_quotes`) saves loading them again when the caller has them already.
    """
    today = today or clock.today()
    schemes = active_scheme_refs() if schemes is None else schemes
    quotes = open_quotes(editor_ids=editor_ids) if quotes is None else quotes
    items = []
    for quote in quotes:
        if not _preorder_pending(quote):
            continue
        scheme = schemes.get(quote.dsr.code) if quote.dsr_id else None
        if scheme is None:
            continue  # no AF, no delay: the quote cannot be funded anyway
        item = _quote_deadline(
            quote,
            kind=DeadlineKind.PREORDER,
            due=preorder_deadline(order_date=quote.order_date, max_days=scheme.preorder_max_days),
            today=today,
            owner=f"{quote.editor.name} (éditeur)",
        )
        if _still_visible(item.days_left):
            items.append(item)
    return sorted(items, key=_sort_key)


def _window_steps(
    quote: Quote, *, today: date, schemes: dict[str, SchemeRef]
) -> list[tuple[DeadlineKind, date | None, str, str]]:
    """(kind, due, who acts, window) of each window step still pending on one quote."""
    requests = {r.milestone: r for r in quote.funding_requests.all()}
    if any(r.status == RequestStatus.REFUSED for r in requests.values()):
        return []
    editor, client = f"{quote.editor.name} (éditeur)", f"{quote.client.name} (client)"
    if quote.status == QuoteStatus.ISSUED:
        scheme = schemes.get(quote.dsr.code) if quote.dsr_id else None
        window = window_for_signature(scheme.windows, today) if scheme else None
        if window is None:
            return []
        return [(DeadlineKind.SIGNATURE, window.order_signature_deadline, client, window.label)]
    if quote.window_id is None:
        return []
    window, label = quote.window, str(quote.window)
    steps: list[tuple[DeadlineKind, date | None, str, str]] = []
    if Milestone.ADVANCE not in requests:
        steps.append((DeadlineKind.ADVANCE_REQUEST, window.advance_request_deadline, editor, label))
    if quote.status == QuoteStatus.SIGNED:
        both = (
            f"{quote.editor.name} (installation) et {quote.client.name} "
            "(déclaration de mise en ordre de marche)"
        )
        steps.append((DeadlineKind.SERVICE_COMPLETION, window.service_completion_deadline, both, label))
    if quote.status == QuoteStatus.DELIVERED and Milestone.BALANCE not in requests:
        steps.append((DeadlineKind.BALANCE_REQUEST, window.balance_request_deadline, editor, label))
    return steps


def window_deadlines(
    *,
    today: date | None = None,
    editor_ids: Iterable[int] | None = None,
    client_ids: Iterable[int] | None = None,
    schemes: dict[str, SchemeRef] | None = None,
    quotes: list[Quote] | None = None,
) -> list[Deadline]:
    """Funding-window deadlines with the action still pending (SPEC §2, each strict to the day):

    - an issued quote not signed yet: the signature deadline of the window it would be signed in
      today (the lab signs);
    - a signed quote without an advance request: the window's advance-request deadline (editor);
    - a signed quote whose delivery is not declared: the service-completion deadline (the editor
      installs, the lab declares it in working order);
    - a delivered quote without a balance request: the balance-request deadline (editor).
    A quote whose funding was refused has nothing left to do.
    """
    today = today or clock.today()
    schemes = active_scheme_refs() if schemes is None else schemes
    if quotes is None:
        quotes = open_quotes(editor_ids=editor_ids, client_ids=client_ids)
    items = []
    for quote in quotes:
        for kind, due, owner, window_label in _window_steps(quote, today=today, schemes=schemes):
            if due is None:
                continue
            item = _quote_deadline(
                quote, kind=kind, due=due, today=today, owner=owner, window_label=window_label
            )
            if _still_visible(item.days_left):
                items.append(item)
    return sorted(items, key=_sort_key)


# --- Per person ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineSection:
    audience: Audience
    title: str
    items: list[Deadline]


# Which deadlines each side sees. The lab follows its signatures and the delivery it declares;
# the editor everything of its dossiers and quotes; the ANS its review clocks.
LAB_KINDS = frozenset({DeadlineKind.SIGNATURE, DeadlineKind.SERVICE_COMPLETION})


def user_deadlines(
    *, user: User, today: date | None = None, include_ans: bool = True
) -> list[DeadlineSection]:
    """The deadline calendar of one person: a section per side they act on (ANS, editor, lab)."""
    today = today or clock.today()
    sections: list[DeadlineSection] = []
    if include_ans and is_ans_reviewer(user=user):
        sections.append(
            DeadlineSection(
                Audience.ANS,
                "Instruction ANS : délais des dossiers de référencement",
                review_clock_deadlines(today=today),
            )
        )
    editor_ids = list(user_editors(user=user).values_list("pk", flat=True))
    client_ids = list(user_clients(user=user).values_list("pk", flat=True))
    schemes = active_scheme_refs() if editor_ids or client_ids else {}
    if editor_ids:
        quotes = open_quotes(editor_ids=editor_ids)
        items = (
            open_correction_items(editor_ids=editor_ids)
            + review_clock_deadlines(today=today, editor_ids=editor_ids)
            + preorder_deadlines(today=today, schemes=schemes, quotes=quotes)
            + window_deadlines(today=today, schemes=schemes, quotes=quotes)
        )
        sections.append(
            DeadlineSection(
                Audience.EDITOR,
                "Éditeur : vos dossiers, commandes et demandes de financement",
                sorted(items, key=_sort_key),
            )
        )
    if client_ids:
        items = [
            d
            for d in window_deadlines(today=today, client_ids=client_ids, schemes=schemes)
            if d.kind in LAB_KINDS and d.client_id in client_ids
        ]
        sections.append(
            DeadlineSection(Audience.LAB, "Laboratoire : signatures et mises en ordre de marche", items)
        )
    return sections
