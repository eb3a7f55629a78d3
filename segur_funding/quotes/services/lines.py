"""The lines an editor types (`LineInput`) and the State-funding line suggested to them."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..constants import Scope


@dataclass(frozen=True, slots=True)
class LineInput:
    label: str
    scope: str
    amount_ttc: Decimal
    amount_ht: Decimal | None = None
    dsr_codes: str = ""
    is_technical_debt: bool = False


@dataclass(frozen=True, slots=True)
class StateLineSuggestion:
    label: str
    amount_ttc: Decimal
    amount_ht: Decimal | None
    already_there: bool


def state_line_suggestion(
    *, lines: Sequence[LineInput], report: dict | None, wording: str
) -> StateLineSuggestion | None:
    """The State-funding line the editor should add: the Ségur total, capped by the tier's caps
    (from the check report, so the AF's figures), with the AF's wording."""
    if not report or not report.get("cap_ttc"):
        return None
    segur = [line for line in lines if line.scope == Scope.SEGUR]
    if not segur:
        return None
    ttc = min(sum((line.amount_ttc for line in segur), Decimal("0.00")), Decimal(report["cap_ttc"]))
    ht = None
    if all(line.amount_ht is not None for line in segur) and report.get("cap_ht"):
        ht = min(sum((line.amount_ht for line in segur), Decimal("0.00")), Decimal(report["cap_ht"]))
    state = [line for line in lines if line.scope == Scope.STATE_FUNDING]
    already = len(state) == 1 and state[0].amount_ttc == ttc
    return StateLineSuggestion(label=wording, amount_ttc=ttc, amount_ht=ht, already_there=already)


def lines_with_state_line(*, lines: Sequence[LineInput], suggestion: StateLineSuggestion) -> list[LineInput]:
    """The lines with the suggested State-funding line in place of any other, right after the
    Ségur lines (where the seed's examples put it)."""
    kept = [x for x in lines if x.scope != Scope.STATE_FUNDING]
    position = max((i + 1 for i, x in enumerate(kept) if x.scope == Scope.SEGUR), default=0)
    kept.insert(
        position,
        LineInput(
            label=suggestion.label,
            scope=Scope.STATE_FUNDING,
            amount_ttc=suggestion.amount_ttc,
            amount_ht=suggestion.amount_ht,
        ),
    )
    return kept
