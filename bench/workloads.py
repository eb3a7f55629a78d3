"""Background work at scale, each next to its floor, one JSON document on stdout (for bench/run.py).

    export   --format csv|xlsx [--rows 200000]  the ASP export job (services.export_job_run):
             seconds and peak memory of this process, next to the raw SQL of the same rows
             (`sql`: COPY of the same joined columns), to the admin's streamed CSV (`csv-stream`,
             no file) and to the CSV file alone (`lean-csv`: resources.export_file, no storage);
    pdf      [--runs 15]  WeasyPrint: a referencing certificate and a quote PDF (the services'
             own rendering), next to a one-line HTML page (WeasyPrint's own floor);
    recheck  every open quote (issued, not signed: the ones a barème change concerns) re-checked
             against a changed barème: SchemeRef built once by active_scheme_refs(), documents
             read in chunks with .iterator(), quotes.rules.check_quote on each; next to the
             reading alone and the checks alone.

Each runs in its own process (bench/run.py starts one per figure) so that the peak memory is
the figure's own. Production settings, the bench database of DATABASE_URL.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_env, load_average, percentile  # noqa: E402


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


def setup() -> None:
    os.environ.update(bench_env())
    import django

    django.setup()


# --- Export -------------------------------------------------------------------------------------

EXPORT_SQL = """
COPY (
  SELECT r.id, q.number, e.name, e.siren, c.name, c.siret, d.code, r.milestone, r.status,
         r.funded_amount, r.amount, r.submitted_at, r.decided_at, p.paid_on, p.amount, p.reference
  FROM funding_fundingrequest r
  JOIN quotes_quote q ON q.id = r.quote_id
  JOIN organizations_organization e ON e.id = r.editor_id
  JOIN organizations_organization c ON c.id = q.client_id
  LEFT JOIN referential_dsr d ON d.id = q.dsr_id
  LEFT JOIN funding_payment p ON p.request_id = r.id
  WHERE r.id = ANY(%s)
  ORDER BY r.id
) TO STDOUT
"""


def export(file_format: str, rows: int) -> dict:
    from django.db import connection

    from segur_funding.funding import services
    from segur_funding.funding.models import ExportJob, FundingRequest
    from segur_funding.funding.resources import csv_stream, export_file, export_rows
    from segur_funding.organizations.models import User

    asp = User.objects.get(email="asp@bench.test")
    # What the admin action does for a selection: the ids, newest first (the changelist order).
    ids = list(FundingRequest.objects.order_by("-submitted_at", "-id").values_list("pk", flat=True)[:rows])
    connection.close()
    base_rss = current_rss_mb()
    load_before = load_average()

    if file_format == "csv-stream":
        # The streamed CSV of the admin's synchronous path, consumed as a client would read it.
        start = time.perf_counter()
        size = 0
        for chunk in csv_stream(export_rows(ids)):
            size += len(chunk.encode("utf-8"))
        seconds = time.perf_counter() - start
        job_rows = len(ids)
    elif file_format == "sql":
        import psycopg

        from bench.common import database_url

        start = time.perf_counter()
        size = 0
        with psycopg.connect(database_url()) as conn, conn.cursor() as cursor:
            with cursor.copy(EXPORT_SQL, (ids,)) as copy:
                for block in copy:
                    size += len(block)
        seconds = time.perf_counter() - start
        job_rows = len(ids)
    elif file_format == "lean-csv":
        # The job's CSV file without the storage copy and the job's bookkeeping.
        start = time.perf_counter()
        with export_file(request_ids=ids, file_format="csv") as (handle, job_rows):
            size = handle.seek(0, os.SEEK_END)
        seconds = time.perf_counter() - start
    else:
        job = ExportJob.objects.create(requested_by=asp, file_format=file_format, request_ids=ids)
        start = time.perf_counter()
        services.export_job_run(job_id=job.pk)
        seconds = time.perf_counter() - start
        job.refresh_from_db()
        if job.status != "done":
            raise SystemExit(f"export failed: {job.error}")
        size = job.file.size
        job_rows = job.rows
        job.file.delete(save=False)
        job.delete()
    return {
        "format": file_format,
        "rows": job_rows,
        "seconds": seconds,
        "bytes": size,
        "peak_rss_mb": max_rss_mb(),
        "base_rss_mb": base_rss,
        "load": [load_before, load_average()],
    }


# --- WeasyPrint ----------------------------------------------------------------------------------


def timed(func, runs: int) -> dict:
    first_start = time.perf_counter()
    func()
    first = time.perf_counter() - first_start
    values = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        values.append(time.perf_counter() - start)
    values.sort()
    return {
        "first_s": first,
        "median_s": statistics.median(values),
        "p95_s": percentile(values, 95),
        "runs": runs,
    }


def pdf(runs: int) -> dict:
    from django.utils import timezone

    from segur_funding.core.pdf import pdf_render
    from segur_funding.quotes.models import Quote
    from segur_funding.quotes.services import quote_pdf_bytes
    from segur_funding.referencing.models import Dossier

    dossier = Dossier.objects.filter(status="referenced").order_by("pk").first()
    quote_id = Quote.objects.filter(status="issued").order_by("pk").values_list("pk", flat=True).first()
    load_before = load_average()

    def floor() -> None:
        from weasyprint import HTML

        HTML(string="<p>Attestation</p>").write_pdf()

    def certificate() -> None:
        # What services.dossier_certificate_render renders (it then stores the bytes).
        fresh = Dossier.objects.select_related("editor", "dsr", "solution_version__solution").get(
            pk=dossier.pk
        )
        pdf_render(
            template_name="referencing/certificate.html",
            context={"dossier": fresh, "generated_at": timezone.now()},
        )

    def quote() -> None:
        # What services.quote_pdf_render renders (it then stores the bytes and a history row).
        fresh = Quote.objects.select_related("editor", "client", "dsr", "dossier").get(pk=quote_id)
        # bench/generate.py writes issued quotes without the token of their public verification
        # page (printed as a QR code): one in memory, as issuing would have given.
        fresh.verification_token = fresh.verification_token or "bench-verification-token"
        quote_pdf_bytes(fresh)

    return {
        "floor": timed(floor, runs),
        "certificate": timed(certificate, runs),
        "quote": timed(quote, runs),
        "load": [load_before, load_average()],
    }


# --- Re-check after a barème change ------------------------------------------------------------

TODAY = date(2022, 6, 1)  # inside the biology window: a barème change matters for open quotes


def changed_scheme():
    """The active schemes as the selectors build them, with the SGL-V1 tier B cap lowered by
    1,000 € TTC (the kind of correction ANS publishes): quotes at the old cap become non conform."""
    from dataclasses import replace

    from segur_funding.referential.selectors import active_scheme_refs

    schemes = active_scheme_refs()
    sgl = schemes["SGL-V1"]
    tiers = tuple(
        replace(t, cap_ttc=t.cap_ttc - Decimal("1000.00")) if t.code == "B" else t for t in sgl.tiers
    )
    schemes["SGL-V1"] = replace(sgl, tiers=tiers)
    return schemes


def recheck() -> dict:
    from segur_funding.quotes.documents import parse_quote_document
    from segur_funding.quotes.models import Quote, QuoteStatus
    from segur_funding.quotes.rules import check_quote

    load_before = load_average()
    cpu_start, start = time.process_time(), time.perf_counter()
    schemes = changed_scheme()
    open_quotes = Quote.objects.filter(status=QuoteStatus.ISSUED).order_by("pk")
    count = changed = 0
    for document, verdict in open_quotes.values_list("document", "verdict").iterator(chunk_size=2000):
        doc = parse_quote_document(document)
        report = check_quote(doc, scheme=schemes[doc.dsr], today=TODAY)
        count += 1
        changed += report.verdict != verdict
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start

    # The floor: reading and decoding the same documents, nothing else.
    start = time.perf_counter()
    documents = list(open_quotes.values_list("document", flat=True).iterator(chunk_size=2000))
    read_seconds = time.perf_counter() - start
    # The checks alone, on documents already in memory (at most 50,000 of them).
    sample = documents[:50_000]
    del documents
    start = time.process_time()
    for document in sample:
        doc = parse_quote_document(document)
        check_quote(doc, scheme=schemes[doc.dsr], today=TODAY)
    check_cpu = time.process_time() - start
    return {
        "quotes": count,
        "changed": changed,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "per_second": count / seconds if seconds else None,
        "read_seconds": read_seconds,
        "read_per_second": count / read_seconds if read_seconds else None,
        "check_per_cpu_second": len(sample) / check_cpu if check_cpu else None,
        "load": [load_before, load_average()],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p_export = sub.add_parser("export")
    p_export.add_argument("--format", choices=["csv", "xlsx", "csv-stream", "lean-csv", "sql"], default="csv")
    p_export.add_argument("--rows", type=int, default=200_000)
    p_pdf = sub.add_parser("pdf")
    p_pdf.add_argument("--runs", type=int, default=15)
    sub.add_parser("recheck")
    options = parser.parse_args()
    setup()
    if options.what == "export":
        result = export(options.format, options.rows)
    elif options.what == "pdf":
        result = pdf(options.runs)
    else:
        result = recheck()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
