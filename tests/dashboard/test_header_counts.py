"""« Mon espace (n) » in the header: the sum of what the page shows, one query per page."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from segur_funding.dashboard.my_space import COUNT_CAP, my_space, waiting_count
from segur_funding.organizations.selectors import user_organization_ids_prime


def _header_count(html: str) -> int | None:
    match = re.search(
        r'class="fr-nav__link" href="/mon-espace/"[^>]*>'
        r'Mon espace(?: \((\d+)<span class="fr-sr-only"> à traiter</span>\))?</a>',
        html,
    )
    assert match, "lien « Mon espace » absent de l'en-tête"
    return int(match.group(1)) if match.group(1) else None


def test_the_header_count_is_the_sum_of_the_page_tasks_for_every_role(client, demo):
    for who in ("editeur", "labo", "asp", "ans"):
        user = demo.users[who]
        expected = sum(side.waiting for side in my_space(user=type(user).objects.get(pk=user.pk)))
        client.force_login(user)
        shown = _header_count(client.get("/accessibilite/").content.decode())
        assert shown == (expected or None), who
        assert expected > 0, f"la démo donne quelque chose à traiter à {who}"


def test_the_count_costs_one_query_once_the_memberships_are_read(demo):
    user = type(demo.users["editeur"]).objects.get(pk=demo.users["editeur"].pk)
    user_organization_ids_prime(user=user)  # what the header's roles already did for the request
    with CaptureQueriesContext(connection) as queries:
        count = waiting_count(user=user)
    assert len(queries) == 1
    assert 0 < count <= 6 * COUNT_CAP


def test_a_page_reads_the_count_once_and_visitors_never(client, demo):
    client.force_login(demo.users["labo"])
    with CaptureQueriesContext(connection) as queries:
        client.get("/accessibilite/")
    counting = [q for q in queries.captured_queries if "SELECT (SELECT COUNT(*)" in q["sql"]]
    assert len(counting) == 1
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/accessibilite/").content.decode()
    assert not [q for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    assert 'class="fr-nav__link" href="/mon-espace/"' not in html


def test_my_space_counts_its_tasks_in_one_query_that_the_header_reuses(client, demo):
    for who in ("editeur", "labo", "asp", "ans"):
        user = type(demo.users[who]).objects.get(pk=demo.users[who].pk)
        expected = waiting_count(user=user)
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/mon-espace/").content.decode()
        counting = [q for q in queries.captured_queries if "SELECT (SELECT COUNT(*)" in q["sql"]]
        assert len(counting) == 1, who
        assert not [q for q in queries.captured_queries if q["sql"].endswith("LIMIT 101")], who
        assert _header_count(html) == (expected or None), who
