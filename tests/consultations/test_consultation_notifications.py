"""Consultations emit booked, reminder and patient-waiting notifications, without patient data."""

from datetime import timedelta

from collab.consultations import services
from collab.core.clock import now, set_offset
from collab.notifications.models import Notification, Recipient


def _inbox(user, event_type):
    return list(
        Recipient.objects.filter(user=user, notification__event_type=event_type).select_related(
            "notification"
        )
    )


def _no_patient_data(notification: Notification, patient) -> None:
    for text in (notification.message_en, notification.message_km):
        for secret in (patient.health_id, patient.given_name_latin, patient.given_name_km):
            assert secret not in text


def test_booking_tells_the_doctor(appointment, doctor, patient):
    [entry] = _inbox(doctor.user, "consultation.booked")
    assert entry.notification.url.endswith(f"/consultations/{appointment.pk}/")
    _no_patient_data(entry.notification, patient)


def test_the_doctor_is_told_once_when_the_patient_waits(appointment, doctor, patient):
    _, token = services.issue_link(appointment=appointment, by=doctor.user)
    visit = services.open_link(token=token, device_secret=None)
    services.open_link(token=token, device_secret=visit.device_secret)  # a reload
    [entry] = _inbox(doctor.user, "consultation.patient_waiting")
    _no_patient_data(entry.notification, patient)


def test_a_reminder_goes_once_shortly_before(appointment, doctor):
    assert services.send_due_reminders() == 0  # an hour ahead: too early
    set_offset((appointment.scheduled_for - now() - timedelta(minutes=20)).total_seconds())
    try:
        assert services.send_due_reminders() == 1
        assert services.send_due_reminders() == 1  # the job runs again...
    finally:
        set_offset(None)
    assert len(_inbox(doctor.user, "consultation.reminder")) == 1  # ...one reminder
