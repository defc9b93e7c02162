"""Whatever deactivates a person closes their open websockets (session and token ones),
ends their sessions and revokes their API tokens — through real Daphne servers."""

import asyncio
import http.client
import json

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import Permission
from django.core.management import call_command

from collab.accounts.models import PersonalToken
from collab.accounts.services import create_token
from collab.identity import scim
from realtime.consumers import CLOSE_UNAUTHENTICATED
from tests.support.live import ws_connect

from .helpers import person, unit

pytestmark = [pytest.mark.live]
CLOSED_WITHIN = 5.0  # seconds: the promise


def setup_people(django_user_model):
    unit("HC-1")
    p = person("E700")
    user = django_user_model.objects.create_user("e700", password="pw-e700-xyz")
    p.user = user
    p.save()
    person("E701")  # stays in the HR file
    robot = django_user_model.objects.create_user("idp")
    robot.user_permissions.add(Permission.objects.get(codename="provision_people"))
    return p, user, create_token(user=user, name="script"), create_token(user=robot, name="s")


def patch(server, path: str, token: str, body: dict) -> int:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.request("PATCH", path, json.dumps(body), {
            "Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


async def open_sockets(server, user, token):
    by_session = await ws_connect(server, user)
    by_token = await ws_connect(server, token=token, origin=None)
    for socket in (by_session, by_token):
        await socket.recv_until("hello")
    return by_session, by_token


async def assert_all_closed(*sockets) -> None:
    codes = await asyncio.gather(*(s.wait_closed(timeout=CLOSED_WITHIN) for s in sockets))
    assert codes == [CLOSE_UNAUTHENTICATED] * len(sockets)


async def test_scim_active_false_closes_sockets_and_revokes_tokens(daphne_server,
                                                                   django_user_model):  # fmt: skip
    p, user, token, robot = await sync_to_async(setup_people)(django_user_model)
    sockets = await open_sockets(daphne_server, user, token)

    body = {"schemas": [scim.PATCH],
            "Operations": [{"op": "replace", "path": "active", "value": False}]}  # fmt: skip
    status = await asyncio.to_thread(patch, daphne_server, f"/scim/v2/Users/{p.pk}", robot, body)

    assert status == 200
    await assert_all_closed(*sockets)
    assert not await PersonalToken.objects.filter(user=user).aexists()
    status, _, _ = await asyncio.to_thread(
        daphne_server.get, "/api/v1/notifications/unread-count",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert status == 401


async def test_import_deactivate_missing_closes_sockets(daphne_server, django_user_model,
                                                       tmp_path):  # fmt: skip
    _p, user, token, _robot = await sync_to_async(setup_people)(django_user_model)
    sockets = await open_sockets(daphne_server, user, token)
    hr_file = tmp_path / "hr.csv"
    hr_file.write_text(
        "employee_id,family_name_km,given_name_km,family_name_en,given_name_en,email,phone,"
        "org_unit_code,position_title_en,position_title_km\n"
        "E701,សុខ,តារា,Sok,Dara,,,HC-1,Nurse,\n", encoding="utf-8")  # fmt: skip

    await sync_to_async(call_command)("import_directory", str(hr_file), "--deactivate-missing",
                                      "--allow-mass-deactivation", verbosity=0)  # fmt: skip

    await assert_all_closed(*sockets)
    assert not await PersonalToken.objects.filter(user=user).aexists()


async def test_switching_a_person_off_in_the_admin_closes_sockets(daphne_server,
                                                                  django_user_model):  # fmt: skip
    p, user, token, _robot = await sync_to_async(setup_people)(django_user_model)
    sockets = await open_sockets(daphne_server, user, token)

    p.active = False
    await sync_to_async(p.save)()  # what the admin's change form does

    await assert_all_closed(*sockets)
    await user.arefresh_from_db()
    assert not user.is_active
