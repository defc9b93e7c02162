"""Django's own strings shown on our pages that Django's Khmer catalogue leaves empty.

Listed here only so that ``makemessages`` puts them into our ``locale/km`` catalogue, which
(through LOCALE_PATHS) takes precedence over Django's. Never imported.
"""

from django.utils.translation import gettext_noop, ngettext


def _catalogue() -> None:
    gettext_noop("This password is too common.")
    gettext_noop("Your password can’t be a commonly used password.")
    gettext_noop("This password is entirely numeric.")
    gettext_noop("Your password can’t be entirely numeric.")
    gettext_noop("The password is too similar to the %(verbose_name)s.")
    gettext_noop("Your password can’t be too similar to your other personal information.")
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices.")
    ngettext(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        100,
    )
    ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    )
    ngettext(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        8,
    )
