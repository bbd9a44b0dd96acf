"""The learner's sessions: which are open (started, last seen, browser), ending one or all of them
(with their instance tokens), and an absolute lifetime on top of the idle timeout.

Each learner has an index of their sessions next to the sessions themselves: a Redis hash with
Redis sessions, an entry of the same file cache with file sessions. Ending a session deletes its
stored data, so the next request made with it opens no learner. A session missing from the
index was ended elsewhere too: with file sessions every request looks it up. Redis sessions are
written back only while they are stored (`GuardedRedisSessionInterface`), so an ended one cannot
come back from a request that was running as it ended: their requests skip that lookup, a
round trip to Redis, and make it only when the last-seen time is written (once a minute).
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from datetime import UTC, datetime

from flask import Flask, current_app, request, session
from flask_babel import gettext as _
from flask_session.redis import RedisSessionInterface

from portal import api
from portal.api.client import SESSION_TOKEN_KEY
from portal.api.errors import ApiError

log = logging.getLogger(__name__)

SESSION_ID_KEY = "session_id"
STARTED_KEY = "session_started"
SEEN_KEY = "session_seen"
# Last-seen times are written at most this often: every request would mean a write each.
SEEN_EVERY_SECONDS = 60
INDEX_PREFIX = "portal:sessions-of:"
CURRENT = "current"


class _RedisIndex:
    """One hash per learner: field = public session id, value = JSON entry."""

    def __init__(self, client):
        self.client = client

    def entries(self, user_id: str) -> dict[str, dict]:
        found = self.client.hgetall(INDEX_PREFIX + user_id)
        return {key.decode(): json.loads(value) for key, value in found.items()}

    def get(self, user_id: str, public_id: str) -> dict | None:
        value = self.client.hget(INDEX_PREFIX + user_id, public_id)
        return json.loads(value) if value else None

    def put(self, user_id: str, public_id: str, entry: dict, ttl: int) -> None:
        key = INDEX_PREFIX + user_id
        with self.client.pipeline() as pipe:
            pipe.hset(key, public_id, json.dumps(entry))
            pipe.expire(key, ttl)
            pipe.execute()

    def remove(self, user_id: str, *public_ids: str) -> None:
        if public_ids:
            self.client.hdel(INDEX_PREFIX + user_id, *public_ids)


class _CacheIndex:
    """One dict per learner in the sessions' own cachelib cache (files)."""

    def __init__(self, cache):
        self.cache = cache
        self.lock = threading.Lock()

    def entries(self, user_id: str) -> dict[str, dict]:
        return dict(self.cache.get(INDEX_PREFIX + user_id) or {})

    def get(self, user_id: str, public_id: str) -> dict | None:
        return self.entries(user_id).get(public_id)

    def put(self, user_id: str, public_id: str, entry: dict, ttl: int) -> None:
        with self.lock:
            entries = self.entries(user_id)
            entries[public_id] = entry
            self.cache.set(INDEX_PREFIX + user_id, entries, timeout=ttl)

    def remove(self, user_id: str, *public_ids: str) -> None:
        with self.lock:
            entries = self.entries(user_id)
            for public_id in public_ids:
                entries.pop(public_id, None)
            self.cache.set(INDEX_PREFIX + user_id, entries, timeout=_lifetime_seconds())


def _index():
    return current_app.extensions.get("session_registry")


def _lifetime_seconds() -> int:
    return int(current_app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds())


def _user_id() -> str | None:
    profile = session.get("user") or {}
    return str(profile["id"]) if profile.get("id") else None


def browser_label(user_agent: str | None) -> str:
    """`Firefox on Windows` from a User-Agent header; a plain word when it says nothing known."""
    import ua_parser  # at sign-in only: no page needs it loaded

    parsed = ua_parser.parse((user_agent or "")[:512])
    browser = parsed.user_agent.family if parsed.user_agent else None
    system = parsed.os.family if parsed.os else None
    browser = None if browser in (None, "Other") else browser
    system = None if system in (None, "Other") else system
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown browser")


def register() -> None:
    """Record the session just opened for the signed-in learner (its id is final by now)."""
    index, user_id = _index(), _user_id()
    if index is None or user_id is None:
        return
    now = time.time()
    public_id = secrets.token_urlsafe(12)
    session[SESSION_ID_KEY], session[STARTED_KEY], session[SEEN_KEY] = public_id, now, now
    entry = {
        "sid": session.sid,
        "started": now,
        "seen": now,
        "browser": (request.user_agent.string or "")[:512],
    }
    index.put(user_id, public_id, entry, _lifetime_seconds())


def forget_current() -> None:
    """Take this session out of the index (it is being signed out)."""
    index, user_id, public_id = _index(), _user_id(), session.get(SESSION_ID_KEY)
    if index is not None and user_id and public_id:
        index.remove(user_id, public_id)


def _ended() -> bool:
    """True when this learner's session must end now: too old, or ended from elsewhere."""
    index, user_id = _index(), _user_id()
    if index is None or user_id is None:
        return False
    now = time.time()
    started = session.get(STARTED_KEY)
    if started is None:
        # Opened before sessions were recorded: recorded from now on.
        register()
        return False
    if now - started > _lifetime_seconds():
        return True
    seen_now = now - session.get(SEEN_KEY, 0) >= SEEN_EVERY_SECONDS
    if not seen_now and isinstance(current_app.session_interface, GuardedRedisSessionInterface):
        return False  # ended elsewhere, it has no data: it would have opened without a learner
    public_id = session.get(SESSION_ID_KEY)
    entry = index.get(user_id, public_id) if public_id else None
    if entry is None or entry.get("sid") != session.sid:
        return True
    if seen_now:
        session[SEEN_KEY] = entry["seen"] = now
        index.put(user_id, public_id, entry, _lifetime_seconds())
    return False


def check_session():
    """before_request: a session past its absolute lifetime or ended elsewhere signs out."""
    if request.endpoint == "static" or "user" not in session:
        return None
    try:
        ended = _ended()
    except Exception:  # noqa: BLE001 - a registry that is down must not end every session
        log.warning("session registry unavailable", exc_info=True)
        return None
    if not ended:
        return None
    from portal.errors import login_again

    return login_again()


def _stored(entry: dict) -> dict | None:
    interface = current_app.session_interface
    return interface._retrieve_session_data(interface._get_store_id(entry["sid"]))


def active_sessions() -> list[dict]:
    """The signed-in learner's open sessions, most recently seen first, this one marked."""
    index, user_id = _index(), _user_id()
    if index is None or user_id is None:
        return []
    now, found, dead = time.time(), [], []
    for public_id, entry in index.entries(user_id).items():
        if now - entry["started"] > _lifetime_seconds() or _stored(entry) is None:
            dead.append(public_id)
            continue
        found.append(
            {
                "id": public_id,
                "started": datetime.fromtimestamp(entry["started"], UTC),
                "seen": datetime.fromtimestamp(entry["seen"], UTC),
                "browser": browser_label(entry.get("browser")),
                "current": public_id == session.get(SESSION_ID_KEY),
            }
        )
    index.remove(user_id, *dead)
    return sorted(found, key=lambda item: (not item["current"], -item["seen"].timestamp()))


def _end_entry(entry: dict) -> None:
    """Log the session's instance token out and drop the session from the store."""
    data = _stored(entry) or {}
    token = data.get(SESSION_TOKEN_KEY)
    if token:
        try:
            api.run_as(token, "Logout")
        except ApiError:
            pass  # The session ends here whatever the upstream says.
    interface = current_app.session_interface
    interface._delete_session(interface._get_store_id(entry["sid"]))


def end(public_id: str) -> str | bool:
    """End one of the learner's sessions: True when ended, CURRENT for this very session
    (the caller signs it out), False when it is not (or no longer) theirs."""
    index, user_id = _index(), _user_id()
    if index is None or user_id is None:
        return False
    if public_id == session.get(SESSION_ID_KEY):
        return CURRENT
    entry = index.get(user_id, public_id)
    if entry is None:
        return False
    _end_entry(entry)
    index.remove(user_id, public_id)
    return True


def end_all() -> int:
    """End every session of the learner but this one (the caller signs it out); how many."""
    index, user_id = _index(), _user_id()
    if index is None or user_id is None:
        return 0
    current = session.get(SESSION_ID_KEY)
    others = {key: entry for key, entry in index.entries(user_id).items() if key != current}
    for entry in others.values():
        _end_entry(entry)
    index.remove(user_id, *others)
    return len(others)


class GuardedRedisSessionInterface(RedisSessionInterface):
    """Flask-Session's Redis sessions, but a session read from the store is written back only
    while it is still stored (SET ... XX): a session ended elsewhere (its data deleted) while
    one of its requests ran stays ended when that request saves it. A new session, or one
    given a new id at sign-in, is written as before."""

    def open_session(self, app, request):
        session = super().open_session(app, request)
        # Only a session read from the store has data now: an empty one is never stored.
        session.read_as = session.sid if session else None
        return session

    def _upsert_session(self, session_lifetime, session, store_id) -> None:
        self.client.set(
            name=store_id,
            value=self.serializer.encode(session),
            ex=int(session_lifetime.total_seconds()),
            xx=getattr(session, "read_as", None) == session.sid,
        )


def init_app(app: Flask) -> None:
    """Bind the index to the app's session store; record and check sessions on each request."""
    interface = app.session_interface
    if type(interface) is RedisSessionInterface:
        # Same settings and client; only the write differs (no state of its own to set up).
        interface.__class__ = GuardedRedisSessionInterface
    if getattr(interface, "client", None) is not None and app.config["SESSION_TYPE"] == "redis":
        app.extensions["session_registry"] = _RedisIndex(interface.client)
    elif getattr(interface, "cache", None) is not None:
        app.extensions["session_registry"] = _CacheIndex(interface.cache)
    app.before_request(check_session)
    app.jinja_env.globals["active_sessions"] = active_sessions
