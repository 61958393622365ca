"""Numbers, dates and amounts written out in Vietnamese words, as the civil-status registers and
certificates print them beside the figures ("ghi bằng chữ"): "Ngày mười lăm tháng ba năm hai
nghìn không trăm hai mươi sáu", "Năm trăm triệu đồng"."""

from __future__ import annotations

import datetime

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ")


def _below_hundred(value: int, *, after_hundred: bool) -> str:
    tens, units = divmod(value, 10)
    if tens == 0:
        if units == 0:
            return ""
        return f"linh {_DIGITS[units]}" if after_hundred else _DIGITS[units]
    if tens == 1:
        head = "mười"
        tail = {0: "", 5: "lăm"}.get(units, _DIGITS[units])
    else:
        head = f"{_DIGITS[tens]} mươi"
        tail = {0: "", 1: "mốt", 4: "tư", 5: "lăm"}.get(units, _DIGITS[units])
    return f"{head} {tail}".strip()


def _below_thousand(value: int, *, full: bool) -> str:
    """Three digits; ``full`` when a higher group precedes (so 5 reads "không trăm linh năm")."""
    hundreds, rest = divmod(value, 100)
    if hundreds == 0 and not full:
        return _below_hundred(rest, after_hundred=False)
    words = f"{_DIGITS[hundreds]} trăm"
    tail = _below_hundred(rest, after_hundred=True)
    return f"{words} {tail}".strip()


def number_words(value: int) -> str:
    """'hai nghìn không trăm hai mươi sáu' (non-negative integers)."""
    if not 0 <= value < 10**18:
        raise ValueError("only numbers from 0 to 10^18 - 1 are written out")
    if value == 0:
        return "không"
    groups: list[int] = []
    while value:
        value, group = divmod(value, 1000)
        groups.append(group)
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        higher = index < len(groups) - 1
        unit = _GROUPS[index]
        words.append(f"{_below_thousand(group, full=higher)} {unit}".strip())
    return " ".join(words)


def date_words(day: datetime.date) -> str:
    """'Ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi sáu'."""
    return (
        f"Ngày {number_words(day.day)} tháng {number_words(day.month)} năm {number_words(day.year)}"
    )


def amount_words(value: int) -> str:
    """'Năm trăm triệu đồng'."""
    text = f"{number_words(value)} đồng"
    return text[:1].upper() + text[1:]


def grouped(value: int | float) -> str:
    """'500.000.000' (Vietnamese digit grouping)."""
    if isinstance(value, float) and not value.is_integer():
        whole, _dot, fraction = f"{value:,.2f}".partition(".")
        return whole.replace(",", ".") + "," + fraction.rstrip("0")
    return f"{int(value):,}".replace(",", ".")


def vnd(value: int | float) -> str:
    """'8.000 đồng': every amount of money, on the pages (the ``vnd`` template filter of
    ``congso_ui``) and in the PDFs."""
    return f"{grouped(value)} đồng"
