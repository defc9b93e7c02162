from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.simple_tag
def bilingual(km: str, en: str):
    """The name in the reader's language first, the other one after it, smaller."""
    first, second, first_lang, second_lang = (
        (km, en, "km", "en") if (get_language() or "").startswith("km") else (en, km, "en", "km")
    )
    if not first:
        first, second, first_lang, second_lang = second, "", second_lang, first_lang
    if not second or second == first:
        return format_html('<span lang="{}">{}</span>', first_lang, first)
    return format_html(
        '<span lang="{}">{}</span> <span class="dir-alt" lang="{}">{}</span>',
        first_lang, first, second_lang, second,
    )  # fmt: skip


# Labels for the specialties the suite knows; any other specialty shows as stored.
SPECIALTIES = {
    "paediatrics": _("Paediatrics"),
    "obstetrics": _("Obstetrics"),
    "surgery": _("Surgery"),
    "emergency": _("Emergency"),
    "internal-medicine": _("Internal medicine"),
    "anaesthesia": _("Anaesthesia"),
    "radiology": _("Radiology"),
    "laboratory": _("Laboratory"),
}


@register.filter
def specialty(value: str) -> str:
    return SPECIALTIES.get(value, value)


# Labels for the role tags the suite's rules use; any other tag shows readable, untranslated.
ROLES = {
    "unit-head": _("Head of unit"),
    "approver": _("Approver"),
    "hr": _("Human resources"),
    "knowledge-reviewer": _("Knowledge reviewer"),
}
LANGUAGES = {
    "km": _("Khmer"),
    "en": _("English"),
    "fr": _("French"),
    "zh": _("Chinese"),
    "vi": _("Vietnamese"),
    "th": _("Thai"),
}


@register.filter
def role_label(tag: str) -> str:
    kind, _sep, detail = tag.partition(":")
    if kind == "specialist" and detail:
        return _("Specialist: %(specialty)s") % {"specialty": specialty(detail)}
    return ROLES.get(tag) or tag.replace("-", " ").replace("_", " ")


@register.filter
def languages(value: str) -> str:
    """ "km,en" -> "Khmer, English" in the reader's language."""
    codes = [c.strip().lower() for c in (value or "").replace(";", ",").split(",") if c.strip()]
    return ", ".join(str(LANGUAGES.get(code, code)) for code in codes)
