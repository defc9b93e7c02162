"""The one seam for outside identity providers.

A provider module (the OIDC views here; a CamDigiKey integration later) proves who someone
is and hands a :class:`VerifiedIdentity` to :func:`collab.identity.services.sign_in`, which
asks :func:`collab.identity.selectors.person_for` "this verified external identity belongs
to which Person?", links it to that person's login and returns the login. docs/accounts.md
explains how to plug another provider in.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class VerifiedIdentity:
    """What a provider has *verified* about a person (never unverified claims)."""

    issuer: str  # who vouches, e.g. the OIDC issuer URL
    subject: str  # the provider's stable id of the person
    employee_id: str = ""
    email: str = ""  # only when the provider verified it
    second_factor: bool = False  # the provider checked a second factor (e.g. amr "otp")
    detail: dict = field(default_factory=dict)


class IdentityRefused(Exception):
    """Sign-in refused; ``reason`` is a short code for the audit log and the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
