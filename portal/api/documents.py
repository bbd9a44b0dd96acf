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
    visit,
)

OPERATIONS_DIR = Path(__file__).resolve().parent / "operations"
FRAGMENTS_DIR = Path(__file__).resolve().parent / "fragments"

# API points per root field, as the TI documentation prices them; any other field costs 1.
POINTS = {"UserContentItems": 3, "UserRecentContent": 4}


@dataclass(frozen=True)
class Operation:
    """One parsed document: what to send, whether it may be retried, what it costs."""

    name: str
    request: GraphQLRequest
    is_mutation: bool
    root_fields: tuple[str, ...]
    points: int


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
    fields = [field for field in fields if not field.startswith("__")]
    return Operation(
        name=name,
        request=GraphQLRequest(document, operation_name=name),
        is_mutation=operation.operation == OperationType.MUTATION,
        root_fields=tuple(fields),
        points=sum(POINTS.get(field, 1) for field in fields),
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
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    if single.is_mutation or len(operation.selection_set.selections) != 1:
        raise DocumentError(f"{name}.graphql: only a query with one root field can be batched")
    (field,) = operation.selection_set.selections
    definitions, selections = [], []
    for index in range(count):
        renamed = {
            d.variable.name.value: f"{d.variable.name.value}_{index}"
            for d in operation.variable_definitions
        }
        for definition in operation.variable_definitions:
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
    return replace(
        single,
        request=GraphQLRequest(DocumentNode(definitions=(batch, *others)), operation_name=name),
        root_fields=single.root_fields * count,
        points=single.points * count,
    )


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
