"""Every operation of TI's Helium starter (tests/sandbox/helium/) runs against the sandbox.

Each operation is sent as Helium's Apollo client sends it: `__typename` added to every
selection set, the fragments it spreads appended, the learner's token in the authToken header.
Once alone (as Helium's CLI and renderer send, and Apollo's dev setup), once in batches of ten
with persisted-query hashes (Helium's production link: hashes first, then hashes with their
queries). Every operation TI's reference schema accepts must validate against the sandbox and
answer without errors, with data from the demo instance; the few the reference refuses are
refused by the sandbox too, with an error naming what is missing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    build_schema,
    parse,
    print_ast,
    validate,
    visit,
)

from portal.sandbox.demo import DEMO_CODES, DEMO_LOGINS

HELIUM = Path(__file__).parent / "helium"
REFERENCE = Path(__file__).resolve().parents[3] / "shared/reference/ti-helium-schema.graphql"
# What TI's reference schema itself refuses, and the name the sandbox's error gives.
REFUSED = {
    "CatalogContent": "layoutId",
    "Catalog": "CatalogQuery",
    "CatalogTest": "CatalogQuery",
    "HeliumDeploymentLogQuery": "HeliumDeploymentLog",
}
# Operations sent without a learner: the CLI's and the sign-in.
ANONYMOUS_SOURCES = ("tooling/cli/lib/",)
ANONYMOUS = {"Login", "LoginMutation"}
BATCH_MAX = 10  # Apollo's BatchHttpLink default


@dataclass(frozen=True)
class Operation:
    source: str  # the file under tests/sandbox/helium/
    name: str
    node: OperationDefinitionNode

    @property
    def id(self) -> str:
        return f"{self.name}@{self.source.split('/')[-1]}"

    @property
    def mutation(self) -> bool:
        return self.node.operation.value == "mutation"


def _definitions():
    for path in sorted(HELIUM.rglob("*.graphql")):
        for node in parse(path.read_text()).definitions:
            yield str(path.relative_to(HELIUM)), node


FRAGMENTS = {n.name.value: n for _, n in _definitions() if isinstance(n, FragmentDefinitionNode)}
# Queries first, then mutations: a batch reads the demo before it changes it.
OPERATIONS = sorted(
    (
        Operation(source, node.name.value, node)
        for source, node in _definitions()
        if isinstance(node, OperationDefinitionNode)
    ),
    key=lambda op: (op.mutation, op.source, op.name),
)


class _Spreads(Visitor):
    def __init__(self, found: set[str]):
        super().__init__()
        self.found = found

    def enter_fragment_spread(self, node, *_):
        if node.name.value not in self.found:
            self.found.add(node.name.value)
            visit(FRAGMENTS[node.name.value], self)


class _AddTypename(Visitor):
    """Apollo's InMemoryCache adds __typename to every selection set but an operation's own."""

    def enter_selection_set(self, node, _key, parent, *_):
        if isinstance(parent, OperationDefinitionNode):
            return None
        if any(isinstance(s, FieldNode) and s.name.value == "__typename" for s in node.selections):
            return None
        typename = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())
        return SelectionSetNode(selections=(*node.selections, typename))


def document(op: Operation) -> DocumentNode:
    spread: set[str] = set()
    visit(op.node, _Spreads(spread))
    return DocumentNode(definitions=(op.node, *(FRAGMENTS[n] for n in sorted(spread))))


def as_apollo_sends(op: Operation) -> str:
    return print_ast(visit(document(op), _AddTypename()))


def test_the_vendored_documents_are_helium_s_49_operations():
    assert len(OPERATIONS) == 49
    assert len({op.name for op in OPERATIONS}) == 47
    assert set(FRAGMENTS) == {
        "ContentFragment",
        "CatalogMetaFragment",
        "LocationFragment",
        "UserFragment",
        "TestContentFragment",
    }
    sent = as_apollo_sends(next(op for op in OPERATIONS if op.name == "UserWaitlist"))
    assert sent.count("__typename") == 1 and "UserWaitlist {" in sent


def test_the_reference_refuses_exactly_the_listed_operations():
    reference = build_schema(REFERENCE.read_text())
    refused = {op.name for op in OPERATIONS if validate(reference, document(op))}
    assert refused == set(REFUSED)


ACCEPTED = [op for op in OPERATIONS if op.name not in REFUSED]


# -- the sandbox and the variables ---------------------------------------------------------------


class Helium:
    """The module's sandbox, seen from Helium: its tokens and realistic variables."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.store = sandbox.store
        self.tokens: dict[str, str] = {}
        self.endpoint = f"{sandbox.url}/helium?apiKey={sandbox.api_key}"

    def post(self, body, who: str | None = "busy") -> requests.Response:
        headers = {"authToken": self.token(who)} if who else {}
        return requests.post(self.endpoint, json=body, headers=headers, timeout=30)

    def run(self, query: str, variables=None, who: str | None = "busy") -> dict:
        answer = self.post({"query": query, "variables": variables or {}}, who).json()
        assert "errors" not in answer, answer
        return answer["data"]

    def token(self, who: str) -> str:
        if who not in self.tokens:
            email, password = DEMO_LOGINS[who]
            self.tokens[who] = self.run(
                "mutation($e: String!, $p: String!) { Login(email: $e, password: $p) }",
                {"e": email, "p": password},
                who=None,
            )["Login"]
        return self.tokens[who]

    def id_of(self, title: str) -> str:
        return self.store.scalar("SELECT id FROM content WHERE title = ?", title)

    def slug_of(self, title: str) -> str:
        return self.store.scalar("SELECT slug FROM content WHERE title = ?", title)

    def avery(self) -> str:
        return self.store.scalar("SELECT id FROM users WHERE email = ?", DEMO_LOGINS["busy"][0])

    def folder(self, name: str) -> str:
        return self.store.scalar(
            "SELECT id FROM bookmark_folders WHERE user_id = ? AND name = ?", self.avery(), name
        )

    def new_folder(self, name: str) -> str:
        made = self.run(
            "mutation($n: String!) { CreateBookmarkFolder(name: $n) { id } }", {"n": name}
        )
        return made["CreateBookmarkFolder"]["id"]

    def new_bookmark(self, title: str, run: int) -> str:
        folder = self.new_folder(f"Reading list {run}")
        made = self.run(
            "mutation($b: CreateBookmarkInput!) { CreateBookmark(bookmark: $b) { id } }",
            {"b": {"bookmarkFolderId": folder, "topicId": self.id_of(title), "note": "Later"}},
        )
        return made["CreateBookmark"]["id"]

    def who(self, op: Operation, run: int) -> str | None:
        if op.name in ANONYMOUS or op.source.startswith(ANONYMOUS_SOURCES):
            return None
        if op.name == "RedeemRegistrationAndRedemptionCodes":
            return ("new", "multilingual")[run]  # each redeems the welcome code once
        return "busy"

    def variables(self, op: Operation, run: int) -> dict:
        """Variables a Helium page would send, from the demo's own ids and slugs. `run` (0 or
        1) picks other targets for what a mutation uses up."""
        name = op.name
        course = self.id_of("Coaching Conversations")
        if name in ("UserCourseProgress", "UserCourseCompletionProgress"):
            return {"id": course}
        if name in ("UserCourseAwardCounts", "UserCourseCollaborations"):
            return {"courseId": course}
        if name == "LearningPathBySlug":
            return {"slug": self.slug_of("New Manager Journey")}
        if name == "CourseGroupBySlug":
            return {"slug": self.slug_of("Python for Analysts")}
        if name == "Contents":
            titles = (
                "Foundations of Leadership",
                "Leadership Offsite London",
                "Negotiation Masterclass",
            )
            return {"ids": [self.id_of(t) for t in titles]}
        if name == "RelatedProducts":
            return {
                "courseIds": [self.id_of("Foundations of Leadership")],
                "productIds": [self.store.scalar("SELECT id FROM products ORDER BY slug")],
            }
        if name == "RssItems":
            return {"feedUrl": self.store.scalar("SELECT feed_url FROM rss_items LIMIT 1")}
        if name == "UserBookmarksByFolder":
            return {"id": self.folder("To revisit")}
        if name in ("UserCertificates", "ContentGroups"):
            return {"query": None, "includeExpiredCertificates": True}
        if name == "UserRecentContent":
            return {"limit": 10}
        if name == "UserContentItems":
            return {"sortColumn": "title", "sortDirection": "asc"}
        if name == "CompanyTranslationsQuery":
            return {"namespace": "lms"}
        if name == "CompanyDetailsQuery" and op.source.endswith("deploy.js.graphql"):
            return {"nickname": "northwind"}
        if name == "HeliumBatchQuery":
            return {"key": self.uploaded_key(), "nickname": "northwind"}
        if name == "HeliumDeploymentStatusQuery":
            key = self.uploaded_key()
            job = self.run(
                "query($k: String!, $n: String!) { HeliumBatch(key: $k, nickname: $n) }",
                {"k": key, "n": "northwind"},
                who=None,
            )["HeliumBatch"]
            return {"jobId": job, "key": key}
        if name in ("Login", "LoginMutation"):
            email, password = DEMO_LOGINS["new"]
            return {"email": email, "password": password}
        if name == "AddResourceToQueue":
            title = ("Giving Feedback That Lands", "Sleep, Energy and Focus")[run]
            return {"resourceId": self.id_of(title), "resourceType": "course"}
        if name in ("ArchiveUserCourse", "ReinstateUserCourse"):
            return {"id": self.id_of("Data Storytelling")}
        if name in ("ArchiveUserLearningPath", "ReinstateUserLearningPath"):
            return {"id": self.id_of("Annual Compliance")}
        if name == "CreateCertificateFromUpload":
            return {
                "asset": f"{self.sandbox.url}/assets/certificate-upload.png",
                "certificateUploadFields": [
                    {
                        "certificateFieldId": self.store.scalar(
                            "SELECT id FROM certificate_fields WHERE type = 'courseLabel'"
                        ),
                        "type": "courseLabel",
                        "value": "Fire Warden Training",
                    }
                ],
            }
        if name == "DestroyBookmark":
            return {"id": self.new_bookmark("SQL from Zero", run)}
        if name == "UpdateBookmark":
            return {
                "id": self.new_bookmark("Data Storytelling", run + 2),
                "note": "Share with the team",
                "bookmarkFolder": self.folder("Bookmarks"),
            }
        if name == "DestroyBookmarkFolder":
            return {"id": self.new_folder(f"Old notes {run}")}
        if name == "UpdateBookmarkFolder":
            return {"id": self.new_folder(f"Ideas {run}"), "name": f"Ideas for the team {run}"}
        if name == "UnenrollFromWaitlist":
            waiting = ("Live Q&A: Leading Through Change", "Quarterly Data Clinic")
            return {"id": self.id_of(waiting[run])}
        if name == "RedeemRegistrationAndRedemptionCodes":
            return {"validatedRedemptionCodes": [DEMO_CODES["redemption"]["valid"]]}
        if name == "ValidateRedemptionCode":
            return {"code": DEMO_CODES["redemption"]["valid"]}
        return {}

    def uploaded_key(self) -> str:
        """A deployment key with its archive uploaded, as `helium deploy` makes one."""
        launch = self.run(
            "query($n: String!) { HeliumLaunchData(nickname: $n) { key signedUrl } }",
            {"n": "northwind"},
            who=None,
        )["HeliumLaunchData"]
        put = requests.put(launch["signedUrl"], data=b"\x1f\x8b fake archive", timeout=10)
        assert put.status_code == 200
        return launch["key"]


@pytest.fixture(scope="module")
def helium(module_sandbox):
    return Helium(module_sandbox)


# -- what an answer must hold ----------------------------------------------------------------------


# Fields left empty in every answer because the demo academy has nothing to put there (path
# endings): anything else Helium asks for must come back filled somewhere in its answer.
EMPTY_IN_THE_DEMO = (
    # No membership pricing and no alternative descriptions.
    "altDescriptionBody",
    "alternativePricingRef",
    "alternativePricingType",
    # No prerequisites between courses.
    "currentUserUnmetCoursePrerequisites",
    "currentUserUnmetLearningPathPrerequisites",
    # Learners have no photo, second address line or custom reference fields.
    *(f"CurrentUser.{f}" for f in ("asset", "address2", *(f"ref{i}" for i in range(1, 11)))),
    # The London venue has one address line and no state.
    "location.address2",
    "location.state",
    # Catalog items are nobody's own: no access end date, no way they came to the learner.
    "QueryContents.expiresAt",
    "QueryContents.source",
    # Courses of certificates here are self-paced, without dates.
    "contentItem.courseStartDate",
    "contentItem.courseEndDate",
    "contentItem.timeZone",
    # Time spent is not measured, only views.
    "UserCourseProgress.totalTime",
    # A course group's source is its external catalog's, the demo has none.
    "courseGroup.source",
)


def empty_everywhere(value, path: str = "") -> set[str]:
    """Paths (list positions left out) whose value is null or empty in every place."""
    seen: set[str] = set()
    filled: set[str] = set()

    def walk(item, where):
        seen.add(where)
        if isinstance(item, list):
            filled.update([where] if item else [])
            for element in item:
                walk(element, where)
        elif isinstance(item, dict):
            filled.add(where)
            for key, inner in item.items():
                walk(inner, f"{where}.{key}")
        elif item not in (None, ""):
            filled.add(where)

    walk(value, path)
    return seen - filled


def assert_answered_with_data(op: Operation, answer: dict) -> None:
    assert "errors" not in answer, (op.id, answer.get("errors"))
    data = answer.get("data")
    assert data, op.id
    for root, value in data.items():
        assert value not in (None, [], "", {}), f"{op.id}: {root} is empty"
    empty = {path for path in empty_everywhere(data) if not path.endswith(EMPTY_IN_THE_DEMO)}
    assert empty == set(), f"{op.id}: nothing in the demo fills {sorted(empty)}"


def object_fields(op: Operation) -> set[str]:
    """Names of the fields the operation selects into (objects, not scalars such as JSON)."""
    found: set[str] = set()

    class Collect(Visitor):
        def enter_field(self, node, *_):
            if node.selection_set is not None:
                found.add((node.alias or node.name).value)

    visit(document(op), Collect())
    return found


def typenames_everywhere(value, objects: set[str], where: str = "") -> list[str]:
    """Paths of the objects below the root that came back without their __typename."""
    missing = []
    if isinstance(value, list):
        for item in value:
            missing += typenames_everywhere(item, objects, where)
    elif isinstance(value, dict):
        if where and "__typename" not in value:
            missing.append(where)
        for key, item in value.items():
            if key in objects:
                missing += typenames_everywhere(item, objects, f"{where}.{key}")
    return missing


# -- the operations, alone and batched ---------------------------------------------------------


@pytest.mark.parametrize("op", ACCEPTED, ids=lambda op: op.id)
def test_each_operation_alone_answers_with_data(helium, op):
    body = {
        "operationName": op.name,
        "query": as_apollo_sends(op),
        "variables": helium.variables(op, run=0),
    }
    answer = helium.post(body, helium.who(op, 0))
    assert answer.status_code == 200, answer.text
    assert_answered_with_data(op, answer.json())
    for root, value in answer.json()["data"].items():
        assert typenames_everywhere(value, object_fields(op), root) == [], op.id


@pytest.mark.parametrize(
    "op", [op for op in OPERATIONS if op.name in REFUSED], ids=lambda op: op.id
)
def test_what_the_reference_refuses_is_refused_naming_what_is_missing(helium, op):
    answer = helium.post({"query": as_apollo_sends(op), "variables": {"page": 1}})
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert all(e["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" for e in errors)
    assert any(f"'{REFUSED[op.name]}'" in e["message"] for e in errors), errors


def test_every_operation_batched_with_persisted_hashes_answers_with_data(helium):
    """Helium's production client: persisted-query hashes through a BatchHttpLink, in batches
    of ten, per learner. Every unknown hash is answered PersistedQueryNotFound; sent again with
    its query, each operation answers with data."""
    runs = [(op, helium.variables(op, run=1), helium.who(op, 1)) for op in ACCEPTED]
    by_learner: dict[str | None, list] = {}
    for item in runs:
        by_learner.setdefault(item[2], []).append(item)
    answered = 0
    for who, items in by_learner.items():
        for start in range(0, len(items), BATCH_MAX):
            chunk = items[start : start + BATCH_MAX]
            bodies = []
            for op, variables, _ in chunk:
                query = as_apollo_sends(op)
                digest = hashlib.sha256(query.encode()).hexdigest()
                bodies.append(
                    {
                        "operationName": op.name,
                        "variables": variables,
                        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
                        "query": query,
                    }
                )
            hashes_only = [{k: v for k, v in b.items() if k != "query"} for b in bodies]
            first = helium.post(hashes_only, who)
            assert first.status_code == 200
            assert [r["errors"][0]["message"] for r in first.json()] == [
                "PersistedQueryNotFound"
            ] * len(chunk)
            second = helium.post(bodies, who)
            assert second.status_code == 200
            results = second.json()
            assert len(results) == len(chunk)
            for (op, _, _), result in zip(chunk, results, strict=True):
                assert_answered_with_data(op, result)
                answered += 1
    assert answered == len(ACCEPTED) == 45
