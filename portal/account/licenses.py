"""The learner's profile, credits and licenses as the account page shows them."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date, format_decimal

from portal import api
from portal.api.errors import BadInput, Forbidden, NotFound


def parse_date(value) -> datetime | None:
    """A TI date (ISO 8601, `Z` for UTC) as a datetime; None for nothing or garbage."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def credits(balance) -> str:
    """The credit balance in the learner's number format (0 when the API has none)."""
    return format_decimal(balance if isinstance(balance, int | float) else 0)


def account() -> dict:
    """CurrentUser with its licenses flattened to `{id, name, role, status, expires, active}`."""
    user = api.run("AccountPage").get("CurrentUser") or {}
    active_id = (user.get("activeLicense") or {}).get("id")
    licenses = []
    for allocated in user.get("allocatedLicenses") or []:
        if not allocated:
            continue
        license_ = allocated.get("license") or {}
        license_id = license_.get("id") or allocated.get("licenseId")
        if not license_id:
            continue
        licenses.append(
            {
                "id": license_id,
                "name": license_.get("label") or license_.get("name") or license_id,
                "role": allocated.get("licenseRole"),
                "status": allocated.get("status"),
                "expires": _date(license_.get("expirationDate")),
                "active": license_id == active_id,
            }
        )
    return {
        "user": user,
        "licenses": licenses,
        "active_id": active_id,
        "balance": credits(user.get("balance")),
    }


def _date(value) -> str | None:
    moment = parse_date(value)
    return format_date(moment) if moment else None


def select_license(license_id: str) -> bool:
    """True when the API made license_id the active license; False when it refused."""
    try:
        data = api.run("SelectCurrentUserActiveLicense", licenseId=license_id)
    except (BadInput, NotFound, Forbidden):
        return False
    return bool(data.get("SelectCurrentUserActiveLicense"))
