"""Screenshots of the Metronome seat balances page and an expanded ledger (run by hand, not by pytest).

Usage: a server on BASE (default http://127.0.0.1:8011) with the Metronome sandbox seeded and a
user SHOOT_USER / SHOOT_PASSWORD; writes docs/screenshots/metronome-*.png.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = os.environ.get("BASE", "http://127.0.0.1:8011")
OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(f"{BASE}/accounts/login/")
        page.fill("input[name=username]", os.environ.get("SHOOT_USER", "shooter"))
        page.fill("input[name=password]", os.environ["SHOOT_PASSWORD"])
        page.click("button[type=submit]")
        page.goto(f"{BASE}/metronome/?q=Acme")
        page.click("table.data a >> nth=0")
        page.wait_for_load_state()
        page.click("text=Seat balances >> nth=1")
        page.wait_for_selector("table.data.seats")
        page.screenshot(path=str(OUT / "metronome-seat-balances.png"), full_page=True)

        page.click("td.expand a:has-text('(13)') >> nth=0")
        page.wait_for_selector(".seat-detail table.nested")
        page.click(".seat-detail td.expand a >> nth=0")
        page.wait_for_selector(".ledger-table")
        page.wait_for_timeout(300)
        page.locator(".table-wrap").screenshot(path=str(OUT / "metronome-ledger.png"))
        assert re.search(r"/metronome/customers/", page.url)
        browser.close()


if __name__ == "__main__":
    main()
