"""« Mon espace » reads the editor's first deadlines in SQL, a few rows per kind: the same
deadlines, texts and order as the head of the full calendar (« Mes échéances »: every deadline
still visible), in a number of queries that does not grow with the quotes."""

from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from segur_funding.core import clock
from segur_funding.funding.constants import Milestone, RequestStatus
from segur_funding.funding.models import CorrectionRequest, FundingRequest
from segur_funding.funding.rules import quote_next_step
from segur_funding.notifications.deadlines import Audience, deadline_sort_key, user_deadlines
from segur_funding.quotes.models import Quote, QuoteStatus
from segur_funding.referencing.constants import DossierStatus
from segur_funding.referential.models import Dsr, FundingWindow
from tests.notifications.world import World, paris

TODAY = date(2022, 6, 20)


@pytest.fixture(autouse=True)
def frozen_day():
    with clock.travel_to(paris(TODAY, time(9))):
        yield


def _request(quote, milestone, status):
    return FundingRequest.objects.create(
        quote=quote, editor=quote.editor, milestone=milestone, status=status,
        funded_amount=10000, amount=3000,
    )


def _add_quotes(w: World, *, dossiers, windows, each: int) -> None:
    """`each` quotes of every situation, spread over the windows and the DSRs: enough of each
    kind that the first eight are a choice, with ids of one and two digits (the key's tie-break
    is a string order)."""
    pending, referenced = dossiers
    loinc = Dsr.objects.get(code="LOINC-V1")
    for i in range(each):
        window = windows[i % len(windows)]
        dsr = loinc if i % 3 == 0 else w.sgl
        n = f"{each}-{i}"
        # Issued, to sign (the same date for the whole DSR).
        issued = w.quote(f"I-{n}", dossier=referenced, status=QuoteStatus.ISSUED)
        # Ordered before referencing, proofs not complete: the 120-day rule, some long overdue.
        ordered = w.quote(f"P-{n}", dossier=pending, status=QuoteStatus.ISSUED,
                          order_date=TODAY - timedelta(days=60 + 7 * i))
        Quote.objects.filter(pk__in=[issued.pk, ordered.pk]).update(dsr=dsr)
        # Signed without an advance: the advance and the delivery are due.
        w.quote(f"S-{n}", dossier=referenced, status=QuoteStatus.SIGNED, window=window,
                signature_date=date(2022, 3, 1))
        # Signed, advance paid: the delivery only.
        paid = w.quote(f"A-{n}", dossier=referenced, status=QuoteStatus.SIGNED, window=window,
                       signature_date=date(2022, 3, 1))
        _request(paid, Milestone.ADVANCE, RequestStatus.PAID)
        # Delivered, advance paid, no balance: the balance.
        delivered = w.quote(f"L-{n}", dossier=referenced, status=QuoteStatus.DELIVERED,
                            window=window, signature_date=date(2022, 3, 1))
        _request(delivered, Milestone.ADVANCE, RequestStatus.PAID)
        # Delivered, balance filed: nothing. Advance refused: nothing.
        done = w.quote(f"B-{n}", dossier=referenced, status=QuoteStatus.DELIVERED, window=window)
        _request(done, Milestone.ADVANCE, RequestStatus.PAID)
        _request(done, Milestone.BALANCE, RequestStatus.SUBMITTED)
        refused = w.quote(f"R-{n}", dossier=referenced, status=QuoteStatus.SIGNED, window=window)
        _request(refused, Milestone.ADVANCE, RequestStatus.REFUSED)
        # An advance sent back « à modifier »: a dateless item, first on the page.
        corrected = w.quote(f"C-{n}", dossier=referenced, status=QuoteStatus.SIGNED, window=window)
        request = _request(corrected, Milestone.ADVANCE, RequestStatus.TO_MODIFY)
        CorrectionRequest.objects.create(request=request, reasons=["other"], comment=f"pièce {i}")
    # The stored next step, as the moves write it (the rows above were made directly).
    for quote in Quote.objects.prefetch_related("funding_requests"):
        statuses = {r.milestone: r.status for r in quote.funding_requests.all()}
        step = quote_next_step(
            quote_status=quote.status, origin=quote.origin,
            advance=statuses.get(Milestone.ADVANCE), balance=statuses.get(Milestone.BALANCE),
        )
        Quote.objects.filter(pk=quote.pk).update(next_step=step)


@pytest.fixture
def world(reference_data):
    w = World()
    pending = w.dossier("BioLab Plus", status=DossierStatus.PROOFS_IN_PROGRESS)
    referenced = w.dossier(
        "BioLab", status=DossierStatus.REFERENCED, referenced_on=date(2022, 1, 1),
        proofs_complete_on=date(2021, 12, 1),
    )
    # A second window whose advance deadline is earlier and balance deadline later than the first's.
    second = FundingWindow.objects.create(
        scheme=w.window.scheme, number=2, label="Fenêtre de financement 2",
        order_signature_deadline=date(2022, 12, 31), advance_request_deadline=date(2022, 9, 30),
        service_completion_deadline=date(2022, 12, 15), balance_request_deadline=date(2023, 6, 30),
    )
    w.dossiers, w.windows = (pending, referenced), (w.window, second)
    return w


def _editor_items(user, *, limit=None):
    [section] = user_deadlines(user=user, today=TODAY, include_ans=False, limit=limit)
    assert section.audience == Audience.EDITOR
    return section.items


def _shown(items):
    """What the page shows of a deadline (the dataclass compares every field but the linker)."""
    return [(item, item.link(Audience.EDITOR)) for item in items]


@pytest.mark.parametrize("limit", [1, 8, 30])
def test_the_first_deadlines_are_those_of_the_full_calendar(world, limit):
    _add_quotes(world, dossiers=world.dossiers, windows=world.windows, each=12)
    full = _editor_items(world.e1)
    assert full == sorted(full, key=deadline_sort_key)
    kinds = {item.kind for item in full[:30]}
    assert len(kinds) >= 2, kinds  # corrections first, then dated ones
    assert len({item.kind for item in full}) == 6, {item.kind for item in full}

    first = _editor_items(world.e1, limit=limit)

    assert _shown(first) == _shown(full[:limit])
    assert [item.subject for item in first] == [item.subject for item in full[:limit]]


def test_every_kind_in_the_same_order_as_the_full_calendar(world):
    """Past the dateless corrections: each kind's first rows, across windows and DSRs."""
    _add_quotes(world, dossiers=world.dossiers, windows=world.windows, each=12)
    CorrectionRequest.objects.update(resolved_at=clock.now())  # the dated items come first now
    full = _editor_items(world.e1)
    first = _editor_items(world.e1, limit=8)
    assert _shown(first) == _shown(full[:8])
    for kind in {item.kind for item in full}:
        ours = [d for d in full if d.kind == kind][:8]
        limited = user_deadlines(user=world.e1, today=TODAY, include_ans=False, limit=200)[0].items
        assert [d for d in limited if d.kind == kind][:8] == ours, kind
    # The 120-day rule hides orders overdue by more than sixty days, in SQL as in Python.
    assert not [d for d in first if d.days_left is not None and d.days_left < -60]


def test_the_lab_sees_the_same_first_deadlines(world):
    _add_quotes(world, dossiers=world.dossiers, windows=world.windows, each=12)
    [full] = user_deadlines(user=world.l1, today=TODAY, include_ans=False)
    [first] = user_deadlines(user=world.l1, today=TODAY, include_ans=False, limit=8)
    assert first.audience == Audience.LAB
    assert [(d, d.link(Audience.LAB)) for d in first.items] == [
        (d, d.link(Audience.LAB)) for d in full.items[:8]
    ]


def _queries(user) -> int:
    user = type(user).objects.get(pk=user.pk)  # as each request loads it: nothing cached on it yet
    with CaptureQueriesContext(connection) as queries:
        _editor_items(user, limit=8)
    # No query reads the quotes or the corrections without a LIMIT or a list of ids (the full
    # calendar loads them all).
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    unbounded = [sql for sql in reads if ('FROM "quotes_quote"' in sql or 'FROM "funding_correctionrequest"'
                                          in sql) and "LIMIT" not in sql and '"id" IN (' not in sql]
    assert not unbounded, unbounded
    return len(queries)


def test_the_queries_do_not_grow_with_the_quotes(world):
    _add_quotes(world, dossiers=world.dossiers, windows=world.windows, each=3)
    few = _queries(world.e1)
    _add_quotes(world, dossiers=world.dossiers, windows=world.windows, each=25)
    assert Quote.objects.count() > 200
    assert _queries(world.e1) == few
