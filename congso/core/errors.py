"""Domain errors: a stable machine-readable code plus a Vietnamese message for people.

Services raise these; pages show ``message``; the API answers ``{"code", "message", "field"}``
with ``status``.
"""

from __future__ import annotations


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
