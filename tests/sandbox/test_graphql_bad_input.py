"""Bad input to /helium gets a clear 4xx or GraphQL error, never a 500; the store stays intact."""

from __future__ import annotations

import pytest
import requests

from tests.sandbox.conftest import GQL_API_KEY

TABLES = ("users", "enrollments", "certificates", "codes", "content", "tokens", "waitlist")


def snapshot(sandbox) -> dict:
    return {table: sandbox.count(table) for table in TABLES}


def post_raw(sandbox, data: bytes, api_key="test-key", content_type="application/json"):
    return requests.post(
        f"{sandbox.url}/helium",
        params={"apiKey": api_key},
        data=data,
        headers={"Content-Type": content_type},
        timeout=10,
    )


def test_missing_or_wrong_api_key_is_401_before_any_resolver(gql_sandbox):
    before = snapshot(gql_sandbox)
    for key in ("", "wrong-key"):
        answer = gql_sandbox.gql(
            'mutation { CreateLearner(email: "x@example.com", '
            'firstName: "X", lastName: "Y") { id } }',
            api_key=key,
        )
        assert answer.status_code == 401
        assert answer.json() == {
            "errors": [
                {"message": "Invalid or missing API key.", "extensions": {"code": "UNAUTHORIZED"}}
            ]
        }
    assert snapshot(gql_sandbox) == before


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"[1, 2]",
        b'{"query": 5}',
        b"\xff\xfe",
        b'{"query": "{ Languages { code } }", "variables": [1]}',
    ],
)
def test_malformed_bodies_are_400_with_json(gql_sandbox, body):
    answer = post_raw(gql_sandbox, body)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"]


def test_syntax_errors_are_400(gql_sandbox):
    answer = gql_sandbox.gql("{ Languages { code }")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ("{ Languages { nope } }", None),  # unknown field
        ('{ UserRecentContent(limit: "ten") { id } }', None),  # wrong literal type
        ("{ UserContentItems(kind: [podcast]) { id } }", None),  # unknown enum
        ("query($l: Int) { UserRecentContent(limit: $l) { id } }", {"l": "ten"}),  # wrong type
        ("query($k: [ContentKind!]) { UserContentItems(kind: $k) { id } }", {"k": ["podcast"]}),
        ("query($s: Slug!) { LearningPathCurrentUserAwardTotals(slug: $s) { total } }", None),
        ('mutation { Login(email: "a@example.com") }', None),  # missing argument
    ],
)
def test_validation_and_variable_errors_are_400(gql_sandbox, document, variables):
    answer = gql_sandbox.gql(document, variables, token=gql_sandbox.login())
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert errors and all(e["message"] and e["extensions"]["code"] for e in errors)


def test_oversized_limits_are_bad_user_input(gql_sandbox):
    token = gql_sandbox.login()
    for document in (
        "{ UserRecentContent(limit: 1000000) { id } }",
        "{ BadgeLeaderboard(limit: 100000) { leaders { rank } } }",
        "{ UserRecentContent(limit: -1) { id } }",
    ):
        answer = gql_sandbox.gql(document, token=token)
        assert answer.status_code == 200
        assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_huge_bodies_are_413_with_json(gql_sandbox):
    before = snapshot(gql_sandbox)
    padding = "#" + "x" * (1024 * 1024 + 10) + "\n"
    answer = gql_sandbox.gql(padding + "{ Languages { code } }")
    assert answer.status_code == 413
    assert answer.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert snapshot(gql_sandbox) == before


def test_sql_metacharacters_and_html_are_plain_text(gql_sandbox):
    token = gql_sandbox.login()
    before = snapshot(gql_sandbox)
    nasty = "'; DROP TABLE users; -- <script>alert(1)</script> \" OR 1=1"
    for document, variables in (
        ("query($q: String) { UserContentItems(query: $q) { id } }", {"q": nasty}),
        ("query($q: String) { UserCertificates(query: $q) { id } }", {"q": nasty}),
        ("mutation($c: String!) { ValidateRedemptionCode(code: $c) { valid } }", {"c": nasty}),
    ):
        answer = gql_sandbox.gql(document, variables, token=token)
        assert answer.status_code == 200 and "errors" not in answer.json()
    created = gql_sandbox.data(
        'mutation($f: String!) { CreateLearner(email: "html@example.com", firstName: $f, '
        'lastName: "O\'Brien") { firstName lastName } }',
        {"f": "<b>Bob</b>'); --"},
        who=None,
    )["CreateLearner"]
    assert created == {"firstName": "<b>Bob</b>'); --", "lastName": "O'Brien"}
    after = snapshot(gql_sandbox)
    assert after == {**before, "users": before["users"] + 1}


def test_unknown_ids_are_not_found(gql_sandbox):
    token = gql_sandbox.login()
    for document in (
        '{ UserCourseCollaborations(courseId: "nope") }',
        '{ LearningPathCurrentUserAwardTotals(slug: "nope") { total } }',
        'mutation { UnenrollFromWaitlist(id: "nope") }',
        'mutation { ArchiveUserCourse(id: "nope") }',
    ):
        answer = gql_sandbox.gql(document, token=token)
        assert answer.status_code == 200
        assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_an_unexpected_failure_is_a_generic_graphql_error_not_a_500(gql_sandbox):
    gql_sandbox.store.execute("UPDATE company SET settings = 'not json'")
    answer = gql_sandbox.gql("{ CompanyDetails { name } }")
    assert answer.status_code == 200
    error = answer.json()["errors"][0]
    assert error == {
        "message": "Internal server error.",
        "path": ["CompanyDetails"],
        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
    }


def test_point_budget_answers_429_with_retry_after(make_gql_sandbox):
    sandbox = make_gql_sandbox(points_per_minute=10)
    for _ in range(10):
        assert sandbox.gql("{ Languages { code } }").status_code == 200
    answer = sandbox.gql("{ Languages { code } }")
    assert answer.status_code == 429
    assert 1 <= int(answer.headers["Retry-After"]) <= 60
    assert answer.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_costs_follow_the_seed(make_gql_sandbox):
    sandbox = make_gql_sandbox(points_per_minute=7)
    token = sandbox.login()  # 1 point
    # UserContentItems 3 + UserRecentContent 4 = 7: over the 6 points left
    both = sandbox.gql("{ UserContentItems { id } UserRecentContent { id } }", token=token)
    assert both.status_code == 429
    assert sandbox.gql("{ UserContentItems { id } }", token=token).status_code == 200  # 4 spent
    assert sandbox.gql("{ __typename Languages { code } }").status_code == 200  # 6 spent
    assert sandbox.gql("{ UserContentItems { id } }", token=token).status_code == 429


def test_fault_injection_fails_requests_with_502(make_gql_sandbox):
    sandbox = make_gql_sandbox(fail_rate=1.0)
    statuses = set()
    for _ in range(12):
        try:
            statuses.add(sandbox.gql("{ Languages { code } }", timeout=0.5).status_code)
        except requests.exceptions.Timeout:
            statuses.add("timeout")
    assert statuses <= {502, "timeout"} and statuses


def test_the_access_log_never_shows_the_api_key(gql_sandbox, caplog):
    import logging

    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    werkzeug.setLevel(logging.INFO)
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            gql_sandbox.gql("{ __typename }")
            gql_sandbox.gql("{ __typename }", api_key="wrong-key-typed")
    finally:
        werkzeug.setLevel(level)
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("POST /helium?apiKey=[redacted]" in line for line in lines), lines
    assert not any(GQL_API_KEY in line or "wrong-key-typed" in line for line in lines), lines
