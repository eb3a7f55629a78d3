"""Cost against scale, on one generated data set: every list page, the export and the checks.

Measured in-process, in figures a shared machine's load disturbs least:

- pages: queries per page (Django test client, production settings), the SQL time of each query
  (EXPLAIN ANALYZE, planning + execution, median of 3, as bench/pages.py), the 8 kB pages its
  execution touched (shared buffers: the work, which the machine's load does not change) and the CPU time of a
  request: this process (Django) plus its PostgreSQL backend, read in /proc (mean of `--repeat`
  requests after a warm-up: /proc counts in ticks of 10 ms, so a median of single requests would
  read 0 or 10 ms for the backend). The plan of each page's slowest query is kept: the
  indexes it reads, and its EXPLAIN ANALYZE text for bench/NOTES.md;
- the CSV export of a tenth of the funding requests (`funding.resources.export_file`): seconds
  and CPU per row;
- the structured check (`quotes.rules.check_quote`) of the issued quotes: CPU per quote.

Run by `bench/run.py --scales 0.01,0.1` (one process per scale database); alone:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/segur_bench_s001 .venv/bin/python bench/scales.py

Prints one JSON document on stdout.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_env, load_average  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
EXPORT_SHARE = 0.1
CHECK_MAX_QUOTES = 20_000


def log(message: str) -> None:
    print(f"[scales] {message}", file=sys.stderr, flush=True)


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class CpuClock:
    """CPU seconds of this process and of its PostgreSQL backend (same machine: /proc)."""

    def __init__(self) -> None:
        self.backend = backend_pid()

    def read(self) -> tuple[float, float]:
        return time.process_time(), process_cpu_seconds(self.backend)


def plan_indexes(plan: dict) -> list[str]:
    """Every index a plan reads, in plan order (bitmap, index and index-only scans)."""
    found = []

    def walk(node: dict) -> None:
        if "Index Name" in node:
            found.append(node["Index Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return found


def plan_of(sql: str) -> tuple[list[str], str]:
    """(indexes read, EXPLAIN ANALYZE text) of one query."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        raw = cursor.fetchone()[0]
        plan = (raw if isinstance(raw, list) else json.loads(raw))[0]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql)
        text = "\n".join(row[0] for row in cursor.fetchall())
    return plan_indexes(plan), text


def page_cost(page: dict, creds: dict[str, str], repeat: int) -> dict:
    from django.test import Client

    from bench import pages

    queries, rows, sqls = pages.count_queries(page, page["url"], creds)
    client = Client(headers=pages.headers_for(page, creds))
    clock = CpuClock()
    app0, db0 = clock.read()
    for _ in range(repeat):
        response = client.get(page["url"])
        if response.status_code != 200:
            raise RuntimeError(f"{page['url']}: HTTP {response.status_code}")
        if response.streaming:
            b"".join(response.streaming_content)
    app1, db1 = clock.read()
    timings = pages.explain(sqls)
    slowest = max(timings, key=lambda t: t["ms"]) if timings else None
    indexes, text = plan_of(slowest["sql"]) if slowest else ([], "")
    return {
        "name": page["name"],
        "kind": page["kind"],
        "url": page["url"],
        "rows": rows,
        "queries": queries,
        "sql_ms": sum(t["ms"] for t in timings),
        "buffers": sum(t["buffers"] for t in timings),
        "rows_read": sum(t["rows"] for t in timings),
        "sql_main_ms": slowest["ms"] if slowest else None,
        "main_sql": slowest["sql"] if slowest else "",
        "main_indexes": indexes,
        "main_plan": text,
        "cpu_app_ms": (app1 - app0) * 1000 / repeat,
        "cpu_db_ms": (db1 - db0) * 1000 / repeat,
    }


def key_plans() -> dict[str, dict]:
    """The plans of the queries issue 17 is about, as the largest editor reads them: the
    « À demander » page of /financement/ and its « Mon espace » count."""
    from django.db import connection
    from django.db.models import Count

    from segur_funding.dashboard.my_space import COUNT_CAP
    from segur_funding.funding.selectors import quotes_awaiting_request
    from segur_funding.organizations.models import Membership
    from segur_funding.quotes.models import Quote

    top = Quote.objects.values("editor_id").order_by().annotate(n=Count("id")).order_by("-n")[0]
    user = Membership.objects.select_related("user").filter(organization_id=top["editor_id"])[0].user
    waiting = quotes_awaiting_request(user=user)
    out = {}
    for name, queryset in (
        ("« À demander » page (/financement/)", waiting[:51]),
        ("« Mon espace » count", waiting.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1]),
    ):
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            sql = cursor.mogrify(sql, params)
            if isinstance(sql, bytes):
                sql = sql.decode()
        indexes, text = plan_of(sql)
        out[name] = {"sql": sql, "indexes": indexes, "plan": text, "ms": pages_explain_ms(sql)}
    return out


def pages_explain_ms(sql: str) -> float:
    from bench import pages

    return pages.explain([sql])[0]["ms"]


def export_cost(min_cpu_seconds: float = 2.0) -> dict:
    """CPU per row of the CSV export of a tenth of the requests, this process and its PostgreSQL
    backend. The backend's CPU is read in 10 ms ticks: a 1,600-row export (1 %) costs four of
    them, so the export is run again until it has cost `min_cpu_seconds`, after an untimed
    export of 1,000 rows that loads the code and warms the caches."""
    from segur_funding.funding.models import FundingRequest
    from segur_funding.funding.resources import export_file

    total = FundingRequest.objects.count()
    rows = max(1, round(total * EXPORT_SHARE))
    ids = list(FundingRequest.objects.order_by("-submitted_at", "-id").values_list("pk", flat=True)[:rows])

    def export(request_ids: list[int]) -> tuple[int, int]:
        with export_file(request_ids=request_ids, file_format="csv") as (handle, written):
            return written, handle.seek(0, os.SEEK_END)

    export(ids[:1_000])
    clock = CpuClock()
    app0, db0 = clock.read()
    start = time.perf_counter()
    runs = cpu = 0
    while not runs or cpu < min_cpu_seconds:
        written, size = export(ids)
        runs += 1
        app1, db1 = clock.read()
        cpu = (app1 - app0) + (db1 - db0)
    seconds = (time.perf_counter() - start) / runs
    return {
        "rows": written,
        "bytes": size,
        "runs": runs,
        "seconds": seconds,
        "cpu_seconds": cpu / runs,
        "us_per_row": cpu / runs / written * 1e6 if written else None,
    }


def check_cost() -> dict:
    from bench.workloads import TODAY
    from segur_funding.quotes.documents import parse_quote_document
    from segur_funding.quotes.models import Quote, QuoteStatus
    from segur_funding.quotes.rules import check_quote
    from segur_funding.referential.selectors import active_scheme_refs

    schemes = active_scheme_refs()
    documents = list(
        Quote.objects.filter(status=QuoteStatus.ISSUED)
        .order_by("pk")
        .values_list("document", flat=True)[:CHECK_MAX_QUOTES]
    )
    start = time.process_time()
    for document in documents:
        doc = parse_quote_document(document)
        check_quote(doc, scheme=schemes[doc.dsr], today=TODAY)
    cpu = time.process_time() - start
    return {"quotes": len(documents), "cpu_seconds": cpu, "us_per_quote": cpu / len(documents) * 1e6}


def counts() -> dict[str, int]:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for label, table in (
            ("quotes", "quotes_quote"),
            ("funding requests", "funding_fundingrequest"),
            ("payments", "funding_payment"),
            ("referencing dossiers", "referencing_dossier"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            out[label] = cursor.fetchone()[0]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="requests per page for the mean CPU time")
    parser.add_argument("--only", default="pages,export,check")
    options = parser.parse_args()
    only = set(options.only.split(","))

    os.environ.update(bench_env(allowed_hosts="127.0.0.1,testserver"))
    import django

    django.setup()
    from bench import pages

    result: dict = {"counts": counts(), "load": [load_average()]}
    if "pages" in only:
        page_list = pages.page_list()
        creds = {user: pages.credentials(user) for user in {p["user"] for p in page_list}}
        result["pages"] = []
        for page in page_list:
            log(page["name"])
            result["pages"].append(page_cost(page, creds[page["user"]], options.repeat))
    if "pages" in only:
        result["key_plans"] = key_plans()
    if "export" in only:
        log("export")
        result["export"] = export_cost()
    if "check" in only:
        log("checks")
        result["check"] = check_cost()
    result["load"].append(load_average())
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
