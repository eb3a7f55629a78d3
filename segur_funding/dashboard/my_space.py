"""« Mon espace »: what is waiting for the signed-in person, per side they act on.

Each task is a count and a link to the page where the person acts. The counts are capped
(`COUNT_CAP`): a person needs « plus de 100 » rather than an exact figure that would cost a scan
of a national-scale table on every visit. Who acts on what comes from the workflows (the
transition tables' `states_awaiting`, the quote and funding statuses); deadlines come from the same
selector as the « Mes échéances » page and the reminders.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
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


def _capped(queryset: QuerySet) -> int:
    return len(queryset.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])


def _editor_side(user: User, editor_ids: list[int], deadlines: list[tuple[Deadline, str]]) -> Side:
    dossiers = Dossier.objects.filter(editor_id__in=editor_ids)
    editor_statuses = DOSSIER_WORKFLOW.states_awaiting(Actor.EDITOR)
    quotes = Quote.objects.filter(editor_id__in=editor_ids, origin=QuoteOrigin.WEB)
    tasks = [
        Task(
            "Corrections demandées par l'ANS",
            _capped(dossiers.filter(status=DossierStatus.CORRECTION_REQUESTED)),
            reverse("referencing:dossier_list"),
            "Répondez avant la fin du délai : l'instruction reprend à votre réponse.",
        ),
        Task(
            "Dossiers de référencement à compléter",
            _capped(dossiers.filter(status__in=editor_statuses - {DossierStatus.CORRECTION_REQUESTED})),
            reverse("referencing:dossier_list"),
            "Candidature à déposer ou preuves à envoyer.",
        ),
        Task(
            "Devis en brouillon à émettre",
            _capped(quotes.filter(status=QuoteStatus.DRAFT)),
            reverse("quotes:editor_list"),
        ),
        Task(
            "Demandes de financement à déposer",
            _capped(quotes_awaiting_request(user=user)),
            reverse("funding:editor_list"),
            "Avance après la signature du client, solde après la mise en ordre de marche.",
        ),
        Task(
            "Signalements de vos devis à lire",
            _capped(QuoteAlert.objects.filter(editor_id__in=editor_ids, status=AlertStatus.OPEN)),
            reverse("alerts:editor_list"),
            "Un laboratoire juge un devis non conforme : répondez-lui.",
        ),
        Task(
            "Demandes « à modifier » par l'ASP",
            _capped(FundingRequest.objects.filter(editor_id__in=editor_ids, status=RequestStatus.TO_MODIFY)),
            reverse("funding:editor_list"),
        ),
    ]
    return Side("Éditeur", tasks, deadlines)


def _lab_side(client_ids: list[int], deadlines: list[tuple[Deadline, str]]) -> Side:
    quotes = Quote.objects.filter(client_id__in=client_ids)
    tasks = [
        Task(
            "Devis à vérifier et à signer",
            _capped(quotes.filter(status=QuoteStatus.ISSUED)),
            reverse("quotes:lab_list"),
            "Vérifiez que le devis ne vous laisse rien à payer au titre de la Prestation Ségur.",
        ),
        Task(
            "Prestations à déclarer en ordre de marche",
            _capped(quotes.filter(status=QuoteStatus.SIGNED)),
            reverse("quotes:lab_list"),
            "Votre déclaration permet à l'éditeur de demander le solde.",
        ),
    ]
    payments = list(
        Payment.objects.filter(quote__client_id__in=client_ids)
        .select_related("quote", "quote__editor")
        .order_by("-paid_on", "-pk")[:10]
    )
    alerts = list(QuoteAlert.objects.filter(client_id__in=client_ids).select_related("quote")[:10])
    return Side("Laboratoire", tasks, deadlines, payments, alerts)


def _pending_accounts(kind: str) -> QuerySet[AccountRequest]:
    return AccountRequest.objects.filter(kind=kind, status=AccountRequestStatus.PENDING)


def _ans_side(today: date) -> Side:
    queue = Dossier.objects.filter(status__in=DOSSIER_WORKFLOW.states_awaiting(Actor.ANS))
    admin_dossiers = reverse("admin:referencing_dossier_changelist")
    admin_requests = reverse("admin:organizations_accountrequest_changelist")
    tasks = [
        Task("Dossiers à instruire", _capped(queue), admin_dossiers),
        Task(
            "Dossiers en retard",
            _capped(queue.filter(clock_deadline__lt=today)),
            f"{admin_dossiers}?delai=retard",
        ),
        Task(
            "Demandes de compte d'éditeurs",
            _capped(_pending_accounts(OrganizationKind.EDITOR)),
            f"{admin_requests}?status__exact=pending&kind__exact=editor",
        ),
    ]
    return Side("Instruction ANS", tasks)


def _asp_side() -> Side:
    admin_requests = reverse("admin:funding_fundingrequest_changelist")
    admin_accounts = reverse("admin:organizations_accountrequest_changelist")
    tasks = [
        Task(
            "Demandes de financement à instruire",
            _capped(FundingRequest.objects.filter(status__in=AWAITING_ASP)),
            f"{admin_requests}?file=decision",
        ),
        Task(
            "Demandes validées à payer",
            _capped(FundingRequest.objects.filter(status__in=AWAITING_PAYMENT)),
            f"{admin_requests}?file=paiement",
        ),
        Task(
            "Demandes de compte de laboratoires",
            _capped(_pending_accounts(OrganizationKind.CLIENT)),
            f"{admin_accounts}?status__exact=pending&kind__exact=client",
        ),
    ]
    tasks.append(
        Task(
            "Signalements de devis à instruire",
            _capped(QuoteAlert.objects.filter(status=AlertStatus.OPEN)),
            f"{reverse('admin:alerts_quotealert_changelist')}?status__exact=open",
        )
    )
    return Side("Instruction ASP", tasks)


def my_space(*, user: User, today: date | None = None) -> list[Side]:
    """The sides the person acts on, each with its tasks and its next deadlines."""
    today = today or clock.today()
    sides: list[Side] = []
    if is_ans_reviewer(user=user):
        sides.append(_ans_side(today))
    if is_asp_reviewer(user=user):
        sides.append(_asp_side())
    editor_ids, client_ids = user_editor_ids(user=user), user_client_ids(user=user)
    if editor_ids or client_ids:
        sections = {s.audience: s for s in user_deadlines(user=user, today=today, include_ans=False)}

        def upcoming(audience: str) -> list[tuple[Deadline, str]]:
            section = sections.get(audience)
            items = section.items[:UPCOMING_DEADLINES] if section else []
            return [(item, item.link(audience)) for item in items]

        if editor_ids:
            sides.append(_editor_side(user, editor_ids, upcoming("editor")))
        if client_ids:
            sides.append(_lab_side(client_ids, upcoming("lab")))
    return sides

