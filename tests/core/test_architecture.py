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


# --- One clock ------------------------------------------------------------------------------------

CLOCK_HOME = ROOT / "segur_funding" / "core" / "clock.py"
SOURCES = sorted(
    p
    for p in ROOT.glob("segur_funding/**/*.py")
    if "migrations" not in p.parts and p != CLOCK_HOME
)
# Reading the time anywhere but core/clock.py: a test moving the clock (clock.travel_to) would
# not reach it. Converting a given instant (timezone.localdate(value)) is not reading the time.
CLOCK_READS = {
    ("timezone", "now"),
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "today"),
    ("datetime", "utcnow"),
}
CONVERSIONS_WITHOUT_ARGUMENT = {("timezone", "localdate"), ("timezone", "localtime")}


def _clock_reads(source: str) -> list[str]:
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    called_with_arguments = {
        id(node.func)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and (node.args or node.keywords)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("django.utils.timezone", "time"):
            for alias in node.names:
                if alias.name in ("now", "localdate", "localtime", "time"):
                    found.append((node.lineno, f"from {node.module} import {alias.name}"))
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
        pair = (owner_name, node.attr)
        if pair in CLOCK_READS or (
            pair in CONVERSIONS_WITHOUT_ARGUMENT and id(node) not in called_with_arguments
        ):
            found.append((node.lineno, f"{owner_name}.{node.attr}"))
    return [f"{line}: {what}" for line, what in sorted(found)]


def test_the_clock_check_sees_module_paths_and_references_but_not_conversions():
    sample = (
        "import datetime\nfrom django.utils import timezone\n"
        "a = datetime.datetime.now()\nb = timezone.localdate()\nc = timezone.localdate(a)\n"
        "d = timezone.now\ne = datetime.date.today()\nfrom django.utils.timezone import now\n"
    )
    assert _clock_reads(sample) == [
        "3: datetime.now", "4: timezone.localdate", "6: timezone.now", "7: date.today",
        "8: from django.utils.timezone import now",
    ]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_time_is_read_from_core_clock_only(path):
    """`clock.now()` / `clock.today()` / `clock.local_now()`, never timezone.now(),
    timezone.localdate(), date.today() or datetime.now()."""
    reads = _clock_reads(path.read_text(encoding="utf-8"))
    assert not reads, f"{path.relative_to(ROOT)} lit l'heure sans core.clock : {reads}"


# --- Layers between apps --------------------------------------------------------------------------


def test_apps_import_each_other_only_down_the_layers():
    """No cycle between apps: each app imports apps of lower layers only (segur_funding.tools.layers
    lists the allowed arrows; ARROWS_TO_REMOVE the ones still going up, which may only shrink)."""
    from segur_funding.tools import layers

    issues = layers.problems()
    allowed = ", ".join(f"{a}→{b}" for a, b in layers.allowed_arrows())
    assert not issues, "\n".join(issues) + f"\nFlèches permises : {allowed}"


def test_only_the_arrows_still_to_remove_make_cycles():
    from segur_funding.tools import layers

    found = layers.arrows()
    kept = [a for a in found if (a.source, a.target) not in layers.ARROWS_TO_REMOVE]
    assert layers.cycles(kept) == []
    # No cycle left between apps (nor between services and tasks).
    assert layers.cycles(found) == []


def test_notifications_knows_people_not_dossiers_quotes_or_funding():
    """Notifications stores, renders, sends, sweeps and serves the calendar; the domain apps
    publish their deadlines and notices to it (their `deadlines.py`, `notify.py`)."""
    from segur_funding.tools import layers

    targets = {a.target for a in layers.arrows() if a.source == "notifications"}
    assert targets == {"core", "organizations"}


def test_the_layering_check_finds_a_new_cycle(tmp_path):
    from segur_funding.tools import layers

    for app, source in {
        "core": "",
        "referential": "from segur_funding.core import clock\n",
        "organizations": "def f():\n    from segur_funding.referential import models\n",
    }.items():
        (tmp_path / app).mkdir()
        (tmp_path / app / "apps.py").write_text("", encoding="utf-8")
        (tmp_path / app / "models.py").write_text(source, encoding="utf-8")
    (tmp_path / "referential" / "views.py").write_text(
        "from ..organizations.models import Organization\n", encoding="utf-8"
    )
    found = layers.arrows(tmp_path)
    assert [str(a) for a in found] == [
        "organizations → referential", "referential → core", "referential → organizations",
    ]
    assert layers.cycles(found) == [["organizations", "referential"]]
    assert any("organizations → referential" in issue for issue in layers.problems(tmp_path))


# --- Services never import tasks ------------------------------------------------------------------


def _imports_of_app_tasks(source: str):
    """Imports of an app's tasks module (core.tasks, the queueing helper, is everyone's)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = ("." * node.level) + (node.module or "")
            names = [module] + [f"{module}.{alias.name}".replace("..", ".") for alias in node.names]
        for name in names:
            parts = name.lstrip(".").split(".")
            if "tasks" in parts and "core" not in parts:
                yield f"{node.lineno}: {name}"
                break


def test_the_tasks_import_check_sees_relative_and_absolute_imports():
    sample = (
        "from .tasks import x\nfrom . import rules, tasks\nimport segur_funding.quotes.tasks\n"
        "from segur_funding.core.tasks import enqueue_on_commit\nfrom segur_funding.core import tasks\n"
    )
    assert list(_imports_of_app_tasks(sample)) == [
        "1: .tasks", "2: .tasks", "3: segur_funding.quotes.tasks",
    ]


@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if p.name != "tasks.py" and p.name != "celery.py"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_module_imports_an_apps_tasks(path):
    """Services queue tasks by name (core.tasks.enqueue_on_commit): tasks import services, never
    the other way round, so no app has a services ↔ tasks cycle."""
    found = list(_imports_of_app_tasks(path.read_text(encoding="utf-8")))
    assert not found, f"{path.relative_to(ROOT)} importe des tâches : {found}"
