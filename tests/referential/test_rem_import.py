import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from segur_funding.core.errors import InvalidInput
from segur_funding.referential.models import Requirement
from segur_funding.referential.resources import (
    FrenchBooleanWidget,
    RequirementResource,
    normalize_header,
)
from segur_funding.referential.services import RemImportError, rem_import

from .conftest import REM_DIR

STARTER_CSV = REM_DIR / "sgl_v1_starter.csv"
STARTER_XLSX = REM_DIR / "sgl_v1_starter.xlsx"
BROKEN_CSV = REM_DIR / "sgl_v1_broken.csv"
SGL_STARTER_COUNT = 11


def sgl_requirements():
    return Requirement.objects.filter(dsr__code="SGL-V1")


@pytest.mark.parametrize("path", [STARTER_CSV, STARTER_XLSX], ids=["csv", "xlsx"])
def test_import_creates_then_reimport_updates_without_duplicates(no_requirements, path):
    fmt = path.suffix[1:]

    first = rem_import(dsr_code="SGL-V1", file=path, format=fmt)
    assert (first.created, first.updated, first.unchanged) == (SGL_STARTER_COUNT, 0, 0)
    ins = sgl_requirements().get(reference="SGL/INS.02")
    assert ins.title == "Appel du téléservice INSi (SGL de ville)"
    assert ins.profile == "SGL ville"
    assert ins.mandatory is True
    assert ins.is_starter is False

    again = rem_import(dsr_code="SGL-V1", file=path, format=fmt)
    assert (again.created, again.updated, again.unchanged) == (0, 0, SGL_STARTER_COUNT)
    assert sgl_requirements().count() == SGL_STARTER_COUNT

    ins.title = "Titre corrigé à la main"
    ins.save()
    third = rem_import(dsr_code="SGL-V1", file=path, format=fmt)
    assert (third.created, third.updated) == (0, 1)
    assert sgl_requirements().get(reference="SGL/INS.02").title.startswith("Appel du téléservice")
    assert sgl_requirements().count() == SGL_STARTER_COUNT


def test_imported_rows_keep_the_file_order_whatever_the_format(no_requirements):
    rem_import(dsr_code="SGL-V1", file=STARTER_XLSX, format="xlsx")
    references = list(sgl_requirements().order_by("position").values_list("reference", flat=True))
    assert references[:3] == ["SGL/DMP.01", "SGL/PSC.01", "SGL/INS.01"]
    assert sgl_requirements().get(reference="SGL/DMP.01").position == 1

    same_rem_as_csv = rem_import(dsr_code="SGL-V1", file=STARTER_CSV, format="csv")
    assert same_rem_as_csv.unchanged == SGL_STARTER_COUNT


def test_import_over_the_starter_set_replaces_it_and_names_what_is_left(reference_data):
    csv = "Référence exigence;Intitulé;Obligatoire\nSGL/DMP.01;Consultation du DMP;oui\n"
    summary = rem_import(dsr_code="SGL-V1", file=csv.encode(), format="csv")
    assert (summary.created, summary.updated) == (0, 1)
    dmp = sgl_requirements().get(reference="SGL/DMP.01")
    assert (dmp.title, dmp.is_starter) == ("Consultation du DMP", False)
    assert len(summary.starters_left) == SGL_STARTER_COUNT - 1
    assert "SGL/PSC.01" in str(summary)
    assert dmp.history.first().history_change_reason.startswith("Import REM")


def test_a_bad_row_is_reported_by_line_and_nothing_is_written(no_requirements):
    with pytest.raises(RemImportError) as caught:
        rem_import(dsr_code="SGL-V1", file=BROKEN_CSV, format="csv")

    problems = caught.value.problems
    assert problems == [
        "Ligne 3 : DSR : DSR « SGL-V9 » inconnu.",
        "Ligne 4 : intitulé : l'intitulé de l'exigence est vide.",
        "Ligne 5 : obligatoire : valeur « peut-être » non reconnue : indiquez oui ou non "
        "(ou vrai/faux, 1/0, x).",
    ]
    assert caught.value.message.startswith("Import REM refusé, aucune exigence enregistrée.")
    # Line 2 was valid, yet it is not written either: all or nothing.
    assert not Requirement.objects.exists()
    assert not Requirement.history.exists()


def test_without_the_dsr_column_a_row_for_another_dsr_is_refused(no_requirements):
    csv = "dsr,reference,title\nLOINC-V1,LOINC/X.01,Autre DSR\n"
    with pytest.raises(RemImportError) as caught:
        rem_import(dsr_code="SGL-V1", file=csv.encode(), format="csv")
    assert caught.value.problems == [
        "Ligne 2 : DSR : la ligne porte sur le DSR « LOINC-V1 » alors que le fichier est "
        "importé pour le DSR « SGL-V1 »."
    ]


def test_duplicate_reference_in_one_file_is_refused(no_requirements):
    csv = "reference,title\nSGL/A.01,Un\nSGL/A.02,Deux\nSGL/A.01,Trois\n"
    with pytest.raises(RemImportError) as caught:
        rem_import(dsr_code="SGL-V1", file=csv.encode(), format="csv")
    assert caught.value.problems == ["Ligne 4 : référence : référence « SGL/A.01 » en double (déjà ligne 2)."]
    assert not Requirement.objects.exists()


def test_empty_reference_is_refused(no_requirements):
    csv = "reference,title\n,Sans référence\n"
    with pytest.raises(RemImportError, match="Ligne 2 : référence : la référence"):
        rem_import(dsr_code="SGL-V1", file=csv.encode(), format="csv")


def test_missing_required_column_is_refused_before_any_row(no_requirements):
    csv = "Référence exigence;Thème\nSGL/A.01;DMP\n"
    with pytest.raises(RemImportError) as caught:
        rem_import(dsr_code="SGL-V1", file=csv.encode(), format="csv")
    assert len(caught.value.problems) == 1
    assert "Colonne(s) obligatoire(s) absente(s) du fichier : « intitulé »" in (caught.value.problems[0])


def test_two_columns_for_the_same_field_are_refused(no_requirements):
    csv = "Référence,Intitulé,Libellé\nSGL/A.01,Un,Deux\n"
    with pytest.raises(RemImportError, match="Colonnes en double : « Intitulé » et « Libellé »"):
        rem_import(dsr_code="SGL-V1", file=csv.encode(), format="csv")


def test_windows_1252_csv_with_banner_lines_is_read(no_requirements):
    text = (
        "REM du DSR SGL-V1;;\n"
        ";;\n"
        "Référence de l'exigence;Intitulé;Caractère\n"
        "SGL/A.01;Énoncé accentué;Obligatoire\n"
        ";;\n"
        "SGL/A.02;Deuxième;Facultatif\n"
    )
    summary = rem_import(dsr_code="SGL-V1", file=text.encode("cp1252"), format="csv")
    assert summary.created == 2
    rows = dict(sgl_requirements().values_list("reference", "mandatory"))
    assert rows == {"SGL/A.01": True, "SGL/A.02": False}
    assert sgl_requirements().get(reference="SGL/A.01").title == "Énoncé accentué"


def test_line_numbers_count_banner_and_blank_lines(no_requirements):
    text = "REM SGL;;\nRéférence;Intitulé;Obligatoire\nSGL/A.01;Un;oui\n;;\nSGL/A.02;Deux;bof\n"
    with pytest.raises(RemImportError) as caught:
        rem_import(dsr_code="SGL-V1", file=text.encode(), format="csv")
    assert caught.value.problems[0].startswith("Ligne 5 : obligatoire")


def test_dry_run_checks_without_writing(no_requirements):
    summary = rem_import(dsr_code="SGL-V1", file=STARTER_CSV, format="csv", dry_run=True)
    assert summary.created == SGL_STARTER_COUNT
    assert "rien n'a été enregistré" in str(summary)
    assert not Requirement.objects.exists()


def test_unreadable_xlsx_is_invalid_input(no_requirements):
    with pytest.raises(InvalidInput, match="Fichier REM illisible au format XLSX"):
        rem_import(dsr_code="SGL-V1", file=b"not a zip", format="xlsx")


def test_unknown_dsr_and_format_are_invalid_input(no_requirements):
    with pytest.raises(InvalidInput, match="DSR « XYZ » inconnu"):
        rem_import(dsr_code="XYZ", file=STARTER_CSV, format="csv")
    with pytest.raises(InvalidInput, match="Format « pdf » non pris en charge"):
        rem_import(dsr_code="SGL-V1", file=STARTER_CSV, format="pdf")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("oui", True),
        ("Oui", True),
        ("non", False),
        ("true", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
        (1, True),
        (0.0, False),
        ("x", True),
        ("X", True),
        ("", False),
        (None, False),
        ("Obligatoire", True),
        ("Recommandé", False),
    ],
)
def test_mandatory_accepts_french_and_spreadsheet_booleans(raw, expected):
    assert FrenchBooleanWidget().clean(raw) is expected


@pytest.mark.parametrize("raw", ["peut-être", "2", "oui/non"])
def test_mandatory_refuses_anything_else(raw):
    with pytest.raises(ValueError, match="non reconnue"):
        FrenchBooleanWidget().clean(raw)


def test_headers_match_without_case_accents_or_punctuation():
    assert normalize_header(" Référence de l'exigence ") == "reference de l exigence"
    assert normalize_header("SCÉNARIO_DE_CONFORMITÉ") == "scenario de conformite"


# -- the management command --------------------------------------------------------------------


def test_import_rem_command_imports_and_reports(no_requirements):
    out = io.StringIO()
    call_command("import_rem", str(STARTER_XLSX), "--dsr", "SGL-V1", stdout=out)
    assert "REM SGL-V1 : 11 exigence(s) créée(s)" in out.getvalue()
    assert sgl_requirements().count() == SGL_STARTER_COUNT


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([str(BROKEN_CSV), "--dsr", "SGL-V1"], "Ligne 3 : DSR : DSR « SGL-V9 » inconnu."),
        ([str(STARTER_CSV), "--dsr", "XYZ"], "DSR « XYZ » inconnu."),
        ([str(REM_DIR / "absent.csv"), "--dsr", "SGL-V1"], "Fichier introuvable"),
        ([str(REM_DIR / "build_samples.py"), "--dsr", "SGL-V1"], "Format « py »"),
    ],
    ids=["bad-row", "unknown-dsr", "missing-file", "bad-format"],
)
def test_import_rem_command_exits_2_with_one_french_line(no_requirements, args, expected):
    err = io.StringIO()
    with pytest.raises(SystemExit) as caught:
        call_command("import_rem", *args, stderr=err)
    assert caught.value.code == 2
    message = err.getvalue()
    assert expected in message
    assert message.count("\n") <= 1
    assert "Traceback" not in message
    assert not Requirement.objects.exists()


def test_import_rem_command_dry_run_writes_nothing(no_requirements):
    out = io.StringIO()
    call_command("import_rem", str(STARTER_CSV), "--dsr", "SGL-V1", "--dry-run", stdout=out)
    assert "vérification seule" in out.getvalue()
    assert not Requirement.objects.exists()


# -- the admin import (same resource) ----------------------------------------------------------


def _upload(admin_client, path, fmt_index: str, dsr: str = "SGL-V1"):
    with path.open("rb") as f:
        return admin_client.post(
            reverse("admin:referential_requirement_import"),
            {"resource": "0", "dsr": dsr, "format": fmt_index, "import_file": f},
        )


def test_admin_import_previews_then_confirms(admin_client, admin_user, no_requirements):
    response = _upload(admin_client, STARTER_XLSX, "1")
    assert response.status_code == 200
    confirm = response.context["confirm_form"]
    assert not Requirement.objects.exists()  # the preview is a dry run

    response = admin_client.post(
        reverse("admin:referential_requirement_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert response.status_code == 302
    assert sgl_requirements().count() == SGL_STARTER_COUNT
    record = sgl_requirements().get(reference="SGL/DMP.01").history.first()
    assert record.history_user == admin_user


def test_admin_import_of_a_bad_file_shows_lines_and_offers_no_confirmation(admin_client, no_requirements):
    response = _upload(admin_client, BROKEN_CSV, "0")
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    invalid = {row.number for row in response.context["result"].invalid_rows}
    assert invalid == {3, 4, 5}
    assert "DSR « SGL-V9 » inconnu." in response.content.decode()
    assert not Requirement.objects.exists()


def test_admin_import_page_and_export_load(admin_client, reference_data):
    assert admin_client.get(reverse("admin:referential_requirement_import")).status_code == 200
    fields = RequirementResource().get_export_order()
    response = admin_client.post(
        reverse("admin:referential_requirement_export"),
        {"format": "0", "resource": "0", **{f"requirementresource_{f}": "on" for f in fields}},
    )
    assert response.status_code == 200
    exported = response.content.decode()
    assert exported.splitlines()[0].startswith("dsr,reference,theme,title")
    assert "SGL-V1,SGL/DMP.01,DMP,Consultation du DMP" in exported


def test_an_exported_file_imports_back_unchanged(no_requirements):
    rem_import(dsr_code="SGL-V1", file=STARTER_CSV, format="csv")
    exported = RequirementResource().export().export("csv")
    summary = rem_import(dsr_code="SGL-V1", file=exported.encode(), format="csv")
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, SGL_STARTER_COUNT)


def test_admin_import_without_required_column_shows_a_french_error(admin_client, no_requirements):
    upload = io.BytesIO("Référence;Thème\nSGL/A.01;DMP\n".encode())
    upload.name = "rem.csv"
    response = admin_client.post(
        reverse("admin:referential_requirement_import"),
        {"resource": "0", "dsr": "SGL-V1", "format": "0", "import_file": upload},
    )
    page = response.content.decode()
    assert "Import refusé : aucune exigence n'a été enregistrée" in page
    assert "Colonne(s) obligatoire(s) absente(s) du fichier" in page
    assert "Traceback" not in page
    assert "confirm_form" not in response.context


def test_admin_import_needs_add_and_change_rights(client, django_user_model, no_requirements):
    from django.contrib.auth.models import Permission

    reader = django_user_model.objects.create_user(
        email="lecteur@ans.test", password="pw", is_staff=True
    )
    reader.user_permissions.add(Permission.objects.get(codename="view_requirement"))
    client.force_login(reader)
    assert client.get(reverse("admin:referential_requirement_changelist")).status_code == 200
    assert client.get(reverse("admin:referential_requirement_import")).status_code == 403
