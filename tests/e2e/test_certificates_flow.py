"""Certificates and badges in real Chromium, with and without JavaScript, axe on every page."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from portal.sandbox.demo import DEMO_LOGINS

pytestmark = pytest.mark.e2e

BUSY_NAME = "Avery Johnson"
EXPIRED = "Anti-Bribery and Corruption"


def certificate_list(page):
    return page.locator("#certificate-list")


def download_pdf_text(page, link_name: str) -> str:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as file:
        return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(file.read())).pages)


def test_search_switch_back_detail_and_pdf_with_javascript(page, sign_in, live_server, axe):
    sign_in(page)
    page.goto(f"{live_server.url}/certificates")
    axe(page)
    listing = certificate_list(page)
    expect(listing).to_contain_text("Spreadsheet Essentials")
    expect(listing).not_to_contain_text(EXPIRED)

    page.get_by_label("Include expired certificates").check()
    expect(listing).to_contain_text(EXPIRED)
    expect(page).to_have_url(re.compile(r"expired=1"))

    page.get_by_label("Search certificates").fill("Leadership")
    expect(listing).not_to_contain_text("Spreadsheet Essentials")
    expect(listing).not_to_contain_text(EXPIRED)
    expect(listing).to_contain_text("Foundations of Leadership")
    expect(page).to_have_url(re.compile(r"query=Leadership"))
    axe(page)

    page.go_back()  # all certificates, expired ones included
    expect(certificate_list(page)).to_contain_text("Spreadsheet Essentials")
    expect(certificate_list(page)).to_contain_text(EXPIRED)
    expect(page.get_by_label("Search certificates")).to_have_value("")
    page.go_back()  # expired ones hidden again
    expect(certificate_list(page)).not_to_contain_text(EXPIRED)
    expect(page.get_by_label("Include expired certificates")).not_to_be_checked()

    page.get_by_role("link", name="Foundations of Leadership").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Foundations of Leadership")
    expect(page.locator("#certificate-detail")).to_contain_text(BUSY_NAME)
    axe(page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#copy-link-status")).to_have_text("Link copied to the clipboard.")

    text = download_pdf_text(page, "Download PDF")
    assert BUSY_NAME in text and "Foundations of Leadership" in text


def test_search_switch_detail_and_pdf_without_javascript(page_nojs, sign_in, live_server, axe):
    page = page_nojs
    sign_in(page)
    page.goto(f"{live_server.url}/certificates")
    expect(page.get_by_role("button", name="Copy link")).to_have_count(0)
    page.get_by_label("Search certificates").fill("Leadership")
    page.get_by_role("button", name="Show certificates").click()
    expect(page).to_have_url(re.compile(r"query=Leadership"))
    expect(certificate_list(page)).not_to_contain_text("Spreadsheet Essentials")

    page.get_by_label("Search certificates").fill("")
    page.get_by_label("Include expired certificates").check()
    page.get_by_role("button", name="Show certificates").click()
    expect(certificate_list(page)).to_contain_text(EXPIRED)
    axe(page)
    page.go_back()
    expect(certificate_list(page)).not_to_contain_text("Spreadsheet Essentials")

    page.goto(f"{live_server.url}/certificates")
    page.get_by_role("link", name="Foundations of Leadership").click()
    expect(page.locator("#certificate-share-url")).to_have_value(re.compile(r"/certificates/"))
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    axe(page)
    text = download_pdf_text(page, "Download PDF")
    assert BUSY_NAME in text and "Foundations of Leadership" in text


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_upload_external_certificate(sign_in, browser_page, live_server, axe, javascript):
    page = browser_page(javascript)
    sign_in(page)
    page.goto(f"{live_server.url}/certificates")
    page.get_by_role("link", name="Add an external certificate").click()
    axe(page)
    title = "Forklift Safety " + ("JS" if javascript else "NoJS")
    page.get_by_label("Address (URL) of the certificate file").fill("ftp://files.example.com/x")
    page.get_by_label("Course").fill(title)
    page.get_by_label("Issued on").fill("2025-02-01")
    page.get_by_role("button", name="Add certificate").click()
    expect(page.locator(".field__error").first).to_contain_text("https://")
    expect(page.get_by_label("Course")).to_have_value(title)  # nothing typed is lost
    axe(page)
    page.get_by_label("Address (URL) of the certificate file").fill(
        "https://files.example.com/forklift.pdf"
    )
    page.get_by_role("button", name="Add certificate").click()
    expect(page).to_have_url(re.compile(r"/certificates$"))
    expect(page.get_by_text("Your certificate was added.")).to_be_visible()
    expect(certificate_list(page)).to_contain_text(title)


@pytest.fixture
def browser_page(request):
    """Callable: browser_page(javascript) -> the page or the JavaScript-less page."""

    def pick(javascript: bool):
        return request.getfixturevalue("page" if javascript else "page_nojs")

    return pick


def busy_rank(sandbox) -> int:
    me = sandbox.store.scalar("SELECT id FROM users WHERE email = ?", DEMO_LOGINS["busy"][0])
    totals = dict(
        sandbox.store.query(
            "SELECT a.user_id, SUM(a.amount) FROM awards a JOIN award_types t "
            "ON t.id = a.award_type_id WHERE t.is_leaderboard = 1 GROUP BY a.user_id"
        )
    )
    return 1 + sum(1 for total in totals.values() if total > totals[me])


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_leaderboard_highlights_learner_and_position(
    sign_in, browser_page, live_server, sandbox, axe, javascript
):
    page = browser_page(javascript)
    rank = busy_rank(sandbox)
    assert 5 < rank <= 50, "the demo learner must rank outside the top 5 and inside the top 50"
    sign_in(page)
    page.goto(f"{live_server.url}/badges")
    expect(page.get_by_role("heading", name="Your badge board")).to_be_visible()
    axe(page)
    board = page.locator("#badge-leaderboard")
    # Outside the first 10 shown, the position line is there before any change: the
    # caption says when the board of 5 has come.
    expect(board.locator("caption")).to_contain_text("Top 10 learners")
    limit = page.get_by_label("Learners shown")
    limit.select_option("5")
    if not javascript:
        page.get_by_role("button", name="Show", exact=True).click()
    expect(board.locator("caption")).to_contain_text("Top 5 learners")
    expect(board.locator("tbody tr")).to_have_count(5)
    expect(board).to_contain_text(f"Your position: #{rank}")
    expect(board.locator('tr[aria-current="true"]')).to_have_count(0)
    expect(page).to_have_url(re.compile(r"limit=5"))

    limit.select_option("50")
    if not javascript:
        page.get_by_role("button", name="Show", exact=True).click()
    mine = board.locator('tr[aria-current="true"]')
    expect(mine).to_contain_text(BUSY_NAME)
    expect(mine).to_contain_text(str(rank))
    expect(board).not_to_contain_text("Your position")
    axe(page)
