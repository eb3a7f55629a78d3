"""A small iCalendar writer (RFC 5545) for the deadline feed: all-day events, nothing else.

Written by hand rather than with a library: the feed needs one component, a handful of
properties, text escaping (§3.3.11) and line folding at 75 octets (§3.1), all here.

Pure: no ORM, no settings, no I/O.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

CRLF = "\r\n"
FOLD_OCTETS = 75


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    uid: str  # stable across refreshes, so that calendar clients update instead of duplicating
    day: date  # an all-day event on this day
    summary: str
    description: str = ""
    url: str = ""
    # A reminder in the calendar client this long before the day starts (None: no alarm).
    alarm_before: timedelta | None = None


def escape_text(value: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and line breaks (RFC 5545 §3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1)."""
    parts: list[str] = []
    current, size = "", 0
    limit = FOLD_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            # Continuation lines start with a space, which counts in their 75 octets.
            current, size, limit = char, width, FOLD_OCTETS - 1
        else:
            current += char
            size += width
    parts.append(current)
    return (CRLF + " ").join(parts)


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    text = "P" + (f"{days}D" if days else "")
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if time:
        text += "T" + time
    return text if text != "P" else "PT0M"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_render(
    *,
    name: str,
    events: Iterable[CalendarEvent],
    stamp: datetime,
    product_id: str = "-//Segur numerique//Echeances SONS//FR",
    refresh: timedelta = timedelta(hours=6),
) -> str:
    """The whole VCALENDAR as text with CRLF line ends; `stamp` (aware) is DTSTAMP."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{product_id}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"NAME:{escape_text(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{_duration(refresh)}",
        f"X-PUBLISHED-TTL:{_duration(refresh)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape_text(event.uid)}",
            f"DTSTAMP:{_stamp(stamp)}",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(event.summary)}",
            # A deadline does not make anyone busy.
            "TRANSP:TRANSPARENT",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            lines.append(f"URL;VALUE=URI:{event.url}")
        if event.alarm_before is not None:
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                f"DESCRIPTION:{escape_text(event.summary)}",
                f"TRIGGER:-{_duration(event.alarm_before)}",
                "END:VALARM",
            ]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return CRLF.join(fold(line) for line in lines) + CRLF
