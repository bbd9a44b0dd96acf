"""The instance's branding (CompanyDetails), checked before any of it reaches a page."""

from __future__ import annotations

import functools
import re

from flask import current_app, g
from markupsafe import Markup

from portal.security import allow_inline_style
from portal.urls import instance_link, instance_url

_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_FONT = re.compile(r"[A-Za-z0-9 -]{1,64}")
# The backgrounds the focus ring is drawn on (static/css/portal.css: --surface, --background
# and the notices' --*-bg): the ring needs 3:1 against each (WCAG 1.4.11).
RING_BACKGROUNDS = ("#ffffff", "#f5f7fa", "#fef3f2", "#ecfdf3", "#fffaeb", "#eff8ff")
RING_CONTRAST = 3.0
_COLOUR_VARS = {
    "accentColor": "--brand-accent",
    "secondaryColor": "--brand-secondary",
    "linkColor": "--brand-link",
}


def instance(required: bool = False) -> dict:
    """Instance data (CompanyDetails, Languages, CompanyTranslations, TermsAndConditions).

    Fetched once per request from the shared cache. When the upstream is unavailable, the
    layout renders unbranded (so error pages never fail in turn); a page whose content is
    instance data asks with required=True and gets the ApiError.
    """
    from portal.api import errors
    from portal.api.cache import instance_data

    if "instance_data" not in g:
        g.instance_error = None
        try:
            g.instance_data = instance_data() or {}
        except errors.ApiError as error:
            current_app.logger.warning("instance data unavailable: %s", error)
            g.instance_data, g.instance_error = {}, error
    if required and g.instance_error:
        raise g.instance_error
    return g.instance_data


def colour(value) -> str | None:
    return value if isinstance(value, str) and _COLOUR.fullmatch(value) else None


def font(value) -> str | None:
    return value.strip() if isinstance(value, str) and _FONT.fullmatch(value.strip()) else None


def company() -> dict:
    """The signed-in learner's CompanyDetails(user:) (their client's look), else the instance's."""
    from portal import learner_context as learner

    return learner.company() or instance().get("CompanyDetails") or {}


def settings() -> dict:
    return company().get("settings") or {}


def branding() -> dict:
    """What base.html shows of the instance: every value already validated."""
    found = settings()
    links = []
    for link in found.get("globalNavigationLinks") or []:
        href = instance_link((link or {}).get("href"))
        text = (link or {}).get("label")
        if href and isinstance(text, str) and text.strip():
            links.append({"label": text, "href": href})
    return {
        "name": company().get("name") or "",
        "logo": instance_url(found.get("logoAsset")),
        "favicon": instance_url(found.get("favicon")),
        "nav_links": links,
        "has_custom_css": bool((found.get("customCss") or "").strip()),
    }


def _luminance(hex_colour: str) -> float:
    digits = hex_colour[1:]
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rgb/#rrggbb colours."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def brand_css_variables() -> Markup:
    """CSS custom properties from the instance's colours and fonts, for the page's `<style>`
    (its hash goes into this response's CSP: `security.allow_inline_style`).

    Text on the accent colour is black or white, whichever reads better; a link colour too
    pale to read on white (WCAG AA, 4.5:1) is not used. The focus ring takes the accent
    colour when it stands out 3:1 from every background it is drawn on, else keeps the
    portal's own (`--focus`).
    """
    found = settings()
    wanted = (*_COLOUR_VARS, "font", "altFont")
    values = ((key, found.get(key)) for key in wanted)
    css = _css_variables(tuple((key, v if isinstance(v, str) else None) for key, v in values))
    allow_inline_style(css)
    return css


@functools.lru_cache(maxsize=64)
def _css_variables(values: tuple) -> Markup:
    # Every page draws it, from the few branding settings of the instance or client: their
    # contrasts were computed again each time.
    found = dict(values)
    lines = []
    for key, name in _COLOUR_VARS.items():
        value = colour(found.get(key))
        if not value or (key == "linkColor" and contrast(value, "#ffffff") < 4.5):
            continue
        lines.append(f"{name}: {value};")
        if key == "accentColor":
            on_accent = max(("#ffffff", "#000000"), key=lambda text: contrast(value, text))
            lines.append(f"--brand-on-accent: {on_accent};")
            if ring_visible(value):
                lines.append(f"--focus: {value};")
    for key, name in (("font", "--brand-font"), ("altFont", "--brand-alt-font")):
        value = font(found.get(key))
        if value:
            lines.append(f'{name}: "{value}";')
    # Every value matched a strict pattern above, so the text is safe inside <style>.
    return Markup(":root { " + " ".join(lines) + " }") if lines else Markup("")


def ring_visible(value: str) -> bool:
    """Whether a focus ring of this colour stands out enough on every background it meets."""
    return all(contrast(value, ground) >= RING_CONTRAST for ground in RING_BACKGROUNDS)


def custom_css() -> str:
    """The instance's own stylesheet; served as text/css, so `</style>` in it breaks nothing."""
    return settings().get("customCss") or ""


def languages() -> list[dict]:
    """Languages of the site for this learner, as `{code, label}`: the instance's that the
    portal can show, limited to their client's."""
    from portal import learner_context as learner

    offered = learner.client_languages()
    return [entry for entry in _instance_languages() if not offered or entry["code"] in offered]


def language_choices() -> list[dict]:
    """What the language selector offers: none when the learner's client hides it."""
    from portal import learner_context as learner

    return languages() if learner.language_selector_enabled() else []


def _instance_languages() -> list[dict]:
    """Instance languages the portal can show, as `{code, label}`, else our own locales."""
    supported = current_app.config["SUPPORTED_LOCALES"]
    names = {"en": "English", "fr": "Français", "de": "Deutsch"}
    seen, found = set(), []
    for entry in instance().get("Languages") or []:
        code = (entry or {}).get("code")
        primary = code.split("-")[0].lower() if isinstance(code, str) else None
        if primary in supported and primary not in seen:
            seen.add(primary)
            text = entry.get("selectorLabel") or entry.get("label") or names.get(primary, primary)
            found.append({"code": primary, "label": text})
    return found or [{"code": code, "label": names.get(code, code)} for code in supported]


def terms(required: bool = False) -> list[str]:
    """The instance's terms and conditions as paragraphs of plain text."""
    text = (instance(required).get("TermsAndConditions") or {}).get("globalTerms") or ""
    return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
