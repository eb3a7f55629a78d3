"""The payment order screen at ASP scale: 10,000 validated requests exported as CSV and XLSX by
the admin (issue 15 review: 6.5–9.9 s before, under a second after; bench/NOTES.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/segur_bench_payments \\
        .venv/bin/python bench/payment_order.py --rows 10000 [--profile]

On a data set from bench/generate.py, made up to N validated requests with bank details by
`bench/payment_import.py`'s `_make_up`, all rolled back at the end. Times `payment_order()` and the
admin view (test client, a staff session with its second factor as in bench/pages.py) three
times each; `--profile` prints cProfile's top functions for one CSV export.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_env, load_average


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ.update(bench_env())
    import django

    django.setup()
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from bench.pages import _second_factor_passed
    from bench.payment_import import _make_up
    from segur_funding.funding import payment_batch
    from segur_funding.funding.resources import csv_stream
    from segur_funding.organizations.constants import ASP_REVIEWERS_GROUP
    from segur_funding.organizations.models import User

    print(f"charge : {load_average()}")
    with transaction.atomic():
        available = _make_up(args.rows)
        asp = User.objects.filter(groups__name=ASP_REVIEWERS_GROUP).first()
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(asp)
        _second_factor_passed(client, asp)
        url = reverse("admin:funding_payment_order")
        times = []
        for _ in range(3):
            started = time.perf_counter()
            order = payment_batch.payment_order()
            times.append(time.perf_counter() - started)
        print(f"payment_order() : {len(order.rows) - 1} lignes ({available} validées) en "
              + " / ".join(f"{t:.2f}" for t in times) + " s")
        for file_format in ("csv", "xlsx"):
            times = []
            for _ in range(3):
                started = time.perf_counter()
                response = client.get(url, {"format": file_format}, secure=True)
                body = b"".join(response.streaming_content) if response.streaming else response.content
                times.append(time.perf_counter() - started)
            print(f"vue admin {file_format.upper()} : HTTP {response.status_code}, {len(body)} octets en "
                  + " / ".join(f"{t:.2f}" for t in times) + " s")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            "".join(csv_stream(payment_batch.payment_order().rows))
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        transaction.set_rollback(True)  # the bench leaves the data as it found it
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
