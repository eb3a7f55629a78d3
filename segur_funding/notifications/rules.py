"""When a reminder is due: thresholds before a deadline, and the age of an open correction.

Source: issue 5 (reminders "about to run out or has run out" for the ANS review clocks of the seed
slide "Processus de référencement": about one week for the eligibility, about six weeks for the
instruction; "at 30, 7 and 1 days" before the 120-day deadline of SPEC §3.2; window deadlines of
SPEC §2, strict to the day). Dates are Europe/Paris calendar dates passed in by the caller.

Pure: no ORM, no settings, no I/O.
"""

import hashlib
from collections.abc import Sequence
from datetime import date


def days_left(*, due: date, today: date) -> int:
    """Calendar days from `today` to `due`: 0 on the day itself, negative once it has passed."""
    return (due - today).days


def crossed_threshold(
    *, days_left: int, thresholds: Sequence[int], after_due: bool = False
) -> int | None:
    """The most urgent threshold crossed with `days_left` days to go, or None.

    A threshold `t` is crossed once `days_left <= t`. When several are crossed (the object
    appeared late, or no reminder run happened for a while) only the most urgent one counts:
    nobody wants the "30 days" e-mail on the eve of the deadline. Without `after_due`, nothing is
    due once the deadline has passed (the action can no longer be taken in time).
    """
    if days_left < 0 and not after_due:
        return None
    crossed = [t for t in thresholds if days_left <= t]
    return min(crossed) if crossed else None


def age_threshold(*, opened_on: date, today: date, after_days: Sequence[int]) -> int | None:
    """The largest age threshold reached by something opened on `opened_on`, or None."""
    age = (today - opened_on).days
    reached = [t for t in after_days if age >= t]
    return max(reached) if reached else None


def threshold_tag(threshold: int) -> str:
    """The threshold as it appears in a dedup key: "30d", "1d", "0d", "overdue"."""
    return "overdue" if threshold < 0 else f"{threshold}d"


def fr_date(value: date) -> str:
    """15/07/2022: the date as French users read it, in e-mails and calendar entries."""
    return value.strftime("%d/%m/%Y")


def dossier_reference(*, dossier_id: int, dsr_code: str) -> str:
    """How messages name a referencing dossier: "n° 12 (SGL-V1)"."""
    return f"n° {dossier_id} ({dsr_code})"


def quote_reference(*, quote_id: int, number: str) -> str:
    """How messages name a quote: its number, or "n° 42" for one without."""
    return number or f"n° {quote_id}"


def request_reference(*, request_id: int) -> str:
    """How messages name a funding request: "DF-00012"."""
    return f"DF-{request_id:05d}"


def calendar_token_hash(token: str) -> str:
    """What is stored of a calendar token: its SHA-256 (the token itself is 256 random bits, so
    no salt or slow hash is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()
