import pytest
from asgiref.sync import sync_to_async

from tests.support.live import ws_connect

pytestmark = [pytest.mark.live]


async def test_fixture_smoke(daphne_server, django_user_model):
    user = await sync_to_async(django_user_model.objects.create_user)("ana", password="x")
    status, _, _ = daphne_server.get("/healthz")
    assert status in (200, 503)
    ws = await ws_connect(daphne_server, user)
    await ws.send_json({"type": "ping"})
    await ws.close()
