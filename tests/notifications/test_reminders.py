"""Reminders across a simulated year: each fires on the right Europe/Paris date, exactly once per
threshold, object and person, although the beat task runs several times a day.

The clock is moved (clock.travel_to), never waited for. Referencing dossiers go through the real
services at their simulated dates; quotes and funding requests are rows put in the state they
would be in (their services belong to the quotes and funding apps and have their own tests).
"""

from collections import Counter
from datetime import date, time, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from segur_funding.core import clock
from segur_funding.funding.constants import Milestone, RequestStatus
from segur_funding.funding.models import CorrectionRequest as FundingCorrection
from segur_funding.funding.models import FundingRequest
from segur_funding.notifications.constants import NotificationKind as K
from segur_funding.notifications.models import Notification
from segur_funding.notifications.reminders import reminders_due, reminders_send_due
from segur_funding.notifications.tasks import send_due_reminders
from segur_funding.quotes.models import Quote, QuoteStatus
from segur_funding.referencing import services as referencing
from segur_funding.referencing.constants import DossierStatus
from segur_funding.referencing.models import Dossier
from tests.referencing.factories import SolutionVersionFactory, member

from .world import World, paris, request_create, update

REMINDER_KINDS = [
    K.REMINDER,
    K.REMINDER_REVIEW_CLOCK,
    K.REMINDER_PREORDER_DEADLINE,
    K.REMINDER_CORRECTION_OPEN,
    K.REMINDER_WINDOW_DEADLINE,
]
# Two beat runs every day, just after midnight and just before midnight (Paris time): a reminder
# sent twice would show, and one computed with the UTC date instead of the Paris date would
# land a day off (23:59 in Paris in summer is 21:59 UTC, 00:01 is 22:01 UTC the day before).
RUN_TIMES = (time(0, 1), time(23, 59))
# What happens during a simulated day happens at 10:00, between the first two runs.
EVENT_TIME = time(10, 0)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT
    settings.SEGUR_CLAMD_SOCKET = None


def run_the_year(world: World, first: date, last: date) -> None:
    day = first
    while day <= last:
        for at in RUN_TIMES:
            if at > EVENT_TIME:
                for action in world.events.pop(day, []):
                    with clock.travel_to(paris(day, EVENT_TIME)), transaction.atomic():
                        action()
            with clock.travel_to(paris(day, at)):
                reminders_send_due()
        day += timedelta(days=1)
    assert not world.events, "événements jamais joués"


def what(notification: Notification) -> tuple:
    c = notification.context
    return {
        K.REMINDER_REVIEW_CLOCK: lambda: (c["phase"], c["dossier_id"]),
        K.REMINDER_PREORDER_DEADLINE: lambda: ("120 jours", c["quote_id"]),
        K.REMINDER_WINDOW_DEADLINE: lambda: (c["step"], c["quote_id"]),
        K.REMINDER_CORRECTION_OPEN: lambda: ("correction", c["dossier_id"]),
        K.REMINDER: lambda: ("à modifier", c["request_id"]),
    }[notification.kind]()


def reminders_received() -> Counter:
    rows = Notification.objects.filter(kind__in=REMINDER_KINDS).select_related("recipient")
    return Counter(
        (what(n), n.recipient.email, timezone.localdate(n.created_at)) for n in rows
    )


@pytest.mark.slow
def test_a_simulated_year_of_reminders(reference_data):
    w = World()
    d = date

    # Dossier A goes through the real referencing services: eligibility clock from 10/01 (due
    # 17/01, decided late on 20/01), proofs complete on 01/02 (instruction due 15/03), a
    # correction from 01/03 to 11/03 pauses the clock ten days (due 25/03), granted on 28/03.
    version = SolutionVersionFactory(solution__editor=w.editor, solution__name="BioLab", label="5")
    with clock.travel_to(paris(d(2022, 1, 5), EVENT_TIME)):
        a = referencing.dossier_create(
            user=w.e1, solution_version=version, dsr=w.sgl, contact_name="Élise",
            contact_email="elise@test.example", honour_declaration=True,
        )
    w.on(d(2022, 1, 10), lambda: referencing.candidature_submit(user=w.e1, dossier=a))
    w.on(d(2022, 1, 20), lambda: referencing.eligibility_decide(user=w.ans, dossier=a, eligible=True))
    w.on(d(2022, 1, 21), lambda: (referencing.proofs_start(user=w.e1, dossier=a), w.upload_all(a)))
    w.on(d(2022, 2, 1), lambda: referencing.proofs_submit(user=w.e1, dossier=a))
    w.on(d(2022, 2, 2), lambda: referencing.review_start(user=w.ans, dossier=a))
    w.on(d(2022, 3, 1), lambda: referencing.correction_request(
        user=w.ans, dossier=a, reason="non_conform_proof", message="Capture illisible."))
    w.on(d(2022, 3, 11), lambda: referencing.proofs_resubmit(user=w.e1, dossier=a))
    w.on(d(2022, 3, 12), lambda: referencing.review_start(user=w.ans, dossier=a))
    w.on(d(2022, 3, 28), lambda: (
        referencing.proofs_accept_submitted(user=w.ans, dossier=a),
        referencing.referencing_grant(user=w.ans, dossier=a),
    ))

    # Dossier B: proofs complete only on 10/05 (instruction due 21/06, never decided).
    b = w.dossier("BioLab Plus", status=DossierStatus.PROOFS_IN_PROGRESS)
    w.on(d(2022, 5, 10), lambda: update(
        Dossier, b.pk, status=DossierStatus.UNDER_REVIEW, proofs_complete_on=d(2022, 5, 10)))
    # Dossier C: its proofs never come.
    c = w.dossier("BioLab Mini", status=DossierStatus.PROOFS_IN_PROGRESS)

    # Q1, ordered before referencing on 01/02 (120 days: 01/06), signed on 01/03 in window 1;
    # B completes in time after the 30-day reminder; no advance request, no delivery ever.
    q1 = w.quote("D-1", dossier=b, order_date=d(2022, 2, 1), status=QuoteStatus.ISSUED)
    w.on(d(2022, 3, 1), lambda: update(
        Quote, q1.pk, status=QuoteStatus.SIGNED, signature_date=d(2022, 3, 1), window=w.window))
    # Q2, after referencing, issued on 01/05 and never signed (signature by 15/07).
    q2 = w.quote("D-2", dossier=a, order_date=d(2022, 5, 1), status=QuoteStatus.DRAFT)
    w.on(d(2022, 5, 1), lambda: update(Quote, q2.pk, status=QuoteStatus.ISSUED))
    # Q3, ordered before referencing on 01/04 against C, which never completes (120 days:
    # 30/07); signed 15/04, advance asked 20/04 and sent back "à modifier" on 10/06 for good,
    # delivered 01/06; the balance (due 28/04/2023) is asked on 25/04/2023.
    q3 = w.quote("D-3", dossier=c, order_date=d(2022, 4, 1), status=QuoteStatus.ISSUED)
    w.on(d(2022, 4, 15), lambda: update(
        Quote, q3.pk, status=QuoteStatus.SIGNED, signature_date=d(2022, 4, 15), window=w.window))
    advance = {}

    def ask_advance():
        advance["q3"] = request_create(
            quote=q3, editor=w.editor, milestone=Milestone.ADVANCE,
            status=RequestStatus.SUBMITTED, funded_amount=32940, amount=9882,
        )

    def send_back():
        update(FundingRequest, advance["q3"].pk, status=RequestStatus.TO_MODIFY)
        correction = FundingCorrection.objects.create(request=advance["q3"], reasons=["other"])
        update(FundingCorrection, correction.pk, requested_at=clock.now())

    w.on(d(2022, 4, 20), ask_advance)
    w.on(d(2022, 6, 1), lambda: update(
        Quote, q3.pk, status=QuoteStatus.DELIVERED, delivered_on=d(2022, 6, 1)))
    w.on(d(2022, 6, 10), send_back)
    w.on(d(2023, 4, 25), lambda: request_create(
        quote=q3, editor=w.editor, milestone=Milestone.BALANCE,
        status=RequestStatus.SUBMITTED, funded_amount=32940, amount=23058,
    ))
    # Q4: signed, but its advance was refused: nothing is left to remind of.
    q4 = w.quote("D-4", dossier=a, order_date=d(2022, 3, 1), status=QuoteStatus.SIGNED,
                 signature_date=d(2022, 3, 1), window=w.window)
    request_create(
        quote=q4, editor=w.editor, milestone=Milestone.ADVANCE, status=RequestStatus.REFUSED,
        funded_amount=32940, amount=9882,
    )
    # Q5: a draft, and Q6: cancelled: no order, no reminder.
    w.quote("D-5", dossier=c, order_date=d(2022, 2, 1), status=QuoteStatus.DRAFT)
    w.quote("D-6", dossier=c, order_date=d(2022, 2, 1), status=QuoteStatus.CANCELLED)

    run_the_year(w, d(2022, 1, 1), d(2023, 4, 30))

    ans, editor, lab = ("ans@test.example",), ("e1@test.example", "e2@test.example"), (
        "l1@test.example",
    )
    both = editor + lab
    expected = [
        # ANS review clocks: two days left, then overdue; nothing while A's clock is paused
        # (it would have said 13/03 for the old 15/03 deadline).
        (("éligibilité", a.pk), ans, d(2022, 1, 15)),
        (("éligibilité", a.pk), ans, d(2022, 1, 18)),
        (("instruction", a.pk), ans, d(2022, 3, 23)),
        (("instruction", a.pk), ans, d(2022, 3, 26)),
        (("instruction", b.pk), ans, d(2022, 6, 19)),
        (("instruction", b.pk), ans, d(2022, 6, 22)),
        # The correction on A, open 10 days: the 7-day reminder only.
        (("correction", a.pk), editor, d(2022, 3, 8)),
        # 120 days: Q1 once (B completes before the 7-day mark); Q3 at 30, 7 and 1 days.
        (("120 jours", q1.pk), editor, d(2022, 5, 2)),
        (("120 jours", q3.pk), editor, d(2022, 6, 30)),
        (("120 jours", q3.pk), editor, d(2022, 7, 23)),
        (("120 jours", q3.pk), editor, d(2022, 7, 29)),
        # Q2 never signed: signature by 15/07, to the lab and the editor.
        (("signature", q2.pk), both, d(2022, 6, 15)),
        (("signature", q2.pk), both, d(2022, 7, 8)),
        (("signature", q2.pk), both, d(2022, 7, 14)),
        # Q1 signed without advance request (due 30/11) nor delivery (due 15/10).
        (("advance_request", q1.pk), editor, d(2022, 10, 31)),
        (("advance_request", q1.pk), editor, d(2022, 11, 23)),
        (("advance_request", q1.pk), editor, d(2022, 11, 29)),
        (("service_completion", q1.pk), both, d(2022, 9, 15)),
        (("service_completion", q1.pk), both, d(2022, 10, 8)),
        (("service_completion", q1.pk), both, d(2022, 10, 14)),
        # Q3's advance "à modifier" since 10/06: after 7 and 14 days.
        (("à modifier", advance["q3"].pk), editor, d(2022, 6, 17)),
        (("à modifier", advance["q3"].pk), editor, d(2022, 6, 24)),
        # Q3 delivered: balance by 28/04/2023, asked on 25/04 (no 1-day reminder).
        (("balance_request", q3.pk), editor, d(2023, 3, 29)),
        (("balance_request", q3.pk), editor, d(2023, 4, 21)),
    ]
    want = Counter({(obj, email, day): 1 for obj, emails, day in expected for email in emails})
    got = reminders_received()
    assert got - want == Counter(), "rappels en trop ou en double"
    assert want - got == Counter(), "rappels manquants"


def test_two_runs_at_once_and_the_task_itself_add_nothing(reference_data):
    """The outbox's unique key settles concurrent runs; here, runs after runs."""
    w = World()
    q = w.quote("D-9", dossier=w.dossier("BioLab", status=DossierStatus.REFERENCED,
                                         referenced_on=date(2022, 1, 1),
                                         proofs_complete_on=date(2021, 12, 1)),
                order_date=date(2022, 6, 1), status=QuoteStatus.ISSUED)
    with clock.travel_to(paris(date(2022, 7, 8), time(9))):
        first = reminders_send_due()
        again = reminders_send_due()
        send_due_reminders.delay()
    assert (first.created, again.created) == (3, 0)
    rows = Notification.objects.filter(kind=K.REMINDER_WINDOW_DEADLINE)
    assert sorted(rows.values_list("recipient__email", flat=True)) == [
        "e1@test.example", "e2@test.example", "l1@test.example",
    ]
    lab_row = rows.get(recipient__email="l1@test.example")
    assert lab_row.link == f"/devis/laboratoire/{q.pk}/"
    assert rows.get(recipient__email="e1@test.example").link == f"/devis/editeur/{q.pk}/"
    assert lab_row.message == (
        "Devis D-9 — Laboratoire Ébène : signature du devis au plus tard le 15/07/2022."
    )
    assert lab_row.context["days_left"] == 7


def test_a_member_who_joins_later_is_told_once_of_the_current_threshold(reference_data):
    w = World()
    w.quote("D-9", dossier=w.dossier("BioLab", status=DossierStatus.REFERENCED,
                                     referenced_on=date(2022, 1, 1),
                                     proofs_complete_on=date(2021, 12, 1)),
            order_date=date(2022, 6, 1), status=QuoteStatus.ISSUED)
    with clock.travel_to(paris(date(2022, 7, 8), time(9))):
        reminders_send_due()
    newcomer = member(w.lab, email="l2@test.example")
    for day in (9, 10, 14, 15):
        with clock.travel_to(paris(date(2022, 7, day), time(9))):
            reminders_send_due()
    # The 7-day reminder the others had (now 6 days left), then the 1-day one with everybody.
    assert sorted(
        Notification.objects.filter(recipient=newcomer).values_list("context__days_left", flat=True)
    ) == [1, 6]
    assert Notification.objects.filter(kind=K.REMINDER_WINDOW_DEADLINE).count() == 3 + 1 + 4


def test_a_reminder_that_cannot_be_written_does_not_stop_the_others(reference_data, monkeypatch):
    from segur_funding.notifications import reminders

    w = World()
    dossier = w.dossier("BioLab", status=DossierStatus.REFERENCED, referenced_on=date(2022, 1, 1),
                        proofs_complete_on=date(2021, 12, 1))
    for number in ("D-1", "D-2"):
        w.quote(number, dossier=dossier, order_date=date(2022, 6, 1), status=QuoteStatus.ISSUED)
    real = reminders.notification_enqueue

    def flaky(**kwargs):
        if kwargs["context"]["object_label"].startswith("Devis D-1"):
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(reminders, "notification_enqueue", flaky)
    with clock.travel_to(paris(date(2022, 7, 8), time(9))):
        run = reminders_send_due()
    assert run.failed == 2  # D-1, to the lab and to the editor
    assert run.created == 3  # D-2 reached its three people


def test_the_steady_state_run_is_a_handful_of_queries(reference_data, django_assert_max_num_queries):
    w = World()
    dossier = w.dossier("BioLab", status=DossierStatus.REFERENCED, referenced_on=date(2022, 1, 1),
                        proofs_complete_on=date(2021, 12, 1))
    for n in range(20):
        w.quote(f"D-{n}", dossier=dossier, order_date=date(2022, 6, 1), status=QuoteStatus.ISSUED)
    moment = paris(date(2022, 7, 8), time(9))
    with clock.travel_to(moment):
        assert len(reminders_due(today=clock.today())) == 40
        reminders_send_due()
        # One query per kind of deadline (each reads only the deadlines still visible), the
        # reference data, the outbox: as many with 20 quotes as with 40.
        with CaptureQueriesContext(connection) as twenty:
            assert reminders_send_due().created == 0
        for n in range(20, 40):
            w.quote(f"D-{n}", dossier=dossier, order_date=date(2022, 6, 1), status=QuoteStatus.ISSUED)
        reminders_send_due()
        with django_assert_max_num_queries(15), CaptureQueriesContext(connection) as forty:
            assert reminders_send_due().created == 0
        assert len(forty) == len(twenty)
