"""``{% icon "pin" %}``: inline SVG icons that need no emoji font (24×24, stroke-drawn,
``currentColor``). Always decorative: the control carries its own text or ``aria-label``."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

ICONS = {
    "back": '<path d="M15 5l-7 7 7 7"/>',
    "close": '<path d="M6 6l12 12M18 6L6 18"/>',
    "pin": '<path d="M12 16v6M9 3h6l-1 6 4 4v3H6v-3l4-4z"/>',
    "settings": (
        '<path d="M4 6h9M19 6h1M4 12h3M13 12h7M4 18h11M21 18h-1"/>'
        '<circle cx="16" cy="6" r="2.5"/><circle cx="10" cy="12" r="2.5"/>'
        '<circle cx="17.5" cy="18" r="2.5"/>'
    ),
    "video": '<rect x="2" y="6" width="14" height="12" rx="2"/><path d="M16 10l6-3.5v11L16 14z"/>',
    "attach": (
        '<path d="M20 11.5l-8.2 8.2a5 5 0 0 1-7.1-7.1L13.3 4a3.4 3.4 0 0 1 4.8 4.8l-8.5 8.5'
        'a1.7 1.7 0 0 1-2.4-2.4l7.8-7.8"/>'
    ),
    "smile": (
        '<circle cx="12" cy="12" r="9"/><path d="M8 14.5s1.5 2 4 2 4-2 4-2M9 9.5h.01M15 9.5h.01"/>'
    ),
    "reply": '<path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-5A8 8 0 1 1 21 12z"/>',
    "edit": '<path d="M4 20h4L19.5 8.5l-4-4L4 16zM13.5 6.5l4 4"/>',
    "delete": '<path d="M4 7h16M9 7V4h6v3M6 7l1 13h10l1-13M10 11v5M14 11v5"/>',
    "file": '<path d="M6 2h9l5 5v15H6zM14 2v6h6"/>',
    "mic": (
        '<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3"/>'
    ),
    "screen": '<rect x="2" y="4" width="20" height="13" rx="2"/><path d="M8 21h8M12 17v4"/>',
    "hangup": (
        '<path d="M3 14.5c5-4.5 13-4.5 18 0l-1.8 3.2-4.2-1.2v-2.6a11 11 0 0 0-6 0v2.6'
        'l-4.2 1.2z"/>'
    ),
    "people": (
        '<circle cx="9" cy="8" r="3.5"/>'
        '<path d="M2.5 20a6.5 6.5 0 0 1 13 0M16 4.5a3.5 3.5 0 0 1 0 7M18 14a6.5 6.5 0 0 1 3.5 6"/>'
    ),
}


@register.simple_tag
def icon(name: str) -> str:
    return format_html(
        '<svg class="icon" data-icon="{}" aria-hidden="true" focusable="false" width="20" '
        'height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
        'stroke-linecap="round" stroke-linejoin="round">{}</svg>',
        name,
        mark_safe(ICONS[name]),  # constants of this module
    )
