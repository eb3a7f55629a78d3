"""Solutions and versions declared by editors."""


from django.db import transaction

from segur_funding.core.errors import DomainError, InvalidInput
from segur_funding.organizations.models import User

from ..models import (
    Solution,
    SolutionVersion,
)
from ._base import (
    _clean,
    _require_editor_member,
)


@transaction.atomic
def solution_create(
    *, user: User, editor_id: int, name: str, version_label: str, obsolete_versions: str
) -> SolutionVersion:
    """Declare a solution of an editor with its first version."""
    _require_editor_member(user=user, editor_id=editor_id)
    name = _clean(name)
    if not name:
        raise InvalidInput("Indiquez le nom de la solution.")
    if Solution.objects.filter(editor_id=editor_id, name__iexact=name).exists():
        raise DomainError(
            f"La solution « {name} » est déjà déclarée : ajoutez-lui une version.",
            code="DUPLICATE_SOLUTION",
        )
    solution = Solution.objects.create(editor_id=editor_id, name=name)
    return solution_version_create(
        user=user, solution=solution, label=version_label, obsolete_versions=obsolete_versions
    )


@transaction.atomic
def solution_version_create(
    *, user: User, solution: Solution, label: str, obsolete_versions: str
) -> SolutionVersion:
    _require_editor_member(user=user, editor_id=solution.editor_id)
    label, obsolete_versions = _clean(label), _clean(obsolete_versions)
    if not label:
        raise InvalidInput("Indiquez le numéro de version.")
    if not obsolete_versions:
        raise InvalidInput(
            "Déclarez les versions obsolètes de la solution (écrivez « Aucune » s'il n'y en a pas)."
        )
    if solution.versions.filter(label__iexact=label).exists():
        raise DomainError(
            f"La version « {label} » de « {solution.name} » est déjà déclarée.",
            code="DUPLICATE_VERSION",
        )
    return SolutionVersion.objects.create(
        solution=solution, label=label, obsolete_versions=obsolete_versions
    )
