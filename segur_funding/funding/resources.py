"""Exports of funding requests for the ASP and accounting: CSV and XLSX.

An export reads only the columns it shows (`values_list()`, joined fields included), in chunks
of sorted ids, each chunk a plain query ordered by pk. At national scale (200,000 requests) model
instances (a quote carries its JSON document and check report), django-import-export's per-field
machinery and a server-side cursor over one huge IN list cost a minute and hundreds of MB; plain
tuples cost a few seconds and no memory growth. Background jobs write to a temporary file.

CSV and XLSX receive the same cell values from one row builder. In the CSV, any text cell that a
spreadsheet could read as a formula (starting with = + - @, a tab or a carriage return) is
neutralised with a leading apostrophe: a lab or editor name is data, never a formula. The XLSX
needs no such guard (an inline-string cell is never evaluated), so it shows names as they are.
"""

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import IO, Any

from django.db.models import CharField, TextChoices
from django.db.models.functions import Cast
from django.utils import timezone

from .constants import Milestone, RequestStatus
from .models import FundingRequest

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"  # what French spreadsheet software opens without a wizard
CHUNK_SIZE = 5000  # ids per query: one short IN list each, ordered by pk, no server-side cursor
SHEET_TITLE = "Demandes de financement"


# --- Cell values (shared by CSV and XLSX) ---------------------------------------------------------


def _text(value: object) -> str:
    """What django-import-export showed for a plain field: str(), None as ""."""
    return "" if value is None else str(value)


def _amount(value: Decimal | None) -> Decimal | str:
    """Amounts stay Decimal: numbers in XLSX, French decimal comma in CSV."""
    return "" if value is None else value


def _as_text(field: str) -> Cast:
    """A timestamp read as its ISO text: Django's psycopg loader for timestamptz is pure Python
    and took a fifth of the export's time; datetime.fromisoformat() is ten times cheaper."""
    return Cast(field, output_field=CharField())


def _local_datetime(value: str | None) -> str:
    """Paris time (the site's zone, settings.TIME_ZONE), whoever runs the export.

    Not timezone.localtime(): its lookup of the active zone costs more than the conversion and
    the formatting together, twice per row.
    """
    if value is None:
        return ""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:  # SQLite keeps UTC without an offset; PostgreSQL writes "+00"
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(timezone.get_default_timezone())
    return f"{local.day:02}/{local.month:02}/{local.year} {local.hour:02}:{local.minute:02}"


def _day(value: date | None) -> str:
    return "" if value is None else f"{value.day:02}/{value.month:02}/{value.year}"


def _label(choices: type[TextChoices]) -> Callable[[str], object]:
    """What get_FOO_display() shows, without a model instance."""
    labels = dict(choices.choices)
    return lambda value: str(labels.get(value, value))


@dataclass(frozen=True)
class Column:
    header: str
    lookup: str  # a values_list() lookup on FundingRequest, or the name of `expression`
    cell: Callable[[Any], object]  # the database value to the cell value
    expression: Cast | None = None


COLUMNS = (
    Column("N° de demande", "pk", _text),
    Column("Devis", "quote__number", _text),
    Column("Éditeur", "editor__name", _text),
    Column("SIREN éditeur", "editor__siren", _text),
    Column("Client", "quote__client__name", _text),
    Column("SIRET client", "quote__client__siret", _text),
    Column("DSR", "quote__dsr__code", _text),
    Column("Jalon", "milestone", _label(Milestone)),
    Column("Statut", "status", _label(RequestStatus)),
    Column("Montant financé TTC (€)", "funded_amount", _amount),
    Column("Montant demandé TTC (€)", "amount", _amount),
    Column("Déposée le", "submitted_text", _local_datetime, _as_text("submitted_at")),
    Column("Décidée le", "decided_text", _local_datetime, _as_text("decided_at")),
    Column("Versée le", "payment__paid_on", _day),
    Column("Montant versé TTC (€)", "payment__amount", _amount),
    Column("Référence du versement", "payment__reference", _text),
)
HEADERS = [column.header for column in COLUMNS]


def export_rows(request_ids: Iterable[int]) -> Iterator[list]:
    """The header, then one row of cell values per existing request, in pk order."""
    yield list(HEADERS)
    ordered = sorted(set(request_ids))
    expressions = {column.lookup: column.expression for column in COLUMNS if column.expression}
    lookups = [column.lookup for column in COLUMNS]
    cells = [column.cell for column in COLUMNS]
    requests = FundingRequest.objects.annotate(**expressions)
    for start in range(0, len(ordered), CHUNK_SIZE):
        chunk = requests.filter(pk__in=ordered[start : start + CHUNK_SIZE]).order_by("pk")
        for values in chunk.values_list(*lookups):
            yield [cell(value) for cell, value in zip(cells, values, strict=True)]


# --- CSV ----------------------------------------------------------------------------------------


def _csv_amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")  # French decimal comma


def _csv_cell(value: object) -> object:
    # The csv module writes None as an empty field; amounts need the French comma, text the guard.
    if isinstance(value, Decimal):
        return _csv_amount(value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv_row(row: list) -> list:
    return [_csv_cell(value) for value in row]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[list]) -> Iterator[str]:
    """CSV lines one at a time (for StreamingHttpResponse), with a BOM so Excel reads UTF-8."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(_csv_row(row))


def csv_write(rows: Iterable[list], handle: IO[bytes]) -> int:
    """The same bytes as csv_stream, written to a binary file; returns the number of data rows."""
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    text.write("\ufeff")
    writer = csv.writer(text, delimiter=CSV_DELIMITER)
    written = 0
    for row in rows:
        writer.writerow(_csv_row(row))
        written += 1
    text.flush()
    text.detach()  # the caller owns the file: closing the wrapper must not close it
    return max(written - 1, 0)


# --- XLSX ---------------------------------------------------------------------------------------
# Written by hand: a zip of fixed XML parts and one sheet of inline strings. XlsxWriter in
# constant-memory mode spends about 10 µs of CPU per cell, openpyxl's write-only mode more (on the
# bench machine, 800,000 cells: 8.4 s with XlsxWriter's write_string/write_number against 1.1 s
# here; 200,000 requests take ~34 s more, over twice the whole export's time); one f-string per
# cell costs a seventh of that. The cells read back as openpyxl wrote them: text stays text,
# Decimal becomes a number, "" and None leave the cell empty; tests/funding/test_exports.py reads
# random Unicode back with openpyxl and LibreOffice.

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XLSX_PARTS = {
    "[Content_Types].xml": (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OFFICE_TYPE}.worksheet+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_OFFICE_TYPE}.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'{_XML}<Relationships xmlns="{_REL_NS}">'
        f'<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        f'{_XML}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_DOC_REL}">'
        f'<sheets><sheet name="{SHEET_TITLE}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'{_XML}<Relationships xmlns="{_REL_NS}">'
        f'<Relationship Id="rId1" Type="{_DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_DOC_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        f'{_XML}<styleSheet xmlns="{_MAIN_NS}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
# Characters XML 1.0 cannot carry (C0 controls but tab, line feed and carriage return; U+FFFE,
# U+FFFF; lone surrogates, which cannot even be encoded) become U+FFFD, the replacement character:
# they only ever come from a corrupted name, and every reader shows U+FFFD the same way. A literal
# "_xHHHH_" is escaped as "_x005F_xHHHH_" (the OOXML escape of its underscore, as XlsxWriter does):
# Excel and LibreOffice would otherwise show the character it encodes.
_XML_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OOXML_LITERAL = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_ROWS_PER_WRITE = 1000


def _xml_text(value: str) -> str:
    if _XML_SPECIAL.search(value) is None:
        return value
    value = _XML_FORBIDDEN.sub("\ufffd", _OOXML_LITERAL.sub(r"_x005F_\1", value))
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # An XML reader turns a raw carriage return into a line feed; the character reference keeps it.
    return value.replace("\r", "&#13;")


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _xlsx_row(number: int, letters: list[str], row: list) -> str:
    cells = []
    for letter, value in zip(letters, row, strict=True):
        if value is None or value == "":
            cells.append(f'<c r="{letter}{number}"/>')  # present but empty, as openpyxl does
        elif isinstance(value, str):
            cells.append(
                f'<c r="{letter}{number}" t="inlineStr">'
                f'<is><t xml:space="preserve">{_xml_text(value)}</t></is></c>'
            )
        else:
            # openpyxl's number format: 9882 rather than 9882.00, 19603.52 as it is.
            cells.append(f'<c r="{letter}{number}"><v>{float(value):.16g}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _xlsx_sheet_write(rows: Iterable[list], sheet: IO[bytes]) -> int:
    sheet.write(f'{_XML}<worksheet xmlns="{_MAIN_NS}"><sheetData>'.encode())
    letters: list[str] = []
    pending: list[str] = []
    number = 0
    for row in rows:
        number += 1
        letters = letters or [_column_letter(index) for index in range(len(row))]
        pending.append(_xlsx_row(number, letters, row))
        if len(pending) == _ROWS_PER_WRITE:
            sheet.write("".join(pending).encode())
            pending.clear()
    sheet.write(("".join(pending) + "</sheetData></worksheet>").encode())
    return number


def xlsx_write(rows: Iterable[list], handle: IO[bytes]) -> int:
    """One sheet of the rows, written to a binary file; returns the number of data rows."""
    # The sheet is spooled to disk first so that the zip knows its size and uses ZIP64 headers
    # only when it needs them (a sheet past 2 GiB: a whole-country export); plain zip headers are
    # what every spreadsheet reader accepts. Level 1: a quarter of level 6's time, a file 20 % larger.
    with tempfile.NamedTemporaryFile(suffix=".xml") as sheet:
        written = _xlsx_sheet_write(rows, sheet)
        sheet.flush()
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, content in _XLSX_PARTS.items():
                archive.writestr(name, content)
            archive.write(sheet.name, "xl/worksheets/sheet1.xml")
    return max(written - 1, 0)


def xlsx_bytes(rows: Iterable[list]) -> tuple[bytes, int]:
    """The XLSX in memory, for the admin's small synchronous exports."""
    buffer = io.BytesIO()
    count = xlsx_write(rows, buffer)
    return buffer.getvalue(), count


# --- Files --------------------------------------------------------------------------------------


@contextmanager
def export_file(*, request_ids: Iterable[int], file_format: str) -> Iterator[tuple[IO[bytes], int]]:
    """The export in a temporary file (rewound, deleted on exit) and its number of data rows.

    The file never sits in memory, whatever the number of rows: the storage copies it by chunks.
    """
    write = xlsx_write if file_format == "xlsx" else csv_write
    with tempfile.TemporaryFile() as handle:
        count = write(export_rows(request_ids), handle)
        handle.seek(0)
        yield handle, count
