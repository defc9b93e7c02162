from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collab.core.errors import ServiceError
from collab.directory.models import OrgUnit, Position
from collab.notifications.models import Recipient
from realtime.chat import presence, selectors, services
from realtime.chat.models import Attachment, Membership, Message, MessageEdit, Room
from realtime.models import Event

from .helpers import docx_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db(transaction=False)


def send(user, room, body="x", **kwargs) -> Message:
    return services.send_message(author=user, room_id=room.pk, body=body, **kwargs)[0]


def channel(owner, *members, kind="public", name="general"):
    return services.create_room(creator=owner, kind=kind, name=name, members=members)


def test_non_member_gets_the_same_refusal_for_a_private_room_and_a_missing_one(
    alice, bob, carol, django_capture_on_commit_callbacks
):
    room = channel(alice, bob, kind="private", name="secret")
    for room_id in (room.pk, room.pk + 1000):
        with pytest.raises(ServiceError) as exc:
            services.send_message(author=carol, room_id=room_id, body="hi", client_id="c1")
        assert (exc.value.code, exc.value.status) == ("forbidden", 403)
        missing = exc.value.message
    with pytest.raises(ServiceError) as exc:
        services.join_room(user=carol, room_id=room.pk)
    assert exc.value.message == missing
    assert not Message.objects.exists()


def test_public_room_join_then_send(alice, bob):
    room = channel(alice)
    with pytest.raises(ServiceError):
        selectors.require_member(user=bob, room_id=room.pk)
    services.join_room(user=bob, room_id=room.pk)
    message, created = services.send_message(author=bob, room_id=room.pk, body="hello")
    assert created and message.room_id == room.pk


def test_same_client_id_returns_the_same_message_and_one_event(alice, bob):
    room = channel(alice, bob)
    first, created1 = services.send_message(author=alice, room_id=room.pk, body="x", client_id="k")
    again, created2 = services.send_message(author=alice, room_id=room.pk, body="x", client_id="k")
    assert (created1, created2) == (True, False)
    assert first.pk == again.pk and again.seq == first.seq
    assert Message.objects.count() == 1
    assert Event.objects.filter(stream=room.stream, type="chat.message").count() == 1
    # Another author may use the same client id.
    other, created = services.send_message(author=bob, room_id=room.pk, body="y", client_id="k")
    assert created and other.pk != first.pk


def test_message_event_carries_its_seq_and_is_stored_once(alice, bob):
    room = channel(alice, bob)
    message, _ = services.send_message(author=alice, room_id=room.pk, body="**hi** @bob")
    event = Event.objects.get(seq=message.seq)
    frame = event.frame()
    assert frame["type"] == "chat.message" and frame["room"] == room.pk
    assert frame["message"]["id"] == message.pk and frame["seq"] == message.seq
    assert frame["message"]["body_html"] == (
        '<p><strong>hi</strong> <span class="mention">@bob</span></p>'
    )
    assert message.mentions == ["bob"]


def test_send_is_a_fixed_number_of_queries(alice, bob, django_assert_max_num_queries):
    room = channel(alice, bob)
    send(alice, room, "warm up")
    presence.heartbeat(user=bob)  # online: no notification to create
    # PostgreSQL adds the event lock and savepoint statements to SQLite's count; the
    # search app queues an index update per message.
    with django_assert_max_num_queries(15):
        send(alice, room, "hello @bob")


def test_send_costs_the_same_whatever_the_room_size(make_user, alice):
    small = channel(alice, name="small")
    big = channel(alice, *[make_user(f"user{i}") for i in range(30)], name="big")
    statements = []
    for room in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            send(alice, room, "to everyone")
        statements.append([q["sql"].split()[0] for q in ctx.captured_queries])
    assert statements[0] == statements[1]
    tables = [q["sql"].split()[2] for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    inserts = [t for t in tables if t.startswith(('"chat_', '"realtime_'))]
    assert inserts == ['"chat_message"', '"realtime_event"']


def test_edit_keeps_history_and_only_the_author_may_edit(alice, bob):
    room = channel(alice, bob)
    message, _ = services.send_message(author=alice, room_id=room.pk, body="first")
    with pytest.raises(ServiceError) as exc:
        services.edit_message(user=bob, message_id=message.pk, body="hacked")
    assert exc.value.code == "forbidden"
    services.edit_message(user=alice, message_id=message.pk, body="second")
    edited = services.edit_message(user=alice, message_id=message.pk, body="third")
    assert edited.body == "third" and edited.edited is not None
    assert list(MessageEdit.objects.filter(message=message).values_list("body", flat=True)) == [
        "first",
        "second",
    ]
    assert Event.objects.filter(stream=room.stream, type="chat.edited").count() == 2


def test_delete_leaves_a_tombstone_and_scrubs_the_text_everywhere(alice, bob):
    room = channel(alice, bob)
    message, _ = services.send_message(author=alice, room_id=room.pk, body="secret words")
    services.edit_message(user=alice, message_id=message.pk, body="secret words 2")
    with pytest.raises(ServiceError):
        services.delete_message(user=bob, message_id=message.pk)
    services.delete_message(user=alice, message_id=message.pk)
    message.refresh_from_db()
    assert message.deleted and message.body == "" and message.body_html == ""
    assert not MessageEdit.objects.filter(message=message).exists()
    texts = [str(e.payload) for e in Event.objects.filter(stream=room.stream)]
    assert not any("secret" in t for t in texts)
    assert Event.objects.filter(stream=room.stream, type="chat.deleted").count() == 1
    with pytest.raises(ServiceError) as exc:
        services.edit_message(user=alice, message_id=message.pk, body="back")
    assert exc.value.code == "gone"


def test_moderator_may_delete_others_messages(alice, bob, carol):
    room = channel(alice, bob, carol)
    message, _ = services.send_message(author=bob, room_id=room.pk, body="spam")
    with pytest.raises(ServiceError):
        services.delete_message(user=carol, message_id=message.pk)
    services.set_role(actor=alice, room_id=room.pk, user=carol, role="moderator")
    services.delete_message(user=carol, message_id=message.pk)
    assert Message.objects.get(pk=message.pk).deleted


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=//evil></iframe>",
    '![x](x" onerror="alert(1))',
    "<details open ontoggle=alert(1)>",
    "`<script>`\n\n```\n<script>alert(1)</script>\n```",
    '<div style="background:url(javascript:alert(1))">',
    "[a](vbscript:msgbox)",
    "<<script>script>alert(1)<</script>/script>",
    "@<script>alert(1)</script>",
]


class _Inspector(HTMLParser):
    SAFE_TAGS = {
        "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
        "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th",
        "td", "span",
    }  # fmt: skip

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.SAFE_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name not in {"href", "title", "rel", "class"}:
                self.problems.append(f"attribute {name}")
            if name == "href" and not value.startswith(("http://", "https://", "mailto:")):
                self.problems.append(f"href {value}")


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_are_rendered_inert(alice, payload):
    room = channel(alice)
    message, _ = services.send_message(author=alice, room_id=room.pk, body=payload)
    inspector = _Inspector()
    inspector.feed(message.body_html)
    assert inspector.problems == [], message.body_html
    assert message.body == payload.strip()  # the text itself is kept, shown as text


def test_markdown_code_lists_and_links_render(alice):
    room = channel(alice)
    body = "- one\n- two\n\n```\ncode <b>\n```\n\n[site](https://moh.gov.kh)"
    message, _ = services.send_message(author=alice, room_id=room.pk, body=body)
    assert "<ul>\n<li>one</li>" in message.body_html
    assert "<pre><code>code &lt;b&gt;\n</code></pre>" in message.body_html
    assert 'href="https://moh.gov.kh"' in message.body_html
    assert 'rel="noopener noreferrer nofollow"' in message.body_html


def test_reactions_pins_and_threads(alice, bob):
    room = channel(alice, bob)
    root, _ = services.send_message(author=alice, room_id=room.pk, body="root")
    reply, _ = services.send_message(author=bob, room_id=room.pk, body="r", thread_id=root.pk)
    nested, _ = services.send_message(author=bob, room_id=room.pk, body="n", thread_id=reply.pk)
    assert reply.thread_id == root.pk and nested.thread_id == root.pk
    services.set_reaction(user=bob, message_id=root.pk, emoji="👍")
    state = services.set_reaction(user=alice, message_id=root.pk, emoji="👍")
    assert state == {"👍": ["bob", "alice"]}
    assert services.set_reaction(user=bob, message_id=root.pk, emoji="👍", add=False) == {
        "👍": ["alice"]
    }
    with pytest.raises(ServiceError) as exc:
        services.set_reaction(user=bob, message_id=root.pk, emoji="<b>")
    assert exc.value.extra["field"] == "emoji"
    services.set_pinned(user=bob, message_id=root.pk, pinned=True)
    assert [m.pk for m in selectors.pinned_messages(room_id=room.pk)] == [root.pk]
    top = selectors.messages_page(room_id=room.pk)
    assert [m.pk for m in top] == [root.pk] and top[0].reply_count == 2
    thread = selectors.messages_page(room_id=room.pk, thread=root.pk)
    assert [m.pk for m in thread] == [root.pk, reply.pk, nested.pk]


def test_thread_in_another_room_is_refused(alice):
    one, two = channel(alice, name="one"), channel(alice, name="two")
    root, _ = services.send_message(author=alice, room_id=one.pk, body="root")
    with pytest.raises(ServiceError) as exc:
        services.send_message(author=alice, room_id=two.pk, body="x", thread_id=root.pk)
    assert exc.value.extra["field"] == "thread"


def test_unread_counts_and_read_position(alice, bob):
    room = channel(alice, bob)
    ids = [send(alice, room, f"m{i}").pk for i in range(5)]
    rooms = {m.room_id: m for m in selectors.rooms_of(user=bob)}
    assert rooms[room.pk].unread == 5
    assert {m.room_id: m for m in selectors.rooms_of(user=alice)}[room.pk].unread == 0
    services.mark_read(user=bob, room_id=room.pk, message_id=ids[2])
    services.mark_read(user=bob, room_id=room.pk, message_id=ids[0])  # never goes back
    assert Membership.objects.get(room=room, user=bob).last_read_id == ids[2]
    assert {m.room_id: m for m in selectors.rooms_of(user=bob)}[room.pk].unread == 2
    read_event = Event.objects.filter(user=bob, type="chat.read").last()
    assert read_event.payload == {"room": room.pk, "message": ids[2], "unread": 2}


def test_room_list_is_a_fixed_number_of_queries(make_user, alice, django_assert_max_num_queries):
    for i in range(5):
        other = make_user(f"p{i}")
        channel(alice, other, name=f"room{i}")
        services.create_room(creator=alice, kind="dm", members=[other])
    with django_assert_max_num_queries(3):
        rooms = selectors.rooms_of(user=alice)
        [len(m.room.member_list) for m in rooms]
    assert len(rooms) == 10


def test_dm_is_reused_and_group_dm_has_its_own_room(alice, bob, carol):
    dm = services.create_room(creator=alice, kind="dm", members=[bob])
    assert services.create_room(creator=bob, kind="dm", members=[alice]).pk == dm.pk
    group = services.create_room(creator=alice, kind="dm", members=[bob, carol])
    assert (dm.kind, group.kind) == ("dm", "group")
    with pytest.raises(ServiceError):
        services.add_members(actor=alice, room_id=dm.pk, users=[carol])


def test_private_room_invitations_need_a_moderator(alice, bob, carol):
    room = channel(alice, bob, kind="private", name="p")
    with pytest.raises(ServiceError):
        services.add_members(actor=bob, room_id=room.pk, users=[carol])
    services.add_members(actor=alice, room_id=room.pk, users=[carol])
    assert selectors.membership_of(user_id=carol.pk, room_id=room.pk)


def test_archived_room_is_read_only(alice):
    room = channel(alice)
    services.update_room(actor=alice, room_id=room.pk, archived=True, topic="old")
    with pytest.raises(ServiceError) as exc:
        services.send_message(author=alice, room_id=room.pk, body="x")
    assert exc.value.code == "archived"


def test_flooding_is_rate_limited_with_a_retry_time(alice, settings):
    settings.SAHAKAR_CHAT_RATE_BURST = 3
    settings.SAHAKAR_CHAT_RATE_PER_SECOND = 0.5
    room = channel(alice)
    for i in range(3):
        services.send_message(author=alice, room_id=room.pk, body=f"{i}")
    with pytest.raises(ServiceError) as exc:
        services.send_message(author=alice, room_id=room.pk, body="flood")
    assert exc.value.code == "rate_limited" and 0 < exc.value.extra["retry_after"] <= 2
    assert Message.objects.count() == 3


def test_bad_input_gets_precise_errors(alice):
    room = channel(alice)
    for kwargs, field in [
        ({"body": "   "}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"body": 5}, "body"),
        ({"body": "x", "client_id": "c" * 65}, "client_id"),
        ({"body": "x", "thread_id": "abc"}, "thread"),
    ]:
        with pytest.raises(ServiceError) as exc:
            services.send_message(author=alice, room_id=room.pk, **kwargs)
        assert exc.value.extra["field"] == field
    with pytest.raises(ServiceError) as exc:
        services.create_room(creator=alice, kind="public", name=" ")
    assert exc.value.extra["field"] == "name"
    with pytest.raises(ServiceError) as exc:
        services.create_room(creator=alice, kind="galaxy", name="x")
    assert exc.value.extra["field"] == "kind"


def test_attachments_are_typed_by_their_bytes(alice, settings):
    room = channel(alice)
    image, _ = services.send_message(
        author=alice, room_id=room.pk, body="", upload=upload("photo.pdf", png_bytes())
    )
    att = image.attachments.get()
    assert (att.content_type, att.name) == ("image/png", "photo.png")
    assert att.thumbnail and default_storage.exists(att.thumbnail.name)
    doc, _ = services.send_message(
        author=alice, room_id=room.pk, body="report", upload=upload("r.docx", docx_bytes())
    )
    assert doc.attachments.get().content_type.endswith("wordprocessingml.document")
    for name, data, code in [
        ("evil.png", b"MZ\x90\x00" + b"\x00" * 100, "unsupported_type"),
        ("x.docx", b"PK\x03\x04not really a zip", "unsupported_type"),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "unsupported_type"),
    ]:
        with pytest.raises(ServiceError) as exc:
            services.send_message(author=alice, room_id=room.pk, body="", upload=upload(name, data))
        assert exc.value.code == code, name
    settings.SAHAKAR_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ServiceError) as exc:
        send(alice, room, "", upload=upload("a.png", png_bytes()))
    assert exc.value.code == "too_large" and exc.value.status == 413
    assert Attachment.objects.count() == 2
    stored = [f.name for a in Attachment.objects.all() for f in (a.file, a.thumbnail) if f]
    on_disk = default_storage.listdir(f"chat/{room.pk}")[1]
    assert sorted(on_disk) == sorted(n.rsplit("/", 1)[1] for n in stored)  # no orphan files


def test_retention_really_deletes_messages_files_and_events(
    alice, bob, django_capture_on_commit_callbacks
):
    room = channel(alice, bob)
    kept_room = channel(alice, bob, name="held")
    with django_capture_on_commit_callbacks(execute=True):
        old, _ = services.send_message(
            author=alice, room_id=room.pk, body="old", upload=upload("a.png", png_bytes())
        )
        held, _ = services.send_message(author=alice, room_id=kept_room.pk, body="held")
        new, _ = services.send_message(author=alice, room_id=room.pk, body="new")
    paths = [old.attachments.get().file.name, old.attachments.get().thumbnail.name]
    assert all(default_storage.exists(p) for p in paths)
    long_ago = old.created - timedelta(days=40)
    Message.objects.filter(pk__in=[old.pk, held.pk]).update(created=long_ago)
    Event.objects.filter(seq__in=[old.seq, held.seq]).update(created=long_ago)
    Room.objects.filter(pk__in=[room.pk, kept_room.pk]).update(retention_days=30)
    Room.objects.filter(pk=kept_room.pk).update(legal_hold=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.apply_retention() == 1
    assert list(Message.objects.filter(room=room).values_list("pk", flat=True)) == [new.pk]
    assert Message.objects.filter(pk=held.pk).exists()
    assert not any(default_storage.exists(p) for p in paths)
    assert not Attachment.objects.exists()
    assert not Event.objects.filter(seq=old.seq).exists()
    assert Event.objects.filter(seq=held.seq).exists()


def test_unit_channel_follows_the_directory(make_user, django_capture_on_commit_callbacks):
    moh = OrgUnit.objects.create(code="MOH", kind="ministry", name_en="MoH", name_km="ក្រសួង")
    phd = OrgUnit.objects.create(code="PHD", kind="phd", name_en="PHD", name_km="មន្ទីរ", parent=moh)
    dara, sokha, manual = make_user("dara"), make_user("sokha"), make_user("manual")
    pos = Position.objects.create(unit=phd, title_en="Director", holder=dara.person)
    room = services.ensure_unit_channel(unit=phd)
    services.join_room(user=manual, room_id=room.pk)
    assert set(room.memberships.values_list("user__username", flat=True)) == {"dara", "manual"}
    with django_capture_on_commit_callbacks(execute=True):
        pos.holder = sokha.person
        pos.save()
    assert set(room.memberships.values_list("user__username", flat=True)) == {"sokha", "manual"}
    with django_capture_on_commit_callbacks(execute=True):
        pos.delete()
    assert set(room.memberships.values_list("user__username", flat=True)) == {"manual"}
    # The periodic job picks up what no signal announced.
    Position.objects.bulk_create([Position(unit=phd, title_en="Deputy", holder=dara.person)])
    assert services.sync_all_unit_channels() == 1
    assert selectors.membership_of(user_id=dara.pk, room_id=room.pk).via_unit


def test_mention_autocomplete_by_latin_or_khmer_name(alice, bob, carol):
    room = channel(alice, bob)
    def names(q):
        return [u.username for u in selectors.mention_candidates(room_id=room.pk, query=q)]

    assert names("so") == ["bob"]
    assert names("សុខ") == ["bob"]
    assert names("@al") == ["alice"]
    assert names("keo") == []  # carol matches, but is not a member


def test_history_pages_and_jump(alice):
    room = channel(alice)
    ids = [send(alice, room, f"{i}").pk for i in range(12)]

    def page(**kwargs):
        return [m.pk for m in selectors.messages_page(room_id=room.pk, **kwargs)]

    assert page(limit=5) == ids[-5:]
    assert page(before=ids[7], limit=5) == ids[2:7]
    assert page(around=ids[5], limit=5) == ids[3:8]
    assert page(after=ids[9]) == ids[10:]


def test_offline_people_mentioned_or_in_a_dm_are_notified_without_the_text(alice, bob, carol):
    room = channel(alice, bob, carol)
    presence.heartbeat(user=carol)  # carol is online, bob is not
    message = send(alice, room, "patient X needs @bob and @carol")
    inbox = Recipient.objects.select_related("notification")
    assert [(r.user.username, r.notification.event_type) for r in inbox] == [
        ("bob", "chat.mention")
    ]
    note = inbox.get().notification
    assert note.url == f"/chat/rooms/{room.pk}/#message-{message.pk}"
    assert "patient" not in note.message_en and "Chan Alice" in note.message_en
    dm = services.create_room(creator=carol, kind="dm", members=[bob])
    send(carol, dm, "private words")
    assert Recipient.objects.filter(user=bob, notification__event_type="chat.direct").count() == 1
    assert not Recipient.objects.filter(user=carol).exists()


def test_room_mention_skips_muted_members_unless_named(alice, bob, carol):
    room = channel(alice, bob, carol)
    services.set_muted(user=bob, room_id=room.pk, muted=True)
    services.set_muted(user=carol, room_id=room.pk, muted=True)
    send(alice, room, "@room meeting at 8, @carol too")
    assert list(Recipient.objects.values_list("user__username", flat=True)) == ["carol"]
