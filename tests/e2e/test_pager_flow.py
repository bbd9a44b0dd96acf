"""The content list's pages in real Chromium, by keyboard, with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_next_and_previous_pages_of_my_content_by_keyboard(
    javascript, page, page_nojs, sign_in, axe
):
    page = page if javascript else page_nojs
    sign_in(page, next_url="/dashboard")
    listing = page.locator("#content-list")
    count = listing.locator(".content-list__count")
    expect(count).to_have_text(re.compile(r"^\s*1–12 of \d+ items\.\s*$"))
    first_titles = listing.locator(".content-card__title").all_inner_texts()
    pages = listing.get_by_role("navigation", name="Pages of the list")
    expect(pages).to_contain_text(re.compile(r"Page 1 of \d+"))

    pages.get_by_role("link", name="Next page").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard\?page=2$"))
    expect(count).to_have_text(re.compile(r"^\s*13–\d+ of \d+ items\.\s*$"))
    second_titles = listing.locator(".content-card__title").all_inner_texts()
    assert second_titles and not set(second_titles) & set(first_titles)
    # The rest of the page stayed: the tabs, the filters and the recent content.
    expect(page.get_by_role("search", name="Filter and sort your content")).to_be_visible()
    axe(page)

    pages.get_by_role("link", name="Previous page").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(count).to_have_text(re.compile(r"^\s*1–12 of"))
    if javascript:
        page.go_back()  # the address moved with each page: Back goes to page 2 again
        expect(count).to_have_text(re.compile(r"^\s*13–"))
