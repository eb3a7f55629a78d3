"""Build the PDF quote corpus used by tests/quotes/test_pdf_*.py and bench/pdf_checks.py.

Run from the project root (needs LibreOffice for the .fodt quotes):

    .venv/bin/python tests/quotes/pdfs/make_corpus.py              # every file
    .venv/bin/python tests/quotes/pdfs/make_corpus.py a.pdf b.pdf  # only these (+ expected.json)

The quotes imitate several editors and their tools, not this project's own rendering:
LibreOffice Writer (a flat .fodt converted by soffice), billing software drawing text at fixed
x positions (reportlab canvas), a reportlab Platypus table, an HTML quote printed by WeasyPrint,
a scanned page, and one PDF that carries the quote document as a JSON attachment. Hostile files
(encrypted, truncated, bombs, page-tree tricks) are built byte by byte.

Each quote is declared once, below, with what a careful human reads in it; that reading is
written to expected.json, which the tests compare with what the reader extracts. The generated
PDFs are committed: tests never run LibreOffice, WeasyPrint or this script.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape as html_escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
NBSP = "\u00a0"
NNBSP = "\u202f"


# --------------------------------------------------------------------------------------------
# Money as editors print it
# --------------------------------------------------------------------------------------------


def eur(value: str | Decimal, style: str = "nbsp") -> str:
    """Print an amount the way a given editor does."""
    amount = Decimal(value)
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    if style == "space":
        return f"{sign}{' '.join(groups)},{cents} €"
    if style == "nbsp":
        return f"{sign}{NBSP.join(groups)},{cents}{NBSP}€"
    if style == "nnbsp":
        return f"{sign}{NNBSP.join(groups)},{cents}{NBSP}€"
    if style == "dots":
        return f"{sign}{'.'.join(groups)},{cents} EUR"
    if style == "int":
        assert cents == "00"
        return f"{sign}{' '.join(groups)} €"
    if style == "ttc":
        return f"{sign}{NBSP.join(groups)},{cents}{NBSP}€ TTC"
    raise ValueError(style)


# --------------------------------------------------------------------------------------------
# A quote, as declared once and rendered by several tools
# --------------------------------------------------------------------------------------------


@dataclass
class Line:
    """A quote line: what is printed and what a careful human reads in it."""

    label: str
    ttc: str
    scope: str | None = None
    ht: str | None = None
    qty: int = 1
    dsr: tuple[str, ...] = ()
    printed_negative: bool = False
    ref: str = ""
    # False for a row a careful reader does not take as a quote line (a discount printed
    # negative, which the reader reports as a manual check instead).
    read: bool = True

    def expected(self) -> dict:
        out: dict = {"label": " ".join(self.label.split())}
        if self.scope:
            out["scope"] = self.scope
        if self.dsr:
            out["dsr"] = list(self.dsr)
        out["amount_ttc"] = f"{Decimal(self.ttc):.2f}"
        if self.ht is not None:
            out["amount_ht"] = f"{Decimal(self.ht):.2f}"
        return out


@dataclass
class Section:
    title: str


@dataclass
class Total:
    label: str
    cells: dict[str, str]  # column kind -> printed amount


@dataclass
class Bare:
    """A table row printed with a label and nothing else (a sloppy quote)."""

    label: str


@dataclass
class Quote:
    name: str
    tool: str
    tests: str
    editor: list[str]
    doc_info: list[str]
    client: list[str]
    columns: list[tuple[str, str, float, str]]  # title, align (l/r), width cm, kind
    rows: list
    intro: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    footer: str = ""
    money: str = "nbsp"
    font: str = "Helvetica"
    valign: str = "middle"  # HTML only
    expected: dict = field(default_factory=dict)
    check: dict | None = None

    def cells(self, line: Line) -> list[str]:
        cells = []
        for _title, _align, _width, kind in self.columns:
            cells.append(self.cell(line, kind))
        return cells

    def cell(self, line: Line, kind: str) -> str:
        ttc = Decimal(line.ttc)
        ht = Decimal(line.ht) if line.ht is not None else None
        sign = -1 if line.printed_negative else 1
        if kind == "label":
            return line.label
        if kind == "ref":
            return line.ref
        if kind == "qty":
            return str(line.qty)
        if kind == "pu_ttc":
            return eur(sign * ttc / line.qty, self.money)
        if kind == "ttc":
            return eur(sign * ttc, self.money)
        if kind == "ht":
            assert ht is not None
            return eur(sign * ht, self.money)
        if kind == "tva":
            assert ht is not None
            return eur(sign * (ttc - ht), self.money)
        raise ValueError(kind)

    def expected_lines(self) -> list[dict]:
        return [row.expected() for row in self.rows if isinstance(row, Line) and row.read]


# --------------------------------------------------------------------------------------------
# Renderers
# --------------------------------------------------------------------------------------------

FODT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:font-face-decls>
 <style:font-face style:name="Liberation Sans" svg:font-family="'Liberation Sans'"
  style:font-family-generic="swiss" style:font-pitch="variable"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0.08cm"/>
  <style:text-properties style:font-name="Liberation Sans" fo:font-size="10pt"
   fo:language="fr" fo:country="FR"/>
 </style:default-style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="pm1">
  <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm"
   fo:margin-top="1.5cm" fo:margin-bottom="1cm" fo:margin-left="2cm" fo:margin-right="2cm"/>
  <style:footer-style><style:header-footer-properties fo:min-height="0.6cm"
   fo:margin-top="0.3cm"/></style:footer-style>
 </style:page-layout>
 <style:style style:name="Title" style:family="paragraph">
  <style:paragraph-properties fo:margin-bottom="0.3cm"/>
  <style:text-properties fo:font-size="15pt" fo:font-weight="bold"/></style:style>
 <style:style style:name="B" style:family="paragraph">
  <style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="R" style:family="paragraph">
  <style:paragraph-properties fo:text-align="end"/></style:style>
 <style:style style:name="RB" style:family="paragraph">
  <style:paragraph-properties fo:text-align="end"/>
  <style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="Gap" style:family="paragraph">
  <style:paragraph-properties fo:margin-top="0.3cm"/></style:style>
 <style:style style:name="Foot" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="7pt"/></style:style>
 <style:style style:name="Head" style:family="table">
  <style:table-properties style:width="17cm" table:align="left"
   fo:margin-bottom="0.4cm"/></style:style>
 <style:style style:name="HeadCol" style:family="table-column">
  <style:table-column-properties style:column-width="8.5cm"/></style:style>
 <style:style style:name="Main" style:family="table">
  <style:table-properties style:width="17cm" table:align="left"
   fo:margin-top="0.2cm" fo:margin-bottom="0.3cm"/></style:style>
 <style:style style:name="Cell" style:family="table-cell">
  <style:table-cell-properties fo:padding="0.04cm" fo:border="0.5pt solid #808080"/></style:style>
 <style:style style:name="HCell" style:family="table-cell">
  <style:table-cell-properties fo:padding="0.04cm" fo:border="0.5pt solid #808080"
   fo:background-color="#d9d9d9"/></style:style>
 <style:style style:name="Plain" style:family="table-cell">
  <style:table-cell-properties fo:padding="0.02cm" fo:border="none"/></style:style>
{columns}
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Standard" style:page-layout-name="pm1">
  <style:footer><text:p text:style-name="Foot">{footer}</text:p></style:footer>
 </style:master-page>
</office:master-styles>
<office:body><office:text>
"""


def _x(text: str) -> str:
    return xml_escape(text)


def _p(text: str, style: str | None = None) -> str:
    attr = f' text:style-name="{style}"' if style else ""
    return f"<text:p{attr}>{_x(text)}</text:p>"


def render_fodt(quote: Quote, out: Path) -> None:
    columns = "\n".join(
        f' <style:style style:name="Col{i}" style:family="table-column">'
        f'<style:table-column-properties style:column-width="{width}cm"/></style:style>'
        for i, (_t, _a, width, _k) in enumerate(quote.columns)
    )
    body = [FODT_HEAD.format(columns=columns, footer=_x(quote.footer))]
    # Editor on the left, the quote's references and the client on the right.
    body.append('<table:table table:name="Entete" table:style-name="Head">')
    body.append('<table:table-column table:style-name="HeadCol" table:number-columns-repeated="2"/>')
    body.append("<table:table-row>")
    body.append('<table:table-cell table:style-name="Plain">')
    body.append(_p(quote.editor[0], "B"))
    body.extend(_p(line) for line in quote.editor[1:])
    body.append("</table:table-cell>")
    body.append('<table:table-cell table:style-name="Plain">')
    body.extend(_p(line) for line in quote.doc_info)
    body.append(_p("", None))
    body.extend(_p(line, "B" if i == 0 else None) for i, line in enumerate(quote.client))
    body.append("</table:table-cell></table:table-row></table:table>")
    body.extend(_p(text) for text in quote.intro)
    n = len(quote.columns)
    body.append('<table:table table:name="Devis" table:style-name="Main">')
    body.extend(f'<table:table-column table:style-name="Col{i}"/>' for i in range(n))
    body.append("<table:table-header-rows><table:table-row>")
    for title, align, _w, _k in quote.columns:
        style = "RB" if align == "r" else "B"
        body.append(f'<table:table-cell table:style-name="HCell">{_p(title, style)}</table:table-cell>')
    body.append("</table:table-row></table:table-header-rows>")
    for row in quote.rows:
        body.append("<table:table-row>")
        if isinstance(row, Section):
            body.append(
                f'<table:table-cell table:style-name="Cell" table:number-columns-spanned="{n}">'
                f"{_p(row.title, 'B')}</table:table-cell>"
            )
            body.extend("<table:covered-table-cell/>" for _ in range(n - 1))
        elif isinstance(row, Bare):
            body.append(f'<table:table-cell table:style-name="Cell">{_p(row.label)}</table:table-cell>')
            body.extend('<table:table-cell table:style-name="Cell"/>' for _ in range(n - 1))
        elif isinstance(row, Total):
            body.append(f'<table:table-cell table:style-name="Cell">{_p(row.label, "B")}</table:table-cell>')
            for _t, _a, _w, kind in quote.columns[1:]:
                value = row.cells.get(kind, "")
                body.append(f'<table:table-cell table:style-name="Cell">{_p(value, "RB")}</table:table-cell>')
        else:
            for (_t, align, _w, _k), value in zip(quote.columns, quote.cells(row), strict=True):
                body.append(
                    f'<table:table-cell table:style-name="Cell">'
                    f"{_p(value, 'R' if align == 'r' else None)}</table:table-cell>"
                )
        body.append("</table:table-row>")
    body.append("</table:table>")
    body.extend(_p(text) for text in quote.after)
    if quote.signature:
        body.append(_p(quote.signature[0], "Gap"))
        body.extend(_p(text) for text in quote.signature[1:])
    body.append("</office:text></office:body></office:document>\n")
    SRC.mkdir(exist_ok=True)
    source = SRC / f"{out.stem}.fodt"
    source.write_text("\n".join(body), encoding="utf-8")
    soffice_convert(source, out)


def soffice_convert(source: Path, out: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed to build the .fodt quotes")
    with tempfile.TemporaryDirectory() as tmp:
        # A private profile: another soffice running on the machine must not be disturbed.
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        shutil.move(Path(tmp) / f"{source.stem}.pdf", out)


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
        pdfmetrics.registerFont(
            TTFont("DejaVuSans-Bold", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
        )


def _bold(font: str) -> str:
    return "DejaVuSans-Bold" if font == "DejaVuSans" else f"{font}-Bold"


def render_canvas(quote: Quote, out: Path, *, scanned_last_page: Path | None = None) -> None:
    """Billing-software style: every string drawn at a computed x, columns by position."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen.canvas import Canvas

    _register_fonts()
    font, bold = quote.font, _bold(quote.font)
    width, height = A4
    left, right = 40, width - 40
    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    canvas.setTitle(f"Devis {quote.name}")
    xs = [left]
    for _t, _a, w, _k in quote.columns:
        xs.append(xs[-1] + w * cm)
    page = [1]

    def footer() -> None:
        canvas.setFont(font, 7)
        canvas.drawCentredString(width / 2, 22, quote.footer)
        canvas.drawRightString(right, 12, f"Page {page[0]}")

    def table_header(y: float) -> float:
        canvas.setFillGray(0.85)
        canvas.rect(left, y - 4, xs[-1] - left, 16, stroke=0, fill=1)
        canvas.setFillGray(0)
        canvas.setFont(bold, 8.5)
        for i, (title, align, _w, _k) in enumerate(quote.columns):
            if align == "r":
                canvas.drawRightString(xs[i + 1] - 4, y, title)
            else:
                canvas.drawString(xs[i] + 4, y, title)
        return y - 20

    # Header: editor top-left, quote references top-right, client box below them.
    canvas.setFont(bold, 15)
    canvas.drawString(left, height - 50, quote.editor[0])
    canvas.setFont(font, 8.5)
    for i, text in enumerate(quote.editor[1:]):
        canvas.drawString(left, height - 66 - 11 * i, text)
    canvas.setFont(bold, 13)
    canvas.drawString(330, height - 50, quote.doc_info[0])
    canvas.setFont(font, 9)
    for i, text in enumerate(quote.doc_info[1:]):
        canvas.drawString(330, height - 68 - 12 * i, text)
    top = height - 80 - 12 * len(quote.doc_info)
    canvas.rect(325, top - 14 * len(quote.client) - 4, right - 325, 14 * len(quote.client) + 14)
    for i, text in enumerate(quote.client):
        canvas.setFont(bold if i == 0 else font, 9)
        canvas.drawString(332, top - 2 - 14 * i, text)
    y = top - 14 * len(quote.client) - 30
    canvas.setFont(font, 9)
    for text in quote.intro:
        for part in simpleSplit(text, font, 9, right - left):
            canvas.drawString(left, y, part)
            y -= 12
        y -= 4
    y = table_header(y - 6)
    label_col = next(i for i, c in enumerate(quote.columns) if c[3] == "label")
    label_width = (xs[label_col + 1] - xs[label_col]) - 8
    for row in quote.rows:
        if isinstance(row, Line):
            parts = simpleSplit(row.label, font, 9, label_width)
        elif isinstance(row, Bare):
            parts = simpleSplit(row.label, font, 9, label_width)
        else:
            parts = [""]
        needed = 12 * len(parts) + 8
        if y - needed < 70:
            footer()
            canvas.showPage()
            page[0] += 1
            canvas.setFont(font, 8.5)
            canvas.drawString(left, height - 40, f"{quote.editor[0]} – {quote.doc_info[0]} (suite)")
            y = table_header(height - 70)
        if isinstance(row, Section):
            canvas.setFont(bold, 9)
            canvas.drawString(left + 4, y, row.title)
            y -= 16
        elif isinstance(row, Total):
            canvas.setFont(bold, 9)
            canvas.drawRightString(xs[-2] - 4, y, row.label)
            for i, (_t, _a, _w, kind) in enumerate(quote.columns):
                if kind in row.cells:
                    canvas.drawRightString(xs[i + 1] - 4, y, row.cells[kind])
            y -= 15
        else:
            canvas.setFont(font, 9)
            for j, part in enumerate(parts):
                canvas.drawString(xs[label_col] + 4, y - 12 * j, part)
            if isinstance(row, Line):
                for i, ((_t, align, _w, kind), value) in enumerate(
                    zip(quote.columns, quote.cells(row), strict=True)
                ):
                    if kind == "label":
                        continue
                    if align == "r":
                        canvas.drawRightString(xs[i + 1] - 4, y, value)
                    else:
                        canvas.drawString(xs[i] + 4, y, value)
            y -= 12 * len(parts) + 4
            canvas.setLineWidth(0.3)
            canvas.line(left, y + 8, xs[-1], y + 8)
    y -= 10
    canvas.setFont(font, 9)
    for text in quote.after + quote.signature:
        for part in simpleSplit(text, font, 9, right - left):
            if y < 60:
                footer()
                canvas.showPage()
                page[0] += 1
                canvas.setFont(font, 9)
                y = height - 60
            canvas.drawString(left, y, part)
            y -= 12
        y -= 6
    footer()
    canvas.showPage()
    if scanned_last_page is not None:
        canvas.drawImage(str(scanned_last_page), 0, 0, width, height)
        canvas.showPage()
    canvas.save()


def render_platypus(quote: Quote, out: Path) -> None:
    """A reportlab Platypus document: Paragraph cells in a Table (cells align at the bottom)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    font, bold = quote.font, _bold(quote.font)
    normal = ParagraphStyle("n", fontName=font, fontSize=9, leading=11)
    strong = ParagraphStyle("b", parent=normal, fontName=bold)
    title = ParagraphStyle("t", parent=normal, fontName=bold, fontSize=14, leading=18)
    right = ParagraphStyle("r", parent=normal, alignment=TA_RIGHT)

    def para(text: str, style: ParagraphStyle = normal) -> Paragraph:
        return Paragraph(html_escape(text), style)

    story = []
    head = Table(
        [
            [
                [para(quote.editor[0], strong)] + [para(t) for t in quote.editor[1:]],
                [para(quote.doc_info[0], title)]
                + [para(t) for t in quote.doc_info[1:]]
                + [Spacer(1, 6), para(quote.client[0], strong)]
                + [para(t) for t in quote.client[1:]],
            ]
        ],
        colWidths=[8.5 * cm, 8.5 * cm],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [head, Spacer(1, 12)]
    story += [para(t) for t in quote.intro] + [Spacer(1, 8)]
    data = [[para(t, strong) for t, _a, _w, _k in quote.columns]]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
    ]
    n = len(quote.columns)
    for row in quote.rows:
        r = len(data)
        if isinstance(row, Section):
            data.append([para(row.title, strong)] + [""] * (n - 1))
            style.append(("SPAN", (0, r), (-1, r)))
        elif isinstance(row, Total):
            data.append(
                [para(row.label, strong)]
                + [para(row.cells.get(k, ""), right) for _t, _a, _w, k in quote.columns[1:]]
            )
        elif isinstance(row, Bare):
            data.append([para(row.label)] + [""] * (n - 1))
        else:
            cells = []
            for (_t, align, _w, _k), value in zip(quote.columns, quote.cells(row), strict=True):
                cells.append(para(value, right if align == "r" else normal))
            data.append(cells)
    table = Table(data, colWidths=[w * cm for _t, _a, w, _k in quote.columns], repeatRows=1)
    table.setStyle(TableStyle(style))
    story += [table, Spacer(1, 10)]
    story += [para(t) for t in quote.after]
    if quote.signature:
        story.append(Spacer(1, 10))
        story += [para(t) for t in quote.signature]

    def on_page(canvas, doc) -> None:
        canvas.setFont(font, 7)
        canvas.drawCentredString(A4[0] / 2, 20, quote.footer)

    doc = SimpleDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.5 * cm,
        invariant=1,
        title=f"Devis {quote.name}",
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)


HTML_STYLE = """
@page { size: A4; margin: 1.6cm 1.8cm 2cm; @bottom-center { content: "%(footer)s";
  font-size: 7pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8.5pt; color: #222; }
header { display: flex; justify-content: space-between; margin-bottom: 14pt; }
header .editor strong { font-size: 13pt; color: #1d4e89; }
header .doc { width: 48%%; }
header .doc h1 { font-size: 13pt; margin: 0 0 4pt; }
.client { border: 1px solid #999; padding: 4pt 6pt; margin-top: 6pt; }
p { margin: 3pt 0; }
table.lines { width: 100%%; border-collapse: collapse; margin: 10pt 0; }
table.lines th { background: #1d4e89; color: white; text-align: left; padding: 3pt; }
table.lines td { border-bottom: 0.5pt solid #bbb; padding: 3pt; vertical-align: %(valign)s; }
table.lines .r { text-align: right; white-space: nowrap; }
table.lines tr.section td { font-weight: bold; background: #e8eef6; }
table.lines tr.total td { font-weight: bold; }
.signature { margin-top: 16pt; }
"""


def render_html(quote: Quote, out: Path, *, attachment: dict | None = None) -> None:
    from weasyprint import HTML, Attachment

    cols = quote.columns
    head = "".join(
        f'<th class="{"r" if a == "r" else ""}" style="width:{w}cm">{html_escape(t)}</th>'
        for t, a, w, _k in cols
    )
    rows = []
    for row in quote.rows:
        if isinstance(row, Section):
            rows.append(f'<tr class="section"><td colspan="{len(cols)}">{html_escape(row.title)}</td></tr>')
        elif isinstance(row, Total):
            cells = "".join(
                f'<td class="r">{html_escape(row.cells.get(k, ""))}</td>' for _t, _a, _w, k in cols[1:]
            )
            rows.append(f'<tr class="total"><td>{html_escape(row.label)}</td>{cells}</tr>')
        elif isinstance(row, Bare):
            rows.append(f"<tr><td>{html_escape(row.label)}</td>{'<td></td>' * (len(cols) - 1)}</tr>")
        else:
            cells = "".join(
                f'<td class="{"r" if a == "r" else ""}">{html_escape(v)}</td>'
                for (_t, a, _w, _k), v in zip(cols, quote.cells(row), strict=True)
            )
            rows.append(f"<tr>{cells}</tr>")
    editor = "<br>".join(
        [f"<strong>{html_escape(quote.editor[0])}</strong>"] + [html_escape(t) for t in quote.editor[1:]]
    )
    doc_info = f"<h1>{html_escape(quote.doc_info[0])}</h1>" + "".join(
        f"<p>{html_escape(t)}</p>" for t in quote.doc_info[1:]
    )
    client = "<br>".join(
        [f"<strong>{html_escape(quote.client[0])}</strong>"] + [html_escape(t) for t in quote.client[1:]]
    )
    page = f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Devis {html_escape(quote.name)}</title>
<style>{HTML_STYLE % {"footer": quote.footer.replace('"', "'"), "valign": quote.valign}}</style></head>
<body>
<header><div class="editor">{editor}</div>
<div class="doc">{doc_info}<div class="client">{client}</div></div></header>
{"".join(f"<p>{html_escape(t)}</p>" for t in quote.intro)}
<table class="lines"><thead><tr>{head}</tr></thead><tbody>
{"".join(rows)}
</tbody></table>
{"".join(f"<p>{html_escape(t)}</p>" for t in quote.after)}
<div class="signature">{"".join(f"<p>{html_escape(t)}</p>" for t in quote.signature)}</div>
</body></html>
"""
    SRC.mkdir(exist_ok=True)
    (SRC / f"{out.stem}.html").write_text(page, encoding="utf-8")
    attachments = []
    if attachment is not None:
        attachments.append(
            Attachment(
                string=json.dumps(attachment, ensure_ascii=False, indent=2),
                name="devis-segur.json",
                description="Document de devis Ségur (segur_funding)",
            )
        )
    HTML(string=page).write_pdf(out, attachments=attachments)


def scanned_page_png(lines: list[str], path: Path) -> None:
    """A page as a scanner sees it: pixels only, no text layer."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (827, 1169), 255)
    draw = ImageDraw.Draw(image)
    big = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 22)
    small = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 14)
    y = 80
    for i, text in enumerate(lines):
        draw.text((70, y), text, fill=0, font=big if i == 0 else small)
        y += 40 if i == 0 else 24
    # A scanner is never straight: a slight rotation and some noise.
    image = image.rotate(0.7, fillcolor=255, expand=False)
    image.convert("1").save(path, optimize=True)


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------

STATE = "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur"
STATE_TYPO = "Montant de la prestation Ségur pris en charge par l’État au titre du Ségur"
MENTION_120 = (
    "Bon de commande conditionné à l’obtention par le logiciel du référencement ANS. "
    "L’affermissement de cette commande est conditionné au dépôt d’un dossier de référencement "
    "complet, contenant l’ensemble des preuves attendues, sous 120 jours sur le site de l’ANS et "
    "à l’obtention subséquente du référencement."
)

LO_COLUMNS = [
    ("Désignation", "l", 11.0, "label"),
    ("Qté", "r", 1.5, "qty"),
    ("Montant TTC", "r", 4.5, "ttc"),
]
BIOSYS = [
    "BioSys Informatique",
    "14 rue Paul Bert – 69003 Lyon",
    "SIRET 812 345 678 00021",
    "contact@biosys-informatique.example",
]
BIOSYS_FOOTER = "BioSys Informatique – SAS au capital de 50 000 € – RCS Lyon 812 345 678 – TVA FR21 812345678"


def sgl_tier_b_lines(money_labels: bool = False) -> list[Line]:
    return [
        Line(
            "Droits d'utilisation de la version référencée Ségur du Système de Gestion de "
            "Laboratoire et flux inter-applicatifs",
            "12000",
            "segur",
            dsr=("SGL-V1",),
        ),
        Line("Installation, configuration, qualification et mise en service", "6000", "segur"),
        Line("Formation des utilisateurs (3 sessions)", "3000", "segur"),
        Line("Maintenance de la version référencée pendant 6 ans", "10440", "segur"),
        Line("Livraison de la documentation et suivi de projet", "1500", "segur"),
    ]


def corpus() -> list[Quote]:
    quotes: list[Quote] = []

    quotes.append(
        Quote(
            name="lo_sgl_conform",
            tool="LibreOffice Writer 7.4 (.fodt converted by soffice)",
            tests="Conform SGL tier B quote: table with wrapped labels (cells aligned at the top), "
            "sections, a negative State-funding line, a final total, a footer with an amount "
            "in free text, a two-column header block.",
            editor=BIOSYS,
            doc_info=["DEVIS N° D-2022-0042", "Date du devis : 15/05/2022", "Validité : 2 mois"],
            client=[
                "Client : Laboratoire de Biologie Médicale du Val de Saône",
                "SIRET : 123 456 789 00012",
                "12 sites géographiques",
                "3 place de la République – 71100 Chalon-sur-Saône",
            ],
            intro=[
                "Objet : Prestation Ségur du Système de Gestion de Laboratoire (SGL), "
                "vague 1 du Ségur numérique (SONS)."
            ],
            columns=LO_COLUMNS,
            money="space",
            rows=[
                Section("Prestation Ségur (prise en charge par l'État)"),
                *sgl_tier_b_lines(),
                Line(STATE, "32940", "state_funding", printed_negative=True),
                Section("Hors Ségur (à la charge du laboratoire)"),
                Line("Module de statistiques d'activité", "1200", "out_of_scope"),
                Total("Total TTC à payer par le laboratoire", {"ttc": eur("1200", "space")}),
            ],
            after=[
                "Conditions de paiement : le montant de la Prestation Ségur est versé directement à "
                "l'éditeur par l'ASP (Agence de services et de paiement) ; aucun reste à charge pour "
                "le laboratoire sur la Prestation Ségur.",
            ],
            signature=["Bon pour accord le 01/06/2022", "Signature et cachet du laboratoire"],
            footer=BIOSYS_FOOTER,
            expected={
                "number": "D-2022-0042",
                "dsr": "SGL-V1",
                "client": {
                    "name": "Laboratoire de Biologie Médicale du Val de Saône",
                    "siret": "12345678900012",
                    "geographic_sites": 12,
                },
                "signature_date": "2022-06-01",
                "mentions_contain": ["aucun reste à charge pour le laboratoire"],
            },
            check={"args": [], "verdict": "conform", "codes": []},
        )
    )

    quotes.append(
        Quote(
            name="rl_canvas_loinc",
            tool="reportlab canvas, DejaVu Sans (billing software drawing at fixed x positions)",
            tests="Conform LOINC quote (tier U): reference, quantity and unit-price columns next to "
            "the amount, narrow no-break-space thousands, State funding printed negative, "
            "'1er juin 2022' date, totals block with a net amount of zero.",
            editor=["LabSoft Solutions", "2 allée des Tilleuls – 35000 Rennes", "SIRET 498 765 432 00017"],
            doc_info=["DEVIS N° LS-2022-0117", "Date : 3 mai 2022", "Affaire : transcodage LOINC"],
            client=[
                "Destinataire",
                "Laboratoire Biolam",
                "SIRET 234 567 891 00013",
                "Nombre de sites géographiques : 3",
            ],
            columns=[
                ("Réf.", "l", 2.2, "ref"),
                ("Désignation", "l", 7.8, "label"),
                ("Qté", "r", 1.2, "qty"),
                ("P.U. TTC", "r", 2.5, "pu_ttc"),
                ("Montant TTC", "r", 2.6, "ttc"),
            ],
            money="nnbsp",
            font="DejaVuSans",
            rows=[
                Section("PRESTATION SÉGUR – PÉRIMÈTRE SÉGUR"),
                Line(
                    "Transcodeur LOINC – droits d'utilisation de la version référencée",
                    "1500",
                    "segur",
                    dsr=("LOINC-V1",),
                    ref="LOINC-LIC",
                ),
                Line(
                    "Installation et paramétrage du transcodeur LOINC",
                    "900",
                    "segur",
                    dsr=("LOINC-V1",),
                    ref="LOINC-INST",
                ),
                Line("Formation (demi-journée)", "500", "segur", qty=2, ref="LOINC-FOR"),
                Line("Maintenance 6 ans", "600", "segur", ref="LOINC-MNT"),
                Line(STATE_TYPO, "3500", "state_funding", printed_negative=True, ref="SEGUR"),
                Total("Total TTC", {"ttc": eur("3500", "nnbsp")}),
                Total("Net à payer", {"ttc": eur("0", "nnbsp")}),
            ],
            after=[
                "Règlement : la Prestation Ségur est payée à l'éditeur par l'ASP (avance de 30 %, "
                "solde de 70 %). Offre valable 3 mois.",
            ],
            signature=["Bon pour accord, le 1er juin 2022", "Nom, qualité et signature :"],
            footer="LabSoft Solutions – SARL au capital de 20 000 € – 2 allée des Tilleuls, Rennes",
            expected={
                "number": "LS-2022-0117",
                "dsr": "LOINC-V1",
                "client": {"name": "Laboratoire Biolam", "siret": "23456789100013", "geographic_sites": 3},
                "signature_date": "2022-06-01",
            },
            check={"args": [], "verdict": "conform", "codes": []},
        )
    )

    quotes.append(
        Quote(
            name="rl_platypus_ht_tva_ttc",
            tool="reportlab Platypus Table (Paragraph cells, aligned at the bottom)",
            tests="Conform SGL tier B quote with HT / TVA / TTC columns, wrapped labels aligned at "
            "the bottom of their cells, technical-debt catch-up billed out of scope, "
            "order and signature dates.",
            editor=["Medilab Systèmes", "8 boulevard Vauban – 59000 Lille", "SIRET 523 456 789 00034"],
            doc_info=["Proposition commerciale – Devis n° MS/2022/058", "Lille, le 10 juin 2022"],
            client=[
                "Laboratoire d'analyses Bio-Ouest",
                "SIRET : 345 678 912 00014",
                "Nombre de sites géographiques : 5",
            ],
            intro=["Périmètre : Système de Gestion de Laboratoire (SGL), Ségur numérique vague 1."],
            columns=[
                ("Désignation", "l", 8.6, "label"),
                ("Montant HT", "r", 2.8, "ht"),
                ("TVA 20 %", "r", 2.4, "tva"),
                ("Montant TTC", "r", 2.8, "ttc"),
            ],
            rows=[
                Section("Périmètre Ségur"),
                Line(
                    "Droits d'utilisation du SGL référencé (version 2022.1) et flux "
                    "inter-applicatifs avec les automates",
                    "12000",
                    "segur",
                    ht="10000",
                    dsr=("SGL-V1",),
                ),
                Line(
                    "Installation, paramétrage, qualification et mise en ordre de marche sur les 5 sites",
                    "6000",
                    "segur",
                    ht="5000",
                ),
                Line("Formation et documentation", "4440", "segur", ht="3700"),
                Line("Maintenance évolutive et corrective pendant 6 ans", "10500", "segur", ht="8750"),
                Line(STATE, "32940", "state_funding", ht="27450"),
                Section("Hors périmètre Ségur"),
                Line(
                    "Reprise des historiques de l'ancien système (rattrapage de version)",
                    "3000",
                    "out_of_scope",
                    ht="2500",
                ),
                Total("Total à payer", {"ht": eur("2500"), "tva": eur("500"), "ttc": eur("3000")}),
            ],
            after=["Les montants de la Prestation Ségur sont réglés par l'ASP à l'éditeur."],
            signature=["Date de commande : 20/06/2022", "Bon pour accord le 20/06/2022"],
            footer="Medilab Systèmes – SAS – 8 boulevard Vauban, 59000 Lille",
            expected={
                "number": "MS/2022/058",
                "dsr": "SGL-V1",
                "client": {
                    "name": "Laboratoire d'analyses Bio-Ouest",
                    "siret": "34567891200014",
                    "geographic_sites": 5,
                },
                "order_date": "2022-06-20",
                "signature_date": "2022-06-20",
            },
            check={"args": [], "verdict": "conform", "codes": []},
        )
    )

    quotes.append(
        Quote(
            name="weasy_remainder_maintenance",
            tool="HTML printed by WeasyPrint (SaaS quote, cells vertically centred)",
            tests="Remainder left to the lab on the Ségur lines (maintenance priced above the cap): "
            "unit-price column, amount inside a label, vertically centred cells, "
            "'Reste à charge' total consistent with the lines.",
            editor=["Kalisil", "Logiciels de biologie", "31000 Toulouse"],
            doc_info=["Devis n° KAL-22-0311", "Date du devis : 02/05/2022", "Date de commande : 1 juin 2022"],
            client=["Laboratoire Biomed Sud", "SIRET 456 789 123 00015", "8 sites géographiques"],
            columns=[
                ("Désignation", "l", 8.5, "label"),
                ("Quantité", "r", 1.8, "qty"),
                ("Prix unitaire TTC", "r", 3.0, "pu_ttc"),
                ("Total TTC", "r", 3.0, "ttc"),
            ],
            rows=[
                Section("Prestation Ségur"),
                Line(
                    "Droits d'utilisation du Système de Gestion de Laboratoire référencé Ségur vague 1",
                    "12000",
                    "segur",
                    dsr=("SGL-V1",),
                ),
                Line("Installation et configuration", "6000", "segur"),
                Line("Formation sur site", "3000", "segur", qty=2),
                Line("Maintenance 6 ans (6 × 2 250,00 € par an)", "13500", "segur"),
                Line("Suivi de projet", "1500", "segur"),
                Line(STATE_TYPO, "32940", "state_funding"),
                Total("Reste à charge du laboratoire", {"ttc": eur("3060")}),
            ],
            signature=["Signé le 1 juin 2022"],
            footer="Kalisil SAS – 31000 Toulouse – SIRET 601 234 567 00011",
            expected={
                "number": "KAL-22-0311",
                "dsr": "SGL-V1",
                "client": {
                    "name": "Laboratoire Biomed Sud",
                    "siret": "45678912300015",
                    "geographic_sites": 8,
                },
                "order_date": "2022-06-01",
                "signature_date": "2022-06-01",
            },
            check={"args": [], "verdict": "non_conform", "codes": ["CLIENT_REMAINDER"]},
        )
    )

    towns = [
        "Amiens",
        "Beauvais",
        "Compiègne",
        "Creil",
        "Soissons",
        "Laon",
        "Saint-Quentin",
        "Abbeville",
        "Péronne",
        "Noyon",
        "Senlis",
        "Chantilly",
        "Clermont",
        "Montdidier",
        "Doullens",
        "Albert",
        "Ham",
        "Chauny",
        "Hirson",
        "Vervins",
        "Guise",
        "Tergnier",
        "Méru",
        "Nogent-sur-Oise",
        "Crépy-en-Valois",
        "Château-Thierry",
        "Villers-Cotterêts",
        "Roye",
        "Corbie",
        "Breteuil",
    ]
    two_page_lines = [
        Line(
            "Droits d'utilisation du Système de Gestion de Laboratoire, version référencée Ségur vague 1",
            "9000",
            "segur",
            dsr=("SGL-V1",),
        ),
        *[
            Line(f"Installation et paramétrage – site n° {i} ({town})", "600", "segur")
            for i, town in enumerate(towns, start=1)
        ],
        Line("Formation des référents", "3000", "segur"),
        Line("Maintenance pendant 6 ans", "6000", "segur"),
        Line("Documentation et suivi de projet", "893", "segur"),
    ]
    quotes.append(
        Quote(
            name="lo_two_pages",
            tool="LibreOffice Writer 7.4 (.fodt converted by soffice)",
            tests="SGL tier C quote (30 sites) whose table continues on page 2 with a repeated "
            "header row; the footer of page 1 sits between the two halves of the table.",
            editor=BIOSYS,
            doc_info=["DEVIS N° D-2022-0077", "Date du devis : 01/03/2022"],
            client=["Client : SELAS Biopicardie", "SIRET : 567 891 234 00016", "30 sites géographiques"],
            columns=LO_COLUMNS,
            money="nbsp",
            rows=[
                Section("Prestation Ségur"),
                *two_page_lines,
                Total("Total Prestation Ségur", {"ttc": eur("36893")}),
                Line(STATE, "36893", "state_funding"),
                Total("Reste à charge", {"ttc": eur("0")}),
            ],
            signature=["Date de commande : 15/03/2022", "Bon pour accord le 15/03/2022"],
            footer=BIOSYS_FOOTER,
            expected={
                "number": "D-2022-0077",
                "dsr": "SGL-V1",
                "client": {"name": "SELAS Biopicardie", "siret": "56789123400016", "geographic_sites": 30},
                "order_date": "2022-03-15",
                "signature_date": "2022-03-15",
            },
            check={"args": [], "verdict": "conform", "codes": []},
        )
    )

    quotes.append(
        Quote(
            name="rl_canvas_eur_dots",
            tool="reportlab canvas, Helvetica (billing software, amounts as 32.940,00 EUR)",
            tests="Amounts printed '7.000,00 EUR'; the 6-year maintenance billed in the "
            "'Prestations complémentaires (hors Ségur)' section; dates with dots.",
            editor=[
                "Informatique Médicale de l'Ouest",
                "ZA du Moulin – 44300 Nantes",
                "SIRET 389 123 456 00028",
            ],
            doc_info=["DEVIS N° IMO-2022-214", "Émis le 02.05.2022", "Date de commande : 12.05.2022"],
            client=[
                "Client : Laboratoire Atlantique Biologie",
                "SIRET : 678 912 345 00017",
                "15 sites géographiques",
            ],
            columns=[
                ("Désignation", "l", 10.5, "label"),
                ("Qté", "r", 1.5, "qty"),
                ("Montant TTC", "r", 3.5, "ttc"),
            ],
            money="dots",
            rows=[
                Section("Prestation Ségur"),
                Line("Licence SGL – version référencée Ségur", "14000", "segur", dsr=("SGL-V1",)),
                Line("Installation et paramétrage", "7000", "segur"),
                Line("Formation", "3500", "segur"),
                Line("Documentation et suivi de projet", "1440", "segur"),
                Line(STATE, "25940", "state_funding"),
                Section("Prestations complémentaires (hors Ségur)"),
                Line("Maintenance annuelle du logiciel SGL – 6 ans", "7000", "out_of_scope", dsr=("SGL-V1",)),
                Line("Serveur de sauvegarde", "2400", "out_of_scope"),
                Total("Total TTC à payer", {"ttc": eur("9400", "dots")}),
            ],
            signature=["Signé le 12/05/2022"],
            footer="Informatique Médicale de l'Ouest – SARL – Nantes",
            expected={
                "number": "IMO-2022-214",
                "dsr": "SGL-V1",
                "client": {
                    "name": "Laboratoire Atlantique Biologie",
                    "siret": "67891234500017",
                    "geographic_sites": 15,
                },
                "order_date": "2022-05-12",
                "signature_date": "2022-05-12",
            },
            check={"args": [], "verdict": "non_conform", "codes": ["CLIENT_REMAINDER"]},
        )
    )

    quotes.append(
        Quote(
            name="weasy_mssante",
            tool="HTML printed by WeasyPrint (cells aligned at the top)",
            tests="MSSanté mailboxes billed in the Ségur part (excluded item), tier A (one site).",
            editor=["Kalisil", "Logiciels de biologie", "31000 Toulouse"],
            doc_info=["Devis n° KAL-22-0402", "Date du devis : 20/05/2022"],
            client=["Laboratoire du Lauragais", "SIRET 789 123 456 00018", "1 site géographique"],
            columns=[
                ("Désignation", "l", 11.0, "label"),
                ("Qté", "r", 1.5, "qty"),
                ("Montant TTC", "r", 3.5, "ttc"),
            ],
            valign="top",
            rows=[
                Section("Prestation Ségur – pris en charge par l'État"),
                Line("Droits d'utilisation du SGL référencé Ségur", "10000", "segur", dsr=("SGL-V1",)),
                Line("Installation, configuration et mise en service", "5000", "segur"),
                Line("Formation", "2000", "segur"),
                Line("Maintenance 6 ans", "8000", "segur"),
                Line(
                    "Boîtes aux lettres MSSanté (5 comptes) et paramétrage de la messagerie sécurisée",
                    "2000",
                    "segur",
                    qty=5,
                ),
                Line(STATE_TYPO, "27000", "state_funding"),
                Total("Reste à charge", {"ttc": eur("0")}),
            ],
            signature=["Bon pour accord le 10/06/2022"],
            footer="Kalisil SAS – 31000 Toulouse",
            expected={
                "number": "KAL-22-0402",
                "dsr": "SGL-V1",
                "client": {
                    "name": "Laboratoire du Lauragais",
                    "siret": "78912345600018",
                    "geographic_sites": 1,
                },
                "signature_date": "2022-06-10",
            },
            check={"args": [], "verdict": "non_conform", "codes": ["EXCLUDED_ITEM_FUNDED"]},
        )
    )

    medilab = ["Medilab Systèmes", "8 boulevard Vauban – 59000 Lille", "SIRET 523 456 789 00034"]
    ht_cols = [
        ("Désignation", "l", 8.6, "label"),
        ("Montant HT", "r", 2.8, "ht"),
        ("TVA 20 %", "r", 2.4, "tva"),
        ("Montant TTC", "r", 2.8, "ttc"),
    ]

    def medilab_lines() -> list:
        return [
            Section("Périmètre Ségur"),
            Line(
                "Droits d'utilisation du SGL référencé et flux inter-applicatifs",
                "12000",
                "segur",
                ht="10000",
                dsr=("SGL-V1",),
            ),
            Line("Installation, paramétrage et qualification", "6000", "segur", ht="5000"),
            Line("Formation et documentation", "4440", "segur", ht="3700"),
            Line("Maintenance pendant 6 ans", "10500", "segur", ht="8750"),
            Line(STATE, "32940", "state_funding", ht="27450"),
            Total("Reste à charge", {"ht": eur("0"), "tva": eur("0"), "ttc": eur("0")}),
        ]

    quotes.append(
        Quote(
            name="rl_platypus_sun_es",
            tool="reportlab Platypus Table",
            tests="A quote that relies on SUN-ES funding (confusion between SONS and SUN-ES).",
            editor=medilab,
            doc_info=["Devis n° MS/2022/071", "Lille, le 13 juin 2022"],
            client=["Centre de biologie du Hainaut", "SIRET : 891 234 567 00019", "4 sites géographiques"],
            intro=[
                "Le présent devis est établi dans le cadre du programme SUN-ES (Ségur usage "
                "numérique en établissements de santé) : le financement SUN-ES couvre la part "
                "de l'établissement."
            ],
            columns=ht_cols,
            rows=medilab_lines(),
            signature=["Bon pour accord le 14/06/2022"],
            footer="Medilab Systèmes – SAS – Lille",
            expected={
                "number": "MS/2022/071",
                "dsr": "SGL-V1",
                "client": {
                    "name": "Centre de biologie du Hainaut",
                    "siret": "89123456700019",
                    "geographic_sites": 4,
                },
                "signature_date": "2022-06-14",
                "mentions_contain": ["SUN-ES"],
            },
            check={"args": [], "verdict": "non_conform", "codes": ["SUN_ES_REFERENCE"]},
        )
    )

    quotes.append(
        Quote(
            name="weasy_conditional_module",
            tool="HTML printed by WeasyPrint",
            tests="An offer conditioned on subscribing to a module (conditional offer).",
            editor=["Kalisil", "Logiciels de biologie", "31000 Toulouse"],
            doc_info=["Devis n° KAL-22-0415", "Date du devis : 23/05/2022"],
            client=["Laboratoire des Pyrénées", "SIRET 912 345 678 00010", "6 sites géographiques"],
            columns=[
                ("Désignation", "l", 11.0, "label"),
                ("Qté", "r", 1.5, "qty"),
                ("Montant TTC", "r", 3.5, "ttc"),
            ],
            rows=[
                Section("Prestation Ségur"),
                *sgl_tier_b_lines(),
                Line(STATE_TYPO, "32940", "state_funding"),
                Total("Reste à charge", {"ttc": eur("0")}),
            ],
            after=[
                "Cette offre est conditionnée à la souscription du module Qualité (option "
                "« Qualité+ ») pour une durée de 3 ans.",
                "Paiement de la Prestation Ségur par l'ASP.",
            ],
            signature=["Bon pour accord le 30/05/2022"],
            footer="Kalisil SAS – 31000 Toulouse",
            expected={
                "number": "KAL-22-0415",
                "dsr": "SGL-V1",
                "client": {
                    "name": "Laboratoire des Pyrénées",
                    "siret": "91234567800010",
                    "geographic_sites": 6,
                },
                "signature_date": "2022-05-30",
                "conditions_contain": ["conditionnée à la souscription du module Qualité"],
            },
            check={"args": [], "verdict": "non_conform", "codes": ["CONDITIONAL_OFFER"]},
        )
    )

    quotes.append(
        Quote(
            name="lo_missing_state_funding",
            tool="LibreOffice Writer 7.4 (.fodt converted by soffice)",
            tests="No line deducting the State's share: the client is asked for the whole amount.",
            editor=BIOSYS,
            doc_info=["DEVIS N° D-2022-0051", "Date du devis : 18/05/2022"],
            client=[
                "Client : Laboratoire Saint-Vincent",
                "SIRET : 135 792 468 00011",
                "2 sites géographiques",
            ],
            columns=LO_COLUMNS,
            money="space",
            rows=[
                Section("Prestation Ségur"),
                *sgl_tier_b_lines(),
                Total("Total TTC", {"ttc": eur("32940", "space")}),
            ],
            signature=["Bon pour accord le 02/06/2022"],
            footer=BIOSYS_FOOTER,
            expected={
                "number": "D-2022-0051",
                "dsr": "SGL-V1",
                "client": {
                    "name": "Laboratoire Saint-Vincent",
                    "siret": "13579246800011",
                    "geographic_sites": 2,
                },
                "signature_date": "2022-06-02",
            },
            check={"args": [], "verdict": "non_conform", "codes": ["MISSING_STATE_FUNDING_LINE"]},
        )
    )

    quotes.append(
        Quote(
            name="rl_canvas_mixed_dsr",
            tool="reportlab canvas, Helvetica",
            tests="One line covers two DSRs (SGL and the LOINC transcoder).",
            editor=["LabSoft Solutions", "2 allée des Tilleuls – 35000 Rennes", "SIRET 498 765 432 00017"],
            doc_info=["DEVIS N° LS-2022-0130", "Date : 12/05/2022"],
            client=[
                "Destinataire",
                "Laboratoire Armor Biologie",
                "SIRET 246 813 579 00012",
                "Nombre de sites géographiques : 4",
            ],
            columns=[
                ("Désignation", "l", 11.0, "label"),
                ("Qté", "r", 1.5, "qty"),
                ("Montant TTC", "r", 3.5, "ttc"),
            ],
            rows=[
                Section("Prestation Ségur"),
                Line(
                    "Licences SGL et transcodeur LOINC (droits d'utilisation des versions référencées)",
                    "15500",
                    "segur",
                    dsr=("SGL-V1", "LOINC-V1"),
                ),
                Line("Installation et paramétrage", "6000", "segur"),
                Line("Formation", "3000", "segur"),
                Line("Maintenance 6 ans", "8440", "segur"),
                Line(STATE, "32940", "state_funding"),
                Total("Net à payer", {"ttc": eur("0")}),
            ],
            signature=["Bon pour accord le 25/05/2022"],
            footer="LabSoft Solutions – SARL – Rennes",
            expected={
                "number": "LS-2022-0130",
                "client": {
                    "name": "Laboratoire Armor Biologie",
                    "siret": "24681357900012",
                    "geographic_sites": 4,
                },
                "signature_date": "2022-05-25",
            },
            check={"args": ["--dsr", "SGL-V1"], "verdict": "non_conform", "codes": ["MIXED_DSR_LINE"]},
        )
    )

    kalisil_order = dict(
        editor=["Kalisil", "Logiciels de biologie", "31000 Toulouse"],
        columns=[
            ("Désignation", "l", 11.0, "label"),
            ("Qté", "r", 1.5, "qty"),
            ("Montant TTC", "r", 3.5, "ttc"),
        ],
        rows=[
            Section("Prestation Ségur"),
            *sgl_tier_b_lines(),
            Line(STATE_TYPO, "32940", "state_funding"),
            Total("Reste à charge", {"ttc": eur("0")}),
        ],
        footer="Kalisil SAS – 31000 Toulouse",
    )
    quotes.append(
        Quote(
            name="weasy_order_before_ref_no_mention",
            tool="HTML printed by WeasyPrint",
            tests="Ordered before the software was referenced, without the 120-day mention.",
            doc_info=["Devis n° KAL-22-0017", "Date de commande : 10/01/2022"],
            client=["Laboratoire de l'Ariège", "SIRET 147 258 369 00013", "3 sites géographiques"],
            intro=["Logiciel en cours de référencement Ségur auprès de l'ANS."],
            signature=["Signé le 10/01/2022"],
            expected={
                "number": "KAL-22-0017",
                "dsr": "SGL-V1",
                "client": {
                    "name": "Laboratoire de l'Ariège",
                    "siret": "14725836900013",
                    "geographic_sites": 3,
                },
                "order_date": "2022-01-10",
                "signature_date": "2022-01-10",
            },
            check={
                "args": ["--referenced-on", "2022-03-01", "--proofs-complete-on", "2022-02-01"],
                "verdict": "non_conform",
                "codes": ["MISSING_CONDITIONAL_MENTION"],
            },
            **kalisil_order,
        )
    )

    quotes.append(
        Quote(
            name="lo_order_before_ref_with_mention",
            tool="LibreOffice Writer 7.4 (.fodt converted by soffice)",
            tests="Ordered before referencing, with the 120-day mention printed as a wrapped "
            "paragraph with typographic apostrophes.",
            editor=BIOSYS,
            doc_info=["DEVIS N° D-2022-0009", "Date du devis : 05/01/2022"],
            client=[
                "Client : Laboratoire des Monts du Lyonnais",
                "SIRET : 258 369 147 00014",
                "7 sites géographiques",
            ],
            columns=LO_COLUMNS,
            money="space",
            rows=[
                Section("Prestation Ségur (prise en charge par l'État)"),
                *sgl_tier_b_lines(),
                Line(STATE, "32940", "state_funding", printed_negative=True),
                Total("Reste à charge", {"ttc": eur("0", "space")}),
            ],
            after=[MENTION_120],
            signature=["Date de commande : 10/01/2022", "Bon pour accord le 10/01/2022"],
            footer=BIOSYS_FOOTER,
            expected={
                "number": "D-2022-0009",
                "dsr": "SGL-V1",
                "client": {
                    "name": "Laboratoire des Monts du Lyonnais",
                    "siret": "25836914700014",
                    "geographic_sites": 7,
                },
                "order_date": "2022-01-10",
                "signature_date": "2022-01-10",
                "mentions_contain": [
                    "Bon de commande conditionné à l’obtention par le logiciel du référencement ANS"
                ],
            },
            check={
                "args": ["--referenced-on", "2022-03-01", "--proofs-complete-on", "2022-02-01"],
                "verdict": "conform",
                "codes": [],
            },
        )
    )

    quotes.append(
        Quote(
            name="rl_canvas_total_mismatch",
            tool="reportlab canvas, Helvetica",
            tests="The printed total TTC contradicts the sum of the lines: a manual check, "
            "the lines are still read.",
            editor=["LabSoft Solutions", "2 allée des Tilleuls – 35000 Rennes", "SIRET 498 765 432 00017"],
            doc_info=["DEVIS N° LS-2022-0144", "Date : 16/05/2022"],
            client=[
                "Destinataire",
                "Laboratoire Côte d'Émeraude",
                "SIRET 369 147 258 00015",
                "Nombre de sites géographiques : 9",
            ],
            columns=[
                ("Désignation", "l", 11.0, "label"),
                ("Qté", "r", 1.5, "qty"),
                ("Montant TTC", "r", 3.5, "ttc"),
            ],
            rows=[
                Section("Prestation Ségur"),
                *sgl_tier_b_lines(),
                Section("Hors Ségur"),
                Line("Module de gestion des stocks", "11200", "out_of_scope"),
                Total("Total TTC", {"ttc": eur("45000")}),
                Line(STATE, "32940", "state_funding"),
                Total("Net à payer", {"ttc": eur("12060")}),
            ],
            signature=["Bon pour accord le 20/05/2022"],
            footer="LabSoft Solutions – SARL – Rennes",
            expected={
                "number": "LS-2022-0144",
                "dsr": "SGL-V1",
                "client": {
                    "name": "Laboratoire Côte d'Émeraude",
                    "siret": "36914725800015",
                    "geographic_sites": 9,
                },
                "signature_date": "2022-05-20",
                "manual_checks_contain": ["45 000,00", "44 140,00"],
            },
            check={"args": [], "verdict": "incomplete", "codes": []},
        )
    )

    quotes.append(
        Quote(
            name="rl_canvas_unclassified",
            tool="reportlab canvas, Helvetica",
            tests="No section headings (no distinction between State-funded and other items), a "
            "row with a label and no amount, a negative discount line: lines without scope "
            "and manual checks.",
            editor=["Bioinfo Conseil", "5 rue Nationale – 37000 Tours", "SIRET 192 837 465 00010"],
            doc_info=["DEVIS N° BC-2022-0008", "Date : 09/05/2022"],
            client=[
                "Destinataire",
                "Laboratoire du Val de Loire",
                "SIRET 918 273 645 00016",
                "Nombre de sites géographiques : 2",
            ],
            columns=[
                ("Désignation", "l", 11.0, "label"),
                ("Qté", "r", 1.5, "qty"),
                ("Montant TTC", "r", 3.5, "ttc"),
            ],
            rows=[
                Line("Licence du Système de Gestion de Laboratoire", "12000", None, dsr=("SGL-V1",)),
                Line("Installation et mise en service", "6000", None),
                Bare("Paramétrage des automates"),
                Line("Formation", "3000", None),
                Line("Maintenance 6 ans", "10440", None),
                Line("Module de facturation", "1500", None),
                Line("Remise exceptionnelle", "300", None, printed_negative=True, read=False),
                Line(STATE, "32940", "state_funding"),
                Total("Net à payer", {"ttc": eur("0")}),
            ],
            after=["Remise exceptionnelle accordée sur le module de facturation, voir ci-dessus."],
            signature=["Bon pour accord le 11/05/2022"],
            footer="Bioinfo Conseil – EURL – Tours",
            expected={
                "number": "BC-2022-0008",
                "dsr": "SGL-V1",
                "client": {
                    "name": "Laboratoire du Val de Loire",
                    "siret": "91827364500016",
                    "geographic_sites": 2,
                },
                "signature_date": "2022-05-11",
                "manual_checks_contain": ["Paramétrage des automates", "montant négatif (-300,00 €)"],
            },
            check={"args": [], "verdict": "non_conform", "codes": ["UNCLASSIFIED_LINE"]},
        )
    )

    quotes.append(
        Quote(
            name="weasy_ttc_suffix",
            tool="HTML printed by WeasyPrint, amounts suffixed 'TTC'",
            tests="A generic 'Prix' column whose amounts carry their own 'TTC' suffix, "
            "'Pris en charge par l'État' / 'Hors périmètre' sections, the State-funding "
            "wording in upper case without accents.",
            editor=["Kalisil", "Logiciels de biologie", "31000 Toulouse"],
            doc_info=["Devis n° KAL-22-0450", "Date de commande : 07/06/2022"],
            client=["Laboratoire des Causses", "SIRET 564 738 291 00017", "2 sites géographiques"],
            columns=[
                ("Prestation", "l", 12.5, "label"),
                ("Prix", "r", 3.5, "ttc"),
            ],
            money="ttc",
            rows=[
                Section("Pris en charge par l'État"),
                *sgl_tier_b_lines(),
                Line(
                    "MONTANT DE LA PRESTATION SEGUR PRIS EN CHARGE PAR L'ETAT AU TITRE DU SEGUR",
                    "32940",
                    "state_funding",
                ),
                Section("Hors périmètre"),
                Line("Connecteur de télétransmission", "800", "out_of_scope"),
                Total("Total", {"ttc": eur("800", "ttc")}),
            ],
            signature=["Signé le 07/06/2022"],
            footer="Kalisil SAS – 31000 Toulouse",
            expected={
                "number": "KAL-22-0450",
                "dsr": "SGL-V1",
                "client": {
                    "name": "Laboratoire des Causses",
                    "siret": "56473829100017",
                    "geographic_sites": 2,
                },
                "order_date": "2022-06-07",
                "signature_date": "2022-06-07",
            },
            check={"args": [], "verdict": "conform", "codes": []},
        )
    )
    return quotes


# --------------------------------------------------------------------------------------------
# Files that are not regular quotes
# --------------------------------------------------------------------------------------------


def make_scanned(out: Path) -> None:
    """A quote printed, signed and scanned: one image per page, no text layer at all."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "scan.png"
        scanned_page_png(
            [
                "DEVIS N° D-2022-0099",
                "Client : Laboratoire du Morvan – 4 sites géographiques",
                "",
                "Prestation Ségur",
                "Droits d'utilisation du SGL ............ 12 000,00 €",
                "Installation .......................... 6 000,00 €",
                "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur",
                "....................................... 32 940,00 €",
                "",
                "Bon pour accord le 01/06/2022      [signature]",
            ],
            png,
        )
        canvas = Canvas(str(out), pagesize=A4, invariant=1)
        canvas.drawImage(str(png), 0, 0, A4[0], A4[1])
        canvas.showPage()
        canvas.save()


def make_scanned_signature(quote: Quote, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "scan.png"
        scanned_page_png(
            [
                "Bon pour accord",
                "Le 02/06/2022",
                "Signature et cachet du laboratoire :",
                "",
                "[signature manuscrite]",
                "Mention manuscrite : hors frais de déplacement",
            ],
            png,
        )
        render_canvas(quote, out, scanned_last_page=png)


def segur_document() -> dict:
    """The quote document this project embeds in the PDFs it produces."""
    return {
        "number": "SF-2022-000123",
        "dsr": "SGL-V1",
        "client": {"name": "Laboratoire Océane", "siret": "73829164500012", "geographic_sites": 12},
        "order_date": "2022-06-01",
        "signature_date": "2022-06-01",
        "mentions": ["Devis établi avec segur_funding."],
        "conditions": [],
        "lines": [
            {
                "label": "Droits d'utilisation SGL",
                "scope": "segur",
                "dsr": ["SGL-V1"],
                "amount_ttc": "12000.00",
                "amount_ht": "10000.00",
            },
            {"label": "Installation et formation", "scope": "segur", "amount_ttc": "10500.00"},
            {"label": "Maintenance 6 ans", "scope": "segur", "amount_ttc": "10440.00"},
            {"label": STATE, "scope": "state_funding", "amount_ttc": "32940.00"},
            {"label": "Module statistiques", "scope": "out_of_scope", "amount_ttc": "1200.00"},
        ],
    }


class RawPdf:
    """A hand-written PDF: numbered objects and a correct cross-reference table."""

    def __init__(self) -> None:
        self.objects: list[bytes] = []

    def add(self, body: bytes) -> int:
        self.objects.append(body)
        return len(self.objects)

    def set(self, number: int, body: bytes) -> None:
        self.objects[number - 1] = body

    def reserve(self) -> int:
        return self.add(b"null")

    def stream(self, data: bytes, extra: bytes = b"") -> int:
        return self.add(b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream")

    def build(self, root: int, *, size_hint: int | None = None) -> bytes:
        out = io.BytesIO()
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.objects, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.objects) + 1))
        for offset in offsets:
            out.write(b"%010d 00000 n \n" % offset)
        out.write(
            b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(self.objects) + 1, root, xref)
        )
        return out.getvalue()


def _one_page_pdf(content: bytes, *, content_extra: bytes = b"", page_extra: bytes = b"") -> bytes:
    pdf = RawPdf()
    catalog = pdf.reserve()
    pages = pdf.reserve()
    font = pdf.add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    stream = pdf.stream(content, content_extra)
    page = pdf.add(
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R "
        b">> >> /Contents %d 0 R %s >>" % (pages, font, stream, page_extra)
    )
    pdf.set(pages, b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page)
    pdf.set(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
    return pdf.build(catalog)


def _zeros_deflated(total: int) -> bytes:
    """`total` zero bytes, deflated without ever holding them in memory."""
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1 << 22)
    parts = []
    for _ in range(total // len(chunk)):
        parts.append(compressor.compress(chunk))
    parts.append(compressor.flush())
    return b"".join(parts)


def hostile_files() -> dict[str, tuple[bytes, str, str]]:
    """name -> (bytes, what it tests, a word the French refusal must contain)."""
    from pypdf import PdfReader, PdfWriter

    files: dict[str, tuple[bytes, str, str]] = {}
    files["hostile_empty.pdf"] = (b"", "An empty upload.", "vide")
    odt = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    files["hostile_odt_renamed.pdf"] = (
        odt.getvalue(),
        "A LibreOffice .odt renamed .pdf (a ZIP archive).",
        "PDF",
    )
    files["hostile_html_renamed.pdf"] = (
        b"<!DOCTYPE html><html><head><title>Erreur 404</title></head><body>Page introuvable</body></html>\n",
        "An HTML error page saved as .pdf by a browser.",
        "PDF",
    )
    good = (HERE / "lo_sgl_conform.pdf").read_bytes()
    files["hostile_truncated.pdf"] = (
        good[: len(good) * 6 // 10],
        "A download cut at 60 % (no cross-reference, no %%EOF).",
        "incomplet",
    )
    # A PDF with an owner password only opens without asking and is read: those quotes are in
    # tests/quotes/corpus (RC4 and AES-256). One that asks for a password is refused.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(good)))
    writer.encrypt(user_password="secret", owner_password="owner-secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    files["hostile_encrypted.pdf"] = (
        buffer.getvalue(),
        "Encrypted with a user password.",
        "protégé par un mot de passe",
    )
    # Two levels of Flate: ~2 MB of deflated zeros, deflated again, inflate to 2 GiB.
    bomb = zlib.compress(_zeros_deflated(2 << 30), 9)
    files["hostile_bomb.pdf"] = (
        _one_page_pdf(bomb, content_extra=b"/Filter [/FlateDecode /FlateDecode]"),
        "A page content stream that inflates to 2 GiB (Flate over Flate).",
        "volumineu",
    )
    pdf = RawPdf()
    catalog = pdf.reserve()
    pages = pdf.reserve()
    page = pdf.add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] >>" % pages)
    embedded = pdf.stream(bomb, b"/Type /EmbeddedFile /Filter [/FlateDecode /FlateDecode]")
    spec = pdf.add(
        b"<< /Type /Filespec /F (devis-segur.json) /UF (devis-segur.json) /EF << /F %d 0 R >> >>" % embedded
    )
    pdf.set(pages, b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page)
    pdf.set(
        catalog,
        b"<< /Type /Catalog /Pages %d 0 R /Names << /EmbeddedFiles << /Names "
        b"[(devis-segur.json) %d 0 R] >> >> >>" % (pages, spec),
    )
    files["hostile_attachment_bomb.pdf"] = (
        pdf.build(catalog),
        "A devis-segur.json attachment that inflates to 2 GiB.",
        "volumineu",
    )
    # 3,000 real pages sharing one content stream.
    pdf = RawPdf()
    catalog = pdf.reserve()
    pages = pdf.reserve()
    content = pdf.stream(b"BT /F1 12 Tf 72 720 Td (Page) Tj ET")
    font = pdf.add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = [
        pdf.add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages, content, font)
        )
        for _ in range(3000)
    ]
    pdf.set(
        pages,
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)),
    )
    pdf.set(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
    files["hostile_many_pages.pdf"] = (pdf.build(catalog), "3,000 pages.", "pages")
    files["hostile_giant_page_count.pdf"] = (
        _one_page_pdf(b"BT /F1 12 Tf 72 720 Td (Devis) Tj ET").replace(b"/Count 1", b"/Count 2147483647"),
        "A page tree that declares 2,147,483,647 pages.",
        "pages",
    )
    pdf = RawPdf()
    catalog = pdf.reserve()
    pages = pdf.reserve()
    inner = pdf.reserve()
    pdf.set(pages, b"<< /Type /Pages /Kids [%d 0 R] /Count 2 >>" % inner)
    pdf.set(inner, b"<< /Type /Pages /Parent %d 0 R /Kids [%d 0 R] /Count 2 >>" % (pages, pages))
    pdf.set(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
    files["hostile_page_tree_loop.pdf"] = (
        pdf.build(catalog),
        "A page tree whose kids point back to their parent.",
        "PDF",
    )
    depth = 200_000
    files["hostile_deep_nesting.pdf"] = (
        _one_page_pdf(
            b"[" * depth + b"]" * depth + b" BT /F1 12 Tf 72 720 Td (x) Tj ET",
            page_extra=b"/Junk " + b"[" * 5000 + b"]" * 5000,
        ),
        "Arrays nested 200,000 deep in the content stream and 5,000 deep in the page.",
        "PDF",
    )
    pdf_bytes = _one_page_pdf(b"BT /F1 12 Tf 72 720 Td (Devis) Tj ET")
    start = pdf_bytes.rindex(b"startxref")
    files["damaged_xref_recovered.pdf"] = (
        pdf_bytes[:start] + b"startxref\n999999999\n%%EOF\n" + b"\x00" * 64 + b"%%EOF\n",
        "A startxref pointing far past the end of the file: readers rebuild the cross-reference "
        "by scanning, so do we; its one word of text is no quote (a manual check, no line).",
        "Aucune ligne",
    )
    return files


# --------------------------------------------------------------------------------------------
# Build everything
# --------------------------------------------------------------------------------------------


def expected_document(quote: Quote) -> dict:
    exp = dict(quote.expected)
    document = {
        k: exp.pop(k)
        for k in list(exp)
        if k in {"number", "dsr", "client", "order_date", "signature_date", "referencing"}
    }
    document["lines"] = quote.expected_lines()
    entry = {
        "tool": quote.tool,
        "tests": quote.tests,
        "document": document,
        "embedded": False,
        "mentions_contain": exp.pop("mentions_contain", []),
        "conditions_contain": exp.pop("conditions_contain", []),
        "manual_checks_contain": exp.pop("manual_checks_contain", []),
    }
    assert not exp, exp
    if quote.check is not None:
        entry["check"] = quote.check
    return entry


def main(only: set[str]) -> None:
    """Build every file, or only the named ones (expected.json is always rewritten whole)."""

    def wanted(name: str) -> bool:
        return not only or name in only

    SRC.mkdir(exist_ok=True)
    expected: dict[str, dict] = {}
    for quote in corpus():
        out = HERE / f"{quote.name}.pdf"
        expected[out.name] = expected_document(quote)
        if not wanted(out.name):
            continue
        if quote.name.startswith("lo_"):
            render_fodt(quote, out)
        elif quote.name.startswith("rl_canvas"):
            render_canvas(quote, out)
        elif quote.name.startswith("rl_platypus"):
            render_platypus(quote, out)
        else:
            render_html(quote, out)
        print("built", out.name)

    # Page 1 has text, page 2 is the signed page, scanned.
    loinc = next(q for q in corpus() if q.name == "rl_canvas_loinc")
    loinc.name = "rl_canvas_scanned_signature_page"
    loinc.signature = []
    out = HERE / "rl_canvas_scanned_signature_page.pdf"
    if wanted(out.name):
        make_scanned_signature(loinc, out)
    entry = expected_document(loinc)
    entry["tool"] = "reportlab canvas; page 2 is a scanned image"
    entry["tests"] = (
        "A text quote followed by its signed page, scanned (no text layer on "
        "page 2): the lines of page 1 are read and page 2 is a manual check."
    )
    entry["document"].pop("signature_date")
    entry["manual_checks_contain"] = ["Page 2"]
    entry["check"] = {"args": [], "verdict": "incomplete", "codes": []}
    expected[out.name] = entry

    out = HERE / "scanned_image_only.pdf"
    if wanted(out.name):
        make_scanned(out)
    expected[out.name] = {
        "tool": "reportlab canvas drawing one scanned image (no text layer)",
        "tests": "A scanned quote: nothing is read, everything is a manual check.",
        "document": {"lines": []},
        "embedded": False,
        "mentions_contain": [],
        "conditions_contain": [],
        "manual_checks_contain": ["Page 1"],
        "check": {"args": ["--dsr", "SGL-V1", "--sites", "4"], "verdict": "incomplete", "codes": []},
    }

    document = segur_document()
    embedded = Quote(
        name="segur_funding_embedded",
        tool="WeasyPrint with an unsigned devis-segur.json attachment (no platform seal)",
        tests="An attachment the platform did not seal is not believed: the quote is read from "
        "its printed page (which agrees with it here), with an UNTRUSTED_ATTACHMENT warning.",
        editor=["Éditeur Démo", "Généré par segur_funding"],
        doc_info=[f"Devis n° {document['number']}", "Date de commande : 01/06/2022"],
        client=[document["client"]["name"], f"SIRET {document['client']['siret']}", "12 sites géographiques"],
        columns=[("Désignation", "l", 11.0, "label"), ("Montant TTC", "r", 4.0, "ttc")],
        rows=[
            Section("Prestation Ségur"),
            Line("Droits d'utilisation SGL", "12000", "segur", dsr=("SGL-V1",)),
            Line("Installation et formation", "10500", "segur"),
            Line("Maintenance 6 ans", "10440", "segur"),
            Line(STATE, "32940", "state_funding"),
            Section("Hors Ségur"),
            Line("Module statistiques", "1200", "out_of_scope"),
            Total("Total TTC à payer", {"ttc": eur("1200")}),
        ],
        after=document["mentions"],
        signature=["Bon pour accord le 01/06/2022"],
        footer="Document généré par segur_funding",
    )
    out = HERE / "segur_funding_embedded.pdf"
    if wanted(out.name):
        render_html(embedded, out, attachment=document)
    printed = json.loads(json.dumps(document))
    del printed["lines"][0]["amount_ht"]  # the page prints TTC amounts only
    expected[out.name] = {
        "tool": embedded.tool,
        "tests": embedded.tests,
        "document": printed,
        "embedded": False,
        "mentions_contain": [],
        "conditions_contain": [],
        "manual_checks_contain": [],
        "check": {"args": [], "verdict": "conform", "codes": []},
    }

    for name, (data, tests, word) in hostile_files().items():
        if name.startswith("damaged_"):
            expected[name] = {"tests": tests, "invalid": False, "manual_checks_contain": [word]}
        else:
            expected[name] = {"tests": tests, "invalid": True, "message_contains": word}
        if wanted(name):
            (HERE / name).write_bytes(data)
            print("built", name, len(data), "bytes")

    (HERE / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    import sys

    main(set(sys.argv[1:]))
