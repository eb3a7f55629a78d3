"""What a lab accepts when it signs: the Prestation Ségur whole, and each option as it chooses.

Source: seed slide « Qu'est-ce qu'un devis conforme ? » — the Prestation Ségur is autonomous and
may not be conditioned on buying modules or options (SPEC §3.4): so every out-of-scope line is
the client's choice, and no line of the Ségur part (nor the State-funding line) ever is. A
declined option leaves the signed quote and its totals; the issued quote keeps it as printed.

Pure: no ORM, no settings, no I/O. Lines are numbered from 1, as printed and as in the report.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from segur_funding.core.workflow import Refusal

from ..constants import Scope

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class OfferedLine:
    number: int  # from 1, as printed on the quote
    label: str
    scope: str
    amount_ttc: Decimal

    @property
    def optional(self) -> bool:
        return is_optional(self.scope)


def is_optional(scope: str) -> bool:
    """Only what lies outside the Prestation Ségur may be declined."""
    return scope == Scope.OUT_OF_SCOPE


@dataclass(frozen=True, slots=True)
class Acceptance:
    """The quote as signed: every line accepted or declined, and the totals after declines."""

    accepted: tuple[OfferedLine, ...]
    declined: tuple[OfferedLine, ...]

    def _total(self, lines: tuple[OfferedLine, ...], scope: str) -> Decimal:
        return sum((x.amount_ttc for x in lines if x.scope == scope), ZERO)

    @property
    def segur_total_ttc(self) -> Decimal:
        return self._total(self.accepted, Scope.SEGUR)

    @property
    def state_funding_ttc(self) -> Decimal:
        return self._total(self.accepted, Scope.STATE_FUNDING)

    @property
    def segur_remainder_ttc(self) -> Decimal:
        return max(self.segur_total_ttc - self.state_funding_ttc, ZERO)

    @property
    def options_accepted_ttc(self) -> Decimal:
        return self._total(self.accepted, Scope.OUT_OF_SCOPE)

    @property
    def options_declined_ttc(self) -> Decimal:
        return self._total(self.declined, Scope.OUT_OF_SCOPE)

    @property
    def client_total_ttc(self) -> Decimal:
        """What the client pays: the Ségur remainder (0 on a conform quote) and the options kept."""
        return self.segur_remainder_ttc + self.options_accepted_ttc


def acceptance_refusal(lines: Sequence[OfferedLine], declined: Collection[int]) -> Refusal | None:
    """Why these declines cannot be signed: a line that does not exist, or one of the Ségur part."""
    by_number = {line.number: line for line in lines}
    for number in sorted(set(declined)):
        line = by_number.get(number)
        if line is None:
            return Refusal("UNKNOWN_LINE", f"La ligne n° {number} n'existe pas sur ce devis.")
        if not line.optional:
            return Refusal(
                "SEGUR_NOT_OPTIONAL",
                f"La ligne n° {number} « {line.label} » fait partie de la Prestation Ségur : "
                "elle n'est pas facultative et ne peut pas être refusée. Seules les options "
                "hors Ségur peuvent l'être.",
            )
    return None


def acceptance(lines: Sequence[OfferedLine], declined: Collection[int]) -> Acceptance:
    """The lines split into accepted and declined (declines already judged by
    `acceptance_refusal`)."""
    wanted = set(declined)
    return Acceptance(
        accepted=tuple(x for x in lines if x.number not in wanted),
        declined=tuple(x for x in lines if x.number in wanted),
    )
