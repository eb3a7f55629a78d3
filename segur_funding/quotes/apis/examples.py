"""Examples shown in the OpenAPI documentation of the quotes API."""





DOCUMENT_EXAMPLE = {
    "number": "D-2022-0042",
    "dsr": "SGL-V1",
    "client": {"name": "Laboratoire X", "siret": "44306184000015", "geographic_sites": 12},
    "referencing": {"referenced_on": "2022-03-01", "proofs_complete_on": "2022-02-01"},
    "order_date": "2022-04-10",
    "signature_date": "2022-06-01",
    "mentions": [],
    "conditions": [],
    "lines": [
        {"label": "Droits d'utilisation SGL", "scope": "segur", "dsr": ["SGL-V1"],
         "amount_ttc": "32940.00", "amount_ht": "27450.00"},
        {"label": "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur",
         "scope": "state_funding", "amount_ttc": "32940.00"},
        {"label": "Module statistiques", "scope": "out_of_scope", "amount_ttc": "1200.00"},
    ],
}
REPORT_EXAMPLE = {
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
NON_CONFORM_REPORT_EXAMPLE = {
    **REPORT_EXAMPLE,
    "verdict": "non_conform",
    "state_funding_ttc": "31440.00",
    "client_remainder_ttc": "1500.00",
    "advance_ttc": "9432.00",
    "balance_ttc": "22008.00",
    "findings": [
        {
            "code": "CLIENT_REMAINDER",
            "severity": "error",
            "line": None,
            "message": "Le client paierait 1 500,00 € TTC pour la Prestation Ségur : le reste à "
            "charge doit être nul.",
        }
    ],
}
QUOTE_EXAMPLE = {
    "id": 31,
    "number": "D-2022-0042",
    "origin": "web",
    "origin_label": "Rédigé dans segur_funding",
    "status": "issued",
    "status_label": "Émis",
    "editor": 1,
    "editor_name": "Biologiciel SAS",
    "client": 3,
    "client_name": "Laboratoire BioRhône",
    "dsr": "SGL-V1",
    "dossier": 12,
    "order_date": "2022-04-10",
    "signature_date": None,
    "delivered_on": None,
    "issued_at": "2022-04-10T11:00:00+02:00",
    "verdict": "conform",
    "check_status": "done",
    "checked_at": "2022-04-10T11:00:00+02:00",
    "state_funding_ttc": "32940.00",
    "client_remainder_ttc": "0.00",
    "created_at": "2022-04-10T10:00:00+02:00",
}
QUOTE_DETAIL_EXAMPLE = {
    **QUOTE_EXAMPLE,
    "signatory_name": "",
    "signatory_role": "",
    "window": 4,
    "mentions": [],
    "conditions": [],
    "lines": [
        {"position": 0, "label": "Droits d'utilisation de la version référencée", "scope": "segur",
         "scope_label": "Prestation Ségur", "dsr": ["SGL-V1"], "is_technical_debt": False,
         "amount_ht": "10000.00", "amount_ttc": "12000.00", "declined": False},
        {"position": 1, "label": "Montant de la Prestation Ségur pris en charge par l'Etat au titre "
         "du Ségur", "scope": "state_funding", "scope_label": "Prise en charge par l'État",
         "dsr": [], "is_technical_debt": False, "amount_ht": None, "amount_ttc": "32940.00",
         "declined": False},
    ],
    "check_report": REPORT_EXAMPLE,
    "check_error": "",
    "has_pdf": True,
    "next_actions": {"cancel": "editor", "sign": "lab"},
    "events": [
        {"kind": "created", "kind_label": "Création", "from_status": "", "to_status": "draft",
         "at": "2022-04-10T10:00:00+02:00", "comment": ""},
        {"kind": "issued", "kind_label": "Émission", "from_status": "draft", "to_status": "issued",
         "at": "2022-04-10T11:00:00+02:00", "comment": ""},
    ],
}
EDITOR_QUOTE_DETAIL_EXAMPLE = {
    **QUOTE_DETAIL_EXAMPLE,
    "funding": {
        "advance_request": None,
        "balance_request": None,
        "advance_amount": "9882.00",
        "balance_amount": "23058.00",
        "can_file_advance": False,
        "can_file_balance": False,
        "balance_waits_for": "",
    },
}
QUOTE_WRITE_EXAMPLE = {
    "client": 3,
    "dossier": 12,
    "order_date": "2022-04-10",
    "mentions": [],
    "conditions": [],
    "lines": [
        {"label": "Droits d'utilisation de la version référencée", "scope": "segur",
         "dsr": ["SGL-V1"], "amount_ttc": "12000.00", "amount_ht": "10000.00"},
        {"label": "Installation, paramétrage, formation et maintenance 6 ans", "scope": "segur",
         "dsr": ["SGL-V1"], "amount_ttc": "20940.00"},
        {"label": "Montant de la Prestation Ségur pris en charge par l'Etat au titre du Ségur",
         "scope": "state_funding", "amount_ttc": "32940.00"},
        {"label": "Montée de version de l'ancien SGL (rattrapage)", "scope": "out_of_scope",
         "is_technical_debt": True, "amount_ttc": "2400.00"},
    ],
}


def paginated_example(item: dict) -> dict:
    return {"next": "https://…/?cursor=cD0zMQ%3D%3D", "previous": None, "results": [item]}
