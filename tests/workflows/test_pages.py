"""The people's side: start, waiting for me, decide, return and send again, in both
languages; decisions counted once; acting on another's step is refused."""

import pytest
from django.urls import reverse

from collab.workflows.models import Entry, Request, Step

from .conftest import LEAVE

pytestmark = pytest.mark.django_db


def _start(client, world, **data):
    client.force_login(world.nurse.user)
    response = client.post(reverse("workflows:start", args=["leave-request"]), {**LEAVE, **data})
    request = Request.objects.latest("pk")
    assert response.status_code == 302 and response.url == f"/workflows/requests/{request.pk}/"
    return request


def _decide(client, request, step, decision, reason=""):
    return client.post(reverse("workflows:request", args=[request.pk]),
                       {"step": step.pk, "decision": decision, "reason": reason})


def test_start_decide_and_see_the_timeline(client, world):
    request = _start(client, world, days="5")
    mine = client.get(reverse("workflows:mine")).content.decode()
    assert f'data-request="{request.pk}" data-status="running"' in mine

    client.force_login(world.head.user)
    inbox = client.get(reverse("workflows:inbox")).content.decode()
    step = request.steps.get()
    assert f'data-step="{step.pk}"' in inbox and "Leave request" in inbox
    page = client.get(reverse("workflows:request", args=[request.pk])).content.decode()
    assert f'data-decide="{step.pk}"' in page and "Annual leave" in page
    assert "20 Dec 2026" in page
    response = _decide(client, request, step, "approved")
    assert response.status_code == 302
    assert f'data-step="{step.pk}"' not in client.get(reverse("workflows:inbox")).content.decode()

    client.force_login(world.od_approver.user)
    second = request.steps.get(status=Step.Status.OPEN)
    assert _decide(client, request, second, "approved").status_code == 302
    page = client.get(reverse("workflows:request", args=[request.pk])).content.decode()
    assert 'data-status="approved"' in page
    for kind in ("submitted", "approved", "completed"):
        assert f'data-kind="{kind}"' in page


def test_the_same_decision_twice_counts_once(client, world):
    request = _start(client, world)
    step = request.steps.get()
    client.force_login(world.head.user)
    assert _decide(client, request, step, "approved").status_code == 302
    assert _decide(client, request, step, "approved").status_code == 302  # double click
    assert Entry.objects.filter(kind="approved").count() == 1
    response = _decide(client, request, step, "rejected", "Changed my mind")
    assert response.status_code == 422 and "already decided" in response.content.decode()
    assert Request.objects.get().status == Request.Status.APPROVED


def test_acting_on_a_step_that_is_not_yours_is_refused(client, world):
    request = _start(client, world)
    step = request.steps.get()
    # The requester sees the request but may not decide its step.
    assert _decide(client, request, step, "approved").status_code == 403
    # Someone the request was never routed to does not see it at all.
    client.force_login(world.deputy.user)
    assert client.get(reverse("workflows:request", args=[request.pk])).status_code == 404
    assert _decide(client, request, step, "approved").status_code == 404
    assert Step.objects.get().status == Step.Status.OPEN


def test_return_for_changes_then_send_again(client, world):
    request = _start(client, world)
    step = request.steps.get()
    client.force_login(world.head.user)
    response = _decide(client, request, step, "returned")
    assert response.status_code == 422 and "Say why." in response.content.decode()
    assert _decide(client, request, step, "returned", "Which dates?").status_code == 302

    client.force_login(world.nurse.user)
    page = client.get(reverse("workflows:request", args=[request.pk])).content.decode()
    assert "data-resubmit" in page and "Which dates?" in page
    url = reverse("workflows:request", args=[request.pk])
    bad = client.post(url, {**LEAVE, "days": "", "action": "resubmit"})
    assert bad.status_code == 422
    response = client.post(url, {**LEAVE, "days": "3", "action": "resubmit"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Request.Status.RUNNING and request.data["days"] == 3
    assert list(request.steps.values_list("status", flat=True)) == ["returned", "open"]


def test_reject_ends_the_request(client, world):
    request = _start(client, world)
    client.force_login(world.head.user)
    assert _decide(client, request, request.steps.get(), "rejected", "Too busy").status_code == 302
    request.refresh_from_db()
    assert request.status == Request.Status.REJECTED


def test_khmer_pages_and_messages(client, world):
    world.nurse.user.profile.language = "km"
    world.nurse.user.profile.save()
    client.force_login(world.nurse.user)
    page = client.get(reverse("workflows:start", args=["leave-request"])).content.decode()
    assert "សំណើសុំច្បាប់" in page and "ចំនួនថ្ងៃ" in page and "ច្បាប់ប្រចាំឆ្នាំ" in page
    response = client.post(reverse("workflows:start", args=["leave-request"]),
                           {**LEAVE, "days": ""})
    assert response.status_code == 422
    assert "ចាំបាច់បំពេញទិន្នន័យកន្លែងនេះ។" in response.content.decode()  # "required"
    definitions = client.get(reverse("workflows:definitions")).content.decode()
    assert "សំណើសុំទិញ" in definitions


def test_someone_outside_the_directory_is_refused(client, world, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor"))
    assert client.get(reverse("workflows:inbox")).status_code == 403
