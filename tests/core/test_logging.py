"""Log lines carry the request id (issue 14 §6): the console handler of ``LOGGING`` stamps it
on every record, "-" outside a request."""

from __future__ import annotations

import io
import logging
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils.module_loading import import_string

from congso.core.context import current_request_id, request_id_var


def test_a_line_logged_in_a_request_names_it_and_one_outside_says_so() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    handler.addFilter(import_string(settings.LOGGING["filters"]["request_id"]["()"])())
    assert "request_id" in settings.LOGGING["handlers"]["console"]["filters"]
    log = logging.getLogger("congso.test_logging")
    log.addHandler(handler)
    try:
        token = request_id_var.set("req-0123456789")
        try:
            log.warning("inside")
        finally:
            request_id_var.reset(token)
        log.warning("outside")
    finally:
        log.removeHandler(handler)
    inside, outside = stream.getvalue().splitlines()
    assert "[req-0123456789] inside" in inside
    assert "[-] outside" in outside


def test_the_middleware_sets_the_id_for_the_request_only(db: Any) -> None:
    response = Client().get("/healthz", headers={"X-Request-ID": "abcdef12-proxy"})
    assert response["X-Request-ID"] == "abcdef12-proxy"
    assert current_request_id() == ""
