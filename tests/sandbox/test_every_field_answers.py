"""Every field of every type the sandbox serves answers: each root query, asked for all of its
fields three levels deep on the demo instance, returns no error. A field the reference makes
non-null must have a value wherever the sandbox returns its object."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    build_schema,
    get_named_type,
    is_non_null_type,
)

from portal.sandbox.demo import DEMO_LOGINS
from portal.sandbox.demo_storefront import NEWS_FEED

SCHEMA = build_schema(
    (Path(__file__).resolve().parents[2] / "portal/sandbox/schema.graphql").read_text()
)
DEPTH = 3
# Root fields that need more than an id to be answered: tests/sandbox/test_storefront.py.
ELSEWHERE = {"HeliumBatch", "HeliumDeploymentStatus", "HeliumLaunchData"}


def selection(kind, depth: int, prefix: str = "") -> str:
    """Every field without required arguments, `depth` object levels down. Inside a union's
    members each field gets an alias naming the member, so that same-named fields of
    different types do not clash."""
    kind = get_named_type(kind)
    if isinstance(kind, GraphQLUnionType):
        members = " ".join(
            f"... on {m.name} {selection(m, depth, m.name + '_')}" for m in kind.types
        )
        return f"{{ __typename {members} }}"
    if not isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
        return ""  # a scalar answer
    parts = ["__typename"]
    for name, field in kind.fields.items():
        if any(is_non_null_type(a.type) and a.default_value is None for a in field.args.values()):
            continue
        alias = f"{prefix}{name}: {name}" if prefix else name
        inner = get_named_type(field.type)
        if isinstance(inner, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            if depth:
                parts.append(f"{alias} {selection(inner, depth - 1)}")
        else:
            parts.append(alias)
    return "{ " + " ".join(parts) + " }"


@pytest.fixture(scope="module")
def served(module_sandbox):
    sandbox = module_sandbox
    endpoint = f"{sandbox.url}/helium?apiKey={sandbox.api_key}"
    email, password = DEMO_LOGINS["busy"]
    login = f'mutation {{ Login(email: "{email}", password: "{password}") }}'
    token = requests.post(endpoint, json={"query": login}, timeout=10).json()["data"]["Login"]
    store = sandbox.store

    def one(sql: str, *params) -> str:
        return store.scalar(sql, *params)

    def content(title: str, column: str = "id") -> str:
        return one(f"SELECT {column} FROM content WHERE title = ?", title)

    course, offsite = content("Coaching Conversations"), content("Leadership Offsite London")
    path = content("New Manager Journey", "slug")
    folder = one("SELECT id FROM bookmark_folders WHERE name = 'To revisit'")
    arguments = {
        "CatalogContent": "(page: 1)",
        "CompanyTranslations": "(namespace: lms)",
        "CourseById": f'(id: "{offsite}")',
        "CourseGroupBySlug": f'(slug: "{content("Leadership Offsite London", "slug")}")',
        "CurrentUserLearningPathMilestoneCompletionsBySlug": f'(slug: "{path}")',
        "LearningPathBySlug": f'(slug: "{path}")',
        "LearningPathCurrentUserAwardTotals": f'(slug: "{path}")',
        "QueryContents": f'(ids: ["{course}", "{offsite}", "{content("Annual Compliance")}"])',
        "RelatedProducts": f'(courseIds: ["{content("Foundations of Leadership")}"], '
        f"productIds: [])",
        "RssItems": f'(feedUrl: "{NEWS_FEED}")',
        "UserBookmarksByFolder": f'(id: "{folder}")',
        "UserCourseAwardCounts": f'(courseId: "{course}")',
        "UserCourseCollaborations": f'(courseId: "{course}")',
        "UserCourseCompletionProgress": f'(id: "{course}")',
        "UserCourseProgress": f'(id: "{course}")',
    }

    def ask(root: str) -> dict:
        field = SCHEMA.query_type.fields[root]
        document = f"{{ {root}{arguments.get(root, '')} {selection(field.type, DEPTH)} }}"
        answer = requests.post(
            endpoint, json={"query": document}, headers={"authToken": token}, timeout=60
        )
        return answer.json()

    return ask


@pytest.mark.parametrize("root", sorted(set(SCHEMA.query_type.fields) - ELSEWHERE), ids=str)
def test_every_field_of_a_root_query_answers_without_error(served, root):
    answer = served(root)
    assert "errors" not in answer, answer.get("errors")[:5]
    assert answer["data"][root] not in (None, [])
