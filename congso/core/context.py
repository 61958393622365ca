"""What the current request (or job) is, for the code that runs inside it: the request id.

A leaf module (standard library only), so every layer may read it: the middleware sets the id
(:class:`congso.core.middleware.RequestIdMiddleware`), the audit log records it with every event
and every log line carries it (:class:`RequestIdFilter`, see ``LOGGING`` in the settings).
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request being served ("" outside a request)."""
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Stamps ``record.request_id`` on every log record ("-" outside a request), so one
    request's lines can be found across web nodes and workers."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True
