import re

import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest

from collab.health.models import AuditEntry, Patient, Referral
from collab.notifications.models import Notification, Recipient
from tests.health.fhir_refs import resolve_all
from tests.notifications.factories import build_org, person, position, referral_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    org = build_org()
    referral_rule()
    return org


@pytest.fixture
def patient():
    return Patient.objects.create(health_id="KH-42", family_name_latin="Chan",
                                  given_name_latin="Sophea", family_name_km="ចាន់",
                                  given_name_km="សុភា", sex="female")


def _send(client, org, patient, **over):
    data = {"health_id": patient.health_id.lower(), "from_unit": org.centre.pk,
            "to_unit": org.hospital.pk, "specialty": "paediatrics", "urgency": "urgent",
            "reason": "High fever", **over}
    return client.post(reverse("health:referral_new"), data)


def test_nurse_refers_and_the_on_call_paediatrician_is_notified(client, org, patient):
    client.force_login(org.people["nurse"].user)
    response = _send(client, org, patient)
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == f"/health/referrals/{referral.pk}/"
    assert referral.patient == patient and referral.status == "pending"
    [n] = Notification.objects.filter(event_type="referral.created")
    assert n.requires_ack and n.urgency == "urgent" and n.org_unit == org.hospital
    assert list(n.inbox_entries.values_list("user__username", flat=True)) == ["oncall"]
    for text in (n.message_en, n.message_km):
        assert "KH-42" not in text and "Chan" not in text and "ចាន់" not in text


def test_bad_referral_input_names_the_field_and_stores_nothing(client, org, patient):
    client.force_login(org.people["nurse"].user)
    response = _send(client, org, patient, health_id="KH-404")
    assert response.status_code == 422
    assert "No patient has this Health ID." in response.content.decode()
    response = _send(client, org, patient, health_id="bad id!")
    assert response.status_code == 422
    assert "4–32 capital letters" in response.content.decode()
    assert 'value="High fever"' in response.content.decode() or "High fever" in \
        response.content.decode()  # what was typed is kept
    assert Referral.objects.count() == 0 and Notification.objects.count() == 0


def test_only_members_of_the_referring_unit_may_refer(client, org, patient):
    client.force_login(org.people["head"].user)  # works at the hospital, not the centre
    response = _send(client, org, patient)
    assert response.status_code == 422  # the centre is not a choice for them
    assert Referral.objects.count() == 0


def _referral(org, patient):
    from collab.health.services import create_referral

    return create_referral(user=org.people["nurse"].user, health_id=patient.health_id,
                           from_unit=org.centre, to_unit=org.hospital,
                           specialty="paediatrics", reason="r", urgency="urgent")


def test_target_unit_accepts_then_completes_and_the_referrer_is_told(client, org, patient):
    referral = _referral(org, patient)
    client.force_login(org.people["oncall"].user)
    url = reverse("health:referral", args=[referral.pk])
    assert client.post(url, {"action": "accept"}).status_code == 302
    assert client.post(url, {"action": "accept"}).status_code == 422  # not pending any more
    assert client.post(url, {"action": "complete"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == "completed"
    nurse = org.people["nurse"].user
    told = Recipient.objects.filter(user=nurse).order_by("pk")
    assert [r.notification.event_type for r in told] == ["referral.accepted",
                                                         "referral.completed"]


def test_decline_needs_a_reason(client, org, patient):
    referral = _referral(org, patient)
    client.force_login(org.people["oncall"].user)
    url = reverse("health:referral", args=[referral.pk])
    response = client.post(url, {"action": "decline", "note": ""})
    assert response.status_code == 422 and "id_note_error" in response.content.decode()
    assert client.post(url, {"action": "decline", "note": "No bed"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == "declined" and referral.response_note == "No bed"


def test_referring_unit_cannot_accept_and_outsiders_cannot_see(client, org, patient):
    referral = _referral(org, patient)
    url = reverse("health:referral", args=[referral.pk])
    client.force_login(org.people["nurse"].user)
    page = client.get(url)
    assert page.status_code == 200 and 'value="accept"' not in page.content.decode()
    assert client.post(url, {"action": "accept"}).status_code == 403
    outsider = person("outsider")
    position(org.moh.__class__.objects.create(code="X", kind="office", name_en="X",
                                              name_km="X"), outsider, "clerk")
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404
    existing = client.get(reverse("health:patient", args=["KH-42"]))
    unknown = client.get(reverse("health:patient", args=["KH-99999"]))
    assert existing.status_code == unknown.status_code == 404
    def page(response) -> bytes:  # the same page but for its CSP nonce and CSRF token
        return re.sub(rb'(nonce|value)="[^"]*"', b"", response.content)

    assert page(existing) == page(unknown)


def test_incoming_list_shows_the_target_units_referrals(client, org, patient):
    referral = _referral(org, patient)
    client.force_login(org.people["paed"].user)
    page = client.get(reverse("health:referrals")).content.decode()
    assert f'href="/health/referrals/{referral.pk}/"' in page
    client.force_login(org.people["nurse"].user)
    page = client.get(reverse("health:referrals")).content.decode()
    assert f'href="/health/referrals/{referral.pk}/"' not in page
    page = client.get(reverse("health:referrals") + "?direction=outgoing").content.decode()
    assert f'href="/health/referrals/{referral.pk}/"' in page


def test_fhir_service_request_is_valid_r4(client, org, patient):
    referral = _referral(org, patient)
    client.force_login(org.people["oncall"].user)
    data = client.get(reverse("health:referral_fhir", args=[referral.pk])).json()
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    assert resolve_all(data) == {
        "ServiceRequest.subject": "Patient",
        "ServiceRequest.requester": "Organization",
        "ServiceRequest.performer[0]": "Organization",
    }
    [resource] = [e.resource for e in bundle.entry if isinstance(e.resource, ServiceRequest)]
    assert resource.status == "active" and resource.intent == "order"
    assert resource.priority == "urgent"
    assert resource.subject.identifier.value == "KH-42"
    assert resource.performer[0].identifier.value == "RH"
    assert client.get(f"/api/v1/health/referrals/{referral.pk}/fhir").json() == data
    assert AuditEntry.objects.filter(action="export-fhir", patient=patient).count() == 2


def test_every_patient_page_read_is_audited(client, org, patient):
    _referral(org, patient)
    doctor = org.people["oncall"].user
    client.force_login(doctor)
    for _ in range(2):
        page = client.get(reverse("health:patient", args=["KH-42"]))
        assert page.status_code == 200 and "សុភា" in page.content.decode()
    entries = AuditEntry.objects.filter(patient=patient, action="view", user=doctor)
    assert entries.count() == 2
    assert entries.first().object_repr == "KH-42"


def test_audit_entries_are_read_only_in_the_admin(admin_client, org, patient):
    from collab.health.services import audit_read

    entry = audit_read(user=org.people["head"].user, obj=patient, action="view")
    listing = admin_client.get("/admin/health/auditentry/")
    assert listing.status_code == 200 and "KH-42" in listing.content.decode()
    assert admin_client.get(f"/admin/health/auditentry/{entry.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/health/auditentry/add/").status_code == 403
