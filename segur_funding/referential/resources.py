"""REM requirements import and export (django-import-export), shared by admin and `import_rem`.

A REM (référentiel d'exigences) is published by ANS as a spreadsheet, one per DSR. The resource
accepts the canonical column names (`dsr`, `reference`, `title`…) and the French headers found in
ANS spreadsheets (« Référence exigence », « Intitulé », « Énoncé »…), matched without regard to
case, accents or punctuation. Rows are identified by their natural key (DSR code, reference), so a
re-import updates requirements instead of duplicating them.

Line numbers in every message are the spreadsheet's own (the header is line 1), so the person who
fixes the file finds the line where the spreadsheet shows it.
"""

import unicodedata
from collections.abc import Iterable
from typing import Any

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX

from .models import Dsr, Requirement

# Canonical column (the resource field's column name) → header spellings, normalised by
# `normalize_header`. The first spelling of each list is the canonical name itself.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "dsr": ("dsr", "code dsr", "code du dsr"),
    "reference": (
        "reference",
        "ref",
        "reference exigence",
        "reference de l exigence",
        "ref exigence",
        "identifiant exigence",
        "id exigence",
        "numero exigence",
    ),
    "theme": ("theme", "thematique", "domaine"),
    "title": (
        "title",
        "intitule",
        "intitule exigence",
        "intitule de l exigence",
        "libelle",
        "libelle exigence",
        "titre",
    ),
    "statement": (
        "statement",
        "enonce",
        "enonce exigence",
        "enonce de l exigence",
        "description",
        "description de l exigence",
    ),
    "conformity_scenario": (
        "conformity scenario",
        "scenario de conformite",
        "scenario",
        "scenario de verification",
    ),
    "expected_proofs": (
        "expected proofs",
        "preuves attendues",
        "preuve attendue",
        "preuves",
        "preuve",
        "type de preuve",
        "modalite de preuve",
    ),
    "profile": ("profile", "profil", "profils", "profil concerne", "profils concernes"),
    "mandatory": (
        "mandatory",
        "obligatoire",
        "caractere",
        "caractere obligatoire",
        "caractere de l exigence",
    ),
    "position": ("position", "ordre"),
}

# Columns a REM file must carry; the DSR may come from the import instead (`dsr_code`).
REQUIRED_COLUMNS = ("reference", "title")

# How many leading rows may precede the header (ANS spreadsheets often open with a banner).
HEADER_SEARCH_ROWS = 10

TRUE_WORDS = frozenset({"oui", "o", "yes", "y", "true", "vrai", "1", "x", "obligatoire"})
FALSE_WORDS = frozenset({"non", "n", "no", "false", "faux", "0", "", "facultatif", "optionnel", "recommande"})

FIELD_LABELS = {
    "dsr": "DSR",
    "reference": "référence",
    "theme": "thème",
    "title": "intitulé",
    "statement": "énoncé",
    "conformity_scenario": "scénario de conformité",
    "expected_proofs": "preuves attendues",
    "profile": "profil",
    "mandatory": "obligatoire",
    "position": "ordre",
}


def normalize_header(raw: object) -> str:
    """Lower case, no accents, words separated by single spaces: « Référence de l'exigence »
    and "reference_de_l_exigence" both give "reference de l exigence"."""
    text = unicodedata.normalize("NFKD", str(raw or "")).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return " ".join(words)


ALIAS_TO_COLUMN = {
    normalize_header(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases
}


def _is_blank(values: Iterable[object]) -> bool:
    return all(v is None or str(v).strip() == "" for v in values)


class FrenchBooleanWidget(widgets.BooleanWidget):
    """oui/non, vrai/faux, true/false, 1/0, or the spreadsheet tick « x » (empty cell: « non »)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        word = normalize_header(value) if value is not None else ""
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(f"valeur « {value} » non reconnue : indiquez oui ou non (ou vrai/faux, 1/0, x).")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value is None:
            return ""
        return "oui" if value else "non"


class DsrCodeWidget(widgets.ForeignKeyWidget):
    def __init__(self) -> None:
        super().__init__(Dsr, field="code")

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Dsr | None:
        try:
            return super().clean(value, row, **kwargs)
        except Dsr.DoesNotExist:
            raise ValueError(f"DSR « {value} » inconnu.") from None


class RemCSV(CSV):
    """CSV as French spreadsheets save it: UTF-8 (with or without BOM) or Windows-1252, separated
    by commas, semicolons or tabs. Read as bytes so the encoding can be guessed here."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: bytes | str, **kwargs: Any) -> tablib.Dataset:
        text = decode_text(in_stream) if isinstance(in_stream, bytes) else in_stream
        first_line = text.split("\n", 1)[0]
        delimiter = max((";", ",", "\t"), key=first_line.count)
        return tablib.import_set(text, format="csv", delimiter=delimiter)


def decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


IMPORT_FORMATS = {"csv": RemCSV, "xlsx": XLSX}


class RequirementResource(resources.ModelResource):
    """One REM row → one `Requirement`, found by (DSR code, reference).

    `dsr_code`, when given, is the DSR the file belongs to: it fills a missing or empty DSR column,
    and a row naming another DSR is refused (a REM file is published per DSR).
    """

    dsr = fields.Field(attribute="dsr", column_name="dsr", widget=DsrCodeWidget())
    mandatory = fields.Field(attribute="mandatory", column_name="mandatory", widget=FrenchBooleanWidget())

    class Meta:
        model = Requirement
        fields = (
            "dsr",
            "reference",
            "theme",
            "title",
            "statement",
            "conformity_scenario",
            "expected_proofs",
            "profile",
            "mandatory",
            "position",
        )
        import_id_fields = ("dsr", "reference")
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = False

    def __init__(self, dsr_code: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dsr_code = dsr_code or None
        # Spreadsheet line of each dataset row, filled by before_import.
        self.line_numbers: list[int] = []
        self._seen: dict[tuple[str, str], int] = {}
        self._known_dsrs: set[str] = set()

    # -- whole file ------------------------------------------------------------------------

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        header_index = self._find_header(dataset)
        try:
            self._prepare(dataset, header_index)
        except ValidationError:
            # Rows of a file whose columns are wrong would only repeat the same error.
            dataset.wipe()
            raise

    def _find_header(self, dataset: tablib.Dataset) -> int:
        """-1 when the first row is the header, else the index of the data row holding it."""
        if self._recognised(dataset.headers or []):
            return -1
        for index in range(min(HEADER_SEARCH_ROWS, len(dataset))):
            if self._recognised(dataset[index]):
                return index
        return -1

    @staticmethod
    def _recognised(headers: Iterable[object]) -> bool:
        columns = {ALIAS_TO_COLUMN.get(normalize_header(h)) for h in headers}
        return all(c in columns for c in REQUIRED_COLUMNS)

    def _prepare(self, dataset: tablib.Dataset, header_index: int) -> None:
        raw_headers = list(dataset.headers or [])
        rows = [list(r) for r in dataset]
        if header_index >= 0:
            raw_headers = rows[header_index]
            rows = rows[header_index + 1 :]
        first_line = header_index + 3 if header_index >= 0 else 2

        headers: list[str] = []
        seen: dict[str, str] = {}
        for raw in raw_headers:
            column = ALIAS_TO_COLUMN.get(normalize_header(raw))
            if column is None:
                # Kept apart so it can never shadow a recognised column.
                headers.append(f"(ignorée) {raw}")
                continue
            if column in seen:
                raise ValidationError(
                    f"Colonnes en double : « {seen[column]} » et « {raw} » désignent toutes deux "
                    f"la colonne {FIELD_LABELS[column]}."
                )
            seen[column] = str(raw)
            headers.append(column)

        missing = [FIELD_LABELS[c] for c in REQUIRED_COLUMNS if c not in seen]
        if missing:
            raise ValidationError(
                "Colonne(s) obligatoire(s) absente(s) du fichier : "
                + ", ".join(f"« {m} »" for m in missing)
                + ". Colonnes reconnues : référence (« Référence exigence »), intitulé, énoncé, "
                "thème, scénario de conformité, preuves attendues, profil, obligatoire, DSR."
            )
        if "dsr" not in seen and not self.dsr_code:
            raise ValidationError(
                "Le fichier n'a pas de colonne DSR : indiquez le DSR auquel il se rapporte."
            )

        kept: list[list[Any]] = []
        self.line_numbers = []
        for offset, row in enumerate(rows):
            if _is_blank(row):
                continue
            row = row + [None] * (len(headers) - len(row))
            kept.append(row[: len(headers)])
            self.line_numbers.append(first_line + offset)

        dataset.wipe()
        dataset.headers = headers
        for row in kept:
            dataset.append(row)
        if "dsr" not in seen:
            dataset.append_col([self.dsr_code] * len(kept), header="dsr")
        if "position" not in seen:
            # The file's order is the REM's order (the same whether it comes as CSV or XLSX).
            dataset.append_col(list(range(1, len(kept) + 1)), header="position")
        self._known_dsrs = set(Dsr.objects.values_list("code", flat=True))
        self._seen = {}

    def after_import(self, dataset: tablib.Dataset, result: Any, **kwargs: Any) -> None:
        # import-export numbers data rows from 1; report spreadsheet lines instead.
        for invalid in result.invalid_rows:
            invalid.number = self.line_for(invalid.number)
        for error_row in result.error_rows:
            error_row.number = self.line_for(error_row.number)
            for error in error_row.errors:
                error.number = error_row.number

    def line_for(self, row_number: int) -> int:
        if 0 < row_number <= len(self.line_numbers):
            return self.line_numbers[row_number - 1]
        return row_number + 1

    # -- one row ---------------------------------------------------------------------------

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        for key, value in row.items():
            if isinstance(value, str):
                row[key] = value.strip()
        if not row.get("dsr") and self.dsr_code:
            row["dsr"] = self.dsr_code
        errors: dict[str, str] = {}
        dsr = str(row.get("dsr") or "")
        reference = str(row.get("reference") or "")
        if not dsr:
            errors["dsr"] = "le DSR est vide."
        elif dsr not in self._known_dsrs:
            errors["dsr"] = f"DSR « {dsr} » inconnu."
        elif self.dsr_code and dsr != self.dsr_code:
            errors["dsr"] = (
                f"la ligne porte sur le DSR « {dsr} » alors que le fichier est importé "
                f"pour le DSR « {self.dsr_code} »."
            )
        if not reference:
            errors["reference"] = "la référence de l'exigence est vide."
        elif dsr:
            line = self.line_for(kwargs.get("row_number", 0))
            first = self._seen.setdefault((dsr, reference), line)
            if first != line:
                errors["reference"] = f"référence « {reference} » en double (déjà ligne {first})."
        if "title" in row and not str(row.get("title") or ""):
            errors["title"] = "l'intitulé de l'exigence est vide."
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance: Any, original: Any, row: Any, import_validation_errors=None):
        # A starter requirement matched by the official REM is never "unchanged": the import
        # clears its starter flag even when the texts are identical.
        if original is not None and original.pk and original.is_starter:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def before_save_instance(self, instance: Requirement, row: Any, **kwargs: Any) -> None:
        instance.is_starter = False
        file_name = kwargs.get("file_name") or "fichier REM"
        instance._change_reason = f"Import REM ({file_name})"


def result_messages(result: Any) -> list[str]:
    """Every problem of an import result, in French, each naming its spreadsheet line."""
    messages: list[str] = [_error_text(e.error) for e in result.base_errors]
    for error_row in result.error_rows:
        for error in error_row.errors:
            messages.append(f"Ligne {error_row.number} : {_error_text(error.error)}")
    for invalid in result.invalid_rows:
        parts = []
        for field, field_messages in invalid.error_dict.items():
            text = " ".join(str(m) for m in field_messages)
            if field == NON_FIELD_ERRORS:
                parts.append(text)
            else:
                parts.append(f"{FIELD_LABELS.get(field, field)} : {text}")
        messages.append(f"Ligne {invalid.number} : " + " ; ".join(parts))
    return messages


def _error_text(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(error) or type(error).__name__
