"""A small world of deadlines for the reminder and calendar tests: an editor with two members, a
lab with one, an ANS reviewer, SGL-V1 dossiers and quotes put in the state each test needs."""

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from segur_funding.funding.models import FundingRequest
from segur_funding.organizations.constants import ANS_REVIEWERS_GROUP
from segur_funding.organizations.services import reviewer_groups_setup
from segur_funding.quotes.models import Quote, QuoteOrigin
from segur_funding.referencing import services as referencing
from segur_funding.referencing.models import Dossier
from segur_funding.referential.models import Dsr, FundingWindow
from tests.referencing.factories import (
    EditorFactory,
    LabFactory,
    SolutionVersionFactory,
    UserFactory,
    member,
    pdf,
)

PARIS = ZoneInfo("Europe/Paris")


def paris(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=PARIS)


def update(model, pk, **fields):
    """A row written directly; a quote's or a request's keeps `Quote.next_step` as the services do."""
    model.objects.filter(pk=pk).update(**fields)
    if model is Quote:
        next_step_refresh(pk)
    elif model is FundingRequest:
        next_step_refresh(FundingRequest.objects.get(pk=pk).quote_id)


def request_create(**fields) -> FundingRequest:
    """A funding request written directly, its quote's `next_step` kept as the services do."""
    request = FundingRequest.objects.create(**fields)
    next_step_refresh(request.quote_id)
    return request


def next_step_refresh(quote_id: int) -> None:
    from segur_funding.funding.selectors import quote_next_step

    quote = Quote.objects.get(pk=quote_id)
    Quote.objects.filter(pk=quote_id).update(next_step=quote_next_step(quote=quote))


class World:
    """An editor (two members), a lab (one member), an ANS reviewer, their dossiers and quotes."""

    def __init__(self):
        groups = reviewer_groups_setup()
        self.editor = EditorFactory(name="Biologiciel")
        self.lab = LabFactory(name="Laboratoire Ébène")
        self.e1 = member(self.editor, email="e1@test.example")
        self.e2 = member(self.editor, email="e2@test.example")
        self.l1 = member(self.lab, email="l1@test.example")
        self.ans = UserFactory(email="ans@test.example", is_staff=True)
        self.ans.groups.add(groups[ANS_REVIEWERS_GROUP])
        self.sgl = Dsr.objects.get(code="SGL-V1")
        self.window = FundingWindow.objects.get(
            scheme__dsr=self.sgl, scheme__is_active=True, number=1
        )
        self.events: dict[date, list[Callable[[], None]]] = {}

    def on(self, day: date, action: Callable[[], None]) -> None:
        self.events.setdefault(day, []).append(action)

    def dossier(self, solution: str, **fields) -> Dossier:
        version = SolutionVersionFactory(solution__editor=self.editor, solution__name=solution)
        return Dossier.objects.create(
            editor=self.editor, solution_version=version, dsr=self.sgl, created_by=self.e1,
            contact_name="Contact", contact_email="contact@test.example",
            honour_declaration=True, **fields,
        )

    def quote(self, number: str, *, dossier: Dossier, **fields) -> Quote:
        fields = {"editor": self.editor, "client": self.lab, **fields}
        quote = Quote.objects.create(
            origin=QuoteOrigin.WEB, number=number, dsr=self.sgl, dossier=dossier, **fields
        )
        next_step_refresh(quote.pk)  # what the services write when a quote moves
        quote.refresh_from_db()
        return quote

    def upload_all(self, dossier: Dossier) -> None:
        for proof in dossier.proofs.select_related("requirement"):
            if proof.requirement.mandatory:
                referencing.proof_file_upload(user=self.e1, proof=proof, upload=pdf())
