"""Shared fixtures. The same suite runs on SQLite (default) and PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The two passes of ``scripts/test`` run side by side: ``postgres_only`` tests run in the
    PostgreSQL pass, ``once`` tests (the slowest deep scenarios, whose subject is not the
    database: browser walks, a second instance in its own processes) in the SQLite pass only,
    so neither pass carries both and the suite stays within its time."""
    if connection.vendor == "postgresql":
        once = pytest.mark.skip(reason="a deep scenario run once per suite (in the SQLite pass)")
        for item in items:
            if "once" in item.keywords:
                item.add_marker(once)
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (runs in the PostgreSQL pass of the suite)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


#: Data migrations whose rows the tests rely on: (module, function). A transactional test ends
#: with a flush that empties every table, these rows included, and pytest-django runs the
#: transactional tests last, one after another.
SEEDING_MIGRATIONS = (
    ("congso.dossiers.migrations.0002_tt01_2018_code_rule", "seed"),
    ("congso.calendar.migrations.0002_vn_official_overrides", "load"),
    ("congso.notify.migrations.0002_default_templates", "load"),
    ("congso.integration.migrations.0002_national_status_mapping", "seed"),
    ("congso.eoffice.migrations.0002_nd30_document_types", "seed"),
)


@pytest.fixture(autouse=True)
def _reseed_after_flush(request: pytest.FixtureRequest) -> None:
    """Give every transactional test the rows the data migrations seed (all idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    from importlib import import_module

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for module, function in SEEDING_MIGRATIONS:
        getattr(import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    """Throttle counters (the ``throttle`` cache) start empty in every test: the test client
    always comes from 127.0.0.1."""
    from django.core.cache import caches

    caches["throttle"].clear()
