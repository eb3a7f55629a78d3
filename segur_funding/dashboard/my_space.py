"""« Mon espace »: what is waiting for the signed-in person, per side they act on.

Each task is a count and a link to the page where the person acts. The counts are capped
(`COUNT_CAP`): a person needs « plus de 100 » rather than an exact figure that would cost a scan
of a national-scale table on every visit. Who acts on what comes from the workflows (the
transition tables' `states_awaiting`, the quote and funding statuses); deadlines come from the same
selector as the « Mes échéances » page and the reminders.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from segur_funding.alerts.constants import AlertStatus
from segur_funding.alerts.models import QuoteAlert
from segur_funding.core import clock
from segur_funding.funding.constants import AWAITING_ASP, AWAITING_PAYMENT, RequestStatus
from segur_funding.funding.models import FundingRequest, Payment
from segur_funding.funding.selectors import quotes_awaiting_request
from segur_funding.notifications.deadlines import Deadline, user_deadlines
from segur_funding.organizations.constants import AccountRequestStatus, OrganizationKind
from segur_funding.organizations.models import AccountRequest, User
from segur_funding.organizations.selectors import (
    is_ans_reviewer,
    is_asp_reviewer,
    user_client_ids,
    user_editor_ids,
)
from segur_funding.quotes.models import Quote, QuoteOrigin, QuoteStatus
from segur_funding.referencing.constants import Actor, DossierStatus
from segur_funding.referencing.models import Dossier
from segur_funding.referencing.rules import WORKFLOW as DOSSIER_WORKFLOW

COUNT_CAP = 100
UPCOMING_DEADLINES = 8
ANS_SIDE, ASP_SIDE, EDITOR_SIDE, LAB_SIDE = "Instruction ANS", "Instruction ASP", "Éditeur", "Laboratoire"
# The header counts the reviewers' queues for staff only (reviewers work in the admin).
REVIEWER_SIDES = (ANS_SIDE, ASP_SIDE)


@dataclass(frozen=True)
class Task:
    label: str
    count: int  # capped at COUNT_CAP + 1
    link: str
    hint: str = ""

    @property
    def count_display(self) -> str:
        return f"plus de {COUNT_CAP}" if self.count > COUNT_CAP else str(self.count)


@dataclass(frozen=True)
class Side:
    title: str
    tasks: list[Task]
    deadlines: list[tuple[Deadline, str]] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    alerts: list[QuoteAlert] = field(default_factory=list)

    @property
    def waiting(self) -> int:
        return sum(min(task.count, COUNT_CAP) for task in self.tasks)


@dataclass(frozen=True)
class TaskQuery:
    """A task before it is counted: the page and the header count all of theirs in one query
    (`capped_counts`)."""

    label: str
    queryset: QuerySet
    link: str
    hint: str = ""

    def counted(self, count: int) -> Task:
        return Task(self.label, count, self.link, self.hint)


def capped_counts_sql(tasks: list[TaskQuery]) -> tuple[str, list]:
    """One SELECT of each task's capped count, side by side (each subquery reads at most
    COUNT_CAP + 1 index entries, whatever the size of the table)."""
    columns, params = [], []
    for task in tasks:
        sql, task_params = task.queryset.order_by().values("pk")[: COUNT_CAP + 1].query.sql_with_params()
        # A subquery Django compiled for this connection; its values stay parameters.
        columns.append(f"(SELECT COUNT(*) FROM ({sql}) capped)")  # noqa: S608
        params.extend(task_params)
    return "SELECT " + ", ".join(columns), params


def capped_counts(tasks: list[TaskQuery]) -> list[int]:
    """The count of each task, capped at COUNT_CAP + 1, in one SQL query."""
    if not tasks:
        return []
    sql, params = capped_counts_sql(tasks)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchone())


def editor_tasks(user: User, editor_ids: list[int]) -> list[TaskQuery]:
    dossiers = Dossier.objects.filter(editor_id__in=editor_ids)
    editor_statuses = DOSSIER_WORKFLOW.states_awaiting(Actor.EDITOR)
    quotes = Quote.objects.filter(editor_id__in=editor_ids, origin=QuoteOrigin.WEB)
    return [
        TaskQuery(
            "Corrections demandées par l'ANS",
            dossiers.filter(status=DossierStatus.CORRECTION_REQUESTED),
            reverse("referencing:dossier_list"),
            "Répondez avant la fin du délai : l'instruction reprend à votre réponse.",
        ),
        TaskQuery(
            "Dossiers de référencement à compléter",
            dossiers.filter(status__in=editor_statuses - {DossierStatus.CORRECTION_REQUESTED}),
            reverse("referencing:dossier_list"),
            "Candidature à déposer ou preuves à envoyer.",
        ),
        TaskQuery(
            "Devis en brouillon à émettre",
            quotes.filter(status=QuoteStatus.DRAFT),
            reverse("quotes:editor_list"),
        ),
        TaskQuery(
            "Demandes de financement à déposer",
            quotes_awaiting_request(user=user),
            reverse("funding:editor_list"),
            "Avance après la signature du client, solde après la mise en ordre de marche.",
        ),
        TaskQuery(
            "Signalements de vos devis à lire",
            QuoteAlert.objects.filter(editor_id__in=editor_ids, status=AlertStatus.OPEN),
            reverse("alerts:editor_list"),
            "Un laboratoire juge un devis non conforme : répondez-lui.",
        ),
        TaskQuery(
            "Demandes « à modifier » par l'ASP",
            FundingRequest.objects.filter(editor_id__in=editor_ids, status=RequestStatus.TO_MODIFY),
            reverse("funding:editor_list"),
        ),
    ]


def _lab_tasks(client_ids: list[int]) -> list[TaskQuery]:
    quotes = Quote.objects.filter(client_id__in=client_ids)
    return [
        TaskQuery(
            "Devis à vérifier et à signer",
            quotes.filter(status=QuoteStatus.ISSUED),
            reverse("quotes:lab_list"),
            "Vérifiez que le devis ne vous laisse rien à payer au titre de la Prestation Ségur.",
        ),
        TaskQuery(
            "Prestations à déclarer en ordre de marche",
            quotes.filter(status=QuoteStatus.SIGNED),
            reverse("quotes:lab_list"),
            "Votre déclaration permet à l'éditeur de demander le solde.",
        ),
    ]


def _lab_side(tasks: list[Task], client_ids: list[int], deadlines: list[tuple[Deadline, str]]) -> Side:
    payments = list(
        Payment.objects.filter(quote__client_id__in=client_ids)
        .select_related("quote", "quote__editor")
        .order_by("-paid_on", "-pk")[:10]
    )
    alerts = list(QuoteAlert.objects.filter(client_id__in=client_ids).select_related("quote")[:10])
    return Side(LAB_SIDE, tasks, deadlines, payments, alerts)


def _pending_accounts(kind: str) -> QuerySet[AccountRequest]:
    return AccountRequest.objects.filter(kind=kind, status=AccountRequestStatus.PENDING)


def _ans_tasks(today: date) -> list[TaskQuery]:
    queue = Dossier.objects.filter(status__in=DOSSIER_WORKFLOW.states_awaiting(Actor.ANS))
    admin_dossiers = reverse("admin:referencing_dossier_changelist")
    admin_requests = reverse("admin:organizations_accountrequest_changelist")
    return [
        TaskQuery("Dossiers à instruire", queue, admin_dossiers),
        TaskQuery(
            "Dossiers en retard",
            queue.filter(clock_deadline__lt=today),
            f"{admin_dossiers}?delai=retard",
        ),
        TaskQuery(
            "Demandes de compte d'éditeurs",
            _pending_accounts(OrganizationKind.EDITOR),
            f"{admin_requests}?status__exact=pending&kind__exact=editor",
        ),
    ]


def _asp_tasks() -> list[TaskQuery]:
    admin_requests = reverse("admin:funding_fundingrequest_changelist")
    admin_accounts = reverse("admin:organizations_accountrequest_changelist")
    return [
        TaskQuery(
            "Demandes de financement à instruire",
            FundingRequest.objects.filter(status__in=AWAITING_ASP),
            f"{admin_requests}?file=decision",
        ),
        TaskQuery(
            "Demandes validées à payer",
            FundingRequest.objects.filter(status__in=AWAITING_PAYMENT),
            f"{admin_requests}?file=paiement",
        ),
        TaskQuery(
            "Demandes de compte de laboratoires",
            _pending_accounts(OrganizationKind.CLIENT),
            f"{admin_accounts}?status__exact=pending&kind__exact=client",
        ),
        TaskQuery(
            "Signalements de devis à instruire",
            QuoteAlert.objects.filter(status=AlertStatus.OPEN),
            f"{reverse('admin:alerts_quotealert_changelist')}?status__exact=open",
        ),
    ]


def my_space(*, user: User, today: date | None = None) -> list[Side]:
    """The sides the person acts on, each with its tasks and its next deadlines. The tasks of
    every side are counted in one query."""
    today = today or clock.today()
    editor_ids, client_ids = user_editor_ids(user=user), user_client_ids(user=user)
    queries: dict[str, list[TaskQuery]] = {}
    if is_ans_reviewer(user=user):
        queries[ANS_SIDE] = _ans_tasks(today)
    if is_asp_reviewer(user=user):
        queries[ASP_SIDE] = _asp_tasks()
    if editor_ids:
        queries[EDITOR_SIDE] = editor_tasks(user, editor_ids)
    if client_ids:
        queries[LAB_SIDE] = _lab_tasks(client_ids)
    counts = iter(capped_counts([task for side in queries.values() for task in side]))
    tasks = {title: [task.counted(next(counts)) for task in side] for title, side in queries.items()}

    sides: list[Side] = [Side(title, tasks[title]) for title in (ANS_SIDE, ASP_SIDE) if title in tasks]
    if editor_ids or client_ids:
        sections = {
            s.audience: s
            for s in user_deadlines(user=user, today=today, include_ans=False, limit=UPCOMING_DEADLINES)
        }

        def upcoming(audience: str) -> list[tuple[Deadline, str]]:
            section = sections.get(audience)
            items = section.items[:UPCOMING_DEADLINES] if section else []
            return [(item, item.link(audience)) for item in items]

        if editor_ids:
            sides.append(Side(EDITOR_SIDE, tasks[EDITOR_SIDE], upcoming("editor")))
        if client_ids:
            sides.append(_lab_side(tasks[LAB_SIDE], client_ids, upcoming("lab")))
    return sides


def header_count(*, user: User, sides: list[Side]) -> int:
    """What the header's « Mon espace (n) » says, from the sides the page has just counted (the
    same figure as `waiting_count`, without counting again)."""
    return sum(side.waiting for side in sides if user.is_staff or side.title not in REVIEWER_SIDES)


# --- The header's « Mon espace (n) » ------------------------------------------------------------


def waiting_count(*, user: User, today: date | None = None) -> int:
    """What « Mon espace » says waits for the person (the sum of its tasks, each capped like on the
    page), counted in one SQL query: each task's capped subquery, side by side. The memberships
    come from the header's roles, already read for this request."""
    today = today or clock.today()
    editor_ids, client_ids = user_editor_ids(user=user), user_client_ids(user=user)
    tasks: list[TaskQuery] = []
    # Reviewers work in the admin, hence are staff: the group lookup is skipped for everyone else.
    if user.is_staff and is_ans_reviewer(user=user):
        tasks += _ans_tasks(today)
    if user.is_staff and is_asp_reviewer(user=user):
        tasks += _asp_tasks()
    if editor_ids:
        tasks += editor_tasks(user, editor_ids)
    if client_ids:
        tasks += _lab_tasks(client_ids)
    return sum(min(count, COUNT_CAP) for count in capped_counts(tasks))


def header_counts(request: HttpRequest) -> dict[str, int | Callable[[], int]]:
    """Context processor: `my_space_count` for the header, computed only when a page reads it,
    once per request (a cached callable, as the notifications badge)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_space_count": 0}
    return {"my_space_count": cache(lambda: waiting_count(user=user))}
