"""One function per producer: how each kind of editor prints a quote.

Word processors and spreadsheets write a source file (.docx with python-docx, .odt with
odfpy, .xlsx with openpyxl) that LibreOffice converts to PDF in one batch (`convert`); the
others write the PDF directly (reportlab canvas and Platypus, WeasyPrint). Post-processors
(`post_process`) turn a printed PDF into a protected, rotated or scanned one.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from html import escape
from pathlib import Path

from tests.quotes.corpus.model import Quote, Row, eur

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEJAVU_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


# --------------------------------------------------------------------------------------------
# The table every producer prints: header, rows (cells as text), totals
# --------------------------------------------------------------------------------------------


def header_cells(quote: Quote) -> list[str]:
    amounts = ["Montant HT", "TVA 20 %", "Montant TTC"] if quote.columns == "ht_tva_ttc" else ["Montant TTC"]
    scope = ["Périmètre"] if quote.layout == "scope_column" else []
    return ["Désignation", *scope, *amounts]


def amount_cells(quote: Quote, row: Row) -> list[str]:
    sign = -1 if row.scope == "state_funding" else 1
    if quote.columns == "ht_tva_ttc":
        return [eur(sign * row.ht), eur(sign * (row.ttc - row.ht)), eur(sign * row.ttc)]
    return [eur(sign * row.ttc)]


def body(quote: Quote) -> list[tuple[str, list[str]]]:
    """The table's rows after the header: ("line", cells), ("section", [title]), ("total", cells)."""
    out: list[tuple[str, list[str]]] = []
    scope_column = quote.layout == "scope_column"
    if scope_column:
        for row in quote.rows:
            out.append(("line", [row.label, quote.scope_text(row), *amount_cells(quote, row)]))
    else:
        unclassified = [r for r in quote.rows if r.scope is None]
        for row in unclassified:
            out.append(("line", [row.label, *amount_cells(quote, row)]))
        segur = [r for r in quote.rows if r.scope in ("segur", "state_funding")]
        other = [r for r in quote.rows if r.scope == "out_of_scope"]
        out.append(("section", [f"Prestation Ségur – {quote.software}"]))
        out.extend(("line", [r.label, *amount_cells(quote, r)]) for r in segur)
        if other:
            out.append(("section", ["Hors Ségur (à la charge du laboratoire)"]))
            out.extend(("line", [r.label, *amount_cells(quote, r)]) for r in other)
    gross, _state, net = quote.totals()
    pad = [""] if scope_column else []
    blanks = ["", ""] if quote.columns == "ht_tva_ttc" else []
    out.append(("total", ["Total TTC", *pad, *blanks, eur(gross)]))
    out.append(("total", ["Net à payer TTC", *pad, *blanks, eur(net)]))
    return out


def intro(quote: Quote) -> str:
    return (
        f"Suite à votre demande, nous avons le plaisir de vous adresser notre proposition pour "
        f"la mise en place de la version référencée Ségur de {quote.software}."
    )


def widths_cm(quote: Quote, total: float) -> list[float]:
    amounts = 3 if quote.columns == "ht_tva_ttc" else 1
    scope = 1 if quote.layout == "scope_column" else 0
    amount_w, scope_w = 2.9, 2.2
    label = 3.3 if quote.narrow else total - amounts * amount_w - scope * scope_w
    return [label, *([scope_w] * scope), *([amount_w] * amounts)]


# --------------------------------------------------------------------------------------------
# Word processors and spreadsheets (LibreOffice converts them)
# --------------------------------------------------------------------------------------------


def write_docx(quote: Quote, out: Path) -> Path:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if quote.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Liberation Sans", Pt(10)

    # Letterhead: editor on the left, quote number on the right (a borderless table).
    head = document.add_table(rows=1, cols=2)
    head.cell(0, 0).text = "\n".join(quote.editor_lines())
    head.cell(0, 1).text = "\n".join(quote.header_lines())
    document.add_paragraph("")
    document.add_paragraph("\n".join(quote.client_lines()))
    document.add_paragraph(intro(quote))

    titles = header_cells(quote)
    table = document.add_table(rows=1, cols=len(titles))
    table.style = "Table Grid"
    widths = widths_cm(quote, (29.7 if quote.landscape else 21) - 4)
    header = table.rows[0]
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(flag)
    for cell, title in zip(header.cells, titles, strict=True):
        cell.text = title
        cell.paragraphs[0].runs[0].bold = True
    for kind, cells in body(quote):
        row = table.add_row()
        if kind == "section":
            merged = row.cells[0].merge(row.cells[-1])
            merged.text = cells[0]
            merged.paragraphs[0].runs[0].bold = True
            continue
        if kind == "total" and quote.layout == "scope_column":
            # The total's label spans the label and scope columns (a merged cell).
            first = row.cells[0].merge(row.cells[1])
            first.text = cells[0]
            for cell, text in zip(row.cells[2:], cells[2:], strict=True):
                cell.text = text
        else:
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
        for index, cell in enumerate(row.cells):
            if index >= len(titles) - (3 if quote.columns == "ht_tva_ttc" else 1):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = Cm(width)
    document.add_paragraph("")
    for mention in quote.mentions:
        document.add_paragraph(mention)
    document.add_paragraph(quote.signature)
    source = out.with_suffix(".docx")
    document.save(source)
    return source


def write_odt(quote: Quote, out: Path) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.style import (
        MasterPage,
        PageLayout,
        PageLayoutProperties,
        ParagraphProperties,
        Style,
        TableCellProperties,
        TableColumnProperties,
        TableProperties,
        TextProperties,
    )
    from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableHeaderRows, TableRow
    from odf.text import P

    doc = OpenDocumentText()
    layout = PageLayout(name="pm1")
    w, h = ("29.7cm", "21cm") if quote.landscape else ("21cm", "29.7cm")
    layout.addElement(
        PageLayoutProperties(
            pagewidth=w,
            pageheight=h,
            margintop="1.5cm",
            marginbottom="1.5cm",
            marginleft="2cm",
            marginright="2cm",
            printorientation="landscape" if quote.landscape else "portrait",
        )
    )
    doc.automaticstyles.addElement(layout)
    doc.masterstyles.addElement(MasterPage(name="Standard", pagelayoutname=layout))
    base = Style(name="Base", family="paragraph")
    base.addElement(TextProperties(fontsize="10pt", fontfamily="Liberation Sans"))
    doc.styles.addElement(base)
    bold = Style(name="Bold", family="paragraph", parentstylename=base)
    bold.addElement(TextProperties(fontweight="bold"))
    right = Style(name="Right", family="paragraph", parentstylename=base)
    right.addElement(ParagraphProperties(textalign="end"))
    for style in (bold, right):
        doc.automaticstyles.addElement(style)
    cell_style = Style(name="Cell", family="table-cell")
    cell_style.addElement(TableCellProperties(border="0.5pt solid #000000", padding="0.08cm"))
    doc.automaticstyles.addElement(cell_style)

    for line in [*quote.editor_lines(), *quote.header_lines(), "", *quote.client_lines(), "", intro(quote)]:
        doc.text.addElement(P(stylename=base, text=line))

    titles = header_cells(quote)
    widths = widths_cm(quote, (29.7 if quote.landscape else 21) - 4)
    table_style = Style(name="Tbl", family="table")
    table_style.addElement(TableProperties(width=f"{sum(widths):.2f}cm", align="left"))
    doc.automaticstyles.addElement(table_style)
    table = Table(name="Lignes", stylename=table_style)
    for index, width in enumerate(widths):
        col_style = Style(name=f"Col{index}", family="table-column")
        col_style.addElement(TableColumnProperties(columnwidth=f"{width}cm"))
        doc.automaticstyles.addElement(col_style)
        table.addElement(TableColumn(stylename=col_style))
    amount_from = len(titles) - (3 if quote.columns == "ht_tva_ttc" else 1)

    def cell(text: str, index: int, *, strong: bool = False, span: int = 1) -> TableCell:
        attrs = {"stylename": cell_style}
        if span > 1:
            attrs["numbercolumnsspanned"] = span
        element = TableCell(**attrs)
        style = bold if strong else right if index >= amount_from else base
        element.addElement(P(stylename=style, text=text))
        return element

    headers = TableHeaderRows()
    row = TableRow()
    for index, title in enumerate(titles):
        row.addElement(cell(title, index, strong=True))
    headers.addElement(row)
    table.addElement(headers)
    for kind, cells in body(quote):
        row = TableRow()
        if kind == "section":
            row.addElement(cell(cells[0], 0, strong=True, span=len(titles)))
            for _ in range(len(titles) - 1):
                row.addElement(CoveredTableCell())
        elif kind == "total" and quote.layout == "scope_column":
            row.addElement(cell(cells[0], 0, strong=True, span=2))
            row.addElement(CoveredTableCell())
            for index, text in enumerate(cells[2:], 2):
                row.addElement(cell(text, index))
        else:
            for index, text in enumerate(cells):
                row.addElement(cell(text, index))
        table.addElement(row)
    doc.text.addElement(table)
    doc.text.addElement(P(stylename=base, text=""))
    for mention in quote.mentions:
        doc.text.addElement(P(stylename=base, text=mention))
    doc.text.addElement(P(stylename=base, text=quote.signature))
    source = out.with_suffix(".odt")
    doc.save(str(source))
    return source


def write_xlsx(quote: Quote, out: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.page import PageMargins

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Devis"
    titles = header_cells(quote)
    widths = widths_cm(quote, 17)
    letters = "ABCDEFG"
    for letter, width in zip(letters, widths, strict=False):
        sheet.column_dimensions[letter].width = width * 5.2
    lines = [*quote.editor_lines(), "", *quote.header_lines(), "", *quote.client_lines(), ""]
    for number, text in enumerate(lines, 1):
        sheet.cell(number, 1, text)
    row_number = len(lines) + 1
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_row = row_number
    for col, title in enumerate(titles, 1):
        c = sheet.cell(row_number, col, title)
        c.font, c.border = Font(bold=True), border
    amount_from = len(titles) - (3 if quote.columns == "ht_tva_ttc" else 1) + 1
    for kind, cells in body(quote):
        row_number += 1
        if kind == "section":
            sheet.cell(row_number, 1, cells[0]).font = Font(bold=True)
            for col in range(1, len(titles) + 1):
                sheet.cell(row_number, col).border = border
            sheet.merge_cells(
                start_row=row_number, start_column=1, end_row=row_number, end_column=len(titles)
            )
            continue
        # A spreadsheet does not grow a row for wrapped text by itself: its author does.
        chars = max(8, int(widths[0] * 4.6))
        sheet.row_dimensions[row_number].height = 12.5 * max(1, -(-len(cells[0]) // chars) + 1)
        for col, text in enumerate(cells, 1):
            c = sheet.cell(row_number, col, text)
            c.border = border
            c.alignment = Alignment(
                wrap_text=True, vertical="top", horizontal="right" if col >= amount_from else "left"
            )
        if kind == "total" and quote.layout == "scope_column":
            sheet.merge_cells(start_row=row_number, start_column=1, end_row=row_number, end_column=2)
    row_number += 2
    for text in [*quote.mentions, quote.signature]:
        sheet.cell(row_number, 1, text)
        row_number += 1
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape" if quote.landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.6, right=0.6, top=0.6, bottom=0.6)
    source = out.with_suffix(".xlsx")
    workbook.save(source)
    return source


def convert(sources: list[Path], outdir: Path) -> None:
    """LibreOffice, headless, a private profile: every source converted in one run."""
    if not sources:
        return
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed: apt-get install -y libreoffice-nogui")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                *map(str, sources),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )


# --------------------------------------------------------------------------------------------
# reportlab, WeasyPrint
# --------------------------------------------------------------------------------------------


def _fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", DEJAVU))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", DEJAVU_BOLD))


def _pagesize(quote: Quote):
    from reportlab.lib.pagesizes import A4, landscape

    return landscape(A4) if quote.landscape else A4


def write_canvas(quote: Quote, out: Path, *, letter: bool = False) -> None:
    """Billing software: text drawn at fixed x positions, no rules; a new page repeats the header."""
    from reportlab.pdfgen.canvas import Canvas

    _fonts()
    width, height = _pagesize(quote)
    canvas = Canvas(str(out), pagesize=(width, height), invariant=1)
    font = "DejaVuSans" if letter else "Helvetica"
    bold = "DejaVuSans-Bold" if letter else "Helvetica-Bold"

    def block(lines: list[str], x: float, y: float, size: float = 9.5) -> float:
        for text in lines:
            canvas.setFont(font, size)
            canvas.drawString(x, y, text)
            y -= size * 1.35
        return y

    y_left = block(quote.editor_lines(), 50, height - 60)
    if letter:
        # A letter: sender on the left, addressee on the right, then the body in two columns.
        y_right = block([*quote.client_lines(), "", *quote.header_lines()], width / 2 + 20, height - 60)
        y = min(y_left, y_right) - 16
        words = (
            intro(quote) + " Les montants ci-dessous sont exprimés toutes taxes comprises. "
            "La prestation est réalisée par nos équipes sur site et à distance."
        ).split()
        column, columns = [], []
        for word in words:
            if len(" ".join([*column, word])) > 48:
                columns.append(" ".join(column))
                column = []
            column.append(word)
        columns.append(" ".join(column))
        half = (len(columns) + 1) // 2
        block(columns[:half], 50, y)
        y = block(columns[half:], width / 2 + 20, y) - 10
        y = min(y, height - 60 - 1.35 * 9.5 * (half + 8))
    else:
        y = block([*quote.header_lines(), "", *quote.client_lines()], width / 2 + 20, height - 60) - 16
        y = block([intro(quote)], 50, y) - 8

    titles = header_cells(quote)
    label_x = 50
    right_edge = width - 50
    amount_xs = [right_edge - 85 * i for i in reversed(range(len(titles) - 1))]

    def draw_header(y: float) -> float:
        canvas.setFont(bold, 9.5)
        canvas.drawString(label_x, y, titles[0])
        for x, title in zip(amount_xs, titles[1:], strict=True):
            canvas.drawRightString(x, y, title)
        return y - 18

    y = draw_header(y)
    for kind, cells in body(quote):
        if y < 80:
            canvas.showPage()
            y = draw_header(height - 60)
        canvas.setFont(bold if kind != "line" else font, 9.5)
        if kind == "section":
            y -= 4
            canvas.drawString(label_x, y, cells[0])
            y -= 15
            continue
        canvas.drawString(label_x, y, cells[0])
        for x, text in zip(amount_xs, cells[1:], strict=True):
            if text:
                canvas.drawRightString(x, y, text)
        y -= 14
    y -= 14
    for text in [*quote.mentions, quote.signature]:
        if y < 60:
            canvas.showPage()
            y = height - 60
        canvas.setFont(font, 9)
        canvas.drawString(50, y, text)
        y -= 14
    canvas.setFont(font, 7)
    canvas.drawString(50, 30, f"{quote.editor} – SAS au capital de 80 000 € – RCS Lyon 812 345 678")
    canvas.showPage()
    canvas.save()


def write_platypus(quote: Quote, out: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _fonts()
    normal = ParagraphStyle("n", fontName="DejaVuSans", fontSize=9, leading=11)
    strong = ParagraphStyle("b", parent=normal, fontName="DejaVuSans-Bold")
    right = ParagraphStyle("r", parent=normal, alignment=2)
    story = [Paragraph(text, normal) for text in [*quote.editor_lines(), *quote.header_lines()]]
    story += [Spacer(1, 8)] + [Paragraph(text, normal) for text in quote.client_lines()]
    story += [Spacer(1, 8), Paragraph(intro(quote), normal), Spacer(1, 8)]
    titles = header_cells(quote)
    data = [[Paragraph(t, strong) for t in titles]]
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    for kind, cells in body(quote):
        if kind == "section":
            data.append([Paragraph(cells[0], strong)] + [""] * (len(titles) - 1))
            style.append(("SPAN", (0, len(data) - 1), (-1, len(data) - 1)))
            continue
        first = strong if kind == "total" else normal
        data.append([Paragraph(escape(cells[0]), first)] + [Paragraph(escape(c), right) for c in cells[1:]])
    widths = widths_cm(quote, 17)
    table = Table(data, colWidths=[w * cm for w in widths], repeatRows=1)
    table.setStyle(TableStyle(style))
    story += [table, Spacer(1, 10)]
    story += [Paragraph(escape(text), normal) for text in [*quote.mentions, quote.signature]]
    SimpleDocTemplate(
        str(out), pagesize=_pagesize(quote), invariant=1, leftMargin=2 * cm, rightMargin=2 * cm
    ).build(story)


def write_weasy(quote: Quote, out: Path) -> None:
    from weasyprint import HTML

    titles = header_cells(quote)
    head = "".join(f"<th>{escape(t)}</th>" for t in titles)
    rows = []
    for kind, cells in body(quote):
        if kind == "section":
            rows.append(f'<tr class="section"><td colspan="{len(titles)}">{escape(cells[0])}</td></tr>')
            continue
        tds = [f"<td>{escape(cells[0])}</td>"] + [f'<td class="num">{escape(c)}</td>' for c in cells[1:]]
        rows.append(f'<tr class="{kind}">{"".join(tds)}</tr>')
    widths = widths_cm(quote, 17)
    cols = "".join(f'<col style="width:{w}cm">' for w in widths)
    size = "A4 landscape" if quote.landscape else "A4"
    html = f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><style>
@page {{ size: {size}; margin: 1.8cm 2cm; }}
body {{ font-family: 'DejaVu Sans'; font-size: 9pt; }}
.top {{ display: flex; justify-content: space-between; }}
table {{ border-collapse: collapse; width: {sum(widths)}cm; margin: 10pt 0; table-layout: fixed; }}
th, td {{ border-bottom: 0.5pt solid #999; padding: 3pt 4pt; vertical-align: top; }}
th {{ background: #eef; text-align: left; }}
td.num {{ text-align: right; white-space: nowrap; }}
tr.section td, tr.total td {{ font-weight: bold; }}
</style></head><body>
<div class="top"><div>{"<br>".join(map(escape, quote.editor_lines()))}</div>
<div>{"<br>".join(map(escape, quote.header_lines()))}</div></div>
<p>{"<br>".join(map(escape, quote.client_lines()))}</p>
<p>{escape(intro(quote))}</p>
<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>
{"".join(f"<p>{escape(m)}</p>" for m in quote.mentions)}
<p>{escape(quote.signature)}</p>
</body></html>"""
    HTML(string=html).write_pdf(str(out))


# --------------------------------------------------------------------------------------------
# After printing: protection, rotation, scanning
# --------------------------------------------------------------------------------------------


def post_process(source: Path, out: Path, how: str, quote: Quote) -> None:
    from pypdf import PdfReader, PdfWriter

    if how == "scan":
        _scan(quote, out)
        return
    writer = PdfWriter(clone_from=PdfReader(str(source)))
    if how == "rc4":
        writer.encrypt(
            user_password="", owner_password="editeur-owner", algorithm="RC4-128", permissions_flag=0b0100
        )  # printing only
    elif how == "aes256":
        writer.encrypt(
            user_password="", owner_password="editeur-owner", algorithm="AES-256", permissions_flag=0b0100
        )
    elif how == "user_password":
        writer.encrypt(user_password="labo2022", owner_password="editeur-owner", algorithm="AES-256")
    elif how == "rotate90":
        for page in writer.pages:
            page.rotate(90)
    else:
        raise ValueError(how)
    buffer = io.BytesIO()
    writer.write(buffer)
    out.write_bytes(buffer.getvalue())


def _scan(quote: Quote, out: Path) -> None:
    """The printed quote as a scanner sees it: pixels only, slightly skewed."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    image = Image.new("L", (827, 1169), 255)
    draw = ImageDraw.Draw(image)
    small = ImageFont.truetype(DEJAVU, 13)
    y = 60
    lines = [*quote.editor_lines(), *quote.header_lines(), *quote.client_lines(), ""]
    lines += [" ".join(c for c in cells if c) for _kind, cells in body(quote)]
    lines += ["", *quote.mentions, quote.signature]
    for text in lines:
        draw.text((60, y), text[:95], fill=0, font=small)
        y += 22
    image = image.rotate(0.6, fillcolor=255)
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "scan.png"
        image.convert("1").save(png, optimize=True)
        canvas = Canvas(str(out), pagesize=A4, invariant=1)
        canvas.drawImage(str(png), 0, 0, A4[0], A4[1])
        canvas.showPage()
        canvas.save()
