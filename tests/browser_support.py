"""Browser journeys: Playwright driving Debian's Chromium (/usr/bin/chromium), no browser download.

Every page a journey visits can be checked with `assert_accessible(page)` (axe-core, vendored
under tests/browser/vendor). Screenshots land in test-artifacts/ for the CI logs.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SEGUR_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
AXE_JS = Path(__file__).resolve().parent / "browser" / "vendor" / "axe.min.js"

# Playwright's sync API runs an event loop in the test thread; the live server's database
# access from the test itself (fixtures, assertions) is still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser_instance, live_server, request):
    context = browser_instance.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    except Exception:  # noqa: S110 - a failed screenshot must not hide the test result
        pass
    context.close()


@pytest.fixture
def console_errors(page) -> list[str]:
    """Every JavaScript error of the test's page: console errors and uncaught exceptions, with
    the address they came from. Request it before the first `goto`."""
    errors: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            errors.append(f"{message.text} [{message.location.get('url', '')}]")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{error} [exception]"))
    return errors


AXE_ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def login(page, email: str, password: str = "demo-password") -> None:
    page.goto("/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if "/double-authentification/code/" in page.url:
        # Reviewers and administrators: the code their authenticator app would show.
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from segur_funding.organizations.two_factor import totp_next_code

        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        page.get_by_label("Code à 6 chiffres").fill(totp_next_code(device))
        page.get_by_role("button", name="Vérifier le code").click()
        page.wait_for_load_state()


def logout(page) -> None:
    page.context.clear_cookies()


def assert_accessible(page, *, impact: tuple[str, ...] = ("critical", "serious")) -> None:
    """Run axe-core on the current page; fail on violations of the given impact levels."""
    # Evaluated through DevTools, not injected as an inline <script>: the pages' Content
    # Security Policy stays enforced during the journeys (and would block such a script).
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    violations = [v for v in result["violations"] if v.get("impact") in impact]
    summary = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} élément(s), "
        f"ex. {v['nodes'][0]['target']}"
        for v in violations
    )
    assert not violations, f"Accessibilité ({page.url}) :\n{summary}"


@pytest.fixture
def demo(transactional_db, reference_data):
    """Demo accounts and objects, as `make setup` loads them."""
    from segur_funding.organizations.demo import demo_data_load

    list(demo_data_load())


# The elements that stick out of the viewport on the right, leaving aside those inside a
# container that scrolls sideways on its own (a table's scroll wrapper): those are the page's.
OVERFLOWING = """(all) => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden') return true;
    }
    return false;
  };
  const classes = (el) => typeof el.className === 'string' && el.className.trim()
    ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
  const path = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes(el);
  const wide = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1;
  };
  return [...document.body.querySelectorAll('*')]
    .filter((el) => wide(el) && !(el.parentElement && wide(el.parentElement)))
    .filter((el) => all || !scrolls(el))
    .slice(0, 8)
    .map((el) => path(el) + ' (' + Math.round(el.getBoundingClientRect().right) + ' px)');
}"""


def assert_no_sideways_scroll(page) -> None:
    """The page body never scrolls sideways: nothing wider than the viewport outside a container
    that scrolls on its own."""
    width = page.evaluate("document.documentElement.clientWidth")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    # When nothing sticks out on its own, the culprit is inside a scroll container: an absolutely
    # positioned descendant escapes it unless the container is positioned. Name those then.
    culprits = page.evaluate(OVERFLOWING, False) or page.evaluate(OVERFLOWING, True)
    assert scroll_width <= width, f"La page défile de côté ({scroll_width} px pour {width}) : {culprits}"
