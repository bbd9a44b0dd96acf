"""Dashboard view state: the query string read into tab, kind, sort and search, with notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from portal.cards import EVENT_KINDS, KIND_LABELS
from portal.forms import search_text
from portal.paging import page_number, page_of
from portal.urls import path_of

MAX_QUERY_LENGTH = 200
RECENT_ON_PAGE = 6
# Cards per page of a content list: enough for most learners' whole list, few enough that the
# page stays quick to read, to render and to load on a phone.
PAGE_SIZE = 12
RECENT_MAX = 25  # the API never returns more, whatever the limit
EXPIRING_WITHIN = timedelta(days=30)
# Certificates the expiry banner names; it links to the others.
EXPIRING_SHOWN = 5
DEFAULT_TAB = "contentItems"


def N_(text: str) -> str:  # noqa: N802 - the name pybabel extracts by default
    """Mark a string for extraction; it is translated where it is shown (through `label`)."""
    return text


# ContentGroupKind -> our default label; the instance's CompanyTranslations win (`label`).
GROUP_LABELS = {
    "contentItems": N_("My content"),
    "completedItems": N_("Completed"),
    "learningPaths": N_("Learning paths"),
    "eventItems": N_("Events"),
    "bookmarkFolders": N_("Bookmarks"),
    "certificates": N_("Certificates"),
    "credlyBadgeCourses": N_("Credly badges"),
    "waitlistedCourses": N_("Waitlist"),
    "archivedContentItems": N_("Archived"),
}
# Tabs listing content from UserContentItems, with the kinds each one is limited to.
LIST_TABS = {"contentItems": (), "learningPaths": ("learningPath",), "eventItems": EVENT_KINDS}

SORT_LABELS = {
    "title": _l("Title"),
    "lastActiveAt": _l("Last opened"),
    "courseStartDate": _l("Start date"),
    "publishDate": _l("Publish date"),
    "displayDate": _l("Display date"),
    "createdAt": _l("Date added"),
    "updatedAt": _l("Last updated"),
    "name": _l("Name"),
    "label": _l("Label"),
    "parentName": _l("Group"),
    "relevance": _l("Relevance"),
}
DIRECTION_LABELS = {"asc": _l("Ascending"), "desc": _l("Descending")}


@dataclass
class DashboardState:
    """Tab, kind, sort, direction and search as the query string says; notices say what was
    ignored. Bad values fall back to the default view with a notice, never an error status."""

    tab: str = DEFAULT_TAB
    kind: str = ""
    sort: str = ""
    direction: str = ""
    query: str = ""
    page: int = 1
    notices: list[str] = field(default_factory=list)

    def args(self) -> dict:
        """The query string of this view (defaults left out)."""
        pairs = (
            ("tab", "" if self.tab == DEFAULT_TAB else self.tab),
            ("kind", self.kind),
            ("sort", self.sort),
            ("dir", self.direction),
            ("q", self.query),
            ("page", self.page if self.page > 1 else ""),
        )
        return {key: value for key, value in pairs if value}

    def url(self, **changes) -> str:
        """This view's URL; `changes` replace some of its fields (`page=2`)."""
        return url_for("dashboard.index", **{**self.args(), **changes})

    @property
    def is_list(self) -> bool:
        return self.tab in LIST_TABS

    def kinds(self) -> list[str] | None:
        """The kinds UserContentItems is limited to: the tab's, narrowed by the learner's pick."""
        if self.kind:
            return [self.kind]
        return list(LIST_TABS.get(self.tab, ())) or None

    def kind_choices(self) -> list[tuple[str, str]]:
        kinds = LIST_TABS.get(self.tab) or tuple(KIND_LABELS)
        return [(kind, str(KIND_LABELS[kind])) for kind in kinds]

    def sort_choices(self) -> list[tuple[str, str]]:
        return [(value, str(text)) for value, text in SORT_LABELS.items()]

    def direction_choices(self) -> list[tuple[str, str]]:
        return [(value, str(text)) for value, text in DIRECTION_LABELS.items()]

    def item_variables(self) -> dict:
        return {
            "query": self.query or None,
            "kind": self.kinds(),
            "sortColumn": self.sort or None,
            "sortDirection": self.direction or None,
        }


def paginate(items: list | None, state: DashboardState) -> dict | None:
    """The page of a tab's list the state asks for, and its pager; None when there is no
    list. Every tab shows one page (`paging.page_of`)."""
    if items is None:
        return None
    pager = page_of(items, state.page, PAGE_SIZE, lambda n: state.url(page=n if n > 1 else None))
    state.page = pager["page"]
    return pager


def parse_state(args) -> DashboardState:
    """Read the view state from request.args (or a form carrying the same fields)."""
    state = DashboardState()
    tab = _choice(
        args,
        "tab",
        GROUP_LABELS,
        state.notices,
        _l("That tab does not exist, so your content is shown."),
    )
    if tab:
        state.tab = tab
    allowed_kinds = set(LIST_TABS.get(state.tab) or KIND_LABELS) & set(KIND_LABELS)
    kind = _choice(
        args,
        "kind",
        allowed_kinds,
        state.notices,
        _l("That kind of content is unknown, so all kinds are shown."),
    )
    if kind and state.is_list:
        state.kind = kind
    sort = _choice(
        args,
        "sort",
        SORT_LABELS,
        state.notices,
        _l("That sort order is unknown, so the usual order is used."),
    )
    if sort:
        state.sort = sort
    direction = _choice(
        args,
        "dir",
        DIRECTION_LABELS,
        state.notices,
        _l("That sort direction is unknown, so the list is sorted ascending."),
    )
    if direction == "desc":  # ascending is the API's default: left out of the URL
        state.direction = direction
    state.query = search_text(
        args.get("q", ""),
        MAX_QUERY_LENGTH,
        state.notices,
        gettext(
            "The search was too long (at most %(max)d characters), so all your content "
            "is shown.",
            max=MAX_QUERY_LENGTH,
        ),
    )
    state.page = page_number(args.get("page"), state.notices)
    return state


def _choice(args, name: str, allowed, notices: list, notice) -> str | None:
    """The field's value when it is one of allowed; None when empty, or unknown (with a notice)."""
    value = str(args.get(name, "") or "").strip()
    if value and value not in allowed:
        notices.append(str(notice))
        return None
    return value or None


def pushed_url(state: DashboardState, headers) -> str:
    """The history entry for an htmx view: its canonical URL (no empty fields, bad values
    dropped), or "false" when the learner is already there, so a retry adds no entry."""
    canonical = state.url()
    here = path_of(headers.get("HX-Current-URL"))
    return "false" if here == canonical else canonical


def parse_limit(value) -> int:
    """How many recent items to show: within 1..25, else the dashboard's default."""
    try:
        limit = int(value)
    except (TypeError, ValueError):
        return RECENT_ON_PAGE
    return limit if 1 <= limit <= RECENT_MAX else RECENT_ON_PAGE
