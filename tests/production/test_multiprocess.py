"""Several server processes behind one cache: a cold page asked of two processes at once costs one
upstream fetch with Redis (the single-flight lock is shared), and one per process without it.

Runs two gunicorn processes against the PostgreSQL and Redis on this machine and counts the calls
the sandbox received. Skipped with a reason where either service is absent; CI has both.
"""

from __future__ import annotations

import re
import secrets
import threading
from contextlib import contextmanager

import httpx
import psycopg
import pytest

from tests.production.test_config import REDIS
from tests.security.support import manage, production_env, reachable, running_gunicorn

pytestmark = pytest.mark.production
PASSWORD = "multi-process-test-password"
REQUESTS_PER_PROCESS = 4


@pytest.fixture(scope="module")
def database_url(fresh_postgres_url):
    """A fresh PostgreSQL database for this module (dropped afterwards); Redis must answer too."""
    if not reachable(*REDIS):
        pytest.skip("Redis is not listening on 127.0.0.1:6379")
    return fresh_postgres_url


@pytest.fixture(scope="module")
def stack(tmp_path_factory, database_url):
    """A migrated database with sandbox demo data, a login, and collected static files."""
    env = production_env(
        tmp_path_factory.mktemp("multiprocess"),
        DATABASE_URL=database_url,
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        # Production with the sandbox switched on explicitly: the calls to count go to it.
        SANDBOX_ENABLED="true",
        SEQUENCE_API_URL=None,
        SEQUENCE_CLIENT_ID=None,
        SEQUENCE_CLIENT_SECRET=None,
    )
    create_user = (
        "from django.contrib.auth.models import Group, User;"
        f"u = User.objects.create_user('casey', password='{PASSWORD}');"
        "u.groups.add(Group.objects.get(name='viewer'))"
    )
    for command in (
        ["migrate", "--no-input"],
        ["collectstatic", "--no-input"],
        ["sandbox_seed", "--customers", "40", "--anchor", "2026-06-01"],
        ["shell", "-c", create_user],
        # Slow the sandbox down so that every request arrives while the first fetch is in flight.
        ["sandbox_faults", "--delay-ms", "1500"],
    ):
        result = manage(env, *command)
        assert result.returncode == 0, result.stdout + result.stderr
    return env


@contextmanager
def gunicorn(env: dict[str, str]):
    with running_gunicorn(env, GUNICORN_WORKERS="1", GUNICORN_BIND_HOST="127.0.0.1") as base:
        yield base


def log_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    form = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    answer = client.post(
        "/accounts/login/",
        data={"username": "casey", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert answer.status_code == 302, answer.text[:500]
    return client


def balance_fetches(database_url: str) -> int:
    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
        row = conn.execute(
            "SELECT count(*) FROM sandbox_requestlog WHERE path = '/sandbox/api/seat-balances'"
        ).fetchone()
    return row[0]


def cold_page_through_two_processes(env: dict[str, str], database_url: str) -> tuple[int, list]:
    """Ask both processes for the cold balances page at the same moment; count upstream fetches."""
    with gunicorn(env) as first, gunicorn(env) as second:
        clients = [log_in(first), log_in(second)]
        before = balance_fetches(database_url)
        barrier = threading.Barrier(2 * REQUESTS_PER_PROCESS)
        answers: list = []

        def ask(client: httpx.Client) -> None:
            barrier.wait()
            response = client.get("/", params={"sort": "-total"})
            answers.append((response.status_code, "Balances as of" in response.text))

        threads = [
            threading.Thread(target=ask, args=(client,))
            for client in clients
            for _ in range(REQUESTS_PER_PROCESS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return balance_fetches(database_url) - before, answers


def test_two_processes_sharing_redis_fetch_a_cold_page_once(stack, database_url):
    env = {
        **stack,
        "CACHE_URL": "redis://127.0.0.1:6379/13",
        "CACHE_VERSION": str(secrets.randbelow(10**9)),
    }
    fetches, answers = cold_page_through_two_processes(env, database_url)
    assert answers == [(200, True)] * (2 * REQUESTS_PER_PROCESS)
    assert fetches == 1


def test_two_processes_with_local_memory_fetch_once_each(stack, database_url):
    """The contrast that shows the count above is measured: without a shared cache, one per process."""
    env = {name: value for name, value in stack.items() if name not in ("CACHE_URL", "REDIS_URL")}
    fetches, answers = cold_page_through_two_processes(env, database_url)
    assert answers == [(200, True)] * (2 * REQUESTS_PER_PROCESS)
    assert fetches == 2
