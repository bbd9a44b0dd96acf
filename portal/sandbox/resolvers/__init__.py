"""Resolvers of the sandbox's GraphQL schema, one module per area; `schema()` binds them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ariadne import load_schema_from_path, make_executable_schema
from graphql import GraphQLSchema

from . import (  # noqa: F401  (register)
    auth,
    badges,
    bookmarks,
    certificates,
    codes,
    content,
    course_groups,
    deployments,
    instance,
    learning,
    storefront,
    users,
)
from .common import content_type, course_type, learning_path_type, mutation, query, user_type

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema.graphql"


@cache
def schema() -> GraphQLSchema:
    return make_executable_schema(
        load_schema_from_path(str(SCHEMA_PATH)),
        query,
        mutation,
        user_type,
        content_type,
        course_type,
        learning_path_type,
        learning.page_resource,
        course_groups.course_group_type,
        course_groups.client_type,
        storefront.product_type,
        bookmarks.folder_type,
    )
