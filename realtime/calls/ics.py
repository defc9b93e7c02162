"""A minimal iCalendar (RFC 5545) invitation for a scheduled meeting."""

from datetime import UTC, timedelta

from .models import Meeting


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    raw = line.encode()
    parts = []
    while len(raw) > 75:
        cut = 75
        while (raw[cut] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            cut -= 1
        parts.append(raw[:cut].decode())
        raw = raw[cut:]
    parts.append(raw.decode())
    return "\r\n ".join(parts)


def invitation(
    *,
    meeting: Meeting,
    url: str,
    organizer_email: str,
    attendees: list[str],
    duration: timedelta = timedelta(hours=1),
) -> str:
    def stamp(dt):
        return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    start = meeting.scheduled_for
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Sahakar//Meetings//EN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{meeting.code}@sahakar",
        f"DTSTAMP:{stamp(meeting.created)}",
        f"DTSTART:{stamp(start)}",
        f"DTEND:{stamp(start + duration)}",
        f"SUMMARY:{_escape(meeting.title)}",
        f"DESCRIPTION:{_escape(url)}",
        f"URL:{url}",
        f"ORGANIZER:mailto:{organizer_email}",
        *[f"ATTENDEE;RSVP=TRUE:mailto:{email}" for email in attendees],
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
