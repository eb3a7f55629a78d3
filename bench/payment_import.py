"""Batch payments at ASP scale: a payment order of N validated requests, paid by importing the
accounting system's answer file (issue 15: a 10,000-row file in ≤ 30 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/segur_bench_payments \\
        .venv/bin/python bench/generate.py --scale 0.05 --no-history
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/segur_bench_payments \\
        .venv/bin/python bench/payment_import.py --rows 10000

On a data set from bench/generate.py (production settings, PostgreSQL): every editor with a
request awaiting payment is given validated bank details if it has none (the generator writes
none); when fewer than N requests are validated, paid advance requests are
made validated again to make up the number (advances whose quote has no balance request: their
payment is removed). Then it times, as ASP's screens do: the payment order, the file's dry run (the
preview), and the import itself — `services.payments_record_bulk`: the checks of the single
« Enregistrer le versement » per row, the writes in bulk, one digest per editor, all in one
transaction. The import is rolled back at the end: the script can be run again on the same data.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_env, load_average, machine

LIMIT_SECONDS = 30.0
# A valid French IBAN and BIC (checked by python-stdnum like any other): the bench's editors share it.
IBAN, BIC = "FR7630006000011234567890189", "AGRIFRPP882"


def _setup() -> None:
    os.environ.update(bench_env())
    import django

    django.setup()


def _make_up(rows: int) -> int:
    """At least `rows` validated requests, each editor with bank details in force."""
    from django.db import connection
    from django.db.models import Exists, OuterRef

    from segur_funding.core import clock
    from segur_funding.funding.constants import AWAITING_PAYMENT, Milestone, RequestStatus
    from segur_funding.funding.models import FundingRequest, Payment
    from segur_funding.organizations.constants import BankAccountStatus
    from segur_funding.organizations.models import BankAccount, User

    validated = FundingRequest.objects.filter(status__in=AWAITING_PAYMENT)
    missing = rows - validated.count()
    if missing > 0:
        # Paid advances whose quote has no balance request yet: their payment is removed and the
        # request is validated again (the whole run is rolled back).
        candidates = list(
            FundingRequest.objects.filter(status=RequestStatus.PAID, milestone=Milestone.ADVANCE)
            .exclude(
                Exists(
                    FundingRequest.objects.filter(quote_id=OuterRef("quote_id"), milestone=Milestone.BALANCE)
                )
            )
            .values_list("pk", flat=True)[:missing]
        )
        Payment.objects.filter(request_id__in=candidates).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE funding_fundingrequest SET status = %s WHERE id = ANY(%s)",
                [RequestStatus.VALIDATED, candidates],
            )
    editors = set(validated.values_list("editor_id", flat=True).distinct())
    covered = set(
        BankAccount.objects.filter(status=BankAccountStatus.VALIDATED).values_list(
            "organization_id", flat=True
        )
    )
    author = User.objects.filter(is_superuser=True).first() or User.objects.first()
    now = clock.now()
    BankAccount.objects.bulk_create(
        BankAccount(
            organization_id=editor,
            holder=f"Éditeur {editor}",
            iban=IBAN,
            bic=BIC,
            document="bench/rib.pdf",
            document_sha256="0" * 64,
            status=BankAccountStatus.VALIDATED,
            submitted_by=author,
            submitted_at=now,
            decided_by=author,
            decided_at=now,
        )
        for editor in editors - covered
    )
    return validated.count()


def _answer_file(order_rows: list[list], rows: int) -> bytes:
    from segur_funding.core import clock

    paid_on = clock.today().strftime("%d/%m/%Y")
    lines = ["N° de demande;Montant versé (€);Date de versement;Référence du versement"]
    for number, row in enumerate(order_rows[1 : rows + 1], start=1):
        amount = f"{row[8]:.2f}".replace(".", ",")
        lines.append(f"{row[0]};{amount};{paid_on};VIR-BENCH-{number:06d}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    _setup()

    from django.db import transaction

    from segur_funding.funding.payment_batch import payment_file_import, payment_order
    from segur_funding.organizations.constants import ASP_REVIEWERS_GROUP
    from segur_funding.organizations.models import User

    asp = User.objects.filter(groups__name=ASP_REVIEWERS_GROUP).first()
    if asp is None:
        print("Aucun instructeur ASP dans cette base : lancez d'abord bench/generate.py.")
        return 2
    print(f"Machine : {machine()} ; charge : {load_average()}")
    with transaction.atomic():
        available = _make_up(args.rows)
        started = time.perf_counter()
        order = payment_order()
        order_seconds = time.perf_counter() - started
        rows = min(args.rows, len(order.rows) - 1)
        content = _answer_file(order.rows, rows)
        started = time.perf_counter()
        preview = payment_file_import(content=content, file_format="csv", user=asp, dry_run=True)
        preview_seconds = time.perf_counter() - started
        started = time.perf_counter()
        outcome = payment_file_import(content=content, file_format="csv", user=asp, dry_run=False)
        import_seconds = time.perf_counter() - started
        transaction.set_rollback(True)  # the bench leaves the data as it found it
    if not (preview.ok and outcome.ok):
        print("Import refusé :", *(preview.errors or outcome.errors)[:5], sep="\n  ")
        return 1
    print(f"Demandes validées en attente de versement : {available}")
    print(f"Ordre de paiement : {len(order.rows) - 1} lignes en {order_seconds:.1f} s")
    print(
        f"Fichier de versements : {rows} lignes, {outcome.total} € — aperçu {preview_seconds:.1f} s, "
        f"import {import_seconds:.1f} s ({rows / import_seconds:.0f} lignes/s ; limite {LIMIT_SECONDS:.0f} s "
        f"pour 10 000 lignes)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
