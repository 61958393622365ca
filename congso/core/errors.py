"""Domain errors: a stable machine-readable code plus a Vietnamese message for people.

Services raise these; pages show ``message``; the API answers ``{"code", "message", "field"}``
with ``status``.

A message people may read in another language is a :class:`Message`: the Vietnamese text (what
the API sends, what ``str()`` gives) that remembers its template and parameters, so a page
shows it in the reader's language with :func:`localise`. The templates are marked with
``gettext_noop`` where they are written; their English text is in the catalogues.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext


class Message(str):
    """``Message("dài quá %(max)s ký tự.", max=10)`` is the string "dài quá 10 ký tự." that a
    page can show as "longer than 10 characters." (``localise``). Parameters may be messages
    themselves (translated in turn) or data (a field label, a file name: shown as given)."""

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Message:
        text = template % {key: str(value) for key, value in params.items()} if params else template
        made = super().__new__(cls, text)
        made.template = template
        made.params = params
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.template, dict(self.params)))


def _rebuild(template: str, params: dict[str, Any]) -> Message:
    return Message(template, **params)


def localise(text: Any) -> str:
    """``text`` in the active language: a :class:`Message` through the catalogues (the
    Vietnamese text when there is no translation), anything else as it is."""
    if not isinstance(text, Message):
        return str(text)
    translated = gettext(text.template)
    if not text.params:
        return translated
    try:
        return translated % {key: localise(value) for key, value in text.params.items()}
    except (KeyError, ValueError, TypeError):  # a broken translation never hides the message
        return str(text)


class DomainError(Exception):
    status = 400
    #: Seconds after which the same request may succeed (sent as ``Retry-After``), if known.
    retry_after: int | None = None

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        status: int | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status
        if retry_after is not None:
            self.retry_after = retry_after

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409
