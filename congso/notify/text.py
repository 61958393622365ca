"""SMS text: diacritics removal and segment counting (GSM 03.38 and UCS-2), pure functions; and
the rendering of notice templates."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from congso.core.errors import DomainError

# GSM 03.38 default alphabet and its extension table (extension characters cost two septets).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


def strip_diacritics(text: str) -> str:
    """Vietnamese without accents: ``Hồ sơ đã tiếp nhận`` → ``Ho so da tiep nhan``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    )


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def segments(text: str) -> tuple[str, int, int]:
    """``(encoding, length in units, number of SMS segments)`` for ``text``.

    GSM-7: 160 septets in one segment, 153 per segment when concatenated; UCS-2: 70 / 67."""
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units <= single:
        return encoding, units, 1 if units else 0
    return encoding, units, math.ceil(units / multi)


def sms_text(text: str, *, unicode: bool) -> str:
    """The text as sent: accents stripped unless Unicode SMS is on, whitespace collapsed."""
    text = " ".join(text.split())
    return text if unicode else strip_diacritics(text)


def render(source: str, context: dict[str, Any], *, html: bool = False) -> str:
    """A notice template (Django template syntax) rendered with ``context``, stripped; a
    syntax error is refused with ``template_invalid``. Autoescaping only for HTML."""
    from django.template import Context, Template

    try:
        template = Template(source)
    except Exception as exc:
        raise DomainError("template_invalid", f"Mẫu không hợp lệ: {exc}", field="body") from exc
    return template.render(Context(context, autoescape=html)).strip()
