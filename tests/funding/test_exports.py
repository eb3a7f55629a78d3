"""The ASP export: the CSV the ASP's tools read, the XLSX with the same cells, the background file."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

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
    if value is None:
        return ""
    if isinstance(value, int | float):
        return f"{Decimal(str(value)):.2f}".replace(".", ",")
    return value


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
    assert record["Devis"] == "'=1+1"


def test_export_reads_requests_in_chunks(requests, monkeypatch, django_assert_num_queries):
    paid, filed = requests
    monkeypatch.setattr(resources, "CHUNK_SIZE", 1)
    with django_assert_num_queries(2):  # one query per chunk, whatever the columns
        rows = list(resources.export_rows([filed.pk, paid.pk]))
    assert [row[0] for row in rows[1:]] == sorted([str(paid.pk), str(filed.pk)], key=int)
