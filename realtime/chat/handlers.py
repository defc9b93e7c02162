"""Frames on /ws/; wired once realtime.handlers exists."""
