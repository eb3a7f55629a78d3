"""The pure quote checker (SPEC §3–§4). No database: schemes are built here as selectors would."""

import copy
import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segur_funding.core.errors import InvalidInput
from segur_funding.quotes.documents import parse_quote_document
from segur_funding.quotes.report import report_to_json, report_to_text
from segur_funding.quotes.rules import check_quote, normalise
from segur_funding.quotes.rules.referencing import ReferencedSolution
from segur_funding.referential import constants
from segur_funding.referential.rules import SchemeRef, TierRow, WindowRef

WINDOW_1 = WindowRef(
    number=1,
    label="Fenêtre de financement 1 (biologie, vague 1)",
    order_signature_deadline=date(2022, 7, 15),
    service_completion_deadline=date(2022, 10, 15),
)
SGL = SchemeRef(
    dsr_code="SGL-V1",
    name="AF SGL vague 1",
    tiers=(
        TierRow("A", 1, 1, Decimal("22500.00"), Decimal("27000.00")),
        TierRow("B", 2, 21, Decimal("27450.00"), Decimal("32940.00")),
        TierRow("C", 22, 42, Decimal("30744.00"), Decimal("36893.00")),
        TierRow("D", 43, 63, Decimal("34433.00"), Decimal("41320.00")),
        TierRow("E", 64, None, Decimal("38565.00"), Decimal("46278.00")),
    ),
    windows=(WINDOW_1,),
    advance_rate=Decimal("0.30"),
    preorder_max_days=120,
    state_funding_wording=constants.STATE_FUNDING_WORDING,
    conditional_order_mention=constants.CONDITIONAL_ORDER_MENTION,
)
LOINC = SchemeRef(
    dsr_code="LOINC-V1",
    name="AF Transcodeur LOINC vague 1",
    tiers=(TierRow("U", 1, None, Decimal("2917.00"), Decimal("3500.00")),),
    windows=(WINDOW_1,),
    advance_rate=Decimal("0.30"),
    preorder_max_days=120,
    state_funding_wording=constants.STATE_FUNDING_WORDING,
    conditional_order_mention=constants.CONDITIONAL_ORDER_MENTION,
)
SCHEMES = {"SGL-V1": SGL, "LOINC-V1": LOINC}
TODAY = date(2022, 5, 1)
WORDING = "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur"
MENTION = constants.CONDITIONAL_ORDER_MENTION

# A conform SGL quote for 12 sites (tier B): referenced before the order, nothing left to pay.
CONFORM = {
    "number": "D-2022-0100",
    "dsr": "SGL-V1",
    "client": {"name": "Laboratoire des Tilleuls", "siret": "12345678900011", "geographic_sites": 12},
    "referencing": {"referenced_on": "2022-03-01", "proofs_complete_on": "2022-02-01"},
    "order_date": "2022-04-01",
    "signature_date": "2022-04-01",
    "mentions": [],
    "conditions": [],
    "lines": [
        {"label": "Droits d'utilisation de la version référencée du SGL", "scope": "segur",
         "dsr": ["SGL-V1"], "amount_ttc": "12000.00", "amount_ht": "10000.00"},
        {"label": "Installation, paramétrage, qualification et formation", "scope": "segur",
         "dsr": ["SGL-V1"], "amount_ttc": "8940.00", "amount_ht": "7450.00"},
        {"label": "Maintenance pendant 6 ans", "scope": "segur", "dsr": ["SGL-V1"],
         "amount_ttc": "12000.00", "amount_ht": "10000.00"},
        {"label": WORDING, "scope": "state_funding", "amount_ttc": "32940.00",
         "amount_ht": "27450.00"},
        {"label": "Module statistiques", "scope": "out_of_scope", "amount_ttc": "1200.00"},
    ],
}


def quote(**changes) -> dict:
    """The conform quote with top-level keys replaced (client/referencing merged)."""
    data = copy.deepcopy(CONFORM)
    for key, value in changes.items():
        if key in ("client", "referencing") and isinstance(value, dict):
            data[key].update(value)
        else:
            data[key] = value
    return data


def line(label, scope="segur", amount="1000.00", **extra) -> dict:
    return {"label": label, "scope": scope, "amount_ttc": amount, **extra}


def with_line(index: int, data: dict | None = None, **changes) -> dict:
    data = copy.deepcopy(data or CONFORM)
    data["lines"][index].update(changes)
    return data


def check(data: dict, *, partial=False, today=TODAY, manual_checks=(), fully_read=True, **extra):
    doc = parse_quote_document(data, partial=partial)
    return check_quote(
        doc,
        scheme=SCHEMES.get(doc.dsr),
        today=today,
        manual_checks=manual_checks,
        fully_read=fully_read,
        **extra,
    )


def codes(report) -> list[str]:
    return [f.code for f in report.findings]


def finding(report, code):
    matches = [f for f in report.findings if f.code == code]
    assert matches, f"{code} not in {codes(report)}"
    return matches[0]


# --- The conform quote and the report shape ---------------------------------------------------


def test_conform_quote_leaves_nothing_to_pay():
    report = check(CONFORM)
    assert report.verdict == "conform"
    assert report.findings == ()
    assert report.to_dict() == {
        "verdict": "conform",
        "tier": "B",
        "cap_ttc": "32940.00",
        "cap_ht": "27450.00",
        "segur_total_ttc": "32940.00",
        "state_funding_ttc": "32940.00",
        "client_remainder_ttc": "0.00",
        "advance_ttc": "9882.00",
        "balance_ttc": "23058.00",
        "findings": [],
    }


@pytest.mark.parametrize(
    ("sites", "tier", "cap"),
    [(1, "A", "27000.00"), (2, "B", "32940.00"), (42, "C", "36893.00"),
     (43, "D", "41320.00"), (64, "E", "46278.00"), (500, "E", "46278.00")],
)
def test_conform_quote_at_each_sgl_tier_cap(sites, tier, cap):
    amount = Decimal(cap)
    data = quote(
        client={"geographic_sites": sites},
        lines=[
            line("Prestation Ségur SGL : droits, installation, formation, maintenance 6 ans",
                 amount=cap, dsr=["SGL-V1"]),
            line(WORDING, "state_funding", cap),
        ],
    )
    report = check(data)
    assert report.verdict == "conform", report.findings
    assert (report.tier, report.cap_ttc) == (tier, amount)
    assert report.advance_ttc + report.balance_ttc == amount


def test_conform_loinc_quote_has_tier_u_whatever_the_sites():
    for sites in (1, 250):
        data = quote(
            dsr="LOINC-V1",
            client={"geographic_sites": sites},
            lines=[
                line("Transcodeur LOINC : droits d'utilisation, installation et maintenance",
                     amount="3500.00", dsr="LOINC-V1"),
                line(WORDING, "state_funding", "3500.00"),
            ],
        )
        report = check(data)
        assert report.verdict == "conform"
        assert (report.tier, report.cap_ttc, report.cap_ht) == (
            "U", Decimal("3500.00"), Decimal("2917.00")
        )
        assert (report.advance_ttc, report.balance_ttc) == (Decimal("1050.00"), Decimal("2450.00"))


def test_spec_example_is_non_conform_for_its_missing_mention_and_state_overpayment():
    data = {
        "number": "D-2022-0042",
        "dsr": "SGL-V1",
        "client": {"name": "Laboratoire X", "siret": "…", "geographic_sites": 12},
        "referencing": {"referenced_on": "2022-03-01", "proofs_complete_on": "2022-02-01"},
        "order_date": "2022-01-10",
        "signature_date": "2022-06-01",
        "mentions": ["free text printed on the quote"],
        "conditions": [],
        "lines": [
            {"label": "Droits d'utilisation SGL", "scope": "segur", "dsr": ["SGL-V1"],
             "amount_ttc": "12000.00", "amount_ht": "10000.00"},
            {"label": WORDING, "scope": "state_funding", "amount_ttc": "32940.00"},
            {"label": "Module statistiques", "scope": "out_of_scope", "amount_ttc": "1200.00"},
        ],
    }
    report = check(data).to_dict()
    assert report["verdict"] == "non_conform"
    assert (report["tier"], report["cap_ttc"], report["cap_ht"]) == ("B", "32940.00", "27450.00")
    assert report["segur_total_ttc"] == "12000.00"
    assert report["client_remainder_ttc"] == "0.00"
    assert (report["advance_ttc"], report["balance_ttc"]) == ("9882.00", "23058.00")
    assert sorted(f["code"] for f in report["findings"]) == [
        "MISSING_CONDITIONAL_MENTION",
        "STATE_FUNDING_ABOVE_SEGUR_TOTAL",
    ]
    # Ordered 22 days before the complete proofs: eligible under the 120-day rule.
    assert "ORDER_TOO_EARLY" not in [f["code"] for f in report["findings"]]


def test_report_dict_has_exactly_the_spec_keys_and_findings_shape():
    report = check(with_line(4, scope=None)).to_dict()
    assert list(report) == [
        "verdict", "tier", "cap_ttc", "cap_ht", "segur_total_ttc", "state_funding_ttc",
        "client_remainder_ttc", "advance_ttc", "balance_ttc", "findings",
    ]
    assert report["findings"] == [
        {
            "code": "UNCLASSIFIED_LINE",
            "severity": "error",
            "line": 5,
            "message": report["findings"][0]["message"],
        }
    ]
    json.loads(report_to_json(check(CONFORM)))


# --- MISSING_STATE_FUNDING_LINE ---------------------------------------------------------------


def test_quote_without_state_funding_line_is_non_conform():
    data = quote(lines=[CONFORM["lines"][0], CONFORM["lines"][4]])
    report = check(data)
    assert report.verdict == "non_conform"
    found = finding(report, "MISSING_STATE_FUNDING_LINE")
    assert found.line is None
    # Without a deduction the client would pay the whole Prestation: SPEC §4 wants
    # CLIENT_REMAINDER too, so that a lab filtering on it finds this quote.
    assert report.client_remainder_ttc == Decimal("12000.00")
    assert "12\u202f000,00\u00a0€" in finding(report, "CLIENT_REMAINDER").message
    assert sorted(codes(report)) == ["CLIENT_REMAINDER", "MISSING_STATE_FUNDING_LINE"]


def test_state_funding_line_not_found_in_a_partly_read_pdf_is_a_manual_check():
    data = quote(lines=[CONFORM["lines"][0], CONFORM["lines"][4]])
    report = check(
        data, partial=True, manual_checks=["Page 2 illisible : à vérifier."], fully_read=False
    )
    assert report.verdict == "incomplete"
    assert finding(report, "MISSING_STATE_FUNDING_LINE").severity == "manual"
    # What the State pays is unknown, so is the remainder: no CLIENT_REMAINDER guessed.
    assert report.client_remainder_ttc is None
    assert "CLIENT_REMAINDER" not in codes(report)


def test_fully_read_quote_without_the_wording_is_non_conform_despite_other_manual_checks():
    data = quote(lines=[CONFORM["lines"][0], CONFORM["lines"][4]])
    del data["client"]["geographic_sites"]
    report = check(data, partial=True, manual_checks=["Le DSR a été déduit du titre."])
    assert report.verdict == "non_conform"
    assert finding(report, "MISSING_STATE_FUNDING_LINE").severity == "error"


def test_pdf_with_no_line_read_is_incomplete_not_non_conform():
    report = check(
        quote(lines=[]), partial=True, manual_checks=["Page 1 : aucun texte lisible."],
        fully_read=False,
    )
    assert report.verdict == "incomplete"
    assert codes(report) == ["MANUAL_CHECK"]


def test_mention_not_found_in_a_partly_read_pdf_is_a_manual_check():
    data = quote(order_date="2022-02-15")
    report = check(
        data, partial=True, manual_checks=["Page 2 illisible : à vérifier."], fully_read=False
    )
    assert report.verdict == "incomplete"
    assert finding(report, "MISSING_CONDITIONAL_MENTION").severity == "manual"


def test_state_funding_line_with_another_wording_is_flagged_on_that_line():
    report = check(with_line(3, label="Remise Ségur"))
    found = finding(report, "MISSING_STATE_FUNDING_LINE")
    assert found.line == 4
    assert "pris en charge par l'Etat au titre du Ségur" in found.message


@pytest.mark.parametrize(
    "label",
    [
        "MONTANT DE LA PRESTATION SEGUR PRIS EN CHARGE PAR L'ÉTAT AU TITRE DU SÉGUR",
        "Montant de la Prestation Ségur pris en charge par l’État au titre du Ségur",
        "montant de la prestation ségur pris en charge par l ‘ Etat  au titre du Ségur :",
        "Déduction : Montant de la Prestation  Ségur pris en charge par l`Etat au titre du Ségur",
    ],
)
def test_state_funding_wording_ignores_accents_case_apostrophes_and_spacing(label):
    assert check(with_line(3, label=label)).verdict == "conform"


def test_wording_on_a_segur_line_is_not_a_deduction():
    data = quote(lines=[CONFORM["lines"][0], line(WORDING, "segur", "12000.00")])
    found = finding(check(data), "MISSING_STATE_FUNDING_LINE")
    assert found.line == 2
    assert "déduction" in found.message


def test_scheme_wording_wins_over_the_default():
    scheme = SchemeRef(
        dsr_code="SGL-V1",
        name="AF",
        tiers=SGL.tiers,
        advance_rate=SGL.advance_rate,
        preorder_max_days=SGL.preorder_max_days,
        state_funding_wording="Prise en charge État",
    )
    doc = parse_quote_document(with_line(3, label="Prise en charge Etat"))
    assert check_quote(doc, scheme=scheme, today=TODAY).verdict == "conform"
    doc = parse_quote_document(CONFORM)
    assert "MISSING_STATE_FUNDING_LINE" in codes(check_quote(doc, scheme=scheme, today=TODAY))


# --- CAP_EXCEEDED and STATE_FUNDING_ABOVE_SEGUR_TOTAL -----------------------------------------


def test_state_funding_above_tier_cap_is_cap_exceeded():
    data = with_line(0, amount_ttc="12001.00")
    data = with_line(3, data, amount_ttc="32941.00", amount_ht=None)
    report = check(data)
    found = finding(report, "CAP_EXCEEDED")
    assert report.verdict == "non_conform"
    assert found.line == 4
    assert "32\u202f941,00\u00a0€" in found.message and "tranche B" in found.message
    # Milestones are computed on the cap, never above it.
    assert report.advance_ttc + report.balance_ttc == Decimal("32940.00")


def test_state_funding_equal_to_cap_is_not_exceeded():
    assert "CAP_EXCEEDED" not in codes(check(CONFORM))


def test_ht_cap_is_checked_where_ht_is_given():
    report = check(with_line(3, amount_ht="27450.01"))
    found = finding(report, "CAP_EXCEEDED")
    assert "HT" in found.message


def test_tier_a_cap_for_one_site():
    report = check(quote(client={"geographic_sites": 1}))
    assert report.tier == "A"
    assert "CAP_EXCEEDED" in codes(report)


def test_state_funding_above_segur_total_is_an_error():
    report = check(with_line(3, amount_ttc="30000.00", amount_ht=None, data=with_line(
        0, amount_ttc="5000.00")))
    found = finding(report, "STATE_FUNDING_ABOVE_SEGUR_TOTAL")
    assert report.verdict == "non_conform"
    assert report.client_remainder_ttc == Decimal("0.00")
    assert "ne peut pas payer plus" in found.message


# --- CLIENT_REMAINDER -------------------------------------------------------------------------


def test_remainder_on_segur_lines_is_client_remainder():
    report = check(with_line(3, amount_ttc="30000.00", amount_ht="25000.00"))
    found = finding(report, "CLIENT_REMAINDER")
    assert report.verdict == "non_conform"
    assert report.client_remainder_ttc == Decimal("2940.00")
    assert "2\u202f940,00\u00a0€" in found.message


def test_prestation_price_above_the_cap_leaves_a_remainder():
    data = with_line(0, amount_ttc="20000.00")  # Ségur total 40 940, State pays the 32 940 cap
    report = check(data)
    assert codes(report) == ["CLIENT_REMAINDER"]
    assert report.client_remainder_ttc == Decimal("8000.00")


@pytest.mark.parametrize(
    "label",
    [
        "Maintenance annuelle",
        "Maintenance annuelle (hors Ségur)",
        "Formation des utilisateurs",
        "Installation sur site",
        "Paramétrage",
        "Suivi de projet",
        "Droits d'utilisation de la version référencée Ségur",
        "Documentation utilisateur",
    ],
)
def test_prestation_item_billed_out_of_scope_is_client_remainder(label):
    report = check(with_line(4, label=label))
    found = finding(report, "CLIENT_REMAINDER")
    assert found.line == 5
    assert "vous ne devez rien payer" in found.message


@pytest.mark.parametrize(
    "label",
    [
        "Module statistiques",
        "Maintenance du module statistiques",
        "Formation au module qualité (option)",
        "Installation d'un serveur supplémentaire",
        "Maintenance années 7 à 10",
        "Maintenance au-delà de 6 ans",
        "Licence antivirus",
        "Boîtes aux lettres MSSanté",
        "Rattrapage de la dette technique",
        "Frais de déplacement",
    ],
)
def test_items_outside_the_prestation_may_be_billed_out_of_scope(label):
    assert check(with_line(4, label=label)).verdict == "conform"


def test_prestation_item_out_of_scope_at_zero_is_not_billed():
    assert check(with_line(4, label="Maintenance (incluse)", amount_ttc="0.00")).verdict == (
        "conform"
    )


# --- UNCLASSIFIED_LINE ------------------------------------------------------------------------


@pytest.mark.parametrize("scope", [None, "", "autre", "client"])
def test_line_without_a_known_scope_is_unclassified(scope):
    data = with_line(4, scope=scope)
    if scope is None:
        del data["lines"][4]["scope"]
    report = check(data)
    found = finding(report, "UNCLASSIFIED_LINE")
    assert report.verdict == "non_conform"
    assert found.line == 5
    assert "ni dans la Prestation Ségur ni hors Ségur" in found.message


# --- MIXED_DSR_LINE ---------------------------------------------------------------------------


def test_line_with_two_dsr_codes_is_mixed():
    report = check(with_line(0, dsr=["SGL-V1", "LOINC-V1"]))
    found = finding(report, "MIXED_DSR_LINE")
    assert found.line == 1
    assert "LOINC-V1, SGL-V1" in found.message


def test_label_naming_two_dsrs_is_mixed():
    report = check(with_line(0, label="Licences SGL + LOINC", dsr=[]))
    assert finding(report, "MIXED_DSR_LINE").line == 1


def test_same_code_twice_or_an_interface_between_two_softwares_is_not_mixed():
    assert check(with_line(0, dsr=["SGL-V1", "sgl-v1"])).verdict == "conform"
    report = check(with_line(1, label="Paramétrage de l'interface SGL vers le transcodeur LOINC"))
    assert "MIXED_DSR_LINE" not in codes(report)


def test_line_of_another_dsr_must_be_checked_by_hand():
    report = check(with_line(0, dsr=["LOINC-V1"]))
    assert report.verdict == "incomplete"
    assert finding(report, "OTHER_DSR_LINE").severity == "manual"


# --- CONDITIONAL_OFFER ------------------------------------------------------------------------


def test_any_condition_put_on_the_client_is_a_conditional_offer():
    report = check(quote(conditions=["Souscription du contrat de services étendus"]))
    found = finding(report, "CONDITIONAL_OFFER")
    assert report.verdict == "non_conform"
    assert found.line is None
    assert "Souscription du contrat de services étendus" in found.message


@pytest.mark.parametrize(
    "mention",
    [
        "Offre valable sous réserve de la souscription du contrat de maintenance Premium.",
        "Prix conditionné à l'acquisition du module qualité.",
        "Cette offre implique un réengagement de 5 ans.",
        "Durée d'engagement : 3 ans.",
        "Bon de commande conditionné à l'obtention du référencement et à la souscription "
        "de l'option hébergement.",
    ],
)
def test_mention_conditioning_the_offer_is_a_conditional_offer(mention):
    assert "CONDITIONAL_OFFER" in codes(check(quote(mentions=[mention])))


def test_label_conditioning_the_offer_is_flagged_on_its_line():
    report = check(with_line(2, label="Maintenance 6 ans (sous réserve de souscrire l'option X)"))
    assert finding(report, "CONDITIONAL_OFFER").line == 3


@pytest.mark.parametrize(
    "mention",
    [
        MENTION,
        "Offre valable sous réserve de signature avant le 15/07/2022.",
        "Engagement de confidentialité des données de santé.",
        "Sous réserve de l'obtention du référencement ANS.",
    ],
)
def test_referencing_mention_and_plain_validity_terms_are_not_conditions(mention):
    assert "CONDITIONAL_OFFER" not in codes(check(quote(mentions=[mention])))


def test_referencing_mention_placed_among_conditions_is_not_a_condition():
    report = check(quote(conditions=[MENTION]))
    assert "CONDITIONAL_OFFER" not in codes(report)


# --- SUN_ES_REFERENCE -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Financement SUN-ES", "au titre de sun es", "SUNES"])
def test_sun_es_anywhere_is_flagged(text):
    assert "SUN_ES_REFERENCE" in codes(check(quote(mentions=[text])))
    assert finding(check(with_line(1, label=f"Installation ({text})")), "SUN_ES_REFERENCE").line == 2
    assert "SUN_ES_REFERENCE" in codes(check(quote(conditions=[text])))


def test_words_close_to_sun_es_are_not_flagged():
    assert "SUN_ES_REFERENCE" not in codes(check(quote(mentions=["Sun est une marque. SUNSET"])))


# --- EXCLUDED_ITEM_FUNDED ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "what"),
    [
        ("BAL MSSanté", "MSSanté"),
        ("Boîtes aux lettres MSSanté (10 comptes)", "MSSanté"),
        ("Serveur Dell PowerEdge", "serveurs"),
        ("Fourniture et installation d'un serveur", "serveurs"),
        ("Postes de travail supplémentaires", "serveurs"),
        ("Migration SGBD Oracle vers PostgreSQL", "base de données"),
        ("Migration de la base de données", "base de données"),
        ("Changement complet de solution", "changement complet"),
        ("Rattrapage de version", "dette technique"),
        ("Mise à niveau d'une version vétuste", "dette technique"),
    ],
)
def test_excluded_item_in_segur_part_is_flagged(label, what):
    report = check(with_line(1, label=label))
    found = finding(report, "EXCLUDED_ITEM_FUNDED")
    assert report.verdict == "non_conform"
    assert found.line == 2
    assert what in found.message


@pytest.mark.parametrize(
    "label",
    [
        "Installation sur le serveur du laboratoire",
        "Déploiement sur les postes de travail",
        "Paramétrage des postes de travail",
        "Connecteur MSSanté de la version référencée",
        "Mise à niveau vers la version référencée Ségur",
        "Reprise des données",
    ],
)
def test_prestation_work_on_existing_infrastructure_is_not_excluded(label):
    assert "EXCLUDED_ITEM_FUNDED" not in codes(check(with_line(1, label=label)))


def test_excluded_item_billed_out_of_scope_is_fine():
    report = check(with_line(4, label="Serveur Dell PowerEdge", amount_ttc="6000.00"))
    assert report.verdict == "conform"


# --- The 120-day rule: MISSING_CONDITIONAL_MENTION, ORDER_TOO_EARLY, PROOFS_PENDING ----------


def test_order_before_referencing_without_mention_is_flagged():
    report = check(quote(order_date="2022-02-15", signature_date="2022-02-15"))
    found = finding(report, "MISSING_CONDITIONAL_MENTION")
    assert report.verdict == "non_conform"
    assert "15/02/2022" in found.message and "01/03/2022" in found.message


def test_order_before_referencing_with_mention_is_conform():
    data = quote(order_date="2022-02-15", signature_date="2022-02-15", mentions=[MENTION])
    assert check(data).verdict == "conform"


def test_mention_is_matched_whatever_the_typography():
    reworded = (
        "BON DE COMMANDE CONDITIONNE A L’OBTENTION PAR LE LOGICIEL DU REFERENCEMENT ANS - "
        "l’affermissement de cette commande est conditionné au dépôt d’un dossier de "
        "référencement complet , contenant l’ensemble des preuves attendues, sous 120 jours "
        "sur le site de l’ANS et à l’obtention subséquente du référencement"
    )
    data = quote(order_date="2022-02-15", signature_date="2022-02-15", mentions=[reworded])
    assert check(data).verdict == "conform"


def test_truncated_mention_does_not_count():
    data = quote(
        order_date="2022-02-15",
        mentions=["Bon de commande conditionné à l'obtention par le logiciel du référencement ANS."],
    )
    assert "MISSING_CONDITIONAL_MENTION" in codes(check(data))


def test_order_121_days_before_complete_proofs_is_too_early():
    data = quote(
        referencing={"referenced_on": "2022-06-01", "proofs_complete_on": "2022-05-11"},
        order_date="2022-01-10",
        signature_date="2022-01-10",
        mentions=[MENTION],
    )
    report = check(data)
    found = finding(report, "ORDER_TOO_EARLY")
    assert "121 jours" in found.message


def test_order_120_days_before_complete_proofs_is_eligible():
    data = quote(
        referencing={"referenced_on": "2022-06-01", "proofs_complete_on": "2022-05-10"},
        order_date="2022-01-10",
        signature_date="2022-01-10",
        mentions=[MENTION],
    )
    assert check(data).verdict == "conform"


def test_pending_proofs_give_a_warning_with_the_deadline():
    data = quote(
        referencing={"referenced_on": None, "proofs_complete_on": None},
        order_date="2022-04-01",
        signature_date="2022-04-01",
        mentions=[MENTION],
    )
    report = check(data)
    found = finding(report, "PROOFS_PENDING")
    assert report.verdict == "conform"
    assert found.severity == "warning"
    assert "30/07/2022" in found.message


def test_lapsed_deadline_without_complete_proofs_is_too_early():
    data = quote(
        referencing={"referenced_on": None, "proofs_complete_on": None},
        order_date="2021-12-31",
        signature_date="2021-12-31",
        mentions=[MENTION],
    )
    found = finding(check(data), "ORDER_TOO_EARLY")  # checked on 1 May 2022, 121 days later
    assert "30/04/2022" in found.message and "plus finançable" in found.message


def test_signature_date_stands_for_a_missing_order_date():
    data = quote(order_date=None, signature_date="2022-02-15")
    assert "MISSING_CONDITIONAL_MENTION" in codes(check(data))


def test_unsigned_quote_of_referenced_software_is_not_concerned():
    report = check(quote(order_date=None, signature_date=None))
    assert report.verdict == "conform"


def test_unsigned_quote_of_unreferenced_software_without_mention_is_checked_by_hand():
    data = quote(
        referencing={"referenced_on": None, "proofs_complete_on": None},
        order_date=None,
        signature_date=None,
    )
    report = check(data)
    assert report.verdict == "incomplete"
    assert finding(report, "ORDER_DATE_UNKNOWN").severity == "manual"


def test_unsigned_quote_of_unreferenced_software_with_mention_warns_of_the_deadline():
    data = quote(
        referencing={"referenced_on": None, "proofs_complete_on": None},
        order_date=None,
        signature_date=None,
        mentions=[MENTION],
    )
    report = check(data)
    assert report.verdict == "conform"
    assert "29/08/2022" in finding(report, "PROOFS_PENDING").message  # 1 May + 120 days


SYSLAB_9 = ReferencedSolution(
    editor="BioSoft", solution="SYSLAB", version="9", dsr_code="SGL-V1",
    referenced_on=date(2022, 3, 1), proofs_complete_on=date(2022, 2, 1), number="REF-SGL-0042",
)
SYSLAB_8 = ReferencedSolution(
    editor="BioSoft", solution="SYSLAB", version="8", dsr_code="SGL-V1",
    referenced_on=date(2022, 6, 1), proofs_complete_on=date(2022, 5, 1),
)
OTHER = ReferencedSolution(
    editor="LaboSys", solution="Kalisil", version="4.2", dsr_code="SGL-V1",
    referenced_on=date(2021, 12, 1), proofs_complete_on=date(2021, 11, 2),
)


def without_referencing(**changes) -> dict:
    data = quote(**changes)
    del data["referencing"]
    return data


@pytest.mark.parametrize("absent", ["block", "referenced_on", "both fields"])
def test_absent_referencing_unknown_to_the_platform_is_incomplete_with_what_to_check(absent):
    data = quote()
    if absent == "block":
        del data["referencing"]
    elif absent == "referenced_on":
        del data["referencing"]["referenced_on"]
    else:
        data["referencing"] = {}
    report = check(data, referenced_solutions=[OTHER])
    found = finding(report, "REFERENCING_UNKNOWN")
    assert report.verdict == "incomplete"
    assert found.severity == "manual"
    assert "liste des solutions référencées" in found.message
    assert "30/07/2022" in found.message  # order of 1 April + 120 days
    assert "ne porte pas cette mention" in found.message


def test_explicit_null_referencing_is_not_absent():
    data = quote(referencing={"referenced_on": None, "proofs_complete_on": None}, mentions=[MENTION])
    report = check(data)
    assert "REFERENCING_UNKNOWN" not in codes(report)
    assert "PROOFS_PENDING" in codes(report)


@pytest.mark.parametrize(
    "where",
    [
        {"software": {"name": "Syslab", "version": "9", "editor": "BioSoft"}},
        {"software": {"name": "SYSLAB"}},
        {"lines": [
            {**CONFORM["lines"][0], "label": "Droits d'utilisation SYSLAB 9"}, *CONFORM["lines"][1:]
        ]},
        {"mentions": ["Logiciel : SYSLAB version 9 (BioSoft)"]},
    ],
)
def test_absent_referencing_is_read_from_the_platform_and_said(where):
    data = without_referencing(**where)
    report = check(data, referenced_solutions=[OTHER, SYSLAB_9])
    found = finding(report, "REFERENCING_FROM_PLATFORM")
    assert report.verdict == "conform", report.findings
    assert found.severity == "warning"
    assert "SYSLAB 9 (BioSoft)" in found.message and "01/03/2022" in found.message
    assert "REF-SGL-0042" in found.message


def test_platform_dates_decide_the_120_day_rule():
    # Ordered 2022-02-15, before SYSLAB 9's referencing (2022-03-01), without the mention.
    data = without_referencing(order_date="2022-02-15", software={"name": "SYSLAB", "version": "9"})
    report = check(data, referenced_solutions=[SYSLAB_9])
    assert report.verdict == "non_conform"
    assert {"REFERENCING_FROM_PLATFORM", "MISSING_CONDITIONAL_MENTION"} <= set(codes(report))


def test_a_field_the_quote_states_wins_over_the_platform():
    data = quote()
    del data["referencing"]["proofs_complete_on"]
    data["referencing"]["referenced_on"] = None  # the quote says: not referenced yet
    data["software"] = {"name": "SYSLAB", "version": "9"}
    report = check(data, referenced_solutions=[SYSLAB_9])
    # Still "not referenced yet" (the platform's 2022-03-01 would make the April order fine).
    assert "MISSING_CONDITIONAL_MENTION" in codes(report)
    assert "la date d'envoi du dossier complet" in finding(report, "REFERENCING_FROM_PLATFORM").message


def test_two_versions_without_the_version_printed_are_checked_by_hand():
    data = without_referencing(software={"name": "SYSLAB"})
    report = check(data, referenced_solutions=[SYSLAB_8, SYSLAB_9])
    assert report.verdict == "incomplete"
    assert "SYSLAB 8 (BioSoft)" in finding(report, "REFERENCING_UNKNOWN").message


def test_the_version_printed_picks_among_several():
    data = without_referencing(software={"name": "SYSLAB", "version": "v8"})
    report = check(data, referenced_solutions=[SYSLAB_8, SYSLAB_9])
    assert "depuis le 01/06/2022" in finding(report, "REFERENCING_FROM_PLATFORM").message


def test_another_editor_of_the_same_name_is_not_taken():
    data = without_referencing(software={"name": "SYSLAB", "editor": "Autre Éditeur"})
    report = check(data, referenced_solutions=[SYSLAB_9])
    assert report.verdict == "incomplete"
    assert "REFERENCING_FROM_PLATFORM" not in codes(report)


def test_unknown_proofs_date_before_referencing_is_checked_by_hand():
    data = quote(order_date="2022-02-15", mentions=[MENTION])
    del data["referencing"]["proofs_complete_on"]
    report = check(data)
    assert report.verdict == "incomplete"
    assert "15/06/2022" in finding(report, "PROOFS_DATE_UNKNOWN").message


# --- SIGNED_AFTER_DEADLINE --------------------------------------------------------------------


def test_signed_on_deadline_day_is_on_time():
    assert check(quote(signature_date="2022-07-15"), today=date(2022, 8, 1)).verdict == "conform"


def test_signed_the_day_after_the_deadline_is_late():
    report = check(quote(signature_date="2022-07-16"), today=date(2022, 8, 1))
    found = finding(report, "SIGNED_AFTER_DEADLINE")
    assert report.verdict == "non_conform"
    assert "16/07/2022" in found.message and "15/07/2022" in found.message


def test_scheme_without_windows_has_no_signature_deadline():
    scheme = SchemeRef(
        dsr_code="SGL-V1",
        name="AF",
        tiers=SGL.tiers,
        advance_rate=SGL.advance_rate,
        preorder_max_days=SGL.preorder_max_days,
    )
    doc = parse_quote_document(quote(signature_date="2030-01-01"))
    assert check_quote(doc, scheme=scheme, today=TODAY).verdict == "conform"


def test_unsigned_quote_after_every_deadline_gets_a_warning():
    report = check(quote(order_date=None, signature_date=None), today=date(2023, 1, 1))
    assert report.verdict == "conform"
    assert finding(report, "SIGNATURE_DEADLINE_PASSED").severity == "warning"


# --- Missing context (PDF readings) and manual checks -----------------------------------------


def test_partial_document_without_dsr_is_incomplete():
    data = quote()
    del data["dsr"]
    report = check(data, partial=True)
    assert report.verdict == "incomplete"
    assert report.tier is None and report.cap_ttc is None and report.advance_ttc is None
    assert "DSR_UNKNOWN" in codes(report)


def test_partial_document_without_sites_is_incomplete_for_sgl():
    data = quote()
    del data["client"]["geographic_sites"]
    report = check(data, partial=True)
    assert report.verdict == "incomplete"
    assert report.tier is None
    assert "SITES_UNKNOWN" in codes(report)


def test_unknown_sites_still_show_a_cap_exceeded_above_every_tier():
    data = with_line(3, amount_ttc="50000.00", amount_ht=None)
    del data["client"]["geographic_sites"]
    report = check(data, partial=True)
    assert report.verdict == "non_conform"
    assert "quel que soit le nombre de sites" in finding(report, "CAP_EXCEEDED").message


def test_partial_document_with_unreadable_amount_is_incomplete():
    data = with_line(1, amount_ttc=None)
    report = check(data, partial=True)
    assert report.verdict == "incomplete"
    assert report.segur_total_ttc is None and report.client_remainder_ttc is None
    assert finding(report, "AMOUNT_UNKNOWN").line == 2


def test_manual_checks_make_the_report_incomplete():
    report = check(CONFORM, manual_checks=["Vérifier le tableau page 2 : colonnes illisibles."])
    assert report.verdict == "incomplete"
    found = finding(report, "MANUAL_CHECK")
    assert (found.severity, found.line) == ("manual", None)
    assert found.message == "Vérifier le tableau page 2 : colonnes illisibles."


def test_manual_checks_never_hide_an_error():
    report = check(with_line(4, scope=None), manual_checks=["Vérifier la signature."])
    assert report.verdict == "non_conform"


def test_dsr_without_bareme_is_refused():
    doc = parse_quote_document(quote(dsr="DPI-V1"))
    with pytest.raises(InvalidInput, match=r"DPI-V1.*barème"):
        check_quote(doc, scheme=None, today=TODAY)


def test_findings_list_errors_first_then_manual_then_warnings():
    data = quote(
        referencing={"referenced_on": None, "proofs_complete_on": None},
        order_date="2022-04-01",
        mentions=[MENTION],
        lines=[*CONFORM["lines"][:4], line("Divers", None)],
    )
    report = check(data, manual_checks=["Vérifier la page 3."])
    assert [f.severity for f in report.findings] == ["error", "manual", "warning"]


# --- Text rendering ---------------------------------------------------------------------------


def test_text_report_speaks_to_the_lab_accountant():
    text = report_to_text(check(CONFORM), source="devis.json")
    assert text.startswith("Vérification du devis n° D-2022-0100 (DSR SGL-V1) — devis.json")
    assert "Conforme : vous n'avez rien à payer au titre de la Prestation Ségur." in text
    assert "Tranche B" in text and "32\u202f940,00\u00a0€ TTC" in text
    assert "avance (30 %) de 9\u202f882,00\u00a0€" in text
    assert "Aucun problème relevé." in text


def test_text_report_lists_problems_with_their_line():
    text = report_to_text(check(with_line(4, label="Maintenance annuelle")))
    assert text.splitlines()[2].startswith("Non conforme")
    assert "  - Ligne 5 : La ligne « Maintenance annuelle »" in text


def test_text_report_of_incomplete_quote_says_what_to_check():
    data = quote()
    del data["client"]["geographic_sites"]
    text = report_to_text(check(data, partial=True))
    assert "Incomplet : à vérifier à la main" in text
    assert "À vérifier à la main :" in text
    assert "Tranche du barème : inconnue" in text


# --- Properties -------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=100_000, places=2).map(lambda d: f"{d:.2f}")
# Printed text: anything but NUL, which the document parser refuses before the rules run.
printed_text = st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=60)
labels = st.sampled_from(
    [
        "Droits d'utilisation", "Installation", "Maintenance 6 ans", "Formation", WORDING,
        "Module statistiques", "Serveur", "BAL MSSanté", "SUN-ES", "Licences SGL + LOINC",
        "Offre sous réserve de la souscription du module X", "", "Paramétrage",
    ]
) | printed_text
quote_lines = st.fixed_dictionaries(
    {
        "label": labels,
        "scope": st.sampled_from(["segur", "state_funding", "out_of_scope", "autre", None]),
        "amount_ttc": amounts,
    },
    optional={
        "amount_ht": amounts,
        "dsr": st.lists(st.sampled_from(["SGL-V1", "LOINC-V1", "DPI-V1"]), max_size=2),
    },
)
optional_dates = st.none() | st.dates(date(2021, 1, 1), date(2023, 12, 31)).map(str)
quotes = st.fixed_dictionaries(
    {
        "number": st.just("D-1"),
        "dsr": st.sampled_from(["SGL-V1", "LOINC-V1"]),
        "client": st.fixed_dictionaries({"geographic_sites": st.integers(1, 200)}),
        "referencing": st.fixed_dictionaries(
            {"referenced_on": optional_dates, "proofs_complete_on": optional_dates}
        ),
        "order_date": optional_dates,
        "signature_date": optional_dates,
        "mentions": st.lists(st.sampled_from([MENTION, "SUN-ES", "Réengagement", "Merci"]),
                             max_size=2),
        "conditions": st.lists(printed_text, max_size=2),
        "lines": st.lists(quote_lines, max_size=8),
    }
)
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(quotes, st.dates(date(2021, 6, 1), date(2024, 1, 1)))
def test_random_valid_quotes_never_raise_and_the_verdict_follows_the_findings(data, today):
    report = check(data, today=today)
    severities = {f.severity for f in report.findings}
    if "error" in severities:
        assert report.verdict == "non_conform"
    elif "manual" in severities:
        assert report.verdict == "incomplete"
    else:
        assert report.verdict == "conform"
    assert all(f.line is None or 1 <= f.line <= len(data["lines"]) for f in report.findings)
    assert all(f.message and f.message[0].isupper() for f in report.findings)
    json.loads(report_to_json(report))


@PROPERTY_SETTINGS
@given(quotes)
def test_a_quote_leaving_a_remainder_is_never_conform(data):
    report = check(data)
    if report.client_remainder_ttc is not None and report.client_remainder_ttc > 0:
        assert report.verdict == "non_conform"
        assert {"CLIENT_REMAINDER", "MISSING_STATE_FUNDING_LINE"} & set(codes(report))


@PROPERTY_SETTINGS
@given(quotes)
def test_milestones_split_the_capped_state_funding(data):
    report = check(data)
    assert report.client_remainder_ttc is None or report.client_remainder_ttc >= 0
    if report.advance_ttc is not None:
        funded = min(report.state_funding_ttc, report.cap_ttc)
        assert report.advance_ttc + report.balance_ttc == funded
        if report.state_funding_ttc > report.cap_ttc:
            assert "CAP_EXCEEDED" in codes(report)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([WORDING, MENTION]), st.data())
def test_normalise_ignores_case_accents_apostrophes_and_spacing(text, data):
    def variant(char):
        if char == "'":
            return data.draw(st.sampled_from(["'", "’", "‘", "`", " ' ", "’ "]))
        if char == " ":
            return data.draw(st.sampled_from([" ", "  ", "\n", "\u00a0", "\t"]))
        return data.draw(st.sampled_from([char.lower(), char.upper()]))

    noisy = "".join(variant(c) for c in text)
    assert normalise(noisy) == normalise(text.replace("é", "e").replace("É", "E"))


@pytest.mark.parametrize(
    "mention",
    [
        "Elle n'est conditionnée à aucun réengagement ni à l'achat d'options ou de modules.",
        "Offre sans réengagement ni souscription d'option.",
        "La Prestation Ségur ne peut être conditionnée ni à un réengagement ni à un module.",
    ],
)
def test_a_sentence_saying_there_is_no_condition_is_not_a_conditional_offer(mention):
    report = check(quote(mentions=[mention]))
    assert report.verdict == "conform"
    assert "CONDITIONAL_OFFER" not in codes(report)


@pytest.mark.parametrize(
    "mention",
    [
        "Offre conditionnée à la souscription du module statistiques.",
        "Sans réengagement pour la Prestation Ségur, mais conditionnée à l'achat de l'option BI.",
    ],
)
def test_a_real_condition_next_to_a_negated_one_is_still_a_conditional_offer(mention):
    report = check(quote(mentions=[mention]))
    assert report.verdict == "non_conform"
    assert "CONDITIONAL_OFFER" in codes(report)
