"""What the check of a redemption or registration code says to the learner, by its status."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# status -> (on the Account page, where the learner redeems it; on /join, where someone
# handed it to them and is the one to ask for another).
MESSAGES = {
    "valid": (
        _l("This code is valid. Redeem it to get what it gives you."),
        _l("This code is valid."),
    ),
    "used": (
        _l("This code has already been redeemed."),
        _l("This code has already been used. Ask whoever gave it to you for a new one."),
    ),
    "expired": (
        _l("This code has expired."),
        _l("This code has expired. Ask whoever gave it to you for a new one."),
    ),
    "invalid": (
        _l("This code is not valid. Check it and try again."),
        _l("We do not know this code. Check it and try again."),
    ),
}


def redeeming(status: str) -> str:
    """What the Account page says of a code with this status."""
    return str(MESSAGES.get(status, MESSAGES["invalid"])[0])


def joining(status: str) -> str:
    """What the join page says of a registration code with this status."""
    return str(MESSAGES.get(status, MESSAGES["invalid"])[1])
