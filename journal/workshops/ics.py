"""The private calendar link of a membership, and the iCalendar (RFC 5545) feed it serves.

Written by hand: a feed of a few dozen events needs escaping, folding and one time zone
definition, which is less code to review than a new dependency.

Times carry TZID=Europe/Budapest with the zone defined in the feed (VTIMEZONE). Workshops
take place in Hungary at Hungarian local time, so a phone set to another zone must still
show them at the right moment; floating times would drift with the phone's zone.

A link belongs to a membership (HMAC of its id and `calendar_generation`), so it covers that
one group and dies when the member leaves or renews it. The coordinator therefore gets a feed
only for groups she is a member of (Kecskemét, as its mentor, in the demo); feeds of the other
groups would need a user-level generation, a schema change left out on purpose.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from journal import without_controls
from journal.forms import positive_int
from journal.models import Group, Membership, Workshop, WorkshopStatus

TZID = "Europe/Budapest"

# The zone's rules since 1996 (EU summer time: last Sunday of March to last Sunday of October).
VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def _signature(membership_id: int, generation: int) -> str:
    """Return the HMAC of a membership and its calendar generation, under SECRET_KEY."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"calendar-feed:{membership_id}:{generation}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def feed_token(membership: Membership) -> str:
    """Return the membership's current private calendar token."""
    return f"{membership.id}-{_signature(membership.id, membership.calendar_generation)}"


def membership_id_of(token: str) -> int | None:
    """Return the membership id a token claims, or None if it is malformed."""
    head, _, signature = token.partition("-")
    return positive_int(head) if signature else None


def token_matches(token: str, membership: Membership) -> bool:
    """Tell whether the token is the membership's current one (constant-time comparison)."""
    return hmac.compare_digest(token.encode(), feed_token(membership).encode())


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines; no control character
    (RFC 5545 allows none but the tab)."""
    value = without_controls(value).replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character."""
    if len(line.encode()) <= 75:
        return line
    parts: list[str] = []
    current, size, limit = [], 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append("".join(current))
            # A continuation line starts with a space, which counts toward its 75 octets.
            current, size, limit = [], 0, 74
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    """Format an aware moment as UTC date-time."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(workshop: Workshop, stamp: datetime, url: str) -> list[str]:
    """Return the content lines of one workshop's VEVENT."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:workshop-{workshop.id}@muhelynaplo",
        f"DTSTAMP:{_utc(stamp)}",
        f"LAST-MODIFIED:{_utc(workshop.updated_at)}",
        f"SEQUENCE:{workshop.version}",
    ]
    day = workshop.date.strftime("%Y%m%d")
    if workshop.start_time is None:
        lines.append(f"DTSTART;VALUE=DATE:{day}")
        lines.append(f"DTEND;VALUE=DATE:{(workshop.date + timedelta(days=1)):%Y%m%d}")
    else:
        lines.append(f"DTSTART;TZID={TZID}:{day}T{workshop.start_time:%H%M%S}")
        if workshop.end_time is not None:
            lines.append(f"DTEND;TZID={TZID}:{day}T{workshop.end_time:%H%M%S}")
    lines.append(f"SUMMARY:{escape_text(workshop.topic)}")
    if workshop.place:
        lines.append(f"LOCATION:{escape_text(workshop.place)}")
    description = [workshop.agenda]
    if workshop.status == WorkshopStatus.CANCELLED and workshop.cancel_reason:
        description.insert(0, _("Elmarad: %(reason)s", reason=workshop.cancel_reason))
    text = "\n\n".join(part for part in description if part)
    if text:
        lines.append(f"DESCRIPTION:{escape_text(text)}")
    lines.append(f"URL:{url}")
    cancelled = workshop.status == WorkshopStatus.CANCELLED
    lines.append(f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}")
    lines.append("END:VEVENT")
    return lines


def calendar(group: Group, workshops: list[Workshop], url_of, now: datetime | None = None) -> str:
    """Return the group's workshops as an iCalendar document (CRLF line ends, folded)."""
    stamp = now or datetime.now(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Muhelynaplo//Muhelyfoglalkozasok//HU",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(group.name)}",
        f"X-WR-TIMEZONE:{TZID}",
        *VTIMEZONE,
    ]
    for workshop in workshops:
        lines += _event(workshop, stamp, url_of(workshop))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
