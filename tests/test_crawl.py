"""Links lead somewhere: as each demo learner, follow every href of every portal page (submitting
nothing) and want < 400 from the portal and from the instance (the sandbox) alike."""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from portal.sandbox.demo import DEMO_LOGINS

MAX_PAGES = 250  # far more than the demo has; a runaway crawl fails instead of hanging


class Hrefs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "href" and value:
                self.found.append(value)


def hrefs(page: str) -> list[str]:
    parser = Hrefs()
    parser.feed(page)
    return parser.found


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client, start: str = "/dashboard") -> tuple[dict, set]:
    """Every portal page reachable from start: {path: status}, and the off-portal links seen."""
    statuses: dict[str, int] = {}
    elsewhere: set[str] = set()
    queue = deque([start])
    while queue:
        path = queue.popleft()
        if path in statuses:
            continue
        assert len(statuses) < MAX_PAGES, "the crawl does not end"
        with client.get(path) as response:  # closed: static files hold their file open
            statuses[path] = response.status_code
            links = []
            if 300 <= response.status_code < 400:
                links = [response.headers["Location"]]
            elif response.mimetype == "text/html":
                links = hrefs(response.get_data(as_text=True))
        for link in links:
            url = urljoin("http://localhost" + path, link)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https"):
                elsewhere.add(link)  # mailto: and the like are reported, never followed
            elif parts.netloc == "localhost":
                queue.append(local(url))
            else:
                elsewhere.add(url.split("#", 1)[0])
    return statuses, elsewhere


@pytest.mark.parametrize("who", list(DEMO_LOGINS))
def test_every_link_of_every_page_answers_below_400(client, login, sandbox, who):
    login(client, who)
    statuses, elsewhere = crawl(client)
    broken = {path: status for path, status in statuses.items() if status >= 400}
    assert not broken, broken
    assert len(statuses) > 10
    assert any(path.startswith("/learn/") for path in statuses), "no content page was linked"
    odd = [url for url in elsewhere if not url.startswith(("http://", "https://"))]
    assert not odd, odd
    instance = sorted(url for url in elsewhere if url.startswith(sandbox.url))
    assert instance, "no instance link was found"
    with requests.Session() as http:
        answers = {url: http.get(url, timeout=15).status_code for url in instance}
    broken = {url: status for url, status in answers.items() if status >= 400}
    assert not broken, broken
