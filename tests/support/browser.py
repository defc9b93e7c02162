"""Browser fixtures (Playwright + Debian Chromium)."""
