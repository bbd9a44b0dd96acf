"""The catalog's view state (search, page) read from the query string, with notices."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

MAX_QUERY_LENGTH = 200
MAX_PAGE = 1000


@dataclass
class CatalogFilters:
    """What the learner asked for; notices say what was ignored and why."""

    query: str = ""
    page: int = 1
    notices: list[str] = field(default_factory=list)

    def args(self, **changes) -> dict:
        values = {"query": self.query, "page": self.page, **changes}
        return {k: v for k, v in values.items() if v and not (k == "page" and v == 1)}


def parse_filters(args) -> CatalogFilters:
    filters = CatalogFilters()
    query = " ".join(str(args.get("query", "")).split())
    if len(query) > MAX_QUERY_LENGTH:
        filters.notices.append(
            _(
                "The search was too long (at most %(max)d characters), so everything is shown.",
                max=MAX_QUERY_LENGTH,
            )
        )
    else:
        filters.query = query
    page = str(args.get("page", "1")).strip() or "1"
    if page.isdigit() and 1 <= int(page) <= MAX_PAGE:
        filters.page = int(page)
    else:
        filters.notices.append(_("That page number does not exist, so the first page is shown."))
    return filters
