from collab.directory import demo as directory_demo
from training import demo
from training.models import Assignment, CoursePage, Enrolment, QuizPage


def test_demo_course_is_mandatory_assigned_and_idempotent(db):
    directory_demo.seed()
    demo.seed()
    demo.seed()
    course = CoursePage.objects.get(slug=demo.COURSE_SLUG)
    assignment = Assignment.objects.get(course=course)
    assert assignment.mandatory and assignment.unit.code == demo.DEMO_UNIT
    assert QuizPage.objects.descendant_of(course).count() == 1
    trainee = directory_demo.demo_person("trainee")
    assert Enrolment.objects.get(person=trainee, course=course).mandatory
