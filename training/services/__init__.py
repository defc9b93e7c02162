"""Writes for training. Submodules: enrolment, quiz, assignments, certificates, reminders."""
