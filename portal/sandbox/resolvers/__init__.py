"""Resolvers of the sandbox's GraphQL schema, one module per area; `schema()` binds them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ariadne import load_schema_from_path, make_executable_schema
from graphql import GraphQLSchema

from . import auth, badges, certificates, codes, content, instance, users  # noqa: F401  (register)
from .common import content_type, mutation, query, user_type

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema.graphql"


@cache
def schema() -> GraphQLSchema:
    return make_executable_schema(
        load_schema_from_path(str(SCHEMA_PATH)), query, mutation, user_type, content_type
    )
