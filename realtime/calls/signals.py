from django.dispatch import Signal

# Sent inside the admitting transaction: meeting (Meeting), user_id (int).
participant_admitted = Signal()
