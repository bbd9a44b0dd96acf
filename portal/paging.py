"""Paged lists (catalog, the dashboard's tabs, certificates): page numbers read from a query
string, and the page of a list to show."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext

MAX_PAGE = 1000  # more pages than any list has; a larger number is a forged address


def page_number(value, notices: list) -> int:
    """The page the query string asks for: 1 when it names none; 1 and a notice for anything
    that is not a page number (`0`, `-3`, `abc`, a number past MAX_PAGE)."""
    text = str(value or "").strip()
    if not text:
        return 1
    if text.isdigit() and 1 <= int(text) <= MAX_PAGE:
        return int(text)
    notices.append(gettext("That page number does not exist, so the first page is shown."))
    return 1


def page_count(total: int, size: int) -> int:
    """How many pages `total` items fill, `size` a page: one at least (an empty list's)."""
    return max(1, -(-total // size))


def neighbours(page: int, pages: int, url_of: Callable[[int], str]) -> dict:
    """Where the previous and next pages are (`url_of(number)`), None past either end."""
    return {
        "previous_url": url_of(page - 1) if page > 1 else None,
        "next_url": url_of(page + 1) if page < pages else None,
    }


def page_of(items: list, page: int, size: int, url_of: Callable[[int], str]) -> dict:
    """The page of `items` asked for (the last one when it asks for more), with where the
    previous and next pages are (`url_of(number)`). A page shows `size` items however long
    the list, so what it costs to draw stays the same as a learner's history grows."""
    pages = page_count(len(items), size)
    page = min(page, pages)
    first = (page - 1) * size
    shown = items[first : first + size]
    return {
        "items": shown,
        "page": page,
        "pages": pages,
        "total": len(items),
        "first": first + 1 if shown else 0,
        "last": first + len(shown),
        **neighbours(page, pages, url_of),
    }
