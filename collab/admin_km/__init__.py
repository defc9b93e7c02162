"""Khmer in the two admins (/admin/ and /cms/): the suite's Khmer font, and Khmer for the
Wagtail screens editors use every day (Wagtail ships no Khmer catalogue; ours overrides its
msgids for the page explorer, page editing, workflow tasks, documents and images)."""
