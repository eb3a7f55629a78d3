"""The one workflow shape (core.workflow): the table decides, then the guard, in French. No database."""

import pytest

from segur_funding.core.errors import DomainError
from segur_funding.core.workflow import Refusal, Step, Workflow

CALLS: list[object] = []


def _guard(facts):
    CALLS.append(facts)
    return Refusal("TOO_SOON", "Pas encore.") if facts == "early" else None


FLOW = Workflow(
    table={
        ("open", "close"): Step("closed", frozenset({"clerk"}), _guard),
        ("open", "note"): Step("open", frozenset({"clerk", "boss"})),
    },
    status_label={"open": "Ouvert", "closed": "Fermé"}.get,
    action_label={"close": "Fermer", "note": "Annoter"}.get,
    actor_label={"clerk": "Agent", "boss": "Chef"}.get,
    terminal=frozenset({"closed"}),
    closed=lambda state, action: "Le dossier est clos.",
)


def test_a_listed_move_by_its_actor_gives_the_target():
    assert FLOW.transition("open", "close", "clerk", "late") == "closed"


def test_an_unlisted_move_is_refused_in_french_before_any_guard_runs():
    CALLS.clear()
    with pytest.raises(DomainError) as exc:
        FLOW.transition("closed", "close", "clerk", "early")
    assert (exc.value.code, exc.value.message) == ("ILLEGAL_TRANSITION", "Le dossier est clos.")
    assert CALLS == []


def test_the_wrong_actor_is_refused_with_the_role_that_may():
    with pytest.raises(DomainError) as exc:
        FLOW.transition("open", "close", "boss", "late")
    assert exc.value.code == "ACTOR_NOT_ALLOWED"
    assert "Fermer" in exc.value.message and "Agent" in exc.value.message


def test_the_guard_refuses_with_its_own_code():
    with pytest.raises(DomainError) as exc:
        FLOW.transition("open", "close", "clerk", "early")
    assert (exc.value.code, exc.value.message) == ("TOO_SOON", "Pas encore.")


def test_buttons_and_roles_are_read_from_the_table():
    assert FLOW.available_actions("open", "clerk") == ["close", "note"]
    assert FLOW.available_actions("open", "boss") == ["note"]
    assert FLOW.available_actions("closed", "clerk") == []
    assert FLOW.actor_for("close", {"boss", "clerk"}, preference=("boss", "clerk")) == "clerk"
    assert FLOW.actor_for("close", {"boss"}, preference=("boss", "clerk")) is None
    assert FLOW.actions() == ["close", "note"]
