"""The instance's account pages as the sandbox plays them: outbox, set and reset password,
email verification; links are single-use, expire, and unknown emails learn nothing."""

from __future__ import annotations

import requests

from portal.sandbox.store import now

LOGIN = "mutation($e: String!, $p: String!) { Login(email: $e, password: $p) }"


def login(gql_sandbox, email, password) -> bool:
    body = gql_sandbox.gql(LOGIN, {"e": email, "p": password}).json()
    return bool((body.get("data") or {}).get("Login"))


def last_link(gql_sandbox, email) -> str | None:
    return gql_sandbox.store.scalar(
        "SELECT link FROM outbox WHERE to_email = ? ORDER BY sent_at DESC, rowid DESC LIMIT 1",
        email,
    )


def test_reset_sends_a_single_use_link_and_the_old_password_stops_working(gql_sandbox):
    email, old = gql_sandbox.passwords["avery"]
    asked = requests.post(f"{gql_sandbox.url}/forgot-password", data={"email": email})
    assert asked.status_code == 200
    link = last_link(gql_sandbox, email)
    assert link and "/reset-password/" in link
    outbox = requests.get(f"{gql_sandbox.url}/outbox")
    assert outbox.status_code == 200 and link in outbox.text and email in outbox.text
    assert requests.get(link).status_code == 200
    mismatch = requests.post(link, data={"password": "new-secret-1", "confirm": "other-one"})
    assert mismatch.status_code == 422 and "not the same" in mismatch.text
    short = requests.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422
    saved = requests.post(link, data={"password": "new-secret-1", "confirm": "new-secret-1"})
    assert saved.status_code == 200 and "sign in" in saved.text
    assert login(gql_sandbox, email, "new-secret-1")
    assert not login(gql_sandbox, email, old)
    again = requests.post(link, data={"password": "newer-secret", "confirm": "newer-secret"})
    assert again.status_code == 410
    assert not login(gql_sandbox, email, "newer-secret")


def test_reset_answers_the_same_for_unknown_emails_and_sends_nothing(gql_sandbox):
    email, _ = gql_sandbox.passwords["avery"]
    known = requests.post(f"{gql_sandbox.url}/forgot-password", data={"email": email})
    unknown = requests.post(
        f"{gql_sandbox.url}/forgot-password", data={"email": "nobody@example.com"}
    )
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(email, "X") == unknown.text.replace("nobody@example.com", "X")
    assert last_link(gql_sandbox, "nobody@example.com") is None


def test_links_expire_and_a_newer_link_replaces_an_older_one(gql_sandbox):
    email, _ = gql_sandbox.passwords["avery"]
    requests.post(f"{gql_sandbox.url}/forgot-password", data={"email": email})
    first = last_link(gql_sandbox, email)
    requests.post(f"{gql_sandbox.url}/forgot-password", data={"email": email})
    second = last_link(gql_sandbox, email)
    assert first != second
    assert requests.get(first).status_code == 410
    gql_sandbox.store.execute("UPDATE account_links SET expires_at = ?", "2000-01-01T00:00:00Z")
    assert requests.get(second).status_code == 410
    assert "/forgot-password" in requests.get(second).text
    assert requests.get(f"{gql_sandbox.url}/reset-password/made-up").status_code == 410


def test_verification_link_clears_must_verify_email_once(gql_sandbox):
    email, _ = gql_sandbox.passwords["avery"]
    store = gql_sandbox.store
    store.execute("UPDATE users SET must_verify_email = 1, updated_at = ? WHERE email = ?",
                  now(), email)  # fmt: skip
    page = requests.get(f"{gql_sandbox.url}/verify-email", params={"email": email})
    assert page.status_code == 200 and f'value="{email}"' in page.text
    requests.post(f"{gql_sandbox.url}/verify-email", data={"email": email})
    link = last_link(gql_sandbox, email)
    assert "/verify-email/" in link
    assert requests.get(link).status_code == 200
    assert store.scalar("SELECT must_verify_email FROM users WHERE email = ?", email) == 0
    assert requests.get(link).status_code == 410
    # A verified address gets no more verification mail.
    requests.post(f"{gql_sandbox.url}/verify-email", data={"email": email})
    assert last_link(gql_sandbox, email) == link


def test_sent_mail_is_printed_to_the_console(gql_sandbox, capfd):
    email, _ = gql_sandbox.passwords["avery"]
    requests.post(f"{gql_sandbox.url}/forgot-password", data={"email": email})
    printed = capfd.readouterr().err
    assert f"--- mail to {email}: Reset your password" in printed
    assert last_link(gql_sandbox, email) in printed


def test_mail_links_name_the_configured_address_never_the_host_asked_for(gql_sandbox):
    email, _ = gql_sandbox.passwords["avery"]
    forged = requests.post(
        f"{gql_sandbox.url}/forgot-password",
        data={"email": email},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    assert forged.status_code == 200
    link = last_link(gql_sandbox, email)
    assert link.startswith(gql_sandbox.url + "/reset-password/"), link
    assert "evil.example" not in link
    # The address it is started with wins over the one it listens on.
    gql_sandbox.app.extensions["sandbox"].public_url = "https://academy.example.com"
    requests.post(f"{gql_sandbox.url}/forgot-password", data={"email": email})
    assert last_link(gql_sandbox, email).startswith("https://academy.example.com/reset-password/")


def test_a_few_reset_mails_an_hour_whatever_is_asked(gql_sandbox):
    email, _ = gql_sandbox.passwords["avery"]
    answers = [
        requests.post(f"{gql_sandbox.url}/forgot-password", data={"email": email})
        for _ in range(20)
    ]
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.text for answer in answers}) == 1  # nothing says mail stopped
    sent = gql_sandbox.store.scalar("SELECT COUNT(*) FROM outbox WHERE to_email = ?", email)
    assert sent == 3
    # The last link sent still works: the learner can reset their password.
    link = last_link(gql_sandbox, email)
    assert requests.get(link).status_code == 200
    # An hour later, another can be sent.
    gql_sandbox.store.execute("UPDATE account_links SET created_at = '2000-01-01T00:00:00Z'")
    requests.post(f"{gql_sandbox.url}/forgot-password", data={"email": email})
    assert gql_sandbox.store.scalar("SELECT COUNT(*) FROM outbox WHERE to_email = ?", email) == 4
