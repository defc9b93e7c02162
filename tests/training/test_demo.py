from django.contrib.auth import get_user_model

from collab.directory.models import OrgUnit, Person, Position
from training import demo
from training.models import Assignment, CoursePage, Enrolment, QuizPage


def test_demo_course_is_mandatory_assigned_and_idempotent(db):
    hospital = OrgUnit.objects.create(
        code=demo.DEMO_UNIT, kind="hospital", name_en="Demo hospital", name_km="មន្ទីរពេទ្យ"
    )
    user = get_user_model().objects.create_user("trainee")
    trainee = Person.objects.create(
        user=user, employee_id="D-1", family_name_en="Sreng", given_name_en="Pisey"
    )
    Position.objects.create(unit=hospital, title_en="Medical intern", holder=trainee)
    demo.seed()
    demo.seed()
    course = CoursePage.objects.get(slug=demo.COURSE_SLUG)
    assignment = Assignment.objects.get(course=course)
    assert assignment.mandatory and assignment.unit == hospital
    assert QuizPage.objects.descendant_of(course).count() == 1
    assert course.get_descendants().count() == 3
    assert Enrolment.objects.get(person=trainee, course=course).mandatory
