"""The pieces of funding's deadlines: the requests sent back « à modifier », and how a quote's
deadline reads (its subject, who acts, its link). Which step of a quote is pending, and by when:
`pending.py`.
"""

from collections.abc import Iterable
from datetime import date

from django.db import connection
from django.db.models import CharField, QuerySet, TextField, Value
from django.db.models.functions import Cast, Collate, Concat
from django.urls import reverse
from django.utils import timezone

from segur_funding.notifications.constants import (
    DeadlineKind,
)
from segur_funding.notifications.deadlines import (
    Audience,
    Deadline,
    by_opening,
)
from segur_funding.notifications.rules import (
    days_left,
    quote_reference,
)
from segur_funding.quotes.models import Quote
from segur_funding.referencing.deadlines import dossier_ref

from ..constants import RequestStatus
from ..models import CorrectionRequest

# Who is reminded of each window deadline: the side that acts, and the editor, whose funding
# depends on it whoever acts.
WINDOW_AUDIENCES: dict[str, tuple[Audience, ...]] = {
    DeadlineKind.SIGNATURE: (Audience.LAB, Audience.EDITOR),
    DeadlineKind.ADVANCE_REQUEST: (Audience.EDITOR,),
    DeadlineKind.SERVICE_COMPLETION: (Audience.EDITOR, Audience.LAB),
    DeadlineKind.BALANCE_REQUEST: (Audience.EDITOR,),
}

# How the reminder names the step, inside a sentence ("… : signature du devis au plus tard le …").
WINDOW_STEP_LABELS: dict[str, str] = {
    DeadlineKind.SIGNATURE: "signature du devis",
    DeadlineKind.ADVANCE_REQUEST: "demande d'avance (30 %) à déposer auprès de l'ASP",
    DeadlineKind.SERVICE_COMPLETION: "prestation finalisée et mise en ordre de marche déclarée",
    DeadlineKind.BALANCE_REQUEST: "demande de solde (70 %) à déposer auprès de l'ASP",
}

# Which deadlines the lab sees: its signatures and the delivery it declares (the editor sees
# everything of its quotes).
LAB_KINDS = frozenset({DeadlineKind.SIGNATURE, DeadlineKind.SERVICE_COMPLETION})


def request_or_quote_link(deadline: Deadline, audience: str) -> str:
    """A funding request's page, else the quote's page of the audience's side."""
    if deadline.request_id is not None:
        return reverse("funding:request_detail", args=[deadline.request_id])
    if deadline.quote_id is not None:
        name = "quotes:lab_detail" if audience == Audience.LAB else "quotes:editor_detail"
        return reverse(name, args=[deadline.quote_id])
    return ""


# --- Requests sent back « à modifier » ----------------------------------------------------------


def key_order(prefix: str, suffix: str = "") -> Collate | Concat:
    """SQL for a deadline's `key` (f"{prefix}{pk}{suffix}") sorting as Python sorts the key
    (`deadline_sort_key` breaks ties on it): code-point order, PostgreSQL's "C" collation."""
    key = Concat(Value(prefix), Cast("pk", CharField()), Value(suffix), output_field=CharField())
    return Collate(key, "C") if connection.vendor == "postgresql" else key


def _open_corrections(editor_ids: Iterable[int] | None) -> QuerySet[CorrectionRequest]:
    corrections = CorrectionRequest.objects.filter(
        resolved_at__isnull=True, request__status=RequestStatus.TO_MODIFY
    )
    if editor_ids is not None:
        corrections = corrections.filter(editor_id__in=list(editor_ids))
    return corrections


def id_key_order() -> Collate | Cast:
    """The order of `key_order(prefix)` for keys made of a constant prefix and the id alone: the
    id as text in "C" order, the expression of `correction_editor_open_idx` (funding 0011)."""
    key = Cast("pk", TextField())
    return Collate(key, "C") if connection.vendor == "postgresql" else key


def first_open_correction_ids(*, editor_ids: Iterable[int] | None, limit: int) -> QuerySet:
    """The ids of the first `limit` open corrections in calendar order (dateless: by key).

    For one editor, the first entries of `correction_editor_open_idx` (its open corrections in key
    order), index-only: `limit` rows at any size of the programme; never every open correction,
    nor one probe per request « à modifier ». The request's status is not joined here: an open
    correction's request is « à modifier » (its one way out, RESUBMIT, resolves the request's
    corrections: rules.TRANSITIONS, services.corrections), and a join on it made the planner,
    taking the two conditions for independent, hash the programme's requests « à modifier »
    instead of walking the index. `open_correction_items` still checks it on the rows it shows."""
    corrections = CorrectionRequest.objects.filter(resolved_at__isnull=True)
    if editor_ids is not None:
        corrections = corrections.filter(editor_id__in=list(editor_ids))
    return corrections.order_by(id_key_order()).values_list("pk", flat=True)[:limit]


def open_correction_items(
    *, editor_ids: Iterable[int] | None = None, limit: int | None = None
) -> list[Deadline]:
    """ASP's « à modifier » the editor has to answer: no date (the ASP sets no limit), only the
    day it was asked. With `limit`, the first ones in calendar order (dateless: by key)."""
    editor_ids = None if editor_ids is None else list(editor_ids)
    corrections = _open_corrections(editor_ids).select_related("request__quote__client", "request__editor")
    if limit is not None:
        # The first ids alone (a subquery), then their rows: the joins read `limit` rows, not
        # every open one.
        corrections = corrections.filter(pk__in=first_open_correction_ids(editor_ids=editor_ids, limit=limit))
    items = []
    for correction in corrections:
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
                linker=request_or_quote_link,
            )
        )
    return by_opening(items)


# --- Orders and funding windows -----------------------------------------------------------------

# Never read for deadlines, and possibly large (the frozen document and its check report): left in
# the database when open quotes are loaded every hour.
QUOTE_HEAVY_FIELDS = ("document", "check_report", "overrides", "mentions", "conditions", "check_error")


def quote_deadline(
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
        dossier_ref=dossier_ref(quote.dossier) if quote.dossier_id else "",
        window_label=window_label,
        linker=request_or_quote_link,
    )


def step_owner(quote: Quote, kind: str) -> str:
    """Who acts on a quote's deadline, as « Mon espace » and « Mes échéances » both say it."""
    if kind == DeadlineKind.SIGNATURE:
        return f"{quote.client.name} (client)"
    if kind == DeadlineKind.SERVICE_COMPLETION:
        return (
            f"{quote.editor.name} (installation) et {quote.client.name} "
            "(déclaration de mise en ordre de marche)"
        )
    return f"{quote.editor.name} (éditeur)"
