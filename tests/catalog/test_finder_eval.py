"""The finder's recall on its evaluation set stays above a floor (not timed)."""

from __future__ import annotations

import pytest

from congso.catalog import finder_eval
from congso.catalog.index import CatalogueIndex

#: Measured 0.975 / 0.824 (159 questions, 2026-12-06); the floors leave room for small changes
#: of the phrasings, never for a regression such as the building permit for a newborn.
FLOOR_AT_5 = 0.93
FLOOR_AT_1 = 0.77


@pytest.fixture(scope="module")
def national() -> CatalogueIndex:
    path = finder_eval.national_data_dir() / finder_eval.EXPORT
    if not path.exists():
        pytest.skip(f"national export not found: {path}")
    return finder_eval.national_index()


def test_the_evaluation_set_is_labelled_with_codes_of_the_export(national: CatalogueIndex) -> None:
    codes = {entry.code for entry in national.entries}
    asked = finder_eval.questions()
    assert len(asked) >= 150
    for item in asked:
        assert item.codes and set(item.codes) <= codes, item.question


def test_recall_stays_above_the_floor(national: CatalogueIndex) -> None:
    result = finder_eval.evaluate(national)
    assert result["recall_at_5"] >= FLOOR_AT_5, result["missed"]
    assert result["recall_at_1"] >= FLOOR_AT_1


def test_a_newborn_is_birth_registration_not_a_building_permit(national: CatalogueIndex) -> None:
    first = finder_eval.answer(national, "vợ tôi mới sinh em bé thì phải làm giấy tờ gì")[0]
    assert first == "1.001193"
    assert finder_eval.answer(national, "mo quan ca phe can thu tuc gi")[0] == "1.001612"
    assert finder_eval.answer(national, "dang ki khai sin")[0] == "1.001193"
