"""The sandbox's SDL declares only what TI's reference schema has, with the same types."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLUnionType,
    build_schema,
)

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference" / "ti-helium-schema.graphql"
SANDBOX = ROOT / "portal" / "sandbox" / "schema.graphql"
# What seed 003 has and the older reference schema lacks: the seed wins.
SEED_ONLY = {
    "Mutation.RedeemBalance",
    "BalanceContentType",
    "Content.assetAltText",  # UserRecentContent's example queries it
    "User.preferredCurrency",  # CurrentUser's example queries it
    *(f"LearnerInput.ref{i}" for i in range(1, 11)),  # CreateLearners' example passes ref1
}
SEED_OPERATIONS = """BadgeLeaderboard CompanyDetails CompanyTranslations CurrentUser Languages
LearningPathCurrentUserAwardTotals TermsAndConditions UserArchivedContent UserArchives
UserCertificateFields UserCertificates UserContentGroups UserContentItems UserCourseAwardCounts
UserCourseCollaborations UserEarnedBadgeBoard UserRecentContent UserWaitlist
CreateCertificateFromUpload CreateLearner CreateLearners Login Logout RedeemBalance
RedeemRegistrationAndRedemptionCodes SelectCurrentUserActiveLicense UnenrollFromWaitlist
ValidateRedemptionCode ValidateRegistrationCode""".split()
PORTAL_EXTRAS = """ArchiveUserCourse ArchiveUserLearningPath ReinstateUserCourse
ReinstateUserLearningPath CatalogContent UserCourseProgress UserCourseCompletionProgress CourseById
LearningPathBySlug CurrentUserLearningPathMilestoneCompletionsBySlug UpdateTopicAndCourseProgress
UserBookmarks UserBookmarksByFolder CreateBookmark UpdateBookmark DestroyBookmark
CreateBookmarkFolder UpdateBookmarkFolder DestroyBookmarkFolder""".split()


@pytest.fixture(scope="module")
def schemas():
    return build_schema(SANDBOX.read_text()), build_schema(REFERENCE.read_text())


def own_types(schema):
    return {name: t for name, t in schema.type_map.items() if not name.startswith("__")}


def test_every_seed_operation_and_portal_extra_is_declared(schemas):
    mine, _ = schemas
    declared = set(mine.query_type.fields) | set(mine.mutation_type.fields)
    assert set(SEED_OPERATIONS) | set(PORTAL_EXTRAS) == declared
    assert len(SEED_OPERATIONS) == 29


def test_every_declared_type_field_and_argument_matches_the_reference(schemas):
    mine, reference = schemas
    problems = []
    for name, kind in own_types(mine).items():
        if name in SEED_ONLY:
            continue
        theirs = reference.type_map.get(name)
        if theirs is None or type(theirs) is not type(kind):
            problems.append(f"{name}: not the same kind of type in the reference")
            continue
        if isinstance(kind, GraphQLObjectType | GraphQLInputObjectType):
            for field_name, field in kind.fields.items():
                where = f"{name}.{field_name}"
                if where in SEED_ONLY:
                    continue
                other = theirs.fields.get(field_name)
                if other is None or str(other.type) != str(field.type):
                    problems.append(f"{where}: {field.type} vs {other and other.type}")
                    continue
                for arg_name, arg in getattr(field, "args", {}).items():
                    other_arg = other.args.get(arg_name)
                    if other_arg is None or str(other_arg.type) != str(arg.type):
                        problems.append(f"{where}({arg_name}): {arg.type}")
        elif isinstance(kind, GraphQLEnumType):
            if set(kind.values) != set(theirs.values):
                problems.append(f"{name}: enum values differ")
        elif isinstance(kind, GraphQLUnionType):
            if {t.name for t in kind.types} != {t.name for t in theirs.types}:
                problems.append(f"{name}: union members differ")
    assert problems == []


def test_root_fields_keep_the_reference_signature_and_arguments(schemas):
    mine, reference = schemas
    for root, theirs in (
        (mine.query_type, reference.query_type),
        (mine.mutation_type, reference.mutation_type),
    ):
        for name, field in root.fields.items():
            if f"{root.name}.{name}" in SEED_ONLY:
                continue
            assert set(field.args) == set(theirs.fields[name].args), name


def test_redeem_balance_follows_seed_003(schemas):
    mine, _ = schemas
    field = mine.mutation_type.fields["RedeemBalance"]
    assert str(field.type) == "AbsoluteOrRelativeURL"
    assert {n: str(a.type) for n, a in field.args.items()} == {
        "contentType": "BalanceContentType!",
        "contentId": "UUID!",
    }
    assert set(mine.type_map["BalanceContentType"].values) == {"courses"}
