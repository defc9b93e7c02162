"""A real OpenID provider for tests: panva's ``oidc-provider`` (OpenID Certified) run by
Node from ``tests/support/oidc_provider/`` (its ``node_modules`` is installed with
``npm ci`` on first use; ``.ci/run`` installs it up front).

``start_provider(tmp_dir, rp_base_urls)`` starts one on a free loopback port, with one
client ``sahakar`` whose redirect, post-logout and back-channel URIs are under each of
``rp_base_urls``. ``provider.add_account(login, sub=..., claims=..., amr=...)`` adds a
person; ``provider.browser()`` is a cookie-keeping HTTP client that signs in at the
provider's form (``sign_in``) and follows redirects until one leaves the provider.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import requests

from tests.conftest import skip_or_fail_when_missing

DIR = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID = "sahakar"
CLIENT_SECRET = "test-only-client-secret-of-sahakar"
START_TIMEOUT = 60


def ensure_installed() -> str:
    node = shutil.which("node")
    npm = shutil.which("npm")
    if not node or not npm:
        skip_or_fail_when_missing("Node.js and npm are needed for the OpenID provider tests")
    if not (DIR / "node_modules" / "oidc-provider").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=DIR, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
    return node


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen
    accounts_path: Path
    log: list[str] = field(default_factory=list)
    accounts: dict = field(default_factory=dict)

    def add_account(self, login: str, *, sub: str, claims: dict, amr=("pwd",)) -> None:
        self.accounts[login] = {"sub": sub, "claims": claims, "amr": list(amr)}
        tmp = self.accounts_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.accounts))
        tmp.replace(self.accounts_path)

    def browser(self) -> ProviderBrowser:
        return ProviderBrowser(self)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


class ProviderBrowser:
    """The person's browser at the provider (cookies kept); redirects to elsewhere stop."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.http = requests.Session()

    def follow(self, url: str, *, method: str = "GET", data=None) -> requests.Response | str:
        """Follow provider redirects; return the first URL outside the provider, or the
        provider's page (a Response) when it shows one."""
        while url.startswith(self.provider.issuer):
            response = self.http.request(method, url, data=data, allow_redirects=False,
                                         timeout=20)  # fmt: skip
            method, data = "GET", None
            if response.status_code not in (302, 303):
                return response
            url = urljoin(url, response.headers["Location"])
        return url

    def sign_in(self, authorize_url: str, login: str) -> str:
        """From the authorization URL to the redirect back to the relying party."""
        page = self.follow(authorize_url)
        assert isinstance(page, requests.Response) and page.status_code == 200, page
        action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
        back = self.follow(urljoin(page.url, action), method="POST", data={"login": login})
        assert isinstance(back, str), getattr(back, "text", back)
        return back

    def end_session(self) -> requests.Response:
        """Sign out at the provider itself (its own logout page, "Yes, sign me out")."""
        page = self.follow(f"{self.provider.issuer}/session/end")
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text).group(1)
        action = re.search(r'<form [^>]*action="([^"]+)"', page.text).group(1)
        return self.follow(urljoin(page.url, action), method="POST",
                           data={"xsrf": xsrf, "logout": "yes"})  # fmt: skip


def start_provider(tmp_dir: Path, rp_base_urls: list[str]) -> Provider:
    node = ensure_installed()
    accounts = tmp_dir / "accounts.json"
    accounts.write_text("{}")
    base = rp_base_urls[0]
    config = {
        "accounts": str(accounts),
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{u}/identity/oidc/callback/" for u in rp_base_urls],
                "post_logout_redirect_uris": [f"{u}/accounts/login/" for u in rp_base_urls],
                "backchannel_logout_uri": f"{base}/identity/oidc/backchannel-logout/",
                "backchannel_logout_session_required": True,
            }
        ],
    }
    config_path = tmp_dir / "provider.json"
    config_path.write_text(json.dumps(config))
    process = subprocess.Popen(
        [node, str(DIR / "server.mjs"), str(config_path)],
        cwd=DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    provider_log: list[str] = []
    ready = threading.Event()
    issuer: list[str] = []

    def read() -> None:
        for line in process.stdout:
            provider_log.append(line)
            if line.startswith("READY ") and not ready.is_set():
                issuer.append(line.split()[1])
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(START_TIMEOUT) or not issuer:
        process.kill()
        raise RuntimeError("The OpenID provider did not start:\n" + "".join(provider_log))
    return Provider(issuer=issuer[0], process=process, accounts_path=accounts, log=provider_log)
