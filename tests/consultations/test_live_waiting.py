"""The doctor sees "patient waiting" live: a durable stream event through a real Daphne."""

import pytest
from asgiref.sync import sync_to_async

from collab.consultations import services
from tests.support.live import ws_connect

pytestmark = [pytest.mark.live]


async def test_doctor_is_told_live_when_the_patient_opens_the_link(daphne_server, appointment,
                                                                   doctor):
    _link, token = await sync_to_async(services.issue_link)(
        appointment=appointment, by=doctor.user
    )
    ws = await ws_connect(daphne_server, doctor.user)
    try:
        await ws.recv_until("hello")
        status, headers, _body = await sync_to_async(daphne_server.get)(
            f"/consultations/join/{token}/"
        )
        assert status == 302 and headers["Location"] == "/consultations/visit/"
        waiting = await ws.recv_until("consultation.waiting")
        assert waiting["appointment"] == appointment.pk and waiting["seq"] > 0
        assert waiting["meeting"] == appointment.meeting_id
        assert waiting["patient"] == "ចាន់ ស្រី"
    finally:
        await ws.close()
