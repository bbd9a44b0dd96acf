"""The issuer of the portal's credentials: its did:web identifier, its Ed25519 signing key and
the DID document (/.well-known/did.json) publishing every public key it ever signed with.

The key is CREDENTIAL_SIGNING_KEY (PEM) or one made once into PORTAL_VAR_DIR, as the secret
key is. A key in use is published for good, so credentials signed before a key change still
verify: the document lists the old keys beside the new one.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app, request

from portal import shares

_EXTENSION = "credential_key"
DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"]


@dataclass(frozen=True)
class SigningKey:
    key: object  # cryptography's Ed25519PrivateKey
    thumbprint: str  # RFC 7638, the key's name in the DID document
    public_jwk: dict


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(private_key) -> dict:
    from cryptography.hazmat.primitives import serialization

    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw)}


def thumbprint(jwk: dict) -> str:
    """The JWK thumbprint (RFC 7638): SHA-256 of the required members, sorted, no spaces."""
    members = {name: jwk[name] for name in ("crv", "kty", "x")}
    return _b64(hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).digest())


def load_key(pem: str):
    """The Ed25519 private key in pem; ValueError for anything else."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("CREDENTIAL_SIGNING_KEY must be an Ed25519 private key (PEM)")
    return key


def signing_key() -> SigningKey:
    """The current key, published on first use."""
    found = current_app.extensions.get(_EXTENSION)
    if found is None:
        pem = current_app.config.get("CREDENTIAL_SIGNING_KEY")
        if not pem:
            from portal.config import kept_credential_key

            pem = kept_credential_key()
        key = load_key(pem)
        jwk = public_jwk(key)
        found = SigningKey(key, thumbprint(jwk), jwk)
        current_app.extensions[_EXTENSION] = found
    shares.publish_key(found.thumbprint, found.public_jwk)
    return found


def issuer_did() -> str:
    """did:web of the portal's host as visitors reach it (a port is written %3A)."""
    return "did:web:" + quote(request.host.lower(), safe="")


def key_id(thumb: str) -> str:
    return f"{issuer_did()}#{thumb}"


def did_document() -> dict:
    """The issuer's DID document: every published key, each usable to assert credentials."""
    signing_key()  # the current key is among them even before it signs anything
    did = issuer_did()
    methods = [
        {
            "id": key_id(thumb),
            "type": "JsonWebKey2020",
            "controller": did,
            "publicKeyJwk": jwk,
        }
        for thumb, jwk in shares.published_keys().items()
    ]
    return {
        "@context": DID_CONTEXT,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def published_key(kid: str | None):
    """The published public key a credential's `kid` (`did:web:host#thumbprint`) names, or None.
    Any host of the portal counts: the same store of keys stands behind each of its names."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    did, _, thumb = (kid or "").partition("#")
    jwk = shares.published_keys().get(thumb) if did.startswith("did:web:") else None
    if not jwk:
        return None
    padded = jwk["x"] + "=" * (-len(jwk["x"]) % 4)
    return Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(padded))
