from collab.core.scheduling import periodic

from . import services


@periodic(every=60)
def pass_on_steps_of_people_who_left() -> None:
    services.pass_on_steps_of_people_who_left()
