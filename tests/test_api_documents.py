"""Every GraphQL document of the portal is one well-named operation that the API accepts."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate
from graphql.language import OperationDefinitionNode

from portal.api.documents import read_document

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = ROOT / "portal/api/operations"
REFERENCE_SCHEMA = Path(__file__).resolve().parents[2] / "shared/reference/ti-helium-schema.graphql"
SANDBOX_SCHEMA = ROOT / "portal/sandbox/schema.graphql"
# RedeemBalance is documented (seed 003) but missing from the reference schema.
REDEEM_BALANCE = """
extend type Mutation {
  RedeemBalance(contentType: BalanceContentType!, contentId: UUID!): AbsoluteOrRelativeURL
}
"""
BALANCE_CONTENT_TYPE = "enum BalanceContentType { courses }"
DOCUMENTS = sorted(OPERATIONS.glob("*.graphql"))


@cache
def schema(path: Path, extension: str = ""):
    text = path.read_text(encoding="utf-8")
    if extension and "enum BalanceContentType" not in text:
        extension += BALANCE_CONTENT_TYPE
    return build_schema(text + extension)


def operations_of(document):
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def uses_redeem_balance(document) -> bool:
    return any(
        getattr(selection, "name", None) and selection.name.value == "RedeemBalance"
        for operation in operations_of(document)
        for selection in operation.selection_set.selections
    )


def messages(errors) -> str:
    return "\n".join(error.message for error in errors)


def test_the_core_documents_exist():
    names = {path.stem for path in DOCUMENTS}
    assert {"Login", "Logout", "CurrentUser", "InstanceData"} <= names


def strings_in_code() -> set[str]:
    """Every string constant of the portal's Python (the sandbox is not the portal)."""
    found = set()
    for path in (ROOT / "portal").rglob("*.py"):
        if "sandbox" in path.relative_to(ROOT / "portal").parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found |= {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
    return found


def test_every_document_is_run_by_the_portal():
    """A document no code names drifts from the ones pages use: it is deleted, not kept."""
    unused = sorted({path.stem for path in DOCUMENTS} - strings_in_code())
    assert not unused, f"documents no code runs: {unused}"


# Seed 003 operations the portal asks for inside a page's document, not on their own: each is
# a root field of its page document, validated with it above and run with it below.
FOLDED = {
    "InstanceData": {"CompanyDetails", "CompanyTranslations", "Languages", "TermsAndConditions"},
    "BadgesPage": {"UserEarnedBadgeBoard", "BadgeLeaderboard"},
    "DashboardPage": {
        "UserContentGroups",
        "UserContentItems",
        "UserRecentContent",
        "UserWaitlist",
        "UserArchives",
        "UserArchivedContent",
        "UserCertificates",
    },
    "CoursePage": {
        "CourseById",
        "UserCourseProgress",
        "UserCourseAwardCounts",
        "UserCourseCollaborations",
        "UserCertificates",
        "UserContentItems",
    },
    "LearningPathPage": {
        "LearningPathBySlug",
        "CurrentUserLearningPathMilestoneCompletionsBySlug",
        "LearningPathCurrentUserAwardTotals",
        "UserContentItems",
    },
    "CertificatesPage": {"UserCertificates"},
}


@pytest.mark.parametrize("name", sorted(FOLDED))
def test_seed_operations_are_root_fields_of_their_page_document(name):
    from portal.api import documents

    assert FOLDED[name] <= set(documents.get(name).root_fields)


def page_variables(sandbox) -> dict:
    course = sandbox.store.scalar(
        "SELECT id FROM content WHERE title = ?", "Coaching Conversations"
    )
    path = sandbox.store.scalar("SELECT slug FROM content WHERE title = ?", "New Manager Journey")
    flags = (
        "withItems",
        "withRecent",
        "withWaitlist",
        "withArchived",
        "withCertificates",
        "withExpiring",
        "withCompletions",
        "withEventFields",
        "withBookmarks",
    )
    return {
        "InstanceData": {},
        "BadgesPage": {"limit": 10},
        "DashboardPage": {"recentLimit": 6, **dict.fromkeys(flags, True)},
        "CoursePage": {"id": course},
        "LearningPathPage": {"slug": path},
        "CertificatesPage": {"includeExpiredCertificates": True},
    }


def test_page_documents_answer_every_folded_operation(app, sandbox):
    from portal import api
    from portal.sandbox.demo import DEMO_LOGINS

    email, password = DEMO_LOGINS["busy"]
    with app.test_request_context("/"):
        token = api.run_anonymous("Login", email=email, password=password)["Login"]
        for name, variables in page_variables(sandbox).items():
            data = api.run_as(token, name, **variables)
            missing = sorted(field for field in FOLDED[name] if data.get(field) is None)
            assert not missing, f"{name} answered nothing for {missing}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.stem)
def test_document_is_one_operation_named_as_its_file(path):
    document = parse(path.read_text(encoding="utf-8"))
    operations = operations_of(document)
    assert len(operations) == 1, f"{path.name} holds {len(operations)} operations"
    assert operations[0].name is not None, f"{path.name}: the operation has no name"
    assert operations[0].name.value == path.stem


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.stem)
def test_document_validates_against_the_reference_schema(path):
    if not REFERENCE_SCHEMA.exists():
        pytest.skip(f"reference schema not found at {REFERENCE_SCHEMA} (../shared beside the repo)")
    document = read_document(path)
    extension = REDEEM_BALANCE if uses_redeem_balance(document) else ""
    errors = validate(schema(REFERENCE_SCHEMA, extension), document)
    assert not errors, f"{path.name}:\n{messages(errors)}"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.stem)
def test_document_validates_against_the_sandbox_schema(path):
    if not SANDBOX_SCHEMA.exists():
        pytest.skip(f"sandbox schema {SANDBOX_SCHEMA} does not exist yet")
    errors = validate(schema(SANDBOX_SCHEMA), read_document(path))
    assert not errors, f"{path.name}:\n{messages(errors)}"


def test_loaded_operations_know_their_kind_and_cost():
    from portal.api import documents

    assert set(documents.OPERATIONS) == {path.stem for path in DOCUMENTS}
    assert documents.get("Login").is_mutation
    assert not documents.get("CurrentUser").is_mutation
    instance = documents.get("InstanceData")
    assert set(instance.root_fields) == {
        "CompanyDetails",
        "Languages",
        "CompanyTranslations",
        "TermsAndConditions",
    }
    assert instance.points == 4


def test_shared_fragments_are_appended_to_the_documents_that_use_them(tmp_path):
    from portal.api.documents import load_fragments

    if not REFERENCE_SCHEMA.exists():
        pytest.skip(f"reference schema not found at {REFERENCE_SCHEMA}")
    (tmp_path / "Uses.graphql").write_text("query Uses { CurrentUser { ...Outer } }")
    fragments = tmp_path / "fragments"
    fragments.mkdir()
    (fragments / "Shared.graphql").write_text(
        "fragment Outer on User { id ...Inner } fragment Inner on User { email }"
    )
    document = read_document(tmp_path / "Uses.graphql", load_fragments(fragments))
    names = [definition.name.value for definition in document.definitions]
    assert sorted(names) == ["Inner", "Outer", "Uses"]
    assert not validate(schema(REFERENCE_SCHEMA), document)


def test_points_follow_the_documented_prices(tmp_path):
    from portal.api.documents import parse_operation

    path = tmp_path / "Costly.graphql"
    path.write_text(
        "query Costly { UserRecentContent { id } UserContentItems { id } "
        "...More __typename } fragment More on Query { CurrentUser { id } }"
    )
    assert parse_operation(path).points == 4 + 3 + 1 + 1  # introspection costs one in all


def test_the_portal_counts_the_points_of_every_document_as_the_instance_does():
    """The API budget is kept by counting before sending: the count must be the instance's
    (the sandbox counts as seed 003 prices), for single, batched and merged documents."""
    from graphql import parse

    from portal.api import documents
    from portal.sandbox.limits import document_cost

    built = [documents.batched("UserCourseProgress", 3),
             documents.with_batch("DashboardPage", "UserCourseProgress", 2),
             documents.merged("SignedIn", "LearnerCompany", "CalendarItems")]  # fmt: skip
    for operation in [*documents.OPERATIONS.values(), *built]:
        cost = document_cost(parse(operation.text), operation.name)
        assert operation.points == cost, operation.name


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("query Other { CurrentUser { id } }", "expected 'Broken'"),
        ("query Broken { a } query Broken2 { b }", "2 operations"),
        ("query Broken { CurrentUser { id }", "Syntax Error"),
    ],
)
def test_a_broken_document_is_refused_at_load(tmp_path, text, problem):
    from portal.api.documents import DocumentError, load

    (tmp_path / "Broken.graphql").write_text(text)
    with pytest.raises(DocumentError, match=problem):
        load(tmp_path)
