"""Rules modules are pure: no ORM, no settings, no I/O — they are tested without a database and
re-check a million quotes as a loop over plain objects."""

import ast

import pytest

from tests.conftest import ROOT

RULES = sorted(
    [*ROOT.glob("segur_funding/*/rules.py"), *ROOT.glob("segur_funding/*/rules/*.py")]
)
FORBIDDEN = ("django", "segur_funding.organizations.models", "requests", "celery", "redis")


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield ("." * node.level) + node.module


def test_every_domain_app_with_rules_is_covered():
    apps = {p.relative_to(ROOT).parts[1] for p in RULES}
    assert {"referential", "referencing", "quotes", "funding", "notifications"} <= apps


@pytest.mark.parametrize("path", RULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_rules_modules_import_no_framework_nor_models(path):
    bad = [
        name
        for name in _imports(path)
        if name.startswith(FORBIDDEN) or name.endswith((".models", "models", ".selectors", ".services"))
    ]
    assert not bad, f"{path.name} imports {bad}"
