"""Badge board, leaderboard and award totals shaped for the templates from the API's answers."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.formats import learner_name

# AwardTypeIcon -> a symbol; the award type's label always sits next to it, so the symbol is
# decorative (aria-hidden) and an unknown icon falls back to a star.
ICONS = {
    "businessuser": "👤",
    "check": "✔",
    "checkfile": "🗎",
    "flag": "⚑",
    "fullStar": "★",
    "gift": "🎁",
    "globe": "🌐",
    "halfStar": "⯪",
    "heart": "♥",
    "lightbulb": "💡",
    "like": "👍",
    "loading": "⏳",
    "signpost": "🪧",
    "star": "☆",
    "stopwatch": "⏱",
    "tag": "🏷",
}


def award_type_view(award_type: dict | None) -> dict:
    award_type = award_type or {}
    return {
        "id": award_type.get("id"),
        "label": award_type.get("pluralLabel") or award_type.get("label") or _("Awards"),
        "singular": award_type.get("label") or award_type.get("pluralLabel") or _("Award"),
        "icon": ICONS.get(award_type.get("icon") or "", ICONS["star"]),
    }


def badge_board(data: dict) -> list[dict]:
    """One entry per award type: its total, the badges earned and those still to earn."""
    board = data.get("UserEarnedBadgeBoard") or {}
    ranking = data.get("BadgeLeaderboard") or {}
    types: dict = {}

    def entry(award_type):
        view = award_type_view(award_type)
        return types.setdefault(view["id"], {**view, "earned": [], "unearned": []})

    for earned in board.get("earnedBadges") or []:
        badge = (earned or {}).get("badge")
        if badge and not earned.get("deleted") and not badge.get("deleted"):
            entry(badge.get("awardType"))["earned"].append(badge)
    for badge in board.get("unearnedBadges") or []:
        if badge and not badge.get("deleted"):
            entry(badge.get("awardType"))["unearned"].append(badge)

    ranked_type = (ranking.get("awardType") or {}).get("id")
    position = ranking.get("currentUserPosition") or {}
    for item in types.values():
        item["earned"].sort(key=lambda b: b.get("awardThreshold") or 0)
        item["unearned"].sort(key=lambda b: b.get("awardThreshold") or 0)
        # The leaderboard gives the exact total for its award type; for the others the
        # highest threshold reached is what the badges prove.
        if item["id"] == ranked_type and position.get("total") is not None:
            item["total"], item["exact"] = position["total"], True
        else:
            item["total"] = max((b.get("awardThreshold") or 0 for b in item["earned"]), default=0)
            item["exact"] = False
        item["unearned"] = [
            {
                **badge,
                "remaining": max((badge.get("awardThreshold") or 0) - item["total"], 0)
                if item["exact"]
                else None,
            }
            for badge in item["unearned"]
        ]
    return sorted(types.values(), key=lambda t: (t["id"] != ranked_type, t["label"]))


def leaderboard(data: dict, me: str | None) -> dict:
    """Leaders with the learner's own row marked, and their position when outside the top."""
    ranking = data.get("BadgeLeaderboard") or {}
    position = ranking.get("currentUserPosition") or None
    if position and (position.get("user") or {}).get("id"):
        me = position["user"]["id"]
    leaders = [leader for leader in ranking.get("leaders") or [] if leader]
    ranks = [leader.get("rank") for leader in leaders]
    rows = [
        {
            "rank": leader.get("rank"),
            "tied": leader.get("rank") is not None and ranks.count(leader.get("rank")) > 1,
            "total": leader.get("total") or 0,
            "name": learner_name(leader.get("user")) or _("A learner"),
            "is_me": bool(me) and (leader.get("user") or {}).get("id") == me,
        }
        for leader in leaders
    ]
    in_top = any(row["is_me"] for row in rows)
    return {
        "award_type": award_type_view(ranking.get("awardType")),
        "rows": rows,
        "position": position if position and position.get("rank") else None,
        "in_top": in_top,
    }


def learning_path_totals(totals: list | None) -> list[dict]:
    """Award totals per award type, each with the resources it was earned from."""
    types: dict = {}
    for item in totals or []:
        if not item:
            continue
        view = award_type_view(item.get("awardType"))
        entry = types.setdefault(view["id"], {**view, "total": 0.0, "resources": []})
        entry["total"] += item.get("total") or 0
        resource = item.get("resource") or {}
        entry["resources"].append(
            {
                "title": resource.get("title") or resource.get("name") or "",
                "total": item.get("total") or 0,
            }
        )
    return list(types.values())


def earned_badge(data: dict, badge_id: str) -> tuple[dict | None, str]:
    """The learner's earned badge of that id and its award type's label; (None, "") when they
    have not earned it."""
    for earned in (data.get("UserEarnedBadgeBoard") or {}).get("earnedBadges") or []:
        badge = (earned or {}).get("badge") or {}
        if (
            str(badge.get("id")) == badge_id
            and not earned.get("deleted")
            and not badge.get("deleted")
        ):
            return badge, award_type_view(badge.get("awardType"))["label"]
    return None, ""
