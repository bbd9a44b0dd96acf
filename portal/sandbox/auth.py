"""Learner passwords (argon2) and opaque auth tokens (only their SHA-256 is kept) of the sandbox."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .store import Store, iso, now

# Modest parameters: strong enough for a sandbox, fast enough for tests that log in often.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
TOKEN_LIFETIME = timedelta(hours=12)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)

_dummy_hash: str | None = None


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check password; an unknown user is checked against a dummy hash so timing tells nothing."""
    global _dummy_hash
    if password_hash is None:
        if _dummy_hash is None:
            _dummy_hash = hash_password(secrets.token_urlsafe(16))
        password_hash = _dummy_hash
        password = password + "\0never-matches"
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(store: Store, user_id: str) -> str:
    token = secrets.token_urlsafe(32)
    created = datetime.now(UTC)
    store.insert(
        "tokens",
        token_hash=token_hash(token),
        user_id=user_id,
        created_at=iso(created),
        expires_at=iso(created + TOKEN_LIFETIME),
    )
    return token


def user_for_token(store: Store, token: str):
    """The user row of a valid token, or None for an unknown, expired or revoked one."""
    return store.one(
        "SELECT users.* FROM tokens JOIN users ON users.id = tokens.user_id "
        "WHERE tokens.token_hash = ? AND tokens.revoked = 0 AND tokens.expires_at > ?",
        token_hash(token),
        now(),
    )


def revoke_token(store: Store, token: str) -> None:
    store.execute("UPDATE tokens SET revoked = 1 WHERE token_hash = ?", token_hash(token))


def recent_failures(store: Store, email: str) -> int:
    since = iso(datetime.now(UTC) - FAILURE_WINDOW)
    return store.scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE email = ? AND attempted_at > ?",
        email.strip(),
        since,
    )


def record_failure(store: Store, email: str) -> None:
    store.insert("login_attempts", email=email.strip(), attempted_at=now())


def clear_failures(store: Store, email: str) -> None:
    store.execute("DELETE FROM login_attempts WHERE email = ?", email.strip())
