"""Referencing API: who sees which dossier, commands refused with the services' own words, and a
whole referencing driven through the API (editor and ANS)."""

import pytest
from django.db import transaction
from django.utils import timezone

from segur_funding.core.errors import DomainError
from segur_funding.referencing import services
from segur_funding.referencing.constants import DossierStatus
from tests.api.demo import upload

EDITOR_DOSSIERS = "/api/editor/dossiers/"
ANS_DOSSIERS = "/api/ans/dossiers/"
DENIED = "Vous n'avez pas le droit de faire cette action."


def _service_message(call) -> str:
    """The French message a service refuses with (the web page shows exactly this)."""
    sid = transaction.savepoint()
    try:
        with pytest.raises(DomainError) as refusal:
            call()
    finally:
        transaction.savepoint_rollback(sid)
    return refusal.value.message


# --- Access -------------------------------------------------------------------------------------


def test_anonymous_gets_401_with_a_french_message(client_for):
    response = client_for(None).get(EDITOR_DOSSIERS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"code": "NOT_AUTHENTICATED", "message": "Authentification requise."}
    assert client_for(None).get(ANS_DOSSIERS).status_code == 401


def test_a_bad_token_is_refused(demo):
    from tests.api.demo import api_client

    response = api_client("0" * 40).get(EDITOR_DOSSIERS)
    assert response.status_code == 401
    assert response.json()["code"] == "AUTHENTICATION_FAILED"


def test_each_editor_lists_only_its_own_dossiers(client_for, demo):
    mine = client_for("editeur").get(EDITOR_DOSSIERS).json()["results"]
    theirs = client_for("editeur2").get(EDITOR_DOSSIERS).json()["results"]
    assert [d["solution"] for d in mine] == ["BioLab SGL"]
    assert [d["solution"] for d in theirs] == ["LabSoft SGL"]
    assert mine[0]["status"] == "referenced" and mine[0]["referencing_number"] == "SGL-V1-2022-0001"


def test_owner_reads_the_dossier_with_its_checklist_and_history(client_for, demo):
    dossier = demo.dossier("BioLab SGL")
    data = client_for("editeur").get(f"{EDITOR_DOSSIERS}{dossier.pk}/").json()
    assert data["status_label"] == "Référencé"
    assert len(data["proofs"]) == dossier.proofs.count() > 0
    assert all(p["status"] == "accepted" and p["files"] for p in data["proofs"])
    assert data["events"][0]["kind"] == "dossier_create" and data["events"][-1]["kind"] == "grant"
    assert data["available_actions"] == []


def test_another_editors_dossier_answers_404_on_read_and_on_every_command(client_for, demo):
    dossier = demo.dossier("BioLab SGL")
    proof = dossier.proofs.first()
    other = client_for("editeur2")
    assert other.get(f"{EDITOR_DOSSIERS}{dossier.pk}/").status_code == 404
    for command in ("submit-candidature", "start-proofs", "submit-proofs", "resubmit-proofs"):
        response = other.post(f"{EDITOR_DOSSIERS}{dossier.pk}/{command}/")
        assert response.status_code == 404, command
        assert response.json() == {"code": "NOT_FOUND", "message": "Introuvable."}
    response = other.patch(
        f"{EDITOR_DOSSIERS}{dossier.pk}/candidature/", {"contact_name": "X"}, format="json"
    )
    assert response.status_code == 404
    response = other.post(
        f"{EDITOR_DOSSIERS}{dossier.pk}/proofs/{proof.pk}/files/", {"file": upload()}, format="multipart"
    )
    assert response.status_code == 404
    assert not proof.files.filter(original_name="preuve.pdf", uploaded_by=demo.users["editeur2"]).exists()


@pytest.mark.parametrize("who", ["labo", "ans", "asp"])
def test_non_editors_cannot_use_the_editor_endpoints(client_for, who):
    response = client_for(who).get(EDITOR_DOSSIERS)
    assert response.status_code == 403
    assert response.json() == {"code": "PERMISSION_DENIED", "message": DENIED}


def test_ans_reviewer_reads_every_dossier_with_its_instruction_actions(client_for, demo):
    ans = client_for("ans")
    listed = ans.get(ANS_DOSSIERS).json()["results"]
    assert {d["solution"] for d in listed} == {"BioLab SGL", "LabSoft SGL"}
    under_review = demo.dossier("LabSoft SGL")
    data = ans.get(f"{ANS_DOSSIERS}{under_review.pk}/").json()
    assert data["status"] == "under_review"
    assert data["available_actions"] == ["request_correction", "grant", "refuse"]
    assert data["clock"]["phase"] == "instruction" and data["clock"]["days_left"] == 32
    filtered = ans.get(ANS_DOSSIERS, {"status": "under_review"}).json()["results"]
    assert [d["id"] for d in filtered] == [under_review.pk]


@pytest.mark.parametrize("who", ["editeur", "labo", "asp"])
def test_only_ans_reviewers_use_the_ans_endpoints(client_for, demo, who):
    dossier = demo.dossier("LabSoft SGL")
    client = client_for(who)
    assert client.get(ANS_DOSSIERS).status_code == 403
    response = client.post(f"{ANS_DOSSIERS}{dossier.pk}/grant/", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"code": "PERMISSION_DENIED", "message": DENIED}
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_REVIEW


def test_superuser_is_a_reviewer(client_for):
    assert client_for("admin").get(ANS_DOSSIERS).status_code == 200


def test_a_refused_command_carries_the_services_french_message(client_for, demo):
    dossier = demo.dossier("BioLab SGL")
    expected = _service_message(
        lambda: services.proofs_submit(user=demo.users["editeur"], dossier=dossier)
    )
    response = client_for("editeur").post(f"{EDITOR_DOSSIERS}{dossier.pk}/submit-proofs/")
    assert response.status_code == 400
    assert response.json() == {"code": "ILLEGAL_TRANSITION", "message": expected}
    assert "Référencé" in expected


def test_rejecting_a_proof_without_a_reason_is_refused_in_french(client_for, demo):
    dossier = demo.dossier("LabSoft SGL")
    proof = dossier.proofs.select_related("requirement").first()
    response = client_for("ans").post(
        f"{ANS_DOSSIERS}{dossier.pk}/proofs/{proof.pk}/review/", {"accepted": False}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "INVALID_INPUT",
        "message": f"Indiquez à l'éditeur pourquoi la preuve {proof.requirement.reference} est rejetée.",
    }


def test_invalid_filters_answer_400(client_for):
    response = client_for("editeur").get(EDITOR_DOSSIERS, {"status": "nope"})
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_INPUT"
    assert "status" in response.json()["errors"]


# --- A whole referencing through the API --------------------------------------------------------


def test_editor_and_ans_take_a_dossier_from_draft_to_referenced(client_for, demo):
    editor, ans = client_for("editeur"), client_for("ans")

    solution = editor.post(
        "/api/editor/solutions/",
        {"name": "BioLab LOINC", "version_label": "1.0", "obsolete_versions": "Aucune"},
        format="json",
    )
    assert solution.status_code == 201, solution.json()
    version_id = solution.json()["versions"][0]["id"]

    created = editor.post(
        EDITOR_DOSSIERS,
        {"solution_version": version_id, "dsr": "LOINC-V1", "contact_name": "Élise Martin",
         "contact_email": "editeur@demo.test"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    url = f"{EDITOR_DOSSIERS}{created.json()['id']}/"
    assert created.json()["status"] == "draft"
    assert created.json()["available_actions"] == ["submit_candidature"]

    refused = editor.post(url + "submit-candidature/")
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "INCOMPLETE_CANDIDATURE",
        "message": "Candidature incomplète : renseignez la déclaration sur l'honneur.",
    }
    assert editor.patch(url + "candidature/", {"honour_declaration": True}, format="json").status_code == 200
    assert editor.post(url + "submit-candidature/").json()["status"] == "candidature_submitted"

    ans_url = f"{ANS_DOSSIERS}{created.json()['id']}/"
    eligible = ans.post(ans_url + "eligibility/", {"eligible": True}, format="json")
    assert eligible.json()["status"] == "eligible"

    started = editor.post(url + "start-proofs/").json()
    assert started["status"] == "proofs_in_progress"
    proofs = started["proofs"]
    assert proofs

    missing = editor.post(url + "submit-proofs/")
    assert missing.status_code == 400 and missing.json()["code"]

    exe = editor.post(
        f"{url}proofs/{proofs[0]['id']}/files/",
        {"file": upload("outil.pdf", b"MZ\x90\x00" + b"\x00" * 64)},
        format="multipart",
    )
    assert exe.status_code == 400
    assert exe.json() == {
        "code": "INVALID_INPUT",
        "message": "Le fichier « outil.pdf » est un programme exécutable : il ne peut pas être "
        "déposé, quel que soit son nom.",
    }
    files = {}
    for proof in proofs:
        response = editor.post(
            f"{url}proofs/{proof['id']}/files/", {"file": upload(f"{proof['id']}.pdf")}, format="multipart"
        )
        assert response.status_code == 201, response.json()
        files[proof["id"]] = response.json()["id"]
    submitted = editor.post(url + "submit-proofs/").json()
    assert submitted["status"] == "proofs_submitted"
    assert submitted["proofs_complete_on"] == timezone.localdate().isoformat()

    assert ans.post(ans_url + "start-review/").json()["status"] == "under_review"
    first = proofs[0]
    correction = ans.post(
        ans_url + "correction-request/",
        {"reason": "unreadable_proof", "message": "Fichier illisible.",
         "requirements": [first["requirement"]["reference"]]},
        format="json",
    ).json()
    assert correction["status"] == "correction_requested"
    assert correction["corrections"][0]["is_open"] is True
    assert correction["clock"]["paused"] is True

    # The editor's answer to the correction: replace the file, then resubmit.
    replaced = editor.post(
        f"{url}proofs/{first['id']}/files/",
        {"file": upload("lisible.pdf"), "replaces": files[first["id"]]},
        format="multipart",
    )
    assert replaced.status_code == 201, replaced.json()
    resubmitted = editor.post(url + "resubmit-proofs/").json()
    assert resubmitted["status"] == "proofs_resubmitted"
    assert resubmitted["corrections"][0]["is_open"] is False
    first_files = next(p for p in resubmitted["proofs"] if p["id"] == first["id"])["files"]
    assert [(f["original_name"], f["is_current"]) for f in first_files] == [
        ("lisible.pdf", True), (f"{first['id']}.pdf", False)
    ]

    assert ans.post(ans_url + "start-review/").json()["status"] == "under_review"
    assert ans.post(ans_url + "accept-submitted-proofs/").json() == {"accepted": len(proofs)}
    granted = ans.post(ans_url + "grant/", {"comment": "Conforme."}, format="json").json()
    assert granted["status"] == "referenced"
    assert granted["referencing_number"].startswith(f"LOINC-V1-{timezone.localdate().year}-")

    public = client_for(None).get("/api/public/solutions/", {"dsr": "LOINC-V1"}).json()
    assert [(s["solution"], s["version"]) for s in public["results"]] == [("BioLab LOINC", "1.0")]


# --- Public list --------------------------------------------------------------------------------


def test_public_list_of_referenced_solutions_needs_no_account(client_for, demo):
    client = client_for(None)
    data = client.get("/api/public/solutions/").json()
    assert data["count"] == 1
    assert data["results"][0] == {
        "referencing_number": "SGL-V1-2022-0001",
        "referenced_on": "2022-03-01",
        "dsr": "SGL-V1",
        "software": "Système de Gestion de Laboratoire",
        "editor": demo.orgs["editor"].pk,
        "editor_name": "Biologiciel SAS",
        "solution": "BioLab SGL",
        "version": "5.2",
    }
    assert client.get("/api/public/solutions/", {"dsr": "LOINC-V1"}).json()["count"] == 0
    assert client.get("/api/public/solutions/", {"editor": demo.orgs["editor2"].pk}).json()["count"] == 0
    assert client.get("/api/public/solutions/", {"editor": "abc"}).status_code == 400
