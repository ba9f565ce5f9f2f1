"""Logging in: anonymous visitors are sent to the login page and land on the dashboard after it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_login_anonymous_visit_redirects_to_login_page(page, demo):
    page.goto("/")

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", name="Log in to seatdash")).to_be_visible()


def test_login_wrong_password_shows_error_and_stays(page, user, demo):
    page.goto("/")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Please enter a correct username and password"
    )
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_label("Username")).to_have_value("casey")


def test_login_right_password_lands_on_dashboard_table(page, user, demo):
    page.goto("/")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Seat balances")).to_be_visible()
    expect(page.locator("table.data tbody tr")).to_have_count(50)
    expect(page.get_by_text("casey", exact=True)).to_be_visible()
