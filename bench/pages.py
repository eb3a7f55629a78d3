"""List pages under load: admin changelists, API lists and editors' web lists, served by gunicorn.

For each page, in this order:

1. queries per page, counted in-process (Django test client + CaptureQueriesContext, production
   settings) on the full page and on a page of one or a few rows: the two counts must be equal
   (constant in the number of rows);
2. the raw SQL time of each of those queries (EXPLAIN ANALYZE, planning + execution, median of
   3), i.e. what the database alone needs for the page; the slowest one is the page's main query;
3. latency over HTTP against gunicorn on loopback: one client (the service time of a request),
   then 16 concurrent clients without think time (median, p95, requests per second).

Run by bench/run.py (it prints one JSON document on stdout); alone:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/segur_bench .venv/bin/python bench/pages.py
"""

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_env, load_average, percentile  # noqa: E402

PORT = 0  # a free port, chosen when gunicorn starts
SLOW_PAGE_SECONDS = 2.0  # above this for one client, the 16-client run is skipped


def log(message: str) -> None:
    print(f"[pages] {message}", file=sys.stderr, flush=True)


# --- The pages -----------------------------------------------------------------------------------


def page_list() -> list[dict]:
    """Who reads which page: the reviewers' admin queues, the API of each audience, and the
    editors' web lists, each as the user who has the most rows in it."""
    from django.db import connection
    from django.urls import NoReverseMatch, reverse

    from segur_funding.organizations.models import Membership

    with connection.cursor() as cursor:
        cursor.execute("SELECT editor_id FROM quotes_quote GROUP BY editor_id ORDER BY count(*) DESC LIMIT 1")
        top_editor = cursor.fetchone()[0]
        cursor.execute("SELECT client_id FROM quotes_quote GROUP BY client_id ORDER BY count(*) DESC LIMIT 1")
        top_lab = cursor.fetchone()[0]
        cursor.execute("SELECT number FROM quotes_quote WHERE editor_id = %s LIMIT 1", [top_editor])
        a_number = cursor.fetchone()[0]
        cursor.execute(
            "SELECT referencing_number FROM referencing_dossier WHERE referencing_number IS NOT NULL LIMIT 1"
        )
        a_referencing_number = cursor.fetchone()[0]
    editor_user = Membership.objects.filter(organization_id=top_editor).values_list("user_id", flat=True)[0]
    lab_user = Membership.objects.filter(organization_id=top_lab).values_list("user_id", flat=True)[0]

    def api(name: str) -> str | None:
        try:
            return reverse(f"api:{name}-list")
        except NoReverseMatch:
            return None

    pages = [
        {
            "name": "Admin — funding requests (ASP)",
            "kind": "admin",
            "user": 2,
            "url": "/admin/funding/fundingrequest/",
            "small": f"?q={a_number}",
        },
        {
            "name": "Admin — ASP queue « à instruire »",
            "kind": "admin",
            "user": 2,
            "url": "/admin/funding/fundingrequest/?file=decision",
            "small": f"&q={a_number}",
        },
        {
            "name": "Admin — quotes (ASP)",
            "kind": "admin",
            "user": 2,
            "url": "/admin/quotes/quote/",
            "small": f"?q={a_number}",
        },
        {
            "name": "Admin — referencing dossiers (ANS)",
            "kind": "admin",
            "user": 3,
            "url": "/admin/referencing/dossier/",
            "small": f"?q={a_referencing_number}",
        },
    ]
    pages += decision_pages()
    for name, route, user in (
        ("API — funding requests (ASP)", "asp-funding-request", 2),
        ("API — dossiers (ANS)", "ans-dossier", 3),
        ("API — editor's quotes", "editor-quote", editor_user),
        ("API — editor's funding requests", "editor-funding-request", editor_user),
        ("API — lab's quotes", "lab-quote", lab_user),
    ):
        url = api(route)
        if url is not None:
            pages.append(
                {
                    "name": name,
                    "kind": "api",
                    "user": user,
                    "url": url,
                    "small": "?page_size=1",
                    "large": "?page_size=200",
                }
            )
    pages += [
        {
            "name": "Web — editor's quotes",
            "kind": "web",
            "user": editor_user,
            "url": reverse("quotes:editor_list"),
            "small": None,
        },
        {
            "name": "Web — editor's funding requests",
            "kind": "web",
            "user": editor_user,
            "url": reverse("funding:editor_list"),
            "small": None,
        },
        {
            "name": "Web — editor's « Mon espace »",
            "kind": "web",
            "user": editor_user,
            "url": reverse("my_space"),
            "small": None,
        },
        {
            # Every deadline still visible of the largest editor (the calendar feed reads the same).
            "name": "Web — editor's « Mes échéances »",
            "kind": "web",
            "user": editor_user,
            "url": reverse("notifications:deadlines"),
            "small": None,
        },
    ]
    return pages


def decision_pages(asp: int = 2, ans: int = 3) -> list[dict]:
    """The reviewers' decision pages, as each opens the first item of their queue: the newest
    request awaiting ASP (and its quote), the newest paid one, the dossier at the head of the ANS
    queue (its clock running, soonest deadline first). One object each, whatever the scale: their
    cost must not grow with the tables."""
    from segur_funding.funding.constants import AWAITING_ASP, RequestStatus
    from segur_funding.funding.models import FundingRequest
    from segur_funding.referencing import rules
    from segur_funding.referencing.models import Dossier

    newest = FundingRequest.objects.order_by("-submitted_at", "-id").values_list("id", "quote_id")
    request_id, quote_id = newest.filter(status__in=AWAITING_ASP)[0]
    paid_id, _ = newest.filter(status=RequestStatus.PAID)[0]
    queue = Dossier.objects.order_by("clock_deadline", "-created_at", "-id").values_list("id", flat=True)
    clocked = (rules.ELIGIBILITY_CLOCK_STATUSES | rules.INSTRUCTION_CLOCK_STATUSES) - rules.PAUSED_STATUSES
    dossier_id = queue.filter(status__in=clocked).first() or queue.first()
    requests = "/admin/funding/fundingrequest/"
    return [
        {"name": name, "kind": "decision", "user": user, "url": url, "small": None}
        for name, user, url in (
            ("Admin — funding request page (ASP decision)", asp, f"{requests}{request_id}/change/"),
            ("Admin — paid request page (ASP)", asp, f"{requests}{paid_id}/change/"),
            ("Admin — quote page (ASP)", asp, f"/admin/quotes/quote/{quote_id}/change/"),
            ("Admin — dossier page (ANS decision)", ans, f"/admin/referencing/dossier/{dossier_id}/change/"),
        )
    ]


def credentials(user_id: int) -> dict[str, str]:
    """Headers that authenticate `user_id`: a session cookie (web, admin) and an API token.

    The cookie is sent by hand: production sets SESSION_COOKIE_SECURE, so a browser would not
    send it over plain http, but the server reads it whatever the scheme (as behind a TLS proxy).
    """
    from django.test import Client

    from segur_funding.organizations.models import User
    from segur_funding.organizations.services import api_token_create

    user = User.objects.get(pk=user_id)
    client = Client()
    client.force_login(user)
    if user.is_staff or user.is_superuser:
        _second_factor_passed(client, user)
    from django.conf import settings

    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    # Only a digest is stored: a bench run makes its own key (replacing the user's, if any).
    return {"cookie": f"{settings.SESSION_COOKIE_NAME}={session}", "token": api_token_create(user=user)}


def _second_factor_passed(client, user) -> None:
    """The admin asks staff for their TOTP second factor: the session is marked as verified with
    a confirmed device (one is made for the bench when the data set has none)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Banc d'essai", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def headers_for(page: dict, creds: dict[str, str]) -> dict[str, str]:
    if page["kind"] == "api":
        return {"Authorization": f"Token {creds['token']}", "Accept": "application/json"}
    return {"Cookie": creds["cookie"]}


def rows_in(page: dict, body: bytes) -> int:
    if page["kind"] == "api":
        return len(json.loads(body).get("results", []))
    text = body.decode("utf-8", "replace")
    if page["kind"] == "decision":
        return 1
    if page["kind"] == "admin":
        table = text.split('id="result_list"', 1)[-1].split("</table>", 1)[0]
        return max(table.count("<tr") - 1, 0)
    body_rows = re.findall(r"<tbody.*?</tbody>", text, flags=re.S)
    return sum(chunk.count("<tr") for chunk in body_rows)


# --- In-process: queries per page and their SQL time -------------------------------------------


def count_queries(page: dict, url: str, creds: dict[str, str]) -> tuple[int, int, list[str]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    headers = headers_for(page, creds)
    client = Client(headers=headers)
    # Counted on a second request: the first pays once-per-process work (the admin paginator's
    # probe of `segur_planned_rows`, caches) that no later request of the same process repeats.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code} {response.content[:300]!r}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return len(ctx.captured_queries), rows_in(page, body), [q["sql"] for q in ctx.captured_queries]


def explain(sql_list: list[str], repeat: int = 3) -> list[dict]:
    """Planning + execution time of every SELECT, as EXPLAIN ANALYZE reports it (ms, median),
    and the shared buffers its execution touched."""
    from django.db import connection

    out = []
    with connection.cursor() as cursor:
        for sql in sql_list:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            times = []
            for _ in range(repeat):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
                times.append(plan["Planning Time"] + plan["Execution Time"])
            # Pages of 8 kB the execution touched (cache hits and reads, children included): the
            # query's work, which another process's load does not change (bench/scales.py).
            top = plan["Plan"]
            buffers = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
            out.append(
                {"sql": sql, "ms": statistics.median(times), "buffers": buffers, "rows": rows_read(top)}
            )
    return out


# The nodes that read rows out of a table or an index; joins, sorts and aggregates only pass on
# what these produced. (A bitmap index scan feeds its heap scan, which is counted.)
ROW_SOURCES = {"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan"}


def rows_read(node: dict) -> int:
    """Rows the plan's scans read, kept or filtered out, over every loop: the work in rows.

    Unlike the buffers, this does not grow with an index's depth (one more level per ~300× rows,
    so one more 8 kB page per lookup from 1 % to 100 %): it grows only when a query reads more
    rows, which is what « flat in rows » asks."""
    total = 0
    if node.get("Node Type") in ROW_SOURCES:
        per_loop = (
            node.get("Actual Rows", 0)
            + node.get("Rows Removed by Filter", 0)
            + node.get("Rows Removed by Index Recheck", 0)
        )
        total += round(per_loop * node.get("Actual Loops", 1))
    for child in node.get("Plans", []):
        total += rows_read(child)
    return total


# --- Over HTTP: gunicorn and the clients --------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_start(workers: int, env: dict[str, str]) -> subprocess.Popen:
    global PORT
    PORT = free_port()
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "segur_funding.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=sys.stderr,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _body, _ = fetch("/admin/login/", {})
            if status == 200 and process.poll() is None:  # our server, not another on the port
                return process
        except OSError:
            pass
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting")
        time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn does not answer")


def gunicorn_stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def fetch(url: str, headers: dict[str, str]) -> tuple[int, bytes, float]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
    try:
        conn.request("GET", url, headers={"Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    return response.status, body, (time.perf_counter() - start) * 1000


TICK = os.sysconf("SC_CLK_TCK")


def cpu_by_pid(pids) -> dict[int, float]:
    """User + system CPU seconds of each of these processes still alive."""
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return out


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two samples by the processes alive at the end (new ones from zero)."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def children_of(parent: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


def database_backends() -> list[int]:
    """PostgreSQL backends connected to the bench database (gunicorn's). Parallel-query workers
    live only during their query, so their CPU is not counted: the database figure is a floor."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def load(
    url: str,
    headers: dict[str, str],
    *,
    clients: int,
    seconds: float,
    max_requests: int,
    server_pid: int | None = None,
) -> dict:
    """`clients` threads, each sending requests back to back for `seconds` (closed loop)."""
    latencies: list[float] = []
    errors: list[str] = []
    issued = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    started = time.perf_counter()

    def worker() -> None:
        while True:
            with lock:
                if issued[0] >= max_requests or (issued[0] >= clients and time.monotonic() >= stop_at):
                    return
                issued[0] += 1
            try:
                status, _body, ms = fetch(url, headers)
            except OSError as exc:
                with lock:
                    errors.append(str(exc))
                continue
            with lock:
                (latencies if status == 200 else errors).append(ms if status == 200 else f"HTTP {status}")

    load_before = load_average()
    app_pids = children_of(server_pid) if server_pid else []
    app_cpu, db_cpu = cpu_by_pid(app_pids), cpu_by_pid(database_backends())
    own_cpu = time.process_time()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    done = max(len(latencies) + len(errors), 1)
    app_cpu = cpu_spent(app_cpu, cpu_by_pid(children_of(server_pid) if server_pid else [])) * 1000 / done
    db_cpu = cpu_spent(db_cpu, cpu_by_pid(database_backends())) * 1000 / done
    own_cpu = (time.process_time() - own_cpu) * 1000 / done
    latencies.sort()
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": len(errors),
        "error_sample": errors[:3],
        "median_ms": statistics.median(latencies) if latencies else None,
        "p95_ms": percentile(latencies, 95) if latencies else None,
        "max_ms": latencies[-1] if latencies else None,
        "per_second": len(latencies) / elapsed if elapsed else None,
        # CPU per request: gunicorn workers, their PostgreSQL backends, this load generator.
        "cpu_app_ms": app_cpu,
        "cpu_db_ms": db_cpu,
        "cpu_client_ms": own_cpu,
        "load": [load_before, load_average()],
    }


def warm(url: str, headers: dict[str, str], hits: int) -> None:
    """Serve `url` `hits` times, unmeasured (stop early on a page that takes seconds)."""
    for _ in range(hits):
        if fetch(url, headers)[2] > SLOW_PAGE_SECONDS * 1000:
            return


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0, help="per page, for the 16 clients")
    parser.add_argument("--single", type=int, default=20, help="requests of the one-client run")
    options = parser.parse_args()

    env = bench_env(allowed_hosts="127.0.0.1,testserver")
    os.environ.update(env)
    import django

    django.setup()
    pages = page_list()
    creds = {user: credentials(user) for user in {p["user"] for p in pages}}

    results = []
    for page in pages:
        log(f"SQL queries: {page['name']}")
        full_url = page["url"]
        queries, rows, sqls = count_queries(page, full_url, creds[page["user"]])
        entry = {
            "name": page["name"],
            "kind": page["kind"],
            "url": full_url,
            "rows": rows,
            "queries": queries,
        }
        if page.get("small"):
            small_q, small_rows, _ = count_queries(page, full_url + page["small"], creds[page["user"]])
            entry["small"] = {"url": full_url + page["small"], "rows": small_rows, "queries": small_q}
        if page.get("large"):
            large_q, large_rows, _ = count_queries(page, full_url + page["large"], creds[page["user"]])
            entry["large"] = {"url": full_url + page["large"], "rows": large_rows, "queries": large_q}
        timings = explain(sqls)
        entry["sql"] = sorted(timings, key=lambda t: -t["ms"])[:4]
        entry["sql_total_ms"] = sum(t["ms"] for t in timings)
        entry["sql_main_ms"] = entry["sql"][0]["ms"] if timings else None
        results.append(entry)

    server_env = bench_env(allowed_hosts="127.0.0.1")
    server = gunicorn_start(options.workers, server_env)
    log(f"gunicorn -w {options.workers} on 127.0.0.1:{PORT}")
    try:
        # Fresh workers pay their first full garbage collections over everything they imported,
        # and compile templates, during their first few dozen requests, whatever the page: every
        # page is served a few times first, so the first page measured does not carry that.
        for page in pages:
            warm(page["url"], headers_for(page, creds[page["user"]]), options.workers * 3)
        for page, entry in zip(pages, results, strict=True):
            headers = headers_for(page, creds[page["user"]])
            # Each page again just before it is measured: which worker takes a connection is up
            # to the kernel, enough hits to reach them all.
            warm(page["url"], headers, options.workers * 5)
            pids = {"server_pid": server.pid}
            log(f"1 client: {page['name']}")
            single = load(page["url"], headers, clients=1, seconds=60, max_requests=options.single, **pids)
            entry["single"] = single
            if (single["median_ms"] or 0) > SLOW_PAGE_SECONDS * 1000:
                # One request already takes seconds: 16 at once would only queue behind each other
                # (and hit the timeouts) for minutes; the one-client figure says enough.
                log(f"{options.clients} clients: {page['name']} — skipped (slow page)")
                entry["concurrent"] = None
                continue
            cores = os.cpu_count() or 1
            log(f"{cores} clients (one per core): {page['name']}")
            # What the page costs when the machine is not oversubscribed: as many clients as cores.
            entry["per_core"] = load(
                page["url"], headers, clients=cores, seconds=options.seconds / 2, max_requests=100_000, **pids
            )
            log(f"{options.clients} clients: {page['name']}")
            entry["concurrent"] = load(
                page["url"],
                headers,
                clients=options.clients,
                seconds=options.seconds,
                max_requests=100_000,
                **pids,
            )
    finally:
        gunicorn_stop(server)
    print(json.dumps({"workers": options.workers, "pages": results}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
