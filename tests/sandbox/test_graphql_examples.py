"""Every example of seed 003, read from the seed file itself, runs against a live sandbox."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from portal.sandbox.demo import DEMO_CODES, DEMO_LOGINS
from tests.sandbox.conftest import GqlSandbox

SEED = next((Path(__file__).resolve().parents[3] / "shared" / "seeds").glob("003_*.txt"), None)
# An operation's header: its name glued to its cost ("UserContentItems3 ptsFetch ..."), at the
# start of a line or right after the previous section's closing brace.
HEADER = re.compile(r"(?:^|(?<=[}\]]))([A-Z][A-Za-z]+?)(\d+) pts?(?=[A-Z])", re.M)


def seed_examples() -> list[dict]:
    text = SEED.read_text(encoding="utf-8")
    heads = list(HEADER.finditer(text))
    examples = []
    for index, head in enumerate(heads):
        end = heads[index + 1].start() if index + 1 < len(heads) else len(text)
        section = text[head.start() : end]
        found = re.search(r"^Example\n(.*?)Example Response\n", section, re.S | re.M)
        document, variables = found.group(1), None
        if "# Variables:" in document:
            document, _, block = document.partition("# Variables:")
            variables = json.loads("\n".join(line.lstrip("#") for line in block.splitlines()))
        response, _ = json.JSONDecoder().raw_decode(section[found.end() :])
        examples.append(
            {
                "name": head.group(1),
                "cost": int(head.group(2)),
                "document": document,
                "variables": variables,
                "response": response,
            }
        )
    return examples


EXAMPLES = seed_examples() if SEED else []
PLACEHOLDER_ID = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"


def replacements(IDS: dict, CODES: dict, PASSWORDS: dict) -> dict:  # noqa: N803
    """The seed's placeholder values -> values of the test dataset (each must be in its example)."""
    return {
        "UserCourseAwardCounts": {PLACEHOLDER_ID: IDS["analytics"]},
        "UserCourseCollaborations": {PLACEHOLDER_ID: IDS["analytics"]},
        "RedeemBalance": {PLACEHOLDER_ID: IDS["paid"]},
        "SelectCurrentUserActiveLicense": {"lic_abc123": IDS["license_enterprise"]},
        "UnenrollFromWaitlist": {"course_abc123": IDS["workshop"]},
        "ValidateRedemptionCode": {"COURSE-ABC-XYZ": CODES["valid"]},
        "ValidateRegistrationCode": {"WELCOME2024": CODES["registration"]},
        "RedeemRegistrationAndRedemptionCodes": {
            '"WELCOME2024"': f'"{CODES["valid"]}"',
            '"COURSE-ABC-XYZ"': f'"{CODES["registration"]}"',
        },
        "Login": {"s3cur3P@ssword!": PASSWORDS["avery"][1]},
        "CreateLearner": {
            "client_001": IDS["client_a"],
            "license_101": IDS["license_standard"],
            "license_202": IDS["license_enterprise"],
        },
    }


# Variables the seed's example needs but does not give.
VARIABLES = {
    "LearningPathCurrentUserAwardTotals": {"slug": "data-science-path"},
    "CreateCertificateFromUpload": {"asset": "https://cdn.example.com/uploads/certificate.png"},
}


def prepared(example: dict, sandbox) -> tuple[str, dict | None]:
    document = example["document"]
    PASSWORDS = sandbox.passwords  # noqa: N806
    table = replacements(sandbox.ids, sandbox.codes, PASSWORDS)
    for old, new in table.get(example["name"], {}).items():
        assert old in document, f"the seed's {example['name']} example no longer has {old}"
        document = document.replace(old, new)
    # Emails in the seed are obfuscated placeholders: use real ones that exist or are new.
    if example["name"] == "Login":
        document = re.sub(r'email: "[^"]*"', f'email: "{PASSWORDS["avery"][0]}"', document)
    if example["name"] == "CreateLearner":
        document = re.sub(r'email: "[^"]*"', 'email: "alex.johnson@example.com"', document)
    variables = example["variables"]
    if example["name"] == "CreateLearners":
        for number, learner in enumerate(variables["learners"]):
            learner["email"] = f"bulk{number}@example.com"
    extra = getattr(sandbox, "variables", VARIABLES).get(example["name"], {})
    return document, {**(variables or {}), **extra} or None


def kind(value) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "null" if value is None else "scalar"


def test_the_seed_has_all_29_operations():
    assert len(EXAMPLES) == 29
    names = {e["name"] for e in EXAMPLES}
    assert {"BadgeLeaderboard", "RedeemBalance", "ValidateRegistrationCode"} <= names


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_seed_example_runs_with_the_seed_shape(gql_sandbox, example):
    assert_seed_shape(example, gql_sandbox)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_seed_example_runs_for_the_busy_demo_learner(sandbox, example):
    assert_seed_shape(example, DemoSandbox.on(sandbox))


class DemoSandbox(GqlSandbox):
    """The demo instance seen through the example runner: the busy demo learner logs in."""

    @classmethod
    def on(cls, sandbox) -> DemoSandbox:
        store = sandbox.store
        avery = store.scalar("SELECT id FROM users WHERE email = ?", DEMO_LOGINS["busy"][0])

        def first(sql: str, *params) -> str:
            value = store.scalar(sql, *params)
            assert value, f"the demo data has nothing for: {sql}"
            return value

        ids = {
            "analytics": first(
                "SELECT content_id FROM enrollments e JOIN content c ON c.id = e.content_id "
                "WHERE user_id = ? AND c.kind = 'course' ORDER BY content_id",
                avery,
            ),
            "paid": first(
                "SELECT id FROM content WHERE visibility = 4 AND is_active = 1 AND kind = 'course' "
                "AND id NOT IN (SELECT content_id FROM enrollments WHERE user_id = ?) ORDER BY id",
                avery,
            ),
            "license_enterprise": first(
                "SELECT license_id FROM user_licenses WHERE user_id = ? ORDER BY license_id", avery
            ),
            "license_standard": first("SELECT id FROM licenses ORDER BY id"),
            "client_a": first("SELECT id FROM clients ORDER BY slug"),
            "workshop": first("SELECT content_id FROM waitlist WHERE user_id = ?", avery),
        }
        path = first(
            "SELECT slug FROM content c JOIN enrollments e ON e.content_id = c.id "
            "WHERE e.user_id = ? AND c.kind = 'learningPath' ORDER BY slug",
            avery,
        )
        demo = cls(
            url=sandbox.url,
            store=store,
            app=sandbox.app,
            ids=ids,
            codes={
                "valid": DEMO_CODES["redemption"]["valid"],
                "registration": DEMO_CODES["registration"]["valid"],
            },
            passwords={"avery": DEMO_LOGINS["busy"]},
        )
        demo.api_key = sandbox.api_key
        demo.variables = {**VARIABLES, "LearningPathCurrentUserAwardTotals": {"slug": path}}
        return demo

    def gql(self, query, variables=None, token=None, **options) -> requests.Response:
        return super().gql(query, variables, token, api_key=self.api_key, **options)


def assert_seed_shape(example: dict, sandbox) -> None:
    document, variables = prepared(example, sandbox)
    answer = sandbox.gql(document, variables, token=sandbox.login("avery"))
    body = answer.json()
    assert answer.status_code == 200, body
    assert "errors" not in body, body["errors"]
    expected = example["response"]["data"]
    assert list(body["data"]) == list(expected)
    for root, want in expected.items():
        got = body["data"][root]
        assert kind(got) == kind(want), (root, got)
        if isinstance(want, dict):
            assert set(want) <= set(got), set(want) - set(got)
        if isinstance(want, list) and want and got and isinstance(want[0], dict):
            assert set(want[0]) <= set(got[0]), set(want[0]) - set(got[0])
