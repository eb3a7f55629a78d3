"""The reviewers' admin pages, one client, in process: Django CPU, SQL time and queries per page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/segur_bench .venv/bin/python bench/admin_profile.py
    ... bench/admin_profile.py --profile "funding requests"   # cProfile of one page, top 30

For each page: the median over `--rounds` requests of the process CPU time of the request (the
test client's own share is small: no HTTP, no WSGI server), of the time spent in the database
driver (every query's wall time, read by a connection execute wrapper), the queries and the rows
shown; then the same page with 5 rows a page, whose query count must be the same. Production
settings (bench/common.py), the data set of bench/generate.py. Read-only: nothing is written but
the test client's session.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_env, load_average  # noqa: E402
from bench.pages import _second_factor_passed  # noqa: E402


def pages() -> list[dict]:
    from bench.pages import decision_pages
    from segur_funding.organizations.constants import ANS_REVIEWERS_GROUP, ASP_REVIEWERS_GROUP
    from segur_funding.organizations.models import User

    def reviewer(group: str) -> int:
        users = User.objects.filter(groups__name=group, is_active=True).order_by("pk")
        return users.values_list("pk", flat=True)[0]

    asp, ans = reviewer(ASP_REVIEWERS_GROUP), reviewer(ANS_REVIEWERS_GROUP)
    requests = "/admin/funding/fundingrequest/"
    return [
        {"name": "funding requests", "user": asp, "url": requests},
        {"name": "ASP queue (file=decision)", "user": asp, "url": f"{requests}?file=decision"},
        {"name": "quotes", "user": asp, "url": "/admin/quotes/quote/"},
        {"name": "payments", "user": asp, "url": "/admin/funding/payment/"},
        {"name": "dossiers", "user": ans, "url": "/admin/referencing/dossier/"},
        {"name": "alerts", "user": asp, "url": "/admin/alerts/quotealert/"},
        *({**page, "name": page["name"].split("— ", 1)[1]} for page in decision_pages(asp, ans)),
    ]


class SqlTimer:
    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            self.seconds += elapsed
            self.queries.append((elapsed, sql, params))


def measure(client, url: str) -> dict:
    from django.db import connection

    timer = SqlTimer()
    cpu, wall = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(timer):
        response = client.get(url)
        body = response.content
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    text = body.decode()
    table = text.split('id="result_list"', 1)[-1].split("</table>", 1)[0] if "result_list" in text else ""
    return {
        "cpu_ms": cpu * 1000,
        "wall_ms": wall * 1000,
        "sql_ms": timer.seconds * 1000,
        "queries": len(timer.queries),
        "rows": max(table.count("<tr") - 1, 0),
        "slowest": sorted(timer.queries, key=lambda q: q[0], reverse=True)[:3],
        "all": timer.queries,
    }


def server_sql_ms(queries: list, repeat: int = 3) -> tuple[float, list[tuple[float, str]]]:
    """PostgreSQL's own time for the page's SELECTs (EXPLAIN ANALYZE: planning + execution,
    median of `repeat`): what the database needs, without the driver or the wait for a core."""
    import json as json_

    from django.db import connection

    per_query = []
    with connection.cursor() as cursor:
        for _elapsed, sql, params in queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            times = []
            for _ in range(repeat):
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                plan = cursor.fetchone()[0]
                plan = plan[0] if isinstance(plan, list) else json_.loads(plan)[0]
                times.append(plan["Planning Time"] + plan["Execution Time"])
            per_query.append((statistics.median(times), sql))
    return sum(t for t, _ in per_query), sorted(per_query, key=lambda q: q[0], reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--profile", help="cProfile the page whose name contains this")
    parser.add_argument("--only", help="measure only the pages whose name contains this")
    parser.add_argument("--sql", action="store_true", help="print the three slowest queries")
    parser.add_argument("--plan", action="store_true", help="print the slowest query's plan")
    args = parser.parse_args()

    os.environ.update(bench_env(allowed_hosts="testserver"))
    os.environ.setdefault("SEGUR_SIGNING_KEYS", "bench:bench-only-signing-key")  # nothing is sealed here
    import django

    django.setup()
    from django.contrib import admin
    from django.test import Client

    from segur_funding.organizations.models import User

    print(f"load average {load_average()}", flush=True)
    for page in pages():
        if args.only and args.only not in page["name"]:
            continue
        if args.profile and args.profile not in page["name"]:
            continue
        client = Client()
        user = User.objects.get(pk=page["user"])
        client.force_login(user)
        _second_factor_passed(client, user)  # the admin asks reviewers for their TOTP code
        measure(client, page["url"])  # warm: templates, caches, the plan cache
        if args.profile:
            profiler = cProfile.Profile(time.process_time)  # CPU only: no wait for the database or a core
            profiler.enable()
            for _ in range(args.rounds):
                measure(client, page["url"])
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
            return
        runs = [measure(client, page["url"]) for _ in range(args.rounds)]
        few = None
        if "/change/" not in page["url"]:
            model_admin = next(
                ma for model, ma in admin.site._registry.items()
                if page["url"].startswith(f"/admin/{model._meta.app_label}/{model._meta.model_name}/")
            )
            saved = model_admin.list_per_page
            model_admin.list_per_page = 5
            try:
                few = measure(client, page["url"])
            finally:
                model_admin.list_per_page = saved
        med = {k: statistics.median(r[k] for r in runs) for k in ("cpu_ms", "wall_ms", "sql_ms")}
        server_ms, per_query = server_sql_ms(runs[-1]["all"])
        line = (
            f"{page['name']:<28} cpu {med['cpu_ms']:6.1f} ms  sql {server_ms:6.1f} ms "
            f"(driver {med['sql_ms']:6.1f} ms)  "
            f"wall {med['wall_ms']:6.1f} ms  queries {runs[-1]['queries']:>2}"
            + (f" (5 rows: {few['queries']})" if few else "")
            + f"  rows {runs[-1]['rows']}"
        )
        print(line, flush=True)
        if args.sql:
            for ms, sql in per_query[:3]:
                print(f"    {ms:6.1f} ms  {sql[:300]}")
        if args.plan:
            from django.db import connection

            _t, sql, params = max(
                (q for q in runs[-1]["all"] if q[1].lstrip().upper().startswith("SELECT")),
                key=lambda q: next(ms for ms, s_ in per_query if s_ == q[1]),
            )
            with connection.cursor() as cursor:
                print(sql, params)
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print("\n".join(row[0] for row in cursor.fetchall()))
    print(f"load average {load_average()}", flush=True)


if __name__ == "__main__":
    main()
