"""What every service shares: roles, locking, the move through `rules`, history rows and the
notification hook."""

import logging
from collections.abc import Iterable
from functools import partial

from django.db import transaction

from segur_funding.core.errors import DomainError
from segur_funding.organizations.models import Membership, User
from segur_funding.organizations.selectors import is_ans_reviewer

from .. import rules
from ..constants import (
    Actor,
    DossierAction,
    DossierStatus,
    NotificationKind,
)
from ..models import (
    Dossier,
    DossierEvent,
)

logger = logging.getLogger(__name__)


# --- Plumbing -----------------------------------------------------------------------------------


def _notify(kind: NotificationKind, dossier_id: int) -> None:
    """The single hook for notifications (e-mails to the editor or to ANS).

    Deliberately empty: the notifications app will plug its outbox here. Called after commit only,
    so that nobody is told about a change that was rolled back.
    """


def _notify_on_commit(kind: NotificationKind, dossier: Dossier) -> None:
    transaction.on_commit(partial(_notify, kind, dossier.pk))


def _roles(*, user: User, dossier: Dossier) -> set[str]:
    roles: set[str] = set()
    if not user.is_authenticated or not user.is_active:
        return roles
    if is_ans_reviewer(user=user):
        roles.add(Actor.ANS)
    if Membership.objects.filter(user=user, organization_id=dossier.editor_id).exists():
        roles.add(Actor.EDITOR)
    return roles


def _require_role(*, user: User, dossier: Dossier, role: str, what: str) -> None:
    if role not in _roles(user=user, dossier=dossier):
        who = "l'éditeur du dossier" if role == Actor.EDITOR else "un instructeur ANS"
        raise DomainError(
            f"Action refusée : {what} est réservé(e) à {who}.", code="ACTOR_NOT_ALLOWED"
        )


def _lock(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().select_related(
        "dsr", "editor", "solution_version__solution"
    ).get(pk=dossier.pk)


def _move(*, dossier: Dossier, user: User, action: DossierAction) -> tuple[str, DossierStatus]:
    """The actor role and the new status for `action`, or DomainError (nothing written)."""
    actor = rules.actor_for(action, _roles(user=user, dossier=dossier))
    if actor is None:
        raise DomainError(
            f"Action refusée : vous n'avez pas le droit de faire « {action.label} » sur ce "
            "dossier.",
            code="ACTOR_NOT_ALLOWED",
        )
    return actor, rules.transition(dossier.status, action, actor)


def _event(
    *,
    dossier: Dossier,
    kind: str,
    user: User | None,
    actor_role: str,
    from_status: str,
    comment: str = "",
) -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=dossier,
        kind=kind,
        actor=user,
        actor_role=actor_role,
        from_status=from_status,
        to_status=dossier.status,
        comment=comment,
    )


def _apply(
    *,
    dossier: Dossier,
    user: User,
    actor: str,
    action: DossierAction,
    to_status: DossierStatus,
    comment: str = "",
    fields: Iterable[str] = (),
) -> DossierEvent:
    from_status = dossier.status
    dossier.status = to_status
    dossier.save(update_fields=["status", *fields])
    return _event(
        dossier=dossier,
        kind=action.value,
        user=user,
        actor_role=actor,
        from_status=from_status,
        comment=comment,
    )


def _clean(text: str | None) -> str:
    return (text or "").strip()


# --- Solutions ----------------------------------------------------------------------------------


def _require_editor_member(*, user: User, editor_id: int) -> None:
    if not Membership.objects.filter(user=user, organization_id=editor_id).exists():
        raise DomainError(
            "Action refusée : vous n'êtes pas membre de cet éditeur.", code="ACTOR_NOT_ALLOWED"
        )
