"""The iCalendar (RFC 5545) invitation that a scheduled meeting's email carries."""

from datetime import UTC, timedelta

from icalendar import Calendar, Event, vCalAddress

from .models import Meeting

DURATION = timedelta(hours=1)


def invitation(
    *,
    meeting: Meeting,
    url: str,
    organizer_email: str,
    attendees: list[str],
    duration: timedelta = DURATION,
) -> str:
    start = meeting.scheduled_for.astimezone(UTC)
    event = Event()
    event.add("uid", f"{meeting.code}@sahakar")
    event.add("dtstamp", meeting.created.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + duration)
    event.add("summary", meeting.title)
    event.add("description", url)
    event.add("url", url)
    event.add("organizer", vCalAddress(f"mailto:{organizer_email}"))
    for email in attendees:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["RSVP"] = "TRUE"
        event.add("attendee", attendee)
    calendar = Calendar()
    calendar.add("prodid", "-//Sahakar//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    calendar.add_component(event)
    return calendar.to_ical().decode()
