from __future__ import annotations

import pytest

from seatdash.services.balance_index import BalanceFilters, BalanceIndex, fold
from tests.fakes import customer


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("muller", "Müller & Söhne GmbH"),
        ("lodz", "Łódź Logistics Sp. z o.o."),
        ("aero fjord", "Ærø Fjord Shipping ApS"),
        ("societe generale", "Société Générale d'Exemple SA"),
        ("サンプル", "株式会社サンプル"),
        ("CAFÉ", "Café Olé S.L."),
    ],
)
def test_fold_lets_unaccented_typing_find_accented_names(typed, name):
    assert fold(typed) in fold(name)


def test_index_search_is_accent_and_case_insensitive():
    index = BalanceIndex.from_customers(
        [customer("c1", "Łódź Logistics", {"admin": 1}), customer("c2", "Lodge Ltd", {"admin": 2})]
    )
    found = index.select(BalanceFilters(q="LODZ"))
    assert [index.customer(i).id for i in found] == ["c1"]
