"""The export audit trail: one ExportAudit row and one structured log line per CSV export."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils import timezone

from seatdash.auth import client_ip
from seatdash.models import ExportAudit

if TYPE_CHECKING:
    from seatdash.web.exports import RowCounter

logger = logging.getLogger(__name__)


def record_export(
    request: HttpRequest, *, view: str, filters: dict[str, Any], row_count: int, outcome: str
) -> None:
    """Record that request.user exported `row_count` rows of `view` with `filters`.

    `outcome` is "completed" or "aborted" (e.g. the upstream failed mid-stream). The log line
    carries the filter names only: their values may be customer names typed into a search box,
    and those stay in the access-controlled table.
    """
    if outcome not in ExportAudit.Outcome.values:
        raise ValueError(f"outcome must be one of {ExportAudit.Outcome.values}, not {outcome!r}")
    user = request.user if request.user.is_authenticated else None
    entry = ExportAudit.objects.create(
        user=user,
        username=user.get_username() if user else "",
        at=timezone.now(),
        view=view,
        filters=_jsonable(filters),
        row_count=row_count,
        outcome=outcome,
        client_ip=client_ip(request),
    )
    # JSON keeps the line parseable and defuses newlines or quotes smuggled into values.
    event = {
        "event": "csv_export",
        "audit_id": entry.pk,
        "at": entry.at.isoformat(),
        "user_id": user.pk if user else None,
        "client_ip": entry.client_ip,
        "view": view,
        "filter_names": sorted(str(name) for name in filters),
        "row_count": row_count,
        "outcome": outcome,
    }
    logger.info("csv_export %s", json.dumps(event, sort_keys=True))


def _jsonable(filters: dict[str, Any]) -> dict[str, Any]:
    """Query parameters as JSON: a QueryDict's repeated keys become lists, other values strings."""
    getlist = getattr(filters, "getlist", None)
    result: dict[str, Any] = {}
    for name in filters:
        values = getlist(name) if getlist else filters[name]
        if isinstance(values, (list, tuple)):
            values = [str(v) for v in values]
            result[str(name)] = values[0] if len(values) == 1 else values
        elif values is None or isinstance(values, (bool, int, float)):
            result[str(name)] = values
        else:
            result[str(name)] = str(values)
    return result


def audited_stream(
    request: HttpRequest, chunks: Iterator[str], *, view: str, rows: RowCounter
) -> Iterator[str]:
    """Pass a streamed export through, recording it once it ends: completed, or aborted when the
    download stops early (the client went away, or producing a row failed)."""
    outcome = "aborted"
    try:
        yield from chunks
        outcome = "completed"
    finally:
        record_export(
            request, view=view, filters=request.GET, row_count=rows.count, outcome=outcome
        )
