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


def test_with_single_sign_on_every_instance_link_lands_signed_in(
    client, login, sandbox, single_sign_on, app
):
    single_sign_on()
    app.config["RATELIMIT_PAGES"] = "1000 per minute"  # each hand-over is a page too
    login(client, "busy")
    statuses, elsewhere = crawl(client)
    assert not {path: status for path, status in statuses.items() if status >= 400}
    handed = sorted(url for url in elsewhere if url.startswith(f"{sandbox.url}/access/jwt?"))
    assert len(handed) > 5, "no instance link went through the hand-over"
    assert not [url for url in elsewhere if url.startswith(f"{sandbox.url}/learn/")]
    for url in handed:
        with requests.Session() as browser:
            landed = browser.get(url, timeout=15)
        assert landed.status_code < 400 and "/access/jwt" not in landed.url, url
        assert 'action="/sign-out"' in landed.text, f"{landed.url}: not signed in"


def stop(sandbox) -> None:
    sandbox.server.stop()


def refuse_key(sandbox) -> None:
    sandbox.app.extensions["sandbox"].api_key = "another-key"  # every answer a 401


def throttle(sandbox) -> None:
    sandbox.app.extensions["sandbox"].points_per_minute = 0  # every answer a 429


@pytest.mark.parametrize(
    ("who", "outage"),
    [("busy", stop), ("new", stop), ("busy", throttle), ("busy", refuse_key)],
    ids=["busy-down", "new-down", "busy-throttled", "busy-key-refused"],
)
def test_every_page_stands_while_the_instance_fails(client, login, sandbox, who, outage):
    """Each page the crawl found, asked again (whole and as an htmx fragment) with the instance
    down or turning the portal away: what was cached still shows, the rest says what
    failed, with a reference to quote; never a 500."""
    login(client, who)
    statuses, _ = crawl(client)
    pages = [path for path, status in statuses.items() if status == 200]
    outage(sandbox)
    failed, told = {}, 0
    for path in pages:
        for headers in ({}, {"HX-Request": "true"}):
            with client.get(path, headers=headers) as response:
                status, page = response.status_code, response.get_data(as_text=True)
            if status == 500 or status > 504 or (status >= 500 and "quote this" not in page):
                failed[path, bool(headers)] = status
            told += status >= 500 or 'class="widget-error"' in page
    assert not failed, failed
    assert told > len(pages) // 2  # the outage did reach the pages
