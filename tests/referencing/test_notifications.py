"""The referencing journey tells each person what concerns them, once, in the transaction of the
move: ANS reviewers what waits on the ANS, the editor's members what the ANS decided."""

from collections import Counter

import pytest
from django.core import mail
from django.db import transaction

from segur_funding.core import antivirus
from segur_funding.core.errors import DomainError
from segur_funding.notifications.constants import NotificationKind as K
from segur_funding.notifications.constants import NotificationStatus
from segur_funding.notifications.models import Notification
from segur_funding.organizations.constants import ANS_REVIEWERS_GROUP
from segur_funding.referencing import services

from .factories import UserFactory, member, pdf, png

ANS = ("ans@test.example", "ans2@test.example")
EDITOR = ("editeur@test.example", "editeur-bis@test.example")


@pytest.fixture
def people(editor, editor_user, ans_user, groups):
    """Two ANS reviewers, two editor members, and people who must hear nothing."""
    second_ans = UserFactory(email="ans2@test.example", is_staff=True)
    second_ans.groups.add(groups[ANS_REVIEWERS_GROUP])
    member(editor, email="editeur-bis@test.example")
    gone = member(editor, email="parti@test.example")
    gone.is_active = False
    gone.save()
    retired = UserFactory(email="ans-retraite@test.example", is_staff=True, is_active=False)
    retired.groups.add(groups[ANS_REVIEWERS_GROUP])


def received() -> Counter:
    return Counter(Notification.objects.values_list("kind", "recipient__email"))


def expected(*pairs: tuple[str, tuple[str, ...]]) -> Counter:
    return Counter({(kind, email): 1 for kind, emails in pairs for email in emails})


def test_the_whole_journey_notifies_each_person_once(
    dossier, walk, people, editor_user, ans_user, other_editor_user, lab_user,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        walk.to(dossier, "proofs_resubmitted")
        services.review_start(user=ans_user, dossier=dossier)
        services.proofs_accept_submitted(user=ans_user, dossier=dossier)
        services.referencing_grant(user=ans_user, dossier=dossier)

    assert received() == expected(
        (K.CANDIDATURE_RECEIVED, ANS),
        (K.ELIGIBILITY_DECIDED, EDITOR),
        (K.PROOFS_SUBMITTED, ANS),
        (K.CORRECTION_REQUESTED, EDITOR),
        (K.PROOFS_RESUBMITTED, ANS),
        (K.REFERENCING_GRANTED, EDITOR),
    )
    # Every e-mail left after commit, once.
    assert Notification.objects.exclude(status=NotificationStatus.SENT).count() == 0
    assert len(mail.outbox) == Notification.objects.count() == 12
    assert not {"parti@test.example", "ans-retraite@test.example"} & {
        to for m in mail.outbox for to in m.to
    }


def test_messages_link_each_side_to_where_it_acts(dossier, walk, people):
    walk.to(dossier, "eligible")
    to_ans = Notification.objects.get(kind=K.CANDIDATURE_RECEIVED, recipient__email=ANS[0])
    to_editor = Notification.objects.get(kind=K.ELIGIBILITY_DECIDED, recipient__email=EDITOR[0])
    assert to_ans.link == f"/admin/referencing/dossier/{dossier.pk}/change/"
    assert to_editor.link == f"/referencement/dossiers/{dossier.pk}/"
    reference = f"n° {dossier.pk} (TST-V1)"
    assert to_ans.context["dossier_reference"] == reference
    assert to_ans.context["solution"] == "BioLab 5.2"
    assert to_editor.message == (
        f"Dossier {reference} : candidature éligible, vous pouvez déposer vos preuves."
    )


def test_decisions_carry_their_reasons(dossier, walk, people, ans_user):
    walk.to(dossier, "candidature_submitted")
    services.eligibility_decide(
        user=ans_user, dossier=dossier, eligible=False, comment="Profil hors périmètre"
    )
    row = Notification.objects.filter(kind=K.ELIGIBILITY_DECIDED).first()
    assert row.context["eligible"] is False
    assert row.context["reason"] == "Profil hors périmètre"
    assert "non éligible" in row.message


def test_correction_and_refusal_tell_the_editor_why(dossier, walk, people, ans_user):
    walk.to(dossier, "correction_requested")
    correction = Notification.objects.filter(kind=K.CORRECTION_REQUESTED).first()
    assert correction.context["reason"] == "Preuve non conforme"
    assert correction.context["details"] == "Corrigez."
    walk.to(dossier, "proofs_resubmitted")
    services.review_start(user=ans_user, dossier=dossier)
    services.referencing_refuse(user=ans_user, dossier=dossier, comment="Exigence EX-02 absente")
    assert received()[(K.REFERENCING_REFUSED, EDITOR[1])] == 1
    refused = Notification.objects.filter(kind=K.REFERENCING_REFUSED).first()
    assert refused.context["reason"] == "Exigence EX-02 absente"


def test_the_outbox_row_commits_with_the_move_and_only_with_it(
    dossier, people, editor_user, django_capture_on_commit_callbacks
):
    # Inside the transaction, before commit: the row is there, its e-mail is not sent yet.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.candidature_submit(user=editor_user, dossier=dossier)
        assert Notification.objects.filter(kind=K.CANDIDATURE_RECEIVED).count() == 2
    assert mail.outbox == []
    assert len(callbacks) == 2  # one send task per row, queued on commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 2


def test_a_rolled_back_move_leaves_no_notification(dossier, people, editor_user):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.candidature_submit(user=editor_user, dossier=dossier)
        raise RuntimeError("la suite de la requête échoue")
    assert not Notification.objects.exists()
    dossier.refresh_from_db()
    assert dossier.status == "draft"


def test_a_refused_move_notifies_nobody(dossier, people, ans_user):
    with pytest.raises(DomainError):
        services.eligibility_decide(user=ans_user, dossier=dossier, eligible=True)
    assert not Notification.objects.exists()


def test_an_infected_file_is_told_to_the_editor_once(
    dossier, walk, people, editor_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SEGUR_CLAMD_SOCKET = "/nonexistent/clamd.ctl"
    monkeypatch.setattr(
        antivirus,
        "scan_stream",
        lambda fh: antivirus.ScanResult(
            clean=not fh.read().startswith(b"\x89PNG"), detail="Eicar-Signature"
        ),
    )
    walk.to(dossier, "proofs_in_progress")
    ex01 = dossier.proofs.get(requirement__reference="EX-01")
    with django_capture_on_commit_callbacks(execute=True):
        bad = services.proof_file_upload(user=editor_user, proof=ex01, upload=png("virus.png"))
        services.proof_file_upload(user=editor_user, proof=ex01, upload=pdf())
    # The scan task delivered a second time (acks_late after a lost worker) on a file still
    # pending in its row: the editor is not told twice.
    type(bad).objects.filter(pk=bad.pk).update(scan_status="pending")
    services.proof_file_scan(proof_file_id=bad.pk)

    infected = Notification.objects.filter(kind=K.PROOF_FILE_INFECTED)
    assert Counter(infected.values_list("recipient__email", flat=True)) == Counter(EDITOR)
    row = infected.first()
    assert row.context["file_name"] == "virus.png"
    assert row.context["requirement"] == "EX-01"
    assert row.link == f"/referencement/dossiers/{dossier.pk}/"


def test_referencing_speaks_the_one_list_of_kinds():
    from segur_funding.referencing import constants

    assert not hasattr(constants, "NotificationKind")
