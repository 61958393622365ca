"""Domain errors: a stable machine-readable code plus a Vietnamese message for people.

Services raise these; pages show ``message``; the API answers ``{"code", "message", "field"}``
with ``status``.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(
        self, code: str, message: str, *, field: str | None = None, status: int | None = None
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409
