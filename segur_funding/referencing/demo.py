"""Demo referencing dossiers (SPEC §5), built through the services, then dated. Idempotent.

- Biologiciel SAS (editeur@demo.test): « BioLab SGL » 5.2, REFERENCED on SGL-V1 on 1 March 2022
  (complete proof dossier on 1 February 2022, every proof accepted), with its certificate.
- LabSoft Santé (editeur2@demo.test): « LabSoft SGL » 3.1, UNDER REVIEW on SGL-V1 (proofs sent ten
  days ago, so the ANS queue shows a running clock).
"""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from segur_funding.core import clock
from segur_funding.core.pdf import one_page_pdf
from segur_funding.organizations.models import Organization, User
from segur_funding.referential.models import Dsr

from . import selectors, services
from .constants import EventKind
from .models import Dossier, DossierEvent, ProofFile, Solution, SolutionVersion

if TYPE_CHECKING:
    from segur_funding.organizations.demo import DemoAccounts

DSR_CODE = "SGL-V1"


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _version(*, user: User, editor: Organization, name: str, label: str, obsolete: str):
    solution = Solution.objects.filter(editor=editor, name=name).first()
    if solution is None:
        return services.solution_create(
            user=user, editor_id=editor.pk, name=name, version_label=label,
            obsolete_versions=obsolete,
        )
    version = solution.versions.filter(label=label).first()
    return version or services.solution_version_create(
        user=user, solution=solution, label=label, obsolete_versions=obsolete
    )


def _to_review(*, dossier: Dossier, editor_user: User, ans: User) -> None:
    services.candidature_submit(user=editor_user, dossier=dossier)
    services.eligibility_decide(user=ans, dossier=dossier, eligible=True)
    services.proofs_start(user=editor_user, dossier=dossier)
    for proof in dossier.proofs.select_related("requirement"):
        ref = proof.requirement.reference
        upload = SimpleUploadedFile(
            f"preuve-{ref.replace('/', '-')}.pdf", one_page_pdf(f"Preuve de conformite {ref}")
        )
        services.proof_file_upload(user=editor_user, proof=proof, upload=upload)
    services.proofs_submit(user=editor_user, dossier=dossier)
    services.review_start(user=ans, dossier=dossier)


def _date_story(dossier: Dossier, dates: dict[str, datetime], files_at: datetime) -> None:
    """Move the timestamps the services wrote to the demo's story (reads as history)."""
    for kind, moment in dates.items():
        DossierEvent.objects.filter(dossier=dossier, kind=kind).update(created_at=moment)
    ProofFile.objects.filter(proof__dossier=dossier).update(uploaded_at=files_at)
    DossierEvent.objects.filter(dossier=dossier, kind=EventKind.PROOF_UPLOAD).update(
        created_at=files_at
    )


def _open(*, user: User, version: SolutionVersion, dsr: Dsr) -> Dossier:
    return services.dossier_create(
        user=user, solution_version=version, dsr=dsr,
        contact_name=user.get_full_name(), contact_email=user.email,
        contact_phone="04 72 00 00 00", referencing_profile="SGL — tous profils",
        candidature_note="Candidature de démonstration.", honour_declaration=True,
    )


def demo_load(*, accounts: "DemoAccounts") -> Iterator[str]:
    dsr = Dsr.objects.filter(code=DSR_CODE).first()
    if dsr is None or not dsr.requirements.exists():
        yield f"Référencement : le REM du DSR {DSR_CODE} n'est pas chargé, aucun dossier de démo."
        return
    users = accounts.users
    ans = users["ans"]

    # 1. Biologiciel SAS: BioLab SGL 5.2, referenced on 1 March 2022.
    version = _version(
        user=users["editeur"], editor=accounts.editor, name="BioLab SGL", label="5.2",
        obsolete="Versions 4.x et antérieures (fin de maintenance au 31/12/2021).",
    )
    dossier = Dossier.objects.filter(solution_version=version, dsr=dsr).first()
    if dossier is None:
        dossier = _open(user=users["editeur"], version=version, dsr=dsr)
        _to_review(dossier=dossier, editor_user=users["editeur"], ans=ans)
        services.proofs_accept_submitted(user=ans, dossier=dossier)
        Dossier.objects.filter(pk=dossier.pk).update(proofs_complete_on=date(2022, 2, 1))
        services.referencing_grant(
            user=ans, dossier=dossier, referenced_on=date(2022, 3, 1),
            comment="Toutes les exigences du REM sont couvertes.",
        )
        story = {
            EventKind.DOSSIER_CREATE: _at(date(2021, 9, 13)),
            EventKind.SUBMIT_CANDIDATURE: _at(date(2021, 9, 15)),
            EventKind.DECLARE_ELIGIBLE: _at(date(2021, 9, 20)),
            EventKind.START_PROOFS: _at(date(2021, 9, 21)),
            EventKind.SUBMIT_PROOFS: _at(date(2022, 2, 1)),
            EventKind.START_REVIEW: _at(date(2022, 2, 3)),
            EventKind.PROOF_ACCEPT: _at(date(2022, 2, 25)),
            EventKind.GRANT: _at(date(2022, 3, 1), 15),
        }
        _date_story(dossier, story, files_at=_at(date(2022, 1, 20)))
        Dossier.objects.filter(pk=dossier.pk).update(
            created_at=story[EventKind.DOSSIER_CREATE],
            candidature_submitted_at=story[EventKind.SUBMIT_CANDIDATURE],
            eligibility_decided_at=story[EventKind.DECLARE_ELIGIBLE],
            decided_at=story[EventKind.GRANT],
        )
        dossier.refresh_from_db()
        yield (
            f"Référencement : {version} référencé sur {DSR_CODE} le 01/03/2022 "
            f"(n° {dossier.referencing_number})."
        )
    else:
        yield f"Référencement : dossier {dossier} déjà présent ({dossier.get_status_display()})."

    # 2. LabSoft Santé: LabSoft SGL 3.1, under review (proofs sent ten days ago).
    version = _version(
        user=users["editeur2"], editor=accounts.editor2, name="LabSoft SGL", label="3.1",
        obsolete="Aucune : toutes les versions 3.x sont maintenues.",
    )
    dossier = Dossier.objects.filter(solution_version=version, dsr=dsr).first()
    if dossier is None:
        dossier = _open(user=users["editeur2"], version=version, dsr=dsr)
        _to_review(dossier=dossier, editor_user=users["editeur2"], ans=ans)
        today = clock.today()
        sent = today - timedelta(days=10)
        story = {
            EventKind.DOSSIER_CREATE: _at(today - timedelta(days=40)),
            EventKind.SUBMIT_CANDIDATURE: _at(today - timedelta(days=38)),
            EventKind.DECLARE_ELIGIBLE: _at(today - timedelta(days=33)),
            EventKind.START_PROOFS: _at(today - timedelta(days=32)),
            EventKind.SUBMIT_PROOFS: _at(sent),
            EventKind.START_REVIEW: _at(today - timedelta(days=8)),
        }
        _date_story(dossier, story, files_at=_at(today - timedelta(days=12)))
        Dossier.objects.filter(pk=dossier.pk).update(
            created_at=story[EventKind.DOSSIER_CREATE],
            candidature_submitted_at=story[EventKind.SUBMIT_CANDIDATURE],
            eligibility_decided_at=story[EventKind.DECLARE_ELIGIBLE],
            proofs_complete_on=sent,
            clock_deadline=sent + timedelta(days=selectors.instruction_days()),
        )
        yield (
            f"Référencement : {version} en instruction sur {DSR_CODE} "
            f"(preuves déposées le {sent:%d/%m/%Y})."
        )
    else:
        yield f"Référencement : dossier {dossier} déjà présent ({dossier.get_status_display()})."
