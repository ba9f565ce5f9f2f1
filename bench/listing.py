"""Warm balances page against the bare template render of the same rows."""

from __future__ import annotations

import time

from django.template.loader import render_to_string
from django.test import RequestFactory

from bench.data import customers
from bench.support import StaticSequence, logged_in_client, row, timed, use_upstream
from seatdash.services import balances
from seatdash.web.forms import BalanceFilterForm

QUERIES = {
    "no filter, sorted by name": {},
    "q='müller' (substring over all)": {"q": "müller"},
    "sort=-total": {"sort": "-total"},
    "seat_type=admin & nonzero, sort=-seats.admin": {
        "seat_type": "admin",
        "nonzero": "1",
        "sort": "-seats.admin",
    },
}


def run(sizes: list[int]) -> None:
    client = logged_in_client()
    for size in sizes:
        fake = StaticSequence(customers(size))
        use_upstream(fake)
        started = time.perf_counter()
        client.get("/")
        cold = (time.perf_counter() - started) * 1000
        print(f" {size:,} customers (first page load, fetch + decode + index: {cold:.0f} ms)")
        repeat = 30 if size <= 10_000 else 10
        for label, params in QUERIES.items():
            client.get("/", params)  # builds the sort order once per snapshot
            page = timed(lambda params=params: client.get("/", params), repeat=repeat)
            render = _bare_render(params)
            bare = timed(render, repeat=repeat)
            row(f"warm page   {label}", *page)
            row(f"bare render {label}", *bare)
        typed = iter(range(10**6))
        fresh = timed(
            lambda typed=typed: client.get("/", {"q": f"gmbh {next(typed)}"}), repeat=repeat
        )
        row("warm page   a filter not asked before (q typed anew)", *fresh)
        balances.forget_decoded_snapshots()
        decode = timed(lambda: balances.balance_snapshot(), repeat=1)
        row("new process: decode cached snapshot into an index", *decode)
        assert fake.calls == 1, "a warm page must not call the upstream"


def _bare_render(params: dict):
    """Rendering the same rows through the same template, with no service, cache or middleware."""
    request = RequestFactory().get("/", params)
    request.htmx = False
    request.user = None
    form = BalanceFilterForm(params)
    fetched = balances.balance_list(filters=form.filters())
    context = {
        "form": form,
        "filters": form.filters(),
        "fetched": fetched,
        "listing": fetched.value,
    }
    return lambda: render_to_string("balances.html", context, request=request)
