"""Dashboard logic: view state from the query string, API calls, items shaped for templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import url_for
from flask_babel import format_date, format_decimal, gettext, ngettext
from flask_babel import lazy_gettext as _l

from portal import api
from portal.api.errors import ApiError, TokenExpired
from portal.formats import local_date, parse_date
from portal.i18n import label
from portal.urls import instance_url
from portal.widgets import fetch

MAX_QUERY_LENGTH = 200
RECENT_ON_PAGE = 6
RECENT_MAX = 25  # the API never returns more, whatever the limit
EXPIRING_WITHIN = timedelta(days=30)
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
EVENT_KINDS = ("webinar", "webinarCourse", "inPersonEvent", "inPersonEventCourse")
# Tabs listing content from UserContentItems, with the kinds each one is limited to.
LIST_TABS = {"contentItems": (), "learningPaths": ("learningPath",), "eventItems": EVENT_KINDS}

KIND_LABELS = {
    "article": _l("Article"),
    "bundle": _l("Bundle"),
    "course": _l("Course"),
    "courseGroup": _l("Course group"),
    "discountGroup": _l("Discount group"),
    "inPersonEvent": _l("In-person event"),
    "inPersonEventCourse": _l("In-person event course"),
    "learningPath": _l("Learning path"),
    "microCourse": _l("Micro course"),
    "pickableGroup": _l("Pickable group"),
    "product": _l("Product"),
    "sellable": _l("Sellable"),
    "shareableContentObject": _l("SCORM package"),
    "video": _l("Video"),
    "webinar": _l("Webinar"),
    "webinarCourse": _l("Webinar course"),
    "xApiObject": _l("xAPI object"),
}
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
STATUS_LABELS = {
    "available": _l("Available"),
    "unavailable": _l("Unavailable"),
    "published": _l("Published"),
    "draft": _l("Draft"),
    "archived": _l("Archived"),
}


@dataclass
class DashboardState:
    """Tab, kind, sort, direction and search as the query string says; notices say what was
    ignored. Bad values fall back to the default view with a notice, never an error status."""

    tab: str = DEFAULT_TAB
    kind: str = ""
    sort: str = ""
    direction: str = ""
    query: str = ""
    notices: list[str] = field(default_factory=list)

    def args(self) -> dict:
        """The query string of this view (defaults left out)."""
        pairs = (
            ("tab", "" if self.tab == DEFAULT_TAB else self.tab),
            ("kind", self.kind),
            ("sort", self.sort),
            ("dir", self.direction),
            ("q", self.query),
        )
        return {key: value for key, value in pairs if value}

    def url(self) -> str:
        return url_for("dashboard.index", **self.args())

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


def parse_state(args) -> DashboardState:
    """Read the view state from request.args (or a form carrying the same fields)."""
    state = DashboardState()
    tab = str(args.get("tab", "") or "").strip()
    if tab and tab not in GROUP_LABELS:
        state.notices.append(gettext("That tab does not exist, so your content is shown."))
    elif tab:
        state.tab = tab
    kind = str(args.get("kind", "") or "").strip()
    allowed_kinds = LIST_TABS.get(state.tab) or tuple(KIND_LABELS)
    if kind and (kind not in KIND_LABELS or kind not in allowed_kinds):
        state.notices.append(gettext("That kind of content is unknown, so all kinds are shown."))
    elif kind and state.is_list:
        state.kind = kind
    sort = str(args.get("sort", "") or "").strip()
    if sort and sort not in SORT_LABELS:
        state.notices.append(gettext("That sort order is unknown, so the usual order is used."))
    elif sort:
        state.sort = sort
    direction = str(args.get("dir", "") or "").strip()
    if direction and direction not in DIRECTION_LABELS:
        state.notices.append(
            gettext("That sort direction is unknown, so the list is sorted ascending.")
        )
    elif direction == "desc":  # ascending is the API's default: left out of the URL
        state.direction = direction
    query = " ".join(str(args.get("q", "") or "").split())
    if len(query) > MAX_QUERY_LENGTH:
        state.notices.append(
            gettext(
                "The search was too long (at most %(max)d characters), so all your content "
                "is shown.",
                max=MAX_QUERY_LENGTH,
            )
        )
    else:
        state.query = query
    return state


# -- shaping API answers for the templates --------------------------------------------------


def kind_label(kind) -> str:
    return str(KIND_LABELS.get(kind, kind or gettext("Content")))


def content_item(raw: dict) -> dict:
    kind = raw.get("kind")
    status = raw.get("availabilityStatus") or raw.get("status")
    return {
        "id": raw.get("id"),
        "title": raw.get("title") or raw.get("slug") or gettext("Untitled"),
        "slug": raw.get("slug"),
        "kind": kind,
        "kind_label": raw.get("contentTypeLabel") or kind_label(kind),
        "is_path": kind == "learningPath",
        "url": instance_url(raw.get("url")),
        "image": instance_url(raw.get("asset")),
        "status": str(STATUS_LABELS.get(status, status)) if status else None,
        "status_tone": "success" if status in ("available", "published") else "neutral",
        "due": local_date(raw.get("currentUserDueDate")),
        "starts": local_date(raw.get("courseStartDate")),
        "ends": local_date(raw.get("courseEndDate")),
        "waitlist_count": raw.get("waitlistCount"),
        "seats": raw.get("seatsLimit"),
    }


def content_items(raw_items) -> list[dict] | None:
    if raw_items is None:
        return None
    return [content_item(raw) for raw in raw_items if isinstance(raw, dict)]


def groups(raw_groups, state: DashboardState) -> list[dict] | None:
    """Tabs in the API's order, labelled by the instance where it has a label."""
    if raw_groups is None:
        return None
    found = []
    for group in raw_groups:
        kind = (group or {}).get("kind")
        if kind not in GROUP_LABELS:
            continue
        found.append(
            {
                "kind": kind,
                "label": label(f"dashboard.{kind}", GROUP_LABELS[kind]),
                "count": group.get("count") or 0,
                "count_text": format_decimal(group.get("count") or 0),
                "url": url_for("dashboard.index", tab=None if kind == DEFAULT_TAB else kind),
                "current": kind == state.tab,
            }
        )
    return found


def archived(archives, archived_content) -> list[dict] | None:
    """UserArchives' records (reinstatable, when) joined to their content (title, link)."""
    if archives is None:
        return None
    by_id = {c.get("id"): c for c in archived_content or [] if isinstance(c, dict)}
    found = []
    for record in archives:
        if not isinstance(record, dict):
            continue
        content = by_id.get(record.get("resource")) or {}
        item = content_item(content) if content else {}
        is_path = (record.get("resourceType") or "").lower() == "learningpath" or (
            content.get("kind") == "learningPath"
        )
        item.update(
            {
                "id": record.get("resource"),
                "title": content.get("title") or record.get("name") or gettext("Untitled"),
                "kind": "learningPath" if is_path else content.get("kind") or "course",
                "is_path": is_path,
                "archived_on": local_date(record.get("archivedAt")),
                "reinstatable": bool(record.get("reinstatable")),
            }
        )
        item.setdefault("kind_label", kind_label(item["kind"]))
        item.setdefault("url", None)
        item.setdefault("image", None)
        found.append(item)
    return found


def expiring_certificates(certificates, today: datetime | None = None) -> list[dict]:
    """Certificates that expire within 30 days, soonest first, with where to recertify."""
    now = today or datetime.now(UTC)
    fallback = url_for("certificates.index")
    found = []
    for cert in certificates or []:
        if not isinstance(cert, dict) or cert.get("isExpired"):
            continue
        expires = parse_date(cert.get("expirationDate"))
        if not expires or not now <= expires <= now + EXPIRING_WITHIN:
            continue
        content = cert.get("contentItem") or {}
        template = cert.get("certificateTemplate") or {}
        days = max(0, (expires - now).days)
        found.append(
            {
                "id": cert.get("id"),
                "title": content.get("title")
                or cert.get("externalResourceTitle")
                or template.get("title")
                or gettext("Certificate"),
                "expires": format_date(expires, "medium"),
                "when": ngettext("in %(num)d day", "in %(num)d days", days)
                if days
                else gettext("today"),
                "recertify_url": instance_url(content.get("url")) or fallback,
                "_at": expires,
            }
        )
    found.sort(key=lambda cert: cert["_at"])
    return found


def award_counts(raw) -> list[dict]:
    return [
        {"label": a.get("label") or gettext("Award"), "count": a.get("count") or 0}
        for a in raw or []
        if isinstance(a, dict)
    ]


# -- what each view renders -------------------------------------------------------------------


def dashboard_context(state: DashboardState, *, full_page: bool) -> dict:
    """Everything the page (or the panel with the tabs out of band) shows: one upstream request."""
    data, error = fetch(
        "DashboardPage",
        **state.item_variables(),
        recentLimit=RECENT_ON_PAGE,
        withItems=state.is_list,
        withRecent=full_page,
        withWaitlist=state.tab == "waitlistedCourses",
        withArchived=state.tab == "archivedContentItems",
        withCertificates=full_page,
    )
    group_list = groups(data.get("UserContentGroups"), state)
    counts = {g["kind"]: g["count"] for g in group_list or []}
    return {
        "state": state,
        "groups": group_list,
        "groups_error": error if group_list is None else None,
        "tab_label": label(f"dashboard.{state.tab}", GROUP_LABELS[state.tab]),
        "tab_count": counts.get(state.tab),
        **_widget("contents", content_items(data.get("UserContentItems")), error, state.is_list),
        **_widget(
            "waitlist",
            content_items(data.get("UserWaitlist")),
            error,
            state.tab == "waitlistedCourses",
        ),
        **_widget(
            "archived",
            archived(data.get("UserArchives"), data.get("UserArchivedContent")),
            error,
            state.tab == "archivedContentItems",
        ),
        **_widget("recent", content_items(data.get("UserRecentContent")), error, full_page),
        "recent_limit": RECENT_ON_PAGE,
        "expiring": expiring_certificates(data.get("UserCertificates")) if full_page else [],
    }


def _widget(name: str, value, error: str | None, wanted: bool) -> dict:
    """`name` and `name_error`: the error only for a widget that was asked for and is missing."""
    return {name: value, f"{name}_error": error if wanted and value is None else None}


def list_context(state: DashboardState) -> dict:
    data, error = fetch("UserContentItems", **state.item_variables())
    contents = content_items(data.get("UserContentItems"))
    return {"state": state, **_widget("contents", contents, error, True)}


def recent_context(limit: int) -> dict:
    data, error = fetch("UserRecentContent", limit=limit)
    return {
        **_widget("recent", content_items(data.get("UserRecentContent")), error, True),
        "recent_limit": limit,
    }


def course_detail_context(course_id: str) -> dict:
    data, error = fetch("CourseDetail", courseId=course_id)
    awards = data.get("UserCourseAwardCounts")
    return {
        "course_id": course_id,
        "awards": award_counts(awards),
        "collaborations": data.get("UserCourseCollaborations"),
        "error": error if awards is None else None,
    }


def pushed_url(state: DashboardState, headers) -> str:
    """The history entry for an htmx view: its canonical URL (no empty fields, bad values
    dropped), or "false" when the learner is already there, so a retry adds no entry."""
    canonical = state.url()
    current = urlsplit(headers.get("HX-Current-URL") or "")
    here = current.path + (f"?{current.query}" if current.query else "")
    return "false" if here == canonical else canonical


def parse_limit(value) -> int:
    """How many recent items to show: within 1..25, else the dashboard's default."""
    try:
        limit = int(value)
    except (TypeError, ValueError):
        return RECENT_ON_PAGE
    return limit if 1 <= limit <= RECENT_MAX else RECENT_ON_PAGE


# -- actions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """A change the learner asks for: which mutation, and what to say before and after."""

    question: str
    confirm_label: str
    done: str
    failed: str


def archive_action(title: str) -> Action:
    return Action(
        question=gettext(
            "Archive “%(title)s”? It moves to Archived, where you can reinstate it.", title=title
        ),
        confirm_label=gettext("Yes, archive"),
        done=gettext("“%(title)s” was archived.", title=title),
        failed=gettext("“%(title)s” could not be archived.", title=title),
    )


def unenroll_action(title: str) -> Action:
    return Action(
        question=gettext(
            "Leave the waitlist for “%(title)s”? You would lose your place.", title=title
        ),
        confirm_label=gettext("Yes, leave waitlist"),
        done=gettext("You left the waitlist for “%(title)s”.", title=title),
        failed=gettext("You could not be taken off the waitlist for “%(title)s”.", title=title),
    )


def reinstate_action(title: str) -> Action:
    return Action(
        question="",
        confirm_label=gettext("Reinstate"),
        done=gettext("“%(title)s” is back in your content.", title=title),
        failed=gettext("“%(title)s” could not be reinstated.", title=title),
    )


def item_title(form) -> str:
    """The title the action form carried, only ever shown as text."""
    title = " ".join(str(form.get("title", "") or "").split())[:200]
    return title or gettext("this item")


def perform(operation: str, content_id: str) -> str | None:
    """Run a mutation; None when it worked, else the learner-readable reason."""
    try:
        result = api.run(operation, id=content_id)
    except TokenExpired:
        raise
    except ApiError as error:
        return error.message
    if result.get(operation) is False:
        return gettext("It was already done.")
    return None


def archive_operation(kind: str) -> str:
    return "ArchiveUserLearningPath" if kind == "learningPath" else "ArchiveUserCourse"


def reinstate_operation(kind: str) -> str:
    return "ReinstateUserLearningPath" if kind == "learningPath" else "ReinstateUserCourse"
