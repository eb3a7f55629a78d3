import pytest

from segur_funding.organizations.constants import ANS_REVIEWERS_GROUP, ASP_REVIEWERS_GROUP
from segur_funding.organizations.services import reviewer_groups_setup
from segur_funding.referencing import services

from .factories import (
    DsrFactory,
    EditorFactory,
    LabFactory,
    RequirementFactory,
    SolutionVersionFactory,
    UserFactory,
    member,
    pdf,
)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded and generated files go to a temp dir; nothing lands in var/private."""
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    (tmp_path / "upload-tmp").mkdir()
    return root


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks run in-process even when REDIS_URL points at a real broker (CI)."""
    from segur_funding.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


@pytest.fixture
def groups(db):
    return reviewer_groups_setup()


@pytest.fixture
def editor(db):
    return EditorFactory(name="Biologiciel Test")


@pytest.fixture
def editor_user(editor):
    return member(editor, email="editeur@test.example")


@pytest.fixture
def other_editor(db):
    return EditorFactory(name="Concurrent SAS")


@pytest.fixture
def other_editor_user(other_editor):
    return member(other_editor, email="editeur2@test.example")


@pytest.fixture
def lab_user(db):
    return member(LabFactory(), email="labo@test.example")


@pytest.fixture
def ans_user(groups):
    user = UserFactory(email="ans@test.example", is_staff=True)
    user.groups.add(groups[ANS_REVIEWERS_GROUP])
    return user


@pytest.fixture
def asp_user(groups):
    user = UserFactory(email="asp@test.example", is_staff=True)
    user.groups.add(groups[ASP_REVIEWERS_GROUP])
    return user


@pytest.fixture
def dsr(db):
    dsr = DsrFactory(code="TST-V1", software="Système de test")
    RequirementFactory(dsr=dsr, reference="EX-01", title="Identité patient", position=1)
    RequirementFactory(dsr=dsr, reference="EX-02", title="Compte rendu structuré", position=2)
    RequirementFactory(
        dsr=dsr, reference="EX-03", title="Option facultative", position=3, mandatory=False
    )
    return dsr


@pytest.fixture
def version(editor):
    return SolutionVersionFactory(solution__editor=editor, solution__name="BioLab", label="5.2")


@pytest.fixture
def dossier(editor_user, version, dsr):
    return services.dossier_create(
        user=editor_user,
        solution_version=version,
        dsr=dsr,
        contact_name="Élise Martin",
        contact_email="elise@test.example",
        honour_declaration=True,
    )


class Walker:
    """Brings a dossier through the real services to a given status."""

    ORDER = [
        "draft",
        "candidature_submitted",
        "eligible",
        "proofs_in_progress",
        "proofs_submitted",
        "under_review",
        "correction_requested",
        "proofs_resubmitted",
    ]

    def __init__(self, editor_user, ans_user):
        self.editor_user, self.ans_user = editor_user, ans_user

    def upload_all(self, dossier):
        for proof in dossier.proofs.select_related("requirement"):
            if proof.requirement.mandatory and not proof.files.filter(is_current=True).exists():
                services.proof_file_upload(user=self.editor_user, proof=proof, upload=pdf())

    def to(self, dossier, status):
        steps = {
            "candidature_submitted": lambda d: services.candidature_submit(
                user=self.editor_user, dossier=d
            ),
            "eligible": lambda d: services.eligibility_decide(
                user=self.ans_user, dossier=d, eligible=True
            ),
            "proofs_in_progress": lambda d: services.proofs_start(user=self.editor_user, dossier=d),
            "proofs_submitted": lambda d: (
                self.upload_all(d),
                services.proofs_submit(user=self.editor_user, dossier=d),
            ),
            "under_review": lambda d: services.review_start(user=self.ans_user, dossier=d),
            "correction_requested": lambda d: services.correction_request(
                user=self.ans_user, dossier=d, reason="non_conform_proof", message="Corrigez."
            ),
            "proofs_resubmitted": lambda d: services.proofs_resubmit(
                user=self.editor_user, dossier=d
            ),
        }
        dossier.refresh_from_db()
        for name in self.ORDER[self.ORDER.index(dossier.status) + 1 : self.ORDER.index(status) + 1]:
            steps[name](dossier)
            dossier.refresh_from_db()
        return dossier

    def referenced(self, dossier):
        self.to(dossier, "under_review")
        services.proofs_accept_submitted(user=self.ans_user, dossier=dossier)
        services.referencing_grant(user=self.ans_user, dossier=dossier)
        dossier.refresh_from_db()
        return dossier


@pytest.fixture
def walk(editor_user, ans_user):
    return Walker(editor_user, ans_user)
