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
