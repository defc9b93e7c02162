import pytest
from django.contrib import admin

from .factories import build_org, referral_rule

pytestmark = pytest.mark.django_db
MODELS = [m for m in admin.site._registry if m._meta.app_label in ("notifications", "health")]


def test_every_model_has_an_admin():
    names = {m.__name__ for m in MODELS}
    assert {"Rule", "Notification", "Delivery", "DeliveryAttempt", "UserSettings",
            "Preference", "Recipient", "Patient", "Referral", "LabResult",
            "AuditEntry"} <= names


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_pages_load(admin_client, model):
    from collab.notifications.services import emit

    org = build_org()
    referral_rule()
    emit(event_type="referral.created", event_key="r:1", org_unit=org.hospital,
         message={"en": "Ref", "km": "Ref"}, url="/x/")
    meta = model._meta
    assert admin_client.get(f"/admin/{meta.app_label}/{meta.model_name}/").status_code == 200
    obj = model.objects.first()
    if obj is not None:
        url = f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"
        assert admin_client.get(url).status_code == 200


def test_rule_admin_rejects_an_unknown_channel_and_keeps_the_input(admin_client):
    response = admin_client.post("/admin/notifications/rule/add/", {
        "name": "Bad", "event_type": "x.y", "active": "on", "conditions": "{}",
        "urgency": "urgent", "channels": "in_app pigeon",
        "escalation_steps-TOTAL_FORMS": "0", "escalation_steps-INITIAL_FORMS": "0",
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert "Unknown or missing channel" in page and 'value="in_app pigeon"' in page
