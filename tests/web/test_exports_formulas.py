"""Formula neutralisation in CSV cells: every leading character a spreadsheet would run."""

from __future__ import annotations

import csv
import io

import pytest

from seatdash.web.exports import csv_chunks, neutralise

# Literals, not exports.FORMULA_TRIGGERS: a trigger dropped from that tuple must fail here.
TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]


def parsed_cells(*values: object) -> list[str]:
    text = "".join(csv_chunks([f"c{i}" for i in range(len(values))], [values]))
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    return rows[1]


@pytest.mark.parametrize("trigger", TRIGGERS, ids=repr)
def test_csv_text_cell_starting_with_trigger_is_prefixed_with_quote(trigger):
    payload = f'{trigger}HYPERLINK("http://x")'

    assert parsed_cells(payload) == ["'" + payload]


@pytest.mark.parametrize("trigger", TRIGGERS, ids=repr)
def test_neutralise_text_starting_with_trigger_is_prefixed(trigger):
    assert neutralise(f"{trigger}cmd") == f"'{trigger}cmd"


@pytest.mark.parametrize("text", ["plain", "a=b", " =1", "1+1", "'already"])
def test_csv_text_cell_without_leading_trigger_is_kept(text):
    assert parsed_cells(text) == [text]
    assert neutralise(text) == text


def test_csv_negative_number_stays_a_number_not_text():
    text = "".join(csv_chunks(["n"], [(-3,)]))

    assert text.splitlines()[1] == "-3"
