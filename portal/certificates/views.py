"""The learner's certificates: list, detail, PDF, sharing, external upload and transcript."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import api, open_badges, shares
from portal.api.errors import BadInput
from portal.certificates.forms import ShareForm, upload_form, upload_variables
from portal.certificates.pdf import accent_colour, qr_code, render_pdf
from portal.certificates.present import detail_context, list_context
from portal.certificates.state import parse_filters
from portal.certificates.transcript import transcript, transcript_csv
from portal.forms import OUTAGE_ERRORS, outage_of, render_form
from portal.htmx import render, see_other
from portal.widgets import fetch

bp = Blueprint("certificates", __name__, url_prefix="/certificates")


@bp.get("")
@login_required
def index():
    filters = parse_filters(request.args)
    data, error = fetch(
        "CertificatesPage", query=filters.query or None, includeExpiredCertificates=filters.expired
    )
    if not error:
        _refresh_links(data)
    return render(
        "certificates/index.html",
        "certificates/_list.html",
        filters=filters,
        error=error,
        **({} if error else list_context(data, filters)),
    )


def _refresh_links(data: dict) -> None:
    """Opening their certificates signs the learner's shared ones again where they changed."""
    open_badges.refresh_shared(
        current_user.id,
        data.get("UserCertificates"),
        data.get("CurrentUser"),
        (data.get("CompanyDetails") or {}).get("name") or "",
    )


def _certificate(cert_id: str) -> dict:
    data = api.run("CertificateDetail")
    _refresh_links(data)
    detail_url = url_for("certificates.detail", cert_id=cert_id, _external=True)
    link = shares.link_of_certificate(current_user.id, cert_id)
    verify_url = url_for("verify.show", link_id=link["id"], _external=True) if link else None
    context = detail_context(data, cert_id, detail_url, verify_url) or abort(404)
    return {
        **context,
        "user": data.get("CurrentUser"),
        "link": link,
        "share_form": ShareForm(formdata=None),
    }


@bp.get("/<cert_id>")
@login_required
def detail(cert_id: str):
    return render("certificates/detail.html", "certificates/_detail.html", **_certificate(cert_id))


@bp.post("/<cert_id>/share")
@login_required
def share(cert_id: str):
    """A public verification link to the certificate (the one it has, if any)."""
    form = ShareForm()
    if not form.validate_on_submit():
        abort(400)
    context = _certificate(cert_id)
    if not context["shareable"]:
        abort(400)
    open_badges.share_certificate(
        current_user.id,
        context["certificate"]["raw"],
        context["user"],
        context["organization"],
        form.indexable.data,
    )
    flash(
        _("Your verification link is ready: anyone with it can check this certificate."),
        "success",
    )
    return see_other(url_for("certificates.detail", cert_id=cert_id, _anchor="certificate-share"))


@bp.get("/<cert_id>.pdf")
@login_required
def pdf(cert_id: str):
    context = _certificate(cert_id)
    verify_url = context["verify_url"]
    document = render_pdf(
        "certificates/pdf.html",
        accent=accent_colour(context["company"]),
        qr_code=qr_code(verify_url) if verify_url else None,
        **context,
    )
    return _download(document, "application/pdf", f"certificate-{cert_id}.pdf")


@bp.get("/transcript.csv")
@login_required
def transcript_as_csv():
    table = transcript(api.run("CertificateDetail"))
    return _download(
        transcript_csv(table).encode("utf-8-sig"), "text/csv; charset=utf-8", "transcript.csv"
    )


@bp.get("/transcript.pdf")
@login_required
def transcript_as_pdf():
    data = api.run("CertificateDetail")
    document = render_pdf(
        "certificates/transcript_pdf.html",
        table=transcript(data),
        accent=accent_colour(data.get("CompanyDetails")),
        company=data.get("CompanyDetails") or {},
        user=data.get("CurrentUser"),
    )
    return _download(document, "application/pdf", "transcript.pdf")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    fields, outage = _upload_fields()
    form = upload_form(fields)
    if outage is None and form.validate_on_submit():
        try:
            api.run("CreateCertificateFromUpload", **upload_variables(form))
        except BadInput as exc:
            form.form_errors.append(exc.message)
        except OUTAGE_ERRORS as exc:
            outage = outage_of(exc)
        else:
            flash(_("Your certificate was added."), "success")
            return redirect(url_for("certificates.index"), 303)
    return render_form(
        "certificates/new.html", "certificates/_upload_form.html", outage=outage, form=form
    )


# Where the session keeps the certificate fields this learner was last shown.
UPLOAD_FIELDS_KEY = "certificate_upload_fields"


def _upload_fields():
    """The instance's certificate fields and no outage; while the instance cannot answer, the
    fields this learner was last shown, so that what they typed comes back in its place."""
    try:
        fields = api.run("UserCertificateFields").get("UserCertificateFields")
    except OUTAGE_ERRORS as exc:
        outage = outage_of(exc)
        if request.method == "POST" and UPLOAD_FIELDS_KEY in session:
            return session[UPLOAD_FIELDS_KEY], outage
        raise
    if session.get(UPLOAD_FIELDS_KEY) != fields:
        session[UPLOAD_FIELDS_KEY] = fields
    return fields, None


def _download(body: bytes, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
