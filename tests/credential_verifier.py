"""An Open Badges 3.0 verifier that shares no code with the portal's issuer.

It checks a VC-JWT as Open Badges 3.0 (section 8.2, "Verify a Credential") and the Bitstring
Status List say, with its own choices: jwcrypto for JOSE (the portal signs with PyJWT), the
1EdTech JSON schema of AchievementCredential (vendored under tests/vendor/openbadges) through
jsonschema, its own did:web resolution (`did:web:host` -> https://host/.well-known/did.json)
and its own reading of the status list. Nothing from `portal` is imported here.
"""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

from jsonschema import Draft201909Validator
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

SCHEMA = json.loads(
    (
        Path(__file__).parent
        / "vendor"
        / "openbadges"
        / "ob_v3p0_achievementcredential_schema.json"
    ).read_text()
)
ALLOWED_HEADERS = {"alg", "kid", "jwk", "typ"}


class Refused(Exception):
    """The credential does not verify; `reason` says which check failed."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def did_web_url(did: str) -> str:
    """did:web resolution: the host (a port percent-encoded) and an optional path."""
    if not did.startswith("did:web:"):
        raise Refused("issuer", f"not a did:web: {did}")
    host, *path = did[len("did:web:") :].split(":")
    host = unquote(host)
    if path:
        return f"https://{host}/{'/'.join(unquote(p) for p in path)}/did.json"
    return f"https://{host}/.well-known/did.json"


def _verify_jws(token: str, fetch, allowed_typ: set[str]) -> tuple[dict, dict, str]:
    """(header, payload, did) of a compact JWS whose signature an assertion key of its
    issuer's DID document checks."""
    try:
        signed = jws.JWS()
        signed.deserialize(token)
    except JWException as error:
        raise Refused("format", str(error)) from error
    header = signed.jose_header
    if set(header) - ALLOWED_HEADERS:
        raise Refused("header", f"headers not allowed: {sorted(set(header) - ALLOWED_HEADERS)}")
    if header.get("alg") != "EdDSA" or header.get("typ") not in allowed_typ:
        raise Refused("header", json.dumps(header))
    kid = header.get("kid") or ""
    did = kid.split("#")[0]
    document = json.loads(fetch(did_web_url(did)))
    if document.get("id") != did:
        raise Refused("issuer", "the DID document names another DID")
    methods = {m["id"]: m for m in document.get("verificationMethod") or []}
    if kid not in methods or kid not in (document.get("assertionMethod") or []):
        raise Refused("key", f"{kid} is not an assertion key of {did}")
    key = jwk.JWK(**methods[kid]["publicKeyJwk"])
    try:
        signed.verify(key, alg="EdDSA")
    except JWException as error:
        raise Refused("signature", str(error)) from error
    return header, json.loads(signed.payload), did


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _bit(encoded_list: str, index: int) -> int:
    if not encoded_list.startswith("u"):
        raise Refused("status", "encodedList is not base64url multibase")
    data = encoded_list[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    if len(bits) * 8 < 131_072:
        raise Refused("status", "the status list is shorter than 16 KB")
    return (bits[index // 8] >> (7 - index % 8)) & 1


def status_bit(entry: dict, issuer: str, fetch) -> int:
    """The bit of a BitstringStatusListEntry, from its issuer's signed status list."""
    if entry.get("type") != "BitstringStatusListEntry":
        raise Refused("status", f"unknown status type {entry.get('type')}")
    token = fetch(entry["statusListCredential"]).decode()
    _, status_list, did = _verify_jws(token, fetch, {"vc+jwt", "JWT"})
    if did != issuer or status_list.get("issuer") != issuer:
        raise Refused("status", "the status list has another issuer")
    if "BitstringStatusListCredential" not in status_list.get("type", []):
        raise Refused("status", "not a BitstringStatusListCredential")
    subject = status_list["credentialSubject"]
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        raise Refused("status", "the status list has another purpose")
    return _bit(subject["encodedList"], int(entry["statusListIndex"]))


def verify(token: str, fetch, now: datetime | None = None) -> dict:
    """The credential of a verifying OpenBadgeCredential VC-JWT; Refused otherwise.

    fetch(url) -> bytes gets a resource over the web (the DID document, the status list).
    """
    header, credential, did = _verify_jws(token, fetch, {"JWT"})
    errors = sorted(Draft201909Validator(SCHEMA).iter_errors(credential), key=str)
    if errors:
        raise Refused("schema", "; ".join(e.message for e in errors[:5]))
    if "OpenBadgeCredential" not in credential["type"]:
        raise Refused("schema", "not an OpenBadgeCredential")
    issuer = credential["issuer"]
    issuer_id = issuer["id"] if isinstance(issuer, dict) else issuer
    if credential.get("iss") != issuer_id or issuer_id != did:
        raise Refused("claims", "iss, issuer.id and the signing key's DID differ")
    if credential.get("jti") != credential["id"]:
        raise Refused("claims", "jti is not the credential's id")
    if credential.get("sub") != credential["credentialSubject"].get("id"):
        raise Refused("claims", "sub is not credentialSubject.id")
    now = now or datetime.now(UTC)
    valid_from = _moment(credential["validFrom"])
    if credential.get("nbf") != int(valid_from.timestamp()):
        raise Refused("claims", "nbf is not validFrom")
    if valid_from > now:
        raise Refused("not-yet-valid")
    if "validUntil" in credential or "exp" in credential:
        valid_until = _moment(credential["validUntil"])
        if credential.get("exp") != int(valid_until.timestamp()):
            raise Refused("claims", "exp is not validUntil")
        if valid_until <= now:
            raise Refused("expired", credential["validUntil"])
    status = credential.get("credentialStatus")
    for entry in status if isinstance(status, list) else [status] if status else []:
        if entry.get("statusPurpose") == "revocation" and status_bit(entry, did, fetch):
            raise Refused("revoked")
    return credential
