"""What the browser tests share besides fixtures: axe-core checks and README screenshots."""

from __future__ import annotations

import os
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
_axe = Axe()


def axe_problems(page) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now, one line each."""
    results = _axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def shoot(page, name: str) -> None:
    """Save a screenshot for the README when SEATDASH_SCREENSHOTS=1 (`./dev screenshots`).

    Off by default, so an ordinary test run leaves the committed pictures alone.
    """
    if os.environ.get("SEATDASH_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def shown_ids(page) -> list[str]:
    """Customer IDs of the balance rows on screen, in order."""
    return page.locator("table.data tbody td.id").all_inner_texts()


def shown_names(page) -> list[str]:
    return page.locator("table.data tbody td.customer > a").all_inner_texts()


def number(text: str) -> int:
    """A figure as the table prints it: thousands commas, a dash for none."""
    text = text.strip().replace(",", "").replace("\u2212", "-")
    return 0 if text in ("", "—") else int(text)
