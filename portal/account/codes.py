"""Redemption and registration codes: what the API says about a code, in the learner's words."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from portal import api
from portal.api.errors import BadInput, NotFound

VALIDATORS = {"redemption": "ValidateRedemptionCode", "registration": "ValidateRegistrationCode"}


@dataclass(frozen=True)
class CodeCheck:
    """status: valid, used, expired or invalid; message says it to the learner."""

    status: str
    message: str

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def check_code(kind: str, code: str) -> CodeCheck:
    operation = VALIDATORS[kind]
    try:
        result = api.run(operation, code=code).get(operation) or {}
    except (BadInput, NotFound):
        result = {}
    # A used or expired code is also not valid: say the most helpful of the reasons.
    if result.get("alreadyRedeemed"):
        return CodeCheck("used", _("This code has already been redeemed."))
    if result.get("codeExpired"):
        return CodeCheck("expired", _("This code has expired."))
    if result.get("valid"):
        return CodeCheck("valid", _("This code is valid. Redeem it to get what it gives you."))
    return CodeCheck("invalid", _("This code is not valid. Check it and try again."))


def redeem_code(code: str) -> bool:
    """True when the API redeemed the code; False when it refused it."""
    try:
        data = api.run("RedeemRegistrationAndRedemptionCodes", validatedRedemptionCodes=[code])
    except (BadInput, NotFound):
        return False
    return bool((data.get("RedeemRegistrationAndRedemptionCodes") or {}).get("redeemed"))
