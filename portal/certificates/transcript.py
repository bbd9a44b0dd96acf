"""The learner's transcript: every certificate with the fields marked for the transcript."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from portal.certificates.present import certificate_fields, summary

# Spreadsheet programs run cells starting with these as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def transcript(data: dict) -> dict:
    """Columns and rows of the transcript from a `CertificateDetail` answer."""
    fields = [f for f in data.get("UserCertificateFields") or [] if f.get("includeOnTranscript")]
    user = data.get("CurrentUser") or {}
    columns = [_("Certificate"), _("Status"), _("Issued"), _("Expires")]
    columns += [f.get("label") or "" for f in fields]
    statuses = {"valid": _("Valid"), "expiring": _("Expiring soon"), "expired": _("Expired")}
    rows = []
    for certificate in data.get("UserCertificates") or []:
        if not certificate or certificate.get("deleted"):
            continue
        info = summary(certificate)
        values = {row["id"]: row["value"] for row in certificate_fields(fields, certificate, user)}
        rows.append(
            [
                info["title"],
                statuses[info["status"]],
                info["issued"],
                info["expires"],
                *(values.get(f.get("id"), "") for f in fields),
            ]
        )
    return {"columns": columns, "rows": rows}


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def transcript_csv(table: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_cell(c) for c in table["columns"]])
    writer.writerows([[_cell(str(v)) for v in row] for row in table["rows"]])
    return out.getvalue()
