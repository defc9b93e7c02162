from collab.core.scheduling import periodic
from knowledge.services import send_review_reminders


@periodic(every=15 * 60)
def knowledge_review_reminders() -> None:
    send_review_reminders()
