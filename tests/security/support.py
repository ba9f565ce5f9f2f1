"""Helpers for the security and production tests (no tests here): test URLconf, subprocesses."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from seatdash.auth import oidc_urlpatterns
from seatdash.permissions import export_required
from seatdash.urls import urlpatterns as seatdash_urlpatterns

REPO = Path(__file__).resolve().parents[2]


def private_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"private page for {request.user.get_username()}")


@export_required
def export_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("csv,goes,here", content_type="text/csv")


def broken_page(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("something broke in a view")


# The real URLs plus stand-ins for pages the dashboard branch is still writing; OIDC always mounted.
urlpatterns = [
    *seatdash_urlpatterns,
    path("t/private/", private_page, name="t-private"),
    path("t/export/", export_page, name="t-export"),
    path("t/broken/", broken_page, name="t-broken"),
    path("oidc/", include(oidc_urlpatterns)),
]

URLCONF = __name__


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """A clean environment with production values: nothing inherited that Django would read.

    An override of None removes the variable."""
    env = {
        name: os.environ[name]
        for name in ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
        if name in os.environ
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "seatdash.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "seatdash.example.com,127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            "STATIC_ROOT": str(tmp_path / "static"),
            # SANDBOX_ENABLED is off in production, so Sequence must be configured: a closed port.
            "SEQUENCE_API_URL": "http://127.0.0.1:9/api",
            "SEQUENCE_CLIENT_ID": "seatdash",
            "SEQUENCE_CLIENT_SECRET": secrets.token_urlsafe(24),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def python(env: dict[str, str], code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def answers(url: str) -> bool:
    """Whether anything answers HTTP at `url` (a booting gunicorn accepts before its workers run)."""
    try:
        httpx.get(url, timeout=5)
    except httpx.HTTPError:
        return False
    return True


@contextmanager
def running_gunicorn(env: dict[str, str], **extra: str):
    """`gunicorn seatdash.wsgi` on a free port with `env`, yielding its base URL once a worker answers.

    The master listens at once but its workers boot lazily (Django's imports take seconds on a
    loaded machine), so this waits for a first answer and the tests' own timeouts time requests."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "seatdash.wsgi"],
        cwd=REPO,
        env={**env, "PORT": str(port), **extra},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        if reachable("127.0.0.1", port) and answers(f"{base}/healthz"):
            break
        time.sleep(0.2)
    try:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited: {process.stdout.read().decode()}")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
