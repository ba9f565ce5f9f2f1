"""Pasted aliases and customer IDs, matched one by one against the balances snapshot.

Every pasted token is reported: the customer it matched (and whether it matched as the other kind,
an alias pasted into Customer IDs or the reverse), or "no match" with up to three close spellings
drawn from the aliases, IDs and legal names the snapshot knows.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from seatdash.services.balance_index import BalanceIndex

MAX_SUGGESTIONS = 3
# "Did you mean" compares a token with every alias, ID and name; past this many unmatched tokens
# the report still lists each one as "no match" but stops looking for close spellings.
SUGGESTED_TOKENS_MOST = 25
Kind = Literal["alias", "id"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    text: str  # the alias, ID or name that is spelled close to the token
    customer_id: str
    legal_name: str


@dataclass(frozen=True, slots=True)
class TokenMatch:
    token: str
    box: Kind  # the box it was pasted into
    customer_id: str | None = None
    legal_name: str = ""
    matched_as: Kind | None = None
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def matched(self) -> bool:
        return self.customer_id is not None

    @property
    def wrong_box(self) -> bool:
        return self.matched_as is not None and self.matched_as != self.box


@dataclass(frozen=True, slots=True)
class MatchReport:
    tokens: tuple[TokenMatch, ...]
    suggestions_cut: bool = False  # some unmatched tokens were not given suggestions

    @property
    def unmatched(self) -> tuple[TokenMatch, ...]:
        return tuple(t for t in self.tokens if not t.matched)

    @property
    def customer_ids(self) -> tuple[str, ...]:
        """The customers matched, once each, in the order pasted."""
        return tuple(dict.fromkeys(t.customer_id for t in self.tokens if t.customer_id))

    def unmatched_in(self, box: Kind) -> tuple[str, ...]:
        return tuple(t.token for t in self.tokens if t.box == box and not t.matched)


def match_pasted(
    index: BalanceIndex, *, aliases: tuple[str, ...], ids: tuple[str, ...]
) -> MatchReport | None:
    """The report for what was pasted into the Aliases and Customer IDs boxes; None when empty."""
    if not aliases and not ids:
        return None
    tokens = []
    suggested = 0
    for box, values in (("alias", aliases), ("id", ids)):
        for token in values:
            match = _match_one(index, token, box)
            if not match.matched and suggested < SUGGESTED_TOKENS_MOST:
                suggested += 1
                match = TokenMatch(token=token, box=box, suggestions=suggest(index, token))
            tokens.append(match)
    cut = sum(1 for t in tokens if not t.matched) > suggested
    return MatchReport(tokens=tuple(tokens), suggestions_cut=cut)


def _match_one(index: BalanceIndex, token: str, box: Kind) -> TokenMatch:
    by_id = index.by_id.get(token)
    by_alias = index.by_alias.get(token.casefold())
    # The box's own kind first; the other kind only when the box's kind finds nothing.
    order = (
        ((by_alias, "alias"), (by_id, "id"))
        if box == "alias"
        else ((by_id, "id"), (by_alias, "alias"))
    )
    for position, kind in order:
        if position is not None:
            customer_id, _, name, *_ = index.packed[position]
            return TokenMatch(token, box, customer_id, name, kind)
    return TokenMatch(token, box)


def suggest(index: BalanceIndex, token: str) -> tuple[Suggestion, ...]:
    """Up to three aliases, IDs or names spelled close to `token` (case-insensitive).

    Comparing a token with every candidate costs seconds at 100,000 customers, so candidates
    sharing the most three-letter pieces with the token are shortlisted first and only those are
    ranked by difflib's similarity.
    """
    candidates = _candidates(index)
    folded = token.casefold()
    shortlist = candidates.shortlist(folded)
    close = difflib.get_close_matches(folded, shortlist, n=MAX_SUGGESTIONS * 2)
    found: list[Suggestion] = []
    seen: set[int] = set()
    for match in close:
        text, position = candidates.by_folded[match]
        if position in seen:
            continue
        seen.add(position)
        customer_id, _, name, *_ = index.packed[position]
        found.append(Suggestion(text, customer_id, name))
        if len(found) == MAX_SUGGESTIONS:
            break
    return tuple(found)


SHORTLIST_SIZE = 200
# A piece shared by more than this share of all candidates ("gmb", "-00") tells them apart poorly.
_COMMON_PIECE_SHARE = 0.2


# Only the first pieces of each text are indexed: a typo leaves most of them intact, and indexing
# every piece of 250,000 texts would make the first suggestion take seconds.
_PIECES_KEPT = 8


def _pieces(text: str) -> set[str]:
    padded = f" {text}"
    return {padded[i : i + 3] for i in range(min(len(padded) - 2, _PIECES_KEPT))}


class _Candidates:
    """Folded aliases, IDs and names, with which candidates hold each three-letter piece."""

    def __init__(self, index: BalanceIndex) -> None:
        self.by_folded: dict[str, tuple[str, int]] = {}
        for position, (customer_id, _, name, aliases, *_) in enumerate(index.packed):
            for text in (customer_id, *aliases, name):
                self.by_folded.setdefault(text.casefold(), (text, position))
        self.texts = list(self.by_folded)
        self.holders: dict[str, list[int]] = {}
        for n, text in enumerate(self.texts):
            for piece in _pieces(text):
                self.holders.setdefault(piece, []).append(n)

    def shortlist(self, folded: str) -> list[str]:
        common = max(50, int(len(self.texts) * _COMMON_PIECE_SHARE))
        shared: Counter[int] = Counter()
        for piece in _pieces(folded):
            holders = self.holders.get(piece, ())
            if len(holders) <= common:
                shared.update(holders)
        return [self.texts[n] for n, _ in shared.most_common(SHORTLIST_SIZE)]


def _candidates(index: BalanceIndex) -> _Candidates:
    """Built once per index, on the first pasted token that matches nothing."""
    if index.suggestion_candidates is None:
        index.suggestion_candidates = _Candidates(index)
    return index.suggestion_candidates
