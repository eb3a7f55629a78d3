"""The proofs page (issue 14): several files in one submission, each matched to a requirement by
its name or chosen by the editor, all stored or none; the stepper, « n/N » progress, the scan
badges explained; the proofs sent straight from « éligible »."""

import json
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.referencing import rules, services
from segur_funding.referencing.constants import DossierStatus, ProofStatus, ScanStatus
from segur_funding.referencing.models import DossierEvent, ProofFile

from .factories import PDF_BYTES, PNG_BYTES, RequirementFactory, png

SGL = [
    "SGL/DMP.01", "SGL/PSC.01", "SGL/INS.01", "SGL/INS.02", "SGL/INS.03", "SGL/CR.01",
    "SGL/DMP.02", "SGL/MSS.01", "SGL/DPI.01", "SGL/LOINC.01", "SGL/RPPS.01",
]


# --- Matching a file name to a requirement (pure) ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SGL-DMP.01 capture.pdf", "SGL/DMP.01"),
        ("sgl_dmp_1.PDF", "SGL/DMP.01"),
        ("dmp01.png", "SGL/DMP.01"),
        ("Preuve INS.02 (INSi).mp4", "SGL/INS.02"),
        ("C:\\Users\\elise\\SGL_RPPS_01.pdf", "SGL/RPPS.01"),
        ("loinc-1 catalogue.zip", "SGL/LOINC.01"),
        ("INS.03", "SGL/INS.03"),  # no extension: « .03 » is part of the reference
        ("compte-rendu-sous-traitant.pdf", None),
        ("SGL-DMP.01 et DMP.02.pdf", None),  # names two requirements: the editor chooses
        ("SGL capture.pdf", None),
        ("INS.04.pdf", None),
    ],
)
def test_a_file_name_points_to_its_requirement(name, expected):
    assert rules.match_requirement(name, SGL) == expected


def test_a_short_reference_is_matched_whole_and_never_by_its_number_alone():
    refs = ["EX-1", "EX-11", "EX-02"]
    assert rules.match_requirement("EX-11 capture.pdf", refs) == "EX-11"
    assert rules.match_requirement("ex_1.pdf", refs) == "EX-1"
    assert rules.match_requirement("ex-2.pdf", refs) == "EX-02"
    # « 2 » alone (EX-02 without its prefix) would be found in any name with a number.
    assert rules.match_requirement("capture v2.pdf", refs) is None
    assert rules.match_requirement("EX-1.2.pdf", ["EX-1", "EX-1.2"]) == "EX-1.2"
    assert rules.match_requirement("EX-01.pdf", []) is None


@given(st.sampled_from(SGL), st.text(max_size=20), st.sampled_from([".pdf", ".png", ".mp4", ""]))
def test_a_name_made_from_a_reference_finds_it(reference, noise, ext):
    # Words with digits could name another requirement: the noise is kept to letters and blanks.
    noise = "".join(c for c in noise if c.isalpha() or c == " ")
    name = f"{reference.replace('/', '-')} {noise}{ext}"
    found = rules.match_requirement(name, SGL)
    assert found in (reference, None)
    if not any(ch.isalpha() for ch in noise):
        assert found == reference


def test_progress_counts_requirements_with_a_usable_file():
    states = [
        rules.ProofState("A", True, 1),
        rules.ProofState("B", True, 0),
        rules.ProofState("C", False, 2),
        rules.ProofState("D", False, 0),
    ]
    progress = rules.proofs_progress(states)
    assert (progress.done, progress.total, progress.mandatory_missing) == (2, 4, 1)
    assert progress.percent == 50 and not progress.complete
    assert rules.proofs_progress([]).percent == 0 and not rules.proofs_progress([]).complete


@pytest.mark.parametrize(
    ("status", "number", "title", "next_title"),
    [
        (DossierStatus.DRAFT, 1, "Candidature", "Éligibilité"),
        (DossierStatus.ELIGIBLE, 3, "Dépôt des preuves", "Instruction par l'ANS"),
        (DossierStatus.CORRECTION_REQUESTED, 3, "Dépôt des preuves", "Instruction par l'ANS"),
        (DossierStatus.UNDER_REVIEW, 4, "Instruction par l'ANS", "Décision"),
        (DossierStatus.REFERENCED, 5, "Décision", None),
    ],
)
def test_every_status_has_its_step(status, number, title, next_title):
    step = rules.dossier_step(status)
    assert (step.number, step.count, step.title, step.next_title) == (number, 5, title, next_title)


def test_every_status_is_on_the_stepper():
    for status in DossierStatus:
        assert 1 <= rules.dossier_step(status).number <= 5


def test_the_editor_sends_the_proofs_straight_from_eligible():
    assert rules.transition(
        DossierStatus.ELIGIBLE, "submit_proofs", "editor"
    ) == DossierStatus.PROOFS_SUBMITTED


# --- The service: all or nothing ------------------------------------------------------------------


def _stored(root):
    return [p for p in root.rglob("*") if p.is_file()]


def _snapshot():
    return (ProofFile.objects.count(), DossierEvent.objects.count())


def test_several_files_are_stored_each_for_its_requirement(dossier, editor_user):
    ex02 = dossier.proofs.get(requirement__reference="EX-02")
    stored = services.proof_files_upload(
        user=editor_user,
        dossier=dossier,
        uploads=[
            services.ProofUpload(SimpleUploadedFile("EX-01 identite.pdf", PDF_BYTES)),
            services.ProofUpload(SimpleUploadedFile("sans reference.png", PNG_BYTES), ex02.pk),
            services.ProofUpload(SimpleUploadedFile("ex-03 option.png", PNG_BYTES)),
        ],
    )
    assert [(f.original_name, f.proof.requirement.reference) for f in stored] == [
        ("EX-01 identite.pdf", "EX-01"),
        ("sans reference.png", "EX-02"),
        ("ex-03 option.png", "EX-03"),
    ]
    assert set(dossier.proofs.values_list("status", flat=True)) == {ProofStatus.SUBMITTED}
    assert dossier.events.filter(kind="proof_upload").count() == 3


def test_one_bad_file_refuses_the_whole_submission_with_a_reason_per_file(
    dossier, editor_user, private_media
):
    before = _snapshot()
    with pytest.raises(services.ProofFilesRefused) as exc:
        services.proof_files_upload(
            user=editor_user,
            dossier=dossier,
            uploads=[
                services.ProofUpload(SimpleUploadedFile("EX-01 ok.pdf", PDF_BYTES)),
                services.ProofUpload(SimpleUploadedFile("EX-02 notes.txt", b"du texte")),
                services.ProofUpload(SimpleUploadedFile("capture.png", PNG_BYTES)),
                services.ProofUpload(SimpleUploadedFile("EX-01 b.pdf", PDF_BYTES), 999_999),
            ],
        )
    refusals = {r.name: r.message for r in exc.value.refusals}
    assert set(refusals) == {"EX-02 notes.txt", "capture.png", "EX-01 b.pdf"}
    assert "n'est pas d'un type accepté" in refusals["EX-02 notes.txt"]
    assert "aucune exigence n'est reconnue" in refusals["capture.png"]
    assert "EX-01 capture.pdf" in refusals["capture.png"]  # how to name it
    assert "n'existe pas dans ce dossier" in refusals["EX-01 b.pdf"]
    assert exc.value.message.startswith("Aucun fichier n'a été déposé : 3 fichier(s)")
    assert _snapshot() == before
    assert _stored(private_media) == []


def test_a_failure_while_storing_removes_the_files_already_written(
    dossier, editor_user, private_media, monkeypatch
):
    from segur_funding.referencing.services import proofs as module

    real = module._event
    calls = []

    def failing_event(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("disque plein")
        return real(**kwargs)

    monkeypatch.setattr(module, "_event", failing_event)
    before = _snapshot()
    with pytest.raises(RuntimeError):
        services.proof_files_upload(
            user=editor_user,
            dossier=dossier,
            uploads=[
                services.ProofUpload(SimpleUploadedFile("EX-01.pdf", PDF_BYTES)),
                services.ProofUpload(SimpleUploadedFile("EX-02.pdf", PDF_BYTES)),
            ],
        )
    assert _snapshot() == before
    assert _stored(private_media) == []


@pytest.mark.parametrize(
    ("uploads", "message"),
    [
        ([], "Choisissez au moins un fichier"),
        ([png(f"EX-01 {i}.png") for i in range(rules.MAX_FILES_PER_SUBMISSION + 1)], "Trop de fichiers"),
    ],
)
def test_empty_or_oversized_submissions_are_refused(dossier, editor_user, uploads, message):
    with pytest.raises(InvalidInput, match=message):
        services.proof_files_upload(
            user=editor_user, dossier=dossier, uploads=[services.ProofUpload(u) for u in uploads]
        )
    assert ProofFile.objects.count() == 0


def test_a_submission_above_the_total_limit_is_refused_before_any_check(dossier, editor_user):
    upload = SimpleUploadedFile("EX-01.pdf", PDF_BYTES)
    upload.size = rules.MAX_SUBMISSION_BYTES + 1
    with pytest.raises(InvalidInput, match="Envoi trop volumineux"):
        services.proof_files_upload(
            user=editor_user, dossier=dossier, uploads=[services.ProofUpload(upload)]
        )


def test_a_file_for_a_rejected_proof_replaces_its_files_unless_told_otherwise(
    dossier, walk, editor_user, ans_user
):
    walk.to(dossier, "under_review")
    ex01 = dossier.proofs.get(requirement__reference="EX-01")
    services.proof_review(user=ans_user, proof=ex01, accepted=False, comment="Illisible")
    services.correction_request(
        user=ans_user, dossier=dossier, reason="unreadable_proof", message="Refaites EX-01."
    )
    dossier.refresh_from_db()
    old = ex01.files.get(is_current=True)
    services.proof_files_upload(
        user=editor_user,
        dossier=dossier,
        uploads=[services.ProofUpload(SimpleUploadedFile("EX-01 v2.pdf", PDF_BYTES))],
    )
    old.refresh_from_db()
    assert not old.is_current and old.superseded_by.original_name == "EX-01 v2.pdf"
    # An accepted-or-submitted proof keeps its files: the new one adds to them.
    ex02 = dossier.proofs.get(requirement__reference="EX-02")
    services.proof_files_upload(
        user=editor_user,
        dossier=dossier,
        uploads=[services.ProofUpload(SimpleUploadedFile("EX-02 bis.pdf", PDF_BYTES))],
    )
    assert ex02.files.filter(is_current=True).count() == 2
    # … unless the editor asks for a replacement.
    services.proof_files_upload(
        user=editor_user,
        dossier=dossier,
        uploads=[services.ProofUpload(SimpleUploadedFile("EX-02 ter.pdf", PDF_BYTES), replace=True)],
    )
    assert list(ex02.files.filter(is_current=True).values_list("original_name", flat=True)) == [
        "EX-02 ter.pdf"
    ]


def test_files_cannot_be_sent_during_the_instruction_nor_by_another_editor(
    dossier, walk, editor_user, other_editor_user
):
    with pytest.raises(DomainError, match="réservé"):
        services.proof_files_upload(
            user=other_editor_user,
            dossier=dossier,
            uploads=[services.ProofUpload(SimpleUploadedFile("EX-01.pdf", PDF_BYTES))],
        )
    walk.to(dossier, "proofs_submitted")
    before = _snapshot()
    with pytest.raises(DomainError, match="ne peuvent plus être modifiés"):
        services.proof_files_upload(
            user=editor_user,
            dossier=dossier,
            uploads=[services.ProofUpload(SimpleUploadedFile("EX-01.pdf", PDF_BYTES))],
        )
    assert _snapshot() == before


def test_proofs_are_sent_from_eligible_with_requirements_published_since(
    dossier, walk, editor_user, dsr
):
    walk.to(dossier, "eligible")
    walk.upload_all(dossier)
    RequirementFactory(dsr=dsr, reference="EX-04", position=4)
    with pytest.raises(DomainError, match="EX-04"):
        services.proofs_submit(user=editor_user, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ELIGIBLE
    # The new requirement stays on the checklist: the editor can send its proof, then the dossier.
    assert dossier.proofs.filter(requirement__reference="EX-04").exists()
    services.proof_files_upload(
        user=editor_user,
        dossier=dossier,
        uploads=[services.ProofUpload(SimpleUploadedFile("EX-04.pdf", PDF_BYTES))],
    )
    services.proofs_submit(user=editor_user, dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROOFS_SUBMITTED


def test_requirements_published_before_eligibility_join_the_checklist(dossier, walk, dsr):
    walk.to(dossier, "candidature_submitted")
    RequirementFactory(dsr=dsr, reference="EX-04", position=4)
    walk.to(dossier, "eligible")
    assert dossier.proofs.filter(requirement__reference="EX-04").exists()


# --- Through the page ---------------------------------------------------------------------------


@pytest.fixture
def url(dossier):
    return reverse("referencing:proofs_upload", args=[dossier.pk])


def test_the_page_shows_the_stepper_the_progress_and_one_form(client, editor_user, dossier):
    services.proof_file_upload(user=editor_user, proof=dossier.proofs.first(), upload=png())
    client.force_login(editor_user)
    html = unescape(client.get(reverse("referencing:dossier_detail", args=[dossier.pk])).content.decode())
    assert "Étape 1 sur 5" in html and 'data-fr-current-step="1"' in html
    assert "<strong id=\"proofs-count\">1/3</strong> preuves déposées" in html
    assert html.count('enctype="multipart/form-data"') == 1
    assert 'name="files" multiple' in html
    assert "js/proof_upload.js" in html
    # The scan badge and what it means.
    assert "Non analysé" in html and "Que signifie l'analyse antivirus" in html
    assert "Cette installation de la plateforme n'a pas d'antivirus" in html


def test_the_start_step_is_not_offered_and_the_proofs_go_from_eligible(
    client, editor_user, dossier, walk
):
    walk.to(dossier, "eligible")
    walk.upload_all(dossier)
    client.force_login(editor_user)
    page = reverse("referencing:dossier_detail", args=[dossier.pk])
    html = client.get(page).content.decode()
    assert "Commencer le dépôt des preuves" not in html
    assert "Déposer les preuves" in html
    assert client.post(
        reverse("referencing:dossier_action", args=[dossier.pk, "start_proofs"])
    ).status_code == 404
    response = client.post(
        reverse("referencing:dossier_action", args=[dossier.pk, "submit_proofs"]), follow=True
    )
    assert "Vos preuves ont été déposées" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROOFS_SUBMITTED and dossier.proofs_complete_on


def test_a_plain_form_matches_every_file_by_its_name(client, editor_user, dossier, url):
    client.force_login(editor_user)
    response = client.post(
        url,
        {"files": [SimpleUploadedFile("EX-01 a.pdf", PDF_BYTES), SimpleUploadedFile("EX-02.png", PNG_BYTES)]},
    )
    assert response.status_code == 302 and response.url.endswith("#preuves")
    page = unescape(client.get(response.url).content.decode())
    assert "2 fichier(s) déposé(s) : « EX-01 a.pdf » (EX-01), « EX-02.png » (EX-02)." in page
    assert "2/3" in page


def test_the_script_sends_the_confirmed_requirements_and_reads_json(
    client, editor_user, dossier, url
):
    ex03 = dossier.proofs.get(requirement__reference="EX-03")
    client.force_login(editor_user)
    response = client.post(
        url,
        {"files": [SimpleUploadedFile("EX-01 mais pour EX-03.pdf", PDF_BYTES)],
         "requirement_0": str(ex03.pk), "replace_0": "0"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "ok": True, "redirect": reverse("referencing:dossier_detail", args=[dossier.pk]) + "#preuves"
    }
    assert ProofFile.objects.get().proof == ex03


def test_refusals_come_back_as_json_for_the_script_and_nothing_is_stored(
    client, editor_user, dossier, url
):
    client.force_login(editor_user)
    response = client.post(
        url,
        {"files": [SimpleUploadedFile("EX-01.pdf", PDF_BYTES), SimpleUploadedFile("photo.pdf", PDF_BYTES)],
         "requirement_0": "", "requirement_1": "pas-un-nombre"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["error"].startswith("Aucun fichier n'a été déposé")
    assert body["files"] == [
        {"name": "photo.pdf", "message": "l'exigence choisie n'existe pas dans ce dossier."}
    ]
    assert ProofFile.objects.count() == 0


def test_a_plain_form_shows_each_refused_file_in_french(client, editor_user, dossier, url):
    client.force_login(editor_user)
    files = [SimpleUploadedFile("EX-01.pdf", PDF_BYTES), SimpleUploadedFile("scan.pdf", PDF_BYTES)]
    response = client.post(url, {"files": files})
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert "« scan.pdf » : aucune exigence n'est reconnue" in html
    assert 'aria-invalid="true" aria-describedby="proofs-errors"' in html
    assert ProofFile.objects.count() == 0


def test_the_match_endpoint_proposes_a_requirement_per_name(client, editor_user, dossier):
    client.force_login(editor_user)
    proofs = {p.requirement.reference: p.pk for p in dossier.proofs.select_related("requirement")}
    url = reverse("referencing:proofs_match", args=[dossier.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"nom": ["ex-02 capture.png", "sans nom.pdf"]})
    assert json.loads(response.content) == {
        "matches": [
            {"name": "ex-02 capture.png", "proof": proofs["EX-02"]},
            {"name": "sans nom.pdf", "proof": None},
        ]
    }


def test_the_page_explains_an_infected_file(client, editor_user, dossier):
    pf = services.proof_file_upload(user=editor_user, proof=dossier.proofs.first(), upload=png())
    ProofFile.objects.filter(pk=pf.pk).update(scan_status=ScanStatus.INFECTED)
    client.force_login(editor_user)
    html = unescape(client.get(reverse("referencing:dossier_detail", args=[dossier.pk])).content.decode())
    assert "Infecté — refusé" in html
    assert "déposez une copie saine pour EX-01" in html
    # An infected file does not count as a proof.
    assert '<strong id="proofs-count">0/3</strong>' in html
