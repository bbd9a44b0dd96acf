"""The dashboard tabs that answer their own question: Completed, Learning paths, Events,
Bookmarks and Certificates, each from the DashboardPage answer plus at most one batch.

A full render stays within two upstream requests: DashboardPage, then either the progress of
started courses (My content), or this tab's batch (milestones of the paths, every folder's
bookmarks), in which case the card percents come by the htmx progress loader instead.
"""

from __future__ import annotations

from flask_babel import format_datetime, format_percent

from portal import api, bookmark_folders, cards, events
from portal.certificate_rows import summary
from portal.dashboard.state import paginate
from portal.formats import local_date, parse_date
from portal.widgets import attempt

# Tabs whose own batch is the render's second request (so card percents load afterwards).
BATCH_TABS = ("learningPaths", "bookmarkFolders")
ITEM_TABS = ("completedItems",)
MAX_PATHS = 60  # more than any list shows; a longer list is a forged request


def variables(state, full_page: bool) -> dict:
    """DashboardPage's switches for what this tab shows."""
    listed = state.tab == "certificates"
    return {
        "withItems": state.is_list or state.tab in ITEM_TABS,
        "withEventFields": state.tab == "eventItems",
        "withBookmarks": state.tab == "bookmarkFolders",
        "withCertificates": listed,
        "withCompletions": state.tab == "completedItems",
        # Every full page has the expiry banner: what it shows of each certificate.
        "withExpiring": full_page and not listed,
    }


def completed(raw_items, raw_certificates, state) -> tuple[list[dict], dict]:
    """Completed items, newest certificate first (items without one after), each with the
    date it was completed (its certificate's issue date) and where its certificate is: the
    page the state asks for, and its pager (cards are made for that page only)."""
    by_content = {}
    for cert in raw_certificates or []:
        content = (cert or {}).get("contentItem") or {}
        if content.get("id") and not cert.get("deleted"):
            by_content.setdefault(content["id"], cert)
    found = [
        (raw, by_content.get(raw.get("id")))
        for raw in raw_items or []
        if isinstance(raw, dict) and _completed(raw.get("availabilityStatus"), raw)
    ]
    issued = {id(raw): parse_date(cert.get("issuedAt")) for raw, cert in found if cert}
    dated = sorted(
        (f for f in found if issued.get(id(f[0]))), key=lambda f: issued[id(f[0])], reverse=True
    )
    pager = paginate(dated + [f for f in found if not issued.get(id(f[0]))], state)
    shown = []
    for raw, cert in pager["items"]:
        item = cards.card(raw)
        item["completed_on"] = local_date(cert.get("issuedAt")) if cert else None
        item["certificate"] = {"id": cert.get("id")} if cert else None
        shown.append(item)
    return shown, pager


def _completed(status, raw: dict) -> bool:
    # A thousand items are read for the tab: TI's own two other statuses need no more look.
    if status in ("started", "not-started"):
        return False
    return status == "completed" or cards.state_of(raw) == "completed"


def learning_paths(items: list[dict] | None, *, full_page: bool) -> tuple[list | None, list]:
    """Each path with its milestones done of total: on a full page from one batched request;
    an htmx panel gets back the slugs for the milestones loader (its own one request)."""
    if not items:
        return items, []
    slugs = [item["slug"] for item in items if item.get("slug")]
    if not full_page:
        for item in items:
            item["milestones_pending"] = bool(item.get("slug"))
        return items, slugs
    by_slug = milestones(slugs)
    for item in items:
        item.update(by_slug.get(item.get("slug")) or {})
    return items, []


def milestones(slugs: list[str]) -> dict[str, dict]:
    """slug -> milestones_total, milestones_done and the percent, for every path at once."""
    answers, _error = attempt(api.run_batch, "LearningPathMilestones", [{"slug": s} for s in slugs])
    found = {}
    for slug, path in zip(slugs, answers or [None] * len(slugs), strict=True):
        path = path or {}
        steps = [m for m in path.get("milestones") or [] if isinstance(m, dict)]
        done = sum(
            1
            for m in steps
            if m.get("contentItems")
            and all(cards.state_of(c or {}) == "completed" for c in m["contentItems"])
        )
        found[slug] = {
            "id": path.get("id"),
            "milestones_total": len(steps) if path else None,
            "milestones_done": done,
            "milestone_percent": round(done / len(steps) * 100) if steps else 0,
            "milestone_percent_text": format_percent(done / len(steps)) if steps else "",
        }
    return found


def _place(raw: dict) -> str | None:
    location = raw.get("location") or {}
    parts = [location.get(k) for k in ("name", "room", "address1", "city", "country")]
    return ", ".join(p for p in parts if p) or None


def event_items(items: list[dict] | None, raw_items, raw_waitlist=None) -> list[dict] | None:
    """The Events tab: upcoming first (soonest first), then past ones; each card with its local
    date and time, place or join link, waitlist state and its .ics."""
    if items is None:
        return None
    # The page's cards only: the whole list was ordered already (`ordered`).
    shown = {item["id"] for item in items}
    raw_by_id = {
        r.get("id"): r for r in raw_items or [] if isinstance(r, dict) and r.get("id") in shown
    }
    page = {"UserContentItems": list(raw_by_id.values()), "UserWaitlist": raw_waitlist}
    order = events.timed(page)
    timed = {event["id"]: event for event in order}
    for item in items:
        raw = raw_by_id.get(item["id"]) or {}
        event = timed.get(item["id"])
        item["event"] = {
            "when": format_datetime(event["starts"], "full") if event else None,
            "ends": format_datetime(event["ends"], "short") if event else None,
            "past": event["past"] if event else False,
            "place": _place(raw),
            "online": raw.get("kind") in ("webinar", "webinarCourse"),
            "waitlisted": bool(event and event["waitlisted"]),
            "waitlist_count": raw.get("waitlistCount"),
            "seats": raw.get("seatsLimit"),
            "ics": bool(event),
        }
    rank = {event_id: index for index, event_id in enumerate(timed)}
    return sorted(items, key=lambda item: rank.get(item["id"], len(rank)))


def bookmarks(raw_folders, state) -> dict:
    """The Bookmarks tab: the folders with the bookmarks of the page the state asks for
    (one batched request for the folders it reaches)."""
    if raw_folders is None:
        return {"folders": None}
    found, error = attempt(bookmark_folders.page_of_folders, raw_folders, state.page)
    if error:
        return {"folders": None, "bookmarks_error": error.message}
    folders, numbers = found
    state.page = numbers["page"]
    return {
        "folders": folders,
        "bookmarks_error": None,
        **bookmark_folders.pager_context(numbers),
    }


def certificates(raw_certificates, state) -> tuple[list[dict] | None, dict | None]:
    """The page of certificates the state asks for, as rows, and its pager."""
    if raw_certificates is None:
        return None, None
    pager = paginate([c for c in raw_certificates if c and not c.get("deleted")], state)
    return [summary(c) for c in pager["items"]], pager


def tab_context(state, data: dict, contents, error: str | None, *, full_page: bool) -> dict:
    """What the current tab shows beyond the shared list; errors stay inside the tab."""
    found = _tab_context(state, data, contents, full_page)
    return {"tab_error": error, **found}


def ordered(tab: str, raw_items, data: dict) -> list[dict] | None:
    """The tab's whole list (Content answers) in the order its pages show it: events soonest
    first, as `event_items` orders each page's cards."""
    if raw_items is None:
        return None
    items = [raw for raw in raw_items if isinstance(raw, dict)]
    if tab != "eventItems":
        return items
    rank = {event["id"]: index for index, event in enumerate(events.timed(data))}
    return sorted(items, key=lambda raw: rank.get(raw.get("id"), len(rank)))


def _tab_context(state, data: dict, contents: list[dict] | None, full_page: bool) -> dict:
    tab = state.tab
    if tab == "completedItems":
        if data.get("UserContentItems") is None:
            return {"completed": None}
        found, pager = completed(data["UserContentItems"], data.get("completions"), state)
        return {"completed": found, "pager": pager}
    if tab == "learningPaths":
        found, pending = learning_paths(contents, full_page=full_page)
        return {"contents": found, "milestones_pending": pending}
    if tab == "eventItems":
        return {"contents": event_items(contents, data.get("UserContentItems"))}
    if tab == "bookmarkFolders" and not full_page:
        return {"bookmarks_later": True}
    if tab == "bookmarkFolders":
        folder_form = bookmark_folders.FolderForm(formdata=None)
        return {**bookmarks(data.get("UserBookmarks"), state), "folder_form": folder_form}
    if tab == "certificates":
        found, pager = certificates(data.get("UserCertificates"), state)
        return {"tab_certificates": found, "pager": pager}
    return {}
