"""Reads of reference data, returned as frozen values for the rules."""

from django.db.models import Count, Max, Prefetch

from .models import ConditionWording, Dsr, FundingScheme, FundingWindow, QuoteLabelItem, Tier
from .rules import ConditionWordingRef, LabelItemRef, SchemeRef, TierRow, WindowRef


def window_to_ref(window: FundingWindow) -> WindowRef:
    return WindowRef(
        number=window.number,
        label=str(window),
        opens_on=window.opens_on,
        order_signature_deadline=window.order_signature_deadline,
        proofs_complete_deadline=window.proofs_complete_deadline,
        advance_request_deadline=window.advance_request_deadline,
        service_completion_deadline=window.service_completion_deadline,
        balance_request_deadline=window.balance_request_deadline,
    )


def scheme_to_ref(scheme: FundingScheme) -> SchemeRef:
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
    windows = tuple(window_to_ref(w) for w in scheme.windows.all())
    return SchemeRef(
        dsr_code=scheme.dsr.code,
        name=scheme.name,
        tiers=tuple(sorted(tiers, key=lambda t: t.sites_from)),
        windows=tuple(sorted(windows, key=lambda w: w.number)),
        advance_rate=scheme.advance_rate,
        preorder_max_days=scheme.preorder_max_days,
        state_funding_wording=scheme.state_funding_wording,
        conditional_order_mention=scheme.conditional_order_mention,
    )


def _schemes():
    return FundingScheme.objects.select_related("dsr").prefetch_related(
        Prefetch("tiers", queryset=Tier.objects.order_by("sites_from")),
        Prefetch("windows", queryset=FundingWindow.objects.order_by("number")),
    )


def scheme_ref_for_dsr(*, dsr_code: str) -> SchemeRef | None:
    """The active funding scheme of a DSR, or None when the DSR has no barème yet."""
    scheme = _schemes().filter(dsr__code=dsr_code, is_active=True).first()
    return scheme_to_ref(scheme) if scheme is not None else None


def active_scheme_refs() -> dict[str, SchemeRef]:
    """Every active scheme by DSR code, in three queries (for batch re-checks)."""
    return {s.dsr.code: scheme_to_ref(s) for s in _schemes().filter(is_active=True)}


def dsr_exists(*, code: str) -> bool:
    return Dsr.objects.filter(code=code).exists()


def dsr_list():
    return Dsr.objects.select_related("corridor").order_by("code")


def label_items_version() -> tuple[int, int]:
    """A value that changes whenever ANS adds, edits or deletes a label item (every change writes
    a history row), in one cheap query: what the checker's cached matcher is keyed on."""
    history = QuoteLabelItem.history.aggregate(last=Max("history_id"), rows=Count("history_id"))
    return history["last"] or 0, history["rows"]


def label_item_refs() -> tuple[LabelItemRef, ...] | None:
    """The label items in force, or None when the table holds none at all (reference data not
    loaded yet: the checker then uses the shipped wordings)."""
    rows = list(QuoteLabelItem.objects.order_by("position", "code"))
    if not rows:
        return None
    return tuple(row.to_ref() for row in rows if row.is_active)


def condition_wordings_version() -> tuple[int, int]:
    """Like `label_items_version`, for the wordings of conditional offers."""
    history = ConditionWording.history.aggregate(last=Max("history_id"), rows=Count("history_id"))
    return history["last"] or 0, history["rows"]


def condition_wording_refs() -> tuple[ConditionWordingRef, ...] | None:
    """The wordings of conditional offers in force, or None when the table holds none at all
    (reference data not loaded yet: the checker then uses the shipped wordings)."""
    rows = list(ConditionWording.objects.order_by("position", "code"))
    if not rows:
        return None
    return tuple(row.to_ref() for row in rows if row.is_active)
