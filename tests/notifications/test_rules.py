"""Reminder thresholds and the iCalendar writer: pure, no database."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segur_funding.notifications.ical import CalendarEvent, calendar_render, escape_text, fold
from segur_funding.notifications.rules import (
    age_threshold,
    calendar_token_hash,
    crossed_threshold,
    days_left,
    dossier_reference,
    fr_date,
    threshold_tag,
)

WINDOW = (30, 7, 1)


@pytest.mark.parametrize(
    ("left", "expected"),
    [(45, None), (31, None), (30, 30), (29, 30), (8, 30), (7, 7), (2, 7), (1, 1), (0, 1), (-1, None)],
)
def test_the_most_urgent_crossed_threshold_counts(left, expected):
    assert crossed_threshold(days_left=left, thresholds=WINDOW) == expected


@pytest.mark.parametrize(("left", "expected"), [(3, None), (2, 2), (0, 2), (-1, -1), (-30, -1)])
def test_review_clocks_are_reminded_before_and_once_overdue(left, expected):
    assert crossed_threshold(days_left=left, thresholds=(2, -1), after_due=True) == expected


@given(st.integers(min_value=-400, max_value=400))
def test_walking_towards_a_deadline_crosses_each_threshold_once_in_order(start):
    """Day after day, the threshold only ever gets more urgent: one reminder per threshold."""
    seen = []
    for left in range(start, -5, -1):
        threshold = crossed_threshold(days_left=left, thresholds=WINDOW)
        if threshold is not None and (not seen or seen[-1] != threshold):
            seen.append(threshold)
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen))
    first = crossed_threshold(days_left=min(start, max(WINDOW)), thresholds=WINDOW)
    assert seen == ([] if first is None else [t for t in WINDOW if t <= first])


def test_open_corrections_are_reminded_after_7_then_14_days():
    opened = date(2022, 3, 1)
    ages = {age: age_threshold(opened_on=opened, today=opened + timedelta(days=age),
                               after_days=(7, 14)) for age in (0, 6, 7, 13, 14, 40)}
    assert ages == {0: None, 6: None, 7: 7, 13: 7, 14: 14, 40: 14}


def test_small_helpers():
    assert days_left(due=date(2022, 7, 15), today=date(2022, 7, 8)) == 7
    assert threshold_tag(7) == "7d" and threshold_tag(-1) == "overdue"
    assert fr_date(date(2022, 7, 5)) == "05/07/2022"
    assert dossier_reference(dossier_id=12, dsr_code="SGL-V1") == "n° 12 (SGL-V1)"
    assert len(calendar_token_hash("abc")) == 64 and calendar_token_hash("abc") != "abc"


# --- iCalendar (RFC 5545) ---------------------------------------------------------------------


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_text_values_are_escaped():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_folded_lines_stay_within_75_octets_and_unfold_to_the_original(text):
    line = "DESCRIPTION:" + escape_text(text)
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_a_calendar_of_all_day_deadlines():
    body = calendar_render(
        name="Échéances",
        events=[
            CalendarEvent(
                uid="quote:42:signature@segur.example.fr",
                day=date(2022, 7, 15),
                summary="Signature du devis — Devis D-2022-0042, Laboratoire Ébène",
                description="À faire par : Laboratoire Ébène (client)\nÉchéance : 15/07/2022",
                url="https://segur.example.fr/devis/laboratoire/42/",
                alarm_before=timedelta(hours=15),
            )
        ],
        stamp=datetime(2022, 7, 1, 8, 0, tzinfo=UTC),
    )
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    lines = unfold(body)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert "DTSTART;VALUE=DATE:20220715" in lines
    assert "DTEND;VALUE=DATE:20220716" in lines
    assert "DTSTAMP:20220701T080000Z" in lines
    assert "UID:quote:42:signature@segur.example.fr" in lines
    assert "SUMMARY:Signature du devis — Devis D-2022-0042\\, Laboratoire Ébène" in lines
    assert "TRIGGER:-PT15H" in lines
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1
    assert lines.count("BEGIN:VALARM") == lines.count("END:VALARM") == 1
