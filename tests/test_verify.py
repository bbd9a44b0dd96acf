"""Verification links and Open Badges credentials: the public page, withdrawing, the issuer's
DID document, the status list, and every credential checked by an independent verifier."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.dates import format_date
from cryptography.hazmat.primitives import serialization
from jwcrypto import jwk, jws

from portal.config import new_credential_key
from tests.conftest import csrf_from
from tests.credential_verifier import Refused, did_web_url, status_bit, verify
from tests.test_certificates import BUSY_NAME, cert_id, cert_moments

HX = {"HX-Request": "true"}
LEADERSHIP = "Foundations of Leadership"
EXPIRED = "Anti-Bribery and Corruption"


def text(response) -> str:
    return response.get_data(as_text=True)


def dates(sandbox, cid: str, locale: str = "en") -> tuple[str, str]:
    """The certificate's issue and expiry days as the page writes them."""
    moments = cert_moments(sandbox, cid)
    return tuple(format_date(when.date(), "long", locale=locale) for when in moments)


def share(client, cid: str, indexable: bool = False) -> str:
    """Make the certificate's verification link through its page's form: the link's path."""
    token = csrf_from(text(client.get(f"/certificates/{cid}")))
    data = {"csrf_token": token, **({"indexable": "y"} if indexable else {})}
    response = client.post(f"/certificates/{cid}/share", data=data)
    assert response.status_code == 303
    html = text(client.get(f"/certificates/{cid}"))
    return urlsplit(re.search(r'id="certificate-verify-url" value="([^"]+)"', html).group(1)).path


def withdraw(client, path: str, **headers):
    link_id = path.rsplit("/", 1)[1]
    token = csrf_from(text(client.get("/account")))
    return client.post(
        f"/account/links/{link_id}/withdraw",
        data={"csrf_token": token, "confirm": "1"},
        headers=headers,
    )


def fetcher(client):
    """The verifier's web: https://localhost/... answered by the portal itself."""

    def fetch(url: str) -> bytes:
        parts = urlsplit(url)
        assert parts.hostname == "localhost", url
        response = client.get(parts.path)
        assert response.status_code == 200, (url, response.status_code)
        return response.data

    return fetch


@pytest.fixture
def anonymous(app):
    """A visitor with no cookie at all."""
    return app.test_client(use_cookies=False)


def no_session(response) -> None:
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


# -- the public page -------------------------------------------------------------------------


def test_a_shared_certificate_verifies_without_sign_in_or_cookie(busy, sandbox, anonymous):
    cid = cert_id(sandbox, LEADERSHIP)
    path = share(busy, cid)
    link_id = path.rsplit("/", 1)[1]
    assert len(base64.urlsafe_b64decode(link_id + "==")) * 8 >= 128
    response = anonymous.get(path)
    assert response.status_code == 200
    no_session(response)
    html = text(response)
    assert "Verified" in html and LEADERSHIP in html and BUSY_NAME in html
    assert "avery@example.com" not in html
    assert "NWA-" in html and "Northwind Academy" in html
    issued, expires = dates(sandbox, cid)
    assert issued in html and expires in html
    # The learner's own cookie changes nothing: no session is opened or renewed there.
    own = busy.get(path)
    assert own.status_code == 200
    no_session(own)
    assert text(own) == html


def test_the_page_is_in_the_visitors_language(busy, sandbox, anonymous):
    cid = cert_id(sandbox, LEADERSHIP)
    path = share(busy, cid)
    french = anonymous.get(path, headers={"Accept-Language": "fr"})
    issued = dates(sandbox, cid, "fr")[0]
    assert "Vérifié" in text(french) and issued in text(french)
    assert "Accept-Language" in french.headers["Vary"]
    assert "Geprüft" in text(anonymous.get(path, headers={"Accept-Language": "de"}))


def test_the_page_says_not_to_index_unless_the_learner_chose_it(busy, sandbox, anonymous):
    hidden = anonymous.get(share(busy, cert_id(sandbox, LEADERSHIP)))
    assert hidden.headers["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in text(hidden)
    listed = anonymous.get(share(busy, cert_id(sandbox, "Spreadsheet Essentials"), True))
    assert "X-Robots-Tag" not in listed.headers
    assert 'name="robots"' not in text(listed)


def test_an_expired_certificate_shows_expired(busy, sandbox, anonymous):
    html = text(anonymous.get(share(busy, cert_id(sandbox, EXPIRED))))
    assert "Verified, but expired" in html and "(expired)" in html


def test_a_script_in_the_title_shows_as_text(busy, sandbox, anonymous):
    cid = cert_id(sandbox, LEADERSHIP)
    sandbox.store.execute(
        "UPDATE content SET title = ? WHERE title = ?", "<script>alert(1)</script>", LEADERSHIP
    )
    html = text(anonymous.get(share(busy, cid)))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unknown_and_withdrawn_links(busy, sandbox, anonymous):
    unknown = anonymous.get("/verify/" + "A" * 32)
    assert unknown.status_code == 404
    no_session(unknown)
    assert "No certificate is shared at this address" in text(unknown)
    path = share(busy, cert_id(sandbox, LEADERSHIP))
    assert withdraw(busy, path).status_code == 303
    gone = anonymous.get(path)
    assert gone.status_code == 410
    no_session(gone)
    assert "withdrawn" in text(gone)
    assert anonymous.get(path + "/credential.jwt").status_code == 410


def test_the_public_page_is_rate_limited(sandbox, portal_config, login):
    from portal import create_app

    app = create_app(portal_config(sandbox.url, RATELIMIT_VERIFY="3 per minute"))
    client = app.test_client()
    login(client)
    path = share(client, cert_id(sandbox, LEADERSHIP))
    visitor = app.test_client(use_cookies=False)
    assert [visitor.get(path).status_code for _ in range(3)] == [200, 200, 200]
    refused = visitor.get(path)
    assert refused.status_code == 429
    # When to come back: the limit's own reset, in the header and on the page alike.
    seconds = int(refused.headers["Retry-After"])
    assert 1 <= seconds <= 60
    assert f"Please wait {seconds} seconds" in refused.get_data(as_text=True)
    no_session(refused)


def test_opening_the_certificates_refreshes_the_snapshot(busy, sandbox, anonymous):
    path = share(busy, cert_id(sandbox, LEADERSHIP))
    sandbox.store.execute(
        "UPDATE content SET title = ? WHERE title = ?", "Leading Teams", LEADERSHIP
    )
    assert "Leading Teams" not in text(anonymous.get(path))
    busy.get("/certificates")
    html = text(anonymous.get(path))
    assert "Leading Teams" in html and "Verified" in html


def test_external_certificates_cannot_be_shared(busy, sandbox):
    cid = sandbox.store.scalar("SELECT id FROM certificates WHERE is_external = 1 LIMIT 1")
    html = text(busy.get(f"/certificates/{cid}"))
    assert "cannot vouch for it" in html
    token = csrf_from(html)
    assert busy.post(f"/certificates/{cid}/share", data={"csrf_token": token}).status_code == 400


# -- the Account page's list and withdrawing --------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_the_account_page_lists_the_links_and_withdraws_after_confirming(busy, sandbox, headers):
    path = share(busy, cert_id(sandbox, LEADERSHIP))
    account = text(busy.get("/account"))
    assert path in account and "Withdraw" in account
    link_id = path.rsplit("/", 1)[1]
    token = csrf_from(account)
    asked = busy.post(
        f"/account/links/{link_id}/withdraw", data={"csrf_token": token}, headers=headers
    )
    assert asked.status_code == 200
    assert "Withdraw this link?" in text(asked)
    assert busy.get(path).status_code == 200  # not yet
    done = withdraw(busy, path, **headers)
    if headers:
        assert done.status_code == 200 and 'id="shared-links"' in text(done)
        assert "<html" not in text(done)
    assert busy.get(path).status_code == 410
    assert "Withdrawn" in text(busy.get("/account"))


def test_another_learner_can_neither_list_nor_withdraw_a_link(busy, sandbox, app, login):
    path = share(busy, cert_id(sandbox, LEADERSHIP))
    other = app.test_client()
    login(other, "new")
    assert path not in text(other.get("/account"))
    assert withdraw(other, path).status_code == 404
    assert app.test_client(use_cookies=False).get(path).status_code == 200


def test_withdrawing_needs_a_signed_in_learner_and_a_form_token(busy, sandbox, anonymous):
    path = share(busy, cert_id(sandbox, LEADERSHIP))
    link_id = path.rsplit("/", 1)[1]
    assert anonymous.post(f"/account/links/{link_id}/withdraw").status_code in (302, 303, 400)
    assert busy.post(f"/account/links/{link_id}/withdraw", data={"confirm": "1"}).status_code == 400
    assert anonymous.get(path).status_code == 200


# -- LinkedIn and the PDF ----------------------------------------------------------------------


def test_linkedin_gets_the_verification_url_and_the_identifier(busy, sandbox):
    cid = cert_id(sandbox, LEADERSHIP)
    assert "linkedin.com" not in text(busy.get(f"/certificates/{cid}"))
    path = share(busy, cid)
    html = text(busy.get(f"/certificates/{cid}"))
    href = re.search(r'href="(https://www.linkedin.com/profile/add\?[^"]+)"', html).group(1)
    params = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
    assert urlsplit(params["certUrl"][0]).path == path
    identifier = sandbox.store.scalar("SELECT identifier FROM certificates WHERE id = ?", cid)
    assert params["certId"] == [identifier]


def test_the_shared_certificates_pdf_has_a_qr_code_and_the_url(busy, sandbox):
    from pypdf import PdfReader

    cid = cert_id(sandbox, LEADERSHIP)
    path = share(busy, cid)
    response = busy.get(f"/certificates/{cid}.pdf")
    reader = PdfReader(__import__("io").BytesIO(response.data))
    assert len(reader.pages) == 1
    content = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert path in content
    # The QR code is drawn as vector paths (SVG): the page holds far more than the text.
    assert len(reader.pages[0].get_contents().get_data()) > 5_000


# -- Open Badges credentials, checked by the independent verifier -----------------------------


def credential_of(client, path: str) -> str:
    response = client.get(path + "/credential.jwt")
    assert response.status_code == 200
    assert response.mimetype == "application/vc+jwt"
    return response.get_data(as_text=True)


def test_a_shared_certificates_credential_verifies(busy, sandbox, anonymous):
    cid = cert_id(sandbox, LEADERSHIP)
    path = share(busy, cid)
    credential = verify(credential_of(anonymous, path), fetcher(anonymous))
    assert credential["id"] == "http://localhost" + path
    assert credential["name"] == LEADERSHIP
    assert credential["issuer"]["id"] == "did:web:localhost"
    assert credential["issuer"]["name"] == "Northwind Academy"
    subject = credential["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == BUSY_NAME
    assert "avery@example.com" not in json.dumps(credential)
    assert subject["achievement"]["achievementType"] == "Certificate"
    assert credential["validUntil"][:10] == cert_moments(sandbox, cid)[1].date().isoformat()
    assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"


def _segments(token: str) -> list[str]:
    return token.split(".")


def _encode(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def changed_claim(token: str) -> str:
    header, payload, signature = _segments(token)
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["name"] = "Doctorate in Everything"
    return ".".join([header, _encode(claims), signature])


def signed_with_another_key(token: str) -> str:
    header, payload, _ = _segments(token)
    pem = new_credential_key().encode()
    forged = jws.JWS(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    protected = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    forged.add_signature(jwk.JWK.from_pem(pem), protected=json.dumps(protected))
    return forged.serialize(compact=True)


def test_tampered_withdrawn_and_expired_certificate_credentials_are_refused(
    busy, sandbox, anonymous
):
    fetch = fetcher(anonymous)
    path = share(busy, cert_id(sandbox, LEADERSHIP))
    token = credential_of(anonymous, path)
    verify(token, fetch)
    with pytest.raises(Refused) as changed:
        verify(changed_claim(token), fetch)
    assert changed.value.reason == "signature"
    with pytest.raises(Refused) as wrong_key:
        verify(signed_with_another_key(token), fetch)
    assert wrong_key.value.reason == "signature"
    expired = credential_of(anonymous, share(busy, cert_id(sandbox, EXPIRED)))
    with pytest.raises(Refused) as too_late:
        verify(expired, fetch)
    assert too_late.value.reason == "expired"
    withdraw(busy, path)
    with pytest.raises(Refused) as revoked:
        verify(token, fetch)
    assert revoked.value.reason == "revoked"


def test_the_status_list_says_revoked_once_withdrawn(busy, sandbox, anonymous):
    fetch = fetcher(anonymous)
    path = share(busy, cert_id(sandbox, LEADERSHIP))
    entry = verify(credential_of(anonymous, path), fetch)["credentialStatus"]
    listed = anonymous.get("/credentials/status/1")
    no_session(listed)
    assert status_bit(entry, "did:web:localhost", fetch) == 0
    withdraw(busy, path)
    assert status_bit(entry, "did:web:localhost", fetch) == 1


def earned_badge_id(sandbox) -> str:
    return sandbox.store.scalar(
        "SELECT badge_id FROM earned_badges WHERE user_id = "
        "(SELECT id FROM users WHERE email = ?) LIMIT 1",
        "avery@example.com",
    )


def test_an_earned_badge_downloads_as_a_credential_that_verifies(busy, sandbox, anonymous):
    fetch = fetcher(anonymous)
    badge_id = earned_badge_id(sandbox)
    assert f"/badges/{badge_id}/credential.jwt" in text(busy.get("/badges"))
    response = busy.get(f"/badges/{badge_id}/credential.jwt")
    assert response.status_code == 200
    token = response.get_data(as_text=True)
    credential = verify(token, fetch)
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Badge"
    asset = sandbox.store.scalar("SELECT asset FROM badges WHERE id = ?", badge_id)
    assert achievement["image"]["type"] == "Image"
    assert achievement["image"]["id"].endswith(asset.rsplit("/", 1)[-1])
    for forged in (changed_claim(token), signed_with_another_key(token)):
        with pytest.raises(Refused):
            verify(forged, fetch)


def test_a_badge_not_earned_is_not_issued(busy, sandbox):
    unearned = sandbox.store.scalar(
        "SELECT id FROM badges WHERE id NOT IN (SELECT badge_id FROM earned_badges WHERE "
        "user_id = (SELECT id FROM users WHERE email = ?)) LIMIT 1",
        "avery@example.com",
    )
    assert busy.get(f"/badges/{unearned}/credential.jwt").status_code == 404


# -- the issuer: did:web and key changes -------------------------------------------------------


def test_did_web_resolves_the_issuer(anonymous):
    assert did_web_url("did:web:localhost") == "https://localhost/.well-known/did.json"
    assert did_web_url("did:web:127.0.0.1%3A5000") == "https://127.0.0.1:5000/.well-known/did.json"
    response = anonymous.get("/.well-known/did.json")
    no_session(response)
    document = response.get_json()
    assert document["id"] == "did:web:localhost"
    method = document["verificationMethod"][0]
    assert method["publicKeyJwk"]["crv"] == "Ed25519" and "d" not in method["publicKeyJwk"]
    assert document["assertionMethod"] == [method["id"]]


def test_credentials_signed_before_a_key_change_still_verify(busy, sandbox, app, anonymous):
    fetch = fetcher(anonymous)
    app.config["CREDENTIAL_SIGNING_KEY"] = new_credential_key()
    app.extensions.pop("credential_key", None)
    old_path = share(busy, cert_id(sandbox, LEADERSHIP))
    old = credential_of(anonymous, old_path)
    app.config["CREDENTIAL_SIGNING_KEY"] = new_credential_key()
    app.extensions.pop("credential_key", None)
    new = credential_of(anonymous, share(busy, cert_id(sandbox, "Spreadsheet Essentials")))
    assert len(anonymous.get("/.well-known/did.json").get_json()["verificationMethod"]) == 2
    kids = {
        json.loads(base64.urlsafe_b64decode(t.split(".")[0] + "==="))["kid"] for t in (old, new)
    }
    assert len(kids) == 2
    verify(old, fetch)
    verify(new, fetch)
    assert "Verified" in text(anonymous.get(old_path))


def test_a_key_that_is_not_ed25519_is_refused(portal_config, sandbox, app):
    from cryptography.hazmat.primitives.asymmetric import ec

    from portal.credential_keys import load_key

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="Ed25519"):
        load_key(pem.decode())
