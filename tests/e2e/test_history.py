"""The seat history in the browser: a synced demo agrees, Sync now polls to the end, axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from seatdash.history.sync import sync_once
from tests.e2e.helpers import axe_problems

pytestmark = pytest.mark.e2e


def test_history_page_synced_demo_agrees_and_sync_now_polls_to_completion(signed_in):
    page = signed_in
    page.goto("/history/")
    expect(page.get_by_text("Seat history is not synced yet")).to_be_visible()
    assert sync_once().status == "ok"

    page.get_by_role("link", name="History").click()
    expect(page.get_by_text("300 of 300 customers agree with Sequence's balances")).to_be_visible()
    assert axe_problems(page) == []

    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("Sync started")).to_be_visible()
    expect(page.get_by_text("Sync running")).to_have_count(0, timeout=20_000)
    expect(page.get_by_text("300 of 300 customers agree with Sequence's balances")).to_be_visible()
    assert axe_problems(page) == []
