"""Text that can be stored and shown: no NUL character, no lone UTF-16 surrogate.

A JSON body may spell ``"\\ud800"`` (a lone surrogate) or ``"\\u0000"``; Python decodes both into
a ``str`` that PostgreSQL refuses (``jsonb`` and ``text`` hold neither) and that SQLite stores but
no page can encode back to UTF-8 — one such value made an officer's dossier page answer 500 for
good. Such text is refused at the door (:class:`congso.core.middleware.InvalidTextMiddleware`
for request bodies and query strings) and again by the domain (``formschema.validate_data``),
naming the field; ``manage.py text_check`` finds rows stored before the guard existed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from congso.core.errors import DomainError

#: NUL and every UTF-16 surrogate code point (never valid on their own in a Python ``str``).
_INVALID = re.compile("[\x00\ud800-\udfff]")

INVALID_TEXT = "invalid_text"


def is_valid_text(value: str) -> bool:
    return _INVALID.search(value) is None


def printable(name: str) -> str:
    """``name`` with every NUL or surrogate written as ``\\uXXXX`` (safe to show and store)."""
    return _INVALID.sub(lambda match: f"\\u{ord(match.group()):04x}", name)


def invalid_paths(value: Any, path: str = "") -> Iterator[str]:
    """Dotted paths (``a.b.0.c``) of every string, or mapping key, in ``value`` that holds a NUL
    or a lone surrogate. ``value`` is plain JSON-like data (dicts, lists, strings, numbers)."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            if not is_valid_text(item):
                yield where
        elif isinstance(item, Mapping):
            for key, child in reversed(list(item.items())):
                name = printable(str(key))
                child_path = f"{where}.{name}" if where else name
                if name != key:
                    yield child_path
                    continue
                stack.append((child_path, child))
        elif isinstance(item, list | tuple):
            for index in range(len(item) - 1, -1, -1):
                stack.append((f"{where}.{index}" if where else str(index), item[index]))


def first_invalid_path(value: Any, path: str = "") -> str | None:
    return next(invalid_paths(value, path), None)


def message_for(field: str) -> str:
    return (
        f"Trường «{field}» chứa ký tự không hợp lệ (ký tự NUL hoặc mã Unicode hỏng, "
        "thường do sao chép từ phần mềm khác); hãy gõ lại nội dung này."
    )


class InvalidText(DomainError):
    """A value holds a NUL character or a lone surrogate; ``field`` names where."""

    status = 422

    def __init__(self, field: str):
        super().__init__(INVALID_TEXT, message_for(field), field=field)


def require_valid_text(value: Any, path: str = "") -> None:
    """Raise :class:`InvalidText` naming the first bad field of ``value``, if any."""
    bad = first_invalid_path(value, path)
    if bad is not None:
        raise InvalidText(bad or "(giá trị)")
