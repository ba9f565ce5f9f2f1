"""HTTP outcomes onto the error tree (errors.py): which status is which error, and the provider's
own words in the message, whitespace folded, cut short, credentials scrubbed.

401/403 `UpstreamUnauthorized`; 404 `UpstreamNotFound`; other 4xx `UpstreamRejected`; 429
`UpstreamRateLimited` (with the `Retry-After` hint); 5xx and anything else `UpstreamUnavailable`.
Every error carries `provider`, `endpoint` and `status`.
"""

from __future__ import annotations

import base64
import json as jsonlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from seatdash.clients.errors import (
    UpstreamError,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)

logger = logging.getLogger(__name__)

# Upstream text copied into an exception message is cut to this, so a huge HTML error page does not
# end up in a log line.
MAX_MESSAGE_CHARS = 300
_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "proxy-authorization"})

ErrorMessageHook = Callable[[Any], str | None]


def default_error_message(body: Any) -> str | None:
    """The provider's explanation from a JSON error body, in any shape we know, else None.

    Sequence sends `{"error": {"type", "message"}}` or `{"errors": [...]}`; Metronome `{"message"}`.
    """
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict):
        kind, message = error.get("type"), error.get("message")
        parts = [str(p) for p in (kind, message) if isinstance(p, str | int) and str(p)]
        if parts:
            return ": ".join(parts)
    elif isinstance(error, str) and error:
        return error
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        texts = []
        for item in errors:
            if isinstance(item, dict):
                text = item.get("message") or item.get("detail") or item.get("type")
                if isinstance(text, str) and text:
                    texts.append(text)
            elif isinstance(item, str) and item:
                texts.append(item)
        if texts:
            return "; ".join(texts)
    message = body.get("message")
    if isinstance(message, str) and message:
        return message
    return None


def secret_values(
    auth: httpx.Auth | tuple[str, str] | None, headers: Mapping[str, str] | None
) -> tuple[str, ...]:
    """Every string that would give the credentials away: raw, base64-encoded, header tokens."""
    found: list[str] = []
    if isinstance(auth, tuple):
        user, password = auth
        found += [password, base64.b64encode(f"{user}:{password}".encode()).decode()]
    for name, value in (headers or {}).items():
        if name.lower() in _SECRET_HEADERS:
            found += [value, *value.split()[1:]]
    # Longest first, so a whole value goes before a part of it; tiny strings would scrub noise.
    return tuple(sorted({s for s in found if len(s) >= 4}, key=len, reverse=True))


class ErrorMapper:
    """Builds one provider's errors; holds its message hook and the secrets to scrub."""

    def __init__(
        self, provider: str, *, secrets: tuple[str, ...], hook: ErrorMessageHook | None
    ) -> None:
        self.provider = provider
        self._secrets = secrets
        self._hook = hook

    def error(
        self, cls: type[UpstreamError], endpoint: str, status: int | None, text: str
    ) -> UpstreamError:
        return cls(
            f"{self.provider} {endpoint}: {text}",
            provider=self.provider,
            endpoint=endpoint,
            status=status,
        )

    def status_error(
        self, endpoint: str, status: int, body: bytes, retry_after: float | None
    ) -> UpstreamError:
        """The error a non-2xx answer is."""
        if status == 429:
            hint = f" (Retry-After {retry_after:g}s)" if retry_after is not None else ""
            return UpstreamRateLimited(
                f"{self.provider} {endpoint}: HTTP 429 rate limited{hint}",
                retry_after=retry_after,
                provider=self.provider,
                endpoint=endpoint,
                status=status,
            )
        if status >= 500 or status < 400:
            return self.error(UpstreamUnavailable, endpoint, status, f"HTTP {status}")
        # The provider's own words ("Customer X not found", "token lacks scope") reach the user for
        # every 4xx; they pass through the same credential scrubbing as any other upstream text.
        detail = self.upstream_message(body)
        if status in (401, 403):
            cls: type[UpstreamError] = UpstreamUnauthorized
            text = f"HTTP {status}"
        elif status == 404:
            cls, text = UpstreamNotFound, "HTTP 404 not found"
        else:
            cls, text = UpstreamRejected, f"HTTP {status}"
        return self.error(cls, endpoint, status, f"{text}: {detail}" if detail else text)

    def upstream_message(self, body: bytes) -> str | None:
        """The provider's explanation in an error body, safe to show; None if there is none."""
        try:
            decoded = jsonlib.loads(body) if body else None
        except ValueError:
            decoded = None
        message = None
        if self._hook is not None:
            try:
                message = self._hook(decoded)
            except Exception:  # a client's hook must not turn a 400 into a crash
                logger.debug("%s: error_message hook failed", self.provider, exc_info=True)
        if not message:
            message = default_error_message(decoded)
        if not message:
            return None
        message = " ".join(str(message).split())[:MAX_MESSAGE_CHARS]
        for secret in self._secrets:
            message = message.replace(secret, "[redacted]")
        return message
