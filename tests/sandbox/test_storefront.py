"""The demo academy's storefront through GraphQL: ribbons, ratings, event sessions, course
groups, related products, the news feed, readable descriptions, adding free content to one's
own, and the Helium CLI's deployment (upload, job, status)."""

from __future__ import annotations

import re

import pytest
import requests

from portal.sandbox.demo import DEMO_LOGINS
from portal.sandbox.demo_storefront import NEWS_FEED
from portal.sandbox.demo_texts import DESCRIPTIONS


class Academy:
    def __init__(self, sandbox):
        self.sandbox, self.store, self.tokens = sandbox, sandbox.store, {}

    def post(self, query, variables=None, who="busy"):
        headers = {"authToken": self.token(who)} if who else {}
        return requests.post(
            f"{self.sandbox.url}/helium",
            params={"apiKey": self.sandbox.api_key},
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=10,
        ).json()

    def data(self, query, variables=None, who="busy"):
        answer = self.post(query, variables, who)
        assert "errors" not in answer, answer
        return answer["data"]

    def error(self, query, variables=None, who="busy") -> dict:
        answer = self.post(query, variables, who)
        assert answer.get("errors"), answer
        return answer["errors"][0]

    def token(self, who):
        if who not in self.tokens:
            email, password = DEMO_LOGINS[who]
            self.tokens[who] = self.data(
                f'mutation {{ Login(email: "{email}", password: "{password}") }}', who=None
            )["Login"]
        return self.tokens[who]

    def id_of(self, title):
        return self.store.scalar("SELECT id FROM content WHERE title = ?", title)

    def slug_of(self, title):
        return self.store.scalar("SELECT slug FROM content WHERE title = ?", title)


@pytest.fixture(scope="module")
def academy(module_sandbox):
    """Read-only checks share one sandbox."""
    return Academy(module_sandbox)


@pytest.fixture
def fresh(sandbox):
    """A sandbox of its own, for what changes the demo."""
    return Academy(sandbox)


CARD = """query($page: Int!) { CatalogContent(page: $page, sortColumn: title, sortDirection: asc) {
  contentItems { title kind rating ribbon { label slug color contrastColor darkerColor }
                 sessionTitle meetingStartDate sku metaTitle customFields displayCourseSlug }
  meta { hasMore aggregations { key label buckets { value label count query } }
         displayBundle { name slug priceInCents annualPriceInCents } selectedSort } } }"""


def test_catalog_cards_carry_ribbons_ratings_sessions_and_what_a_store_page_needs(academy):
    pages = [academy.data(CARD, {"page": 1})["CatalogContent"]]
    while pages[-1]["meta"]["hasMore"]:
        pages.append(academy.data(CARD, {"page": len(pages) + 1})["CatalogContent"])
    catalog = pages[0]
    items = {item["title"]: item for page in pages for item in page["contentItems"]}
    analysts = items["Python for Analysts"]
    assert analysts["ribbon"] == {
        "label": "Popular",
        "slug": "popular",
        "color": "#F2A541",
        "contrastColor": "#1A1A1A",
        "darkerColor": "#C9822A",
    }
    assert 72 <= analysts["rating"] <= 98
    assert re.fullmatch(r"NWA-DATA-\d{3}", analysts["sku"])
    assert analysts["metaTitle"] == "Python for Analysts | Northwind Academy"
    assert analysts["customFields"]["duration-in-minutes"] == 90
    assert analysts["displayCourseSlug"] == "python-for-analysts"
    # Learning paths and events yet to happen have no rating.
    assert items["Live Q&A: Leading Through Change"]["rating"] is None
    assert items["Live Q&A: Leading Through Change"]["sessionTitle"] == (
        "Ask the leadership faculty"
    )
    with_ribbon = [t for t, i in items.items() if i["ribbon"]]
    assert len(with_ribbon) >= 5
    meta = catalog["meta"]
    assert meta["displayBundle"] == {
        "name": "Northwind All-Access",
        "slug": "all-access",
        "priceInCents": 1900,
        "annualPriceInCents": 19000,
    }
    assert meta["selectedSort"] == "title:asc"
    facets = {a["key"]: a for a in meta["aggregations"]}
    assert set(facets) == {"tags", "kind", "language"}
    compliance = next(b for b in facets["tags"]["buckets"] if b["value"] == "Compliance")
    narrowed = academy.data(
        "query($q: String) { CatalogContent(page: 1, query: $q) { meta { total } } }",
        {"q": compliance["query"]},
    )
    assert narrowed["CatalogContent"]["meta"]["total"] == compliance["count"] > 0


def test_an_event_s_session_has_its_title_and_its_meetings_with_times_and_place(academy):
    offsite = academy.id_of("Leadership Offsite London")
    course = academy.data(
        """query($id: ID!) { CourseById(id: $id) { sessionIsTitled seatsLimit seatsUsedCount
           seatsLimitMet displayMap meetings { title startDate endDate timeZone instructors
           attendeeInfo location { name city room } course { id } } } }""",
        {"id": offsite},
    )["CourseById"]
    assert course["sessionIsTitled"] is True and course["displayMap"] is True
    assert course["seatsLimit"] == 40 and course["seatsLimitMet"] is False
    morning, afternoon = course["meetings"]
    assert morning["title"] == "Morning workshop: setting direction"
    assert afternoon["title"] == "Afternoon workshop: leading change"
    assert morning["startDate"] < morning["endDate"] < afternoon["startDate"]
    assert morning["timeZone"] == "Europe/London"
    assert morning["location"] == {
        "name": "Northwind London",
        "city": "London",
        "room": "Thames Room",
    }
    assert morning["instructors"] and morning["attendeeInfo"]
    assert morning["course"] == {"id": offsite}
    card = academy.data(
        "query($ids: [ID!]!) { QueryContents(ids: $ids) { sessionTitle meetingStartDate } }",
        {"ids": [offsite]},
    )["QueryContents"][0]
    assert card == {
        "sessionTitle": "Planning the year ahead",
        "meetingStartDate": morning["startDate"],
    }


def test_a_course_group_by_slug_has_its_rating_type_sessions_and_relatives(academy):
    group = academy.data(
        """query($s: Slug!) { CourseGroupBySlug(slug: $s) { id title rating ratingsCount
           ribbon kind contentType { kind label } courses { id } displayCourse { slug }
           relatedCourseGroups { title } tags { label } description } }""",
        {"s": academy.slug_of("SQL from Zero")},
    )["CourseGroupBySlug"]
    assert group["title"] == "SQL from Zero" and group["ribbon"] == "popular"
    assert 72 <= group["rating"] <= 98 and group["ratingsCount"] >= 4
    assert group["kind"] == "courseGroup"
    assert group["contentType"] == {"kind": "course", "label": "Course"}
    assert group["courses"] == [{"id": group["id"]}]
    assert group["displayCourse"] == {"slug": "sql-from-zero"}
    assert group["description"] == DESCRIPTIONS["SQL from Zero"][1]
    assert {"label": "Data"} in group["tags"]
    assert 1 <= len(group["relatedCourseGroups"]) <= 3
    missing = academy.error('{ CourseGroupBySlug(slug: "no-such-course") { id } }')
    assert missing["extensions"]["code"] == "NOT_FOUND"
    path = academy.error(
        "query($s: Slug!) { CourseGroupBySlug(slug: $s) { id } }",
        {"s": academy.slug_of("New Manager Journey")},
    )
    assert path["extensions"]["code"] == "NOT_FOUND"


def test_private_content_is_no_course_group_for_a_learner_of_another_client(academy):
    slug = {"s": academy.slug_of("Export Control Essentials")}  # granted to Northwind Europe
    query = "query($s: Slug!) { CourseGroupBySlug(slug: $s) { title } }"
    found = academy.data(query, slug, who="multilingual")["CourseGroupBySlug"]
    assert found == {"title": "Export Control Essentials"}
    assert academy.error(query, slug)["extensions"]["code"] == "NOT_FOUND"
    ids = {"ids": [academy.id_of("Export Control Essentials"), academy.id_of("SQL from Zero")]}
    found = academy.data("query($ids: [ID!]!) { QueryContents(ids: $ids) { title } }", ids)
    assert found == {"QueryContents": [{"title": "SQL from Zero"}]}


def test_related_products_are_those_sold_with_the_courses_and_products_asked_about(academy):
    guide = academy.store.scalar("SELECT id FROM products WHERE slug = 'managers-field-guide'")
    related = academy.data(
        """query($c: [ID!]!, $p: [ID!]!) { RelatedProducts(courseIds: $c, productIds: $p) {
           id name priceInCents suggestedRetailPriceInCents asset } }""",
        {"c": [academy.id_of("Foundations of Leadership")], "p": [guide]},
    )["RelatedProducts"]
    names = [p["name"] for p in related]
    # The field guide was asked about: it is not its own relative; the card deck is sold with
    # both the course and the guide, so it comes first.
    assert names == ["Coaching Question Cards"]
    assert related[0]["priceInCents"] == 1800 and related[0]["asset"].endswith(".png")
    none = academy.data('{ RelatedProducts(courseIds: [], productIds: []) { id } }')
    assert none == {"RelatedProducts": []}


def test_the_news_feed_lists_its_items_newest_first_linking_to_the_instance(academy):
    items = academy.data(
        "query($f: String!) { RssItems(feedUrl: $f) { title link date author categories } }",
        {"f": NEWS_FEED},
        who=None,
    )["RssItems"]
    assert len(items) == 5
    assert [i["date"] for i in items] == sorted((i["date"] for i in items), reverse=True)
    assert items[0]["title"] == "New course: Data Storytelling"
    assert items[0]["link"] == f"{academy.sandbox.url}/courses/data-storytelling"
    assert requests.get(items[0]["link"], timeout=10).status_code == 200
    other = academy.error('{ RssItems(feedUrl: "https://example.com/rss") { title } }')
    assert other["extensions"]["code"] == "BAD_USER_INPUT"
    assert NEWS_FEED in other["message"]


def test_descriptions_are_sentences_about_each_item_s_subject(academy):
    rows = academy.store.query("SELECT title, short_description, description FROM content")
    assert len(rows) == len(DESCRIPTIONS)
    for row in rows:
        assert (row["short_description"], row["description"]) == DESCRIPTIONS[row["title"]]
        assert row["description"].endswith(".") and len(row["description"].split()) >= 12
    bodies = academy.store.query(
        "SELECT content.title, topics.body FROM topics JOIN lessons ON lessons.id = "
        "topics.lesson_id JOIN sections ON sections.id = lessons.section_id "
        "JOIN content ON content.id = sections.content_id WHERE topics.title = 'Welcome'"
    )
    assert bodies and all(r["body"].startswith(f"Welcome to {r['title']}.") for r in bodies)


def test_a_learner_s_address_and_access_end_come_back(academy):
    me = academy.data(
        "{ CurrentUser { address1 city state zipCode country telephone externalCustomerId } }"
    )["CurrentUser"]
    assert me == {
        "address1": "200 Pine Street",
        "city": "San Francisco",
        "state": "CA",
        "zipCode": "94104",
        "country": "US",
        "telephone": "+1 415 555 0142",
        "externalCustomerId": "NW-CUST-1042",
    }
    items = academy.data("{ UserContentItems { title expiresAt source } }")["UserContentItems"]
    bought = next(i for i in items if i["title"] == "Strategic Thinking for Managers")
    assert bought["source"] == "credits" and bought["expiresAt"]
    assert all(i["expiresAt"] is None for i in items if i["source"] != "credits")


def test_free_content_is_added_to_the_learner_s_own_once_paid_content_is_not(fresh):
    noah = "new"
    sleep = fresh.id_of("Sleep, Energy and Focus")
    can = "query($ids: [ID!]!) { QueryContents(ids: $ids) { canAddToQueue } }"
    assert fresh.data(can, {"ids": [sleep]}, who=noah) == {
        "QueryContents": [{"canAddToQueue": True}]
    }
    add = (
        "mutation($id: ID!, $k: ContentKind) "
        "{ AddResourceToQueue(resourceId: $id, resourceType: $k) }"
    )
    assert fresh.data(add, {"id": sleep, "k": "course"}, who=noah) == {"AddResourceToQueue": True}
    items = fresh.data("{ UserContentItems { id availabilityStatus } }", who=noah)
    assert {"id": sleep, "availabilityStatus": "not-started"} in items["UserContentItems"]
    assert fresh.data(can, {"ids": [sleep]}, who=noah) == {
        "QueryContents": [{"canAddToQueue": False}]
    }
    assert fresh.data(add, {"id": sleep}, who=noah) == {"AddResourceToQueue": True}  # again
    paid = fresh.error(add, {"id": fresh.id_of("Negotiation Masterclass")}, who=noah)
    assert paid["extensions"]["code"] == "FORBIDDEN"
    wrong = fresh.error(add, {"id": sleep, "k": "webinar"}, who=noah)
    assert wrong["extensions"]["code"] == "BAD_USER_INPUT"
    unknown = fresh.error(add, {"id": "00000000-0000-4000-8000-000000000000"}, who=noah)
    assert unknown["extensions"]["code"] == "NOT_FOUND"
    anonymous = fresh.error(add, {"id": sleep}, who=None)
    assert anonymous["extensions"]["code"] == "UNAUTHENTICATED"


LAUNCH = "query($n: String!) { HeliumLaunchData(nickname: $n) { key signedUrl } }"
BATCH = "query($k: String!, $n: String!) { HeliumBatch(key: $k, nickname: $n) }"
STATUS = "query($j: ID!, $k: String) { HeliumDeploymentStatus(jobId: $j, key: $k) }"


def test_helium_deploy_uploads_its_archive_starts_a_job_and_reads_success(fresh):
    launch = fresh.data(LAUNCH, {"n": "northwind"}, who=None)["HeliumLaunchData"]
    assert launch["key"].startswith("helium/northwind/") and launch["key"].endswith(".tgz")
    early = fresh.error(BATCH, {"k": launch["key"], "n": "northwind"}, who=None)
    assert early["extensions"]["code"] == "BAD_USER_INPUT"
    archive = b"\x1f\x8b" + bytes(range(256)) * 8192  # 2 MiB: more than a GraphQL body
    assert requests.put(launch["signedUrl"], data=archive, timeout=10).status_code == 200
    forged = launch["signedUrl"].replace("signature=", "signature=0")
    assert requests.put(forged, data=b"x", timeout=10).status_code == 403
    row = fresh.store.one("SELECT * FROM helium_deployments WHERE key = ?", launch["key"])
    assert row["size"] == len(archive)
    job = fresh.data(BATCH, {"k": launch["key"], "n": "northwind"}, who=None)["HeliumBatch"]
    status = fresh.data(STATUS, {"j": job, "k": launch["key"]}, who=None)
    assert status == {"HeliumDeploymentStatus": "SUCCEEDED"}
    other = fresh.error(BATCH, {"k": launch["key"], "n": "another"}, who=None)
    assert other["extensions"]["code"] == "NOT_FOUND"
    assert fresh.error(STATUS, {"j": "nope"}, who=None)["extensions"]["code"] == "NOT_FOUND"
    bad = fresh.error(LAUNCH, {"n": "../etc"}, who=None)
    assert bad["extensions"]["code"] == "BAD_USER_INPUT"
