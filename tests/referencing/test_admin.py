"""ANS review in the admin: the queue, the dossier page and its buttons, which call the services."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse

from segur_funding.core import clock
from segur_funding.referencing.constants import DossierStatus, ProofStatus
from segur_funding.referencing.models import CorrectionRequest, Dossier

from .factories import DossierFactory

CHANGELIST = "admin:referencing_dossier_changelist"


def change_url(dossier):
    return reverse("admin:referencing_dossier_change", args=[dossier.pk])


def action_url(dossier, action):
    return reverse("admin:referencing_dossier_instruction", args=[dossier.pk, action])


def text(response):
    return unescape(response.content.decode())


def test_queue_shows_days_left_and_highlights_overdue_dossiers(client, ans_user, dossier, walk):
    walk.to(dossier, "candidature_submitted")
    late = DossierFactory(under_review=True, solution_version__solution__name="EnRetard")
    Dossier.objects.filter(pk=late.pk).update(
        clock_phase="instruction", clock_deadline=clock.today() - timedelta(days=3)
    )
    client.force_login(ans_user)
    html = text(client.get(reverse(CHANGELIST)))
    assert "7 j (éligibilité de la candidature)" in html
    assert "En retard de 3 j" in html and "segur-overdue" in html
    # The most urgent first.
    assert html.index("EnRetard") < html.index("BioLab")
    overdue_only = text(client.get(reverse(CHANGELIST), {"delai": "retard"}))
    assert "EnRetard" in overdue_only and "BioLab 5.2" not in overdue_only


@pytest.mark.parametrize("query", ["Biologiciel", "SIREN", "TST-V1-"])
def test_queue_search_by_editor_siren_or_number(client, ans_user, dossier, walk, query):
    walk.referenced(dossier)
    dossier.refresh_from_db()
    DossierFactory(solution_version__solution__name="Autre")
    q = {"SIREN": dossier.editor.siren, "TST-V1-": dossier.referencing_number}.get(query, query)
    client.force_login(ans_user)
    html = text(client.get(reverse(CHANGELIST), {"q": q}))
    assert "BioLab 5.2" in html and "Autre" not in html


def test_queue_filters_by_dsr_editor_and_status(client, ans_user, dossier):
    other = DossierFactory(under_review=True)
    client.force_login(ans_user)
    html = text(client.get(reverse(CHANGELIST), {"status__exact": "under_review"}))
    assert str(other.solution_version) in html and "BioLab 5.2" not in html
    html = text(client.get(reverse(CHANGELIST), {"dsr__id__exact": dossier.dsr_id}))
    assert "BioLab 5.2" in html and str(other.solution_version) not in html
    html = text(client.get(reverse(CHANGELIST), {"editor__id__exact": other.editor_id}))
    assert str(other.solution_version) in html and "BioLab 5.2" not in html


def test_the_whole_review_from_the_admin(client, ans_user, editor_user, dossier, walk):
    walk.to(dossier, "candidature_submitted")
    client.force_login(ans_user)
    page = text(client.get(change_url(dossier)))
    assert "Déclarer la candidature éligible" in page and 'name="_save"' not in page
    response = client.post(action_url(dossier, "declare_eligible"), follow=True)
    assert "La candidature est déclarée éligible." in text(response)
    walk.to(dossier, "proofs_submitted")
    client.post(action_url(dossier, "start_review"))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_REVIEW

    proof = dossier.proofs.get(requirement__reference="EX-01")
    review = reverse("admin:referencing_dossier_proof_review", args=[dossier.pk, proof.pk])
    response = client.post(review, {"decision": "reject", "comment": "Capture illisible"}, follow=True)
    assert "Preuve EX-01 rejetée." in text(response)
    proof.refresh_from_db()
    assert proof.status == ProofStatus.REJECTED and proof.reviewer_comment == "Capture illisible"

    response = client.post(
        action_url(dossier, "request_correction"),
        {"correction-reason": "unreadable_proof", "correction-requirements": [proof.requirement_id],
         "correction-message": "Merci de redéposer une capture lisible."},
        follow=True,
    )
    assert "La demande de correction est envoyée" in text(response)
    correction = CorrectionRequest.objects.get()
    assert list(correction.requirements.values_list("reference", flat=True)) == ["EX-01"]

    # The editor replaces the proof and resubmits (their own pages are tested elsewhere).
    from segur_funding.referencing import services

    from .factories import png

    services.proof_file_upload(
        user=editor_user, proof=proof, upload=png(), replaces=proof.files.get(is_current=True)
    )
    services.proofs_resubmit(user=editor_user, dossier=dossier)
    client.post(action_url(dossier, "start_review"))
    response = client.post(action_url(dossier, "grant"), follow=True)
    assert "toutes les preuves obligatoires doivent être acceptées" in text(response)
    client.post(action_url(dossier, "accept_submitted"))
    response = client.post(action_url(dossier, "grant"), {"comment": "Conforme"}, follow=True)
    assert "Le référencement est accordé" in text(response)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REFERENCED and dossier.referencing_number


def test_an_illegal_admin_action_shows_the_french_error(client, ans_user, dossier):
    client.force_login(ans_user)
    response = client.post(action_url(dossier, "grant"), follow=True)
    assert (
        "Action impossible : « Accorder le référencement » n'est pas possible pour un dossier au "
        "statut « Brouillon »." in text(response)
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT


def test_refusal_without_reason_is_refused(client, ans_user, dossier, walk):
    walk.to(dossier, "under_review")
    client.force_login(ans_user)
    response = client.post(action_url(dossier, "refuse"), {"comment": "Non conforme"}, follow=True)
    assert "Cochez la case « Je confirme » : cette décision est définitive." in text(response)
    response = client.post(action_url(dossier, "refuse"), {"comment": "", "confirm": "on"}, follow=True)
    assert "Indiquez le motif du refus" in text(response)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_REVIEW


def _summary(page: str) -> str:
    return page.split('class="errornote segur-error-summary"', 1)[1].split("</div>", 1)[0]


def test_a_refused_decision_comes_back_on_the_dossier_page_with_what_was_typed(
    client, ans_user, dossier, walk
):
    walk.to(dossier, "under_review")
    client.force_login(ans_user)
    # The box left unticked: the reason typed is kept, the summary links to the box.
    response = client.post(action_url(dossier, "refuse"), {"comment": "Preuves insuffisantes"})
    assert response.status_code == 400
    page = text(response)
    summary = _summary(page)
    assert "Le référencement n'est pas refusé" in summary
    assert '<a href="#refuse-confirm">Cochez la case « Je confirme »' in summary
    assert ">Preuves insuffisantes</textarea>" in page
    assert re.search(r'id="refuse-confirm" name="confirm" aria-invalid="true"', page)
    # No reason: the link goes to the reason, the box ticked stays ticked.
    response = client.post(action_url(dossier, "refuse"), {"comment": "", "confirm": "on"})
    page = text(response)
    assert '<a href="#refuse-comment">Indiquez le motif du refus' in _summary(page)
    assert 'id="refuse-confirm" name="confirm" checked' in page
    # A date that is not a day: the grant's date field, the comment kept.
    response = client.post(
        action_url(dossier, "grant"), {"referenced_on": "31/02/2022", "comment": "RAS"}
    )
    page = text(response)
    assert '<a href="#grant-date">Date de référencement invalide' in _summary(page)
    assert ">RAS</textarea>" in page and 'value="31/02/2022"' in page
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_REVIEW and dossier.referencing_number is None


def test_incomplete_correction_request_keeps_what_was_typed(client, ans_user, dossier, walk):
    walk.to(dossier, "under_review")
    client.force_login(ans_user)
    response = client.post(
        action_url(dossier, "request_correction"),
        {"correction-reason": "other", "correction-message": ""},
    )
    assert response.status_code == 400
    assert "Demande de correction incomplète" in text(response)
    assert not CorrectionRequest.objects.exists()


def test_bulk_actions_call_the_services_and_report_errors(client, ans_user, dossier, walk):
    walk.to(dossier, "candidature_submitted")
    draft = DossierFactory()
    client.force_login(ans_user)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "declare_eligible", "_selected_action": [dossier.pk, draft.pk]},
        follow=True,
    )
    html = text(response)
    assert "1 dossier(s) : candidature déclarée éligible." in html
    assert "n'est pas possible pour un dossier au statut « Brouillon »" in html
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ELIGIBLE


def test_status_cannot_be_edited_by_posting_the_change_form(client, ans_user, dossier):
    client.force_login(ans_user)
    client.post(change_url(dossier), {"status": "referenced", "referencing_number": "X"})
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT and dossier.referencing_number is None


def test_asp_reviewer_sees_the_dossier_but_cannot_instruct(client, asp_user, dossier, walk):
    walk.to(dossier, "candidature_submitted")
    client.force_login(asp_user)
    page = client.get(change_url(dossier))
    assert page.status_code == 200
    assert "Déclarer la candidature éligible" not in text(page)
    assert client.post(action_url(dossier, "declare_eligible")).status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.CANDIDATURE_SUBMITTED


def test_pending_files_have_no_download_link_for_reviewers(client, ans_user, dossier, walk):
    walk.to(dossier, "proofs_submitted")
    dossier.proofs.first().files.update(scan_status="pending")
    client.force_login(ans_user)
    html = text(client.get(change_url(dossier)))
    assert "analyse antivirus en cours : téléchargement bloqué" in html
    assert "non analysé" in html


def test_ans_withdraws_a_referencing_from_the_dossier_page(client, ans_user, dossier, walk):
    walk.referenced(dossier)
    client.force_login(ans_user)
    page = text(client.get(change_url(dossier)))
    assert "Retirer le référencement" in page
    response = client.post(action_url(dossier, "withdraw"), {"comment": "", "confirm": "on"}, follow=True)
    assert "Indiquez le motif du retrait" in text(response)
    dossier.refresh_from_db()
    assert dossier.withdrawn_on is None
    response = client.post(
        action_url(dossier, "withdraw"), {"comment": "Faille non corrigée", "confirm": "on"}, follow=True
    )
    assert "Le référencement est retiré" in text(response)
    dossier.refresh_from_db()
    assert dossier.withdrawn_on == clock.today()
    assert dossier.withdrawal_reason == "Faille non corrigée"
    assert "Référencement retiré le" in text(client.get(change_url(dossier)))


def test_search_finds_a_dossier_by_software_name_and_version(client, ans_user, dossier):
    other = DossierFactory(solution_version__label="7.1")
    client.force_login(ans_user)
    html = text(client.get(reverse(CHANGELIST), {"q": "5.2"}))
    assert "BioLab 5.2" in html and str(other.solution_version) not in html
    html = text(client.get(reverse(CHANGELIST), {"q": "BioLab 5.2"}))
    assert "BioLab 5.2" in html
    assert "0 dossier" in text(client.get(reverse(CHANGELIST), {"q": "BioLab 9.9"}))


def test_list_title_says_what_it_lists(client, ans_user, dossier):
    client.force_login(ans_user)
    html = text(client.get(reverse(CHANGELIST)))
    assert "<h1>File d'instruction des dossiers de référencement</h1>" in html
    assert "Sélectionnez" not in html
    html = text(client.get(reverse("admin:referencing_solution_changelist")))
    assert "<h1>Solutions</h1>" in html and "Sélectionnez" not in html


def test_a_reviewer_assigns_dossiers_and_finds_them_in_her_queue(client, ans_user, dossier, groups):
    from segur_funding.organizations.constants import ANS_REVIEWERS_GROUP
    from tests.referencing.factories import UserFactory

    colleague = UserFactory(email="collegue@ans.example", first_name="Camille", last_name="Durand")
    colleague.groups.add(groups[ANS_REVIEWERS_GROUP])
    other = DossierFactory(solution_version__solution__name="Autre")
    client.force_login(ans_user)
    client.post(reverse(CHANGELIST), {"action": "assign_to_me", "_selected_action": [dossier.pk]})
    dossier.refresh_from_db()
    assert dossier.assigned_to == ans_user
    mine = text(client.get(reverse(CHANGELIST), {"assignation": "moi"}))
    assert "BioLab 5.2" in mine and "Autre" not in mine

    chosen = {"action": "assign_reviewer", "_selected_action": [other.pk]}
    form = text(client.post(reverse(CHANGELIST), chosen))
    assert "Camille Durand" in form
    data = {**chosen, "confirm": "yes"}
    response = client.post(reverse(CHANGELIST), {**data, "reviewer": "999999"}, follow=True)
    assert "n'est pas instructeur" in text(response)
    other.refresh_from_db()
    assert other.assigned_to is None
    client.post(reverse(CHANGELIST), {**data, "reviewer": str(colleague.pk)})
    other.refresh_from_db()
    assert other.assigned_to == colleague
    nobody = text(client.get(reverse(CHANGELIST), {"assignation": "personne"}))
    assert "Autre" not in nobody and "BioLab 5.2" not in nobody
    # The whole list names both reviewers, read by id after the page (not joined): still ≤ 10.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        listed = text(client.get(reverse(CHANGELIST)))
    assert "Camille Durand" in listed and ans_user.get_full_name() in listed
    assert len(queries) <= 10


def test_dossier_page_puts_status_clock_and_decisions_first_with_french_dates(
    client, ans_user, dossier, walk
):
    walk.to(dossier, "under_review")
    client.force_login(ans_user)
    html = text(client.get(change_url(dossier)))
    decisions = html.index('id="instruction-title"')
    assert decisions < html.index('id="proofs-title"') < html.index('id="history-title"')
    assert decisions < html.index("Contact référencement")  # the read-only fields come after
    assert html.index('id="dossier-admin-clock"') < html.index("Accorder le référencement")
    assert "segur-btn segur-btn--primary\">Accorder le référencement" in html
    assert "segur-btn segur-btn--danger\">Refuser le référencement" in html
    assert 'name="confirm"' in html and "novalidate" in html
    history = html[html.index('id="history-title"'):]
    assert re.search(r"\d{1,2} [a-zéû]+ \d{4}", history)
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}", history)


def test_the_dossier_page_is_drawn_as_django_draws_it_and_costs_the_same_queries_for_any_rows(
    client, ans_user, dossier, walk, monkeypatch
):
    """Its corrections, history and fieldsets: one query each whatever their number, the read-only
    fieldsets drawn as Django draws them (core/templatetags/segur_admin_form.py). Twelve here with
    everything shown (corrections with their requirements, proofs with files, the correction
    form's choices); ten on the bench's dossier (bench/NOTES.md, « Admin CPU »)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from segur_funding.referencing.models import DossierEvent
    from tests.funding import test_admin_pages as pages
    from tests.referencing.factories import UserFactory

    walk.to(dossier, "proofs_submitted")
    now = clock.now()
    first = CorrectionRequest.objects.create(
        dossier=dossier, reason="unreadable_proof", message="Capture illisible", opened_at=now,
        opened_by=ans_user, resolved_at=now,
    )
    first.requirements.add(dossier.proofs.first().requirement)
    events = list(dossier.events.order_by("id"))
    DossierEvent.objects.filter(dossier=dossier).exclude(pk=events[0].pk).delete()
    client.force_login(ans_user)
    url = change_url(dossier)
    pages._same_page_as_djangos(client, url, monkeypatch)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in ctx.captured_queries]

    one = queries()
    for i in range(5):
        other = UserFactory()
        copy = CorrectionRequest.objects.create(
            dossier=dossier, reason="other", message=f"Correction {i}", opened_at=now, opened_by=other,
            resolved_at=now,
        )
        copy.requirements.add(dossier.proofs.first().requirement)
        DossierEvent.objects.create(
            dossier=dossier, kind=events[0].kind, actor=other, actor_role=events[0].actor_role,
            from_status=events[0].from_status, to_status=events[0].to_status,
        )
    many = queries()
    html = text(client.get(url))
    assert "Correction 4" in html and html.count("Capture illisible") >= 1
    assert len(one) == len(many) <= 12, "\n".join(many)


def test_incomplete_correction_request_lists_what_to_fix_with_links_to_the_fields(
    client, ans_user, dossier, walk
):
    walk.to(dossier, "under_review")
    client.force_login(ans_user)
    response = client.post(action_url(dossier, "request_correction"), {"correction-reason": "other"})
    page = response.content.decode()
    summary = page.split('class="errornote segur-error-summary"', 1)[1].split("</div>", 1)[0]
    assert "La demande de correction n'est pas envoyée" in summary
    assert 'href="#id_correction-message"' in summary
    assert 'id="id_correction-message"' in page
