import pytest
from django.urls import reverse

from collab.notifications.emails import ack_token
from collab.notifications.models import Delivery, Notification
from collab.notifications.selectors import unread_count
from collab.notifications.services import emit
from realtime.models import Event

from .factories import build_org, person, referral_rule

pytestmark = pytest.mark.django_db


def _emit(who, key, urgency="routine", **kw):
    return emit(event_type="t.e", event_key=key, people=[who], url="/somewhere/",
                message={"en": f"Item {key}", "km": f"ធាតុ {key}"}, urgency=urgency, **kw)


def test_unread_count_is_one_query(django_assert_max_num_queries):
    ana = person("ana")
    for i in range(3):
        _emit(ana, f"k{i}")
    with django_assert_max_num_queries(1):
        assert unread_count(ana.user) == 3


def test_inbox_filters(client):
    ana = person("ana")
    _emit(ana, "routine")
    [urgent] = _emit(ana, "urgent", urgency="urgent")
    _emit(ana, "critical", urgency="critical")
    client.force_login(ana.user)
    page = client.get("/notifications/").content.decode()
    assert all(f"Item {k}" in page for k in ("routine", "urgent", "critical"))
    page = client.get("/notifications/?urgency=critical").content.decode()
    assert "Item critical" in page and "Item urgent" not in page
    client.post(reverse("notifications:ack", args=[urgent.pk]))
    page = client.get("/notifications/?needs_ack=on").content.decode()
    assert "Item critical" in page and "Item urgent" not in page
    page = client.get("/notifications/?unread=on").content.decode()
    assert "Item urgent" not in page and "Item routine" in page


def test_ack_button_stops_escalation_and_updates_the_bell(client):
    org = build_org()
    referral_rule()
    [n] = emit(event_type="referral.created", event_key="r:1", org_unit=org.hospital,
               message={"en": "Ref", "km": "Ref"}, url="/x/")
    user = org.people["oncall"].user
    client.force_login(user)
    response = client.post(reverse("notifications:ack", args=[n.pk]))
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.acknowledged_by == user and n.next_escalation_at is None
    read = Event.objects.filter(type="notification.read", user=user).last()
    assert read.payload == {"ids": [n.pk], "unread_count": 0}


def test_someone_elses_notification_is_404(client):
    ana, bob = person("ana"), person("bob")
    [n] = _emit(ana, "k")
    client.force_login(bob.user)
    assert client.post(reverse("notifications:ack", args=[n.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[n.pk])).status_code == 404


def test_signed_ack_link_works_once(client):
    ana = person("ana")
    [n] = _emit(ana, "k", urgency="critical")
    delivery = Delivery.objects.get(notification=n, channel="email")
    url = reverse("notifications:ack_link", args=[ack_token(delivery)])
    assert client.get(url).status_code == 200  # a confirmation page: scanners do not ack
    assert Notification.objects.get(pk=n.pk).acknowledged_at is None
    assert client.post(url).status_code == 200
    assert Notification.objects.get(pk=n.pk).acknowledged_by == ana.user
    again = client.post(url)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    forged = client.post(url.replace("/ack/", "/ack/x"))
    assert forged.status_code == 410


def test_api_list_ack_and_read(client):
    ana = person("ana")
    _emit(ana, "routine")
    [urgent] = _emit(ana, "urgent", urgency="urgent")
    client.force_login(ana.user)
    data = client.get("/api/v1/notifications?needs_ack=true").json()
    assert data["count"] == 1 and data["items"][0]["id"] == urgent.pk
    assert data["unread"] == 2
    assert client.post(f"/api/v1/notifications/{urgent.pk}/ack").json()["acknowledged"]
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    assert client.post("/api/v1/notifications/read", {}, content_type="application/json"
                       ).json() == {"changed": 1, "unread": 0}
    bad = client.get("/api/v1/notifications?urgency=loud")
    assert bad.status_code == 422 and "urgency" in bad.json()["message"]
    assert client.post("/api/v1/notifications/999999/ack").status_code == 404


def test_api_needs_authentication(client):
    assert client.get("/api/v1/notifications").status_code == 401


def test_settings_page_rejects_half_quiet_hours(client):
    ana = person("ana")
    client.force_login(ana.user)
    response = client.post("/notifications/settings/", {"quiet_start": "21:00", "digest": ""})
    assert response.status_code == 200 and "both the start and the end" in response.content.decode()
    response = client.post("/notifications/settings/",
                           {"quiet_start": "21:00", "quiet_end": "06:00", "digest": "daily"})
    assert response.status_code == 302
    assert ana.user.notification_settings.digest == "daily"


def test_inbox_page_queries_do_not_grow_with_items(client, django_assert_max_num_queries):
    ana = person("ana")
    for i in range(30):
        _emit(ana, f"k{i}", urgency="urgent" if i % 2 else "routine")
    client.force_login(ana.user)
    client.get("/notifications/")  # warm the session and the shell's caches
    with django_assert_max_num_queries(12):
        assert client.get("/notifications/").status_code == 200


def test_emit_queries_per_recipient_are_bounded(django_assert_max_num_queries):
    org = build_org()
    referral_rule()
    with django_assert_max_num_queries(30):
        emit(event_type="referral.created", event_key="r:q", org_unit=org.hospital,
             message={"en": "Ref", "km": "Ref"}, url="/x/", specialty="paediatrics")
