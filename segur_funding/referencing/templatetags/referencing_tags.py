from django import template

from segur_funding.core.files import human_size
from segur_funding.referencing.constants import DossierStatus, ProofStatus, ScanStatus

register = template.Library()

_STATUS_BADGES = {
    DossierStatus.REFERENCED: "fr-badge--success",
    DossierStatus.REFUSED: "fr-badge--error",
    DossierStatus.INELIGIBLE: "fr-badge--error",
    DossierStatus.CORRECTION_REQUESTED: "fr-badge--warning",
    DossierStatus.DRAFT: "",
    ProofStatus.ACCEPTED: "fr-badge--success",
    ProofStatus.REJECTED: "fr-badge--error",
    ProofStatus.MISSING: "fr-badge--warning",
    ProofStatus.SUBMITTED: "fr-badge--info",
}
_SCAN_BADGES = {
    ScanStatus.CLEAN: "fr-badge--success",
    ScanStatus.INFECTED: "fr-badge--error",
    ScanStatus.PENDING: "fr-badge--info",
    ScanStatus.NOT_SCANNED: "",
}


@register.filter
def badge_class(status: str) -> str:
    return _STATUS_BADGES.get(status, "fr-badge--info")


# What the editor reads on a file's badge (the legend of the dossier page explains each one).
_SCAN_LABELS = {
    ScanStatus.NOT_SCANNED: "Non analysé",
    ScanStatus.PENDING: "En cours d'analyse",
    ScanStatus.CLEAN: "Sain",
    ScanStatus.INFECTED: "Infecté — refusé",
}


@register.filter
def scan_label(status: str) -> str:
    return _SCAN_LABELS.get(status, status)


@register.filter
def scan_badge_class(status: str) -> str:
    return _SCAN_BADGES.get(status, "")


@register.filter
def filesize(n: int) -> str:
    return human_size(int(n or 0))


@register.filter
def abs_value(n: int) -> int:
    return abs(int(n))


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key) if mapping else None


@register.filter
def as_filename(reference: str) -> str:
    """A requirement reference as it can appear in a file name (« SGL/DMP.01 » → « SGL-DMP.01 »),
    which `rules.match_requirement` reads back."""
    return str(reference).replace("/", "-").replace("\\", "-")
