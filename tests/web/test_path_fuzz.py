"""Issue 9 point 12: odd identifiers in any path parameter get a 404 page, never a 5xx."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.urls import URLPattern, get_resolver

from tests.fakes import customer

pytestmark = pytest.mark.django_db

ODD = [
    "a,b",
    " ",
    "\t",
    "a b",
    "x\x00y",
    "x\x01y",
    "x\x1by",
    "\x7f",
    "x" * 3_000,
    "..",
    ".",
    "a\u202eb",  # right-to-left override
    "\u200fc-1",  # right-to-left mark
    "c-1\u2066",  # left-to-right isolate
    "c-1\u200b",  # zero-width space
    "\ufeffc-1",  # byte-order mark
]


def _patterns_with_parameters() -> list[str]:
    """Every top-level route of the dashboard that takes a path parameter (the sandboxes aside)."""
    routes = []
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLPattern) and "<" in str(pattern.pattern):
            routes.append(str(pattern.pattern))
    return routes


def test_every_dashboard_path_parameter_is_covered():
    routes = _patterns_with_parameters()
    assert "customers/<ident:customer_id>/" in routes
    assert "events/<ident:event_id>/" in routes
    assert all("<ident:" in route for route in routes), routes
    assert len(routes) >= 8


@pytest.mark.parametrize("route", _patterns_with_parameters())
def test_odd_identifier_in_path_is_a_404_page(logged_in_client, fake_sequence, route):
    fake_sequence.customers = [customer("c-1", "Acme Corp", {"admin": 1})]
    for odd in ODD:
        # the odd value in each parameter in turn, the others plausible
        for slot in range(route.count("<")):
            parts = re.split(r"<[^>]+>", route)
            values = [quote(odd, safe="") if n == slot else "c-1" for n in range(len(parts) - 1)]
            path = "/" + "".join(p + v for p, v in zip(parts, [*values, ""], strict=True))
            response = logged_in_client.get(path, {"seat": "s-1"})
            assert response.status_code == 404, (repr(odd)[:20], path[:80])
            assert b"<html" in response.content.lower()


@pytest.mark.parametrize(
    "path", ["/customers/a,b/", "/customers/%20/", "/customers/%09/", "/events/a,b/"]
)
def test_issue_examples_are_404(logged_in_client, fake_sequence, path):
    assert logged_in_client.get(path).status_code == 404


def test_plain_identifier_still_resolves(logged_in_client, fake_sequence):
    fake_sequence.customers = [customer("c-1", "Acme Corp", {"admin": 1})]
    assert logged_in_client.get("/customers/c-1/").status_code == 200
    assert logged_in_client.get("/customers/c-404/").status_code == 404


@pytest.mark.parametrize("odd", ODD, ids=lambda v: repr(v)[:20])
def test_identifier_converter_refuses_what_names_nothing(odd):
    # The fake client in the view tests answers 404 for anything; the real one raises on a comma.
    from seatdash.converters import IdentifierConverter

    with pytest.raises(ValueError):
        IdentifierConverter().to_python(odd)


@pytest.mark.parametrize(
    "plain", ["c-1", "3f2a9c1e-0b7d-4a2e-a111-9f0c2d3e4b5a", "acme_eu.x", "Müller"]
)
def test_identifier_converter_keeps_plausible_ids(plain):
    from seatdash.converters import IdentifierConverter

    assert IdentifierConverter().to_python(plain) == plain
