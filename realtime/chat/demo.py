"""Chat demo data, called by ``manage.py seed_demo`` (see collab/directory/demo.py)."""

from django.contrib.auth import get_user_model

from collab.directory.models import Position

from . import services
from .models import Room

ROOMS = [
    ("general", "ទូទៅ — General: news for everyone", ["doctor", "nurse", "manager", "trainee"]),
    ("dengue-response", "ការឆ្លើយតបជំងឺគ្រុនឈាម — Dengue response", ["doctor", "nurse"]),
]
MESSAGES = [
    ("general", "manager", "សូមស្វាគមន៍មកកាន់ **សហការ**! Welcome to Sahakar chat."),
    ("general", "doctor", "អរគុណ! The monthly report template is pinned in this room."),
    ("general", "nurse", "@doctor តើការប្រជុំថ្ងៃច័ន្ទនៅម៉ោងប៉ុន្មាន? What time is Monday's meeting?"),
    ("general", "doctor", "@nurse ម៉ោង ៨ ព្រឹក — 8:00 in the meeting room."),
    ("dengue-response", "doctor", "Cases this week:\n\n- Ward A: 4\n- Ward B: 2"),
    ("dengue-response", "nurse", "ថ្នាំ និងសម្ភារៈគ្រប់គ្រាន់សម្រាប់សប្តាហ៍នេះ។ Supplies are sufficient."),
]


def seed() -> None:
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["admin", "doctor", "nurse", "manager", "trainee"]
        )
    }
    owner = users.get("manager") or users.get("admin")
    if owner is None:
        return
    rooms = {}
    for name, topic, members in ROOMS:
        room = Room.objects.filter(kind=Room.Kind.PUBLIC, name=name).first()
        if room is None:
            room = services.create_room(creator=owner, kind="public", name=name, topic=topic)
        for username in members:
            if username in users:
                services.join_room(user=users[username], room_id=room.pk)
        rooms[name] = room
    for i, (room_name, author, body) in enumerate(MESSAGES):
        if author in users:
            services.send_message(
                author=users[author],
                room_id=rooms[room_name].pk,
                body=body,
                client_id=f"demo-{i}",
            )
    doctor_position = Position.objects.filter(holder__user__username="doctor").first()
    if doctor_position is not None:
        services.ensure_unit_channel(unit=doctor_position.unit)
