"""What a verification page shows, read from the signed credential of a shared certificate."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from portal import open_badges, shares
from portal.formats import parse_date

VERIFIED = "verified"
EXPIRED = "expired"
UNVERIFIED = "unverified"


def _date(value) -> str:
    moment = parse_date(value)
    return format_date(moment.date(), "long") if moment else ""


def _learner_name(subject: dict) -> str:
    for entry in subject.get("identifier") or []:
        if entry.get("identityType") == "name" and not entry.get("hashed"):
            return entry.get("identityHash") or ""
    return ""


def _identifier(claims: dict) -> str:
    return next(
        (item.get("name") or "" for item in claims.get("evidence") or [] if item.get("name")), ""
    )


def page(record: dict, now: datetime | None = None) -> dict:
    """The page of a link that is not withdrawn: every value comes from the credential whose
    signature was just checked; none when it does not check out."""
    claims = open_badges.read(record.get("credential"))
    if claims is None:
        return {"state": UNVERIFIED, "record": record}
    now = now or datetime.now(UTC)
    expires = parse_date(claims.get("validUntil"))
    revoked = shares.revoked(record["status_index"])
    subject = claims.get("credentialSubject") or {}
    return {
        "state": UNVERIFIED if revoked else EXPIRED if expires and expires <= now else VERIFIED,
        "record": record,
        "title": claims.get("name") or (subject.get("achievement") or {}).get("name") or "",
        "learner": _learner_name(subject),
        "issued": _date(claims.get("awardedDate") or claims.get("validFrom")),
        "expires": _date(claims.get("validUntil")),
        "identifier": _identifier(claims),
        "issuer": (claims.get("issuer") or {}).get("name") or "",
        "issuer_id": (claims.get("issuer") or {}).get("id") or "",
        "credential_url": url_for("verify.credential", link_id=record["id"]),
    }


def links(learner_id: str) -> list[dict]:
    """The learner's links as their Account page lists them, newest first."""
    return [
        {
            "id": item["id"],
            "title": item["title"],
            "url": url_for("verify.show", link_id=item["id"], _external=True),
            "created": parse_date(item["created"]),
            "withdrawn": parse_date(item["withdrawn"]),
            "indexable": item["indexable"],
        }
        for item in shares.links_of(learner_id)
    ]


def gone(reason: str, retry_seconds: int = 60) -> dict:
    """The heading and text of a page with no certificate to show: an unknown link, a
    withdrawn one, or too many requests (and when to come back)."""
    if reason == "withdrawn":
        return {
            "heading": _("This verification link was withdrawn"),
            "text": _(
                "The person who shared this certificate withdrew the link: it no longer "
                "proves anything. Ask them for a new link if you need one."
            ),
        }
    if reason == "busy":
        return {
            "heading": _("Too many requests"),
            "text": ngettext(
                "Please wait %(num)d second before opening this page again.",
                "Please wait %(num)d seconds before opening this page again.",
                retry_seconds,
            ),
        }
    return {
        "heading": _("No certificate is shared at this address"),
        "text": _(
            "Check that the address is complete, or ask the person who shared it for the "
            "link again."
        ),
    }
