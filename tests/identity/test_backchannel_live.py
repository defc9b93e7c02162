"""OIDC Back-Channel Logout with the real provider and a real Daphne: when the person
signs out at the provider, their Sahakar session ends and its open socket closes."""

import asyncio

import pytest
import requests
from asgiref.sync import sync_to_async

from collab.accounts.models import AccountEvent
from realtime.consumers import CLOSE_UNAUTHENTICATED
from tests.support.live import ws_connect

from .helpers import person

pytestmark = [pytest.mark.live]


def sign_in_over_http(server, provider, login: str):
    """The code flow through Daphne; returns Sahakar's cookie jar and the provider browser."""
    rp = requests.Session()
    start = rp.get(f"{server.url}/identity/oidc/login/", allow_redirects=False, timeout=30)
    assert start.status_code == 302, start.text
    browser = provider.browser()
    back = browser.sign_in(start.headers["Location"], login)
    landed = rp.get(back, allow_redirects=False, timeout=30)
    assert landed.status_code == 302 and landed.headers["Location"] == "/", landed.text
    return rp, browser


async def test_the_provider_ending_the_session_closes_the_socket(sso_server):
    server, provider = sso_server
    await sync_to_async(person)("E800")
    provider.add_account("sophal", sub="sub-800", claims={"employee_id": "E800"})
    rp, browser = await asyncio.to_thread(sign_in_over_http, server, provider, "sophal")
    cookie = "; ".join(f"{c.name}={c.value}" for c in rp.cookies)
    socket = await ws_connect(server, headers={"Cookie": cookie})
    await socket.recv_until("hello")

    await asyncio.to_thread(browser.end_session)  # "Yes, sign me out" at the provider

    assert await socket.wait_closed(timeout=5.0) == CLOSE_UNAUTHENTICATED
    home = await asyncio.to_thread(rp.get, f"{server.url}/", allow_redirects=False, timeout=30)
    assert home.status_code == 302 and "/accounts/login/" in home.headers["Location"]
    ended = AccountEvent.objects.filter(kind="session_ended", method="sso", success=True)
    assert await ended.acount() == 1


async def test_a_forged_logout_token_is_refused(sso_server):
    server, _provider = sso_server

    def post():
        return requests.post(f"{server.url}/identity/oidc/backchannel-logout/",
                             data={"logout_token": "e30.e30.c2ln"}, timeout=30)  # fmt: skip

    response = await asyncio.to_thread(post)
    assert response.status_code == 400
    refused = AccountEvent.objects.filter(kind="session_ended", success=False)
    assert await refused.acount() == 1
