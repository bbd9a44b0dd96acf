"""Open Badges 3.0 credentials of the learner's achievements, signed so that anyone can check them.

A shared certificate and an earned badge become an `OpenBadgeCredential` (Open Badges 3.0, W3C
Verifiable Credentials data model 2.0) with the portal as issuer (its did:web), signed as a
VC-JWT with EdDSA (Ed25519) as Open Badges 3.0 section 8.2 asks: the JWT payload is the
credential itself with `iss`, `sub`, `jti`, `nbf` (and `exp`) beside it, the header `alg`, `kid`
(a key of the issuer's DID document) and `typ: JWT`. A shared certificate's credential points to
the portal's Bitstring Status List, where withdrawing its link sets its bit (revoked).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import uuid
from datetime import UTC, datetime

import jwt
from flask import url_for
from flask_babel import gettext as _

from portal import credential_keys, shares
from portal.api.cache import instance_key
from portal.certificate_rows import certificate_title
from portal.formats import parse_date
from portal.urls import instance_url

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
    "ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}
ALGORITHM = "EdDSA"
# The media type of a VC-JWT (VC-JOSE-COSE); the file a learner keeps is `.jwt`.
MEDIA_TYPE = "application/vc+jwt"


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _urn(*parts: str) -> str:
    """A stable urn:uuid for the instance's thing named by parts (a learner, an achievement)."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join([instance_key(), *parts])))


def issuer(organization: str) -> dict:
    return {
        "id": credential_keys.issuer_did(),
        "type": ["Profile"],
        "name": organization or _("Learning portal"),
        "url": url_for("index", _external=True),
    }


def _subject(learner_id: str, learner_name: str, achievement: dict) -> dict:
    """The learner as the credential names them: a pseudonymous id and their name (never
    their email)."""
    subject = {"id": _urn("learner", learner_id), "type": ["AchievementSubject"]}
    if learner_name:
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": learner_name,
            }
        ]
    subject["achievement"] = achievement
    return subject


def _credential(credential_id: str, name: str, organization: str, subject: dict) -> dict:
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": issuer(organization),
        "credentialSubject": subject,
        "credentialSchema": [OB_SCHEMA],
    }


def certificate_credential(
    link_id: str,
    status_index: int,
    certificate: dict,
    learner_id: str,
    learner_name: str,
    organization: str,
) -> dict:
    """The credential of a shared certificate (an API `Certificate`): its id is the link's
    verification page, its status the link's place in the status list."""
    title = certificate_title(certificate) or _("Untitled certificate")
    resource = certificate.get("resourceId") or (certificate.get("certificateTemplate") or {}).get(
        "id"
    )
    achievement = {
        "id": _urn("certificate", str(resource or title)),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": title,
        "description": _("A certificate from %(organization)s.", organization=organization)
        if organization
        else _("A certificate."),
        "criteria": {"narrative": _("Complete “%(title)s”.", title=title)},
    }
    credential = _credential(
        url_for("verify.show", link_id=link_id, _external=True),
        title,
        organization,
        _subject(learner_id, learner_name, achievement),
    )
    issued = parse_date(certificate.get("issuedAt")) or datetime.now(UTC)
    credential["validFrom"] = credential["awardedDate"] = _moment(issued)
    expires = parse_date(certificate.get("expirationDate"))
    if expires:
        credential["validUntil"] = _moment(expires)
    if certificate.get("identifier"):
        credential["evidence"] = [
            {
                "type": ["Evidence"],
                "genre": "Certificate identifier",
                "name": certificate["identifier"],
            }
        ]
    status_list = url_for("verify.status_list", _external=True)
    credential["credentialStatus"] = {
        "id": f"{status_list}#{status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(status_index),
        "statusListCredential": status_list,
    }
    return credential


def badge_credential(
    badge: dict, award_label: str, learner_id: str, learner_name: str, organization: str
) -> dict:
    """The credential of an earned badge (an API `Badge`), with the badge's image."""
    threshold = badge.get("awardThreshold") or 0
    criteria = _("Earn %(num)s %(label)s.", num=threshold, label=award_label)
    achievement = {
        "id": _urn("badge", str(badge.get("id"))),
        "type": ["Achievement"],
        "achievementType": "Badge",
        "name": badge.get("label") or _("Badge"),
        "description": criteria,
        "criteria": {"narrative": criteria},
    }
    image = instance_url(badge.get("asset"))
    if image and image.lower().startswith(("https://", "http://")):
        achievement["image"] = {"id": image, "type": "Image"}
    credential = _credential(
        _urn("earned-badge", learner_id, str(badge.get("id"))),
        achievement["name"],
        organization,
        _subject(learner_id, learner_name, achievement),
    )
    # The API gives no date a badge was earned: the credential is valid from its making.
    credential["validFrom"] = _moment(datetime.now(UTC))
    return credential


def digest(credential: dict) -> str:
    """What a credential says, as one value: a snapshot is signed again only when it changes."""
    return hashlib.sha256(json.dumps(credential, sort_keys=True).encode()).hexdigest()


def _timestamp(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def sign(credential: dict, typ: str = "JWT") -> str:
    """The credential as a compact JWS (VC-JWT) signed with the current key."""
    key = credential_keys.signing_key()
    claims = {
        **credential,
        "iss": credential["issuer"]["id"]
        if isinstance(credential["issuer"], dict)
        else credential["issuer"],
        "jti": credential["id"],
        "nbf": _timestamp(credential["validFrom"]),
    }
    subject = credential["credentialSubject"].get("id")
    if subject:
        claims["sub"] = subject
    if credential.get("validUntil"):
        claims["exp"] = _timestamp(credential["validUntil"])
    headers = {"kid": credential_keys.key_id(key.thumbprint), "typ": typ}
    return jwt.encode(claims, key.key, algorithm=ALGORITHM, headers=headers)


def read(token: str | None) -> dict | None:
    """The claims of a credential this portal signed, when its signature checks out against one
    of the published keys; None for anything else. Expiry and status are the caller's to show."""
    if not token:
        return None
    try:
        header = jwt.get_unverified_header(token)
        key = credential_keys.published_key(header.get("kid"))
        if key is None:
            return None
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_nbf": False, "verify_aud": False},
        )
    except jwt.PyJWTError:
        return None
    issuer_id = (claims.get("issuer") or {}).get("id")
    if claims.get("iss") != issuer_id or claims.get("jti") != claims.get("id"):
        return None
    return claims


def status_list_credential() -> str:
    """The status list of every shared certificate's credential (a BitstringStatusList
    credential, VC data model 2.0), signed as a VC-JWT: bit n set means the credential at
    index n was revoked."""
    url = url_for("verify.status_list", _external=True)
    encoded = base64.urlsafe_b64encode(gzip.compress(shares.status_bits(), mtime=0))
    credential = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": credential_keys.issuer_did(),
        "validFrom": _moment(datetime.now(UTC)),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "u" + encoded.rstrip(b"=").decode(),
        },
    }
    return sign(credential, typ="vc+jwt")


def public_name(user: dict | None) -> str:
    """The learner's name as a credential carries it: their name, never their email."""
    user = user or {}
    full = " ".join(part for part in (user.get("firstName"), user.get("lastName")) if part)
    return user.get("name") or full


def share_certificate(
    learner_id: str, certificate: dict, user: dict | None, organization: str, indexable: bool
) -> dict:
    """The learner's public link to the certificate, made (with its credential) when new."""
    learner_name = public_name(user)

    def signed(link_id: str, index: int) -> str:
        credential = certificate_credential(
            link_id, index, certificate, learner_id, learner_name, organization
        )
        made.append(digest(credential))
        return sign(credential)

    made: list[str] = []
    title = certificate_title(certificate) or _("Untitled certificate")
    record = shares.share(learner_id, str(certificate.get("id")), title, indexable, signed)
    if made:
        shares.set_digest(record["id"], made[0])
    return record


def refresh_shared(
    learner_id: str, certificates: list | None, user: dict | None, organization: str
) -> None:
    """Sign again the credentials of the learner's links whose certificate changed (title,
    dates, identifier, name): what a verification page shows follows the instance."""
    learner_name = public_name(user)
    links = {item["certificate_id"]: item for item in shares.links_of(learner_id)}
    if not any(not item["withdrawn"] for item in links.values()):
        return
    for certificate in certificates or []:
        found = links.get(str((certificate or {}).get("id")))
        if not found or found["withdrawn"] or certificate.get("deleted"):
            continue
        credential = certificate_credential(
            found["id"], found["status_index"], certificate, learner_id, learner_name, organization
        )
        shares.refresh(
            learner_id,
            found["certificate_id"],
            certificate_title(certificate) or found["title"],
            digest(credential),
            lambda _link_id, _index, credential=credential: sign(credential),
        )
