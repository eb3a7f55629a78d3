"""Demo data (SPEC §5): accounts, organisations and objects in various states. Idempotent."""

from collections.abc import Iterator


def demo_data_load() -> Iterator[str]:
    yield "Données de démonstration : rien à charger pour l'instant."
