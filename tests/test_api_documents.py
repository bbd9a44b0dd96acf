"""Every GraphQL document of the portal is one well-named operation that the API accepts."""

from __future__ import annotations

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
    core = {"Login", "Logout", "CurrentUser", "CompanyDetails", "CompanyTranslations"}
    assert core | {"Languages", "TermsAndConditions", "InstanceData"} <= names


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
    assert parse_operation(path).points == 4 + 3 + 1


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
