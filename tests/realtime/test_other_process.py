"""An event committed by another process (the worker, here the test process) reaches a
connected client live, without a resume: through Redis in production, through the event
bridge in embedded mode."""

import pytest
from asgiref.sync import sync_to_async
from django.db import transaction

from realtime.services import publish
from tests.support.live import ws_connect

pytestmark = [pytest.mark.live]


def _publish_committed(user_id: int, n: int) -> list[int]:
    with transaction.atomic():
        return [
            publish(type="test.other_process", payload={"n": i}, user_id=user_id).seq
            for i in range(n)
        ]


async def test_an_event_published_by_another_process_arrives_live(daphne_server, amake_user):
    me = await amake_user()
    async with await ws_connect(daphne_server, me) as ws:
        await ws.recv_until("hello")
        seqs = await sync_to_async(_publish_committed)(me.pk, 3)
        frames = [await ws.recv_until("test.other_process", timeout=10) for _ in seqs]
        assert [f["seq"] for f in frames] == seqs
        assert [f["n"] for f in frames] == [0, 1, 2]
        # Nothing is sent twice (the bridge and the layer may both carry an event).
        await ws.send_json({"type": "ping"})
        await ws.recv_until("pong")
        assert not [f for f in ws.skipped if f.get("type") == "test.other_process"]
