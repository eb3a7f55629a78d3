# The browser fixtures live in tests/browser_support.py (a plugin loaded by tests/conftest.py, so
# that every test directory shares ONE Playwright session); the helpers are re-exported here.
from tests.browser_support import AXE_ALL_IMPACTS, assert_accessible, assert_no_sideways_scroll, login, logout

__all__ = ["AXE_ALL_IMPACTS", "assert_accessible", "assert_no_sideways_scroll", "login", "logout"]
