"""Redemption and registration codes: validation and redemption (content, licenses, credits)."""

from __future__ import annotations

import sqlite3

from ..store import Store, loads, now
from .common import BadInput, ctx, is_expired, mutation


def code_state(store: Store, code: str, kind: str, user: sqlite3.Row | None) -> dict:
    row = store.one("SELECT * FROM codes WHERE code = ? AND kind = ?", code.strip(), kind)
    if row is None:
        return {"valid": False, "alreadyRedeemed": False, "codeExpired": False, "_row": None}
    redeemed = row["uses"] >= row["max_uses"] or bool(
        user
        and store.scalar(
            "SELECT 1 FROM code_redemptions WHERE code = ? AND user_id = ?", row["code"], user["id"]
        )
    )
    expired = is_expired(row["expires_at"])
    return {
        "valid": not redeemed and not expired,
        "alreadyRedeemed": redeemed,
        "codeExpired": expired,
        "_row": row,
    }


@mutation.field("ValidateRedemptionCode")
def resolve_validate_redemption_code(_obj, info, code):
    # Registration codes answer here too: seed 003 sends their expiry checks to this mutation.
    context = ctx(info)
    return _state_of_any_kind(context.store, code, context.user())


@mutation.field("ValidateRegistrationCode")
def resolve_validate_registration_code(_obj, info, code):
    context = ctx(info)
    return code_state(context.store, code, "registration", context.user())


def _state_of_any_kind(store: Store, code: str, user) -> dict:
    state = code_state(store, code, "redemption", user)
    if state["_row"] is None:
        state = code_state(store, code, "registration", user)
    return state


@mutation.field("RedeemRegistrationAndRedemptionCodes")
def resolve_redeem_codes(_obj, info, validatedRedemptionCodes):
    context = ctx(info)
    user = context.require_user()
    store = context.store
    if not validatedRedemptionCodes:
        raise BadInput("validatedRedemptionCodes must not be empty.")
    rows = []
    for code in dict.fromkeys(c.strip() for c in validatedRedemptionCodes):
        state = _state_of_any_kind(store, code, user)
        if state["_row"] is None:
            raise BadInput(f"The code {code} is not valid.")
        if state["codeExpired"]:
            raise BadInput(f"The code {code} has expired.")
        if state["alreadyRedeemed"]:
            raise BadInput(f"The code {code} has already been redeemed.")
        rows.append(state["_row"])
    stamp = now()
    with store.transaction() as db:
        for row in rows:
            for content_id in loads(row["content_ids"], []):
                db.execute(
                    "INSERT OR IGNORE INTO enrollments (user_id, content_id, source, enrolled_at) "
                    "SELECT ?, id, 'redeemed', ? FROM content WHERE id = ?",
                    (user["id"], stamp, content_id),
                )
            if row["license_id"] and row["kind"] == "registration":
                # A registration code makes its holder a learner of the client of its license.
                db.execute(
                    "UPDATE users SET client_id = COALESCE("
                    "(SELECT client_id FROM licenses WHERE id = ?), client_id) WHERE id = ?",
                    (row["license_id"], user["id"]),
                )
            if row["license_id"]:
                db.execute(
                    "INSERT OR IGNORE INTO user_licenses (user_id, license_id) VALUES (?, ?)",
                    (user["id"], row["license_id"]),
                )
                db.execute(
                    "UPDATE users SET active_license_id = ? "
                    "WHERE id = ? AND active_license_id IS NULL",
                    (row["license_id"], user["id"]),
                )
            if row["credits"]:
                db.execute(
                    "UPDATE users SET balance = balance + ?, updated_at = ? WHERE id = ?",
                    (row["credits"], stamp, user["id"]),
                )
            # Checked again where it is counted: two redemptions at once never pass the limit.
            taken = db.execute(
                "UPDATE codes SET uses = uses + 1 WHERE code = ? AND uses < max_uses",
                (row["code"],),
            )
            if taken.rowcount != 1:
                raise BadInput(f"The code {row['code']} has already been redeemed.")
            db.execute(
                "INSERT INTO code_redemptions (code, user_id, redeemed_at) VALUES (?, ?, ?)",
                (row["code"], user["id"], stamp),
            )
    return {"redeemed": True}
