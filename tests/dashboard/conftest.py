"""The statistics tests run against the demo data (SPEC §5), loaded once for this package (see the
fixtures in tests/api/demo.py)."""

from tests.api.demo import client_for, demo, demo_world  # noqa: F401  (fixtures)
