from wagtail.models import Site

from training.models import TrainingIndexPage
from training.services.tree import ensure_training_index


def test_training_index_exists_on_a_fresh_database(db):
    site = Site.objects.get(is_default_site=True)
    index = TrainingIndexPage.objects.child_of(site.root_page).get(slug="training")
    assert index.url == "/training/"
    assert ensure_training_index().pk == index.pk  # idempotent


def test_index_is_rebuilt_after_the_tree_is_wiped(db):
    from wagtail.models import Page

    Site.objects.all().delete()
    Page.objects.all().delete()
    index = ensure_training_index()
    assert index.get_parent().specific_class is Page
    assert Site.objects.get(is_default_site=True).root_page_id == index.get_parent().pk


def test_courses_are_reached_from_the_khmer_home_too(client, db):
    from wagtail.models import Locale

    from .conftest import build_course, make_person

    course = build_course()
    km_index = TrainingIndexPage.objects.get(locale=Locale.objects.get(language_code="km"))
    assert km_index.primary().locale.language_code == "en"
    from collab.accounts.models import Profile

    reader = make_person("reader").user
    Profile.objects.update_or_create(user=reader, defaults={"language": "km"})
    client.force_login(reader)
    catalogue = client.get("/training/")
    assert catalogue.status_code == 200 and catalogue["Content-Language"] == "km"
    assert course.course.title in catalogue.content.decode()
    assert course.lesson.url == f"/learning/lessons/{course.lesson.pk}/"
    for url in (course.lesson.url, "/training/ipc/m1/l1/"):  # short link, and the tree path
        lesson = client.get(url)
        assert lesson.status_code == 200 and "លាងដៃ" in lesson.content.decode()


def test_periodic_jobs_are_registered_for_the_worker():
    from collab.core.scheduling import registered_jobs

    names = {job.name for job in registered_jobs()}
    assert {
        "training.services.reminders.send_due_reminders",
        "training.services.assignments.sync_all_assignments",
        "training.services.enrolment.renew_expired_certifications",
        "training.services.quiz.finish_all_expired_attempts",
    } <= names
