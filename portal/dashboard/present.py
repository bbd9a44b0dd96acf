"""Dashboard data: the API calls of each view, and their answers shaped for the templates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

from flask import render_template, session, url_for
from flask_babel import format_date, format_decimal, gettext, ngettext
from flask_login import current_user
from markupsafe import Markup

from portal import api, bookmark_folders, cards
from portal.cards import kind_label
from portal.dashboard import tabs
from portal.dashboard.state import (
    DEFAULT_TAB,
    EXPIRING_WITHIN,
    GROUP_LABELS,
    PAGE_SIZE,
    RECENT_ON_PAGE,
    DashboardState,
)
from portal.formats import local_date, parse_date
from portal.fragments import Sent, changes_at, kept, kept_page
from portal.i18n import instance_labels_version, label
from portal.navigation import header_parts
from portal.urls import instance_link
from portal.widgets import fetch, fetch_with_batch


def content_item(raw: dict) -> dict:
    """A Content answer as the dashboard's cards show it (the shared card, plus waitlist facts)."""
    item = cards.card(raw)
    item["waitlist_count"] = raw.get("waitlistCount")
    item["seats"] = raw.get("seatsLimit")
    return item


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
                # The search and sort go along: the counts follow the search box.
                "url": url_for(
                    "dashboard.index",
                    tab=None if kind == DEFAULT_TAB else kind,
                    q=state.query or None,
                    sort=state.sort or None,
                    dir=state.direction or None,
                ),
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
    found = []
    for cert in _expiry_dates(certificates):
        expires = cert["_at"]
        if expires > now + EXPIRING_WITHIN:
            changes_at(expires - EXPIRING_WITHIN)
        if not now <= expires <= now + EXPIRING_WITHIN:
            continue
        days = max(0, (expires - now).days)
        changes_at(expires - timedelta(days=days))  # a day fewer from then on
        found.append(
            {
                **cert,
                "when": ngettext("in %(num)d day", "in %(num)d days", days)
                if days
                else gettext("today"),
            }
        )
    found.sort(key=lambda cert: cert["_at"])
    return found


def _expiry_dates(certificates) -> list[dict]:
    """The certificates that expire, with their dates read and written the learner's way:
    kept for the answer (every page shows the banner; only the days left change)."""
    return kept("certificate-expiry", (certificates,), lambda: _read_expiry(certificates))


def _read_expiry(certificates) -> list[dict]:
    fallback = url_for("certificates.index")
    found = []
    for cert in certificates or []:
        if not isinstance(cert, dict) or cert.get("isExpired"):
            continue
        expires = parse_date(cert.get("expirationDate"))
        if not expires:
            continue
        content = cert.get("contentItem") or {}
        template = cert.get("certificateTemplate") or {}
        found.append(
            {
                "id": cert.get("id"),
                "title": content.get("title")
                or cert.get("externalResourceTitle")
                or template.get("title")
                or gettext("Certificate"),
                "expires": format_date(expires, "medium"),
                "recertify_url": instance_link(content.get("url")) or fallback,
                "_at": expires,
            }
        )
    return found


# -- what each view renders -------------------------------------------------------------------


def dashboard_context(state: DashboardState, *, full_page: bool) -> dict:
    """Everything the page (or the panel with the tabs out of band) shows: one upstream request
    (a full page whose started courses are not all in the hint: a second one)."""
    context, started = _present(state, _fetch(state, full_page), full_page)
    if started is not None:
        cards.remember_hint(started)
    return context


def drawn(template: str, state: DashboardState, *, full_page: bool) -> Markup | Sent:
    """`template` (the whole page, or an htmx fragment of it) drawn with the dashboard's
    context. Drawn again only when what it shows changed: the answer, the learner's bookmarks
    or name, the instance's labels, the page's address or language, the clock (a due date
    passed: `fragments.changes_at`), and for a whole page its header (`header_parts`);
    otherwise kept from the last time (`fragments.kept_page`), still after the same one
    upstream request. Never kept: what shows a failure or a flashed message."""
    since = api.stats()["answers"]
    fetched = _fetch(state, full_page)
    draw = partial(_draw, template, state, fetched, full_page)
    if fetched[2] or (full_page and "_flashes" in session):
        html, extra = draw()
        html = Markup(html)
    else:
        parts = (
            template,
            api.answers_digest(since),  # the answer as sent, and the hint it was asked with
            fetched[3],
            current_user.get_id(),
            current_user.greeting_name,
            bookmark_folders.remembered(),
            instance_labels_version(),
            header_parts() if full_page else None,
        )
        html, extra = kept_page("dashboard", parts, draw)
        state.page = extra["page"]
    if extra["started"] is not None:
        cards.remember_hint(extra["started"])
    return html


def _draw(template: str, state: DashboardState, fetched: tuple, full_page: bool) -> tuple:
    context, started = _present(state, fetched, full_page)
    return render_template(template, **context), {"started": started, "page": state.page}


def _fetch(state: DashboardState, full_page: bool) -> tuple:
    """(data, progress answers, error message, hint): the one DashboardPage request, with the
    percents of the courses started last time (the hint) riding along on a full page."""
    hint = cards.progress_hint() if _with_progress(state, full_page) else []
    data, answers, error = fetch_with_batch(
        "DashboardPage",
        "UserCourseProgress",
        [{"id": ident} for ident in hint],
        **state.item_variables(),
        recentLimit=RECENT_ON_PAGE,
        withRecent=full_page,
        withWaitlist=state.tab == "waitlistedCourses",
        withArchived=state.tab == "archivedContentItems",
        **tabs.variables(state, full_page),
    )
    return data, answers, error, hint


def _with_progress(state: DashboardState, full_page: bool) -> bool:
    return full_page and state.tab not in tabs.BATCH_TABS


def _present(state: DashboardState, fetched: tuple, full_page: bool) -> tuple[dict, list | None]:
    """The templates' context from the answers, and the started courses to remember as the
    next hint (None: leave the hint as it is)."""
    data, answers, error, hint = fetched
    with_progress = _with_progress(state, full_page)
    raw_groups = data.get("UserContentGroups")
    # Kept: the labels come from the instance data, so its version is part of the key.
    group_list = kept(
        "groups",
        (raw_groups, state.args(), instance_labels_version()),
        lambda: groups(raw_groups, state),
    )
    counts = {g["kind"]: g["count"] for g in group_list or []}
    # Cards are made for the page shown only: the list is ordered and cut as answered.
    listed = tabs.ordered(state.tab, data.get("UserContentItems"), data)
    pager = paginate(listed, state) if state.is_list else None
    contents = content_items(pager["items"] if pager else listed)
    recent = content_items(data.get("UserRecentContent"))
    started = cards.progress_ids(contents, recent)
    progress = _progress(with_progress, cards.percents_of(hint, answers), contents, recent)
    context = {
        "state": state,
        "groups": group_list,
        "groups_error": error if group_list is None else None,
        "tab_label": label(f"dashboard.{state.tab}", GROUP_LABELS[state.tab]),
        "tab_count": counts.get(state.tab),
        **_widget("contents", contents, error, state.is_list),
        "pager": pager,
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
        **_widget("recent", recent, error, full_page),
        "recent_limit": RECENT_ON_PAGE,
        **progress,
        "expiring": expiring_certificates(data.get("UserCertificates")) if full_page else [],
        **tabs.tab_context(state, data, contents, error, full_page=full_page),
    }
    return context, started if with_progress and not error else None


def paginate(items: list[dict] | None, state: DashboardState) -> dict | None:
    """The page of the list (Content answers) the state asks for (the last one when it asks
    for more), with where the previous and next pages are; None when there is no list."""
    if items is None:
        return None
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(state.page, pages)
    state.page = page
    first = (page - 1) * PAGE_SIZE
    shown = items[first : first + PAGE_SIZE]
    return {
        "items": shown,
        "page": page,
        "pages": pages,
        "total": len(items),
        "first": first + 1 if shown else 0,
        "last": first + len(shown),
        "previous_url": state.url(page=page - 1 if page > 2 else None) if page > 1 else None,
        "next_url": state.url(page=page + 1) if page < pages else None,
    }


def _widget(name: str, value, error: str | None, wanted: bool) -> dict:
    """`name` and `name_error`: the error only for a widget that was asked for and is missing."""
    return {name: value, f"{name}_error": error if wanted and value is None else None}


def _progress(full_page: bool, known: dict, *lists) -> dict:
    """The percents of started courses: on a full page those that came with the lists, and
    the others in a second request; an htmx fragment gets the ids for its progress loader."""
    return {"progress_pending": cards.progress_for(*lists, full_page=full_page, known=known)}


def recent_context(limit: int, *, full_page: bool) -> dict:
    data, error = fetch("UserRecentContent", limit=limit)
    recent = content_items(data.get("UserRecentContent"))
    return {
        **_widget("recent", recent, error, True),
        "recent_limit": limit,
        # More than the dashboard shows: the first of the others is where the learner goes on.
        "recent_from": RECENT_ON_PAGE if limit > RECENT_ON_PAGE else None,
        **_progress(full_page, {}, recent),
    }
