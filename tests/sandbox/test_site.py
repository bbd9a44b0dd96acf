"""The instance's pages: sign in with the instance's own session, mark sections done, and see
progress, completion, certificates, points and recent content follow in GraphQL."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from pypdf import PdfReader

from portal.sandbox import create_sandbox_app, server
from portal.sandbox.demo import DEMO_LOGINS, build_demo

STATE = """query($id: ID!) {
  UserCourseProgress(id: $id) { percentComplete }
  UserContentItems { id availabilityStatus }
  UserContentGroups { kind count }
  UserCertificates { id resourceId url pdfAsset }
  BadgeLeaderboard { currentUserPosition { total } }
  UserRecentContent(limit: 1) { id }
}"""


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]


def hrefs(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def mark_buttons(html: str) -> list[str]:
    return re.findall(r'<form method="post" action="([^"]+/topics/[^"]+)"', html)


def sign_in(sandbox, who="avery", target="/dashboard") -> requests.Session:
    browser = requests.Session()
    email, password = sandbox.passwords[who]
    answer = browser.post(
        f"{sandbox.url}/sign-in",
        data={"email": email, "password": password, "next": target},
        allow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return browser


def state(sandbox, content_id: str) -> dict:
    data = sandbox.data(STATE, {"id": content_id})
    return {
        "percent": data["UserCourseProgress"]["percentComplete"],
        "status": {i["id"]: i["availabilityStatus"] for i in data["UserContentItems"]}.get(
            content_id
        ),
        "groups": {g["kind"]: g["count"] for g in data["UserContentGroups"]},
        "certificates": [c for c in data["UserCertificates"] if c["resourceId"] == content_id],
        "points": data["BadgeLeaderboard"]["currentUserPosition"]["total"],
        "recent": [c["id"] for c in data["UserRecentContent"]],
    }


def test_a_signed_out_learner_gets_the_sign_in_page_and_returns_to_the_course(gql_sandbox):
    page = requests.get(f"{gql_sandbox.url}/learn/beginner-course")
    assert page.status_code == 200 and "Sign in to Test Academy" in page.text
    assert 'name="next" value="/learn/beginner-course"' in page.text
    email, password = gql_sandbox.passwords["avery"]
    browser = requests.Session()
    tokens = gql_sandbox.count("tokens")
    answer = browser.post(
        f"{gql_sandbox.url}/sign-in",
        data={"email": email, "password": password, "next": "/learn/beginner-course"},
        allow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/learn/beginner-course"
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("ti_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert gql_sandbox.count("tokens") == tokens  # the instance's session is no API token
    token = browser.cookies["ti_session"]
    stored = gql_sandbox.store.scalar("SELECT token_hash FROM site_sessions")
    assert stored and token not in stored
    course = browser.get(f"{gql_sandbox.url}/learn/beginner-course")
    assert course.status_code == 200 and "<h1>Beginner Course</h1>" in course.text
    assert "Getting started" in course.text and "Wrapping up" in course.text
    assert len(mark_buttons(course.text)) == 3


def test_wrong_credentials_keep_the_email_and_say_why(gql_sandbox):
    email, _ = gql_sandbox.passwords["avery"]
    answer = requests.post(
        f"{gql_sandbox.url}/sign-in", data={"email": email, "password": "nope", "next": "/x"}
    )
    assert answer.status_code == 422 and "Invalid email or password." in answer.text
    assert f'value="{email}"' in answer.text and "ti_session" not in answer.cookies
    disabled, password = gql_sandbox.passwords["disabled"]
    answer = requests.post(
        f"{gql_sandbox.url}/sign-in", data={"email": disabled, "password": password}
    )
    assert answer.status_code == 422 and "disabled" in answer.text


def test_next_never_leaves_the_instance(gql_sandbox):
    for target in ("//evil.example.com/x", "https://evil.example.com/", "/\\evil", "javascript:x"):
        email, password = gql_sandbox.passwords["avery"]
        answer = requests.post(
            f"{gql_sandbox.url}/sign-in",
            data={"email": email, "password": password, "next": target},
            allow_redirects=False,
        )
        assert answer.headers["Location"] == "/dashboard", target


def test_marking_every_section_done_completes_the_course_in_every_answer(gql_sandbox):
    i = gql_sandbox.ids
    before = state(gql_sandbox, i["beginner_course"])
    assert before["percent"] == 0 and before["status"] is None and before["certificates"] == []
    browser = sign_in(gql_sandbox)
    page = browser.get(f"{gql_sandbox.url}/learn/beginner-course").text
    buttons = mark_buttons(page)
    first = browser.post(
        gql_sandbox.url + buttons[0], data={"csrf": csrf(page)}, allow_redirects=False
    )
    assert first.status_code == 303 and first.headers["Location"].startswith(
        "/learn/beginner-course#topic-"
    )
    middle = state(gql_sandbox, i["beginner_course"])
    assert middle["percent"] == 33 and middle["status"] == "started"
    assert middle["recent"] == [i["beginner_course"]]
    for action in buttons[1:]:
        browser.post(gql_sandbox.url + action, data={"csrf": csrf(page)})
    after = state(gql_sandbox, i["beginner_course"])
    assert after["percent"] == 100 and after["status"] == "completed"
    assert after["groups"]["completedItems"] == before["groups"]["completedItems"] + 1
    assert after["points"] == before["points"] + 10
    assert len(after["certificates"]) == 1
    page = browser.get(f"{gql_sandbox.url}/learn/beginner-course").text
    assert "You completed Beginner Course." in page and mark_buttons(page) == []
    certificate = after["certificates"][0]
    assert certificate["url"] in page
    shown = requests.get(gql_sandbox.url + certificate["url"])  # shared by link: no session
    assert shown.status_code == 200 and "Avery Johnson" in shown.text
    document = requests.get(gql_sandbox.url + certificate["pdfAsset"])
    assert document.headers["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(document.content)).pages[0].extract_text()
    assert "Beginner Course" in text and "Avery Johnson" in text


def test_a_form_without_the_sessions_token_changes_nothing(gql_sandbox):
    browser = sign_in(gql_sandbox)
    page = browser.get(f"{gql_sandbox.url}/learn/beginner-course").text
    answer = browser.post(gql_sandbox.url + mark_buttons(page)[0], data={"csrf": "forged"})
    assert answer.status_code == 400 and "expired" in answer.text
    assert gql_sandbox.count("topic_progress") == 0


def test_a_topic_of_another_course_and_unknown_pages_are_not_found(gql_sandbox):
    i = gql_sandbox.ids
    browser = sign_in(gql_sandbox)
    page = browser.get(f"{gql_sandbox.url}/learn/beginner-course").text
    answer = browser.post(
        f"{gql_sandbox.url}/learn/advanced-data-analytics/topics/{i['topic_1']}",
        data={"csrf": csrf(page)},
    )
    assert answer.status_code == 404
    for path in ("/learn/no-such-thing", "/learn/beta-only-course", "/certificates/nope"):
        assert browser.get(gql_sandbox.url + path).status_code == 404, path
    assert gql_sandbox.count("topic_progress") == 0


def test_a_paid_course_offers_no_progress_until_bought(gql_sandbox):
    i, store = gql_sandbox.ids, gql_sandbox.store
    store.execute("UPDATE sections SET content_id = ? WHERE id = ?", i["paid"], i["section_1"])
    browser = sign_in(gql_sandbox)
    page = browser.get(f"{gql_sandbox.url}/learn/paid-course")
    assert page.status_code == 200 and mark_buttons(page.text) == []
    assert "sold in the catalog" in page.text
    catalog = browser.get(f"{gql_sandbox.url}/learn/beginner-course").text
    answer = browser.post(
        f"{gql_sandbox.url}/learn/paid-course/topics/{i['topic_1']}", data={"csrf": csrf(catalog)}
    )
    assert answer.status_code == 403 and gql_sandbox.count("topic_progress") == 0


def test_events_show_their_time_place_and_join_link(gql_sandbox):
    browser = sign_in(gql_sandbox)
    webinar = browser.get(f"{gql_sandbox.url}/learn/live-qanda").text
    assert "(America/New_York)" in webinar and "https://zoom.example.com/j/123" in webinar
    workshop = browser.get(f"{gql_sandbox.url}/learn/full-workshop").text
    assert "Main Hall, Room 4" in workshop and "1 Market Street, London" in workshop
    noah = sign_in(gql_sandbox, "noah")
    assert "zoom.example.com" not in noah.get(f"{gql_sandbox.url}/learn/live-qanda").text


def test_a_learning_path_page_shows_its_milestones(gql_sandbox):
    page = sign_in(gql_sandbox).get(f"{gql_sandbox.url}/learn/data-science-path").text
    assert "Foundations <span class=\"done\">(done)</span>" in page
    assert "Analysis</h3>" in page and 'href="/learn/python-basics"' in page


def test_sign_out_ends_the_instance_session(gql_sandbox):
    browser = sign_in(gql_sandbox)
    page = browser.get(f"{gql_sandbox.url}/dashboard").text
    assert "My learning" in page
    answer = browser.post(f"{gql_sandbox.url}/sign-out", data={"csrf": csrf(page)})
    assert answer.status_code == 200 and "Sign in to Test Academy" in answer.text
    assert gql_sandbox.count("site_sessions") == 0


# --- every link of the demo instance leads somewhere ----------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = create_sandbox_app(tmp_path_factory.mktemp("site-demo"), api_key="test-key")
    running = server.start(app)
    build_demo(app, base_url=running.url)
    yield running
    running.stop()
    app.extensions["sandbox"].store.close()


API_LINKS = """query {
  UserContentItems { url }
  UserRecentContent { url }
  UserWaitlist { url }
  UserArchivedContent { url }
  UserCertificates(includeExpiredCertificates: true) { url pdfAsset contentItem { url } }
  CatalogContent(page: 1) { contentItems { url } }
  CompanyDetails { settings { globalNavigationLinks { href } } }
}"""


def api_links(url: str, email: str, password: str) -> set[str]:
    def gql(query, variables=None, token=None):
        return requests.post(
            f"{url}/helium",
            params={"apiKey": "test-key"},
            json={"query": query, "variables": variables},
            headers={"authToken": token} if token else {},
        ).json()

    token = gql(
        "mutation($e: String!, $p: String!) { Login(email: $e, password: $p) }",
        {"e": email, "p": password},
    )["data"]["Login"]
    found: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in ("url", "pdfAsset", "href") and isinstance(inner, str):
                    found.add(inner)
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(gql(API_LINKS, token=token)["data"])
    return found


@pytest.mark.parametrize("who", ["busy", "new"])
def test_every_link_the_api_gives_and_every_instance_page_links_answers(demo, who):
    email, password = DEMO_LOGINS[who]
    host = urlsplit(demo.url).netloc
    start = {link for link in api_links(demo.url, email, password) if link.startswith("/")}
    assert start and any(link.startswith("/certificates/") for link in start) == (who == "busy")
    for signed_in in (False, True):
        browser = requests.Session()
        if signed_in:
            browser.post(f"{demo.url}/sign-in", data={"email": email, "password": password})
        queue, seen = sorted(start | {"/", "/dashboard", "/catalog"}), set()
        while queue:
            path = queue.pop()
            if path in seen:
                continue
            seen.add(path)
            answer = browser.get(urljoin(demo.url, path))
            assert answer.status_code < 400, (path, answer.status_code)
            if "text/html" not in answer.headers.get("Content-Type", ""):
                continue
            for href in hrefs(answer.text):
                target = urlsplit(urljoin(answer.url, href))
                if target.netloc == host and target.path not in seen:
                    queue.append(target.path)
        assert len(seen) > 10


def test_failures_throttle_sign_in_and_odd_input_is_a_clear_answer(gql_sandbox):
    email, password = gql_sandbox.passwords["noah"]
    for _ in range(5):
        requests.post(f"{gql_sandbox.url}/sign-in", data={"email": email, "password": "x"})
    sign_in_url = f"{gql_sandbox.url}/sign-in"
    answer = requests.post(sign_in_url, data={"email": email, "password": password})
    assert answer.status_code == 422 and "Too many failed attempts" in answer.text
    for data in ({}, {"email": "a" * 5000, "password": "b" * 5000}, {"email": "<b>x</b>"}):
        answer = requests.post(f"{gql_sandbox.url}/sign-in", data=data)
        assert answer.status_code == 422 and "<b>x</b>" not in answer.text
    reset, password = gql_sandbox.passwords["reset"]
    answer = requests.post(sign_in_url, data={"email": reset, "password": password})
    assert answer.status_code == 422 and "reset your password" in answer.text


def test_a_signed_out_post_changes_nothing_and_asks_to_sign_in(gql_sandbox):
    i = gql_sandbox.ids
    answer = requests.post(
        f"{gql_sandbox.url}/learn/beginner-course/topics/{i['topic_1']}", data={"csrf": "x"}
    )
    assert answer.status_code == 200 and "Sign in to Test Academy" in answer.text
    assert gql_sandbox.count("topic_progress") == 0
