"""How long reading and checking a PDF quote takes, next to the bare text extraction.

For each readable PDF of a corpus (--corpus real: tests/quotes/corpus, the real-world one;
--corpus legacy: tests/quotes/pdfs), three timings in milliseconds of CPU time (median and 95th
percentile over the runs):

- raw: the bare extraction by the libraries the reader uses on that file: `PdfReader(...)`
  then `page.extract_text()` on every page (pypdf), plus, for the pages that draw a grid of
  rules (read with pdfplumber), pdfplumber's `page.extract_text()` on them (pdfminer.six's
  layout analysis, the floor pdfplumber's table finder pays);
- read: `read_pdf_quote` (one positioned extraction pass per page, the table rebuild, the
  header fields, the attachment; on ruled pages pdfminer runs the operations pypdf parsed
  instead of parsing the page again, so `read` can be below `raw`);
- check: the reading plus the pure checker (`parse_quote_document` + `check_quote`), i.e. what
  `manage.py check_quote FILE.pdf` does minus Django start-up and the database lookup of the
  barème, which is built here as the selectors would build it.

Target: check <= 1.5 x raw on every file.

Each file is timed over at least --runs rounds and at least --min-seconds of raw extraction, so a
file of a few milliseconds gets hundreds of rounds: on a shared machine, whose speed comes and
goes, the median of 30 rounds of a 4 ms file could land on a fast phase for raw and a slow one for
the check (or the reverse) and swing the ratio by ±0.2 from one run to the next.

    .venv/bin/python bench/pdf_checks.py [--corpus real|legacy] [--runs 30] [--min-seconds 2.0]
"""

import argparse
import io
import json
import math
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPORA = {
    "real": (ROOT / "tests" / "quotes" / "corpus" / "pdfs", ROOT / "tests" / "quotes" / "corpus"),
    "legacy": (ROOT / "tests" / "quotes" / "pdfs", ROOT / "tests" / "quotes" / "pdfs"),
}
TARGET_RATIO = 1.5
TODAY = date(2022, 7, 1)
WARM_UP_ROUNDS = 3
MAX_RUNS = 2000


def schemes() -> dict:
    """The wave-1 biology schemes, as referential.selectors would hand them to the rules."""
    from segur_funding.referential import constants
    from segur_funding.referential.rules import SchemeRef, TierRow, WindowRef

    window = WindowRef(
        number=1,
        label="Fenêtre de financement 1",
        order_signature_deadline=date(2022, 7, 15),
        service_completion_deadline=date(2022, 10, 15),
    )
    common = {
        "windows": (window,),
        "advance_rate": Decimal("0.30"),  # the seed AF's figures (fixtures)
        "preorder_max_days": 120,
        "state_funding_wording": constants.STATE_FUNDING_WORDING,
        "conditional_order_mention": constants.CONDITIONAL_ORDER_MENTION,
    }
    return {
        "SGL-V1": SchemeRef(
            dsr_code="SGL-V1",
            name="AF SGL vague 1",
            tiers=(
                TierRow("A", 1, 1, Decimal("22500.00"), Decimal("27000.00")),
                TierRow("B", 2, 21, Decimal("27450.00"), Decimal("32940.00")),
                TierRow("C", 22, 42, Decimal("30744.00"), Decimal("36893.00")),
                TierRow("D", 43, 63, Decimal("34433.00"), Decimal("41320.00")),
                TierRow("E", 64, None, Decimal("38565.00"), Decimal("46278.00")),
            ),
            **common,
        ),
        "LOINC-V1": SchemeRef(
            dsr_code="LOINC-V1",
            name="AF LOINC vague 1",
            tiers=(TierRow("U", 1, None, Decimal("2917.00"), Decimal("3500.00")),),
            **common,
        ),
    }


def ruled_pages(data: bytes) -> list[int]:
    """The pages the reader hands to pdfplumber (same test as the reader's)."""
    from pypdf import PdfReader

    from segur_funding.quotes.pdf.ruled import has_rules

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    out = []
    for number, page in enumerate(reader.pages, 1):
        contents = page.get_contents()
        if contents is not None and has_rules(contents.get_data()):
            out.append(number)
    return out


def raw_extraction(data: bytes, ruled: list[int]) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    for page in reader.pages:
        page.extract_text()
    if ruled:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number in ruled:
                pdf.pages[number - 1].extract_text()


def reading(data: bytes) -> None:
    from segur_funding.quotes.pdf_reader import read_pdf_quote

    read_pdf_quote(data)


def full_check(data: bytes, overrides: dict, known: dict) -> None:
    from segur_funding.quotes.checker import apply_overrides
    from segur_funding.quotes.documents import parse_quote_document
    from segur_funding.quotes.pdf_reader import read_pdf_quote
    from segur_funding.quotes.rules import check_quote

    result = read_pdf_quote(data)
    doc = parse_quote_document(apply_overrides(result.document, overrides), partial=True)
    check_quote(
        doc,
        scheme=known.get(doc.dsr or ""),
        today=TODAY,
        manual_checks=list(result.manual_checks),
    )


def overrides_from(args: list[str]) -> dict:
    """The corpus' check_quote options (expected.json) as checker overrides."""
    names = {
        "--dsr": "dsr",
        "--sites": "geographic_sites",
        "--referenced-on": "referenced_on",
        "--proofs-complete-on": "proofs_complete_on",
        "--order-date": "order_date",
        "--signature-date": "signature_date",
    }
    out = {}
    for option, value in zip(args[::2], args[1::2], strict=True):
        out[names[option]] = int(value) if option == "--sites" else value
    return out


def timings(funcs: list, runs: int) -> list[tuple[float, float]]:
    """(median, p95) in ms of CPU time for each function, sampled in turns.

    Interleaving the three measurements makes a busy machine slow them down alike, so the
    ratio stays meaningful even when the absolute figures are not.
    """
    samples: list[list[float]] = [[] for _ in funcs]
    for _ in range(runs):
        for index, func in enumerate(funcs):
            start = time.process_time()
            func()
            samples[index].append((time.process_time() - start) * 1000)
    out = []
    for values in samples:
        values.sort()
        out.append((statistics.median(values), values[round(0.95 * (len(values) - 1))]))
    return out


def main() -> int:
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="rounds per file, at least")
    parser.add_argument(
        "--min-seconds", type=float, default=2.0, help="raw extraction time per file, at least"
    )
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="real")
    parser.add_argument("--only", nargs="*", help="these files only")
    options = parser.parse_args()
    corpus, expected_dir = CORPORA[options.corpus]

    # The checker's modules import Django models' constants: configure settings, no database.
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "segur_funding.settings.test")
    django.setup()
    from pypdf import PdfReader

    expected = json.loads((expected_dir / "expected.json").read_text(encoding="utf-8"))
    names = sorted(
        name
        for name, entry in expected.items()
        if not entry.get("invalid")
        and ("document" in entry or options.corpus == "real")
        and (not options.only or name in options.only)
    )
    known = schemes()
    header = (
        f"{'file':38} {'pages':>5} {'raw med':>8} {'raw p95':>8} {'read med':>9} {'read p95':>9}"
        f" {'check med':>10} {'check p95':>10} {'ratio':>6} ruled"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    totals = [0.0, 0.0]
    for name in names:
        data = (corpus / name).read_bytes()
        entry = expected[name]
        overrides = overrides_from(entry.get("args", entry.get("check", {}).get("args", [])))
        pages = len(PdfReader(io.BytesIO(data)).pages)
        ruled = ruled_pages(data)
        funcs = [
            lambda data=data, ruled=ruled: raw_extraction(data, ruled),
            lambda data=data: reading(data),
            lambda data=data, overrides=overrides: full_check(data, overrides, known),
        ]
        # Warm-up, all three alike: imports, regex compilation and the first call's allocations
        # are start-up costs, not per-quote costs. The warm-up also sizes the run.
        warm = timings(funcs, WARM_UP_ROUNDS)
        per_run = max(warm[0][0], 0.01)
        runs = min(MAX_RUNS, max(options.runs, math.ceil(options.min_seconds * 1000 / per_run)))
        raw, read, check = timings(funcs, runs)
        ratio = check[0] / raw[0]
        worst = max(worst, ratio)
        totals[0] += raw[0]
        totals[1] += check[0]
        print(
            f"{name:38} {pages:>5} {raw[0]:>8.1f} {raw[1]:>8.1f} {read[0]:>9.1f} {read[1]:>9.1f}"
            f" {check[0]:>10.1f} {check[1]:>10.1f} {ratio:>6.2f} {len(ruled)}"
        )
    print("-" * len(header))
    print(
        f"all files: check {totals[1]:.0f} ms for raw {totals[0]:.0f} ms "
        f"(x{totals[1] / totals[0]:.2f}); worst file x{worst:.2f}; target <= x{TARGET_RATIO}"
    )
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
