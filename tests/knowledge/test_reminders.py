"""Review reminders at 30 days, 7 days and on the date: each once; overdue shown and reported."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils.translation import override

from collab.core import clock
from collab.core.formatting import when
from collab.core.scheduling import registered_jobs
from collab.notifications.models import Recipient
from knowledge.models import ReviewReminder

DAY = 24 * 3600


@pytest.fixture
def moved_clock(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the offset file lives in the data dir: keep it ours
    yield clock.set_offset
    clock.set_offset(None)


def run_job():
    (job,) = [j for j in registered_jobs() if j.name.endswith("knowledge_review_reminders")]
    job.func()


def owner_reminders(kb) -> list[str]:
    return list(
        Recipient.objects.filter(
            user=kb.users["owner"], notification__event_type="knowledge.review_due"
        )
        .order_by("pk")
        .values_list("notification__message_en", flat=True)
    )


def set_review_date(page, day):
    page.review_date = day
    page.save_revision().publish()


def shown(day, language="en") -> str:
    with override(language):
        return when(day, "date")


def test_reminders_are_sent_at_30_and_7_days_and_on_the_date_once_each(kb, moved_clock):
    today = clock.now().date()
    due = today + timedelta(days=30)
    set_review_date(kb.article, due)
    run_job()
    run_job()  # idempotent: the periodic job runs every few minutes
    assert owner_reminders(kb) == [
        f"“Severe dehydration” is due for review in 30 days ({shown(due)})."
    ]
    (khmer,) = Recipient.objects.filter(user=kb.users["owner"]).values_list(
        "notification__message_km", flat=True
    )
    assert shown(due, "km") in khmer  # the date written the Khmer way, not as ISO digits

    moved_clock(22 * DAY)
    run_job()
    assert len(owner_reminders(kb)) == 1  # day 22: nothing new
    moved_clock(23 * DAY)
    run_job()
    run_job()
    moved_clock(30 * DAY)
    run_job()
    moved_clock(45 * DAY)
    run_job()
    assert owner_reminders(kb)[1:] == [
        f"“Severe dehydration” is due for review in 7 days ({shown(due)}).",
        f"“Severe dehydration” is due for review today ({shown(due)}).",
    ]
    assert list(ReviewReminder.objects.order_by("pk").values_list("kind", flat=True)) == [
        "30d",
        "7d",
        "due",
    ]


def test_a_late_review_date_sends_only_the_most_urgent_reminder(kb):
    today = clock.now().date()
    set_review_date(kb.article, today + timedelta(days=5))
    run_job()
    assert owner_reminders(kb) == [
        f"“Severe dehydration” is due for review in 7 days ({shown(today + timedelta(days=5))})."
    ]


def test_a_new_review_date_starts_a_new_cycle(kb):
    today = clock.now().date()
    set_review_date(kb.article, today)
    run_job()
    set_review_date(kb.article, today + timedelta(days=30))
    run_job()
    assert len(owner_reminders(kb)) == 2


def test_overdue_page_says_so_and_is_in_the_admin_report(client, kb):
    today = clock.now().date()
    set_review_date(kb.article, today - timedelta(days=3))
    response = client.get(kb.article.url)
    assert "was due for review on" in response.content.decode()

    editor = kb.users["owner"]
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    report = client.get("/cms/reports/knowledge-overdue/")
    assert report.status_code == 200
    html = report.content.decode()
    assert "Severe dehydration" in html and str(today - timedelta(days=3)) in html
    set_review_date(kb.article, today + timedelta(days=300))
    report = client.get("/cms/reports/knowledge-overdue/")
    assert "Severe dehydration" not in report.content.decode()


def test_an_article_in_two_languages_is_reminded_once(kb):
    from tests.knowledge.test_translations import translate_to_khmer

    set_review_date(kb.article, clock.now().date() + timedelta(days=7))
    translate_to_khmer(kb.article)
    run_job()
    assert len(owner_reminders(kb)) == 1
