"""The corpus table: which quotes, printed by which producer, and what the checker must answer.

To extend it: add a scenario to SCENARIOS (rows + expected report, from SPEC §4) or a producer
to PRODUCERS (producers.py), then run `.venv/bin/python -m tests.quotes.corpus.make` (needs
LibreOffice for the word-processor and spreadsheet producers) and commit the PDFs and
expected.json. Every scenario is printed by every producer listed with it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D

from tests.quotes.corpus.model import MENTION_120, STATE, Quote, Row

SEGUR_LINES = (
    Row("Droits d'utilisation SYSLAB 9 (SGL-V1)", D("12000"), "segur"),
    Row("Installation, paramétrage et mise en service", D("6000"), "segur"),
    Row("Formation des utilisateurs (3 sessions)", D("3000"), "segur"),
    Row("Maintenance corrective et évolutive 6 ans", D("10440"), "segur"),
    Row("Livraison de la documentation et suivi de projet", D("1500"), "segur"),
)
STATE_ROW = Row(STATE, D("32940"), "state_funding")
STATS = Row("Module de statistiques d'activité", D("1200"), "out_of_scope")
CONFORM_ROWS = (*SEGUR_LINES, STATE_ROW, STATS)


ALL = ("docx", "odt", "xlsx", "canvas", "platypus", "weasy", "letter")
WORD = ("docx", "odt")


def _replace(rows: tuple[Row, ...], index: int, row: Row) -> tuple[Row, ...]:
    out = list(rows)
    out[index] = row
    return tuple(out)


def _state(amount: str) -> Row:
    return Row(STATE, D(amount), "state_funding")


# name -> (producers, what, build(quote) -> quote)
Scenario = tuple[tuple[str, ...], str, Callable[[Quote], Quote]]

SCENARIOS: dict[str, Scenario] = {
    "conform": (
        ALL,
        "Conform SGL tier B quote: Ségur lines, the State's share deducted, one out-of-scope module.",
        lambda q: q,
    ),
    "remainder": (
        ALL,
        "The State deducts 30 000 € of a 32 940 € Prestation: the lab pays the rest.",
        lambda q: q.with_(
            rows=_replace(CONFORM_ROWS, 5, _state("30000")),
            verdict="non_conform",
            codes=("CLIENT_REMAINDER",),
        ),
    ),
    "missing_state_funding": (
        ALL,
        "No State-funding line at all: the lab is asked for the whole Prestation.",
        lambda q: q.with_(
            rows=(*SEGUR_LINES, STATS),
            verdict="non_conform",
            codes=("MISSING_STATE_FUNDING_LINE", "CLIENT_REMAINDER"),
        ),
    ),
    "cap_exceeded": (
        ALL,
        "One geographic site (tier A, cap 27 000 € TTC) but 32 940 € deducted as State funding.",
        lambda q: q.with_(sites=1, verdict="non_conform", codes=("CAP_EXCEEDED",)),
    ),
    "unclassified": (
        ALL,
        "One line is neither in the Ségur part nor out of scope.",
        lambda q: q.with_(
            rows=(*CONFORM_ROWS, Row("Reprise des données historiques", D("900"), None)),
            verdict="non_conform",
            codes=("UNCLASSIFIED_LINE",),
        ),
    ),
    "excluded_server": (
        ALL,
        "A server (infrastructure) sits in the Ségur part and is paid by the State.",
        lambda q: q.with_(
            rows=(
                Row("Droits d'utilisation SYSLAB 9 (SGL-V1)", D("9000"), "segur"),
                Row("Serveur de base de données (fourniture)", D("3000"), "segur"),
                *SEGUR_LINES[1:],
                STATE_ROW,
                STATS,
            ),
            verdict="non_conform",
            codes=("EXCLUDED_ITEM_FUNDED",),
        ),
    ),
    "conditional": (
        ALL,
        "The offer is conditioned on buying an optional module.",
        lambda q: q.with_(
            mentions=("Offre valable sous réserve de la souscription du module Qualité en option.",),
            verdict="non_conform",
            codes=("CONDITIONAL_OFFER",),
        ),
    ),
    "sun_es": (
        ALL,
        "The quote relies on SUN-ES funding.",
        lambda q: q.with_(
            mentions=("Le solde sera financé au titre du programme SUN-ES.",),
            verdict="non_conform",
            codes=("SUN_ES_REFERENCE",),
        ),
    ),
    "ht_tva_ttc": (
        ("docx", "odt", "xlsx", "platypus", "weasy"),
        "Conform quote with HT, TVA and TTC columns.",
        lambda q: q.with_(columns="ht_tva_ttc"),
    ),
    "sections": (
        ("docx", "odt", "xlsx"),
        "Conform quote whose table is cut by merged heading rows « Prestation Ségur » / « Hors Ségur ».",
        lambda q: q.with_(layout="sections"),
    ),
    "long_table": (
        ("docx", "odt", "xlsx", "platypus", "weasy"),
        "Conform quote whose table runs over two pages, its header row repeated on page 2.",
        lambda q: q.with_(
            rows=(
                *[
                    Row(f"Formation sur site n° {i} : prise en main des postes de saisie", D("100"), "segur")
                    for i in range(1, 31)
                ],
                *SEGUR_LINES[:2],
                SEGUR_LINES[3],
                SEGUR_LINES[4],
                STATE_ROW,
                STATS,
            ),
        ),
    ),
    "mixed_dsr": (
        ("docx", "canvas", "weasy"),
        "One Ségur line covers two DSRs (SGL and LOINC).",
        lambda q: q.with_(
            rows=_replace(
                CONFORM_ROWS, 0, Row("Droits d'utilisation SGL-V1 et LOINC-V1", D("12000"), "segur")
            ),
            args=("--dsr", "SGL-V1"),
            verdict="non_conform",
            codes=("MIXED_DSR_LINE",),
        ),
    ),
    "order_before_ref_no_mention": (
        ("odt", "platypus"),
        "Ordered before referencing without the §3.2 mention.",
        lambda q: q.with_(
            args=(
                "--referenced-on",
                "2022-07-01",
                "--proofs-complete-on",
                "2022-06-15",
                "--order-date",
                "2022-06-01",
            ),
            verdict="non_conform",
            codes=("MISSING_CONDITIONAL_MENTION",),
        ),
    ),
    "order_before_ref_with_mention": (
        ("docx", "weasy"),
        "Ordered before referencing, with the §3.2 mention: conform.",
        lambda q: q.with_(
            mentions=(MENTION_120,),
            args=(
                "--referenced-on",
                "2022-07-01",
                "--proofs-complete-on",
                "2022-06-15",
                "--order-date",
                "2022-06-01",
            ),
        ),
    ),
    "order_too_early": (
        ("docx", "canvas"),
        "Ordered 150 days before the complete proof dossier (mention printed).",
        lambda q: q.with_(
            mentions=(MENTION_120,),
            args=(
                "--referenced-on",
                "2022-07-01",
                "--proofs-complete-on",
                "2022-06-15",
                "--order-date",
                "2022-01-16",
            ),
            verdict="non_conform",
            codes=("ORDER_TOO_EARLY",),
        ),
    ),
    "signed_late": (
        ("odt", "letter"),
        "Signed after the window's signature deadline (15 July 2022).",
        lambda q: q.with_(
            signature="Bon pour accord le 20/07/2022", verdict="non_conform", codes=("SIGNED_AFTER_DEADLINE",)
        ),
    ),
    "state_above_segur": (
        ("docx", "xlsx", "weasy"),
        "40 sites (tier C): the State deducts 34 000 € from 32 940 € of Ségur lines.",
        lambda q: q.with_(
            sites=40,
            rows=_replace(CONFORM_ROWS, 5, _state("34000")),
            verdict="non_conform",
            codes=("STATE_FUNDING_ABOVE_SEGUR_TOTAL",),
        ),
    ),
    "maintenance_out_of_scope": (
        ("docx", "platypus"),
        "The 6-year maintenance is billed to the lab, out of scope.",
        lambda q: q.with_(
            rows=(
                *SEGUR_LINES[:3],
                Row("Livraison de la documentation et suivi de projet", D("1500"), "segur"),
                _state("22500"),
                Row("Maintenance corrective et évolutive 6 ans", D("10440"), "out_of_scope"),
            ),
            verdict="non_conform",
            codes=("CLIENT_REMAINDER",),
        ),
    ),
    "chefferie_out_of_scope": (
        ("odt", "weasy"),
        "« Chefferie de projet » (project follow-up, part of the Prestation) billed out of scope.",
        lambda q: q.with_(
            rows=(*SEGUR_LINES, STATE_ROW, Row("Chefferie de projet", D("2400"), "out_of_scope")),
            verdict="non_conform",
            codes=("CLIENT_REMAINDER",),
        ),
    ),
    "mssante_boxes": (
        ("docx", "canvas"),
        "« Messagerie sécurisée MSSanté : 10 boîtes » in the Ségur part.",
        lambda q: q.with_(
            rows=(
                Row("Droits d'utilisation SYSLAB 9 (SGL-V1)", D("10000"), "segur"),
                Row("Messagerie sécurisée MSSanté : 10 boîtes", D("2000"), "segur"),
                *SEGUR_LINES[1:],
                STATE_ROW,
                STATS,
            ),
            verdict="non_conform",
            codes=("EXCLUDED_ITEM_FUNDED",),
        ),
    ),
    "sun_es_negated": (
        ("xlsx", "letter"),
        "« ne relève pas du programme SUN-ES » is not a reliance on it: conform.",
        lambda q: q.with_(
            mentions=("Cette prestation ne relève pas du programme SUN-ES.",),
        ),
    ),
    "discount": (
        ("docx", "xlsx"),
        "A commercial discount printed as a negative line in the Ségur part: it lowers the Ségur "
        "lines (SPEC §4), the State pays the rest, nothing is left to pay: conform.",
        lambda q: q.with_(
            rows=(
                Row("Droits d'utilisation SYSLAB 9 (SGL-V1)", D("13000"), "segur"),
                *SEGUR_LINES[1:],
                Row("Remise commerciale", D("-1000"), "segur"),
                STATE_ROW,
                STATS,
            ),
        ),
    ),
    "discount_out_of_scope": (
        ("weasy",),
        "A negative line out of scope: what it deducts is a judgement, a person checks it.",
        lambda q: q.with_(
            rows=(*CONFORM_ROWS, Row("Remise fidélité", D("-200"), "out_of_scope")),
            verdict="incomplete",
            manual_contains=("montant négatif",),
        ),
    ),
    "loinc": (
        ("canvas", "odt"),
        "Conform LOINC transcoder quote (tier U, 3 500 € TTC).",
        lambda q: q.with_(
            software="TransLOINC 2",
            number="LS-2022-0117",
            sites=3,
            rows=(
                Row("Droits d'utilisation TransLOINC 2 (LOINC-V1)", D("1500"), "segur"),
                Row("Installation et paramétrage du transcodeur", D("1000"), "segur"),
                Row("Maintenance 6 ans", D("1000"), "segur"),
                Row(STATE, D("3500"), "state_funding"),
            ),
        ),
    ),
}

# Files made by transforming another one after printing: (new name, source, post, changes).
POST: list[tuple[str, str, str, dict]] = [
    (
        "pypdf_owner_rc4_conform",
        "docx_conform",
        "rc4",
        {"what": "Owner password only (RC4-128), opens without asking: read normally."},
    ),
    (
        "pypdf_owner_aes256_conform",
        "weasy_conform",
        "aes256",
        {"what": "Owner password only (AES-256), opens without asking: read normally."},
    ),
    (
        "pypdf_owner_aes256_remainder",
        "odt_remainder",
        "aes256",
        {"what": "Owner password only (AES-256), a non-conform quote: read normally."},
    ),
    (
        "pypdf_user_password",
        "canvas_conform",
        "user_password",
        {
            "what": "A PDF that asks for a password to open: refused, « protégé par un mot de passe ».",
            "invalid_contains": "protégé par un mot de passe",
        },
    ),
    (
        "pypdf_rotated_conform",
        "platypus_conform",
        "rotate90",
        {"what": "The page is displayed rotated (/Rotate 90): read normally."},
    ),
    (
        "scan_conform",
        "docx_conform",
        "scan",
        {
            "what": "The printed quote, scanned (an image, no text layer): incomplete, check by hand.",
            "verdict": "incomplete",
            "awaits_rules": "",
            "codes": (),
            "manual_contains": ("Page 1",),
            "args": ("--dsr", "SGL-V1", "--sites", "12"),
        },
    ),
    (
        "scan_missing_state_funding",
        "odt_missing_state_funding",
        "scan",
        {
            "what": "A scanned non-conform quote: never a guess, incomplete.",
            "verdict": "incomplete",
            "awaits_rules": "",
            "codes": (),
            "manual_contains": ("Page 1",),
            "args": ("--dsr", "SGL-V1", "--sites", "12"),
        },
    ),
]

# Extra single files: landscape pages.
EXTRA: list[tuple[str, str, Callable[[Quote], Quote]]] = [
    (
        "docx",
        "landscape_conform",
        lambda q: q.with_(
            landscape=True, columns="ht_tva_ttc", what="Landscape page, HT / TVA / TTC columns."
        ),
    ),
    (
        "canvas",
        "landscape_remainder",
        lambda q: q.with_(
            landscape=True,
            rows=_replace(CONFORM_ROWS, 5, _state("30000")),
            verdict="non_conform",
            codes=("CLIENT_REMAINDER",),
            what="Landscape page, State share too small.",
        ),
    ),
]


def base(producer: str, name: str) -> Quote:
    return Quote(
        name=name,
        producer=producer,
        what="",
        rows=CONFORM_ROWS,
        verdict="conform",
        # Canvas/letter quotes are drawn at fixed positions with section headings, like billing
        # software; the word processors and spreadsheets have a scope column.
        layout="sections" if producer in ("canvas", "letter", "platypus", "weasy") else "scope_column",
    )


def quotes() -> list[Quote]:
    out = []
    for scenario, (producers, what, build) in SCENARIOS.items():
        for producer in producers:
            quote = build(base(producer, f"{producer}_{scenario}"))
            out.append(quote.with_(what=what))
    for producer, scenario, build in EXTRA:
        out.append(build(base(producer, f"{producer}_{scenario}")))
    return out
