"""The GraphQL documents under operations/, parsed once at start-up and keyed by operation name.

Selections several documents share live once, as named fragments in `fragments/*.graphql`; a
document that spreads one (`...CompanyFields`) gets its definition appended when loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from gql import GraphQLRequest
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

OPERATIONS_DIR = Path(__file__).resolve().parent / "operations"
FRAGMENTS_DIR = Path(__file__).resolve().parent / "fragments"

# API points per root field, as the TI documentation prices them (CatalogContent as the
# reference schema's instance counts it); any other field costs 1.
POINTS = {"UserContentItems": 3, "UserRecentContent": 4, "CatalogContent": 3}


class PrintedRequest(GraphQLRequest):
    """A GraphQLRequest whose document is printed once, when loaded: gql prints the document
    again on every call otherwise, which cost more than rendering a small page."""

    def __init__(self, request: GraphQLRequest, text: str, **kwargs):
        super().__init__(request, **kwargs)
        self.text = text

    @property
    def payload(self) -> dict:
        payload = {"query": self.text, "operationName": self.operation_name}
        if self.variable_values:
            payload["variables"] = self.variable_values
        return payload


@dataclass(frozen=True)
class Operation:
    """One parsed document: what to send, whether it may be retried, what it costs."""

    name: str
    request: GraphQLRequest
    is_mutation: bool
    root_fields: tuple[str, ...]
    points: int
    text: str = ""
    # Root fields (aliases) whose errors leave that field empty instead of failing the call:
    # the batched copies riding along with another document (`with_batch`).
    optional_fields: frozenset[str] = frozenset()

    def request_with(self, variables: dict | None) -> GraphQLRequest:
        """The request to send with these variables."""
        text = self.text or print_ast(self.request.document)
        return PrintedRequest(self.request, text, variable_values=variables)


class DocumentError(ValueError):
    """A file under operations/ is not one well-formed operation named like the file."""


def _root_fields(selection_set: SelectionSetNode, fragments: dict) -> list[str]:
    found = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            found.append(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_root_fields(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode):
            found.extend(_root_fields(fragments[selection.name.value].selection_set, fragments))
    return found


class _Spreads(Visitor):
    def __init__(self):
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node, *_):
        self.names.add(node.name.value)


def _spread_names(node) -> set[str]:
    spreads = _Spreads()
    visit(node, spreads)
    return spreads.names


def _parse(path: Path) -> DocumentNode:
    try:
        return parse(path.read_text(encoding="utf-8"))
    except Exception as error:  # graphql.GraphQLError: a syntax error, with its location
        raise DocumentError(f"{path.name}: {error}") from error


def load_fragments(directory: Path = FRAGMENTS_DIR) -> dict[str, FragmentDefinitionNode]:
    """The shared fragments, by name."""
    found = {}
    for path in sorted(directory.glob("*.graphql")):
        for definition in _parse(path).definitions:
            if not isinstance(definition, FragmentDefinitionNode):
                raise DocumentError(f"{path.name}: only fragments belong in {directory.name}/")
            found[definition.name.value] = definition
    return found


def read_document(path: Path, fragments: dict | None = None) -> DocumentNode:
    """The document in path with the shared fragments it uses (directly or not) appended."""
    document = _parse(path)
    shared = load_fragments() if fragments is None else fragments
    defined = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    added, pending = [], _spread_names(document)
    while pending:
        name = pending.pop()
        if name in defined or name not in shared:
            continue  # an unknown fragment is reported when the document is checked
        defined.add(name)
        added.append(shared[name])
        pending |= _spread_names(shared[name])
    return DocumentNode(definitions=(*document.definitions, *added))


def parse_operation(path: Path, fragments: dict | None = None) -> Operation:
    """Parse path and check it holds exactly one operation named as the file."""
    document = read_document(path, fragments)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        raise DocumentError(f"{path.name}: {len(operations)} operations, expected exactly one")
    operation = operations[0]
    name = operation.name.value if operation.name else None
    if name != path.stem:
        raise DocumentError(f"{path.name}: operation is named {name!r}, expected {path.stem!r}")
    if operation.operation == OperationType.SUBSCRIPTION:
        raise DocumentError(f"{path.name}: subscriptions are not supported")
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    try:
        fields = _root_fields(operation.selection_set, fragments)
    except KeyError as error:
        raise DocumentError(f"{path.name}: unknown fragment {error}") from error
    introspects = any(field.startswith("__") for field in fields)
    fields = [field for field in fields if not field.startswith("__")]
    # As the instance counts: introspection costs one point in all, a call at least one.
    points = max(1, sum(POINTS.get(field, 1) for field in fields) + int(introspects))
    return Operation(
        name=name,
        request=GraphQLRequest(document, operation_name=name),
        is_mutation=operation.operation == OperationType.MUTATION,
        root_fields=tuple(fields),
        points=points,
        text=print_ast(document),
    )


def load(directory: Path = OPERATIONS_DIR) -> dict[str, Operation]:
    """Every `*.graphql` under directory, parsed, keyed by operation name (== file stem)."""
    fragments = load_fragments()
    paths = sorted(directory.glob("*.graphql"))
    return {path.stem: parse_operation(path, fragments) for path in paths}


# Parsed at import: a broken document stops the portal at start-up, not on some page later.
OPERATIONS: dict[str, Operation] = load()


def get(name: str) -> Operation:
    try:
        return OPERATIONS[name]
    except KeyError:
        raise LookupError(f"no GraphQL document {name}.graphql in {OPERATIONS_DIR}") from None


def alias(index: int) -> str:
    """The alias of the index-th copy in a batched document."""
    return f"item{index}"


@lru_cache(maxsize=64)
def batched(name: str, count: int) -> Operation:
    """`name` (one query with one root field) repeated `count` times under the aliases
    `item0`, `item1`, ..., each copy with its own variables (`$id` becomes `$id_0`, `$id_1`, ...),
    so that the same field for many ids costs one request. The copies differ only in names, so
    the batch validates wherever the single document does."""
    single = get(name)
    document = single.request.document
    operation = _operation_of(document)
    if single.is_mutation or len(operation.selection_set.selections) != 1:
        raise DocumentError(f"{name}.graphql: only a query with one root field can be batched")
    (field,) = operation.selection_set.selections
    definitions, selections = [], []
    for index in range(count):
        renamed = {
            d.variable.name.value: f"{d.variable.name.value}_{index}"
            for d in operation.variable_definitions
        }
        for definition in operation.variable_definitions or ():
            variable = VariableNode(name=NameNode(value=renamed[definition.variable.name.value]))
            definitions.append(
                VariableDefinitionNode(
                    variable=variable,
                    type=definition.type,
                    default_value=definition.default_value,
                    directives=definition.directives,
                )
            )
        selections.append(_renamed(field, renamed, alias(index)))
    batch = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=tuple(definitions),
        directives=operation.directives,
        selection_set=SelectionSetNode(selections=tuple(selections)),
    )
    others = tuple(d for d in document.definitions if d is not operation)
    batch_document = DocumentNode(definitions=(batch, *others))
    return replace(
        single,
        request=GraphQLRequest(batch_document, operation_name=name),
        # Printed once here too: the single document's text would send one copy only.
        text=print_ast(batch_document),
        root_fields=single.root_fields * count,
        points=single.points * count,
    )


@lru_cache(maxsize=64)
def with_batch(name: str, batch_name: str, count: int) -> Operation:
    """Document `name` with `batched(batch_name, count)`'s aliased copies added to it: what
    two dependent requests would ask, in one, when the ids are known beforehand. The copies
    are optional: an error in one of them leaves its alias empty, not the whole call failed."""
    if not count:
        return get(name)
    main, batch = get(name), batched(batch_name, count)
    if main.is_mutation:
        raise DocumentError(f"{name}.graphql: a mutation takes no batch along")
    main_document, batch_document = main.request.document, batch.request.document
    first, second = _operation_of(main_document), _operation_of(batch_document)
    merged = OperationDefinitionNode(
        operation=first.operation,
        name=first.name,
        variable_definitions=(*first.variable_definitions, *second.variable_definitions),
        directives=first.directives,
        selection_set=SelectionSetNode(
            selections=(*first.selection_set.selections, *second.selection_set.selections)
        ),
    )
    fragments = {
        d.name.value: d
        for document in (main_document, batch_document)
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    document = DocumentNode(definitions=(merged, *fragments.values()))
    return replace(
        main,
        request=GraphQLRequest(document, operation_name=name),
        text=print_ast(document),
        root_fields=main.root_fields + batch.root_fields,
        points=main.points + batch.points,
        optional_fields=frozenset(alias(index) for index in range(count)),
    )


@lru_cache(maxsize=64)
def merged(name: str, *others: str, optional: frozenset[str] = frozenset()) -> Operation:
    """Query `name` with the root fields of the queries `others` beside its own, as ONE
    request named `name`: what a page (or signing in) needs from several documents, in one
    round trip. Their variables keep their names (one value for a name all of them share).
    Errors of the root fields named in `optional` leave those fields empty instead of
    failing the call."""
    if not others and not optional:
        return get(name)
    parts = [get(part) for part in (name, *others)]
    if any(part.is_mutation for part in parts):
        raise DocumentError(f"{name}.graphql: only queries are merged")
    operations = [_operation_of(part.request.document) for part in parts]
    variables = {}
    for operation in operations:
        for definition in operation.variable_definitions or ():
            variables.setdefault(definition.variable.name.value, definition)
    merged_operation = OperationDefinitionNode(
        operation=operations[0].operation,
        name=operations[0].name,
        variable_definitions=tuple(variables.values()),
        directives=operations[0].directives,
        selection_set=SelectionSetNode(
            selections=tuple(s for o in operations for s in o.selection_set.selections)
        ),
    )
    fragments = {
        d.name.value: d
        for part in parts
        for d in part.request.document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    document = DocumentNode(definitions=(merged_operation, *fragments.values()))
    return replace(
        parts[0],
        request=GraphQLRequest(document, operation_name=name),
        text=print_ast(document),
        root_fields=tuple(f for part in parts for f in part.root_fields),
        points=sum(part.points for part in parts),
        optional_fields=frozenset(optional),
    )


def _operation_of(document: DocumentNode) -> OperationDefinitionNode:
    """The one operation of a loaded document (its other definitions are fragments)."""
    return next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))


class _RenameVariables(Visitor):
    def __init__(self, names: dict[str, str]):
        super().__init__()
        self.names = names

    def enter_variable(self, node, *_):
        new = self.names.get(node.name.value)
        return VariableNode(name=NameNode(value=new)) if new else None


def _renamed(field: FieldNode, names: dict[str, str], alias_name: str) -> FieldNode:
    field = visit(field, _RenameVariables(names))
    return FieldNode(
        alias=NameNode(value=alias_name),
        name=field.name,
        arguments=field.arguments,
        directives=field.directives,
        selection_set=field.selection_set,
    )
