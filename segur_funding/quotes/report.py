"""The quote-check report (SPEC §4 output) and its renderers, shared by the command, web and API.

Pure: no ORM, no settings, no I/O.
"""

import json
from dataclasses import dataclass
from decimal import Decimal

from segur_funding.core.money import format_eur

from .constants import Severity, Verdict

VERDICT_SENTENCES = {
    Verdict.CONFORM: "Conforme : vous n'avez rien à payer au titre de la Prestation Ségur.",
    Verdict.NON_CONFORM: "Non conforme : ce devis ne respecte pas les règles du financement SONS.",
    Verdict.INCOMPLETE: "Incomplet : à vérifier à la main avant de signer.",
}


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str  # Severity value
    line: int | None  # 1-based index in `lines`, None for the whole quote
    message: str  # French, for the lab accountant

    def to_dict(self) -> dict[str, object]:
        return {
            "code": str(self.code),
            "severity": str(self.severity),
            "line": self.line,
            "message": self.message,
        }


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


@dataclass(frozen=True, slots=True)
class Report:
    verdict: str  # Verdict value
    tier: str | None
    cap_ttc: Decimal | None
    cap_ht: Decimal | None
    segur_total_ttc: Decimal | None
    state_funding_ttc: Decimal | None
    client_remainder_ttc: Decimal | None
    advance_ttc: Decimal | None
    balance_ttc: Decimal | None
    findings: tuple[Finding, ...] = ()
    # Context for the renderers; not part of the SPEC §4 output.
    dsr: str | None = None
    number: str | None = None
    advance_rate: Decimal | None = None

    @property
    def codes(self) -> list[str]:
        return [str(f.code) for f in self.findings]

    def findings_of(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    def to_dict(self) -> dict[str, object]:
        """Exactly the SPEC §4 output keys; amounts as strings with two decimals, or null."""
        return {
            "verdict": str(self.verdict),
            "tier": self.tier,
            "cap_ttc": _money(self.cap_ttc),
            "cap_ht": _money(self.cap_ht),
            "segur_total_ttc": _money(self.segur_total_ttc),
            "state_funding_ttc": _money(self.state_funding_ttc),
            "client_remainder_ttc": _money(self.client_remainder_ttc),
            "advance_ttc": _money(self.advance_ttc),
            "balance_ttc": _money(self.balance_ttc),
            "findings": [f.to_dict() for f in self.findings],
        }


def report_to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def _eur(value: Decimal | None) -> str:
    return "inconnu" if value is None else format_eur(value)


def _percent(rate: Decimal) -> str:
    text = f"{rate * 100:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + " %"


def _finding_line(finding: Finding) -> str:
    where = f"Ligne {finding.line} : " if finding.line is not None else ""
    return f"  - {where}{finding.message}"


def report_to_text(report: Report, *, source: str | None = None) -> str:
    """The report in plain French for a lab accountant: verdict first, then amounts, then problems.

    `source` (a file name, say) is printed in the title when given.
    """
    title = "Vérification du devis"
    if report.number:
        title += f" n° {report.number}"
    if report.dsr:
        title += f" (DSR {report.dsr})"
    if source:
        title += f" — {source}"
    out = [title, "", VERDICT_SENTENCES[Verdict(report.verdict)], ""]

    if report.tier is not None:
        out.append(
            f"Tranche {report.tier} du barème : l'État prend en charge au plus "
            f"{_eur(report.cap_ttc)} TTC ({_eur(report.cap_ht)} HT)."
        )
    else:
        out.append("Tranche du barème : inconnue (DSR ou nombre de sites non indiqué).")
    out.append(f"Total de la Prestation Ségur : {_eur(report.segur_total_ttc)} TTC.")
    out.append(f"Pris en charge par l'État : {_eur(report.state_funding_ttc)} TTC.")
    if report.client_remainder_ttc is None:
        out.append("Ce que vous paieriez pour la Prestation Ségur : impossible à calculer.")
    else:
        out.append(
            "Ce que vous paieriez pour la Prestation Ségur (reste à charge) : "
            f"{_eur(report.client_remainder_ttc)} TTC."
        )
    if report.advance_ttc is not None and report.balance_ttc is not None:
        rate = f" ({_percent(report.advance_rate)})" if report.advance_rate is not None else ""
        out.append(
            f"L'ASP verserait à l'éditeur une avance{rate} de {_eur(report.advance_ttc)} "
            f"puis un solde de {_eur(report.balance_ttc)} une fois la prestation réalisée."
        )

    sections = (
        (Severity.ERROR, "Problèmes à faire corriger par l'éditeur :"),
        (Severity.MANUAL, "À vérifier à la main :"),
        (Severity.WARNING, "À savoir :"),
    )
    for severity, heading in sections:
        findings = report.findings_of(severity)
        if findings:
            out += ["", heading, *(_finding_line(f) for f in findings)]
    if not report.findings:
        out += ["", "Aucun problème relevé."]
    return "\n".join(out) + "\n"
