"""Every page needs a login: walk the URL resolver so that new views are covered automatically."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# Public on purpose: the login page, the health check, Django's admin (its own login), and the
# sandbox APIs (HTTP Basic / Bearer auth of their own, as the providers they imitate).
PUBLIC_PREFIXES = ("accounts/login/", "healthz", "admin/", "sandbox/", "oidc/")


def every_pattern(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(every_pattern(entry, route))
        elif isinstance(entry, URLPattern):
            found.append(route)
    return found


def concrete(route: str) -> str:
    """A path for the route, with every converter filled in."""
    return "/" + re.sub(r"<(?:\w+:)?\w+>", "x1", route)


DASHBOARD_ROUTES = [r for r in every_pattern() if not r.startswith(PUBLIC_PREFIXES)]


def test_the_walk_finds_the_dashboard_pages():
    for route in ("", "balances.csv", "customers/<ident:customer_id>/", "events/<ident:event_id>/"):
        assert route in DASHBOARD_ROUTES
    assert len(DASHBOARD_ROUTES) >= 12


@pytest.mark.parametrize("route", DASHBOARD_ROUTES)
def test_every_dashboard_url_redirects_anonymous_people_to_login(client, route):
    response = client.get(concrete(route))
    assert response.status_code == 302, route
    assert response.url.startswith(reverse("login")), route


@pytest.mark.parametrize("route", DASHBOARD_ROUTES)
def test_every_dashboard_url_sends_htmx_requests_to_login_without_swapping_it_in(client, route):
    response = client.get(concrete(route), HTTP_HX_REQUEST="true")
    assert response.status_code == 200, route
    assert response["HX-Redirect"].startswith(reverse("login")), route
    assert response.content == b""
