"""Writes of reference data."""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from .models import Corridor, Dsr, FundingScheme, FundingWindow, Requirement, Tier

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

    def __str__(self) -> str:
        return f"{self.created} créé(s), {self.kept} déjà présent(s) (conservés tels quels)"


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
