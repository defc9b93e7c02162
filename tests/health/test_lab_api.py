import pytest
from django.contrib.auth.models import Permission

from collab.accounts.services import create_token
from collab.health.models import LabResult, Patient
from collab.notifications.models import Notification
from tests.notifications.factories import person

pytestmark = pytest.mark.django_db
URL = "/api/v1/health/lab-results"


@pytest.fixture
def lab():
    lab_user = person("labsystem").user
    lab_user.user_permissions.add(Permission.objects.get(codename="add_labresult"))
    return create_token(user=lab_user, name="LIS")


@pytest.fixture
def doctor():
    return person("doctor")


@pytest.fixture
def patient():
    return Patient.objects.create(health_id="KH-77", family_name_latin="Keo",
                                  given_name_latin="Vanna")


def _post(client, token, body):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(URL, body, content_type="application/json", **headers)


def _payload(**over):
    return {"health_id": "KH-77", "ordering_doctor": "E-doctor", "test_code": "HB",
            "test_name": "Haemoglobin", "value": "7.1", "unit": "g/dL", "abnormal": True,
            "external_id": "LIS-1", **over}


def test_lab_system_posts_a_result_and_the_ordering_doctor_is_told(client, lab, doctor, patient):
    response = _post(client, lab, _payload())
    assert response.status_code == 201
    result = LabResult.objects.get(pk=response.json()["id"])
    assert result.patient == patient and result.ordering_doctor == doctor
    [n] = Notification.objects.filter(event_type="lab_result.ready")
    assert n.urgency == "urgent" and n.url == f"/health/lab-results/{result.pk}/"
    assert list(n.inbox_entries.values_list("user__username", flat=True)) == ["doctor"]
    assert "KH-77" not in n.message_en and "Keo" not in n.message_en


def test_the_same_external_id_twice_is_stored_once(client, lab, doctor, patient):
    first = _post(client, lab, _payload())
    again = _post(client, lab, _payload())
    assert again.status_code == 200 and again.json() == {"id": first.json()["id"],
                                                         "created": False}
    assert LabResult.objects.count() == 1 and Notification.objects.count() == 1


def test_no_token_is_401_and_a_token_without_permission_is_403(client, doctor, patient):
    assert _post(client, None, _payload()).status_code == 401
    assert _post(client, "sk_wrong", _payload()).status_code == 401
    nobody = create_token(user=person("nobody").user, name="t")
    response = _post(client, nobody, _payload())
    assert response.status_code == 403
    assert LabResult.objects.count() == 0


@pytest.mark.parametrize(("change", "fields"), [
    ({"health_id": "not valid"}, {"health_id"}),
    ({"value": "", "test_code": None}, {"value", "test_code"}),
    ({"reported_at": "yesterday"}, {"reported_at"}),
    ({"health_id": "KH-404", "ordering_doctor": "E-nobody"}, {"health_id", "ordering_doctor"}),
    ({"lab_unit": "NOPE"}, {"lab_unit"}),
])
def test_bad_payload_is_422_naming_the_fields_and_stores_nothing(
    client, lab, doctor, patient, change, fields
):
    response = _post(client, lab, _payload(**change))
    assert response.status_code == 422
    body = response.json()
    assert {e["field"] for e in body["errors"]} == fields
    assert all(f in body["message"] for f in fields)
    assert LabResult.objects.count() == 0 and Notification.objects.count() == 0


def test_not_json_is_rejected(client, lab):
    response = client.post(URL, "{not json", content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {lab}")
    assert response.status_code in (400, 422)
    assert LabResult.objects.count() == 0


def test_lab_result_entered_in_the_suite(client, doctor, patient):
    clerk = person("clerk").user
    client.force_login(clerk)
    url = "/health/lab-results/new/"
    assert client.get(url).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="add_labresult"))
    form = {"health_id": "kh-77", "ordering_doctor": "E-nobody", "test_code": "HB",
            "test_name": "Haemoglobin", "value": "12"}
    response = client.post(url, form)
    assert response.status_code == 422 and "id_ordering_doctor_error" in response.content.decode()
    assert LabResult.objects.count() == 0
    response = client.post(url, {**form, "ordering_doctor": "E-doctor"})
    result = LabResult.objects.get()
    assert response.status_code == 302 and response.url == f"/health/lab-results/{result.pk}/"
    assert Notification.objects.get().inbox_entries.get().user == doctor.user
    client.force_login(doctor.user)
    assert client.get(response.url).status_code == 200
    client.force_login(person("stranger").user)
    assert client.get(response.url).status_code == 404
