"""Which table reader reads more quotes right: the home-made layout engine, pdfplumber's table
finder, or both combined (the reader's choice: pdfplumber on pages that draw rules)?

On the real-world corpus (tests/quotes/corpus), a quote is read right when its lines (label,
scope, TTC amount) are exactly those the quote prints (tests/quotes/corpus/spec.py) and the
reading has no doubt about its table. Also prints the median reading time of each.

    .venv/bin/python bench/pdf_table_readers.py [--runs 3]
"""

import argparse
import io
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PDFS = ROOT / "tests" / "quotes" / "corpus" / "pdfs"


def expected_lines() -> dict[str, list[tuple]]:
    from tests.quotes.corpus.spec import POST, quotes

    by_name = {q.name: q for q in quotes()}
    # A quote with a negative line (a discount, folded into the line above or left for a
    # person to check) has no printed lines to compare one by one.
    out = {f"{name}.pdf": q.rows for name, q in by_name.items() if all(r.ttc >= 0 for r in q.rows)}
    for name, source, how, _ in POST:
        if how in ("rc4", "aes256", "rotate90"):
            out[f"{name}.pdf"] = by_name[source].rows
    return {
        name: sorted((" ".join(r.label.split()), r.scope or "", f"{Decimal(r.ttc):.2f}") for r in rows)
        for name, rows in out.items()
    }


def got(lines: list[dict]) -> list[tuple]:
    return sorted((line["label"], line.get("scope", ""), line.get("amount_ttc", "")) for line in lines)


def layout_engine(data: bytes) -> tuple[list[dict], bool]:
    from segur_funding.quotes.pdf import reader

    with mock.patch.object(reader, "_read_ruled", return_value=None):
        reading = reader.read_pdf_quote(data)
    return reading.document["lines"], reading.fully_read


def plumber(data: bytes) -> tuple[list[dict], bool]:
    import pdfplumber

    from segur_funding.quotes.pdf.ruled import read_ruled

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        count = len(pdf.pages)
    ruled = read_ruled(data, list(range(1, count + 1)))
    if ruled is None:
        return [], False
    return ruled.lines, not ruled.checks


def combined(data: bytes) -> tuple[list[dict], bool]:
    from segur_funding.quotes.pdf.reader import read_pdf_quote

    reading = read_pdf_quote(data)
    return reading.document["lines"], reading.fully_read


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    expected = expected_lines()
    readers = {"layout engine": layout_engine, "pdfplumber": plumber, "combined": combined}
    right = dict.fromkeys(readers, 0)
    times: dict[str, list[float]] = {name: [] for name in readers}
    wrong: dict[str, list[str]] = {name: [] for name in readers}
    unsure_free: dict[str, list[str]] = {name: [] for name in readers}
    for name in sorted(expected):
        data = (PDFS / name).read_bytes()
        for label, read in readers.items():
            samples = []
            for _ in range(options.runs):
                start = time.process_time()
                lines, sure = read(data)
                samples.append((time.process_time() - start) * 1000)
            times[label].append(statistics.median(samples))
            if sure and got(lines) == expected[name]:
                right[label] += 1
            else:
                wrong[label].append(name.removesuffix(".pdf"))
                if sure:
                    # Misread without a doubt: the dangerous case (a wrong report, not a
                    # manual check).
                    unsure_free[label].append(name.removesuffix(".pdf"))
    total = len(expected)
    print(f"{'reader':15} {'read right':>11} {'sure, wrong':>11} {'median ms':>10} {'p95 ms':>8}")
    for label in readers:
        values = sorted(times[label])
        p95 = values[round(0.95 * (len(values) - 1))]
        print(
            f"{label:15} {right[label]:>5}/{total:<5} {len(unsure_free[label]):>11}"
            f" {statistics.median(values):>10.1f} {p95:>8.1f}"
        )
    for label in readers:
        print(f"\n{label} misreads ({len(wrong[label])}): {', '.join(wrong[label])}")
        print(f"  of which without a doubt: {', '.join(unsure_free[label]) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
