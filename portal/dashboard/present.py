"""Dashboard data: the API calls of each view, and their answers shaped for the templates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

from flask import render_template, session, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user
from markupsafe import Markup

from portal import api, bookmark_folders, cards
from portal.cards import kind_label
from portal.dashboard import tabs
from portal.dashboard.state import (
    DEFAULT_TAB,
    EXPIRING_SHOWN,
    EXPIRING_WITHIN,
    GROUP_LABELS,
    RECENT_ON_PAGE,
    DashboardState,
    paginate,
)
from portal.formats import local_date, number, parse_date
from portal.fragments import Sent, changes_at, keeps_pages, kept, kept_page
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
                "count_text": number(group.get("count")),
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


def expiring_certificates(
    certificates, today: datetime | None = None, shown: int | None = EXPIRING_SHOWN
) -> tuple[list[dict], int]:
    """The `shown` certificates expiring soonest (within 30 days), with where to recertify,
    and how many expire within 30 days in all. Only those shown are written out: a learner
    of ten years holds hundreds of certificates."""
    now = today or datetime.now(UTC)
    soon = []
    changes = []  # when the banner changes: a certificate enters the window, a day passes
    for cert, expires in _expiry_dates(certificates):
        if expires > now + EXPIRING_WITHIN:
            changes.append(expires - EXPIRING_WITHIN)
        if not now <= expires <= now + EXPIRING_WITHIN:
            continue
        days = max(0, (expires - now).days)
        changes.append(expires - timedelta(days=days))  # a day fewer from then on
        soon.append((expires, days, cert))
    if changes:
        changes_at(min(changes))
    soon.sort(key=lambda entry: entry[0])
    found = [
        {**_expiring(cert, expires), "when": _days_left(days)}
        for expires, days, cert in soon[:shown]
    ]
    return found, len(soon)


def _days_left(days: int) -> str:
    return ngettext("in %(num)d day", "in %(num)d days", days) if days else gettext("today")


def _expiring_banner(certificates, full_page: bool) -> dict:
    """The banner of a full page: the certificates expiring soonest, and how many in all."""
    found, total = expiring_certificates(certificates) if full_page else ([], 0)
    return {"expiring": found, "expiring_total": total}


def _expiry_dates(certificates) -> list[tuple[dict, datetime]]:
    """The certificates that expire, with their expiry dates read: kept for the answer
    (every page shows the banner; only the days left change)."""
    return kept("certificate-expiry", (certificates,), lambda: _read_expiry(certificates))


def _read_expiry(certificates) -> list[tuple[dict, datetime]]:
    found = []
    for cert in certificates or []:
        if not isinstance(cert, dict) or cert.get("isExpired"):
            continue
        expires = parse_date(cert.get("expirationDate"))
        if expires:
            found.append((cert, expires))
    return found


def _expiring(cert: dict, expires: datetime) -> dict:
    content = cert.get("contentItem") or {}
    template = cert.get("certificateTemplate") or {}
    return {
        "id": cert.get("id"),
        "title": content.get("title")
        or cert.get("externalResourceTitle")
        or template.get("title")
        or gettext("Certificate"),
        "expires": local_date(cert.get("expirationDate")),
        "recertify_url": instance_link(content.get("url")) or url_for("certificates.index"),
        "_at": expires,
    }


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
    if fetched[2] or (full_page and "_flashes" in session) or not keeps_pages():
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
    pager = None
    if state.is_list:
        # Cards are made for the page shown only: the list is ordered and cut as answered.
        pager = paginate(tabs.ordered(state.tab, data.get("UserContentItems"), data), state)
    contents = content_items(pager["items"]) if pager else None
    waitlist, archives = data.get("UserWaitlist"), data.get("UserArchives")
    if state.tab == "waitlistedCourses" and waitlist is not None:
        pager = paginate(waitlist, state)
        waitlist = pager["items"]
    elif state.tab == "archivedContentItems" and archives is not None:
        pager = paginate(archives, state)
        archives = pager["items"]
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
            content_items(waitlist),
            error,
            state.tab == "waitlistedCourses",
        ),
        **_widget(
            "archived",
            archived(archives, data.get("UserArchivedContent")),
            error,
            state.tab == "archivedContentItems",
        ),
        **_widget("recent", recent, error, full_page),
        "recent_limit": RECENT_ON_PAGE,
        **progress,
        **_expiring_banner(
            data.get("UserCertificates") or data.get("expiringCertificates"), full_page
        ),
        **tabs.tab_context(state, data, contents, error, full_page=full_page),
    }
    return context, started if with_progress and not error else None


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
