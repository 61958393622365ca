"""The dossier tests' small world (province 51, communes A and B with their desks, officers,
citizens, a procedure with a published process), with an applicant whose name has diacritics.

Dossiers are made through :mod:`congso.dossiers.services`, as in production."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dossiers.conftest import Clock, World, build_world

APPLICANT_NAME = "Nguyễn Thị Hồng Nhung"
APPLICANT_ADDRESS = "Thôn Phú Long, xã A, tỉnh Quảng Ngãi"
APPLICANT_EMAIL = "hongnhung@example.vn"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db: Any, clock: Clock) -> World:
    world = build_world()
    citizen = world.citizen
    assert citizen is not None
    citizen.full_name = APPLICANT_NAME
    citizen.address = APPLICANT_ADDRESS
    citizen.email = APPLICANT_EMAIL
    citizen.save()
    return world
