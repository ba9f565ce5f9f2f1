"""Helpers every page module shares: page-or-fragment rendering, canonical URLs, refresh handling.

Every module under seatdash/web/ uses these; a new page module should too, rather than borrowing
another view module's helpers.
"""

from __future__ import annotations

import functools

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect, push_url

from seatdash.audit import audited_stream
from seatdash.web.exports import RowCounter, csv_chunks


def render_page_or_fragment(
    request: HttpRequest, template: str, fragment: str, context: dict
) -> HttpResponse:
    """The fragment for htmx swaps; the whole page for everything else, history restores included."""
    htmx = getattr(request, "htmx", None)
    wants_fragment = bool(htmx) and not htmx.boosted and not htmx.history_restore_request
    response = render(request, f"{template}#{fragment}" if wants_fragment else template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def canonical_query(view):
    """Shareable URLs without the empty fields a submitted form adds (`?q=acme&alias=&ids=`).

    A plain form submission is redirected to the clean URL; an htmx one is answered as usual and
    told to push the clean URL instead of the one it asked.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not any("" in values for _, values in request.GET.lists()):
            return view(request, *args, **kwargs)
        query = request.GET.copy()
        for key in list(query):
            values = [value for value in query.getlist(key) if value != ""]
            if values:
                query.setlist(key, values)
            else:
                del query[key]
        clean = request.path + (f"?{query.urlencode()}" if query else "")
        if not request.htmx:
            return redirect(clean)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            push_url(response, clean)
        return response

    return wrapper


def refresh_requested(request: HttpRequest) -> bool:
    """True when the page asked for fresh data (`?refresh=1`, the Refresh button)."""
    return request.GET.get("refresh") == "1"


def without_refresh(request: HttpRequest) -> HttpResponse:
    """After a plain (no-JS) Refresh, land on the same URL without `refresh`, so reload is cheap."""
    query = request.GET.copy()
    query.pop("refresh", None)
    url = request.path + (f"?{query.urlencode()}" if query else "")
    return redirect(url)


def csv_refused(
    request: HttpRequest, errors: dict[str, str], *, page: str = "balances"
) -> HttpResponse:
    """A CSV that cannot be filtered as asked is never sent unfiltered.

    A browser goes back to `page` with the same query, which shows the message beside the field; a
    script gets 400 with the field and the message in plain text.
    """
    if request.htmx or "text/html" in request.headers.get("Accept", ""):
        url = reverse(page) + (f"?{request.GET.urlencode()}" if request.GET else "")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    lines = [f"{field}: {message}" for field, message in errors.items()]
    body = "No CSV: a filter cannot be applied.\n" + "\n".join(lines) + "\n"
    return HttpResponse(body, status=400, content_type="text/plain; charset=utf-8")


def csv_download(
    request: HttpRequest, header: tuple[str, ...], rows, *, view: str, filename: str
) -> StreamingHttpResponse:
    """A streamed, formula-safe CSV attachment whose download is audited when it ends.

    Every CSV of the dashboard goes out through here, so counting, auditing and the headers are
    one piece of code."""
    counted = rows if isinstance(rows, RowCounter) else RowCounter(rows)
    lines = audited_stream(request, csv_chunks(header, counted), view=view, rows=counted)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
