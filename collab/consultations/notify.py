"""Consultation events for the notifications app: booked, reminder, patient waiting.

Messages say what happened and when, never who the patient is (no patient data leaves
the suite); the link leads to the appointment, where access is checked and audited.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import formats, timezone, translation

from collab.notifications.services import emit

from .models import Appointment

REMINDER_BEFORE = timedelta(minutes=30)


def _when(appointment: Appointment, language: str) -> str:
    with translation.override(language):
        local = timezone.localtime(appointment.scheduled_for)
        return formats.date_format(local, "DATETIME_FORMAT")


def _people(appointment: Appointment) -> list:
    return [p for p in (appointment.doctor, appointment.referring_worker) if p is not None]


def booked(appointment: Appointment) -> None:
    emit(
        event_type="consultation.booked",
        event_key=f"consultation.booked:{appointment.pk}",
        people=_people(appointment),
        message={
            "en": f"A video consultation is booked for {_when(appointment, 'en')}.",
            "km": f"ការពិគ្រោះតាមវីដេអូត្រូវបានកក់សម្រាប់ {_when(appointment, 'km')}។",
        },
        url=reverse("consultations:detail", args=[appointment.pk]),
    )


def reminder(appointment: Appointment) -> None:
    emit(
        event_type="consultation.reminder",
        event_key=f"consultation.reminder:{appointment.pk}:{appointment.scheduled_for:%Y%m%d%H%M}",
        people=_people(appointment),
        message={
            "en": f"Video consultation at {_when(appointment, 'en')}.",
            "km": f"ការពិគ្រោះតាមវីដេអូនៅ {_when(appointment, 'km')}។",
        },
        url=reverse("consultations:detail", args=[appointment.pk]),
    )


def patient_waiting(appointment: Appointment) -> None:
    emit(
        event_type="consultation.patient_waiting",
        event_key=f"consultation.patient_waiting:{appointment.pk}",
        people=[appointment.doctor],
        message={
            "en": "Your patient is waiting in the lobby of the video consultation.",
            "km": "អ្នកជំងឺរបស់អ្នកកំពុងរង់ចាំក្នុងបន្ទប់រង់ចាំនៃការពិគ្រោះតាមវីដេអូ។",
        },
        url=reverse("consultations:detail", args=[appointment.pk]),
    )
