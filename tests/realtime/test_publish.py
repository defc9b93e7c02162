"""publish(): stored in the caller's transaction, pushed only after commit."""

import asyncio
import json
import os
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import connection, transaction

from realtime.models import Event
from realtime.services import publish
from realtime.streams import user_group

pytestmark = [pytest.mark.django_db(transaction=True)]
quick = pytest.mark.django_db  # overrides the module mark: no flush needed


async def _next_message(layer, channel: str, timeout: float):
    try:
        return await asyncio.wait_for(layer.receive(channel), timeout)
    except TimeoutError:
        return None


async def test_event_is_pushed_only_after_commit(amake_user):
    user = await amake_user()
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(user_group(user.pk), channel)
    seen_inside: list = []

    def write() -> Event:
        with transaction.atomic():
            event = publish(type="test.ping", payload={"n": 1}, user_id=user.pk)
            # The in-memory layer would have queued a push synchronously by now.
            seen_inside.append(Event.objects.filter(pk=event.pk).exists())
        return event

    event = await sync_to_async(write)()
    message = await _next_message(layer, channel, timeout=10)
    assert seen_inside == [True]
    assert message["type"] == "stream.event"
    # Encoded once in the message; every socket sends the text as is.
    assert message["seq"] == event.seq
    assert json.loads(message["text"]) == {"type": "test.ping", "seq": event.seq, "n": 1}


@pytest.mark.skipif(
    bool(os.environ.get("REDIS_URL")), reason="needs the in-memory layer, whose push is synchronous"
)
async def test_nothing_is_pushed_before_commit(amake_user):
    layer = get_channel_layer()
    assert isinstance(layer, InMemoryChannelLayer)
    user = await amake_user()
    channel = await layer.new_channel()
    await layer.group_add(user_group(user.pk), channel)
    inside: list = []

    def write() -> None:
        with transaction.atomic():
            publish(type="test.ping", payload={}, user_id=user.pk)
            from asgiref.sync import async_to_sync

            inside.append(async_to_sync(_next_message)(layer, channel, 0.2))

    await sync_to_async(write)()
    assert inside == [None]
    message = await _next_message(layer, channel, timeout=10)
    assert json.loads(message["text"])["type"] == "test.ping"


async def test_rolled_back_publish_stores_and_pushes_nothing(amake_user):
    user = await amake_user()
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(user_group(user.pk), channel)

    class Boom(Exception):
        pass

    def write() -> None:
        with transaction.atomic():
            publish(type="test.lost", payload={}, user_id=user.pk)
            raise Boom

    with pytest.raises(Boom):
        await sync_to_async(write)()
    # A later committed event is the first (and only) thing the group hears.
    event = await sync_to_async(publish)(type="test.kept", payload={}, user_id=user.pk)
    message = await _next_message(layer, channel, timeout=10)
    assert message["seq"] == event.seq
    assert await sync_to_async(list)(Event.objects.values_list("type", flat=True)) == ["test.kept"]


@quick
def test_an_event_has_exactly_one_audience(make_user):
    user = make_user()
    with pytest.raises(ValueError):
        publish(type="x", payload={})
    with pytest.raises(ValueError):
        publish(type="x", payload={}, user_id=user.pk, stream="chat.room.1")
    assert not Event.objects.exists()


@quick
def test_seqs_increase(make_user):
    user = make_user()
    seqs = [publish(type="x", payload={}, user_id=user.pk).seq for _ in range(5)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL advisory lock")
def test_commit_order_is_seq_order_on_postgresql(make_user):
    """A second publisher waits for the first transaction, so it cannot commit a lower
    seq later (which a resuming client past the higher seq would never see)."""
    user = make_user()
    first_published = threading.Event()
    errors: list[BaseException] = []
    seqs: dict[str, int] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                seqs["first"] = publish(type="a", payload={}, user_id=user.pk).seq
                first_published.set()
                with connection.cursor() as cursor:  # commit only once the second waits
                    for _ in range(600):
                        cursor.execute(
                            "SELECT count(*) FROM pg_locks "
                            "WHERE locktype = 'advisory' AND NOT granted"
                        )
                        if cursor.fetchone()[0]:
                            break
                        threading.Event().wait(0.05)
                    else:
                        raise AssertionError("the second publisher never waited for the lock")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_published.wait(30)
            seqs["second"] = publish(type="b", payload={}, user_id=user.pk).seq
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert seqs["first"] < seqs["second"]
