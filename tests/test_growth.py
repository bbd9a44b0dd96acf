"""What keeps a page's cost flat as a learner's history grows: a learner of a thousand items
(two hundred certificates, a hundred bookmarks) gets one page of each list, drawn from what the
page asks the instance for (`bench_growth.py` measures the times)."""

from __future__ import annotations

import re

import pytest
import requests
from werkzeug.wrappers import Request, Response

from tests.conftest import copy_demo_data, portal_settings, start_sandbox
from tests.growth import add_learner

CARD = '<li class="content-card'
CERTIFICATE_ROW = '"certificate-row '


class Recorder:
    """A proxy in front of the sandbox that notes each GraphQL request the portal sends."""

    def __init__(self, instance_url: str):
        self.instance_url = instance_url
        self.sent: list[dict] = []
        self.forward = requests.Session()

    @Request.application
    def __call__(self, request):
        body = request.get_json(silent=True) or {}
        self.sent.append(body)
        upstream = self.forward.post(
            self.instance_url + request.path,
            params=request.args,
            json=body,
            headers={k: v for k, v in request.headers.items() if k.lower() == "authtoken"},
            timeout=60,
        )
        return Response(upstream.content, upstream.status_code, mimetype="application/json")

    def operations(self) -> list[str]:
        """What a page asked, beside the instance's own data (branding, labels: every page,
        kept a while) and the percents of started courses (once a session for a list)."""
        names = [body.get("operationName") for body in self.sent]
        return [name for name in names if name not in ("InstanceData", "UserCourseProgress")]

    def asked(self, operation: str) -> dict:
        return next(body for body in self.sent if body.get("operationName") == operation)


@pytest.fixture(scope="module")
def longtime(demo_data, tmp_path_factory):
    """A test client signed in as a learner of 1,000 items, against a sandbox through a
    Recorder, keeping no page or fragment (every load a first view)."""
    from portal import create_app
    from portal.sandbox.server import start

    directory = tmp_path_factory.mktemp("growth")
    sandbox = start_sandbox(copy_demo_data(demo_data, directory / "sandbox"))
    email, password = add_learner(sandbox.store, 1000)
    recorder = Recorder(sandbox.url)
    proxy = start(recorder)
    settings = portal_settings(
        proxy.url,
        directory,
        WTF_CSRF_ENABLED=False,
        PAGE_CACHE_SIZE=0,
        FRAGMENT_CACHE_SIZE=0,
    )
    client = create_app(settings).test_client()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 303
    yield client, recorder, sandbox.store
    proxy.stop()
    sandbox.server.stop()
    sandbox.store.close()
    recorder.forward.close()


def load(longtime, path: str) -> tuple[str, Recorder]:
    client, recorder, _store = longtime
    recorder.sent.clear()
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True), recorder


def content_list(html: str) -> str:
    start = html.index('id="content-list"')
    return html[start : html.index("</section>", start)]


def test_thousand_item_dashboard_asks_once_and_draws_one_page_of_cards(longtime):
    html, recorder = load(longtime, "/dashboard")
    assert recorder.operations() == ["DashboardPage"]
    variables = recorder.asked("DashboardPage")["variables"]
    # The instance gives the list whole: an event's place and the certificates' full fields
    # are not asked for on My content; the banner's few fields are.
    assert variables["withItems"] and not variables["withEventFields"]
    assert not variables["withCertificates"] and variables["withExpiring"]
    assert content_list(html).count(CARD) == 12
    assert "1–12 of 950 items." in html and "Page 1 of 80" in html
    again, recorder = load(longtime, "/dashboard")
    # The next time the percents ride along: one request in all.
    assert [body["operationName"] for body in recorder.sent] in (
        ["DashboardPage"],
        ["InstanceData", "DashboardPage"],
    )
    assert content_list(again).count(CARD) == 12


def test_the_last_page_of_a_long_list_draws_its_last_cards(longtime):
    html, _ = load(longtime, "/dashboard?page=80")
    assert content_list(html).count(CARD) == 950 - 79 * 12
    assert "Page 80 of 80" in html


@pytest.mark.parametrize(
    ("tab", "total", "text"),
    [
        ("completedItems", 400, "400 items completed."),
        ("eventItems", 200, "Page 1 of 17"),
        ("waitlistedCourses", 20, "Page 1 of 2"),
        ("archivedContentItems", 50, "Page 1 of 5"),
    ],
)
def test_every_tab_draws_one_page_of_its_list(longtime, tab, total, text):
    html, recorder = load(longtime, f"/dashboard?tab={tab}")
    panel = html[html.index('id="dashboard-panel"') :]
    drawn = panel.count(CARD) + panel.count('<li class="content-item"')
    assert drawn == 12 and text in html
    assert recorder.operations() == ["DashboardPage"]
    variables = recorder.asked("DashboardPage")["variables"]
    assert variables["withEventFields"] == (tab == "eventItems")
    # Certificates' full fields for the Certificates tab only: the Completed tab asks for
    # each one's date and id.
    assert not variables["withCertificates"]
    assert variables["withCompletions"] == (tab == "completedItems")


def test_certificates_come_a_page_at_a_time(longtime):
    tab, _ = load(longtime, "/dashboard?tab=certificates")
    assert tab.count(CERTIFICATE_ROW) == 12 and "Page 1 of" in tab
    page, _ = load(longtime, "/certificates")
    assert page.count(CERTIFICATE_ROW) == 20 and "Page 1 of 9" in page
    last, _ = load(longtime, "/certificates?expired=1&page=10")  # 200 with expired ones
    assert last.count(CERTIFICATE_ROW) == 20 and "Page 10 of 10" in last


def test_expiry_banner_names_the_five_soonest_and_counts_the_others(longtime):
    html, _ = load(longtime, "/dashboard")
    start = html.index('class="expiring-banner')
    banner = html[start : html.index("</section>", start)]
    assert banner.count("<li>") == 5
    found = re.search(r"(\d+) certificates expire soon", banner)
    assert found and int(found.group(1)) > 5
    assert f"{int(found.group(1)) - 5} more certificates expire soon" in banner


def test_bookmarks_tab_asks_only_the_folders_its_page_reaches(longtime):
    html, recorder = load(longtime, "/dashboard?tab=bookmarkFolders")
    # 100 bookmarks in 10 folders of 10: the first page reaches the first two folders.
    batch = [body for body in recorder.sent if "UserBookmarksByFolder" in body.get("query", "")]
    assert len(batch) == 1 and len(batch[0]["variables"]) == 2
    assert html[html.index('id="bookmarks"') :].count(CARD) == 12
    assert "100 bookmarks." in html and "Page 1 of 9" in html
    second, recorder = load(longtime, "/bookmarks?page=2")
    batch = [body for body in recorder.sent if "UserBookmarksByFolder" in body.get("query", "")]
    assert len(batch[0]["variables"]) == 2  # folders 3 and 4 (bookmarks 13 to 24)
    assert second[second.index('id="bookmarks"') :].count(CARD) == 12


def test_a_page_of_bookmarks_draws_the_folders_it_reaches_and_links_the_others(longtime):
    """However many folders there are, a page draws a dozen bookmarks and their folders (with
    their forms); every other folder is one link, to the page it starts on."""
    html, _ = load(longtime, "/bookmarks?page=2")
    assert html.count('<section class="bookmark-folder card"') == 2  # folders 2 and 3
    assert html.count("Save name") == 2 and html.count("Delete folder") == 2
    index = html[html.index('class="bookmark-folders-index"') :]
    index = index[: index.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', index)
    assert len(links) == 8 and index.count("10 bookmarks") == 8
    target, name = links[-1]  # the tenth folder: bookmarks 91 to 100, on page 8
    assert target.startswith("/bookmarks?page=8#folder-")
    folder_page, _ = load(longtime, target.replace("&amp;", "&"))
    heading = target.split("#", 1)[1]
    assert f'id="{heading}"' in folder_page and name in folder_page
    assert "Page 8 of 9" in folder_page


def test_content_page_asks_for_its_own_item_not_the_learners_whole_list(longtime):
    store = longtime[2]
    # The 46th item: a course, with a due date in 25 days.
    course = store.scalar("SELECT id FROM content WHERE slug = 'growth-1000-course-0046'")
    html, recorder = load(longtime, f"/learn/course/{course}")
    body = recorder.sent[-1]
    assert body["operationName"] == "CoursePage"
    assert "QueryContents(ids: [$id])" in body["query"]
    listed = body["query"][body["query"].index("UserContentItems") :]
    assert re.match(r"UserContentItems \{\s*id\s*currentUserDueDate\s*\}", listed)
    # What the learner's list gave before, from the item and the list's due dates.
    assert "Course 0046 of growth 1000: what it covers" in html
    assert "Due " in html and "https://cdn.example.com/growth/growth-1000-course-0046.png" in html


@pytest.mark.parametrize(
    ("path", "target", "where"),
    [
        ("/dashboard?tab=completedItems&page=2", "dashboard-panel", "Page 2 of 34"),
        ("/dashboard?tab=certificates&page=3", "dashboard-panel", "Page 3 of 15"),
        ("/bookmarks?page=2", "bookmarks", "Page 2 of 9"),
        ("/certificates?page=2", "certificate-list", "Page 2 of 9"),
    ],
)
def test_a_pager_swaps_its_list_in_place(longtime, path, target, where):
    client, recorder, _store = longtime
    recorder.sent.clear()
    response = client.get(path, headers={"HX-Request": "true", "HX-Target": target})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and where in html
    assert "<html" not in html and f'id="{target}"' in html
    assert 'id="pager-previous"' in html and 'id="pager-next"' in html
    assert response.headers.get("Vary", "").count("HX-Request") == 1
