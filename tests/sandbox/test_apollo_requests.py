"""Requests as Apollo Client sends them: batches, persisted queries, the authToken cookie."""

from __future__ import annotations

import hashlib

import requests

from tests.sandbox.conftest import GQL_API_KEY

LANGUAGES = "query Languages { Languages { __typename code } }"
USER = "query Me { CurrentUser { __typename id email } }"


def post(sandbox, body, token=None, cookies=None) -> requests.Response:
    return requests.post(
        f"{sandbox.url}/helium",
        params={"apiKey": GQL_API_KEY},
        json=body,
        headers={"authToken": token} if token else {},
        cookies=cookies,
        timeout=10,
    )


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str, with_query: bool, name: str | None = None) -> dict:
    body = {
        "operationName": name,
        "variables": {},
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(query)}},
    }
    if with_query:
        body["query"] = query
    return body


def test_a_batch_is_an_array_of_results_in_the_order_sent_each_with_its_own_errors(
    gql_sandbox,
):
    token = gql_sandbox.login()
    answer = post(
        gql_sandbox,
        [
            {"query": LANGUAGES, "operationName": "Languages"},
            {"query": "{ Languages { nope } }"},
            {"query": USER, "operationName": "Me"},
            {"query": '{ UserCourseCollaborations(courseId: "nope") }'},
            {"query": "{ Languages { code }"},
        ],
        token=token,
    )
    assert answer.status_code == 200
    languages, invalid, me, missing, unparsed = answer.json()
    assert [lang["code"] for lang in languages["data"]["Languages"]] == ["en", "fr"]
    assert {lang["__typename"] for lang in languages["data"]["Languages"]} == {"Language"}
    assert "errors" not in languages
    assert "data" not in invalid
    assert invalid["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert me == {
        "data": {
            "CurrentUser": {
                "__typename": "User",
                "id": gql_sandbox.ids["avery"],
                "email": "avery@example.com",
            }
        }
    }
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert unparsed["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_a_batch_runs_its_operations_in_order_each_seeing_the_last_ones_changes(gql_sandbox):
    token = gql_sandbox.login()
    content = gql_sandbox.ids["archived"]
    answer = post(
        gql_sandbox,
        [
            {"query": f'mutation {{ ReinstateUserCourse(id: "{content}") }}'},
            {"query": "{ UserArchives { resource } }"},
        ],
        token=token,
    ).json()
    assert answer[0] == {"data": {"ReinstateUserCourse": content}}
    assert content not in {a["resource"] for a in answer[1]["data"]["UserArchives"]}


def test_malformed_batches_are_refused_whole(gql_sandbox):
    for body in ([], [{"query": LANGUAGES}, "x"], [{"query": LANGUAGES}] * 51):
        answer = post(gql_sandbox, body)
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_each_operation_of_a_batch_costs_its_points_and_an_over_budget_batch_runs_nothing(
    make_gql_sandbox,
):
    sandbox = make_gql_sandbox(points_per_minute=9)
    token = sandbox.login()  # 1 point, 8 left
    items = "{ UserContentItems { id } }"  # 3 points
    recent = "{ UserRecentContent { id } }"  # 4 points
    four = [{"query": items}, {"query": recent}, {"query": LANGUAGES}, {"query": LANGUAGES}]
    over = post(sandbox, four, token=token)
    assert over.status_code == 429
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    assert over.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    fits = post(sandbox, [{"query": items}, {"query": recent}], token=token)
    assert fits.status_code == 200 and all("data" in r for r in fits.json())
    # 8 spent with the login: one point is left, and an operation costs one at least.
    assert post(sandbox, [{"query": LANGUAGES}]).status_code == 200
    assert post(sandbox, [{"query": LANGUAGES}]).status_code == 429
    # A refused element (here a hash never sent) costs nothing.
    unknown = post(sandbox, [persisted("{ Languages { label } }", with_query=False)])
    assert unknown.status_code == 200


def test_an_unknown_persisted_hash_is_not_found_then_the_query_with_its_hash_works(
    gql_sandbox,
):
    first = post(gql_sandbox, persisted(LANGUAGES, with_query=False, name="Languages"))
    assert first.status_code == 200
    assert first.json() == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
    retry = post(gql_sandbox, persisted(LANGUAGES, with_query=True, name="Languages"))
    assert retry.status_code == 200
    assert [lang["code"] for lang in retry.json()["data"]["Languages"]] == ["en", "fr"]
    # Known now: the hash alone is enough, batched too.
    again = post(gql_sandbox, [persisted(LANGUAGES, with_query=False, name="Languages")])
    assert again.json()[0] == retry.json()


def test_a_hash_must_be_its_querys_and_version_one(gql_sandbox):
    wrong = persisted(LANGUAGES, with_query=True)
    wrong["extensions"]["persistedQuery"]["sha256Hash"] = sha(USER)
    answer = post(gql_sandbox, wrong)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"] == "provided sha does not match query"
    # The mismatched hash was not remembered for either query.
    unknown = post(gql_sandbox, persisted(USER, with_query=False)).json()
    assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    for bad in ({"version": 2, "sha256Hash": sha(LANGUAGES)}, {"version": 1, "sha256Hash": "x"}):
        answer = post(gql_sandbox, {"query": LANGUAGES, "extensions": {"persistedQuery": bad}})
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    batched = post(gql_sandbox, [wrong, {"query": LANGUAGES}]).json()
    assert batched[0]["errors"][0]["message"] == "provided sha does not match query"
    assert "data" in batched[1]


def test_login_sets_the_auth_token_cookie_and_the_cookie_signs_requests_in(gql_sandbox):
    email, password = gql_sandbox.passwords["avery"]
    login = post(
        gql_sandbox,
        {
            "query": "mutation($e: String!, $p: String!) { Login(email: $e, password: $p) }",
            "variables": {"e": email, "p": password},
        },
    )
    token = login.json()["data"]["Login"]
    cookie = login.headers["Set-Cookie"]
    assert cookie.startswith(f"authToken={token};")
    assert "HttpOnly" in cookie and "Path=/" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=43200" in cookie
    assert login.cookies["authToken"] == token
    by_cookie = post(gql_sandbox, {"query": USER}, cookies={"authToken": token})
    assert by_cookie.json()["data"]["CurrentUser"]["email"] == email
    # The header wins over a cookie, as it names the caller explicitly.
    noah = gql_sandbox.login("noah")
    both = post(gql_sandbox, {"query": USER}, token=noah, cookies={"authToken": token})
    assert both.json()["data"]["CurrentUser"]["email"] == "noah@example.com"
    # A refused login sets no cookie; a logout clears it and ends the token.
    refused = post(
        gql_sandbox,
        {"query": f'mutation {{ Login(email: "{email}", password: "wrong") }}'},
    )
    assert "Set-Cookie" not in refused.headers
    logout = post(gql_sandbox, {"query": "mutation { Logout }"}, cookies={"authToken": token})
    assert logout.json() == {"data": {"Logout": True}}
    assert logout.headers["Set-Cookie"].startswith("authToken=;")
    ended = post(gql_sandbox, {"query": USER}, cookies={"authToken": token})
    assert ended.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_bad_cookie_is_refused_like_a_bad_header(gql_sandbox):
    answer = post(gql_sandbox, {"query": USER}, cookies={"authToken": "not-a-token"})
    assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Set-Cookie" not in answer.headers
