"""The name comparison behind the suggested national codes: the catalogue's normaliser (no
diacritics, đ → d, punctuation dropped, "thủ tục" dropped), then a 0–1 similarity."""

from __future__ import annotations

from congso.catalog.models import Procedure
from congso.integration import mapping


def test_names_are_compared_in_the_catalogue_form():
    local = Procedure(code="DP.51.0007", name="Thủ tục ĐĂNG KÝ khai sinh (cho trẻ em)")
    national = Procedure(code="1.001193", name="Đăng ký khai sinh cho trẻ em")
    assert mapping._name(local) == "dang ky khai sinh cho tre em"
    assert mapping.similarity(mapping._name(local), mapping._name(national)) == 1.0
    other = Procedure(code="1.004873", name="Cấp giấy phép xây dựng nhà ở riêng lẻ")
    assert mapping.similarity(mapping._name(local), mapping._name(other)) < mapping.THRESHOLD
