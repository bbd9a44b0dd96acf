"""The catalog's view state (search, content types, sort, page) read from the query string."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.cards import KIND_LABELS
from portal.forms import search_text
from portal.paging import page_number

MAX_QUERY_LENGTH = 200

# The content types the catalog filters by: ContentKind values, which CatalogContent's
# `contentTypes` accepts.
TYPE_LABELS = {
    kind: KIND_LABELS[kind]
    for kind in (
        "course",
        "learningPath",
        "microCourse",
        "article",
        "video",
        "webinar",
        "inPersonEvent",
        "bundle",
    )
}
# Our sort names -> (SortColumn, SortDirection, the CatalogMeta flag that enables it). Price is
# no SortColumn: the API cannot order the whole catalog by it, and ordering one page would lie.
SORTS = {
    "title": ("title", "asc", "sortTitleEnabled"),
    "newest": ("createdAt", "desc", "sortCreatedAtEnabled"),
    "oldest": ("createdAt", "asc", "sortCreatedAtEnabled"),
}
SORT_LABELS = {
    "": _l("Best match"),
    "title": _l("Title (A to Z)"),
    "newest": _l("Newest first"),
    "oldest": _l("Oldest first"),
}


@dataclass
class CatalogFilters:
    """What the learner asked for; notices say what was ignored and why."""

    query: str = ""
    page: int = 1
    types: list[str] = field(default_factory=list)
    sort: str = ""
    notices: list[str] = field(default_factory=list)

    def args(self, **changes) -> dict:
        """The query string of this view (defaults left out); a new filter starts at page 1."""
        values = {
            "query": self.query,
            "type": self.types,
            "sort": self.sort,
            "page": self.page,
            **changes,
        }
        return {k: v for k, v in values.items() if v and not (k == "page" and v == 1)}

    def variables(self) -> dict:
        """CatalogContent's arguments for this view."""
        column, direction, _flag = SORTS.get(self.sort, (None, None, None))
        return {
            "page": self.page,
            "query": self.query or None,
            "contentTypes": self.types or None,
            "sortColumn": column,
            "sortDirection": direction,
        }

    @property
    def narrowed(self) -> bool:
        return bool(self.query or self.types)

    def type_choices(self) -> list[tuple[str, str, bool]]:
        return [(kind, str(text), kind in self.types) for kind, text in TYPE_LABELS.items()]

    def sort_choices(self, meta: dict | None = None) -> list[tuple[str, str, bool]]:
        """The sorts the instance enables (all when it does not say), the chosen one marked."""
        meta = meta or {}
        return [
            (value, str(text), value == self.sort)
            for value, text in SORT_LABELS.items()
            if not value or meta.get(SORTS[value][2]) is not False
        ]


def parse_filters(args) -> CatalogFilters:
    filters = CatalogFilters()
    filters.query = search_text(
        args.get("query", ""),
        MAX_QUERY_LENGTH,
        filters.notices,
        _(
            "The search was too long (at most %(max)d characters), so everything is shown.",
            max=MAX_QUERY_LENGTH,
        ),
    )
    filters.page = page_number(args.get("page"), filters.notices)
    types = args.getlist("type") if hasattr(args, "getlist") else []
    wanted = [t for t in dict.fromkeys(str(t).strip() for t in types) if t]
    filters.types = [t for t in wanted if t in TYPE_LABELS]
    if len(filters.types) < len(wanted):
        filters.notices.append(_("An unknown content type was left out of the filter."))
    sort = str(args.get("sort", "") or "").strip()
    if sort and sort not in SORTS:
        filters.notices.append(_("That sort order is unknown, so the best match comes first."))
    else:
        filters.sort = sort
    return filters
