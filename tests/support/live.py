"""Live-server fixtures (realtime)."""
