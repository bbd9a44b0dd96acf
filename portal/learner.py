"""The signed-in learner: a Flask-Login user rebuilt from the server-side session."""

from __future__ import annotations

from flask import current_app, session
from flask_login import UserMixin, login_user, logout_user

from portal import session_registry
from portal.formats import learner_name

PROFILE_FIELDS = ("id", "name", "firstName", "lastName", "email", "lang", "externalCustomerId")


class User(UserMixin):
    """What the portal keeps of CurrentUser; the API's answer stays the source of truth."""

    def __init__(self, profile: dict):
        self.id = str(profile["id"])
        self.first_name = profile.get("firstName") or ""
        self.last_name = profile.get("lastName") or ""
        self.email = profile.get("email") or ""
        self.name = learner_name(profile)
        self.lang = profile.get("lang")
        # The learner's id in the instance's other systems, when it has one (single sign-on).
        self.external_customer_id = profile.get("externalCustomerId")

    @property
    def greeting_name(self) -> str:
        return self.first_name or self.name


def load_user(user_id: str) -> User | None:
    profile = session.get("user")
    if not profile or str(profile.get("id")) != user_id or not session.get("ti_token"):
        return None
    return User(profile)


def start_session(token: str, current: dict) -> User:
    """Sign the learner in: a fresh session id, the token kept only on the server."""
    lang = session.get("lang")
    session.clear()
    profile = {key: current.get(key) for key in PROFILE_FIELDS}
    user = User(profile)
    session["ti_token"] = token
    session["user"] = profile
    if lang:
        session["lang"] = lang
    login_user(user)
    _new_session_id()
    session_registry.register()
    return user


def end_session() -> None:
    """Forget the learner here whatever the upstream said: no token, no profile, a new id."""
    session_registry.forget_current()
    logout_user()
    session.clear()
    _new_session_id()


def _new_session_id() -> None:
    # Flask-Session 0.8 drops the stored session and issues a new id (no session fixation).
    regenerate = getattr(current_app.session_interface, "regenerate", None)
    if regenerate and session:
        regenerate(session)
