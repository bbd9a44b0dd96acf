"""A certificate as every list shows it: its row (title, dates, status) and its document.

Shared by the Certificates page and the dashboard's Certificates tab (one row template:
`certificates/_rows.html`). Status at a glance: valid, expiring within 30 days, or expired.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _

from portal.formats import parse_date
from portal.fragments import changes_at
from portal.urls import instance_url

# CertificateDateFormatType -> Babel pattern (examples from the schema: July 25, 2019 ...).
DATE_PATTERNS = {
    "usLong": "MMMM d, yyyy",
    "usShort": "MM-dd-yyyy",
    "euroShort": "dd-MM-yyyy",
    "iso8601": "yyyy-MM-dd",
}

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
        changes_at(expires)
        return EXPIRING
    changes_at(expires - EXPIRING_WINDOW)
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


def format_certificate_date(value: str | datetime | None, date_format: str | None = None) -> str:
    """A date as the field's `dateFormat` asks, or in the learner's locale when it names none."""
    moment = value if isinstance(value, datetime) else parse_date(value)
    if moment is None:
        return ""
    pattern = DATE_PATTERNS.get(date_format or "")
    return format_date(moment.date(), pattern or "long")


def document_url(certificate: dict) -> str | None:
    """The certificate's document, else its page on the instance; never javascript: or data:."""
    for key in ("pdfAsset", "url"):
        url = instance_url(certificate.get(key))
        if url and url.lower().startswith(("http://", "https://")):
            return url
    return None


def summary(certificate: dict) -> dict:
    """What the list, detail page and transcript show of one certificate."""
    return {
        "id": certificate.get("id"),
        "title": certificate_title(certificate) or _("Untitled certificate"),
        "template_title": (certificate.get("certificateTemplate") or {}).get("title") or "",
        "status": certificate_status(certificate),
        "issued": format_certificate_date(certificate.get("issuedAt")),
        "expires": format_certificate_date(certificate.get("expirationDate")),
        "kind": certificate.get("resourceTypeLabel")
        or (_("External") if certificate.get("isExternal") else ""),
        "document_url": document_url(certificate),
        "raw": certificate,
    }
