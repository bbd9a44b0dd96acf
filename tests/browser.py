"""Checks the browser tests share."""

from __future__ import annotations


def fits_360(page) -> None:
    """The page reflows at 360 px: nothing scrolls sideways (the viewport is put back after)."""
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 360 px"
    page.set_viewport_size({"width": 1280, "height": 800})


# The focused element's ring, and every opaque background behind it (its ancestors', then the
# canvas): the ring is drawn outside the element, over them.
_RING = """() => {
  const focused = document.activeElement;
  if (!focused || focused === document.body) return null;
  const rgb = (colour) => (colour.match(/[\\d.]+/g) || []).map(Number);
  const style = getComputedStyle(focused);
  const grounds = [];
  for (let node = focused.parentElement; node; node = node.parentElement) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length === 3 || colour[3] === 1) grounds.push(colour.slice(0, 3));
  }
  grounds.push([255, 255, 255]);
  return {
    visible: focused.matches(":focus-visible"),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    ring: rgb(style.outlineColor).slice(0, 3),
    grounds: grounds,
    what: focused.outerHTML.slice(0, 120),
  };
}"""


def _luminance(rgb) -> float:
    linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
              for c in rgb]  # fmt: skip
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ring_contrast(page) -> float:
    """The focus ring of the focused element is shown (keyboard focus, never <body>), at least
    2 px wide, and 3:1 or more against every background behind it; returns the lowest ratio."""
    ring = page.evaluate(_RING)
    assert ring is not None, f"{page.url}: the focus is on <body>"
    assert ring["visible"], f"{page.url}: no keyboard focus ring on {ring['what']}"
    assert ring["style"] not in ("none", "hidden") and ring["width"] >= 2, ring
    lowest = min(contrast(ring["ring"], ground) for ground in ring["grounds"])
    assert lowest >= 3, f"{page.url}: focus ring {ring['ring']} only {lowest:.2f}:1 on {ring}"
    return lowest


def tab_to(page, target, limit: int = 120, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until `target` (a locator) has the focus: keyboard only."""
    key = "Shift+Tab" if backwards else "Tab"
    handle = target.element_handle()
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(target) => document.activeElement === target", handle):
            return
    where = page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"{limit} presses of {key} never reached {target}; at {where}")
