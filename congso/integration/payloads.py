"""The national portal's payloads of a dossier change, built in the change's transaction: the
dossier (``DongBoHoSoMC``) and the handling-step line (``CapNhatTienDoHoSoMC``), with the field
names of the national specification (docs/integration.md, "Fields").

The national status code comes from the versioned :class:`StatusMapping` table in force on the
day of the change. Flags the platform cannot know by itself (the dossier reused documents from
the national data store, the applicant's account was verified with VNeID) come from the
:data:`flags` hooks, which the apps that know them register (none → 0).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from congso.core.errors import DomainError
from congso.core.hooks import Hooks
from congso.dossiers.models import Dossier, DossierHistory
from congso.dossiers.workflow import TRANSITIONS
from congso.integration.mapping import national_code_of
from congso.integration.models import StatusMapping
from congso.results.models import ResultStatus, SignedResult

#: ``(dossier) -> {"DuocLayTuKhoDMQG": 0|1, "TaiKhoanDuocXacThucVoiVNeID": 0|1}`` (a subset);
#: a flag any hook sets to 1 is 1.
FlagHook = Callable[[Dossier], dict[str, int]]
flags: Hooks[FlagHook] = Hooks("integration.flags")
FLAG_NAMES = ("DuocLayTuKhoDMQG", "TaiKhoanDuocXacThucVoiVNeID")

ACTION_LABELS: dict[str, str] = {
    "submit": "Nộp hồ sơ trực tuyến",
    "receive_in_person": "Tiếp nhận hồ sơ trực tiếp",
    "mark_component": "Cập nhật thành phần hồ sơ",
    "reassign": "Phân công lại người xử lý",
}


class SyncRefused(DomainError):
    """The dossier cannot be sent to the portal as it is (no national procedure code…)."""


def _error(code: str, message: str) -> SyncRefused:
    return SyncRefused(code, message)


def instant(value: datetime | None) -> str:
    """The national format of an instant: ``yyyyMMddHHmmss``, Vietnam time; "" when unset."""
    return timezone.localtime(value).strftime("%Y%m%d%H%M%S") if value else ""


def national_code(status: str, on: date) -> int:
    row = (
        StatusMapping.objects.filter(local_status=status, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    if row is None:
        raise _error(
            "status_not_mapped",
            f"Trạng thái «{status}» chưa có mã trạng thái quốc gia áp dụng ngày {on:%d/%m/%Y} "
            "(bảng ánh xạ trạng thái).",
        )
    return row.national_code


def result_link(dossier: Dossier) -> str:
    result = (
        SignedResult.objects.filter(dossier=dossier, status=ResultStatus.SIGNED)
        .order_by("-number")
        .first()
    )
    if result is None:
        return ""
    path = reverse("signing:verify-result", args=[result.public_token])
    return settings.SIGNING_PUBLIC_URL.rstrip("/") + path


def check_national(dossier: Dossier) -> None:
    """Refuse (:class:`SyncRefused`) a dossier whose procedure has no national code (neither
    its own nor a confirmed mapping, :mod:`congso.integration.mapping`)."""
    procedure = dossier.procedure_version.procedure
    if national_code_of(procedure) is None:
        raise _error(
            "procedure_not_national",
            f"Thủ tục {procedure.code} chưa có mã thủ tục quốc gia (mã tạm của địa phương, "
            f"chưa được ánh xạ): hồ sơ {dossier.code} không đồng bộ được lên Cổng Dịch vụ công "
            "quốc gia. Xác nhận ánh xạ sang mã quốc gia của thủ tục rồi đồng bộ lại.",
        )


def dossier_payload(dossier: Dossier, *, status_code: int) -> dict[str, Any]:
    procedure = dossier.procedure_version.procedure
    agency = dossier.competent_agency
    extra = dict.fromkeys(FLAG_NAMES, 0)
    for hook in flags:
        for name, value in hook(dossier).items():
            if name in extra and value:
                extra[name] = 1
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": national_code_of(procedure) or procedure.code,
        "TenTTHC": procedure.name[:1000],
        "MaLinhVuc": procedure.field.sector_code[:50],
        "TenLinhVuc": procedure.field.name[:500],
        "MaCoQuan": agency.code,
        "TenCoQuan": agency.name,
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": 2 if dossier.applicant_organisation_id else 1,
        "MaDoiTuong": dossier.applicant_id_number,
        "DiaChi": dossier.applicant_address,
        "SoDienThoai": dossier.applicant_phone,
        "Email": dossier.applicant_email,
        "TrichYeuHoSo": procedure.name[:2000],
        "KenhThucHien": dossier.channel_national_code,
        "NgayNopHoSo": instant(dossier.submitted_at),
        "NgayTiepNhan": instant(dossier.received_at),
        "NgayHenTra": instant(dossier.appointment_at),
        "TrangThaiHoSo": status_code,
        "NgayKetThucXuLy": instant(dossier.ended_at),
        "NgayTra": instant(dossier.returned_at),
        "DuocSoHoa": int(dossier.components.filter(digitised=True).exists()),
        **extra,
        "DuongDanKetQua": result_link(dossier),
    }


#: The transfer actions whose handling line carries the partner's news (the history note).
TRANSFER_ACTIONS = frozenset(
    {"transfer_out", "transfer_progress", "transfer_result", "transfer_back"}
)


def progress_payload(
    dossier: Dossier, history: DossierHistory, *, status_code: int
) -> dict[str, Any]:
    step = history.step
    transition = TRANSITIONS.get(history.action)
    label = transition.label_vi if transition else ACTION_LABELS.get(history.action, "")
    content = label or history.action
    if history.step_name:
        content = f"{content} – {history.step_name}"
    if history.action in TRANSFER_ACTIONS and history.note:
        # Liên thông: the line names the other agency and what it did (docs/integration.md).
        content = f"{content}: {history.note}"
    unit = ""
    if step is not None and step.department_id:
        unit = step.department.name  # type: ignore[union-attr]
    elif history.agency_id:
        unit = history.agency.name  # type: ignore[union-attr]
    return {
        "MaHoSo": dossier.code,
        "NguoiXuLy": history.actor_label or "Hệ thống",
        "ChucDanh": step.role if step is not None else "",
        "ThoiDiemXuLy": instant(history.at),
        "PhongBanXuLy": unit or dossier.competent_agency.name,
        "NoiDungXuLy": content[:4000],
        "TrangThai": status_code,
        "NgayBatDau": instant(step.started_at if step is not None else history.at),
        "NgayKetThucTheoQuyDinh": instant(history.due_at),
    }


def digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
