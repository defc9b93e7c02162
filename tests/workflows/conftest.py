from dataclasses import dataclass

import pytest

from collab.directory.models import Person, Position
from collab.workflows import builtin
from collab.workflows.models import Definition
from tests.notifications.factories import Org, build_org, person, position


@pytest.fixture(autouse=True)
def _private_clock(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@dataclass
class World:
    org: Org
    nurse: Person  # requester, at the health centre
    head: Person  # unit-head of the health centre
    head_post: Position
    od_approver: Person  # approver of the operational district above it
    deputy: Person  # at the health centre, no role
    leave: Definition
    purchase: Definition


@pytest.fixture
def world(db) -> World:
    org = build_org()
    od_approver = person("odapprover")
    position(org.od, od_approver, "approver", "OD deputy director")
    deputy = person("deputy", language="km", km=("សុខ", "ដារា"))
    position(org.centre, deputy, "nurse", "Deputy chief")
    builtin.install()
    return World(
        org=org, nurse=org.people["nurse"], head=org.people["centrehead"],
        head_post=Position.objects.get(unit=org.centre, holder=org.people["centrehead"]),
        od_approver=od_approver, deputy=deputy,
        leave=Definition.objects.get(key="leave-request"),
        purchase=Definition.objects.get(key="purchase-request"),
    )


LEAVE = {"leave_type": "annual", "first_day": "2026-12-20", "days": "2", "reason": "Family"}
