from collab.core.scheduling import periodic

from . import services, sla


@periodic(every=60)
def pass_on_steps_of_people_who_left() -> None:
    services.pass_on_steps_of_people_who_left()


@periodic(every=60)
def send_step_reminders_and_escalations() -> None:
    sla.send_due()
