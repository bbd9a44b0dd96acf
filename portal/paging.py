"""Page numbers of paged lists (catalog, the dashboard's content list) read from a query string."""

from __future__ import annotations

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
