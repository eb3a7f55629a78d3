"""Services: each move writes its row and its history row, and every refusal writes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from segur_funding.core.errors import DomainError
from segur_funding.referencing import services
from segur_funding.referencing.constants import (
    ClockPhase,
    DossierStatus,
    EventKind,
    ProofStatus,
    ScanStatus,
)
from segur_funding.referencing.models import (
    CorrectionRequest,
    Dossier,
    DossierEvent,
    Proof,
    ProofFile,
)

from .factories import DsrFactory, RequirementFactory, SolutionVersionFactory, pdf, png


def snapshot():
    """Everything a refused move must leave untouched."""
    return (
        list(Dossier.objects.values().order_by("pk")),
        DossierEvent.objects.count(),
        CorrectionRequest.objects.count(),
        list(Proof.objects.values().order_by("pk")),
        ProofFile.objects.count(),
    )


def test_dossier_create_builds_the_checklist_from_the_rem_and_writes_history(dossier, dsr):
    assert dossier.status == DossierStatus.DRAFT
    assert sorted(dossier.proofs.values_list("requirement__reference", flat=True)) == [
        "EX-01", "EX-02", "EX-03",
    ]
    event = dossier.events.get()
    assert event.kind == EventKind.DOSSIER_CREATE and event.actor.email == "editeur@test.example"


def test_an_editor_cannot_open_a_dossier_for_another_editors_solution(
    other_editor_user, version, dsr
):
    before = Dossier.objects.count()
    with pytest.raises(DomainError, match="pas membre de cet éditeur"):
        services.dossier_create(
            user=other_editor_user, solution_version=version, dsr=dsr,
            contact_name="X", contact_email="x@test.example",
        )
    assert Dossier.objects.count() == before


def test_a_second_open_dossier_for_the_same_version_and_dsr_is_refused(dossier, editor_user):
    with pytest.raises(DomainError, match="déjà ouvert"):
        services.dossier_create(
            user=editor_user, solution_version=dossier.solution_version, dsr=dossier.dsr,
            contact_name="X", contact_email="x@test.example",
        )


def test_candidature_submit_starts_the_eligibility_clock(dossier, editor_user):
    services.candidature_submit(user=editor_user, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.CANDIDATURE_SUBMITTED
    assert dossier.clock_phase == ClockPhase.ELIGIBILITY
    assert dossier.clock_deadline == timezone.localdate() + timedelta(days=7)
    event = dossier.events.latest("id")
    assert (event.from_status, event.to_status, event.actor_role) == (
        "draft", "candidature_submitted", "editor",
    )


def test_an_incomplete_candidature_is_refused_in_french(dossier, editor_user):
    Dossier.objects.filter(pk=dossier.pk).update(honour_declaration=False)
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        services.candidature_submit(user=editor_user, dossier=dossier)
    assert exc.value.message == "Candidature incomplète : renseignez la déclaration sur l'honneur."
    assert snapshot() == before


def test_the_candidature_is_frozen_once_submitted(dossier, editor_user):
    services.candidature_update(user=editor_user, dossier=dossier, contact_phone="0102030405")
    services.candidature_submit(user=editor_user, dossier=dossier)
    with pytest.raises(DomainError, match="ne peut plus être modifiée"):
        services.candidature_update(user=editor_user, dossier=dossier, contact_name="Autre")


ILLEGAL = [
    # (status to reach, service call, who) -> refusal
    ("draft", lambda u, d: services.eligibility_decide(user=u, dossier=d, eligible=True), "ans"),
    ("draft", lambda u, d: services.referencing_grant(user=u, dossier=d), "ans"),
    ("draft", lambda u, d: services.proofs_submit(user=u, dossier=d), "editor"),
    ("candidature_submitted", lambda u, d: services.eligibility_decide(
        user=u, dossier=d, eligible=True), "editor"),
    ("candidature_submitted", lambda u, d: services.candidature_submit(user=u, dossier=d), "editor"),
    ("eligible", lambda u, d: services.proofs_resubmit(user=u, dossier=d), "editor"),
    ("eligible", lambda u, d: services.proofs_submit(user=u, dossier=d), "ans"),
    ("proofs_in_progress", lambda u, d: services.review_start(user=u, dossier=d), "ans"),
    ("proofs_submitted", lambda u, d: services.referencing_grant(user=u, dossier=d), "ans"),
    ("proofs_submitted", lambda u, d: services.review_start(user=u, dossier=d), "editor"),
    ("under_review", lambda u, d: services.proofs_resubmit(user=u, dossier=d), "editor"),
    ("under_review", lambda u, d: services.referencing_refuse(user=u, dossier=d, comment="x"),
     "editor"),
    ("under_review", lambda u, d: services.correction_request(
        user=u, dossier=d, reason="other", message="x"), "editor"),
    ("correction_requested", lambda u, d: services.referencing_grant(user=u, dossier=d), "ans"),
    ("correction_requested", lambda u, d: services.correction_request(
        user=u, dossier=d, reason="other", message="x"), "ans"),
    ("proofs_resubmitted", lambda u, d: services.proofs_resubmit(user=u, dossier=d), "editor"),
]


@pytest.mark.parametrize(("status", "call", "who"), ILLEGAL)
def test_every_illegal_move_is_refused_in_french_and_writes_nothing(
    dossier, walk, editor_user, ans_user, status, call, who
):
    walk.to(dossier, status)
    before = snapshot()
    user = ans_user if who == "ans" else editor_user
    with pytest.raises(DomainError) as exc:
        call(user, dossier)
    assert exc.value.message.startswith(("Action impossible", "Action refusée"))
    assert snapshot() == before


def test_asp_reviewer_and_lab_member_cannot_act_on_a_dossier(dossier, walk, asp_user, lab_user):
    walk.to(dossier, "candidature_submitted")
    before = snapshot()
    for user in (asp_user, lab_user):
        with pytest.raises(DomainError, match="Action refusée"):
            services.eligibility_decide(user=user, dossier=dossier, eligible=True)
    assert snapshot() == before


def test_ineligibility_needs_a_reason_and_closes_the_dossier(dossier, walk, ans_user):
    walk.to(dossier, "candidature_submitted")
    with pytest.raises(DomainError, match="motif de non-éligibilité"):
        services.eligibility_decide(user=ans_user, dossier=dossier, eligible=False)
    services.eligibility_decide(
        user=ans_user, dossier=dossier, eligible=False, comment="Hors périmètre du DSR"
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.INELIGIBLE and dossier.decided_at
    assert dossier.events.latest("id").comment == "Hors périmètre du DSR"


def test_proofs_start_refused_while_the_dsr_has_no_rem(editor_user, ans_user, walk):
    empty = DsrFactory(code="VIDE-V1")
    version = SolutionVersionFactory(solution__editor=editor_user.memberships.get().organization)
    dossier = services.dossier_create(
        user=editor_user, solution_version=version, dsr=empty,
        contact_name="X", contact_email="x@test.example", honour_declaration=True,
    )
    walk.to(dossier, "eligible")
    with pytest.raises(DomainError, match="REM du DSR VIDE-V1"):
        services.proofs_start(user=editor_user, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ELIGIBLE


def test_proofs_start_adds_requirements_published_since_the_dossier_opened(dossier, walk, dsr):
    RequirementFactory(dsr=dsr, reference="EX-04", position=4)
    walk.to(dossier, "proofs_in_progress")
    assert dossier.proofs.count() == 4


def test_proofs_submit_refused_while_a_mandatory_requirement_has_no_file(
    dossier, walk, editor_user
):
    walk.to(dossier, "proofs_in_progress")
    ex01 = dossier.proofs.get(requirement__reference="EX-01")
    services.proof_file_upload(user=editor_user, proof=ex01, upload=png())
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        services.proofs_submit(user=editor_user, dossier=dossier)
    assert exc.value.message == (
        "Dépôt impossible : 1 exigence(s) obligatoire(s) sans preuve : EX-02."
    )
    assert snapshot() == before


def test_proofs_submit_records_the_complete_dossier_date_and_starts_instruction(dossier, walk):
    walk.to(dossier, "proofs_submitted")
    today = timezone.localdate()
    assert dossier.proofs_complete_on == today
    assert dossier.clock_phase == ClockPhase.INSTRUCTION
    assert dossier.clock_deadline == today + timedelta(days=42)
    assert dossier.events.filter(kind=EventKind.PROOF_UPLOAD).count() == 2


def test_upload_keeps_previous_versions_and_resets_the_review(dossier, walk, editor_user, ans_user):
    walk.to(dossier, "under_review")
    proof = dossier.proofs.get(requirement__reference="EX-01")
    services.proof_review(user=ans_user, proof=proof, accepted=False, comment="Illisible")
    proof.refresh_from_db()
    assert proof.status == ProofStatus.REJECTED and proof.reviewer_comment == "Illisible"
    services.correction_request(
        user=ans_user, dossier=dossier, reason="unreadable_proof",
        message="Merci de redéposer EX-01.", requirements=[proof.requirement],
    )
    old = proof.files.get(is_current=True)
    new = services.proof_file_upload(user=editor_user, proof=proof, upload=png(), replaces=old)
    old.refresh_from_db()
    proof.refresh_from_db()
    assert (old.is_current, old.superseded_by_id, new.is_current) == (False, new.pk, True)
    assert proof.status == ProofStatus.SUBMITTED and proof.reviewer_comment == ""
    assert proof.files.count() == 2


def test_a_rejected_proof_must_be_replaced_before_resubmitting(dossier, walk, editor_user, ans_user):
    walk.to(dossier, "under_review")
    proof = dossier.proofs.get(requirement__reference="EX-02")
    services.proof_review(user=ans_user, proof=proof, accepted=False, comment="Non conforme")
    services.correction_request(user=ans_user, dossier=dossier, reason="other", message="Voir EX-02")
    before = snapshot()
    with pytest.raises(DomainError, match=r"rejetée.*EX-02"):
        services.proofs_resubmit(user=editor_user, dossier=dossier)
    assert snapshot() == before


def test_rejecting_a_proof_needs_a_comment_and_review_needs_instruction(dossier, walk, ans_user):
    walk.to(dossier, "proofs_submitted")
    proof = dossier.proofs.get(requirement__reference="EX-01")
    with pytest.raises(DomainError, match="Prenez d'abord le dossier en instruction"):
        services.proof_review(user=ans_user, proof=proof, accepted=True)
    walk.to(dossier, "under_review")
    with pytest.raises(DomainError, match="pourquoi la preuve EX-01 est rejetée"):
        services.proof_review(user=ans_user, proof=proof, accepted=False)


def test_editor_cannot_review_and_reviewer_cannot_upload(dossier, walk, editor_user, ans_user):
    walk.to(dossier, "under_review")
    proof = dossier.proofs.get(requirement__reference="EX-01")
    with pytest.raises(DomainError, match="réservé"):
        services.proof_review(user=editor_user, proof=proof, accepted=True)
    with pytest.raises(DomainError, match="réservé"):
        services.proof_file_upload(user=ans_user, proof=proof, upload=png())


def test_uploads_are_refused_while_ans_instructs(dossier, walk, editor_user):
    walk.to(dossier, "under_review")
    proof = dossier.proofs.get(requirement__reference="EX-01")
    before = snapshot()
    with pytest.raises(DomainError, match="ne peuvent plus être modifiés"):
        services.proof_file_upload(user=editor_user, proof=proof, upload=png())
    assert snapshot() == before


def test_correction_pauses_the_clock_and_resubmission_resolves_it(dossier, walk, editor_user):
    walk.to(dossier, "correction_requested")
    correction = dossier.corrections.get()
    assert correction.is_open and dossier.clock_deadline is None
    # Pretend the proofs were sent ten days ago and the correction stayed open five days.
    complete_on = timezone.localdate() - timedelta(days=10)
    Dossier.objects.filter(pk=dossier.pk).update(proofs_complete_on=complete_on)
    CorrectionRequest.objects.filter(pk=correction.pk).update(
        opened_at=timezone.now() - timedelta(days=5)
    )
    services.proofs_resubmit(user=editor_user, dossier=dossier)
    dossier.refresh_from_db()
    correction.refresh_from_db()
    assert correction.resolved_at is not None
    assert dossier.status == DossierStatus.PROOFS_RESUBMITTED
    assert dossier.clock_deadline == complete_on + timedelta(days=42 + 5)
    # The complete-dossier date is the first one: the 120-day rule counts from it.
    assert dossier.proofs_complete_on == complete_on


def test_correction_request_needs_a_message_and_requirements_of_the_dsr(dossier, walk, ans_user):
    walk.to(dossier, "under_review")
    foreign = RequirementFactory(reference="AUTRE-1")
    before = snapshot()
    with pytest.raises(DomainError, match="message à l'éditeur"):
        services.correction_request(user=ans_user, dossier=dossier, reason="other", message=" ")
    with pytest.raises(DomainError, match="AUTRE-1"):
        services.correction_request(
            user=ans_user, dossier=dossier, reason="other", message="x", requirements=[foreign]
        )
    assert snapshot() == before


def test_grant_refused_until_mandatory_proofs_are_accepted(dossier, walk, ans_user):
    walk.to(dossier, "under_review")
    before = snapshot()
    with pytest.raises(DomainError, match="preuves obligatoires doivent être acceptées"):
        services.referencing_grant(user=ans_user, dossier=dossier)
    assert snapshot() == before


def test_grant_numbers_the_dossier_and_renders_the_certificate(
    dossier, walk, ans_user, django_capture_on_commit_callbacks
):
    walk.to(dossier, "under_review")
    assert services.proofs_accept_submitted(user=ans_user, dossier=dossier) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.referencing_grant(user=ans_user, dossier=dossier, comment="Conforme")
    dossier.refresh_from_db()
    year = timezone.localdate().year
    assert dossier.status == DossierStatus.REFERENCED
    assert dossier.referencing_number == f"TST-V1-{year}-0001"
    assert dossier.referenced_on == timezone.localdate()
    assert dossier.clock_deadline is None
    with dossier.certificate.open("rb") as fh:
        text = "".join(page.extract_text() for page in PdfReader(fh).pages)
    for expected in (dossier.referencing_number, "Biologiciel Test", "BioLab", "5.2", "TST-V1"):
        assert expected in text


def test_second_grant_of_the_year_gets_the_next_number(
    dossier, walk, editor_user, ans_user, dsr
):
    walk.referenced(dossier)
    other = services.dossier_create(
        user=editor_user,
        solution_version=SolutionVersionFactory(solution=dossier.solution_version.solution),
        dsr=dsr, contact_name="X", contact_email="x@test.example", honour_declaration=True,
    )
    walk.referenced(other)
    assert other.referencing_number.endswith("-0002")


def test_refusal_needs_a_reason(dossier, walk, ans_user):
    walk.to(dossier, "under_review")
    with pytest.raises(DomainError, match="motif du refus"):
        services.referencing_refuse(user=ans_user, dossier=dossier, comment="")
    services.referencing_refuse(user=ans_user, dossier=dossier, comment="Preuves insuffisantes")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REFUSED


def test_a_refused_version_may_open_a_new_dossier(dossier, walk, ans_user, editor_user):
    walk.to(dossier, "under_review")
    services.referencing_refuse(user=ans_user, dossier=dossier, comment="Non conforme")
    again = services.dossier_create(
        user=editor_user, solution_version=dossier.solution_version, dsr=dossier.dsr,
        contact_name="X", contact_email="x@test.example",
    )
    assert again.status == DossierStatus.DRAFT


def test_history_tells_the_whole_story(dossier, walk):
    walk.referenced(dossier)
    transitions = list(
        dossier.events.exclude(kind__startswith="proof_").values_list("from_status", "to_status")
    )
    assert transitions == [
        ("draft", "draft"),
        ("draft", "candidature_submitted"),
        ("candidature_submitted", "eligible"),
        ("eligible", "proofs_in_progress"),
        ("proofs_in_progress", "proofs_submitted"),
        ("proofs_submitted", "under_review"),
        ("under_review", "referenced"),
    ]


def test_infected_file_cannot_be_accepted_and_does_not_count(
    dossier, walk, editor_user, ans_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from segur_funding.core import antivirus

    settings.SEGUR_CLAMD_SOCKET = "/nonexistent/clamd.ctl"
    verdicts = {"capture.png": antivirus.ScanResult(clean=False, detail="Eicar-Signature")}

    def fake_scan(fh):
        return verdicts.get("capture.png") if fh.read().startswith(b"\x89PNG") else (
            antivirus.ScanResult(clean=True, detail="")
        )

    monkeypatch.setattr(antivirus, "scan_stream", fake_scan)
    walk.to(dossier, "proofs_in_progress")
    ex01 = dossier.proofs.get(requirement__reference="EX-01")
    ex02 = dossier.proofs.get(requirement__reference="EX-02")
    with django_capture_on_commit_callbacks(execute=True):
        bad = services.proof_file_upload(user=editor_user, proof=ex01, upload=png())
        good = services.proof_file_upload(user=editor_user, proof=ex02, upload=pdf())
    bad.refresh_from_db()
    good.refresh_from_db()
    assert (bad.scan_status, bad.scan_detail) == (ScanStatus.INFECTED, "Eicar-Signature")
    assert good.scan_status == ScanStatus.CLEAN
    with pytest.raises(DomainError, match="sans preuve : EX-01"):
        services.proofs_submit(user=editor_user, dossier=dossier)


def test_unreachable_scanner_leaves_the_file_pending(
    dossier, walk, editor_user, settings, django_capture_on_commit_callbacks
):
    settings.SEGUR_CLAMD_SOCKET = "/nonexistent/clamd.ctl"
    walk.to(dossier, "proofs_in_progress")
    proof = dossier.proofs.get(requirement__reference="EX-01")
    with django_capture_on_commit_callbacks(execute=True):
        pf = services.proof_file_upload(user=editor_user, proof=proof, upload=png())
    pf.refresh_from_db()
    assert pf.scan_status == ScanStatus.PENDING
    assert not pf.reviewer_may_download


def test_without_scanner_files_say_not_scanned(dossier, editor_user):
    proof = dossier.proofs.get(requirement__reference="EX-01")
    pf = services.proof_file_upload(user=editor_user, proof=proof, upload=png())
    assert pf.scan_status == ScanStatus.NOT_SCANNED

