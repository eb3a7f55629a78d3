"""How many structured (JSON) quotes the pure checker judges per second, on one core.

No database: the SGL-V1 scheme is built here as the selectors would build it, and labels are read
with the shipped wordings (`referential.label_defaults`), as the selector's matcher would. The reference
figure is a bare loop summing the same quote's line amounts (Decimals), i.e. the floor any
checker pays just to look at the amounts.

    .venv/bin/python bench/structured_checks.py
"""

import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from segur_funding.quotes.documents import parse_quote_document
from segur_funding.quotes.rules import check_quote
from segur_funding.referential import constants
from segur_funding.referential.rules import SchemeRef, TierRow, WindowRef

TARGET_PER_SECOND = 20_000

SCHEME = SchemeRef(
    dsr_code="SGL-V1",
    name="AF SGL vague 1",
    tiers=(
        TierRow("A", 1, 1, Decimal("22500.00"), Decimal("27000.00")),
        TierRow("B", 2, 21, Decimal("27450.00"), Decimal("32940.00")),
        TierRow("C", 22, 42, Decimal("30744.00"), Decimal("36893.00")),
        TierRow("D", 43, 63, Decimal("34433.00"), Decimal("41320.00")),
        TierRow("E", 64, None, Decimal("38565.00"), Decimal("46278.00")),
    ),
    windows=(
        WindowRef(
            number=1,
            label="Fenêtre de financement 1",
            order_signature_deadline=date(2022, 7, 15),
            service_completion_deadline=date(2022, 10, 15),
        ),
    ),
    advance_rate=Decimal("0.30"),  # the seed AF's figures (fixtures)
    preorder_max_days=120,
    state_funding_wording=constants.STATE_FUNDING_WORDING,
    conditional_order_mention=constants.CONDITIONAL_ORDER_MENTION,
)

# A typical 5-line quote, ordered before referencing (so every rule runs).
QUOTE = {
    "number": "D-2022-0042",
    "dsr": "SGL-V1",
    "client": {"name": "Laboratoire X", "siret": "12345678900011", "geographic_sites": 12},
    "referencing": {"referenced_on": "2022-03-01", "proofs_complete_on": "2022-02-01"},
    "order_date": "2022-01-10",
    "signature_date": "2022-01-10",
    "mentions": [constants.CONDITIONAL_ORDER_MENTION],
    "conditions": [],
    "lines": [
        {"label": "Droits d'utilisation de la version référencée Ségur du SGL", "scope": "segur",
         "dsr": ["SGL-V1"], "amount_ttc": "14940.00", "amount_ht": "12450.00"},
        {"label": "Installation, paramétrage et qualification", "scope": "segur",
         "dsr": ["SGL-V1"], "amount_ttc": "9000.00", "amount_ht": "7500.00"},
        {"label": "Maintenance 6 ans et formation des utilisateurs", "scope": "segur",
         "dsr": ["SGL-V1"], "amount_ttc": "9000.00", "amount_ht": "7500.00"},
        {"label": "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur",
         "scope": "state_funding", "amount_ttc": "32940.00", "amount_ht": "27450.00"},
        {"label": "Module statistiques (option)", "scope": "out_of_scope",
         "amount_ttc": "1200.00", "amount_ht": "1000.00"},
    ],
}


def per_second(func, seconds: float = 1.5) -> float:
    """Calls per second of CPU time (process time: a busy machine does not skew the figure)."""
    count = 0
    start = time.process_time()
    deadline = start + seconds
    while True:
        for _ in range(200):
            func()
        count += 200
        now = time.process_time()
        if now >= deadline:
            return count / (now - start)


def main() -> int:
    today = date(2022, 5, 1)
    doc = parse_quote_document(QUOTE)
    report = check_quote(doc, scheme=SCHEME, today=today)
    assert report.verdict == "conform", report.to_dict()
    amounts = [line.amount_ttc for line in doc.lines]

    def bare_loop() -> Decimal:
        total = Decimal("0.00")
        for amount in amounts:
            total += amount
        return total

    def structured_check():
        return check_quote(doc, scheme=SCHEME, today=today)

    def parse_and_check():
        return check_quote(parse_quote_document(QUOTE), scheme=SCHEME, today=today).to_dict()

    # Worst case for the label cache of the rules: every quote has labels never seen before.
    fresh_docs = [
        parse_quote_document(
            {**QUOTE, "lines": [{**line, "label": f"{line['label']} ({i})"} for line in QUOTE["lines"]]}
        )
        for i in range(60_000)
    ]
    fresh = iter(fresh_docs * 4)

    def fresh_check():
        return check_quote(next(fresh), scheme=SCHEME, today=today)

    # Harder still: the new text sits inside a clause (« … du SGL lot 123 »), so each label
    # brings a clause the label matcher has never read (its words are known: a quote is French).
    new_clause_docs = [
        parse_quote_document(
            {**QUOTE, "lines": [{**line, "label": f"{line['label']} lot {i}"} for line in QUOTE["lines"]]}
        )
        for i in range(60_000)
    ]
    new_clause = iter(new_clause_docs * 4)

    def new_clause_check():
        return check_quote(next(new_clause), scheme=SCHEME, today=today)

    bare = per_second(bare_loop)
    checks = per_second(structured_check)
    uncached = per_second(fresh_check)
    new_clauses = per_second(new_clause_check)
    full = per_second(parse_and_check)
    print(f"bare loop summing the 5 line amounts    : {bare:12,.0f} /s")
    print(f"check_quote, typical 5-line quote       : {checks:12,.0f} quotes/s")
    print(f"check_quote, labels never seen before   : {uncached:12,.0f} quotes/s")
    print(f"  … with a clause never seen in each    : {new_clauses:12,.0f} quotes/s")
    print(f"parse JSON-shaped dict + check + to_dict: {full:12,.0f} quotes/s")
    print(f"target (check_quote, one core)          : {TARGET_PER_SECOND:12,} quotes/s")
    ok = checks >= TARGET_PER_SECOND and uncached >= TARGET_PER_SECOND
    print("OK" if ok else "TOO SLOW")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
