"""The sandbox API's HTTP Basic credentials: from settings, or derived from SECRET_KEY."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest


def sandbox_credentials() -> tuple[str, str]:
    """(client id, client secret); the secret is derived so that none is ever committed."""
    secret = (
        settings.SANDBOX_CLIENT_SECRET
        or hmac.new(
            settings.SECRET_KEY.encode(), b"seatdash sandbox api", hashlib.sha256
        ).hexdigest()[:40]
    )
    return settings.SANDBOX_CLIENT_ID, secret


def is_authorized(request: HttpRequest) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    client_id, _, secret = decoded.partition(":")
    expected_id, expected_secret = sandbox_credentials()
    return hmac.compare_digest(client_id.encode(), expected_id.encode()) & hmac.compare_digest(
        secret.encode(), expected_secret.encode()
    )
