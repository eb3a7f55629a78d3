"""Workflows as data: the one shape of every lifecycle (referencing dossiers, quotes, funding
requests).

Each domain app declares, in its pure `rules.py`, an action-keyed table
`(from status, action) -> Step(to, actors, guard)` and wraps it in a `Workflow`. The services
ask the workflow for the target of a move (it refuses an illegal one with a French message), the
admin shows one button per `available_actions`, and the API lists the same actions: a move added
to the table appears everywhere at once. `core.moves.move` then writes it (compare-and-set).

A guard is a pure function of the facts the service gathered (plain values, no rows): it returns
a `Refusal` (code and French sentence) or None. It runs only once the table allows the move, so a
wrong status is always told before a business reason.

Pure: no ORM, no settings, no I/O.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import DomainError


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a move is refused: a stable code (API, tests) and the sentence a user reads."""

    code: str
    message: str


Guard = Callable[[Any], Refusal | None]


def refuse(refusal: Refusal | None) -> None:
    """Raise the refusal (DomainError with its code and French message); nothing when None."""
    if refusal is not None:
        raise DomainError(refusal.message, code=refusal.code)


@dataclass(frozen=True, slots=True)
class Step:
    """One row of a transition table: where the action leads and who may make it."""

    to: str
    actors: frozenset[str]
    guard: Guard | None = None


Table = Mapping[tuple[str, str], Step]
Labeller = Callable[[str], str]


def labeller(choices: type) -> Labeller:
    """The French label of a value of a choices enum (the value itself when unknown)."""

    def label(value: str) -> str:
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)

    return label


@dataclass(frozen=True)
class Workflow:
    """A transition table and how to speak of it (labels and refusals in French)."""

    table: Table
    status_label: Labeller
    action_label: Labeller
    actor_label: Labeller
    # (status, action) -> the refusal of a move the table does not list (None: a generic one).
    illegal: Callable[[str, str], str] | None = None
    terminal: frozenset[str] = frozenset()
    # (status, action) -> the refusal of any move out of a terminal status.
    closed: Callable[[str, str], str] | None = None

    def step(self, state: str, action: str) -> Step | None:
        return self.table.get((state, action))

    def transition(self, state: str, action: str, actor: str, facts: Any = None) -> str:
        """The status after `actor` makes `action` from `state`; DomainError otherwise.

        `facts` is what the step's guard judges (ignored when the step has none).
        """
        step = self.step(state, action)
        action_text = self.action_label(action)
        if step is None:
            if self.closed is not None and state in self.terminal:
                message = self.closed(state, action)
            elif self.illegal is not None:
                message = self.illegal(state, action)
            else:
                message = (
                    f"Action impossible : « {action_text} » n'est pas possible au statut "
                    f"« {self.status_label(state)} »."
                )
            raise DomainError(message, code="ILLEGAL_TRANSITION")
        if actor not in step.actors:
            who = " ou ".join(sorted(self.actor_label(a) for a in step.actors))
            raise DomainError(
                f"Action refusée : « {action_text} » est réservée au rôle {who}.",
                code="ACTOR_NOT_ALLOWED",
            )
        if step.guard is not None:
            refuse(step.guard(facts))
        return step.to

    def available_actions(self, state: str, actor: str) -> list[str]:
        """Moves `actor` may make from `state`, in the order of the table (buttons, API)."""
        return [
            action
            for (from_state, action), step in self.table.items()
            if from_state == state and actor in step.actors
        ]

    def states_awaiting(self, actor: str) -> frozenset[str]:
        """The statuses in which `actor` has a move to make (« Mon espace », queues): read from the
        table, so that a list never shows an object nobody can move."""
        return frozenset(state for (state, _action), step in self.table.items() if actor in step.actors)

    def actor_for(self, action: str, roles: Iterable[str], *, preference: Iterable[str]) -> str | None:
        """Among the roles a user holds, the first of `preference` that may make `action`."""
        allowed = set().union(*(s.actors for (_, a), s in self.table.items() if a == action))
        held = set(roles)
        for role in preference:
            if role in held and role in allowed:
                return role
        return None

    def actions(self) -> list[str]:
        """Every action of the table, once, in table order."""
        return list(dict.fromkeys(action for (_, action) in self.table))
