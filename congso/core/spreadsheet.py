"""Spreadsheet cells that stay text: the one guard against formula (CSV/XLSX) injection.

A citizen can name themself ``=HYPERLINK("http://evil.example/x","Xem hồ sơ")``; openpyxl
stores any string starting with ``=`` as a formula, and Excel or LibreOffice evaluate a CSV
field starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP "CSV
Injection"). Every export writes its rows through this module:

* XLSX (:func:`append_row`, :func:`as_text`): every string cell gets the string type
  (``t="s"``/inline string, never ``<f>``), and those starting with a trigger character also the
  text number format ``@``, so that editing the cell in Excel does not turn it into a formula
  either. The value itself is unchanged (a catalogue export reads back exactly).
* CSV (:func:`csv_value`, :func:`csv_row`): a field starting with a trigger character is
  prefixed with a single quote, as OWASP recommends (the quote shows; that is the price).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: First characters that make a spreadsheet program read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_TRIGGERS)


def as_text(cells: Iterable[Any]) -> None:
    """Make every openpyxl cell holding a string a text cell (never a formula)."""
    for cell in cells:
        value = cell.value
        if isinstance(value, str):
            cell.data_type = "s"
            if is_formula_like(value):
                cell.number_format = "@"


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """``sheet.append(values)`` with every string written as text (see :func:`as_text`)."""
    sheet.append(list(values))
    as_text(sheet[sheet.max_row])


def csv_value(value: Any) -> Any:
    """A CSV field that no spreadsheet program evaluates (OWASP: prefix with ``'``)."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_value(value) for value in values]
