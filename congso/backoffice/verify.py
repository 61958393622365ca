"""Verifying a walk-in applicant at the counter against the national population database
(CSDLQG về dân cư), through :func:`congso.identity.population.lookup`: personal ID, full name
and birth year, with the purpose recorded (the look-up is in the person's access log). What the
database says differently from the record on file is shown side by side — nothing is written
over it (an officer corrects the record, if at all, by the usual means)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from congso.backoffice.views import _officer
from congso.core.errors import DomainError, localise
from congso.identity import population
from congso.org.models import Citizen

PURPOSE = "Xác minh thông tin người nộp hồ sơ trực tiếp tại Bộ phận Một cửa"
FIELDS = ("personal_id", "full_name", "birth_year", "purpose", "procedure_code", "dossier_code")


def _rows(resident: population.Resident) -> list[tuple[str, str]]:
    def place(value: population.Place | None) -> str:
        if value is None:
            return ""
        codes = " · ".join(c for c in (value.province_code, value.commune_code) if c)
        return f"{value.detail} ({codes})" if value.detail else codes

    def relative(value: population.Relative | None) -> str:
        return f"{value.full_name} ({value.personal_id})" if value else ""

    labels = {"male": gettext("Nam"), "female": gettext("Nữ")}
    rows = [
        (gettext("Họ và tên"), resident.full_name),
        (gettext("Số định danh cá nhân"), resident.personal_id),
        (gettext("Ngày sinh"), f"{resident.birth_date:%d/%m/%Y}" if resident.birth_date else ""),
        (gettext("Giới tính"), labels.get(resident.gender, "")),
        (gettext("Quốc tịch"), resident.nationality),
        (gettext("Nơi thường trú"), place(resident.permanent)),
        (gettext("Nơi ở hiện tại"), place(resident.current)),
        (gettext("Cha"), relative(resident.father)),
        (gettext("Mẹ"), relative(resident.mother)),
        (gettext("Vợ/chồng"), relative(resident.spouse)),
        (gettext("Chủ hộ"), relative(resident.household_head)),
    ]
    return [(label, value) for label, value in rows if value]


@login_required
@never_cache
@sensitive_post_parameters()
def verify(request: HttpRequest) -> HttpResponse:
    if not _officer(request):
        raise Http404
    values: dict[str, str] = dict.fromkeys(FIELDS, "")
    values["purpose"] = gettext(PURPOSE)
    context: dict[str, Any] = {"values": values, "error": "", "resident": None}
    status = 200
    resident: population.Resident | None = None
    if request.method == "POST":
        values.update({name: request.POST.get(name, "").strip()[:255] for name in FIELDS})
        year = int(values["birth_year"]) if values["birth_year"].isdigit() else 0
        try:
            if not values["purpose"]:
                context["error"] = gettext("Cần ghi mục đích tra cứu.")
            elif not 1900 <= year <= 2100:
                context["error"] = gettext("Năm sinh không hợp lệ.")
            else:
                resident = population.lookup(
                    personal_id=values["personal_id"],
                    full_name=values["full_name"],
                    birth_year=year,
                    purpose=values["purpose"],
                    procedure_code=values["procedure_code"][:30],
                    dossier_code=values["dossier_code"][:40],
                    actor=request.user,
                )
        except DomainError as exc:
            context["error"] = localise(exc.message)
        if context["error"]:
            status = 422
        elif resident is not None:
            on_file = (
                Citizen.objects.filter(personal_id=resident.personal_id)
                .select_related("address_unit")
                .first()
            )
            context.update(
                {
                    "resident": resident,
                    "rows": _rows(resident),
                    "on_file": on_file,
                    "differences": population.differences(on_file, resident),
                }
            )
    return render(request, "backoffice/verify.html", context, status=status)
