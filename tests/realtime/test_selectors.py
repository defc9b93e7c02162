"""Reads behind hello and resume: right rows, pinned query counts."""

import pytest

from collab.directory.models import Person
from realtime import selectors
from realtime.models import Event

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def stream_rows(make_user):
    me, other = make_user(), make_user()
    rows = []
    for n in range(30):
        rows += [
            Event(user=me, type="t", payload={"n": n}),
            Event(user=other, type="t", payload={"n": n}),
            Event(stream="room.1", type="t", payload={"n": n}),
            Event(stream="room.2", type="t", payload={"n": n}),
        ]
    Event.objects.bulk_create(rows)
    return me, other


def test_pages_hold_only_visible_events_in_seq_order(stream_rows, django_assert_num_queries):
    me, _ = stream_rows
    visible = list(
        Event.objects.filter(user=me).values_list("seq", flat=True).union(
            Event.objects.filter(stream="room.1").values_list("seq", flat=True)
        )
    )
    visible.sort()
    upto = selectors.latest_seq()
    with django_assert_num_queries(1):
        first = selectors.event_frames_page(
            user_id=me.pk, streams=["room.1"], after=0, upto=upto, limit=25
        )
    rest = selectors.event_frames_page(
        user_id=me.pk, streams=["room.1"], after=first[-1]["seq"], upto=upto, limit=1000
    )
    assert [f["seq"] for f in first + rest] == visible
    assert first[0] == {"type": "t", "seq": visible[0], "n": 0}
    capped = selectors.event_frames_page(
        user_id=me.pk, streams=["room.1"], after=0, upto=visible[9], limit=1000
    )
    assert [f["seq"] for f in capped] == visible[:10]
    only_stream = selectors.event_frames_page(
        user_id=None, streams=["room.2"], after=0, upto=upto, limit=1000
    )
    assert [f["seq"] for f in only_stream] == list(
        Event.objects.filter(stream="room.2").order_by("seq").values_list("seq", flat=True)
    )


def test_hello_reads_are_two_queries(stream_rows, django_assert_max_num_queries):
    me, other = stream_rows
    Person.objects.create(
        user=me, employee_id="E1", family_name_en="Sok", given_name_en="Dara",
        family_name_km="សុខ", given_name_km="ដារ៉ា",
    )
    requests = [(me.pk, frozenset({"room.1"})), (other.pk, frozenset()), (10**9, frozenset())]
    with django_assert_max_num_queries(2):  # however many sockets say hello together
        (summary, seq), (other_summary, other_seq), gone = selectors.hello_data(requests)
    assert summary == {
        "id": me.pk, "username": me.username, "name": "Sok Dara", "name_km": "សុខ ដារ៉ា"
    }
    assert other_summary["name_km"] == other.username
    assert seq == max(
        Event.objects.filter(stream="room.1").latest("seq").seq,
        Event.objects.filter(user=me).latest("seq").seq,
    )
    assert other_seq == Event.objects.filter(user=other).latest("seq").seq
    assert gone is None
    assert selectors.latest_seq() == Event.objects.latest("seq").seq
