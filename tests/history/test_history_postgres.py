"""The seat-history tests again, on the machine's PostgreSQL (production's database).

They run in a child pytest with DATABASE_URL pointing at a fresh PostgreSQL database, so every
query, index, upsert and the lease meet the real server; the parent skips when it is absent.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.production

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def test_history_suite_passes_on_postgresql(fresh_postgres_url):
    if os.environ.get("SEATDASH_HISTORY_CHILD"):
        pytest.skip("already the PostgreSQL run")
    env = {**os.environ, "DATABASE_URL": fresh_postgres_url, "SEATDASH_HISTORY_CHILD": "1"}
    modules = sorted(
        str(p) for p in HERE.glob("test_history_*.py") if p.name != Path(__file__).name
    )
    child = subprocess.run(  # noqa: S603 (our own interpreter and test files)
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *modules],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert child.returncode == 0, child.stdout[-6000:] + child.stderr[-3000:]
    assert " passed" in child.stdout and " skipped" not in child.stdout.splitlines()[-1]
