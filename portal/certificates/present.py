"""Certificates as pages show them: list rows, detail, the instance's fields filled in, sharing."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask_babel import format_date
from flask_babel import gettext as _

from portal.certificates.status import certificate_status, certificate_title
from portal.formats import learner_name, parse_date
from portal.urls import instance_url

# CertificateDateFormatType -> Babel pattern (examples from the schema: July 25, 2019 ...).
DATE_PATTERNS = {
    "usLong": "MMMM d, yyyy",
    "usShort": "MM-dd-yyyy",
    "euroShort": "dd-MM-yyyy",
    "iso8601": "yyyy-MM-dd",
}

DATE_TYPES = {
    "dateLabel": "issuedAt",
    "contentCompletionDate": "issuedAt",
    "expirationDateLabel": "expirationDate",
}

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def format_certificate_date(value: str | datetime | None, date_format: str | None = None) -> str:
    """A date as the field's `dateFormat` asks, or in the learner's locale when it names none."""
    moment = value if isinstance(value, datetime) else parse_date(value)
    if moment is None:
        return ""
    pattern = DATE_PATTERNS.get(date_format or "")
    return format_date(moment.date(), pattern or "long")


def field_value(field: dict, certificate: dict, user: dict | None) -> str | None:
    """The text one certificate field shows for this certificate, None when it has nothing."""
    kind = field.get("type")
    user = user or {}
    if kind in DATE_TYPES:
        return format_certificate_date(certificate.get(DATE_TYPES[kind]), field.get("dateFormat"))
    if kind == "nameLabel":
        return learner_name(user)
    if kind == "courseLabel":
        return certificate_title(certificate)
    if kind == "identifier":
        return certificate.get("identifier")
    if kind == "textLabel":
        return field.get("text")
    if kind == "learnerClientNameLabel":
        return (user.get("client") or {}).get("name")
    if kind and kind.startswith("userRef") and kind.endswith("Label"):
        return user.get("ref" + kind[len("userRef") : -len("Label")])
    # Award amounts, links, custom and session fields: the API gives no value with a certificate.
    return None


def certificate_fields(fields: list | None, certificate: dict, user: dict | None) -> list[dict]:
    """The instance's fields that have a value for this certificate, in the instance's order."""
    rows = []
    for field in fields or []:
        value = field_value(field, certificate, user)
        if value not in (None, ""):
            rows.append(
                {
                    "id": field.get("id"),
                    "type": field.get("type"),
                    "label": field.get("label") or "",
                    "value": str(value),
                    "transcript": bool(field.get("includeOnTranscript")),
                }
            )
    return rows


def linkedin_url(certificate: dict, organization: str, cert_url: str) -> str:
    """LinkedIn's Add-to-Profile link with the certificate's details filled in."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate_title(certificate),
        "organizationName": organization,
    }
    for prefix, key in (("issue", "issuedAt"), ("expiration", "expirationDate")):
        moment = parse_date(certificate.get(key))
        if moment:
            params[f"{prefix}Year"] = moment.year
            params[f"{prefix}Month"] = moment.month
    params["certUrl"] = cert_url
    if certificate.get("identifier"):
        params["certId"] = certificate["identifier"]
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(params)}"


def find_certificate(certificates: list | None, cert_id: str) -> dict | None:
    return next((c for c in certificates or [] if c and c.get("id") == cert_id), None)


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


def list_context(data: dict) -> dict:
    """Rows and counts for the certificate list from a `CertificatesPage` answer."""
    rows = [summary(c) for c in data.get("UserCertificates") or [] if c and not c.get("deleted")]

    def count(key):
        groups = data.get(key) or []
        return next((g.get("count", 0) for g in groups if g and g.get("kind") == "certificates"), 0)

    return {
        "certificates": rows,
        "current_count": count("currentGroups"),
        "expired_count": max(count("allGroups") - count("currentGroups"), 0),
    }


def detail_context(data: dict, cert_id: str, detail_url: str) -> dict | None:
    """All a certificate's page and PDF show, None when the learner has no such certificate."""
    certificate = find_certificate(data.get("UserCertificates"), cert_id)
    if certificate is None or certificate.get("deleted"):
        return None
    user = data.get("CurrentUser") or certificate.get("user") or {}
    company = data.get("CompanyDetails") or {}
    organization = company.get("name") or ""
    return {
        "certificate": summary(certificate),
        "fields": certificate_fields(data.get("UserCertificateFields"), certificate, user),
        "learner": learner_name(user),
        "company": company,
        "organization": organization,
        "detail_url": detail_url,
        "linkedin_url": linkedin_url(certificate, organization, detail_url),
    }
