"""Registration against the instance: the code's state, then the learner created and the code
redeemed for them in one request (the code's use counted at registration)."""

from __future__ import annotations

from portal import api, learner_context
from portal.api import errors

REDEEM = "RedeemRegistrationAndRedemptionCodes"


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
    """Register the learner with a valid code, or raise Refused.

    The code is checked first: who holds no valid code never learns whether an email has an
    account, as nothing about the email is asked before. With a valid code, an address that
    already has an account is answered as a new one: the instance mails its owner instead.
    """
    code = code.strip()
    status = code_status(code)
    if status != "valid":
        raise Refused("code", status)
    try:
        api.run_anonymous(
            "RegisterLearner", code=code, email=email, firstName=first_name, lastName=last_name
        )
        learner_context.keep_code_for(email, code, redeemed=True)  # said at the first sign-in
    except errors.BadInput as error:
        if error.field == REDEEM:  # used up by someone else since it was checked
            raise Refused("code", "used") from None
        if "exist" in error.message.lower():
            return
        raise Refused("email", "bad") from None
    except (errors.TokenExpired, errors.Forbidden, errors.NotFound) as error:
        if error.field != REDEEM:
            raise
        # The instance redeems codes for signed-in learners only: at the first sign-in, then.
        learner_context.keep_code_for(email, code)
