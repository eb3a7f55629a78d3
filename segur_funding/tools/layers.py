"""The import graph between the apps of segur_funding, checked against the layers.

    python -m segur_funding.tools.layers

prints every arrow `segur_funding.<app> → segur_funding.<other app>` (imports at module level and
inside functions alike, read from the source, no Django needed), and exits 1 when an arrow goes
against LAYERS: an app may import the apps of lower layers only, so the apps cannot import each
other in a cycle. ARROWS_TO_REMOVE lists the arrows that go against the layers today, each with
the work that removes it; the list may only shrink (tests/core/test_architecture.py runs this).
"""

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "segur_funding"
ROOT = Path(__file__).resolve().parent.parent

# Lowest first. An app imports only apps of a strictly lower layer.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),  # plumbing: errors, money, clock, files, tasks, pdf, admin branding
    ("organizations", "referential"),  # who (users, editors, labs) and the reference data
    ("notifications",),  # outbox, e-mails, reminders, calendar: a leaf under the domain apps
    ("referencing",),
    ("quotes",),  # a quote names the referenced solution's dossier
    ("funding",),  # a funding request is filed on a signed quote
    ("alerts",),  # a lab's report of a doubtful quote
    ("dashboard",),  # statistics read every domain app
)

# Arrows against the layers that exist today (each one closes a cycle), with who removes them.
# Empty: the apps import each other down the layers only. A lower app that needs something of a
# higher one has it registered from the higher app's AppConfig.ready (notifications' deadline
# sources, quotes' funding panel).
ARROWS_TO_REMOVE: dict[tuple[str, str], str] = {}


@dataclass(frozen=True, slots=True)
class Arrow:
    source: str
    target: str
    where: tuple[str, ...]  # "quotes/services.py:27", every import making the arrow

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


def apps(root: Path = ROOT) -> list[str]:
    """The Django apps of the package (the directories with an apps.py)."""
    return sorted(p.parent.name for p in root.glob("*/apps.py"))


def _layer_of() -> dict[str, int]:
    return {app: level for level, names in enumerate(LAYERS) for app in names}


def _imported_modules(path: Path, module_parts: list[str]) -> Iterator[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_parts[:-1] if path.name != "__init__.py" else module_parts
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                yield ".".join([*base, *([node.module] if node.module else [])]), node.lineno
            elif node.module:
                yield node.module, node.lineno


def arrows(root: Path = ROOT) -> list[Arrow]:
    """Every app-to-app import of the package, migrations excluded."""
    names = set(apps(root))
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if len(rel.parts) < 2 or rel.parts[0] not in names or "migrations" in rel.parts:
            continue
        source = rel.parts[0]
        module_parts = [PACKAGE, *rel.with_suffix("").parts]
        for module, line in _imported_modules(path, module_parts):
            parts = module.split(".")
            if len(parts) > 1 and parts[0] == PACKAGE and parts[1] in names and parts[1] != source:
                found.setdefault((source, parts[1]), []).append(f"{rel.as_posix()}:{line}")
    return [Arrow(s, t, tuple(w)) for (s, t), w in sorted(found.items())]


def allowed_arrows() -> list[tuple[str, str]]:
    """Every arrow LAYERS allows (from an app down to any app of a lower layer)."""
    layer = _layer_of()
    return sorted((a, b) for a in layer for b in layer if layer[b] < layer[a])


def against_layers(found: list[Arrow]) -> list[Arrow]:
    """The arrows going up or sideways (or touching an app LAYERS does not place)."""
    layer = _layer_of()
    return [
        a
        for a in found
        if a.source not in layer or a.target not in layer or layer[a.target] >= layer[a.source]
    ]


def cycles(found: list[Arrow]) -> list[list[str]]:
    """Groups of apps that import each other, directly or through others (Tarjan's SCCs)."""
    graph: dict[str, set[str]] = {}
    for a in found:
        graph.setdefault(a.source, set()).add(a.target)
        graph.setdefault(a.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def problems(root: Path = ROOT) -> list[str]:
    """What the layering test reports: new arrows against the layers, stale entries of
    ARROWS_TO_REMOVE, apps LAYERS does not place. Empty when all is well."""
    found = arrows(root)
    present = {(a.source, a.target) for a in found}
    out = [f"L'app {name} n'est placée dans aucune couche (LAYERS)." for name in apps(root)
           if name not in _layer_of()]
    for a in against_layers(found):
        if (a.source, a.target) not in ARROWS_TO_REMOVE:
            out.append(f"Import interdit {a} (contre les couches) : {', '.join(a.where)}")
    for pair in ARROWS_TO_REMOVE:
        if pair not in present:
            out.append(f"{pair[0]} → {pair[1]} n'existe plus : retirez-la de ARROWS_TO_REMOVE.")
    return out


def main() -> int:
    found = arrows()
    against = {(a.source, a.target) for a in against_layers(found)}
    print("Layers (lowest first): " + " < ".join("/".join(names) for names in LAYERS))
    print("\nArrows between apps:")
    for a in found:
        mark = "  [to remove]" if (a.source, a.target) in against else ""
        print(f"  {a}  ({len(a.where)} import(s)){mark}")
    for group in cycles(found):
        print("Cycle: " + " ↔ ".join(group))
    issues = problems()
    for issue in issues:
        print("ERROR: " + issue, file=sys.stderr)
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main())
