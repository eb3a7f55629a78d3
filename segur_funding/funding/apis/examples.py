"""Examples shown in the OpenAPI documentation of the funding API."""

from drf_spectacular.utils import OpenApiExample

REQUEST_EXAMPLE = {
    "id": 8,
    "quote": 33,
    "quote_number": "D-2022-0043",
    "editor": 1,
    "editor_name": "Biologiciel SAS",
    "client": 3,
    "client_name": "Laboratoire BioRhône",
    "dsr": "SGL-V1",
    "milestone": "advance",
    "milestone_label": "Avance",
    "status": "paid",
    "status_label": "Décidée et payée",
    "funded_amount": "32940.00",
    "amount": "9882.00",
    "has_invoice": False,
    "submitted_at": "2022-06-02T09:00:00+02:00",
    "decided_at": "2022-06-10T14:00:00+02:00",
    "payment": {"amount": "9882.00", "paid_on": "2022-06-15", "reference": "ASP-AV-0003",
                "recorded_at": "2022-06-15T16:00:00+02:00"},
}


REQUEST_DETAIL_EXAMPLE = {
    **REQUEST_EXAMPLE,
    "editor_comment": "",
    "next_statuses": {},
    "next_actions": {},
    "corrections": [],
    "events": [
        {"from_status": "draft", "from_status_label": "Brouillon", "to_status": "submitted",
         "to_status_label": "Déposée", "at": "2022-06-02T09:00:00+02:00", "comment": ""},
        {"from_status": "submitted", "from_status_label": "Déposée", "to_status": "validated",
         "to_status_label": "Validée", "at": "2022-06-10T14:00:00+02:00", "comment": ""},
        {"from_status": "validated", "from_status_label": "Validée", "to_status": "paid",
         "to_status_label": "Décidée et payée", "at": "2022-06-15T16:00:00+02:00",
         "comment": "Versement ASP-AV-0003 du 15/06/2022"},
    ],
}


def paginated(item: dict) -> dict:
    return {"next": "https://…/?cursor=cD04", "previous": None, "results": [item]}


def detail_example(summary: str = "La demande") -> OpenApiExample:
    return OpenApiExample(summary, value=REQUEST_DETAIL_EXAMPLE, response_only=True)
