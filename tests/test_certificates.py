"""Certificates: list, search, detail, PDF, sharing, external upload and transcript."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from pypdf import PdfReader

from portal.certificate_rows import certificate_status

HX = {"HX-Request": "true"}
BUSY_NAME = "Avery Johnson"


def cert_id(sandbox, title: str) -> str:
    """The id of the busy learner's certificate for the course or path with this title."""
    return sandbox.store.scalar(
        "SELECT c.id FROM certificates c JOIN content r ON r.id = c.resource_id "
        "WHERE r.title = ? AND c.user_id = (SELECT id FROM users WHERE email = ?)",
        title,
        "avery@example.com",
    )


def cert_moments(sandbox, cid: str) -> tuple[datetime, datetime | None]:
    """When the certificate was issued and when it expires (the demo dates its certificates
    from the day it was built)."""
    issued, expires = sandbox.store.query(
        "SELECT issued_at, expiration_date FROM certificates WHERE id = ?", cid
    )[0]
    return datetime.fromisoformat(issued), expires and datetime.fromisoformat(expires)


@pytest.fixture
def offline_app(portal_config):
    """The portal without an API behind it, for formatting that needs only a request context."""
    from portal import create_app

    return create_app(portal_config("http://127.0.0.1:9"))


def csrf(client, path="/certificates/new") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


# -- status and formatting -------------------------------------------------------------------


def test_certificate_status_is_valid_expiring_or_expired():
    now = datetime(2025, 1, 1, tzinfo=UTC)

    def at(days):
        return (now + timedelta(days=days)).isoformat().replace("+00:00", "Z")

    assert certificate_status({"expirationDate": None}, now) == "valid"
    assert certificate_status({"expirationDate": at(31)}, now) == "valid"
    assert certificate_status({"expirationDate": at(29)}, now) == "expiring"
    assert certificate_status({"expirationDate": at(-1)}, now) == "expired"
    assert certificate_status({"expirationDate": at(300), "isExpired": True}, now) == "expired"


@pytest.mark.parametrize(
    ("date_format", "expected"),
    [
        ("usLong", "July 25, 2019"),
        ("usShort", "07-25-2019"),
        ("euroShort", "25-07-2019"),
        ("iso8601", "2019-07-25"),
        (None, "July 25, 2019"),
    ],
)
def test_certificate_dates_follow_the_field_date_format(offline_app, date_format, expected):
    from portal.certificate_rows import format_certificate_date

    with offline_app.test_request_context(headers={"Accept-Language": "en"}):
        assert format_certificate_date("2019-07-25T10:00:00.000Z", date_format) == expected


def test_dates_without_a_format_follow_the_learners_locale(offline_app):
    from portal.certificate_rows import format_certificate_date

    with offline_app.test_request_context(headers={"Accept-Language": "fr"}):
        assert format_certificate_date("2019-07-25", None) == "25 juillet 2019"


# -- list ------------------------------------------------------------------------------------


def test_signed_out_learner_is_sent_to_login(client):
    response = client.get("/certificates")
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["Location"]


def test_certificate_list_shows_title_dates_and_status(busy):
    response = busy.get("/certificates")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in html and 'id="certificate-list"' in html
    assert "Foundations of Leadership" in html
    assert "Expiring soon" in html and "Valid" in html
    assert "HX-Request" in response.headers["Vary"]


def test_certificate_list_fragment_for_htmx(busy):
    response = busy.get("/certificates?query=Leadership", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="certificate-list"')
    assert "Foundations of Leadership" in html
    assert "Spreadsheet Essentials" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_expired_certificates_hidden_unless_asked(busy):
    hidden = busy.get("/certificates").get_data(as_text=True)
    assert "Anti-Bribery and Corruption" not in hidden
    assert "Show 3 expired certificates" in hidden
    shown = busy.get("/certificates?expired=1").get_data(as_text=True)
    assert "Anti-Bribery and Corruption" in shown
    assert "Expired" in shown
    assert re.search(r'id="include-expired"[^>]*checked', shown)


def test_search_narrows_the_list(busy):
    html = busy.get("/certificates?query=Leadership").get_data(as_text=True)
    assert "Foundations of Leadership" in html
    assert "Spreadsheet Essentials" not in html
    assert 'value="Leadership"' in html


@pytest.mark.parametrize("headers", [{}, HX])
@pytest.mark.parametrize(
    "query", ["expired=banana", "query=" + "x" * 500, "expired=banana&query=" + "y" * 300]
)
def test_bad_query_string_gets_a_notice_and_the_default_view(busy, query, headers):
    response = busy.get(f"/certificates?{query}", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="alert alert--warning"' in html
    assert "Foundations of Leadership" in html  # the default view, all valid certificates
    assert "Anti-Bribery and Corruption" not in html


# -- detail ----------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX])
def test_certificate_detail_shows_fields_formatted(busy, sandbox, headers):
    cid = cert_id(sandbox, "Foundations of Leadership")
    issued = cert_moments(sandbox, cid)[0]
    identifier = sandbox.store.scalar("SELECT identifier FROM certificates WHERE id = ?", cid)
    response = busy.get(f"/certificates/{cid}", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("<html" in html) is not bool(headers)
    # The certificate's own learner line (the header's menu shows the name too).
    assert "Learner name" in html
    assert f'<strong class="certificate-detail__learner">{BUSY_NAME}</strong>' in html
    # The fields' own values (the header's date and the LinkedIn link hold them too).
    fields = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", html))
    assert fields["Issued on"] == f"{issued:%B} {issued.day}, {issued.year}"  # usLong
    assert fields["Certificate number"] == identifier
    assert "Expiring soon" not in html


def test_linkedin_link_carries_name_organisation_dates_url_and_id(busy, sandbox):
    from tests.test_verify import share

    cid = cert_id(sandbox, "Foundations of Leadership")
    share(busy, cid)
    html = busy.get(f"/certificates/{cid}").get_data(as_text=True)
    href = re.search(r'href="(https://www.linkedin.com/profile/add\?[^"]+)"', html).group(1)
    params = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
    issued = cert_moments(sandbox, cid)[0]
    assert params["startTask"] == ["CERTIFICATION_NAME"]
    assert params["name"] == ["Foundations of Leadership"]
    assert params["organizationName"] == ["Northwind Academy"]
    assert params["issueYear"] == [str(issued.year)]
    assert params["issueMonth"] == [str(issued.month)]
    assert "expirationYear" in params and "expirationMonth" in params
    assert "/verify/" in params["certUrl"][0]
    assert params["certUrl"][0].startswith("http")
    assert params["certId"][0].startswith("NWA-")
    # Copy link without JavaScript: the URL sits in a readonly field.
    assert re.search(r'<input[^>]*id="certificate-share-url"[^>]*readonly', html)


@pytest.mark.parametrize("headers", [{}, HX])
def test_unknown_certificate_is_a_404_page(busy, headers):
    response = busy.get("/certificates/no-such-certificate", headers=headers)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_javascript_url_from_the_api_is_never_a_link(busy, sandbox):
    cid = cert_id(sandbox, "Spreadsheet Essentials")
    sandbox.store.execute(
        "UPDATE certificates SET pdf_asset = 'javascript:alert(1)', asset = 'javascript:alert(1)' "
        "WHERE id = ?",
        cid,
    )
    html = busy.get(f"/certificates/{cid}").get_data(as_text=True)
    assert "Spreadsheet Essentials" in html
    assert not re.search(r'href="\s*javascript:', html, re.IGNORECASE)
    # The document link falls back to the certificate's page on the instance.
    assert f'href="{sandbox.url}/certificates/{cid}"' in html


def test_safe_document_url_from_the_api_is_a_link(busy, sandbox):
    cid = cert_id(sandbox, "Spreadsheet Essentials")
    url = "https://cdn.example.com/certificates/spreadsheets.pdf"
    sandbox.store.execute("UPDATE certificates SET pdf_asset = ? WHERE id = ?", url, cid)
    html = busy.get(f"/certificates/{cid}").get_data(as_text=True)
    assert f'href="{url}"' in html


# -- PDF and transcript ----------------------------------------------------------------------


def pdf_text(body: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return " ".join(text.split())  # table cells wrap words onto lines


def test_certificate_pdf_carries_name_title_and_branding(busy, sandbox):
    cid = cert_id(sandbox, "Foundations of Leadership")
    response = busy.get(f"/certificates/{cid}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = pdf_text(response.data)
    assert BUSY_NAME in text
    assert "Foundations of Leadership" in text
    assert "Northwind Academy".upper() in text.upper()


def test_pdf_of_unknown_certificate_is_404(busy):
    assert busy.get("/certificates/nope.pdf").status_code == 404


def test_transcript_csv_lists_all_certificates_with_transcript_fields(busy):
    response = busy.get("/certificates/transcript.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert "Learner name" in header and "Certificate number" in header
    assert "Issuer" not in header  # not marked for the transcript
    titles = [row[0] for row in body]
    assert "Anti-Bribery and Corruption" in titles  # expired ones too
    assert "Foundations of Leadership" in titles
    assert "First Aid at Work" in titles
    assert all(row[header.index("Learner name")] == BUSY_NAME for row in body)


def test_transcript_pdf_lists_certificates(busy):
    response = busy.get("/certificates/transcript.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = pdf_text(response.data)
    assert "Anti-Bribery" in text and "Spreadsheet Essentials" in text


# -- external certificate upload -------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX])
def test_upload_form_asks_for_the_instances_fields(busy, headers):
    response = busy.get("/certificates/new", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("<html" in html) is not bool(headers)
    for text in ("Address (URL) of the certificate file", "Course", "Issued on", "Valid until"):
        assert text in html
    assert 'name="csrf_token"' in html


def upload_data(client, **overrides) -> dict:
    html = client.get("/certificates/new").get_data(as_text=True)
    names = {
        label: name
        for name, label in re.findall(r'<label[^>]*for="(field_\d+)"[^>]*>([^<]+)</label>', html)
    }
    data = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1),
        "asset": "https://files.example.com/cpr.pdf",
        names["Course"]: "CPR and AED Basics",
        names["Issued on"]: "2025-03-01",
        names["Valid until"]: "2027-03-01",
    }
    for label, value in overrides.items():
        data[names.get(label, label)] = value
    return data


@pytest.mark.parametrize("headers", [{}, HX])
def test_an_upload_address_that_is_no_url_gets_422_with_the_message(busy, headers):
    data = upload_data(busy, asset="http://[::1")
    response = busy.post("/certificates/new", data=data, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a web address starting with https:// or http://." in html
    assert 'value="http://[::1"' in html


@pytest.mark.parametrize("headers", [{}, HX])
def test_invalid_upload_url_and_date_get_422_with_messages_and_input_kept(busy, headers):
    data = upload_data(busy, asset="javascript:alert(1)", **{"Issued on": "2025-13-45"})
    response = busy.post("/certificates/new", data=data, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a web address starting with https:// or http://." in html
    assert "Not a valid date value" in html
    assert 'value="CPR and AED Basics"' in html  # nothing typed is lost
    assert 'aria-invalid="true"' in html


def test_upload_expiry_before_issue_is_rejected(busy):
    data = upload_data(busy, **{"Valid until": "2024-01-01"})
    response = busy.post("/certificates/new", data=data)
    assert response.status_code == 422
    assert "The expiry date must be after the issue date." in response.get_data(as_text=True)


def test_upload_missing_title_is_rejected(busy):
    response = busy.post("/certificates/new", data=upload_data(busy, Course=""))
    assert response.status_code == 422
    assert "Fill in “Course”." in response.get_data(as_text=True)


def test_upload_adds_the_certificate_to_the_list(busy):
    response = busy.post("/certificates/new", data=upload_data(busy))
    assert response.status_code == 303
    assert urlsplit(response.headers["Location"]).path == "/certificates"
    html = busy.get("/certificates").get_data(as_text=True)
    assert "Your certificate was added." in html
    assert "CPR and AED Basics" in html


def test_upload_without_csrf_token_is_refused(busy):
    data = upload_data(busy)
    del data["csrf_token"]
    response = busy.post("/certificates/new", data=data)
    assert response.status_code == 400
