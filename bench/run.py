"""Every benchmark figure of issue 7, each next to its limit measured in the same run, written to
bench/RESULTS.md with the machine it ran on.

    .venv/bin/python bench/run.py                    # uses the bench database as it is
    .venv/bin/python bench/run.py --generate 1       # (re)generates it at national scale first
    .venv/bin/python bench/run.py --only pages,pdf   # some figures (see --help)

Cost against scale (issue 17): one data set per scale, kept between runs, each page, the export
and the checks measured on each (bench/scales.py), a table and a chart (bench/scales.svg) in
RESULTS.md:

    .venv/bin/python bench/run.py --scales 0.01,0.1,1

Scale s lives in database <DATABASE_URL's name>_s<s without its dot> (0.01 → segur_bench_s001) next
to DATABASE_URL's; it is generated when missing, when its comment names another scale, or when the
code has migrations it lacks (`manage.py migrate --check`), and reused otherwise.

The bench database is DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/segur_bench; when
it does not exist or holds no quote, it is generated first at --scale (default 0.01, one minute;
`bench/generate.py --scale 1` for the national scale). Each figure runs in its own process with
production settings (bench/common.py). Figures are printed and written, never asserted.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_env, database_url, load_average, machine  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
RESULTS = ROOT / "bench" / "RESULTS.md"
SAVED = ROOT / "var" / "bench-results.json"  # the last run, to rewrite RESULTS.md with --report-only
FIGURES = ("pages", "structured", "pdf", "export", "weasyprint", "recheck")
PAGE_P95_MS = 150
# Issue 15, the reviewers' admin pages: Django CPU and SQL per page for one client, and 16 clients
# on the machine's cores within this factor of the queueing floor (16 × CPU per request ÷ cores).
ADMIN_CPU_MS = 40
ADMIN_SQL_MS = 20
ADMIN_FLOOR_RATIO = 1.3
PAGE_MAX_QUERIES = 10
STRUCTURED_PER_SECOND = 20_000
PDF_RATIO = 1.5
PDF_TWO_PAGE_P95_MS = 300
EXPORT_SECONDS = 20
EXPORT_MB = 200
WEASYPRINT_SECONDS = 0.5
# Cost against scale (the limits are in bench/scale_report.py).
SCALES_SAVED = ROOT / "var" / "bench-scales.json"
SCALES_SVG = ROOT / "bench" / "scales.svg"


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S} load {load_average():.2f}] {message}", flush=True)


def child(args: list[str], *, timeout: float = 3600) -> str:
    """Run a benchmark script with production settings; its stdout (stderr passes through)."""
    result = subprocess.run(
        [PY, *args],
        cwd=ROOT,
        env=bench_env(),
        stdout=subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode not in (0, 1):  # 1: the script's own "target missed"
        raise RuntimeError(f"{' '.join(args)} : code {result.returncode}\n{result.stdout[-2000:]}")
    return result.stdout


def child_json(args: list[str], **kwargs) -> dict:
    return json.loads(child(args, **kwargs).strip().splitlines()[-1])


# --- The database ---------------------------------------------------------------------------------


def database_state() -> dict | None:
    import psycopg

    try:
        conn = psycopg.connect(database_url(), connect_timeout=5)
    except psycopg.OperationalError:
        return None
    with conn:
        exists = conn.execute("SELECT to_regclass('quotes_quote') IS NOT NULL").fetchone()[0]
        if not exists:
            return None
        counts = {}
        for label, table in (
            ("editors", "organizations_organization WHERE kind = 'editor'"),
            ("clients (labs, establishments)", "organizations_organization WHERE kind = 'client'"),
            ("referencing dossiers", "referencing_dossier"),
            ("proofs", "referencing_proof"),
            ("quotes", "quotes_quote"),
            ("quote lines", "quotes_quoteline"),
            ("quote history", "quotes_quoteevent"),
            ("funding requests", "funding_fundingrequest"),
            ("request history", "funding_requestevent"),
            ("payments", "funding_payment"),
        ):
            counts[label] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        if not counts["quotes"]:
            return None
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]
            for name in ("server_version", "shared_buffers", "work_mem", "effective_cache_size", "jit")
        }
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    return {"counts": counts, "postgres": settings, "size": size}


def generate(scale: float, url: str | None = None) -> float:
    log(f"generating the data set, scale {scale:g}…")
    start = time.monotonic()
    env = {**bench_env(), "DJANGO_SETTINGS_MODULE": "segur_funding.settings.dev"}
    if url:
        env["DATABASE_URL"] = url
    subprocess.run([PY, "bench/generate.py", "--scale", str(scale)], cwd=ROOT, check=True, env=env)
    return time.monotonic() - start


def collectstatic() -> None:
    # Production serves static files with whitenoise's manifest storage: the manifest must exist.
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=bench_env(), check=True
    )


# --- Figures ----------------------------------------------------------------------------------------


def figure_structured() -> dict:
    load_before = load_average()
    out = child(["bench/structured_checks.py"])
    values = {}
    for key, pattern in (
        ("bare", r"bare loop.*?:\s*([\d,]+)"),
        ("check", r"check_quote, typical.*?:\s*([\d,]+)"),
        ("fresh", r"labels never seen.*?:\s*([\d,]+)"),
        ("full", r"parse JSON-shaped.*?:\s*([\d,]+)"),
    ):
        match = re.search(pattern, out)
        values[key] = int(match.group(1).replace(",", "")) if match else None
    return {**values, "output": out, "load": [load_before, load_average()]}


def pdf_rows(out: str) -> list[dict]:
    """The per-file lines of bench/pdf_checks.py (its last column, the pages read as ruled
    tables, is optional: older runs did not print it)."""
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) in (9, 10) and parts[0].endswith(".pdf"):
            rows.append(
                {
                    "file": parts[0],
                    "pages": int(parts[1]),
                    "raw_med": float(parts[2]),
                    "raw_p95": float(parts[3]),
                    "check_med": float(parts[6]),
                    "check_p95": float(parts[7]),
                    "ratio": float(parts[8]),
                }
            )
    return rows


def figure_pdf() -> dict:
    load_before = load_average()
    out = child(["bench/pdf_checks.py", "--runs", "20"])
    summary = next((line for line in out.splitlines() if line.startswith("all files")), "")
    return {"summary": summary, "output": out, "load": [load_before, load_average()]}


def settle(limit: float = 1.5, longest: float = 240.0) -> None:
    """Wait until the machine's 1-minute load average is back under `limit` (at most `longest`
    seconds): the 16-client page runs leave it at 4, which would slow the next figure's first
    measurements (and only them)."""
    started = time.monotonic()
    while load_average() > limit and time.monotonic() - started < longest:
        time.sleep(5)
    log(f"settled for {time.monotonic() - started:.0f} s")


def run_figures(only: set[str], options) -> dict:
    results: dict = {}
    if "pages" in only:
        log("list pages under load (gunicorn, 16 clients)…")
        collectstatic()
        results["pages"] = child_json(
            ["bench/pages.py", "--workers", str(options.workers), "--seconds", str(options.seconds)],
            timeout=7200,
        )
    if "structured" in only:
        settle()
        log("structured checks…")
        results["structured"] = figure_structured()
    if "pdf" in only:
        settle()
        log("PDF checks…")
        results["pdf"] = figure_pdf()
    if "export" in only:
        results["export"] = {}
        for fmt in ("csv", "xlsx", "csv-stream", "sql"):
            log(f"export of {options.export_rows} funding requests ({fmt})…")
            results["export"][fmt] = child_json(
                ["bench/workloads.py", "export", "--format", fmt, "--rows", str(options.export_rows)]
            )
    if "weasyprint" in only:
        log("WeasyPrint rendering…")
        results["weasyprint"] = child_json(["bench/workloads.py", "pdf"])
    if "recheck" in only:
        log("re-check of the open quotes…")
        results["recheck"] = child_json(["bench/workloads.py", "recheck"])
    return results


# --- Cost against scale ----------------------------------------------------------------------------


def scale_url(scale: float) -> str:
    """DATABASE_URL's database name + _s001 for 0.01, _s01 for 0.1, _s1 for 1, on its server
    (segur_bench_s001… by default)."""
    tag = f"{scale:g}".replace(".", "")
    parts = urlsplit(database_url())
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_s{tag}"))


def scale_database_reason(url: str, scale: float) -> str | None:
    """Why the data set of `scale` must be (re)generated, or None when it can be reused."""
    import psycopg

    from bench.generate import label_read

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            if not conn.execute("SELECT to_regclass('quotes_quote') IS NOT NULL").fetchone()[0]:
                return "no data set"
    except psycopg.OperationalError:
        return "missing"
    facts = label_read(url)
    if not facts or facts.get("scale") != scale:
        return f"generated at another scale or not by bench/generate.py ({facts})"
    check = subprocess.run(
        [PY, "manage.py", "migrate", "--check"],
        cwd=ROOT,
        env={**bench_env(), "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "segur_funding.settings.dev"},
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        return "schema changed (migrations not applied to it)"
    return None


def run_scales(scales: list[float], options) -> dict:

    started, load_start = datetime.now(), load_average()
    if not (ROOT / "var" / "static" / "staticfiles.json").exists():
        collectstatic()
    runs = []
    for scale in scales:
        url = scale_url(scale)
        reason = scale_database_reason(url, scale)
        generated = None
        if reason:
            log(f"scale {scale:g}: {reason}, generating {url.rsplit('/', 1)[-1]}")
            generated = generate(scale, url)
        else:
            log(f"scale {scale:g}: reusing {url.rsplit('/', 1)[-1]}")
        previous = os.environ.get("DATABASE_URL")
        os.environ["DATABASE_URL"] = url
        try:
            log(f"scale {scale:g}: pages, export, checks…")
            run = child_json(["bench/scales.py", "--repeat", str(options.scales_repeat)], timeout=7200)
        finally:
            if previous is None:
                os.environ.pop("DATABASE_URL", None)
            else:
                os.environ["DATABASE_URL"] = previous
        runs.append({"scale": scale, "database": url.rsplit("/", 1)[-1], "generated": generated, **run})
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    saved = {
        "runs": runs,
        "started": started.isoformat(),
        "commit": (commit.stdout.strip() or "?")
        + (" with uncommitted changes" if dirty.stdout.strip() else ""),
        "command": " ".join(["bench/run.py", *sys.argv[1:]]),
        "load": [load_start, load_average()],
        "skipped": options.scales_skipped or "",
    }
    SCALES_SAVED.parent.mkdir(exist_ok=True)
    SCALES_SAVED.write_text(json.dumps(saved, default=str, indent=1))
    write_scales(saved)
    return saved


def write_scales(saved: dict) -> None:
    from bench import scale_report

    SCALES_SVG.write_text(scale_report.svg_chart(saved), encoding="utf-8")
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    lines = scale_report.section(saved, SCALES_SVG.name)
    RESULTS.write_text(scale_report.results_with_section(text, lines), encoding="utf-8")
    notes = ROOT / "bench" / "NOTES.md"
    notes_text = notes.read_text(encoding="utf-8") if notes.exists() else ""
    notes.write_text(
        scale_report.notes_with_plans(notes_text, scale_report.plans_section(saved)), encoding="utf-8"
    )
    log(
        f"written: {RESULTS.relative_to(ROOT)} (cost against scale), {SCALES_SVG.relative_to(ROOT)}, "
        "plans in bench/NOTES.md"
    )


# --- RESULTS.md -------------------------------------------------------------------------------------


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} ms".replace(",", "\u202f")


def num(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}".replace(",", "\u202f")


def load_text(pair: list[float]) -> str:
    return f"{pair[0]:.2f} → {pair[1]:.2f}"


def ok(flag: bool) -> str:
    return "**yes**" if flag else "**no**"


def summary_rows(results: dict) -> list[list[str]]:
    rows = []
    cores = os.cpu_count() or 1
    for page in results.get("pages", {}).get("pages", []):
        conc, single = page["concurrent"], page["single"]
        constant = all(
            page.get(key, {}).get("queries", page["queries"]) == page["queries"] for key in ("small", "large")
        )
        met = (
            conc is not None
            and conc["p95_ms"] is not None
            and conc["p95_ms"] <= PAGE_P95_MS
            and page["queries"] <= PAGE_MAX_QUERIES
            and constant
            and not conc["errors"]
        )
        small = page.get("small") or page.get("large")
        counts = f"{page['queries']} queries ({page['rows']} rows)"
        if small:
            counts += f", {small['queries']} ({small['rows']} row(s))"
        if conc is None:
            measured = f"16 clients not run: one client alone waits {ms(single['median_ms'])}; {counts}"
        else:
            measured = (
                f"p95 {ms(conc['p95_ms'])}, median {ms(conc['median_ms'])} "
                f"({num(conc['per_second'], 1)} req/s, {conc['errors']} errors); {counts}"
            )
        basis = conc or single
        cpu = basis["cpu_app_ms"] + basis["cpu_db_ms"] + basis["cpu_client_ms"]
        limit = (
            f"1 client: median {ms(single['median_ms'])}; page SQL {ms(page['sql_total_ms'])} "
            f"(slowest {ms(page['sql_main_ms'])}); CPU per request {num(basis['cpu_app_ms'])} ms Django + "
            f"{num(basis['cpu_db_ms'])} ms PostgreSQL + {num(basis['cpu_client_ms'])} ms client, so 16 "
            f"clients on {cores} cores wait ≥ {ms(16 * cpu / cores)} on average"
        )
        if page.get("per_core"):
            per_core = page["per_core"]
            limit += (
                f"; {per_core['clients']} clients (one per core): p95 {ms(per_core['p95_ms'])}, "
                f"median {ms(per_core['median_ms'])}"
            )
        target = f"p95 ≤ {PAGE_P95_MS} ms, ≤ {PAGE_MAX_QUERIES} queries, constant"
        if page["kind"] in ("admin", "decision") and conc is not None and conc["per_second"]:
            # Closed loop: the mean wait is the clients over the throughput (Little's law).
            floor = conc["clients"] * cpu / cores
            mean = conc["clients"] / conc["per_second"] * 1000  # ms
            measured += (
                f"; Django CPU {num(single['cpu_app_ms'])} ms (1 client); 16 clients' mean "
                f"{ms(mean)}, ×{mean / floor:.2f} the floor"
            )
            met = (
                single["cpu_app_ms"] <= ADMIN_CPU_MS
                and page["sql_total_ms"] <= ADMIN_SQL_MS
                and page["queries"] <= PAGE_MAX_QUERIES
                and constant
                and not conc["errors"]
                and mean <= ADMIN_FLOOR_RATIO * floor
            )
            target = (
                f"(issue 15) Django CPU ≤ {ADMIN_CPU_MS} ms, SQL ≤ {ADMIN_SQL_MS} ms, ≤ {PAGE_MAX_QUERIES} "
                f"queries, constant; 16 clients' mean ≤ {ADMIN_FLOOR_RATIO}× the floor"
            )
        rows.append([page["name"], measured, limit, target, ok(met), load_text(basis["load"])])
    if "structured" in results:
        s = results["structured"]
        rows.append(
            [
                "Structured quote checks (check_quote, one core, CPU time)",
                f"{num(s['check'])} quotes/s (labels never seen: {num(s['fresh'])}/s; "
                f"with JSON parsing and to_dict: {num(s['full'])}/s)",
                f"bare Decimal loop over the same lines: {num(s['bare'])}/s",
                f"≥ {num(STRUCTURED_PER_SECOND)}/s",
                ok((s["check"] or 0) >= STRUCTURED_PER_SECOND),
                load_text(s["load"]),
            ]
        )
    if "pdf" in results:
        p = results["pdf"]
        files = pdf_rows(p["output"])
        worst = max(files, key=lambda r: r["ratio"])
        over = [r for r in files if r["ratio"] > PDF_RATIO]
        two_pages = [r for r in files if r["pages"] == 2]
        two_p95 = max((r["check_p95"] for r in two_pages), default=0.0)
        checks = sorted(r["check_med"] for r in files)
        raws = sorted(r["raw_med"] for r in files)
        rows.append(
            [
                f"PDF quote check ({len(files)} corpus files, CPU time)",
                f"median over files {num(checks[len(checks) // 2], 1)} ms; 2-page quotes: worst p95 "
                f"{num(two_p95, 1)} ms; worst ratio ×{worst['ratio']:.2f} ({worst['file']}); "
                f"{len(over)} file(s) above ×{PDF_RATIO}"
                + (f": {', '.join(r['file'] for r in over)}" if over else ""),
                f"raw extraction by the same libraries: median {num(raws[len(raws) // 2], 1)} ms; "
                f"{p['summary']}",
                f"≤ ×{PDF_RATIO} raw extraction (every file), p95 ≤ {PDF_TWO_PAGE_P95_MS} ms for a "
                "2-page quote",
                ok(not over and two_p95 <= PDF_TWO_PAGE_P95_MS),
                load_text(p["load"]),
            ]
        )
    export = results.get("export", {})
    for fmt in ("csv", "xlsx"):
        if fmt not in export:
            continue
        e = export[fmt]
        sql, stream = export.get("sql"), export.get("csv-stream")
        limit = []
        if sql:
            limit.append(f"SQL alone (COPY of the same columns) {num(sql['seconds'], 1)} s")
        if stream:
            limit.append(
                f"streamed CSV, no file: {num(stream['seconds'], 1)} s, {num(stream['peak_rss_mb'])} MB"
            )
        rows.append(
            [
                f"{fmt.upper()} export of {num(e['rows'])} funding requests (export_job_run)",
                f"{num(e['seconds'], 1)} s, peak memory {num(e['peak_rss_mb'])} MB "
                f"(whole process; {num(e['base_rss_mb'])} MB before the export), "
                f"file {num(e['bytes'] / 1e6, 1)} MB",
                "; ".join(limit),
                f"≤ {EXPORT_SECONDS} s, ≤ {EXPORT_MB} MB",
                ok(e["seconds"] <= EXPORT_SECONDS and e["peak_rss_mb"] <= EXPORT_MB),
                load_text(e["load"]),
            ]
        )
    if "weasyprint" in results:
        w = results["weasyprint"]
        for key, label in (
            ("certificate", "referencing certificate"),
            ("quote", "quote (PDF with its JSON attached)"),
        ):
            t = w[key]
            rows.append(
                [
                    f"WeasyPrint: {label}",
                    f"median {num(t['median_s'] * 1000)} ms, p95 {num(t['p95_s'] * 1000)} ms "
                    f"({t['runs']} renders; first render {num(t['first_s'] * 1000)} ms)",
                    f"one-line page: median {num(w['floor']['median_s'] * 1000)} ms",
                    f"median ≤ {WEASYPRINT_SECONDS} s",
                    ok(t["median_s"] <= WEASYPRINT_SECONDS),
                    load_text(w["load"]),
                ]
            )
    if "recheck" in results:
        r = results["recheck"]
        rows.append(
            [
                "Re-check of every open quote after a barème change",
                f"{num(r['per_second'])} quotes/s ({num(r['quotes'])} issued, unsigned quotes in "
                f"{num(r['seconds'], 1)} s; {num(r['changed'])} verdicts changed)",
                f"reading the documents alone: {num(r['read_per_second'])} quotes/s; checks alone: "
                f"{num(r['check_per_cpu_second'])} quotes per CPU second",
                "— (figure asked, no target)",
                "—",
                load_text(r["load"]),
            ]
        )
    return rows


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_results(results: dict, state: dict, info: dict, workers: int, generated: float | None) -> None:
    m = machine()
    pg = state["postgres"]
    out = [
        "# Benchmarks",
        "",
        f"Run of {info['started'][:16].replace('T', ' ')} ({info['duration'] / 60:.0f} min), "
        f"commit {info['commit']}"
        f"{' with uncommitted changes' if info['dirty'] else ''}. Command: `{info['command']}`.",
        "Figures are printed here, never asserted in tests. Each figure sits next to the limit it is",
        "measured against, taken in the same run; the load average (1 min, at the start → end of",
        "the figure) says how busy the shared machine was.",
        "",
        "## Machine",
        "",
        markdown_table(
            ["", ""],
            [
                ["CPU", m["cpu"]],
                ["Cores", m["cores"]],
                ["RAM", m["ram"]],
                ["OS / Python", f"{m['os']} / Python {m['python']}"],
                [
                    "PostgreSQL",
                    f"{pg['server_version']} (shared_buffers {pg['shared_buffers']}, work_mem "
                    f"{pg['work_mem']}, effective_cache_size {pg['effective_cache_size']}, jit "
                    f"{pg['jit']} on the server, off in the app's sessions: `SEGUR_PG_OPTIONS`) "
                    "on the same machine, loopback",
                ],
                ["Load average at start / end", f"{info['load_start']:.2f} / {info['load_end']:.2f}"],
                ["Web server", f"gunicorn, {workers} sync workers, production settings, loopback"],
            ],
        ),
        "",
        "## Data set",
        "",
        f"Database `{database_url().rsplit('/', 1)[-1]}` ({state['size']})"
        + (f", generated in {generated / 60:.1f} min by `bench/generate.py`" if generated else "")
        + ".",
        "",
        markdown_table(["table", "rows"], [[k, num(v)] for k, v in state["counts"].items()]),
        "",
        "## Summary",
        "",
        markdown_table(
            ["Figure", "Measured", "Limit (same run)", "Target", "Met", "Load avg"],
            summary_rows(results),
        ),
        "",
    ]
    pages = results.get("pages", {}).get("pages", [])
    if pages:
        out += [
            "## List pages",
            "",
            "Queries are counted in-process (Django test client, CaptureQueriesContext, production",
            "settings) on the full page and on a one-row page (a search for admin pages,",
            "`page_size=1` and `page_size=200` for the API). The SQL time is EXPLAIN ANALYZE",
            "(planning + execution, median of 3) of each of the page's queries. Latency is over HTTP",
            "on loopback: one client for the service time, then 16 clients in a closed loop without",
            "think time.",
            "",
            markdown_table(
                [
                    "page",
                    "rows",
                    "queries (full / small / large)",
                    "SQL total",
                    "slowest query",
                    "1 client median / p95",
                    "one client per core median / p95",
                    "16 clients median / p95",
                    "req/s",
                    "load",
                ],
                [
                    [
                        f"{p['name']}<br>`{p['url']}`",
                        str(p["rows"]),
                        " / ".join(
                            [
                                str(p["queries"]),
                                *(str(p[k]["queries"]) if k in p else "—" for k in ("small", "large")),
                            ]
                        ),
                        ms(p["sql_total_ms"]),
                        f"{ms(p['sql_main_ms'])}: `{p['sql'][0]['sql'][:90]}…`" if p["sql"] else "—",
                        f"{ms(p['single']['median_ms'])} / {ms(p['single']['p95_ms'])}",
                        f"{ms(p['per_core']['median_ms'])} / {ms(p['per_core']['p95_ms'])}"
                        if p.get("per_core")
                        else "not run",
                        f"{ms(p['concurrent']['median_ms'])} / {ms(p['concurrent']['p95_ms'])}"
                        if p["concurrent"]
                        else "not run",
                        num(p["concurrent"]["per_second"], 1) if p["concurrent"] else "—",
                        load_text((p["concurrent"] or p["single"])["load"]),
                    ]
                    for p in pages
                ],
            ),
            "",
        ]
    if "export" in results:
        out += [
            "## Exports",
            "",
            markdown_table(
                ["path", "rows", "seconds", "peak RSS", "RSS before", "bytes", "load"],
                [
                    [
                        k,
                        num(e["rows"]),
                        num(e["seconds"], 1),
                        f"{num(e['peak_rss_mb'])} MB",
                        f"{num(e['base_rss_mb'])} MB",
                        num(e["bytes"]),
                        load_text(e["load"]),
                    ]
                    for k, e in results["export"].items()
                ],
            ),
            "",
            "`csv`, `xlsx`: `funding.services.export_job_run` (what the task runs for a selection above",
            "2,000 rows, file written to private storage); `csv-stream`:",
            "`resources.csv_stream(export_rows(...))`",
            "consumed chunk by chunk (the admin's synchronous path, no file); `sql`: PostgreSQL COPY of",
            "the same joined columns, the floor of any export. Both formats are written from",
            "`values_list()` in chunks of 5,000 ids to a temporary file (`funding/resources.py`).",
            "",
        ]
    if "pdf" in results:
        out += [
            "## PDF quote checks (bench/pdf_checks.py)",
            "",
            "```",
            results["pdf"]["output"].rstrip(),
            "```",
            "",
        ]
    if "structured" in results:
        out += [
            "## Structured checks (bench/structured_checks.py)",
            "",
            "```",
            results["structured"]["output"].rstrip(),
            "```",
            "",
        ]
    if info.get("notes"):
        out += ["## Notes", "", *info["notes"], ""]
    text = "\n".join(out)
    from bench import scale_report

    # The cost-against-scale section of the last --scales run stays: drawn again from its saved
    # figures, or, on a machine without them (var/ is not kept), as RESULTS.md has it.
    if SCALES_SAVED.exists():
        saved = json.loads(SCALES_SAVED.read_text())
        kept = scale_report.section(saved, SCALES_SVG.name)
    else:
        kept = scale_report.section_in(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else None
    if kept:
        text = scale_report.results_with_section(text, kept)
    RESULTS.write_text(text, encoding="utf-8")
    log(f"written: {RESULTS.relative_to(ROOT)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--generate", type=float, metavar="SCALE", help="(re)generate the bench database at this scale first"
    )
    parser.add_argument("--scale", type=float, default=0.01, help="scale when the database is missing")
    parser.add_argument(
        "--only", default=",".join(FIGURES), help=f"comma-separated, among {', '.join(FIGURES)}"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--seconds", type=float, default=20, help="16-client run per page")
    parser.add_argument("--export-rows", type=int, default=200_000)
    parser.add_argument("--notes", type=Path, help="a Markdown file appended as the Notes section")
    parser.add_argument(
        "--merge", action="store_true", help="keep the other figures of the last run (with --only)"
    )
    parser.add_argument(
        "--report-only", action="store_true", help=f"rewrite RESULTS.md from {SAVED.relative_to(ROOT)}"
    )
    parser.add_argument(
        "--scales",
        help="comma-separated scales (e.g. 0.01,0.1,1): cost against scale, one data set per scale",
    )
    parser.add_argument("--scales-repeat", type=int, default=10, help="requests per page (CPU mean)")
    parser.add_argument(
        "--scales-skipped", default="", help="what RESULTS.md says of the scales not measured, and why"
    )
    parser.add_argument(
        "--scales-report-only", action="store_true", help=f"rewrite the section from {SCALES_SAVED.name}"
    )
    options = parser.parse_args()
    if options.scales_report_only:
        write_scales(json.loads(SCALES_SAVED.read_text()))
        return 0
    if options.scales:
        try:
            scales = sorted({float(s) for s in options.scales.split(",") if s.strip()})
        except ValueError:
            parser.error("--scales: comma-separated numbers, e.g. 0.01,0.1,1")
        if not scales or any(s <= 0 for s in scales):
            parser.error("--scales: positive numbers")
        saved = run_scales(scales, options)
        for run in saved["runs"]:
            for page in run.get("pages", []):
                print(
                    f"{run['scale']:g}\t{page['name']}\tSQL {page['sql_ms']:.1f} ms\t"
                    f"CPU {page['cpu_app_ms'] + page['cpu_db_ms']:.0f} ms\t{page['queries']} queries"
                )
        return 0
    from bench.scale_report import without_plans

    notes = without_plans(options.notes.read_text(encoding="utf-8")).splitlines() if options.notes else []
    if options.report_only:
        run = json.loads(SAVED.read_text())
        run["info"]["notes"] = notes or run["info"]["notes"]
        write_results(run["results"], run["state"], run["info"], run["workers"], run["generated"])
        return 0
    only = {f.strip() for f in options.only.split(",") if f.strip()}
    unknown = only - set(FIGURES)
    if unknown:
        parser.error(f"unknown figures: {', '.join(sorted(unknown))}")

    started, load_start = datetime.now(), load_average()
    generated = None
    if options.generate is not None:
        generated = generate(options.generate)
    state = database_state()
    if state is None:
        generated = generate(options.scale)
        state = database_state()
    counts = state["counts"]
    log(f"data: {counts['quotes']:,} quotes, {counts['funding requests']:,} funding requests")
    results = run_figures(only, options)
    if options.merge and SAVED.exists():
        previous = json.loads(SAVED.read_text())
        results = {**previous["results"], **results}
        earlier = previous["info"]["duration"]
        earlier_command = previous["info"]["command"] + ", then "
        run_started, started = started, datetime.fromisoformat(previous["info"]["started"])
        load_start = previous["info"]["load_start"]
    else:
        earlier, run_started, earlier_command = 0.0, started, ""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    info = {
        "started": started.isoformat(),
        "duration": earlier + (datetime.now() - run_started).total_seconds(),
        "commit": commit.stdout.strip() or "?",
        "dirty": bool(dirty.stdout.strip()),
        "command": earlier_command + " ".join(["bench/run.py", *sys.argv[1:]]),
        "load_start": load_start,
        "load_end": load_average(),
        "notes": notes,
    }
    SAVED.parent.mkdir(exist_ok=True)
    run = {
        "results": results,
        "state": state,
        "info": info,
        "workers": options.workers,
        "generated": generated,
    }
    SAVED.write_text(json.dumps(run, default=str, indent=1))
    write_results(results, state, info, options.workers, generated)
    for row in summary_rows(results):
        print(" | ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
