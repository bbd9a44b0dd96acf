"""Mail the sandbox sends as an instance would (welcome, reset, verification): kept in an outbox,
printed to the console, with single-use account links that expire."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import sys
from datetime import UTC, datetime, timedelta

from flask import current_app, has_app_context

from .store import Store, iso, new_id, now

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,
    to_email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    sent_at TEXT NOT NULL
);
-- Links of account mail: only the SHA-256 of the random token is kept.
-- purpose: set (welcome), reset, verify.
CREATE TABLE IF NOT EXISTS account_links (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('set', 'reset', 'verify')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
"""

LIFETIMES = {
    "set": timedelta(days=7),
    "reset": timedelta(hours=1),
    "verify": timedelta(days=3),
}
PATHS = {"set": "/set-password/", "reset": "/reset-password/", "verify": "/verify-email/"}
# Mail that anyone can make the sandbox send to an address (a reset, a notice that the address
# already has an account) stops after this many to that address within an hour: nobody can
# flood a mailbox through the sandbox.
MAX_UNASKED_PER_HOUR = 3


def init(store: Store) -> None:
    with store.connect() as db:
        db.executescript(SCHEMA)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def public_url(store: Store) -> str:
    """Where learners reach this sandbox: its configured public address, never a request's
    Host header (a link to whatever host a request named would hand the account over)."""
    settings = current_app.extensions.get("sandbox") if has_app_context() else None
    if settings is not None:
        return settings.public_address()
    return (store.get_meta("public_url") or "").rstrip("/")


def issue_link(store: Store, user_id: str, purpose: str) -> str:
    """A new link for purpose; the user's earlier unused links of that purpose stop working."""
    token = secrets.token_urlsafe(32)
    created = datetime.now(UTC)
    with store.transaction() as db:
        db.execute(
            "UPDATE account_links SET used_at = ? "
            "WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
            (iso(created), user_id, purpose),
        )
        db.execute(
            "INSERT INTO account_links (token_hash, user_id, purpose, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (_hash(token), user_id, purpose, iso(created), iso(created + LIFETIMES[purpose])),
        )
    return public_url(store) + PATHS[purpose] + token


def link_user(store: Store, token: str, purposes: tuple[str, ...]) -> sqlite3.Row | None:
    """The user a live (unused, unexpired) link names, without using it up."""
    marks = ",".join("?" * len(purposes))
    return store.one(
        "SELECT users.*, account_links.purpose AS link_purpose FROM account_links "
        "JOIN users ON users.id = account_links.user_id "
        f"WHERE token_hash = ? AND purpose IN ({marks}) AND used_at IS NULL AND expires_at > ?",
        _hash(token or ""),
        *purposes,
        now(),
    )


def use_link(store: Store, token: str, purposes: tuple[str, ...]) -> sqlite3.Row | None:
    """Use the link up: its user, or None when it is unknown, used or expired."""
    with store.transaction():
        user = link_user(store, token, purposes)
        if user is not None:
            store.execute(
                "UPDATE account_links SET used_at = ? WHERE token_hash = ?", now(), _hash(token)
            )
    return user


def send(store: Store, to: str, subject: str, body: str, link: str | None = None) -> None:
    """Keep the mail in the outbox and print it, as development mail catchers do."""
    store.insert(
        "outbox", id=new_id(), to_email=to, subject=subject, body=body, link=link, sent_at=now()
    )
    settings = current_app.extensions.get("sandbox") if has_app_context() else None
    if settings is None or settings.extra.get("echo_mail", True):
        print(f"--- mail to {to}: {subject}\n{body}\n---", file=sys.stderr, flush=True)


def company_name(store: Store) -> str:
    return store.scalar("SELECT name FROM company ORDER BY rowid LIMIT 1") or "the learning site"


def send_welcome(store: Store, user: sqlite3.Row) -> None:
    link = issue_link(store, user["id"], "set")
    name = company_name(store)
    send(
        store,
        user["email"],
        f"Welcome to {name}: choose your password",
        f"Hello {user['first_name'] or ''},\n\n"
        f"An account was created for you at {name}. Choose your password to sign in:\n\n"
        f"{link}\n\nThe link works once and for 7 days.",
        link,
    )


def _hour_ago() -> str:
    return iso(datetime.now(UTC) - timedelta(hours=1))


def may_send(store: Store, user: sqlite3.Row, purpose: str) -> bool:
    """Whether another link of purpose (reset, verify: anyone may ask for them) may be mailed
    to this learner now: a few an hour at most."""
    sent = store.scalar(
        "SELECT COUNT(*) FROM account_links WHERE user_id = ? AND purpose = ? AND created_at > ?",
        user["id"],
        purpose,
        _hour_ago(),
    )
    return (sent or 0) < MAX_UNASKED_PER_HOUR


def send_reset(store: Store, user: sqlite3.Row) -> None:
    """A reset link, unless a few were sent to this learner within the hour already."""
    if not may_send(store, user, "reset"):
        return
    link = issue_link(store, user["id"], "reset")
    send(
        store,
        user["email"],
        f"Reset your password at {company_name(store)}",
        "Someone asked to reset the password of this account. If it was you, choose a new "
        f"password here:\n\n{link}\n\nThe link works once and for one hour. "
        "If it was not you, ignore this mail: your password stays as it is.",
        link,
    )


def send_verification(store: Store, user: sqlite3.Row) -> None:
    """A verification link, unless a few were sent to this learner within the hour already."""
    if not may_send(store, user, "verify"):
        return
    link = issue_link(store, user["id"], "verify")
    send(
        store,
        user["email"],
        f"Verify your email address at {company_name(store)}",
        f"Confirm that this address is yours:\n\n{link}\n\nThe link works once and for 3 days.",
        link,
    )


def send_already_registered(store: Store, user: sqlite3.Row) -> None:
    """Someone tried to register an address that has an account: its owner learns it, with
    the ways back in, and nobody else learns anything (the registration answers as for a new
    address). At most a few such notices an hour."""
    sent = store.scalar(
        "SELECT COUNT(*) FROM outbox WHERE to_email = ? AND sent_at > ?", user["email"], _hour_ago()
    )
    if (sent or 0) >= MAX_UNASKED_PER_HOUR:
        return
    name, here = company_name(store), public_url(store)
    send(
        store,
        user["email"],
        f"You already have an account at {name}",
        f"Hello {user['first_name'] or ''},\n\n"
        f"Someone, perhaps you, tried to register this address at {name}. It already has an "
        f"account: there is no need to register again.\n\n"
        f"Sign in: {here}/sign-in\n"
        f"Forgot your password? Choose a new one: {here}/forgot-password\n\n"
        "If it was not you, ignore this mail: nothing changed.",
        f"{here}/sign-in",
    )


def user_by_email(store: Store, email: str) -> sqlite3.Row | None:
    email = (email or "").strip()
    return store.one("SELECT * FROM users WHERE email = ?", email) if email else None


def outbox(store: Store, limit: int = 100) -> list[sqlite3.Row]:
    return store.query("SELECT * FROM outbox ORDER BY sent_at DESC, rowid DESC LIMIT ?", limit)


def clear_outbox(store: Store) -> None:
    store.execute("DELETE FROM outbox")
