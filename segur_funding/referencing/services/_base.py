"""What every service shares: roles, locking, the move through `rules`, history rows and the
notifications of each move."""

import logging
from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from segur_funding.core.errors import DomainError
from segur_funding.core.moves import move
from segur_funding.notifications.constants import NotificationKind
from segur_funding.notifications.rules import dossier_reference
from segur_funding.notifications.selectors import ans_reviewers, organization_members
from segur_funding.notifications.services import notification_enqueue
from segur_funding.organizations.models import Membership, User
from segur_funding.organizations.selectors import is_ans_reviewer

from .. import rules
from ..constants import (
    Actor,
    DossierAction,
    DossierStatus,
)
from ..models import (
    Dossier,
    DossierEvent,
)

logger = logging.getLogger(__name__)


# --- Notifications ------------------------------------------------------------------------------
# Called by each service inside its transaction, after the rows and the history row are written:
# the outbox rows commit (or roll back) with the change, and their e-mails leave after commit.
# Who is told is decided here, once: ANS reviewers of what waits on the ANS, the editor's members
# of what ANS decided. The ANS instructs in the admin, the editor on the dossier page.


def _dossier_context(dossier: Dossier, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "dossier_id": dossier.pk,
        "dossier_reference": dossier_reference(dossier_id=dossier.pk, dsr_code=dossier.dsr.code),
        "solution": str(dossier.solution_version),
        "dsr_code": dossier.dsr.code,
        "editor_name": dossier.editor.name,
        **extra,
    }


def _notify_ans(kind: NotificationKind, dossier: Dossier, **extra: Any) -> None:
    notification_enqueue(
        kind=kind,
        recipients=ans_reviewers(),
        context=_dossier_context(dossier, extra),
        link=reverse("admin:referencing_dossier_change", args=[dossier.pk]),
    )


def _notify_editor(
    kind: NotificationKind, dossier: Dossier, *, dedup_key: str | None = None, **extra: Any
) -> None:
    notification_enqueue(
        kind=kind,
        recipients=organization_members(organization=dossier.editor_id),
        context=_dossier_context(dossier, extra),
        link=reverse("referencing:dossier_detail", args=[dossier.pk]),
        dedup_key=dedup_key,
    )


# --- Plumbing -----------------------------------------------------------------------------------


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
    # The same compare-and-set move as quotes and funding requests (the row is locked too).
    move(
        dossier,
        frm=from_status,
        to=to_status,
        **{name: getattr(dossier, name) for name in fields},
    )
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
