"""The account as its pages show it: profile, credits, licenses, and what the API says about a
redemption or registration code, in the learner's words."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from portal import api
from portal.api.errors import BadInput, Forbidden, NotFound
from portal.formats import credits, local_date

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


def account(data: dict) -> dict:
    """An `AccountPage` answer: CurrentUser with its licenses flattened to
    `{id, name, role, status, expires, active}`."""
    user = data.get("CurrentUser") or {}
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
                "expires": local_date(license_.get("expirationDate")),
                "active": license_id == active_id,
            }
        )
    return {
        "user": user,
        "licenses": licenses,
        "active_id": active_id,
        "balance": credits(user.get("balance")),
    }


def select_license(license_id: str) -> bool:
    """True when the API made license_id the active license; False when it refused."""
    try:
        data = api.run("SelectCurrentUserActiveLicense", licenseId=license_id)
    except (BadInput, NotFound, Forbidden):
        return False
    return bool(data.get("SelectCurrentUserActiveLicense"))
