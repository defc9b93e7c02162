from urllib.parse import parse_qs, urlsplit

from collab.directory.models import OrgUnit, Person

RP = "http://testserver"


def person(employee_id: str, *, email: str = "", active: bool = True, languages: str = "km"):
    return Person.objects.create(
        employee_id=employee_id, family_name_en="Sok", given_name_en=f"Dara {employee_id}",
        family_name_km="សុខ", given_name_km="តារា", email=email, active=active,
        languages=languages,
    )  # fmt: skip


def unit(code: str = "HC-1") -> OrgUnit:
    return OrgUnit.objects.create(code=code, kind="health_centre", name_km="មណ្ឌល",
                                  name_en="Health centre")  # fmt: skip


def start(client, next_url: str = ""):
    """The relying party's redirect to the provider; returns its Location."""
    response = client.get("/identity/oidc/login/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response
    return response["Location"]


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def sso_sign_in(client, provider, login: str, next_url: str = ""):
    """The whole code flow: Sahakar → provider sign-in form → Sahakar's callback."""
    back = provider.browser().sign_in(start(client, next_url), login)
    assert back.startswith(RP + "/identity/oidc/callback/"), back
    return client.get(back[len(RP):])
