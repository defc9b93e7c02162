"""Live inboxes over /ws/ with a real Daphne and real websocket clients."""

import pytest
from asgiref.sync import SyncToAsync, sync_to_async
from django.db import connections

from collab.workflows import services
from tests.support.live import ws_connect

from .conftest import LEAVE

pytestmark = [pytest.mark.live]


@pytest.fixture(autouse=True)
def _close_async_thread_connections():
    """The ORM calls below run in asgiref's one executor thread: close its connection so
    PostgreSQL can drop the test database."""
    yield
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


async def test_the_approver_and_the_requester_hear_each_change(daphne_server, world):
    start = sync_to_async(services.start_request)
    decide = sync_to_async(services.decide)
    async with await ws_connect(daphne_server, world.head.user) as head, \
            await ws_connect(daphne_server, world.nurse.user) as nurse:
        await head.recv_until("hello")
        await nurse.recv_until("hello")
        request = await start(person=world.nurse, definition=world.leave, data=LEAVE)
        opened = await head.recv_until("workflow.step_opened")
        step = await sync_to_async(request.steps.get)()
        assert (opened["step"], opened["request"], opened["definition"]["en"]) == (
            step.pk, request.pk, "Leave request")
        started = await nurse.recv_until("workflow.request_changed")
        assert (started["request"], started["status"]) == (request.pk, "running")

        await decide(person=world.head, step=step, decision="approved")
        closed = await head.recv_until("workflow.step_closed")
        assert closed["step"] == step.pk and closed["seq"] > opened["seq"]
        approved = await nurse.recv_until("workflow.request_changed")
        assert (approved["status"], approved["status_label"]["en"]) == ("approved", "Approved")
