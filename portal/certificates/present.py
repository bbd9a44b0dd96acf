"""Certificates as pages show them: list rows, detail, the instance's fields filled in, sharing."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for

from portal.certificate_rows import (
    certificate_title,
    format_certificate_date,
    summary,
)
from portal.certificates.state import PAGE_SIZE
from portal.formats import learner_name, parse_date
from portal.paging import page_of

DATE_TYPES = {
    "dateLabel": "issuedAt",
    "contentCompletionDate": "issuedAt",
    "expirationDateLabel": "expirationDate",
}

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


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


def list_context(data: dict, filters) -> dict:
    """Rows of the page asked for, its pager and the counts, from a `CertificatesPage` answer."""
    found = [c for c in data.get("UserCertificates") or [] if c and not c.get("deleted")]
    pager = page_of(
        found,
        filters.page,
        PAGE_SIZE,
        lambda n: url_for("certificates.index", **filters.args(), page=n if n > 1 else None),
    )
    filters.page = pager["page"]

    def count(key):
        groups = data.get(key) or []
        return next((g.get("count", 0) for g in groups if g and g.get("kind") == "certificates"), 0)

    return {
        "certificates": [summary(c) for c in pager["items"]],
        "pager": pager,
        "current_count": count("currentGroups"),
        "expired_count": max(count("allGroups") - count("currentGroups"), 0),
    }


def detail_context(
    data: dict, cert_id: str, detail_url: str, verify_url: str | None = None
) -> dict | None:
    """All a certificate's page and PDF show, None when the learner has no such certificate.
    LinkedIn gets the public verification page (verify_url) as the credential's address: the
    certificate's own page needs a sign-in, so only a shared certificate can go there."""
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
        "verify_url": verify_url,
        "linkedin_url": linkedin_url(certificate, organization, verify_url) if verify_url else None,
        # Certificates the learner added themselves are not the organization's to vouch for.
        "shareable": not certificate.get("isExternal"),
    }
