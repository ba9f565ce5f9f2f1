"""Dashboard views: parse the filters, ask a service, render a page or its fragment."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def balances(request: HttpRequest) -> HttpResponse:
    return render(request, "balances.html", {})
