"""Build the real-world PDF quote corpus (tests/quotes/corpus/pdfs + expected.json).

    .venv/bin/python -m tests.quotes.corpus.make            # every file (needs LibreOffice)
    .venv/bin/python -m tests.quotes.corpus.make docx_conform odt_remainder   # only these
    .venv/bin/python -m tests.quotes.corpus.make --expected-only   # expected.json, no PDF

The PDFs and expected.json are committed: the tests never run LibreOffice or this script.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from tests.quotes.corpus import producers
from tests.quotes.corpus.spec import POST, quotes

HERE = Path(__file__).resolve().parent
PDFS = HERE / "pdfs"
PRODUCER_NAMES = {
    "docx": "LibreOffice Writer 7.4, from a .docx written with python-docx",
    "odt": "LibreOffice Writer 7.4, from an .odt written with odfpy",
    "xlsx": "LibreOffice Calc 7.4, from an .xlsx written with openpyxl",
    "canvas": "reportlab canvas (billing software, text at fixed positions, no rules)",
    "letter": "reportlab canvas, a two-column letter",
    "platypus": "reportlab Platypus table (ruled grid, wrapped Paragraph cells, repeated header)",
    "weasy": "WeasyPrint (HTML quote, repeated thead)",
    "pypdf": "pypdf post-processing of another corpus file",
    "scan": "a scanned page (image only)",
}


def main(only: set[str], *, expected_only: bool = False) -> None:
    PDFS.mkdir(exist_ok=True)
    everything = quotes()
    by_name = {q.name: q for q in everything}
    expected: dict[str, dict] = {}
    office = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for quote in everything:
            out = PDFS / f"{quote.name}.pdf"
            entry = quote.expected()
            entry["producer"] = PRODUCER_NAMES[quote.producer]
            expected[out.name] = entry
            if expected_only or (only and quote.name not in only):
                continue
            if quote.producer == "docx":
                office.append(producers.write_docx(quote, work / quote.name))
            elif quote.producer == "odt":
                office.append(producers.write_odt(quote, work / quote.name))
            elif quote.producer == "xlsx":
                office.append(producers.write_xlsx(quote, work / quote.name))
            elif quote.producer in ("canvas", "letter"):
                producers.write_canvas(quote, out, letter=quote.producer == "letter")
            elif quote.producer == "platypus":
                producers.write_platypus(quote, out)
            elif quote.producer == "weasy":
                producers.write_weasy(quote, out)
        producers.convert(office, PDFS)
        for name, source, how, changes in POST:
            quote = by_name[source].with_(name=name, producer="scan" if how == "scan" else "pypdf", **changes)
            entry = quote.expected()
            entry["producer"] = PRODUCER_NAMES[quote.producer] + f" ({source}.pdf, {how})"
            expected[f"{name}.pdf"] = entry
            if expected_only or (only and name not in only and source not in only):
                continue
            producers.post_process(PDFS / f"{source}.pdf", PDFS / f"{name}.pdf", how, quote)
    (HERE / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(len(expected), "files in expected.json")


if __name__ == "__main__":
    arguments = set(sys.argv[1:])
    main(arguments - {"--expected-only"}, expected_only="--expected-only" in arguments)
