"""The instance's own account pages, as the sandbox plays them: mail outbox, set and reset
password, email verification. Every answer about an email is the same whether it is known."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from . import auth, mail
from .store import now

bp = Blueprint("sandbox_accounts", __name__, template_folder="templates")

MIN_PASSWORD = 8
MAX_PASSWORD = 1024
SET_PURPOSES = ("set", "reset")


def _store():
    return current_app.extensions["sandbox"].store


@bp.get("/outbox")
def outbox():
    return render_template("accounts/outbox.html", mails=mail.outbox(_store()))


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    store = _store()
    email = (request.values.get("email") or "").strip()[:254]
    if request.method == "POST":
        user = mail.user_by_email(store, email)
        if user is not None and not user["disabled"]:
            mail.send_reset(store, user)
        return render_template("accounts/sent.html", email=email, purpose="reset")
    return render_template("accounts/forgot.html", email=email)


def _password_errors(password: str, confirm: str) -> list[str]:
    if len(password) < MIN_PASSWORD:
        return [f"Choose a password of at least {MIN_PASSWORD} characters."]
    if len(password) > MAX_PASSWORD:
        return [f"Choose a password of at most {MAX_PASSWORD} characters."]
    if password != confirm:
        return ["The two passwords are not the same. Type the same password twice."]
    return []


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def choose_password(token: str):
    store = _store()
    user = mail.link_user(store, token, SET_PURPOSES)
    if user is None:
        return render_template("accounts/link_dead.html"), 410
    errors: list[str] = []
    if request.method == "POST":
        password = request.form.get("password") or ""
        errors = _password_errors(password, request.form.get("confirm") or "")
        if not errors:
            return _save_password(store, token, password)
    status = 422 if errors else 200
    return render_template("accounts/choose.html", user=user, errors=errors), status


def _save_password(store, token: str, password: str):
    user = mail.use_link(store, token, SET_PURPOSES)
    if user is None:  # used meanwhile, in another tab
        return render_template("accounts/link_dead.html"), 410
    password_hash = auth.hash_password(password)
    with store.transaction() as db:
        # Following a link sent to the address proves it; older sessions end with the old password.
        db.execute(
            "UPDATE users SET password_hash = ?, must_reset_password = 0, must_verify_email = 0, "
            "updated_at = ? WHERE id = ?",
            (password_hash, now(), user["id"]),
        )
        db.execute("UPDATE tokens SET revoked = 1 WHERE user_id = ?", (user["id"],))
    auth.clear_failures(store, user["email"])
    return render_template("accounts/done.html", purpose=user["link_purpose"])


@bp.route("/verify-email", methods=["GET", "POST"])
def resend_verification():
    store = _store()
    email = (request.values.get("email") or "").strip()[:254]
    if request.method == "POST":
        user = mail.user_by_email(store, email)
        if user is not None and user["must_verify_email"] and not user["disabled"]:
            mail.send_verification(store, user)
        return render_template("accounts/sent.html", email=email, purpose="verify")
    return render_template("accounts/resend.html", email=email)


@bp.get("/verify-email/<token>")
def verify_email(token: str):
    store = _store()
    user = mail.use_link(store, token, ("verify",))
    if user is None:
        return render_template("accounts/link_dead.html", purpose="verify"), 410
    store.execute(
        "UPDATE users SET must_verify_email = 0, updated_at = ? WHERE id = ?", now(), user["id"]
    )
    return render_template("accounts/done.html", purpose="verify")
