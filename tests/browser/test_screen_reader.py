"""What a screen reader announces, on every page each role reaches from its home in one click
(the lab's and the editor's « Mon espace », the ANS and ASP reviewers' admin): one main region,
one title (h1) and no heading level skipped, each navigation region named when there are several,
every link and button named in words, and no two links of a page with the same name leading to
different places (a screen reader lists a page's links by name: « 0, lien » five times, or
« Devis » for two different pages, leaves its user guessing)."""

import pytest

from .conftest import login

pytestmark = pytest.mark.browser

# The facts a screen reader gives of the page, read from the DOM as the accessibility tree
# builds them: name = aria-label, else the text, else a title (its own or an icon's);
# description = the aria-describedby texts.
FACTS = """() => {
  const shown = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
    && getComputedStyle(el).visibility !== 'hidden';
  const text = (el) => (el.textContent || '').replace(/\\s+/g, ' ').trim();
  const name = (el) => (el.getAttribute('aria-label') || '').trim()
    || (el.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean)
         .map((id) => text(document.getElementById(id) || document.createElement('i'))).join(' ')
    || text(el) || (el.getAttribute('title') || '').trim()
    || [...el.querySelectorAll('[title]')].map((t) => t.title).join(' ')
    || [...el.querySelectorAll('img[alt]')].map((i) => i.alt).join(' ');
  const described = (el) => (el.getAttribute('aria-describedby') || '').split(' ').filter(Boolean)
    .map((id) => text(document.getElementById(id) || document.createElement('i'))).join(' ');
  const where = (el) => el.outerHTML.slice(0, 120);
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(shown)
    .map((h) => [Number(h.tagName[1]), text(h).slice(0, 60)]);
  const navs = [...document.querySelectorAll('nav, [role=navigation]')]
    .map((n) => (n.getAttribute('aria-label') || n.getAttribute('aria-labelledby')) ? name(n) : '');
  const controls = [...document.querySelectorAll('a[href], button, [role=button]')].filter(shown);
  const unnamed = controls.filter((el) => {
    const n = name(el);
    // A number alone is a name only in a navigation region (pagination: « 2, lien »).
    return !/\\p{L}/u.test(n) && !(/\\d/.test(n) && el.closest('nav'));
  }).map(where);
  const byName = {};
  for (const a of controls.filter((el) => el.matches('a[href]') && !el.closest('th'))) {
    const key = (name(a) + ' ' + described(a)).trim().toLowerCase();
    const address = new URL(a.getAttribute('href'), location.href).href.split('#')[0];
    (byName[key] = byName[key] || new Set()).add(address);
  }
  const ambiguous = Object.entries(byName).filter(([, hrefs]) => hrefs.size > 1)
    .map(([key, hrefs]) => `« ${key} » → ${[...hrefs].join(' | ')}`);
  return {
    mains: document.querySelectorAll('main, [role=main]').length,
    headings, navs, unnamed, ambiguous,
  };
}"""

HOMES = [
    pytest.param("labo@demo.test", "/mon-espace/", id="lab"),
    pytest.param("editeur@demo.test", "/mon-espace/", id="editor"),
    pytest.param("ans@demo.test", "/admin/", id="ans"),
    pytest.param("asp@demo.test", "/admin/", id="asp"),
]
# Links that leave the session or download a file rather than open a page.
NOT_PAGES = ("deconnexion", "logout", "export", "telecharg", ".pdf", ".csv", ".xlsx", ".ics")
MAX_PAGES = 40


def _problems(facts: dict) -> list[str]:
    problems = []
    if facts["mains"] != 1:
        problems.append(f"{facts['mains']} région(s) principale(s) <main> au lieu d'une")
    levels = [level for level, _ in facts["headings"]]
    titles = [title for level, title in facts["headings"] if level == 1]
    if len(titles) != 1:
        problems.append(f"{len(titles)} titre(s) de niveau 1 : {titles}")
    problems += [
        f"titre de niveau {after} après un niveau {before} (« {title} »)"
        for before, (after, title) in zip(levels, facts["headings"][1:], strict=False)
        if after > before + 1
    ]
    if len(facts["navs"]) > 1 and "" in facts["navs"]:
        problems.append(f"{len(facts['navs'])} régions de navigation, pas toutes nommées : {facts['navs']}")
    problems += [f"lien ou bouton sans nom en toutes lettres : {html}" for html in facts["unnamed"]]
    problems += [f"même nom, destinations différentes : {line}" for line in facts["ambiguous"]]
    return problems


@pytest.mark.parametrize(("email", "home"), HOMES)
def test_every_page_a_role_reaches_reads_well_with_a_screen_reader(page, demo, email, home):
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, email)
    page.goto(home)
    origin = page.evaluate("location.origin")
    links = page.evaluate("() => [...document.querySelectorAll('a[href]')].map((a) => a.href.split('#')[0])")
    pages = [page.url.split("#")[0]] + [
        link for link in dict.fromkeys(links)
        if link.startswith(origin) and not any(word in link.lower() for word in NOT_PAGES)
    ]
    assert len(pages) > 8, f"Trop peu de pages atteintes depuis {home} : {pages}"

    report = {}
    for url in pages[:MAX_PAGES]:
        response = page.goto(url)
        if not response or "text/html" not in response.headers.get("content-type", ""):
            continue
        problems = _problems(page.evaluate(FACTS))
        if problems:
            report[url.removeprefix(origin)] = problems
    assert report == {}, "\n".join(f"{url} :\n  " + "\n  ".join(p) for url, p in report.items())
