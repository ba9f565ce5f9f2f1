"""Path converters: identifiers in a URL that cannot name anything get a 404, never a 500."""

from __future__ import annotations

import re


class IdentifierConverter:
    """A provider's ID in a path segment: 1-200 printable characters, no separators.

    Commas (Sequence's list separator), whitespace, control characters, unicode direction and
    zero-width marks, and the dot segments `.`/`..` never name a customer or an event, so such a
    URL does not match and Django answers its 404 page.
    """

    regex = r"[^/]+"
    _refused = re.compile(
        r"[\s,\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
    )

    def to_python(self, value: str) -> str:
        if len(value) > 200 or value in (".", "..") or self._refused.search(value):
            raise ValueError(value)
        return value

    def to_url(self, value: str) -> str:
        return value
