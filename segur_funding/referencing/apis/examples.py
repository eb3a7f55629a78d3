"""Examples shown in the OpenAPI documentation of the referencing API."""

from drf_spectacular.utils import OpenApiExample

DOSSIER_EXAMPLE = {
    "id": 12,
    "editor": 1,
    "editor_name": "Biologiciel SAS",
    "solution": "BioLab SGL",
    "version": "5.2",
    "solution_version": 4,
    "dsr": "SGL-V1",
    "status": "proofs_in_progress",
    "status_label": "Dépôt des preuves en cours",
    "created_at": "2021-09-13T10:00:00+02:00",
    "candidature_submitted_at": "2021-09-15T10:00:00+02:00",
    "eligibility_decided_at": "2021-09-20T10:00:00+02:00",
    "proofs_complete_on": None,
    "decided_at": None,
    "referencing_number": None,
    "referenced_on": None,
    "clock_phase": "",
    "clock_phase_label": "—",
    "clock_deadline": None,
}
DOSSIER_DETAIL_EXAMPLE = {
    **DOSSIER_EXAMPLE,
    "contact_name": "Élise Martin",
    "contact_email": "editeur@demo.test",
    "contact_phone": "04 72 00 00 00",
    "referencing_profile": "SGL — tous profils",
    "candidature_note": "",
    "honour_declaration": True,
    "clock": None,
    "has_certificate": False,
    "available_actions": ["submit_proofs"],
    "proofs": [
        {
            "id": 101,
            "requirement": {
                "id": 7,
                "reference": "SGL-EX-01",
                "theme": "Identité",
                "title": "Identité nationale de santé",
                "expected_proofs": "Capture d'écran",
                "mandatory": True,
            },
            "status": "submitted",
            "status_label": "Déposée",
            "reviewer_comment": "",
            "reviewed_at": None,
            "files": [
                {
                    "id": 55,
                    "original_name": "preuve-ins.pdf",
                    "content_type": "application/pdf",
                    "size": 48213,
                    "sha256": "9f2c…",
                    "uploaded_at": "2022-01-20T10:00:00+01:00",
                    "scan_status": "clean",
                    "scan_status_label": "Sain",
                    "is_current": True,
                    "superseded_by": None,
                }
            ],
        }
    ],
    "corrections": [],
    "events": [
        {
            "kind": "dossier_create",
            "kind_label": "Ouverture du dossier",
            "actor_role": "editor",
            "actor_role_label": "Éditeur",
            "from_status": "draft",
            "to_status": "draft",
            "comment": "",
            "created_at": "2021-09-13T10:00:00+02:00",
        }
    ],
}


def paginated_example(item: dict) -> dict:
    return {"next": "https://…/?cursor=cD0xMg%3D%3D", "previous": None, "results": [item]}


def detail_example(summary: str) -> OpenApiExample:
    return OpenApiExample(summary, value=DOSSIER_DETAIL_EXAMPLE, response_only=True)


SOLUTION_EXAMPLE = {
    "id": 2,
    "name": "BioLab SGL",
    "editor": 1,
    "editor_name": "Biologiciel SAS",
    "created_at": "2021-09-13T10:00:00+02:00",
    "versions": [
        {
            "id": 4,
            "label": "5.2",
            "obsolete_versions": "Versions 4.x et antérieures.",
            "created_at": "2021-09-13T10:00:00+02:00",
        }
    ],
}
