"""Editor pages, files and the public list: scoping (404), French messages, query budgets."""

from html import unescape

import pytest
from django.urls import reverse

from segur_funding.referencing import services
from segur_funding.referencing.constants import DossierStatus, ScanStatus
from segur_funding.referencing.models import Dossier, ProofFile, Solution

from .factories import DossierFactory, DsrFactory, SolutionVersionFactory, png


@pytest.fixture
def referenced(dossier, walk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        walk.referenced(dossier)
    dossier.refresh_from_db()
    return dossier


def _urls(dossier):
    pf = ProofFile.objects.filter(proof__dossier=dossier).first()
    urls = [
        reverse("referencing:dossier_detail", args=[dossier.pk]),
        reverse("referencing:candidature_edit", args=[dossier.pk]),
        reverse("referencing:certificate_download", args=[dossier.pk]),
    ]
    if pf is not None:
        urls.append(reverse("referencing:proof_file_download", args=[pf.pk]))
    posts = [
        reverse("referencing:dossier_action", args=[dossier.pk, "submit_candidature"]),
        reverse("referencing:proofs_upload", args=[dossier.pk]),
        reverse("referencing:proofs_match", args=[dossier.pk]),
        reverse("referencing:solution_version_add", args=[dossier.solution_version.solution_id]),
    ]
    return urls, posts


def test_editor_sees_the_dossier_checklist_and_history(client, editor_user, dossier):
    client.force_login(editor_user)
    response = client.get(reverse("referencing:dossier_detail", args=[dossier.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("EX-01 — Identité patient", "Preuve manquante", "Déposer la candidature",
                 "Ouverture du dossier", "Versions 1.x et antérieures"):
        assert text in html


def test_other_editor_gets_404_on_everything_including_files(
    client, other_editor_user, referenced
):
    client.force_login(other_editor_user)
    urls, posts = _urls(referenced)
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"files": [png("EX-01.png")]}).status_code == 404, url
    assert referenced.events.count() == Dossier.objects.get(pk=referenced.pk).events.count()


def test_lab_member_gets_404_and_anonymous_is_sent_to_login(client, lab_user, referenced):
    urls, posts = _urls(referenced)
    for url in [*urls, reverse("referencing:dossier_list"), reverse("referencing:solution_list")]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/connexion/"), url
    client.force_login(lab_user)
    for url in [*urls, reverse("referencing:dossier_list"), reverse("referencing:solution_list")]:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url).status_code == 404, url


def test_asp_reviewer_cannot_fetch_proof_files(client, asp_user, referenced):
    client.force_login(asp_user)
    pf = ProofFile.objects.filter(proof__dossier=referenced).first()
    assert client.get(reverse("referencing:proof_file_download", args=[pf.pk])).status_code == 404


def test_owner_and_ans_download_files_with_safe_headers(client, editor_user, ans_user, referenced):
    pf = ProofFile.objects.filter(proof__dossier=referenced).first()
    url = reverse("referencing:proof_file_download", args=[pf.pk])
    for user in (editor_user, ans_user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "inline" in client.get(url + "?apercu=1")["Content-Disposition"]


def test_reviewer_cannot_download_a_file_pending_or_infected(client, ans_user, editor_user, dossier):
    proof = dossier.proofs.first()
    pf = services.proof_file_upload(user=editor_user, proof=proof, upload=png())
    url = reverse("referencing:proof_file_download", args=[pf.pk])
    ProofFile.objects.filter(pk=pf.pk).update(scan_status=ScanStatus.PENDING)
    client.force_login(ans_user)
    response = client.get(url)
    assert response.status_code == 403
    assert "analyse antivirus de ce fichier n'est pas terminée" in unescape(
        response.content.decode()
    )
    client.force_login(editor_user)
    assert client.get(url).status_code == 200
    ProofFile.objects.filter(pk=pf.pk).update(scan_status=ScanStatus.INFECTED)
    for user in (editor_user, ans_user):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_not_scanned_file_says_so_on_the_dossier_page(client, editor_user, dossier):
    services.proof_file_upload(user=editor_user, proof=dossier.proofs.first(), upload=png())
    client.force_login(editor_user)
    html = client.get(reverse("referencing:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Non analysé" in html


def test_editor_submits_the_candidature_from_the_page(client, editor_user, dossier):
    client.force_login(editor_user)
    response = client.post(
        reverse("referencing:dossier_action", args=[dossier.pk, "submit_candidature"]),
        follow=True,
    )
    assert "Votre candidature a été déposée" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.CANDIDATURE_SUBMITTED


def test_an_illegal_action_from_the_page_shows_the_french_error(client, editor_user, dossier):
    client.force_login(editor_user)
    response = client.post(
        reverse("referencing:dossier_action", args=[dossier.pk, "submit_proofs"]), follow=True
    )
    assert "n'est pas possible pour un dossier au statut « Brouillon »" in unescape(
        response.content.decode()
    )
    assert client.post(
        reverse("referencing:dossier_action", args=[dossier.pk, "grant"])
    ).status_code == 404


def test_editor_declares_a_solution_and_opens_a_dossier(client, editor_user, dsr):
    client.force_login(editor_user)
    response = client.post(
        reverse("referencing:solution_list"),
        {
            "solution-editor": editor_user.memberships.get().organization_id,
            "solution-name": "NouveauSGL",
            "solution-version_label": "1.0",
            "solution-obsolete_versions": "Aucune",
        },
        follow=True,
    )
    assert "La solution « NouveauSGL 1.0 » est déclarée." in response.content.decode()
    version = Solution.objects.get(name="NouveauSGL").versions.get()
    response = client.post(
        reverse("referencing:dossier_create"),
        {
            "solution_version": version.pk, "dsr": dsr.pk, "contact_name": "Élise",
            "contact_email": "elise@test.example", "honour_declaration": "on",
        },
    )
    dossier = Dossier.objects.get(solution_version=version)
    assert response.status_code == 302 and response.url == f"/referencement/dossiers/{dossier.pk}/"


def test_dossier_create_form_lists_only_the_users_versions(client, editor_user, other_editor, dsr):
    foreign = SolutionVersionFactory(solution__editor=other_editor)
    client.force_login(editor_user)
    response = client.post(
        reverse("referencing:dossier_create"),
        {"solution_version": foreign.pk, "dsr": dsr.pk, "contact_name": "X",
         "contact_email": "x@test.example"},
    )
    assert response.status_code == 400
    assert not Dossier.objects.filter(solution_version=foreign).exists()


def test_missing_form_fields_are_shown_next_to_the_field(client, editor_user):
    client.force_login(editor_user)
    response = client.post(reverse("referencing:dossier_create"), {})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-describedby="contact_name-error"' in html
    assert 'id="contact_name-error"' in html


def test_dossier_page_query_budget(
    client, editor_user, dossier, walk, dsr, django_assert_max_num_queries
):
    from .factories import RequirementFactory

    for i in range(20):
        RequirementFactory(dsr=dsr, reference=f"EXB-{i:02d}", mandatory=False)
    walk.to(dossier, "correction_requested")
    client.force_login(editor_user)
    url = reverse("referencing:dossier_detail", args=[dossier.pk])
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_public_list_shows_referenced_solutions_with_filters(client, referenced, db):
    DossierFactory(under_review=True)
    other_dsr = DsrFactory(code="AUTRE-V1")
    other = DossierFactory(referenced=True, dsr=other_dsr)
    response = client.get(reverse("referencing:public_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert referenced.referencing_number in html and other.referencing_number in html
    assert "Biologiciel Test" in html and "BioLab" in html
    filtered = client.get(reverse("referencing:public_list"), {"dsr": "AUTRE-V1"}).content.decode()
    assert other.referencing_number in filtered and referenced.referencing_number not in filtered
    by_editor = client.get(
        reverse("referencing:public_list"), {"editeur": referenced.editor_id}
    ).content.decode()
    assert referenced.referencing_number in by_editor and other.referencing_number not in by_editor
    assert client.get(reverse("referencing:public_list"), {"editeur": "x"}).status_code == 200


def test_public_list_query_budget(client, db, django_assert_max_num_queries):
    for _ in range(30):
        DossierFactory(referenced=True)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("referencing:public_list")).status_code == 200


def test_certificate_downloads_for_the_owner(client, editor_user, referenced):
    client.force_login(editor_user)
    response = client.get(reverse("referencing:certificate_download", args=[referenced.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_candidature_is_edited_in_draft_and_frozen_after_submission(client, editor_user, dossier):
    client.force_login(editor_user)
    url = reverse("referencing:candidature_edit", args=[dossier.pk])
    data = {"contact_name": "Nouveau Contact", "contact_email": "nc@test.example",
            "honour_declaration": "on"}
    assert client.post(url, data).status_code == 302
    dossier.refresh_from_db()
    assert dossier.contact_name == "Nouveau Contact"
    services.candidature_submit(user=editor_user, dossier=dossier)
    response = client.post(url, {**data, "contact_name": "Autre"})
    assert response.status_code == 400
    assert "ne peut plus être modifiée" in unescape(response.content.decode())
    dossier.refresh_from_db()
    assert dossier.contact_name == "Nouveau Contact"
