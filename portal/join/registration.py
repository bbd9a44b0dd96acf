"""Registration against the instance: the code's state, then CreateLearner, then the code kept
for the learner's first sign-in (before it they have no token to redeem it with)."""

from __future__ import annotations

from portal import api, learner_context
from portal.api import errors


class Refused(Exception):
    """The registration cannot go on; `field` names the form field the message belongs to."""

    def __init__(self, field: str, status: str):
        super().__init__(status)
        self.field = field
        self.status = status


def code_status(code: str) -> str:
    """valid, used, expired or invalid. Registration codes say nothing of expiry, so an invalid
    one is asked about once more the way seed 003 says: ValidateRedemptionCode."""
    code = code.strip()
    try:
        result = api.run_anonymous("ValidateRegistrationCode", code=code)
        found = result.get("ValidateRegistrationCode") or {}
        if found.get("alreadyRedeemed"):
            return "used"
        if found.get("valid"):
            return "valid"
        expiry = api.run_anonymous("ValidateRedemptionCode", code=code)
        if (expiry.get("ValidateRedemptionCode") or {}).get("codeExpired"):
            return "expired"
    except (errors.BadInput, errors.NotFound):
        pass
    return "invalid"


def register(code: str, first_name: str, last_name: str, email: str) -> None:
    """Create the learner for a valid code, or raise Refused.

    The code is checked first: who holds no valid code never learns whether an email has an
    account, as nothing about the email is asked before.
    """
    status = code_status(code)
    if status != "valid":
        raise Refused("code", status)
    try:
        api.run_anonymous("RegisterLearner", email=email, firstName=first_name, lastName=last_name)
    except errors.BadInput as error:
        raise Refused("email", "taken" if "exist" in error.message.lower() else "bad") from None
    learner_context.keep_code_for(email, code.strip())
