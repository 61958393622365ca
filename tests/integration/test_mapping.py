"""The name comparison behind the suggested national codes: the catalogue's normaliser (no
diacritics, đ → d, punctuation dropped, "thủ tục" dropped), then a 0–1 similarity."""

from __future__ import annotations

import pytest

from congso.audit.models import AuditEvent
from congso.catalog.models import Field, Procedure
from congso.integration import mapping
from congso.integration.models import ProcedureMapping
from tests.catalog.national.conftest import province, run_import  # noqa: F401 - fixture


def test_names_are_compared_in_the_catalogue_form():
    local = Procedure(code="DP.51.0007", name="Thủ tục ĐĂNG KÝ khai sinh (cho trẻ em)")
    national = Procedure(code="1.001193", name="Đăng ký khai sinh cho trẻ em")
    assert mapping._name(local) == "dang ky khai sinh cho tre em"
    assert mapping.similarity(mapping._name(local), mapping._name(national)) == 1.0
    other = Procedure(code="1.004873", name="Cấp giấy phép xây dựng nhà ở riêng lẻ")
    assert mapping.similarity(mapping._name(local), mapping._name(other)) < mapping.THRESHOLD


@pytest.mark.django_db
def test_every_national_import_refreshes_the_suggestions(province) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """A local procedure (provisional code) gets its suggestion when the national catalogue that
    holds its counterpart is imported — no officer has to press the admin action."""
    field = Field.objects.create(code="HQ", name="Hải quan")
    local = Procedure.objects.create(
        code="DP.51.0100",
        national_code=False,
        name="Cấp Giấy phép lưu hành xe quá tải trọng, xe quá khổ giới hạn, xe bánh xích, xe vận "
        "chuyển hàng siêu trường, siêu trọng trên đường bộ",
        field=field,
        levels=["province"],
        applicant_types=["organisation"],
    )
    assert not ProcedureMapping.objects.exists()
    run = run_import()
    suggestion = ProcedureMapping.objects.get(procedure=local)
    assert suggestion.national_code == "1.000028" and suggestion.confirmed_at is None
    entry = AuditEvent.objects.get(action="integration.procedure_mapping.suggest")
    assert entry.after == {"suggested": 1, "run": run.pk}
