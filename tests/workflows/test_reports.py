"""My unit's requests (page and API), the reports and their CSV, and the query counts of
the inbox pages (fixed, whatever the number of requests)."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collab.accounts.models import Profile
from collab.core import clock
from collab.workflows import services
from tests.notifications.factories import person, position

from .conftest import LEAVE

pytestmark = pytest.mark.django_db
HOUR = 3600


def _start(world, requester=None, **data):
    return services.start_request(person=requester or world.nurse, definition=world.leave,
                                  data={**LEAVE, **data})


def _client(client, who):
    client.force_login(who.user)
    return client


def test_unit_heads_see_the_requests_of_their_units_and_below(world, client):
    at_centre = _start(world)
    clerk = person("clerk")
    position(world.org.hospital, clerk, "nurse", "Clerk")
    at_hospital = services.start_request(person=clerk, definition=world.leave, data=LEAVE)

    page = _client(client, world.org.people["odhead"]).get("/workflows/unit/")
    assert page.status_code == 200
    assert [r.pk for r in page.context["requests"]] == [at_hospital.pk, at_centre.pk]
    api = client.get("/api/v1/workflows/unit-requests?status=running").json()
    assert [(r["id"], r["unit"], r["requester"]) for r in api] == [
        (at_hospital.pk, "RH", "E-clerk"), (at_centre.pk, "HC", "E-nurse")]
    # A head of a unit above may open the request, not only list it.
    assert client.get(f"/workflows/requests/{at_centre.pk}/").status_code == 200

    centre = _client(client, world.head)
    assert [r.pk for r in centre.get("/workflows/unit/").context["requests"]] == [at_centre.pk]
    assert centre.get(f"/workflows/requests/{at_hospital.pk}/").status_code == 404
    assert centre.get("/api/v1/workflows/unit-requests?status=approved").json() == []
    assert centre.get("/api/v1/workflows/unit-requests?status=nonsense").status_code == 422

    nurse = _client(client, world.nurse)
    assert nurse.get("/workflows/unit/").status_code == 403
    assert nurse.get("/api/v1/workflows/unit-requests").json() == {
        "message": "Only unit heads see their unit's requests."}


def _acting(world):
    """The centre head is away; the deputy acts for them (with dates)."""
    post = world.head_post
    post.acting_holder, post.acting_from = world.deputy, clock.now()
    post.save()


def test_an_acting_head_sees_the_unit_too(world, client):
    request = _start(world)
    _acting(world)
    page = _client(client, world.deputy).get("/workflows/unit/")
    assert [r.pk for r in page.context["requests"]] == [request.pk]


def test_reports_count_open_and_overdue_steps_and_time_per_step(world, client):
    first = _start(world)
    services.decide(person=world.head, step=first.steps.get(), decision="approved")  # 0 h
    _start(world)
    clock.set_offset(80 * HOUR)  # past the default 72 hours: overdue
    late = _start(world)
    clock.set_offset(82 * HOUR)
    services.decide(person=world.head, step=late.steps.get(), decision="rejected",
                    reason="No cover")  # 2 h

    page = _client(client, world.org.people["odhead"]).get("/workflows/reports/")
    assert page.status_code == 200
    [row] = page.context["open_steps"]
    assert (row["unit"].code, row["step"], row["open"], row["overdue"]) == (
        "HC", "Unit head approves", 1, 1)
    [timing] = page.context["time_per_step"]
    assert (timing["decided"], round(timing["hours"], 2)) == (2, 1.0)

    english = client.get("/workflows/reports/export.csv")
    assert english["Content-Type"] == "text/csv; charset=utf-8"
    rows_en = list(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))
    assert rows_en == [
        ["Unit", "Unit code", "Request", "Step", "Waiting", "Overdue"],
        ["Health Centre", "HC", "Leave request", "Unit head approves", "1", "1"],
        [],
        ["Request", "Step", "Decided", "Average hours to decide"],
        ["Leave request", "Unit head approves", "2", "1.0"],
    ]
    Profile.objects.filter(user__username="odhead").update(language="km")
    client.force_login(world.org.people["odhead"].user)  # the session takes the language
    rows = list(csv.reader(io.StringIO(
        client.get("/workflows/reports/export.csv").content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["អង្គភាព", "លេខកូដអង្គភាព"]
    assert rows[1][:2] == ["មណ្ឌលសុខភាព", "HC"]


def test_reports_are_for_heads_and_administrators(world, client):
    _start(world)
    for who in (world.nurse, world.deputy):
        c = _client(client, who)
        assert c.get("/workflows/reports/").status_code == 403
        assert c.get("/workflows/reports/export.csv").status_code == 403
    world.nurse.user.user_permissions.add(Permission.objects.get(codename="view_request"))
    c = _client(client, world.nurse)
    assert c.get("/workflows/reports/").context["scope"].units is None  # every unit
    # A centre head's report leaves out the other units.
    clerk = person("clerk")
    position(world.org.hospital, clerk, "nurse", "Clerk")
    services.start_request(person=clerk, definition=world.leave, data=LEAVE)
    rows = _client(client, world.head).get("/workflows/reports/").context["open_steps"]
    assert [(r["unit"].code, r["open"]) for r in rows] == [("HC", 1)]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(("url", "expected"), [
    ("/workflows/", (4, 5)), ("/api/v1/workflows/inbox", (2, 5)), ("/workflows/mine/", (6, 0)),
])
def test_the_lists_take_a_fixed_number_of_queries(world, client, url, expected):
    head = "/workflows/unit/"
    viewer = world.head if url != "/workflows/mine/" else world.nurse
    _start(world)
    _client(client, viewer)
    small = (_queries(client, url), _queries(client, head) if viewer == world.head else 0)
    for _ in range(9):
        _start(world)
    large = (_queries(client, url), _queries(client, head) if viewer == world.head else 0)
    # (the list, "My unit's requests" for the head): session, user, person, the rows, and
    # the tabs' "is a head" check; never one per request.
    assert small == large == expected
