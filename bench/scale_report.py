"""The cost-against-scale section of bench/RESULTS.md and its chart (bench/scales.svg), from the
runs of bench/scales.py at each scale (see `bench/run.py --scales`). Hand-written SVG: no plotting
library for two line charts."""

import math
from html import escape

SQL_MS = 20
GROWTH = 0.25
NOISE_MS = 1.0
BUFFERS_NOISE = 50  # 400 kB: a page of 50 rows and its joins
ROWS_NOISE = 50  # a page of 50 rows
SCALES_START_MARK, SCALES_END_MARK = "<!-- scales:start -->", "<!-- scales:end -->"
PALETTE = (
    "#000091",  # DSFR blue
    "#e1000f",
    "#18753c",
    "#b34000",
    "#6a6af4",
    "#a94645",
    "#009081",
    "#7d4e5b",
    "#c08c65",
    "#465f9d",
    "#8585f6",
    "#66673d",
    "#ce614a",
    "#3a3a3a",
)


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}".replace(",", "\u202f")


def percent(scale: float) -> str:
    return f"{scale * 100:g} %"


def growth(first: float | None, last: float | None) -> float | None:
    if first is None or last is None or first <= 0:
        return None
    return last / first


def page_flat(first: dict, last: dict, runs: list[dict], name: str) -> tuple[bool, str]:
    """(flat, why): the work of the page's queries within ±25 % from the smallest to the largest
    scale, the same number of queries. The work is the rows their scans read (or ROWS_NOISE
    rows); runs saved before that figure existed are judged on the buffers touched (or
    BUFFERS_NOISE pages).

    Not milliseconds: on a shared machine the time of a 2 ms query swings by ×5 with the load,
    its rows and buffers do not. Not buffers when rows are known: a 50-row page joined to three
    tables descends 200 B-trees, each one level deeper at 100 % than at 1 % (a level per ~300×
    rows): +200 pages that every index pays, however well the query is shaped. The rows read
    grow only when a query reads more rows. The time is judged apart (`sql_under_limit`)."""
    queries = {page_of(run, name)["queries"] for run in runs if page_of(run, name)}
    reasons = []
    if "rows_read" in first and "rows_read" in last:
        # Growth only: at 1 % the planner rightly reads whole small tables (a few hundred
        # organisations, an exact count under the cap), work that the larger scales avoid. A
        # page that reads fewer rows as the programme grows does not grow with it.
        # A list whose smallest data set does not fill a page (16 dossiers at 1 %) is judged per
        # row shown: its page at 100 % shows 50 rows, each with its joins.
        def work(page: dict) -> float:
            shown, full = first.get("rows") or 0, page.get("rows") or 0
            if 0 < shown < full:
                return page["rows_read"] * shown / full
            return page["rows_read"]

        worst = max(work(page_of(run, name)) for run in runs if page_of(run, name))
        change = worst - first["rows_read"]
        if change > ROWS_NOISE and change > GROWTH * first["rows_read"]:
            reasons.append(f"rows read +{change / max(first['rows_read'], 1) * 100:.0f} %")
    elif "buffers" in first and "buffers" in last:
        change = last["buffers"] - first["buffers"]
        if abs(change) > BUFFERS_NOISE and abs(change) > GROWTH * first["buffers"]:
            reasons.append(
                f"buffers {'+' if change > 0 else ''}{change / max(first['buffers'], 1) * 100:.0f} %"
            )
    else:
        change = last["sql_ms"] - first["sql_ms"]
        if abs(change) > NOISE_MS and abs(change) > GROWTH * first["sql_ms"]:
            reasons.append(f"SQL {'+' if change > 0 else ''}{change / first['sql_ms'] * 100:.0f} %")
    if len(queries) > 1:
        reasons.append("queries change")
    return (not reasons, ", ".join(reasons))


def sql_under_limit(runs: list[dict], name: str) -> bool:
    return max(page_of(run, name)["sql_ms"] for run in runs if page_of(run, name)) <= SQL_MS


def page_of(run: dict, name: str) -> dict | None:
    return next((p for p in run.get("pages", []) if p["name"] == name), None)


def page_names(runs: list[dict]) -> list[str]:
    names: list[str] = []
    for run in runs:
        for page in run.get("pages", []):
            if page["name"] not in names:
                names.append(page["name"])
    return names


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def section(saved: dict, svg_name: str) -> list[str]:
    runs = sorted(saved["runs"], key=lambda r: r["scale"])
    first, last = runs[0], runs[-1]
    measured = ", ".join(
        f"{percent(r['scale'])} ({fmt(r['counts']['quotes'], 0)} quotes, "
        f"{fmt(r['counts']['funding requests'], 0)} funding requests; load {r['load'][0]:.1f} → "
        f"{r['load'][-1]:.1f})"
        for r in runs
    )
    out = [
        SCALES_START_MARK,
        "## Cost against scale",
        "",
        f"Run of {saved['started'][:16].replace('T', ' ')}, commit {saved['commit']}, command "
        f"`{saved['command']}`. Scales measured: {measured}. "
        + (f"Not measured: {saved['skipped']}. " if saved.get("skipped") else "")
        + "One data set per scale (`bench/generate.py`, kept between runs in `segur_bench_s<scale>`).",
        "",
        "Measured in-process by `bench/scales.py`, in the figures a shared machine disturbs least:",
        "**SQL** is the sum of EXPLAIN ANALYZE (planning + execution, median of 3) of every query of",
        "the page; **CPU** is the mean CPU time of one request, Django plus its PostgreSQL backend",
        "(read in `/proc`, 10 ms ticks, mean of 10 requests); **rows** the rows the scans of the",
        "page's queries read, kept or filtered out, over every loop (EXPLAIN ANALYZE: the work,",
        "which the load does not change); **buffers** the 8 kB pages they touched; **q** the number",
        "of queries. Pages are read as the user with the most rows (the largest editor, the largest",
        "lab). A page is **flat** when, at no larger scale, it reads more than",
        f"{GROWTH * 100:.0f} % more rows than at the smallest (or {ROWS_NOISE} rows) with the same",
        "number of queries (fewer rows at a larger scale are shown, not held against it: at 1 % the",
        "planner reads whole small tables, an exact count under the cap; a list that does not fill",
        "its page at 1 % is compared per row shown); its SQL time is judged",
        "apart against",
        f"{SQL_MS} ms. On this shared machine (2 cores, a load average of 10 to 16 from the other",
        "engineers' test runs) the time of a 2 ms query swings by ×5 from run to run: read the",
        "milliseconds next to the load, and the rows for the trend. The buffers are shown, not",
        "judged: every index lookup descends one more B-tree level at 100 % than at 1 % (a level",
        "per ~300× rows), so a 50-row page with three joins touches ~200 more pages however it is",
        "shaped; that logarithmic cost is the price of any index, the rows read are what a query",
        "shape controls.",
        "",
        f"![Cost of each list page against the number of quotes]({svg_name})",
        "",
    ]
    header = ["page"]
    header += [f"{percent(r['scale'])}: SQL / rows / buffers / CPU / q" for r in runs]
    header += [
        f"growth {percent(first['scale'])} → {percent(last['scale'])} (rows, buffers, SQL, CPU)",
        "limit",
        "flat (work)",
        f"SQL ≤ {SQL_MS} ms",
    ]
    rows = []
    for name in page_names(runs):
        cells = [name]
        for run in runs:
            page = page_of(run, name)
            cells.append(
                f"{fmt(page['sql_ms'])} ms / {fmt(page.get('rows_read'), 0)} / "
                f"{fmt(page.get('buffers'), 0)} / "
                f"{fmt(page['cpu_app_ms'] + page['cpu_db_ms'], 0)} ms / {page['queries']}"
                if page
                else "—"
            )
        a, b = page_of(first, name), page_of(last, name)
        if a and b:
            rows_g = growth(a.get("rows_read"), b.get("rows_read"))
            buf_g = growth(a.get("buffers"), b.get("buffers"))
            sql_g = growth(a["sql_ms"], b["sql_ms"])
            cpu_g = growth(a["cpu_app_ms"] + a["cpu_db_ms"], b["cpu_app_ms"] + b["cpu_db_ms"])
            flat, why = page_flat(a, b, runs, name)
            cells += [
                ", ".join(f"×{g:.2f}" if g else "—" for g in (rows_g, buf_g, sql_g, cpu_g)),
                f"rows ≤ +{GROWTH * 100:.0f} %, constant queries; SQL ≤ {SQL_MS} ms",
                "**yes**" if flat else f"**no** ({why})",
                _yes(sql_under_limit(runs, name)),
            ]
        else:
            cells += ["—", "", "", ""]
        rows.append(cells)
    if all("export" in r for r in runs):
        cells = ["CSV export of 10 % of the funding requests (CPU per row)"]
        cells += [
            f"{fmt(r['export']['rows'], 0)} rows: {fmt(r['export']['seconds'], 2)} s, "
            f"{fmt(r['export']['us_per_row'], 0)} µs/row"
            for r in runs
        ]
        g = growth(first["export"]["us_per_row"], last["export"]["us_per_row"])
        ok = g is not None and abs(g - 1) <= GROWTH
        cells += [f"×{g:.2f} per row" if g else "—", "linear: CPU per row within ±25 %", _yes(ok), ""]
        rows.append(cells)
    if all("check" in r for r in runs):
        cells = ["Structured check of the issued quotes (CPU per quote)"]
        cells += [
            f"{fmt(r['check']['quotes'], 0)} quotes: {fmt(r['check']['us_per_quote'], 0)} µs/quote"
            for r in runs
        ]
        g = growth(first["check"]["us_per_quote"], last["check"]["us_per_quote"])
        ok = g is not None and abs(g - 1) <= GROWTH
        cells += [f"×{g:.2f} per quote" if g else "—", "constant per quote: within ±25 %", _yes(ok), ""]
        rows.append(cells)
    out += [markdown_table(header, rows), ""]
    out += [
        "Each page's slowest query and the indexes its plan reads, at the largest scale measured:",
        "",
        markdown_table(
            ["page", "slowest query", "indexes read"],
            [
                [
                    p["name"],
                    f"{fmt(p['sql_main_ms'])} ms: `{p['main_sql'][:70]}…`",
                    ", ".join(dict.fromkeys(p["main_indexes"])) or "—",
                ]
                for p in last.get("pages", [])
            ],
        ),
        "",
        SCALES_END_MARK,
    ]
    return out


def _yes(flag: bool) -> str:
    return "**yes**" if flag else "**no**"


def section_in(text: str) -> list[str] | None:
    """The scale section a RESULTS.md already holds (markers included), if any."""
    if SCALES_START_MARK not in text or SCALES_END_MARK not in text:
        return None
    inside = text.split(SCALES_START_MARK, 1)[1].split(SCALES_END_MARK, 1)[0]
    return (SCALES_START_MARK + inside + SCALES_END_MARK).splitlines()


def results_with_section(text: str, lines: list[str]) -> str:
    """RESULTS.md with the scale section in place of the previous one (or after the summary)."""
    block = "\n".join(lines)
    if SCALES_START_MARK in text and SCALES_END_MARK in text:
        before, rest = text.split(SCALES_START_MARK, 1)
        after = rest.split(SCALES_END_MARK, 1)[1]
        return before + block + after
    anchor = "\n## List pages"
    if anchor in text:
        before, after = text.split(anchor, 1)
        return before.rstrip("\n") + "\n\n" + block + "\n" + anchor + after
    return text.rstrip("\n") + "\n\n" + block + "\n"


# --- The chart ---------------------------------------------------------------------------------


PANELS = (
    ("rows_read", "Work per page (rows read by its scans)"),
    ("sql_ms", "SQL per page (ms, EXPLAIN ANALYZE)"),
    ("cpu", "CPU per request (ms, Django + PostgreSQL)"),
)


def svg_chart(saved: dict) -> str:
    """Three panels (rows read, SQL ms, CPU ms per request) against the number of quotes, both axes
    in log scale, one line per page; the 20 ms SQL limit drawn."""
    runs = sorted(saved["runs"], key=lambda r: r["scale"])
    names = page_names(runs)
    panel_w, panel_h, left, top, gap = 340, 300, 60, 40, 70
    legend_w = 300
    width = left + len(PANELS) * (panel_w + gap) + legend_w
    height = top + panel_h + 60
    xs = [r["counts"]["quotes"] for r in runs]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Marianne, Arial, sans-serif" font-size="11">',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for index, (key, title) in enumerate(PANELS):
        x0 = left + index * (panel_w + gap)

        def value(page: dict, key: str = key) -> float:
            if key == "cpu":
                v = page["cpu_app_ms"] + page["cpu_db_ms"]
            else:
                v = page.get(key) or 0.0
            return max(v, 0.1)

        values = [value(p) for r in runs for p in r.get("pages", [])]
        y_lo = 10 ** math.floor(math.log10(min([*values, 1.0])))
        y_hi = 10 ** math.ceil(math.log10(max([*values, SQL_MS * 1.5])))
        x_lo = 10 ** math.floor(math.log10(min(xs)))
        x_hi = 10 ** math.ceil(math.log10(max(xs) * 1.01))

        def px(x: float, x0: float = x0, x_lo: float = x_lo, x_hi: float = x_hi) -> float:
            return x0 + (math.log10(x) - math.log10(x_lo)) / (math.log10(x_hi) - math.log10(x_lo)) * panel_w

        def py(y: float, y_lo: float = y_lo, y_hi: float = y_hi) -> float:
            return (
                top
                + panel_h
                - (math.log10(y) - math.log10(y_lo)) / (math.log10(y_hi) - math.log10(y_lo)) * panel_h
            )

        parts.append(
            f'<text x="{x0}" y="{top - 14}" font-weight="bold" font-size="13">{escape(title)}</text>'
        )
        parts.append(
            f'<rect x="{x0}" y="{top}" width="{panel_w}" height="{panel_h}" fill="none" stroke="#929292"/>'
        )
        decade = y_lo
        while decade <= y_hi * 1.0001:
            y = py(decade)
            parts.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + panel_w}" y2="{y:.1f}" stroke="#e5e5e5"/>')
            parts.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{decade:g}</text>')
            decade *= 10
        decade = x_lo
        while decade <= x_hi * 1.0001:
            x = px(decade)
            parts.append(
                f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + panel_h}" stroke="#e5e5e5"/>'
            )
            label = f"{int(decade):,}".replace(",", "\u202f")
            parts.append(f'<text x="{x:.1f}" y="{top + panel_h + 16}" text-anchor="middle">{label}</text>')
            decade *= 10
        parts.append(
            f'<text x="{x0 + panel_w / 2}" y="{top + panel_h + 34}" text-anchor="middle">'
            "quotes in the database (log scale)</text>"
        )
        if key == "sql_ms":
            y = py(SQL_MS)
            parts.append(
                f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + panel_w}" y2="{y:.1f}" stroke="#e1000f" '
                'stroke-dasharray="6 4"/>'
            )
            parts.append(
                f'<text x="{x0 + panel_w - 4}" y="{y - 4:.1f}" text-anchor="end" fill="#e1000f">20 ms</text>'
            )
        for n, name in enumerate(names):
            color = PALETTE[n % len(PALETTE)]
            dash = "" if n < len(PALETTE) else ' stroke-dasharray="4 3"'
            points = [
                (px(r["counts"]["quotes"]), py(value(page_of(r, name)))) for r in runs if page_of(r, name)
            ]
            if len(points) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"{dash}/>'
                )
            for x, y in points:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>')
    lx = left + len(PANELS) * (panel_w + gap) - gap + 30
    for n, name in enumerate(names):
        y = top + 6 + n * 16
        color = PALETTE[n % len(PALETTE)]
        parts.append(f'<line x1="{lx}" y1="{y}" x2="{lx + 18}" y2="{y}" stroke="{color}" stroke-width="3"/>')
        parts.append(f'<text x="{lx + 24}" y="{y + 4}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# --- Plans for bench/NOTES.md ----------------------------------------------------------------------

PLANS_START_MARK, PLANS_END_MARK = "<!-- plans:start -->", "<!-- plans:end -->"
HEAVY_MS = SQL_MS  # a page's slowest query above the page limit at the largest scale


def plans_section(saved: dict) -> list[str]:
    """Per scale, the EXPLAIN ANALYZE of the key queries and of every page whose slowest query
    takes ≥ 20 ms at the largest scale (COSTS and TIMING off: the shape, the rows and the
    buffers, not the noise)."""
    runs = sorted(saved["runs"], key=lambda r: r["scale"])
    heavy = [
        name
        for name in page_names(runs)
        if ((page_of(runs[-1], name) or {}).get("sql_main_ms") or 0) >= HEAVY_MS
    ]
    out = [
        PLANS_START_MARK,
        "### Plans per scale (written by `bench/run.py --scales`)",
        "",
        f"Run of {saved['started'][:16].replace('T', ' ')}, commit {saved['commit']}.",
        "",
    ]
    for run in runs:
        out += [f"#### Scale {percent(run['scale'])} ({fmt(run['counts']['quotes'], 0)} quotes)", ""]
        for name, key in run.get("key_plans", {}).items():
            out += [f"{name}: {fmt(key['ms'])} ms, reads {', '.join(key['indexes']) or 'no index'}", ""]
            out += ["```", key["plan"].rstrip(), "```", ""]
        for name in heavy:
            page = page_of(run, name)
            if not page:
                continue
            out += [
                f"{name}, slowest query ({fmt(page['sql_main_ms'])} ms): `{page['main_sql'][:100]}…`",
                "",
                "```",
                page["main_plan"].rstrip(),
                "```",
                "",
            ]
    out.append(PLANS_END_MARK)
    return out


def notes_with_plans(text: str, lines: list[str]) -> str:
    block = "\n".join(lines)
    if PLANS_START_MARK in text and PLANS_END_MARK in text:
        before, rest = text.split(PLANS_START_MARK, 1)
        return before + block + rest.split(PLANS_END_MARK, 1)[1]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def without_plans(text: str) -> str:
    """NOTES.md without the generated plans (what RESULTS.md's Notes section shows)."""
    if PLANS_START_MARK in text and PLANS_END_MARK in text:
        before, rest = text.split(PLANS_START_MARK, 1)
        return before.rstrip("\n") + "\n" + rest.split(PLANS_END_MARK, 1)[1].lstrip("\n")
    return text
