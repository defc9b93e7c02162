"""Consultation events for the notifications app: booked, reminder, patient waiting.

Messages say what happened and when, never who the patient is (no patient data leaves
the suite); the link leads to the appointment, where access is checked and audited.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from collab.notifications.services import Text, emit

from .models import Appointment

REMINDER_BEFORE = timedelta(minutes=30)


def _when(appointment: Appointment):
    """The time, formatted in whichever language the message is rendered in."""
    return lambda: formats.date_format(
        timezone.localtime(appointment.scheduled_for), "DATETIME_FORMAT"
    )


def _people(appointment: Appointment) -> list:
    return [p for p in (appointment.doctor, appointment.referring_worker) if p is not None]


def booked(appointment: Appointment) -> None:
    emit(
        event_type="consultation.booked",
        event_key=f"consultation.booked:{appointment.pk}",
        people=_people(appointment),
        message=Text(_("A video consultation is booked for %(when)s."),
                     when=_when(appointment)),
        url=reverse("consultations:detail", args=[appointment.pk]),
    )


def reminder(appointment: Appointment) -> None:
    emit(
        event_type="consultation.reminder",
        event_key=f"consultation.reminder:{appointment.pk}:{appointment.scheduled_for:%Y%m%d%H%M}",
        people=_people(appointment),
        message=Text(_("Video consultation at %(when)s."), when=_when(appointment)),
        url=reverse("consultations:detail", args=[appointment.pk]),
    )


def patient_waiting(appointment: Appointment) -> None:
    emit(
        event_type="consultation.patient_waiting",
        event_key=f"consultation.patient_waiting:{appointment.pk}",
        people=[appointment.doctor],
        message=_("Your patient is waiting in the lobby of the video consultation."),
        url=reverse("consultations:detail", args=[appointment.pk]),
    )
