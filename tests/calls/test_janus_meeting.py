"""Meetings through a real Janus (VideoRoom) behind a real Daphne: aiortc participants speak
only to Sahakar on /ws/ with the relay frames, and Sahakar drives Janus."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from realtime.calls.services import create_meeting
from tests.calls.janus_peers import Participant
from tests.calls.peers import wait_for

pytestmark = [pytest.mark.live]

# Of 32767; the tone is about 16000, and Opus keeps it well above this after a round trip.
HEARD = 4000


async def _meeting(django_user_model, *, presenters: int, attendees: int):
    users = [
        await sync_to_async(django_user_model.objects.create_user)(f"janus{n}", password="x")
        for n in range(presenters + attendees)
    ]
    meeting = await sync_to_async(create_meeting)(
        host=users[0], title="Provincial directors", invitees=users[1:]
    )
    return [Participant(user, meeting.pk, video=n < presenters) for n, user in enumerate(users)]


async def _frames_flow(people, source: Participant, kind: str, *, more: int) -> None:
    before = {p.id: p.receiver.count(source.id, kind) for p in people}
    await wait_for(
        lambda: all(p.receiver.count(source.id, kind) > before[p.id] + more for p in people),
        what=f"{kind} of {source.id} still flowing",
    )


async def test_presenters_and_audio_only_attendees_receive_each_other(
    janus_daphne, django_user_model
):
    people = await _meeting(django_user_model, presenters=3, attendees=3)
    presenters = [p for p in people if p.video]
    try:
        for p in people:
            await p.join(janus_daphne)
            await p.subscribe()
        for p in people:
            await p.publish()
        for p in presenters:
            p.tone.loud = True

        for p in people:
            others = [q for q in presenters if q is not p]
            await wait_for(
                lambda p=p, others=others: all(p.receiver.count(q.id) >= 10 for q in others),
                timeout=30,
                what=f"video of the presenters at {p.id}",
            )
            await wait_for(
                lambda p=p, others=others: all(
                    p.receiver.peaks.get(q.id, 0) >= HEARD for q in others
                ),
                timeout=30,
                what=f"the presenters heard at {p.id}",
            )
            await wait_for(
                lambda p=p: all(p.receiver.count(q.id, "audio") > 0 for q in people if q is not p),
                timeout=30,
                what=f"everyone's audio at {p.id}",
            )
            # Decoded pictures, at the size sent (Janus forwards without re-encoding).
            assert all(p.receiver.sizes[q.id] == (160, 120) for q in others)
            # Attendees publish audio only: no video of theirs reaches anyone.
            assert all(p.receiver.count(q.id) == 0 for q in people if not q.video)
            assert p.receiver.count(p.id, "audio") == 0  # nobody receives themself

        offer = people[-1].receiver.offers[-1]
        assert offer["video"] == sorted(q.id for q in presenters)
        assert sorted(offer["tracks"].values()) == sorted(
            [q.id for q in people[:-1]] + [q.id for q in presenters]
        )
        assert not any(p.errors for p in people)
    finally:
        for p in people:
            await p.leave()


async def test_a_presenter_leaving_is_offered_away_and_the_others_keep_flowing(
    janus_daphne, django_user_model
):
    people = await _meeting(django_user_model, presenters=3, attendees=0)
    first, second, third = people
    try:
        for p in people:
            await p.join(janus_daphne)
            await p.subscribe()
            await p.publish()
        await wait_for(
            lambda: first.receiver.count(second.id) >= 10 and first.receiver.count(third.id) >= 10,
            timeout=30,
            what="both others' video at the first",
        )
        offers = len(first.receiver.offers)

        await second.leave()
        await wait_for(lambda: len(first.receiver.offers) > offers, what="an offer without him")
        assert sorted(first.receiver.offers[-1]["tracks"].values()) == [third.id, third.id]
        assert first.receiver.offers[-1]["first"] is False  # the same connection
        await asyncio.sleep(0.5)  # what was in flight arrives
        settled = first.receiver.count(second.id)
        await _frames_flow([first], third, "video", more=15)
        assert first.receiver.count(second.id) == settled

        # He comes back (a page reload): everyone receives him again.
        people[1] = second = Participant(second.user, second.meeting_id, video=True)
        await second.join(janus_daphne)
        await second.subscribe()
        await second.publish()
        await wait_for(
            lambda: (
                first.receiver.count(second.id) >= 10
                and third.receiver.count(second.id) >= 10
                and second.receiver.count(first.id) >= 10
            ),
            timeout=30,
            what="the returning presenter",
        )
    finally:
        for p in people:
            await p.leave()


async def test_four_presenters_to_twelve_listeners(janus_daphne, django_user_model):
    """16 subscribers (the aiortc relay refuses a 9th): listeners publish nothing, as in a
    webinar; every one of them decodes each presenter's video and hears them."""
    people = await _meeting(django_user_model, presenters=4, attendees=12)
    presenters = people[:4]
    try:
        for p in people:
            await p.join(janus_daphne)
            await p.subscribe()
        for p in presenters:
            p.tone.loud = True
            await p.publish()
        await wait_for(
            lambda: all(
                p.receiver.count(q.id) >= 10 and p.receiver.peaks.get(q.id, 0) >= HEARD
                for p in people
                for q in presenters
                if q is not p
            ),
            timeout=60,
            what="every presenter seen and heard by everyone",
        )
        assert all(
            p.receiver.sizes[q.id] == (160, 120) for p in people for q in presenters if q is not p
        )
        assert not any(p.errors for p in people)
    finally:
        for p in people:
            await p.leave()
