"""Certificates: the learner's list (expired hidden unless asked), fields, and uploads."""

from __future__ import annotations

import secrets
import sqlite3
from urllib.parse import urlparse

from ..store import Store, new_id, now
from .common import (
    BadInput,
    award_type_dict,
    content_dict,
    ctx,
    is_expired,
    mutation,
    parse_date,
    query,
    resource_dict,
    user_dict,
)

CERTIFICATES = (
    "SELECT certificates.*, certificate_templates.title AS template_title, "
    "certificate_templates.asset AS template_asset, "
    "certificate_templates.expiration_days AS template_expiration_days, "
    "certificate_templates.resource_type AS template_resource_type, "
    "content.title AS resource_title "
    "FROM certificates "
    "LEFT JOIN certificate_templates ON certificate_templates.id = certificates.template_id "
    "LEFT JOIN content ON content.id = certificates.resource_id "
    "WHERE certificates.user_id = ? AND certificates.deleted = 0 "
)
RESOURCE_LABELS = {"course": "Course", "learningPath": "Learning Path"}


def certificate_title(row: sqlite3.Row) -> str:
    return row["resource_title"] or row["external_resource_title"] or row["template_title"] or ""


def user_certificates(
    store: Store, user: sqlite3.Row, text: str | None, include_expired: bool
) -> list[sqlite3.Row]:
    rows = store.query(CERTIFICATES + "ORDER BY certificates.issued_at DESC", user["id"])
    if not include_expired:
        rows = [r for r in rows if not is_expired(r["expiration_date"])]
    if text:
        rows = [r for r in rows if text.lower() in certificate_title(r).lower()]
    return rows


def certificate_dict(store: Store, row: sqlite3.Row, owner: dict) -> dict:
    resource = (
        store.one("SELECT * FROM content WHERE id = ?", row["resource_id"])
        if row["resource_id"]
        else None
    )
    resource_type = row["resource_type"] or (
        None
        if resource is None
        else ("learningPath" if resource["kind"] == "learningPath" else "course")
    )
    expired = is_expired(row["expiration_date"])
    template = None
    if row["template_id"]:
        template = {
            "id": row["template_id"],
            "title": row["template_title"],
            "asset": row["template_asset"],
            "expirationDays": row["template_expiration_days"],
            "expirationDate": None,
            "isExpired": False,
            "resourceType": row["template_resource_type"] or resource_type or "course",
            "resource": resource_dict(resource),
        }
    return {
        "id": row["id"],
        "issuedAt": row["issued_at"],
        "expirationDate": row["expiration_date"],
        "recertificationDate": row["recertification_date"],
        "didExpire": expired,
        "isExpired": expired,
        "progressWasReset": bool(row["progress_was_reset"]),
        "deleted": bool(row["deleted"]),
        "url": f"/certificates/{row['id']}",
        "pdfAsset": row["pdf_asset"] or f"/certificates/{row['id']}.pdf",
        "resourceType": resource_type,
        "resourceTypeLabel": RESOURCE_LABELS.get(resource_type or ""),
        "resourceId": row["resource_id"],
        "identifier": row["identifier"],
        "source": row["source"],
        "isExternal": bool(row["is_external"]),
        "externalResourceTitle": row["external_resource_title"],
        "certificateTemplate": template,
        "resource": resource_dict(resource),
        "contentItem": None if resource is None else content_dict(store, resource),
        "user": owner,
    }


@query.field("UserCertificates")
def resolve_user_certificates(_obj, info, query=None, includeExpiredCertificates=False):
    context = ctx(info)
    user = context.require_user()
    owner = user_dict(context.store, user)
    rows = user_certificates(context.store, user, query, bool(includeExpiredCertificates))
    return [certificate_dict(context.store, row, owner) for row in rows]


@query.field("UserCertificateFields")
def resolve_user_certificate_fields(_obj, info):
    context = ctx(info)
    context.user()
    store = context.store
    award_types = {r["id"]: award_type_dict(r) for r in store.query("SELECT * FROM award_types")}
    rows = store.query("SELECT * FROM certificate_fields ORDER BY position, label")
    return [
        {
            "id": row["id"],
            "type": row["type"],
            "label": row["label"],
            "includeOnTranscript": bool(row["include_on_transcript"]),
            "includeOnExternalCertificate": bool(row["include_on_external_certificate"]),
            "text": row["text"],
            "dateFormat": row["date_format"],
            "identifierPrefix": row["identifier_prefix"],
            "identifierBodyLength": row["identifier_body_length"],
            "hasIdentifierPrefix": bool(row["identifier_prefix"]),
            "awardTypeId": row["award_type_id"],
            "awardType": award_types.get(row["award_type_id"]),
            "customFieldSlug": row["custom_field_slug"],
            "customField": None,
            "userCustomFieldSlug": row["user_custom_field_slug"],
            "userCustomField": None,
            "sessionCustomContentFieldSlug": None,
        }
        for row in rows
    ]


def _check_asset(asset: str) -> str:
    asset = str(asset).strip()
    parts = urlparse(asset)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(asset) > 2048:
        raise BadInput("asset must be an http(s) URL of the uploaded certificate image.")
    return asset


@mutation.field("CreateCertificateFromUpload")
def resolve_create_certificate_from_upload(_obj, info, asset, certificateUploadFields=None):
    context = ctx(info)
    user = context.require_user()
    store = context.store
    asset = _check_asset(asset)
    values = []
    for index, upload in enumerate(certificateUploadFields or []):
        where = f"certificateUploadFields[{index}]"
        field = store.one(
            "SELECT * FROM certificate_fields WHERE id = ?", upload["certificateFieldId"]
        )
        if field is None:
            raise BadInput(f"{where}.certificateFieldId: no certificate field with this id.")
        date = upload.get("date")
        if date is not None:
            date = parse_date(date, f"{where}.date")
        award_type_id = upload.get("awardTypeId")
        if award_type_id and not store.scalar(
            "SELECT 1 FROM award_types WHERE id = ?", award_type_id
        ):
            raise BadInput(f"{where}.awardTypeId: no award type with this id.")
        value = upload.get("value")
        if value is not None and len(value) > 1000:
            raise BadInput(f"{where}.value must be at most 1000 characters.")
        values.append(
            (field["id"], upload["type"], value, date, upload.get("awardAmount"), award_type_id)
        )
    by_type = {v[1]: v for v in values}
    title = by_type.get("courseLabel", (None, None, None))[2]
    issued = (by_type.get("contentCompletionDate") or by_type.get("dateLabel") or (None,) * 4)[3]
    expires = (by_type.get("expirationDateLabel") or (None,) * 4)[3]
    identifier = (by_type.get("identifier") or (None,) * 3)[2]
    certificate_id, stamp = new_id(), now()
    with store.transaction() as db:
        db.execute(
            "INSERT INTO certificates (id, user_id, issued_at, expiration_date, identifier, "
            "source, "
            "is_external, external_resource_title, asset, created_at) "
            "VALUES (?, ?, ?, ?, ?, 'upload', 1, ?, ?, ?)",
            (
                certificate_id,
                user["id"],
                issued or stamp,
                expires,
                identifier or f"CERT-{secrets.token_hex(4).upper()}",
                title,
                asset,
                stamp,
            ),
        )
        for field_id, kind, value, date, amount, award_type_id in values:
            db.execute(
                "INSERT OR REPLACE INTO certificate_field_values (certificate_id, field_id, type, "
                "value, date, award_amount, award_type_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (certificate_id, field_id, kind, value, date, amount, award_type_id),
            )
    row = store.one(CERTIFICATES + "AND certificates.id = ?", user["id"], certificate_id)
    return certificate_dict(store, row, user_dict(store, user))
