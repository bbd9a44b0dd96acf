"""The account as its pages show it: profile, credits, licenses, and what the API says about a
redemption or registration code, in the learner's words."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal import api, code_messages
from portal.api.errors import BadInput, Forbidden, NotFound
from portal.formats import credits, local_date

VALIDATORS = {"redemption": "ValidateRedemptionCode", "registration": "ValidateRegistrationCode"}

# What became of each of several codes, short enough for a row of the results table.
OUTCOME_MESSAGES = {
    "redeemed": _l("Redeemed"),
    "used": _l("Already redeemed"),
    "expired": _l("Expired"),
    "invalid": _l("Not a valid code"),
    "refused": _l("Could not be redeemed"),
}


@dataclass(frozen=True)
class CodeCheck:
    """What the API says of a code: valid, used, expired or invalid."""

    status: str

    @property
    def valid(self) -> bool:
        return self.status == "valid"

    @property
    def message(self) -> str:
        return code_messages.redeeming(self.status)


def check_code(kind: str, code: str) -> CodeCheck:
    operation = VALIDATORS[kind]
    try:
        result = api.run(operation, code=code).get(operation) or {}
    except (BadInput, NotFound):
        result = {}
    # A used or expired code is also not valid: say the most helpful of the reasons.
    if result.get("alreadyRedeemed"):
        return CodeCheck("used")
    if result.get("codeExpired"):
        return CodeCheck("expired")
    return CodeCheck("valid" if result.get("valid") else "invalid")


def redeem_code(code: str) -> bool:
    """True when the API redeemed the code; False when it refused it."""
    return redeem_codes([code])


@dataclass(frozen=True)
class CodeOutcome:
    """What became of one of several codes: redeemed, used, expired, invalid or refused."""

    code: str
    status: str

    @property
    def message(self) -> str:
        return str(OUTCOME_MESSAGES[self.status])


def _status_of_any_kind(code: str) -> str:
    first = check_code("redemption", code)
    return first.status if first.status != "invalid" else check_code("registration", code).status


def redeem_several(codes: list[str]) -> list[CodeOutcome]:
    """Check each code, then redeem the valid ones in one call (the API takes a list); when
    that call refuses the batch, each is tried alone so every code gets its own outcome."""
    statuses = {code: _status_of_any_kind(code) for code in codes}
    valid = [code for code in codes if statuses[code] == "valid"]
    if valid and len(valid) > 1 and redeem_codes(valid):
        statuses.update(dict.fromkeys(valid, "redeemed"))
    else:
        for code in valid:
            statuses[code] = "redeemed" if redeem_codes([code]) else "refused"
    return [CodeOutcome(code, statuses[code]) for code in codes]


def redeem_codes(codes: list[str]) -> bool:
    try:
        data = api.run("RedeemRegistrationAndRedemptionCodes", validatedRedemptionCodes=codes)
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
