from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.funding import services
from segur_funding.funding.constants import CorrectionReason, Milestone, RequestStatus
from segur_funding.funding.models import CorrectionRequest, FundingRequest, Payment, RequestEvent
from segur_funding.quotes.models import QuoteStatus
from segur_funding.referential.models import FundingWindow
from tests.funding.factories import (
    ADVANCE_DAY,
    BALANCE_DAY,
    PAID_DAY,
    EditorFactory,
    Scenario,
    asp_validate,
    member,
)


def invoice(name: str = "facture.pdf", content: bytes = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def written() -> tuple[int, int, int, int]:
    return (
        FundingRequest.objects.count(),
        RequestEvent.objects.count(),
        Payment.objects.count(),
        CorrectionRequest.objects.count(),
    )


def refused(call, *, code: str | None = None, match: str = ""):
    """The call is refused with a French message and writes nothing."""
    before = written()
    with pytest.raises(DomainError) as info:
        call()
    assert written() == before
    if code:
        assert info.value.code == code
    assert match in info.value.message
    return info.value


def paid_advance(scenario: Scenario, asp, quote=None):
    quote = quote or scenario.delivered()
    request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
    asp_validate(request, asp, on=ADVANCE_DAY)
    services.payment_record(request=request, user=asp, paid_on=PAID_DAY, reference="ASP-AV-1", today=PAID_DAY)
    return quote, request


@pytest.mark.django_db
class TestAdvance:
    def test_advance_is_30_percent_of_the_funded_amount(self, scenario):
        quote = scenario.signed()
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        assert request.status == RequestStatus.SUBMITTED
        assert request.milestone == Milestone.ADVANCE
        assert request.funded_amount == Decimal("32940.00")
        assert request.amount == Decimal("9882.00")
        event = request.events.get()
        assert (event.from_status, event.to_status) == (RequestStatus.DRAFT, RequestStatus.SUBMITTED)
        assert event.actor == scenario.editor_user

    def test_advance_is_rounded_half_up_to_the_cent(self, reference_data):
        from tests.funding.factories import conform_lines

        scenario = Scenario()
        # 30 % of 30 000,05 = 9 000,015 -> 9 000,02 (half-up), balance 21 000,03.
        quote = scenario.signed(lines=conform_lines(Decimal("30000.05")))
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        assert request.amount == Decimal("9000.02")

    def test_advance_refused_before_the_client_signs(self, scenario):
        quote = scenario.issued()
        refused(
            lambda: services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY),
            code="QUOTE_NOT_SIGNED",
            match="signé par le client",
        )

    def test_second_advance_refused(self, scenario):
        quote = scenario.signed()
        services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        refused(
            lambda: services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY),
            code="DUPLICATE_REQUEST",
            match="existe déjà",
        )

    def test_late_advance_request_refused(self, scenario):
        quote = scenario.signed()
        error = refused(
            lambda: services.advance_request_file(
                quote=quote, user=scenario.editor_user, today=date(2022, 12, 1)
            ),
            code="ADVANCE_REQUEST_LATE",
        )
        assert "30/11/2022" in error.message
        assert "1 jour(s)" in error.message

    def test_advance_on_the_deadline_day_is_on_time(self, scenario):
        quote = scenario.signed()
        request = services.advance_request_file(
            quote=quote, user=scenario.editor_user, today=date(2022, 11, 30)
        )
        assert request.status == RequestStatus.SUBMITTED

    def test_another_editor_cannot_file(self, scenario):
        quote = scenario.signed()
        intruder = member(EditorFactory())
        refused(
            lambda: services.advance_request_file(quote=quote, user=intruder, today=ADVANCE_DAY),
            code="FORBIDDEN",
        )

    def test_order_before_referencing_waits_for_the_complete_proofs(self, reference_data):
        scenario = Scenario(referenced_on=None, proofs_complete_on=None)
        quote = scenario.signed()
        refused(
            lambda: services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY),
            code="PROOFS_PENDING",
            match="29/06/2022",  # 1 March + 120 days
        )

    def test_order_more_than_120_days_before_the_complete_proofs_refused(self, reference_data):
        scenario = Scenario(referenced_on=None, proofs_complete_on=None)
        quote = scenario.signed()
        # The dossier is completed 122 days after the order, then referenced.
        scenario.dossier.proofs_complete_on = date(2022, 7, 1)
        scenario.dossier.referenced_on = date(2022, 7, 10)
        scenario.dossier.save()
        refused(
            lambda: services.advance_request_file(
                quote=quote, user=scenario.editor_user, today=date(2022, 7, 20)
            ),
            code="ORDER_TOO_EARLY",
            match="120 jours",
        )

    def test_order_120_days_before_the_complete_proofs_is_funded(self, reference_data):
        scenario = Scenario(referenced_on=None, proofs_complete_on=None)
        quote = scenario.signed()
        # The window's own proofs deadline (15/05/2022) is tested below: lift it here.
        FundingWindow.objects.filter(pk=quote.window_id).update(proofs_complete_deadline=None)
        scenario.dossier.proofs_complete_on = date(2022, 6, 29)  # exactly 120 days
        scenario.dossier.referenced_on = date(2022, 7, 10)
        scenario.dossier.save()
        request = services.advance_request_file(
            quote=quote, user=scenario.editor_user, today=date(2022, 7, 20)
        )
        assert request.amount == Decimal("9882.00")

    def test_proofs_completed_after_the_window_deadline_are_refused(self, reference_data):
        scenario = Scenario(referenced_on=date(2022, 5, 20), proofs_complete_on=date(2022, 5, 16))
        quote = scenario.signed()
        refused(
            lambda: services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY),
            code="PROOFS_LATE",
            match="15/05/2022",
        )

    def test_proofs_completed_on_the_window_deadline_day_are_on_time(self, reference_data):
        scenario = Scenario(referenced_on=date(2022, 5, 20), proofs_complete_on=date(2022, 5, 15))
        quote = scenario.signed()
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        assert request.status == RequestStatus.SUBMITTED


@pytest.mark.django_db
class TestAspDecisions:
    def test_validate_then_pay_marks_the_request_paid(self, scenario, asp):
        quote = scenario.signed()
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        asp_validate(request, asp, on=ADVANCE_DAY)
        payment = services.payment_record(
            request=request, user=asp, paid_on=PAID_DAY, reference="ASP-2022-001", today=PAID_DAY
        )
        request.refresh_from_db()
        assert request.status == RequestStatus.PAID
        assert payment.amount == Decimal("9882.00")
        assert payment.milestone == Milestone.ADVANCE
        assert [(e.from_status, e.to_status) for e in request.events.all()] == [
            (RequestStatus.DRAFT, RequestStatus.SUBMITTED),
            (RequestStatus.SUBMITTED, RequestStatus.VALIDATED),
            (RequestStatus.VALIDATED, RequestStatus.PAID),
        ]
        assert request.events.last().actor == asp

    def test_second_payment_refused_with_a_clear_message(self, scenario, asp):
        _quote, request = paid_advance(scenario, asp)
        refused(
            lambda: services.payment_record(
                request=request,
                user=asp,
                paid_on=PAID_DAY,
                reference="ASP-2022-002",
                today=PAID_DAY,
            ),
            code="ALREADY_PAID",
            match="Ce versement a déjà été enregistré",
        )

    def test_payment_refused_before_validation(self, scenario, asp):
        quote = scenario.signed()
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        refused(
            lambda: services.payment_record(
                request=request, user=asp, paid_on=PAID_DAY, reference="X", today=PAID_DAY
            ),
            code="NOT_VALIDATED",
        )

    def test_payment_needs_a_reference_and_a_past_date(self, scenario, asp):
        quote = scenario.signed()
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        asp_validate(request, asp, on=ADVANCE_DAY)
        with pytest.raises(InvalidInput):
            services.payment_record(
                request=request, user=asp, paid_on=PAID_DAY, reference=" ", today=PAID_DAY
            )
        with pytest.raises(InvalidInput):
            services.payment_record(
                request=request, user=asp, paid_on=date(2022, 6, 21), reference="R", today=PAID_DAY
            )
        assert not Payment.objects.exists()

    def test_only_asp_reviewers_decide(self, scenario):
        quote = scenario.signed()
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        refused(
            lambda: services.funding_request_validate(request=request, user=scenario.editor_user),
            code="FORBIDDEN",
        )

    def test_send_back_then_resubmit_then_validate(self, scenario, asp):
        quote = scenario.signed()
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        correction = services.funding_request_send_back(
            request=request,
            user=asp,
            reasons=[CorrectionReason.AMOUNT_MISMATCH, CorrectionReason.OTHER],
            comment="Montant à revoir.",
        )
        request.refresh_from_db()
        assert request.status == RequestStatus.TO_MODIFY
        assert correction.resolved_at is None
        assert "Montant demandé" in correction.reason_labels[0]
        services.funding_request_resubmit(
            request=request, user=scenario.editor_user, comment="Montant revu.", amount=Decimal("9000.00")
        )
        request.refresh_from_db()
        correction.refresh_from_db()
        assert request.status == RequestStatus.RESUBMITTED
        assert correction.resolved_at is not None
        asp_validate(request, asp, on=ADVANCE_DAY)
        request.refresh_from_db()
        assert request.status == RequestStatus.VALIDATED
        assert request.events.count() == 4

    def test_send_back_needs_a_reason(self, scenario, asp):
        quote = scenario.signed()
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        with pytest.raises(InvalidInput):
            services.funding_request_send_back(request=request, user=asp, reasons=[])

    def test_refusal_is_final(self, scenario, asp):
        quote = scenario.signed()
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        services.funding_request_refuse(request=request, user=asp, comment="Devis non éligible.")
        refused(
            lambda: asp_validate(request, asp, on=ADVANCE_DAY),
            code="ILLEGAL_TRANSITION",
        )
        refused(
            lambda: services.payment_record(
                request=request, user=asp, paid_on=PAID_DAY, reference="X", today=PAID_DAY
            ),
            code="NOT_VALIDATED",
        )

    def test_stale_decision_is_refused(self, scenario, asp):
        quote = scenario.signed()
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        stale = FundingRequest.objects.get(pk=request.pk)
        asp_validate(request, asp, on=ADVANCE_DAY)
        # A second reviewer still looking at the "submitted" page refuses it: the row is read
        # again under lock, so the move is judged on its real status.
        refused(
            lambda: services.funding_request_refuse(request=stale, user=asp, comment="Non."),
            code="ILLEGAL_TRANSITION",
        )


@pytest.mark.django_db
class TestBalance:
    def test_balance_is_the_funded_amount_minus_the_advance(self, scenario, asp):
        quote, advance = paid_advance(scenario, asp)
        balance = services.balance_request_file(
            quote=quote, user=scenario.editor_user, invoice=invoice(), today=BALANCE_DAY
        )
        assert balance.amount == Decimal("23058.00")
        assert balance.invoice.name.endswith(".pdf")
        asp_validate(balance, asp, on=BALANCE_DAY)
        services.payment_record(
            request=balance,
            user=asp,
            paid_on=BALANCE_DAY,
            reference="ASP-SOLDE-1",
            today=BALANCE_DAY,
        )
        total = sum(p.amount for p in Payment.objects.filter(quote=quote))
        assert total == Decimal("32940.00") == advance.funded_amount
        quote.refresh_from_db()
        assert quote.status == QuoteStatus.DELIVERED

    def test_balance_refused_before_the_advance_is_paid(self, scenario, asp):
        quote = scenario.delivered()
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        asp_validate(request, asp, on=ADVANCE_DAY)
        refused(
            lambda: services.balance_request_file(
                quote=quote, user=scenario.editor_user, invoice=invoice(), today=BALANCE_DAY
            ),
            code="BALANCE_NOT_ALLOWED",
            match="avant l'avance",
        )

    def test_balance_refused_after_a_refusal(self, scenario, asp):
        quote = scenario.delivered()
        request = services.advance_request_file(quote=quote, user=scenario.editor_user, today=ADVANCE_DAY)
        services.funding_request_refuse(request=request, user=asp, comment="Non éligible.")
        refused(
            lambda: services.balance_request_file(
                quote=quote, user=scenario.editor_user, invoice=invoice(), today=BALANCE_DAY
            ),
            code="BALANCE_NOT_ALLOWED",
            match="refusée",
        )

    def test_balance_refused_before_the_delivery_declaration(self, scenario, asp):
        quote = scenario.signed()
        paid_advance(scenario, asp, quote=quote)
        refused(
            lambda: services.balance_request_file(
                quote=quote, user=scenario.editor_user, invoice=invoice(), today=BALANCE_DAY
            ),
            code="NOT_DELIVERED",
        )

    def test_late_balance_request_refused(self, scenario, asp):
        quote, _ = paid_advance(scenario, asp)
        error = refused(
            lambda: services.balance_request_file(
                quote=quote,
                user=scenario.editor_user,
                invoice=invoice(),
                today=date(2023, 4, 29),
            ),
            code="BALANCE_REQUEST_LATE",
        )
        assert "28/04/2023" in error.message

    def test_balance_needs_a_pdf_invoice(self, scenario, asp):
        quote, _ = paid_advance(scenario, asp)
        before = written()
        with pytest.raises(InvalidInput):
            services.balance_request_file(
                quote=quote, user=scenario.editor_user, invoice=None, today=BALANCE_DAY
            )
        with pytest.raises(InvalidInput):
            services.balance_request_file(
                quote=quote,
                user=scenario.editor_user,
                invoice=invoice("facture.pdf", b"MZ\x90\x00 not a pdf"),
                today=BALANCE_DAY,
            )
        assert written() == before

    def test_second_balance_refused(self, scenario, asp):
        quote, _ = paid_advance(scenario, asp)
        services.balance_request_file(
            quote=quote, user=scenario.editor_user, invoice=invoice(), today=BALANCE_DAY
        )
        refused(
            lambda: services.balance_request_file(
                quote=quote, user=scenario.editor_user, invoice=invoice(), today=BALANCE_DAY
            ),
            code="DUPLICATE_REQUEST",
        )

    def test_database_refuses_a_second_payment_of_a_milestone(self, scenario, asp):
        from django.db import IntegrityError, transaction

        quote, request = paid_advance(scenario, asp)
        with pytest.raises(IntegrityError), transaction.atomic():
            Payment.objects.create(
                request=request,
                quote=quote,
                milestone=Milestone.ADVANCE,
                amount=Decimal("1.00"),
                paid_on=PAID_DAY,
                reference="DOUBLON",
            )
