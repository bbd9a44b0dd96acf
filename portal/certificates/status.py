"""Certificate status at a glance: valid, expiring within 30 days, or expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal.formats import parse_date

VALID = "valid"
EXPIRING = "expiring"
EXPIRED = "expired"

# A certificate counts as expiring soon when it expires within this window.
EXPIRING_WINDOW = timedelta(days=30)


def certificate_status(certificate: dict, now: datetime | None = None) -> str:
    """The status of one `Certificate` from the API, trusting its own expiry flags first."""
    now = now or datetime.now(UTC)
    if certificate.get("isExpired") or certificate.get("didExpire"):
        return EXPIRED
    expires = parse_date(certificate.get("expirationDate"))
    if expires is None:
        return VALID
    if expires <= now:
        return EXPIRED
    if expires - now <= EXPIRING_WINDOW:
        return EXPIRING
    return VALID


def certificate_title(certificate: dict) -> str:
    """The name a learner knows the certificate by.

    The resource's (or external) title comes first: template titles are generic ("Course
    Completion") and shared by many certificates, so they only name a certificate when nothing
    more specific exists.
    """
    template = certificate.get("certificateTemplate") or {}
    resource = certificate.get("resource") or {}
    return (
        resource.get("title")
        or resource.get("name")
        or certificate.get("externalResourceTitle")
        or template.get("title")
        or ""
    )
