"""Writes of reference data."""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import tablib
from django.db import transaction
from import_export.results import RowResult

from segur_funding.core.errors import InvalidInput

from .condition_defaults import DEFAULT_CONDITION_WORDINGS
from .label_defaults import DEFAULT_LABEL_ITEMS
from .models import (
    ConditionWording,
    Corridor,
    Dsr,
    FundingScheme,
    FundingWindow,
    QuoteLabelItem,
    Requirement,
    ShippedWording,
    Tier,
)
from .resources import IMPORT_FORMATS, RequirementResource, result_messages
from .rules import TierRow, tiers_problems

WINDOW_DATE_FIELDS = (
    "opens_on",
    "order_signature_deadline",
    "proofs_complete_deadline",
    "advance_request_deadline",
    "service_completion_deadline",
    "balance_request_deadline",
)


@dataclass
class LoadReport:
    created: int = 0
    kept: int = 0
    # Shipped rows ANS deleted in the admin: not created again.
    withdrawn: int = 0

    def __str__(self) -> str:
        text = f"{self.created} créé(s), {self.kept} déjà présent(s) (conservés tels quels)"
        if self.withdrawn:
            text += f", {self.withdrawn} supprimé(s) par l'ANS (non recréé(s))"
        return text


def _date(raw: str | None) -> date | None:
    return date.fromisoformat(raw) if raw else None


@transaction.atomic
def reference_data_load(*, path: Path) -> LoadReport:
    """Create the published reference data that is missing; never overwrite what exists.

    Rows already present are kept as they are: ANS staff may have corrected them in the admin
    (with history), and re-running `make setup` must not undo that.
    """
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    report = LoadReport()

    def ensure(model: Any, lookup: dict[str, Any], defaults: dict[str, Any]) -> Any:
        obj, created = model.objects.get_or_create(**lookup, defaults=defaults)
        if created:
            report.created += 1
        else:
            report.kept += 1
        return obj

    corridors = {
        c["code"]: ensure(Corridor, {"code": c["code"]}, {"name": c["name"]})
        for c in data.get("corridors", [])
    }
    dsrs = {}
    for d in data.get("dsrs", []):
        dsrs[d["code"]] = ensure(
            Dsr,
            {"code": d["code"]},
            {
                "corridor": corridors[d["corridor"]],
                "software": d["software"],
                "wave": d.get("wave", 1),
                "arrete_date": _date(d.get("arrete_date")),
            },
        )
    for s in data.get("schemes", []):
        dsr = dsrs.get(s["dsr"]) or Dsr.objects.get(code=s["dsr"])
        scheme = ensure(
            FundingScheme,
            {"dsr": dsr, "version": s.get("version", "1")},
            {
                "name": s["name"],
                "published_on": _date(s.get("published_on")),
                "source": s.get("source", ""),
                "is_active": not FundingScheme.objects.filter(dsr=dsr, is_active=True).exists(),
            },
        )
        for t in s.get("tiers", []):
            ensure(
                Tier,
                {"scheme": scheme, "code": t["code"]},
                {
                    "sites_from": t["sites_from"],
                    "sites_to": t.get("sites_to"),
                    "cap_ht": Decimal(t["cap_ht"]),
                    "cap_ttc": Decimal(t["cap_ttc"]),
                },
            )
        for w in s.get("windows", []):
            defaults = {f: _date(w.get(f)) for f in WINDOW_DATE_FIELDS}
            defaults.update(label=w.get("label", ""), source=w.get("source", ""))
            ensure(FundingWindow, {"scheme": scheme, "number": w["number"]}, defaults)
    for position, r in enumerate(data.get("requirements", []), start=1):
        dsr = dsrs.get(r["dsr"]) or Dsr.objects.get(code=r["dsr"])
        fields = {
            k: r[k]
            for k in (
                "theme",
                "title",
                "statement",
                "conformity_scenario",
                "expected_proofs",
                "profile",
                "mandatory",
                "is_starter",
            )
            if k in r
        }
        fields.setdefault("position", position)
        ensure(Requirement, {"dsr": dsr, "reference": r["reference"]}, fields)
    return report


# The wordings the quote checker reads, each table with its shipped defaults (by code) and the
# name `load_reference_data` reports it under.
SHIPPED_WORDINGS: dict[type[ShippedWording], tuple[str, tuple]] = {
    QuoteLabelItem: ("Libellés de devis (Prestation Ségur)", DEFAULT_LABEL_ITEMS),
    ConditionWording: ("Formulations d'offre conditionnée", DEFAULT_CONDITION_WORDINGS),
}


@transaction.atomic
def shipped_wordings_load(*, model: type[ShippedWording]) -> LoadReport:
    """Create the shipped wordings of `model` (a table of SHIPPED_WORDINGS) that are missing, by
    code; never overwrite a row ANS may have edited (idempotent: a second run creates nothing)
    and never bring back a row ANS deleted (its history keeps the deletion). Each row created
    gets its history row, with the reason."""
    report = LoadReport()
    existing = set(model.objects.values_list("code", flat=True))
    deleted = set(model.history.filter(history_type="-").values_list("code", flat=True)) - existing
    for position, ref in enumerate(SHIPPED_WORDINGS[model][1], start=1):
        if ref.code in existing:
            report.kept += 1
            continue
        if ref.code in deleted:
            report.withdrawn += 1
            continue
        row = model.from_ref(ref, position=position * 10)
        row._change_reason = "Jeu de formulations livré (load_reference_data)"
        row.save()
        report.created += 1
    return report


# -- REM import ---------------------------------------------------------------------------------


MAX_PROBLEMS_IN_MESSAGE = 10


class RemImportError(InvalidInput):
    """A REM file refused as a whole; `problems` lists each one (with its spreadsheet line)."""

    code = "REM_IMPORT_REFUSED"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_PROBLEMS_IN_MESSAGE]
        more = len(problems) - len(shown)
        text = " ; ".join(shown) + (f" ; et {more} autre(s) erreur(s)" if more else "")
        super().__init__(f"Import REM refusé, aucune exigence enregistrée. {text}")


@dataclass(frozen=True)
class ImportSummary:
    dsr_code: str
    created: int
    updated: int
    unchanged: int
    dry_run: bool = False
    # Starter requirements of the DSR that the file did not replace (kept; ANS decides).
    starters_left: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = (
            f"REM {self.dsr_code} : {self.created} exigence(s) créée(s), "
            f"{self.updated} mise(s) à jour, {self.unchanged} inchangée(s)"
        )
        if self.dry_run:
            text += " (vérification seule, rien n'a été enregistré)"
        if self.starters_left:
            text += (
                f". {len(self.starters_left)} exigence(s) du jeu de démarrage absente(s) du "
                f"fichier restent en base : {', '.join(self.starters_left)}"
            )
        return text + "."


def rem_dataset_read(*, file: BinaryIO | Path | bytes, format: str) -> tablib.Dataset:
    """Read a REM file (CSV or XLSX) into a dataset; InvalidInput when it cannot be read."""
    fmt = IMPORT_FORMATS.get(format.lower().lstrip("."))
    if fmt is None:
        raise InvalidInput(
            f"Format « {format} » non pris en charge pour un fichier REM : CSV ou XLSX attendu."
        )
    if isinstance(file, Path):
        data = file.read_bytes()
    elif isinstance(file, bytes):
        data = file
    else:
        data = file.read()
    try:
        return fmt().create_dataset(data)
    except Exception as exc:  # openpyxl, zipfile and csv each raise their own errors
        raise InvalidInput(
            f"Fichier REM illisible au format {format.upper()} ({type(exc).__name__}) : "
            "vérifiez le format du fichier."
        ) from exc


def rem_import(
    *,
    dsr_code: str,
    file: BinaryIO | Path | bytes,
    format: str,
    file_name: str = "",
    dry_run: bool = False,
) -> ImportSummary:
    """Import one DSR's REM file: all rows or none.

    The admin's import page runs the same `RequirementResource`; here the whole import runs in one
    transaction that is rolled back when any row is refused (or for a dry run), so a file is never
    half-imported.
    """
    if not Dsr.objects.filter(code=dsr_code).exists():
        raise InvalidInput(f"DSR « {dsr_code} » inconnu.")
    dataset = rem_dataset_read(file=file, format=format)
    if not file_name and isinstance(file, Path):
        file_name = file.name
    resource = RequirementResource(dsr_code=dsr_code)
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            raise_errors=False,
            file_name=file_name,
        )
        if result.has_errors() or result.has_validation_errors():
            raise RemImportError(result_messages(result))
        if result.total_rows == 0:
            raise RemImportError(["le fichier ne contient aucune exigence."])
        starters_left = tuple(
            Requirement.objects.filter(dsr__code=dsr_code, is_starter=True)
            .order_by("position", "reference")
            .values_list("reference", flat=True)
        )
    totals = result.totals
    return ImportSummary(
        dsr_code=dsr_code,
        created=totals[RowResult.IMPORT_TYPE_NEW],
        updated=totals[RowResult.IMPORT_TYPE_UPDATE],
        unchanged=totals[RowResult.IMPORT_TYPE_SKIP],
        dry_run=dry_run,
        starters_left=starters_left,
    )


# -- funding schemes ----------------------------------------------------------------------------


@transaction.atomic
def funding_scheme_activate(*, scheme: FundingScheme) -> FundingScheme:
    """Put an AF in force for its DSR, taking the previous one out of force in the same transaction.

    The DSR's schemes are locked first, so two people switching AF at once cannot both succeed.
    An AF whose tier table does not cover every site count cannot be put in force: quotes are
    checked against it from that moment.
    """
    schemes = list(FundingScheme.objects.select_for_update().filter(dsr_id=scheme.dsr_id).order_by("pk"))
    tiers = tuple(
        TierRow(
            code=t.code,
            sites_from=t.sites_from,
            sites_to=t.sites_to,
            cap_ht=t.cap_ht,
            cap_ttc=t.cap_ttc,
        )
        for t in scheme.tiers.all()
    )
    problems = tiers_problems(tiers)
    if problems:
        raise InvalidInput(f"« {scheme} » ne peut pas être mis en vigueur : " + " ".join(problems))
    for other in schemes:
        if other.pk != scheme.pk and other.is_active:
            other.is_active = False
            other._change_reason = f"Remplacé par l'AF {scheme}"
            other.save(update_fields=["is_active"])
    if not scheme.is_active:
        scheme.is_active = True
        scheme._change_reason = "Mis en vigueur"
        scheme.save(update_fields=["is_active"])
    return scheme
