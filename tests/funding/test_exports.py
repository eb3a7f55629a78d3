"""The ASP export: the CSV the ASP's tools read, the XLSX with the same cells, the background file."""

import csv
import io
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segur_funding.core import clock
from segur_funding.funding import resources, services
from segur_funding.funding.models import ExportJob
from tests.funding.factories import Scenario, conform_lines

pytestmark = pytest.mark.django_db

HEADER = (
    "N° de demande;Devis;Éditeur;SIREN éditeur;Client;SIRET client;DSR;Jalon;Statut;"
    "Montant financé TTC (€);Montant demandé TTC (€);Déposée le;Décidée le;Versée le;"
    "Montant versé TTC (€);Référence du versement"
)


@pytest.fixture
def requests(reference_data, asp):
    """Two advances: one paid, filed and decided across the autumn DST change (and across
    midnight UTC), with cents, a formula-looking quote number and payment reference; one only
    filed, in summer time. The clock is moved for the services' submitted_at / decided_at."""
    scenario = Scenario()
    scenario.editor.name = "Éditeur & Fils"
    scenario.editor.save()
    scenario.lab.name = "Labo <Nord>"
    scenario.lab.save()
    paid_quote = scenario.signed(number="=1+1", lines=conform_lines(Decimal("31000.55")))
    filed_quote = scenario.signed(number="DEV-2022-0002")
    editor_user = scenario.editor_user
    with clock.travel_to(datetime(2022, 10, 29, 23, 30, tzinfo=UTC)):  # 01:30 CEST
        paid = services.advance_request_file(quote=paid_quote, user=editor_user, today=date(2022, 10, 30))
    with clock.travel_to(datetime(2022, 10, 30, 2, 30, tzinfo=UTC)):  # 03:30 CET
        services.funding_request_validate(request=paid, user=asp)
        services.payment_record(
            request=paid,
            user=asp,
            paid_on=date(2022, 11, 2),
            reference="-VIR-2022-001",
            today=date(2022, 11, 2),
        )
    with clock.travel_to(datetime(2022, 6, 10, 8, 0, tzinfo=UTC)):  # 10:00 CEST
        filed = services.advance_request_file(quote=filed_quote, user=editor_user, today=date(2022, 6, 10))
    return paid, filed


def _csv_text(request_ids) -> str:
    return "".join(resources.csv_stream(resources.export_rows(request_ids)))


def _csv_records(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_csv_keeps_the_asp_format(requests):
    paid, filed = requests
    org = "Éditeur & Fils;732829320;Labo <Nord>;44306184000015;SGL-V1;Avance"
    expected = (
        f"\ufeff{HEADER}\r\n"
        f"{paid.pk};'=1+1;{org};Décidée et payée;31000,55;9300,17;30/10/2022 01:30;30/10/2022 03:30;"
        "02/11/2022;9300,17;'-VIR-2022-001\r\n"
        f"{filed.pk};DEV-2022-0002;{org};Déposée;32940,00;9882,00;10/06/2022 10:00;;;;\r\n"
    )
    assert _csv_text([filed.pk, paid.pk, filed.pk]) == expected


def test_background_csv_file_is_the_streamed_csv(requests, asp):
    ids = [request.pk for request in requests]
    job = services.export_job_create(user=asp, request_ids=ids, file_format="csv")
    services.export_job_run(job_id=job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == "done" and job.rows == 2
    with job.file.open("rb") as stored:
        assert stored.read() == _csv_text(ids).encode("utf-8")


def _as_csv_text(value: object) -> str:
    """A cell as the CSV shows it: French decimal comma, formula guard on text."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return f"{Decimal(str(value)):.2f}".replace(".", ",")
    return "'" + value if value.startswith(resources.FORMULA_TRIGGERS) else value


def test_xlsx_cells_match_the_csv(requests, asp):
    from openpyxl import load_workbook

    ids = [request.pk for request in requests]
    job = services.export_job_create(user=asp, request_ids=ids, file_format="xlsx")
    services.export_job_run(job_id=job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    with job.file.open("rb") as stored:
        sheet = load_workbook(io.BytesIO(stored.read())).active
    cells = [list(row) for row in sheet.values]

    assert job.rows == 2
    assert sheet.title == "Demandes de financement"
    assert [[_as_csv_text(value) for value in row] for row in cells] == _csv_records(_csv_text(ids))
    # Amounts are numbers a spreadsheet can add up; identifiers and dates stay text.
    record = dict(zip(cells[0], cells[1], strict=True))
    assert record["Montant financé TTC (€)"] == pytest.approx(31000.55)
    assert record["N° de demande"] == str(requests[0].pk)
    # An XLSX text cell is never a formula: the number is shown as it is, without the CSV's guard.
    assert record["Devis"] == "=1+1"
    assert record["Référence du versement"] == "-VIR-2022-001"


def test_export_reads_requests_in_chunks(requests, monkeypatch, django_assert_num_queries):
    paid, filed = requests
    monkeypatch.setattr(resources, "CHUNK_SIZE", 1)
    with django_assert_num_queries(2):  # one query per chunk, whatever the columns
        rows = list(resources.export_rows([filed.pk, paid.pk]))
    assert [row[0] for row in rows[1:]] == sorted([str(paid.pk), str(filed.pk)], key=int)


# Names come from editors and labs: any Unicode a form lets through, including what XML 1.0 cannot
# carry (C0 controls, U+FFFE/U+FFFF) and text that looks like an OOXML escape ("_x0041_").
_PIECES = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(["\x01", "\x0b", "\x1f", "\ufffe", "\uffff", "😀", "עברית", "_x0041_", "\r", "&<>"]),
)
_NAMES = st.lists(_PIECES, max_size=20).map("".join)


def _xml_safe(text: str) -> str:
    return "".join(
        "\ufffd" if (ord(c) < 32 and c not in "\t\n\r") or c in "\ufffe\uffff" else c for c in text
    )


@settings(max_examples=60, deadline=None)
@given(names=st.lists(_NAMES, min_size=1, max_size=8))
def test_xlsx_reads_back_any_unicode_name(names):
    from openpyxl import load_workbook
    from openpyxl.utils.escape import unescape

    content, count = resources.xlsx_bytes([list(names), [Decimal("9882.00")] * len(names)])
    sheet = load_workbook(io.BytesIO(content)).active
    header, amounts = (list(row) for row in sheet.values)
    # What XML cannot carry shows as U+FFFD; everything else, emoji and right-to-left included,
    # reads back exactly (openpyxl leaves OOXML escapes to the caller, as Excel would decode them).
    assert [unescape(value) if value else "" for value in header] == [_xml_safe(name) for name in names]
    assert amounts == [9882] * len(names)
    assert count == 1


def test_libreoffice_opens_the_xlsx_with_every_name_as_written(tmp_path):
    """The ASP opens exports in a spreadsheet: LibreOffice (installed by `make setup`) must read
    every name as written, text that looks like a formula or an escape included."""
    names = ["a\x01b", "x\uffffy", "_x0041_", "emoji 😀", "עברית RTL", "=1+1", "-VIR-1", "a&<b>", "tab\tx"]
    content, _count = resources.xlsx_bytes([names, [Decimal("9882.00")] * len(names)])
    (tmp_path / "export.xlsx").write_bytes(content)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "export.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (tmp_path / "export.csv").read_text(encoding="utf-8")
    header, amounts = csv.reader(io.StringIO(text))
    assert header == [_xml_safe(name) for name in names]
    assert amounts == ["9882"] * len(names)
