"""Assignment to a unit reaches its descendants and newcomers; to role tags; to people."""

import datetime

import pytest

from collab.directory.models import Position
from training.models import Assignment, Enrolment
from training.services.assignments import create_assignment, sync_all_assignments

from .conftest import make_person


@pytest.fixture
def staff(units):
    return {
        "minister": make_person("minister", unit=units.ministry),
        "provincial": make_person("provincial", unit=units.province),
        "district": make_person("district", unit=units.district, tags="midwife"),
        "nurse": make_person("nurse", unit=units.centre, tags="midwife"),
        "elsewhere": make_person("elsewhere", unit=units.other, tags="midwife"),
    }


def enrolled(course):
    return set(
        Enrolment.objects.filter(course=course.course).values_list(
            "person__user__username", flat=True
        )
    )


DUE = datetime.date(2031, 1, 31)


def test_unit_assignment_reaches_every_descendant_and_nobody_else(course, staff, units):
    create_assignment(course=course.course, unit=units.province, due_date=DUE)
    assert enrolled(course) == {"provincial", "district", "nurse"}
    e = Enrolment.objects.get(person=staff["nurse"])
    assert (e.due_date, e.mandatory, e.source) == (DUE, True, "assigned")


def test_unit_only_assignment_skips_sub_units(course, staff, units):
    create_assignment(
        course=course.course, unit=units.province, include_descendants=False, due_date=DUE
    )
    assert enrolled(course) == {"provincial"}


def test_role_tag_assignment_within_a_unit_and_everywhere(course, staff, units):
    create_assignment(course=course.course, unit=units.province, role_tag="midwife", due_date=DUE)
    assert enrolled(course) == {"district", "nurse"}
    create_assignment(course=course.course, role_tag="midwife", due_date=DUE)
    assert enrolled(course) == {"district", "nurse", "elsewhere"}


def test_named_person_and_bad_targets(course, staff, units):
    from collab.core.errors import ServiceError

    create_assignment(course=course.course, person=staff["minister"], due_date=DUE, mandatory=False)
    assert enrolled(course) == {"minister"}
    assert Enrolment.objects.get().mandatory is False
    with pytest.raises(ServiceError):
        create_assignment(course=course.course, due_date=DUE)
    with pytest.raises(ServiceError):
        create_assignment(
            course=course.course, person=staff["nurse"], unit=units.centre, due_date=DUE
        )


def test_newcomer_to_an_assigned_unit_is_enrolled_when_their_position_is_saved(
    course, staff, units, django_capture_on_commit_callbacks, clock_offset
):
    create_assignment(course=course.course, unit=units.province, due_date=DUE)
    newcomer = make_person("newcomer")
    post = Position.objects.create(unit=units.centre, title_en="Vacant post")
    assert "newcomer" not in enrolled(course)
    with django_capture_on_commit_callbacks(execute=True):
        post.holder = newcomer
        post.save()
    enrolment = Enrolment.objects.get(person=newcomer)
    assert enrolment.assignment.unit == units.province
    # Given the assignment's due date, or 30 days from joining if that is later.
    assert enrolment.due_date == DUE
    clock_offset(days=(DUE - datetime.date.today()).days + 10)
    late = make_person("late")
    with django_capture_on_commit_callbacks(execute=True):
        Position.objects.create(unit=units.district, title_en="Post 2", holder=late)
    from training.selectors import today

    assert Enrolment.objects.get(person=late).due_date == today() + datetime.timedelta(days=30)


def test_periodic_sync_catches_bulk_changes(course, staff, units):
    create_assignment(course=course.course, unit=units.district, due_date=DUE)
    bulk = make_person("bulk")
    # A bulk import bypasses save() signals.
    Position.objects.bulk_create([Position(unit=units.centre, title_en="Imported", holder=bulk)])
    assert "bulk" not in enrolled(course)
    assert sync_all_assignments() == 1
    assert "bulk" in enrolled(course)
    assert sync_all_assignments() == 0


def test_assignment_form_for_a_unit_head_is_limited_to_their_subtree(client, course, staff, units):
    head = make_person("head", unit=units.district, tags="unit-head")
    client.force_login(head.user)
    page = client.get("/learning/assign/")
    assert page.status_code == 200
    r = client.post(
        "/learning/assign/",
        {
            "course": course.course.pk,
            "unit": units.province.pk,
            "include_descendants": "on",
            "due_date": "2031-01-31",
            "mandatory": "on",
            "newcomer_days": 30,
        },
    )
    assert r.status_code == 200 and "You do not manage this unit." in r.content.decode()
    assert not Assignment.objects.exists()
    r = client.post(
        "/learning/assign/",
        {
            "course": course.course.pk,
            "unit": units.district.pk,
            "include_descendants": "on",
            "due_date": "2031-01-31",
            "mandatory": "on",
            "newcomer_days": 30,
        },
    )
    assert r.status_code == 302
    assert enrolled(course) == {"district", "nurse", "head"}


def test_assignment_form_refuses_people_without_the_right(client, course, staff):
    client.force_login(staff["nurse"].user)
    assert client.get("/learning/assign/").status_code == 403


def test_assignment_form_keeps_input_on_error(client, course, units, staff):
    from django.contrib.auth.models import Permission

    hr = make_person("hr")
    hr.user.user_permissions.add(Permission.objects.get(codename="view_training_report"))
    client.force_login(hr.user)
    r = client.post(
        "/learning/assign/",
        {
            "course": course.course.pk,
            "role_tag": "mid wife",
            "due_date": "not a date",
            "newcomer_days": 30,
        },
    )
    body = r.content.decode()
    assert r.status_code == 200
    assert 'value="mid wife"' in body and "Enter a valid date." in body
