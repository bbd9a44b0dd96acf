"""Public verification links of certificates, kept where every portal process finds them.

A visitor opening a verification link brings no session and the portal holds no database, so
each link keeps a snapshot: the certificate's Open Badges credential, signed when the learner
shared it and signed again when they open their certificates and it changed. Next to the links:
each learner's list of their links, the public keys credentials were ever signed with, and the
revocation bits of the status list the credentials point to (one bit per link, set when the
link is withdrawn). Storage is Redis when REDIS_URL is set, else files under SHARED_LINKS_DIR
(PORTAL_VAR_DIR/shared-links), as the calendar feeds are. Nothing here expires.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app

from portal.api.cache import instance_key

_EXTENSION = "shared_links"
# Bits of the status list: the Bitstring Status List's minimum (16 KB), so that one entry
# among the others says nothing of who was checked.
STATUS_LIST_SIZE = 131_072
_BITS = "status-bits"
_KEYS = "signing-keys"
# A link's id: 192 random bits, URL-safe.
ID_BYTES = 24
MAX_ID_LENGTH = 64


class _Store:
    """A cachelib cache for the records and, beside it, the status bits."""

    def __init__(self, app):
        redis_url = app.config.get("REDIS_URL")
        self.lock = threading.Lock()
        self.redis = None
        if redis_url:
            from cachelib import RedisCache
            from redis import Redis

            self.redis = Redis.from_url(redis_url)
            self.cache = RedisCache(self.redis, key_prefix="portal:shares:", default_timeout=0)
        else:
            from cachelib import FileSystemCache

            directory = app.config.get("SHARED_LINKS_DIR")
            if not directory:
                from portal.config import var_dir

                directory = str(var_dir() / "shared-links")
            self.cache = FileSystemCache(directory, threshold=0, default_timeout=0)

    def set_bit(self, index: int) -> None:
        if self.redis is not None:
            # SETBIT numbers bits from the first byte's most significant one, as the
            # Bitstring Status List does: the stored string is the list itself.
            self.redis.setbit("portal:shares:" + _BITS, index, 1)
            return
        with self.lock:  # file storage serves one process (README): a lock is enough
            bits = bytearray(self.cache.get(_BITS) or bytes(STATUS_LIST_SIZE // 8))
            bits[index // 8] |= 0x80 >> (index % 8)
            self.cache.set(_BITS, bytes(bits))

    def bits(self) -> bytes:
        if self.redis is not None:
            found = self.redis.get("portal:shares:" + _BITS) or b""
        else:
            found = self.cache.get(_BITS) or b""
        return found.ljust(STATUS_LIST_SIZE // 8, b"\0")


def _store() -> _Store:
    store = current_app.extensions.get(_EXTENSION)
    if store is None:
        store = current_app.extensions[_EXTENSION] = _Store(current_app)
    return store


def _learner_key(learner_id: str) -> str:
    # One instance's learner ids say nothing about another's sharing the same Redis.
    return f"learner:{instance_key()}:{learner_id}"


def _link_key(link_id: str) -> str:
    return "link:" + link_id


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _new_index(link_id: str) -> int:
    """A free place in the status list, drawn at random (the spec's advice: an index tells
    nothing of when a credential was issued)."""
    cache = _store().cache
    for _ in range(64):
        index = secrets.randbelow(STATUS_LIST_SIZE)
        if cache.add(f"index:{index}", link_id):
            return index
    raise RuntimeError("the status list has no free place left")


def link(link_id: str) -> dict | None:
    """A link's record (withdrawn ones too), None for an id never made."""
    if not link_id or len(link_id) > MAX_ID_LENGTH:
        return None
    found = _store().cache.get(_link_key(link_id))
    return found if isinstance(found, dict) else None


def links_of(learner_id: str) -> list[dict]:
    """Every link the learner made, newest first."""
    ids = _store().cache.get(_learner_key(learner_id)) or []
    found = [link(link_id) for link_id in ids]
    return [item for item in reversed(found) if item]


def link_of_certificate(learner_id: str, certificate_id: str) -> dict | None:
    """The learner's link to this certificate that is not withdrawn, if any."""
    return next(
        (
            item
            for item in links_of(learner_id)
            if item["certificate_id"] == certificate_id and not item["withdrawn"]
        ),
        None,
    )


# What signs a link's credential: (link id, status list index) -> compact JWT.
Sign = Callable[[str, int], str]


def share(learner_id: str, certificate_id: str, title: str, indexable: bool, sign: Sign) -> dict:
    """The learner's public link to the certificate: the one they have (with the indexing
    now chosen), else a new one with its credential signed."""
    cache = _store().cache
    found = link_of_certificate(learner_id, certificate_id)
    if found:
        if found["indexable"] != indexable:
            found = {**found, "indexable": indexable}
            cache.set(_link_key(found["id"]), found)
        return found
    link_id = secrets.token_urlsafe(ID_BYTES)
    index = _new_index(link_id)
    record = {
        "id": link_id,
        "instance": instance_key(),
        "learner": learner_id,
        "certificate_id": certificate_id,
        "title": title,
        "indexable": indexable,
        "status_index": index,
        "created": _now(),
        "withdrawn": None,
        "credential": sign(link_id, index),
    }
    cache.set(_link_key(link_id), record)
    ids = cache.get(_learner_key(learner_id)) or []
    cache.set(_learner_key(learner_id), [*ids, link_id])
    return record


def refresh(learner_id: str, certificate_id: str, title: str, digest: str, sign: Sign) -> bool:
    """Sign the link's credential again when what it shows changed (its digest); True when
    it was signed again."""
    found = link_of_certificate(learner_id, certificate_id)
    if not found or found.get("digest") == digest:
        return False
    record = {
        **found,
        "title": title,
        "digest": digest,
        "credential": sign(found["id"], found["status_index"]),
    }
    _store().cache.set(_link_key(found["id"]), record)
    return True


def set_digest(link_id: str, digest: str) -> None:
    """Remember what a link's credential was signed from (see `refresh`)."""
    found = link(link_id)
    if found and found.get("digest") != digest:
        _store().cache.set(_link_key(link_id), {**found, "digest": digest})


def withdraw(learner_id: str, link_id: str) -> dict | None:
    """Withdraw one of the learner's links: its page answers 410 and its credential's status
    list entry says revoked. None when the learner has no such link (someone else's too)."""
    found = link(link_id)
    if not found or found["learner"] != learner_id or found["instance"] != instance_key():
        return None
    if found["withdrawn"]:
        return found
    store = _store()
    store.set_bit(found["status_index"])
    # The signed credential goes: a withdrawn link keeps nothing of the learner but its title,
    # for their own list.
    record = {**found, "withdrawn": _now(), "credential": None}
    store.cache.set(_link_key(link_id), record)
    return record


def revoked(index: int) -> bool:
    bits = _store().bits()
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_bits() -> bytes:
    """The status list's bits: 1 for a revoked credential."""
    return _store().bits()


def published_keys() -> dict[str, dict]:
    """Every public key (JWK) credentials were signed with, by key id, oldest first."""
    return dict(_store().cache.get(_KEYS) or {})


def publish_key(kid: str, public_jwk: dict) -> None:
    """Add a signing key's public half to the published ones (kept for good: credentials
    signed with it stay verifiable after the key changes)."""
    store = _store()
    with store.lock:
        keys = published_keys()
        if kid not in keys:
            store.cache.set(_KEYS, {**keys, kid: public_jwk})
