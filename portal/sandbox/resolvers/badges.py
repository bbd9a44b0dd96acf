"""Gamification: the badge leaderboard, the earned badge board and award totals and counts."""

from __future__ import annotations

from .common import (
    NotFound,
    award_type_dict,
    checked_limit,
    content_by_id,
    ctx,
    query,
    resource_dict,
    user_dict,
)

LEADERBOARD_DEFAULT = 10
LEADERBOARD_MAX = 100


@query.field("BadgeLeaderboard")
def resolve_badge_leaderboard(_obj, info, limit=None):
    limit = checked_limit(limit, default=LEADERBOARD_DEFAULT, maximum=LEADERBOARD_MAX)
    context = ctx(info)
    me = context.user()
    store = context.store
    award_type = store.one(
        "SELECT * FROM award_types WHERE deleted = 0 ORDER BY is_leaderboard DESC, label LIMIT 1"
    )
    if award_type is None:
        return {"awardType": None, "leaders": [], "currentUserPosition": None}
    rows = store.query(
        "SELECT users.*, SUM(awards.amount) AS total FROM awards "
        "JOIN users ON users.id = awards.user_id "
        "WHERE awards.award_type_id = ? AND users.disabled = 0 "
        "GROUP BY users.id HAVING total > 0 ORDER BY total DESC, users.last_name, users.first_name",
        award_type["id"],
    )
    # Competition ranking: ties share a rank and the next rank skips (1, 2, 2, 4).
    positions, rank, previous = [], 0, None
    for index, row in enumerate(rows):
        total = int(round(row["total"]))
        if total != previous:
            rank, previous = index + 1, total
        positions.append({"rank": rank, "total": total, "_row": row})
    mine = None
    if me is not None:
        mine = next((p for p in positions if p["_row"]["id"] == me["id"]), None)
        if mine is None:  # no awards yet: after everyone who has some
            mine = {"rank": len(positions) + 1, "total": 0, "_row": me}

    def leader(position):
        return {
            "rank": position["rank"],
            "total": position["total"],
            "user": user_dict(store, position["_row"]),
        }

    return {
        "awardType": award_type_dict(award_type),
        "leaders": [leader(p) for p in positions[:limit]],
        "currentUserPosition": None if mine is None else leader(mine),
    }


def _badge(row, award_types) -> dict:
    return {
        "id": row["id"],
        "label": row["label"],
        "asset": row["asset"],
        "awardThreshold": row["award_threshold"],
        "awardType": award_types.get(row["award_type_id"]),
        "deleted": bool(row["deleted"]),
    }


@query.field("UserEarnedBadgeBoard")
def resolve_user_earned_badge_board(_obj, info):
    context = ctx(info)
    user = context.require_user()
    store = context.store
    award_types = {r["id"]: award_type_dict(r) for r in store.query("SELECT * FROM award_types")}
    owner = user_dict(store, user)
    earned = store.query(
        "SELECT earned_badges.id AS earned_id, earned_badges.deleted AS earned_deleted, badges.* "
        "FROM earned_badges JOIN badges ON badges.id = earned_badges.badge_id "
        "WHERE earned_badges.user_id = ? AND earned_badges.deleted = 0 AND badges.deleted = 0 "
        "ORDER BY earned_badges.earned_at DESC",
        user["id"],
    )
    unearned = store.query(
        "SELECT * FROM badges WHERE deleted = 0 AND id NOT IN "
        "(SELECT badge_id FROM earned_badges WHERE user_id = ? AND deleted = 0) "
        "ORDER BY award_threshold, label",
        user["id"],
    )
    return {
        "earnedBadges": [
            {
                "id": [row["earned_id"]],
                "deleted": bool(row["earned_deleted"]),
                "user": owner,
                "badge": _badge(row, award_types),
            }
            for row in earned
        ],
        "unearnedBadges": [_badge(row, award_types) for row in unearned],
    }


@query.field("UserCourseAwardCounts")
def resolve_user_course_award_counts(_obj, info, courseId):
    context = ctx(info)
    user = context.require_user()
    content_by_id(context.store, courseId)
    rows = context.store.query(
        "SELECT award_types.*, SUM(awards.amount) AS total FROM awards "
        "JOIN award_types ON award_types.id = awards.award_type_id "
        "WHERE awards.user_id = ? AND awards.resource_id = ? AND award_types.deleted = 0 "
        "GROUP BY award_types.id ORDER BY award_types.label",
        user["id"],
        courseId,
    )
    return [
        {"id": r["id"], "label": r["label"], "icon": r["icon"], "count": int(round(r["total"]))}
        for r in rows
    ]


@query.field("UserCourseCollaborations")
def resolve_user_course_collaborations(_obj, info, courseId):
    context = ctx(info)
    user = context.require_user()
    content_by_id(context.store, courseId)
    return context.store.scalar(
        "SELECT COUNT(*) FROM collaborations WHERE user_id = ? AND content_id = ?",
        user["id"],
        courseId,
    )


@query.field("LearningPathCurrentUserAwardTotals")
def resolve_learning_path_award_totals(_obj, info, slug):
    context = ctx(info)
    user = context.require_user()
    store = context.store
    path = store.one(
        "SELECT * FROM content WHERE slug = ? AND kind = 'learningPath' AND is_active = 1", slug
    )
    if path is None:
        raise NotFound("No learning path with this slug.")
    rows = store.query(
        "SELECT awards.resource_id, awards.award_type_id, SUM(awards.amount) AS total FROM awards "
        "JOIN award_types ON award_types.id = awards.award_type_id "
        "WHERE awards.user_id = ? AND award_types.deleted = 0 AND (awards.resource_id = ? OR "
        "awards.resource_id IN (SELECT content_id FROM learning_path_items WHERE path_id = ?)) "
        "GROUP BY awards.resource_id, awards.award_type_id ORDER BY awards.resource_id",
        user["id"],
        path["id"],
        path["id"],
    )
    award_types = {r["id"]: award_type_dict(r) for r in store.query("SELECT * FROM award_types")}
    resources = {}
    for row in rows:
        if row["resource_id"] not in resources:
            resources[row["resource_id"]] = resource_dict(
                store.one("SELECT * FROM content WHERE id = ?", row["resource_id"])
            )
    return [
        {
            "resourceId": row["resource_id"],
            "resource": resources[row["resource_id"]],
            "awardType": award_types[row["award_type_id"]],
            "total": float(row["total"]),
        }
        for row in rows
    ]
