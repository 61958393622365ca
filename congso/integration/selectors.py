"""Reads of the portal sync for the officers' sync page and the dashboard panel: everything
limited to the agencies of the viewer's dashboard scope (``None``: all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from congso.integration.models import (
    ProcedureMapping,
    ReconciliationDifference,
    ReconciliationRun,
    SyncItem,
)

DONE = (SyncItem.State.SENT, SyncItem.State.SKIPPED)
PROBLEMS = (SyncItem.State.DEAD, SyncItem.State.REFUSED)
#: Most rows of one list on the page.
LIMIT = 100
#: The portal's field names (docs/integration.md, "Fields") as an officer reads them.
FIELD_LABELS = {
    "_chua_gui": "Chưa đồng bộ xong",
    "_ton_tai": "Có trên cổng",
    "_tien_do": "Số dòng tiến độ xử lý",
    "MaHoSo": "Mã hồ sơ",
    "MaTTHC": "Mã thủ tục",
    "TenTTHC": "Tên thủ tục",
    "MaLinhVuc": "Mã lĩnh vực",
    "TenLinhVuc": "Tên lĩnh vực",
    "MaCoQuan": "Mã cơ quan",
    "TenCoQuan": "Tên cơ quan",
    "ChuHoSo": "Chủ hồ sơ",
    "LoaiDoiTuong": "Loại đối tượng",
    "MaDoiTuong": "Số định danh",
    "DiaChi": "Địa chỉ",
    "SoDienThoai": "Số điện thoại",
    "Email": "Thư điện tử",
    "TrichYeuHoSo": "Trích yếu",
    "KenhThucHien": "Kênh thực hiện",
    "NgayNopHoSo": "Ngày nộp",
    "NgayTiepNhan": "Ngày tiếp nhận",
    "NgayHenTra": "Ngày hẹn trả",
    "TrangThaiHoSo": "Trạng thái (mã quốc gia)",
    "NgayKetThucXuLy": "Ngày kết thúc xử lý",
    "NgayTra": "Ngày trả kết quả",
    "DuocSoHoa": "Được số hóa",
    "DuocLayTuKhoDMQG": "Lấy từ kho dữ liệu quốc gia",
    "TaiKhoanDuocXacThucVoiVNeID": "Tài khoản xác thực VNeID",
    "DuongDanKetQua": "Đường dẫn kết quả",
}


def items(scope: list[int] | None) -> QuerySet[SyncItem]:
    found = SyncItem.objects.all()
    if scope is not None:
        found = found.filter(dossier__competent_agency_id__in=scope)
    return found


def within(queryset: QuerySet[SyncItem], minutes: int = 5) -> tuple[int, int]:
    """(items confirmed within ``minutes`` of their change, all items) — one aggregate query."""
    done_in_time = Q(state__in=DONE, sent_at__isnull=False) & Q(
        sent_at__lte=F("created_at") + timedelta(minutes=minutes)
    )
    row = queryset.aggregate(total=Count("pk"), within=Count("pk", filter=done_in_time))
    return row["within"], row["total"]


def percent(part: int, total: int) -> float | None:
    return round(100 * part / total, 1) if total else None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        timezone.make_aware(datetime.combine(start, time.min)),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
    )


@dataclass(frozen=True)
class Rate:
    within: int
    total: int

    @property
    def percent(self) -> float | None:
        return percent(self.within, self.total)


def rate(scope: list[int] | None, start: date, end: date, agency_ids: Any = None) -> Rate:
    """ "% synced within 5 minutes" of the changes made from ``start`` to ``end`` (local days)."""
    since, until = _bounds(start, end)
    found = items(scope).filter(created_at__gte=since, created_at__lt=until)
    if agency_ids:
        found = found.filter(dossier__competent_agency_id__in=agency_ids)
    return Rate(*within(found))


def counts(scope: list[int] | None) -> dict[str, int]:
    """The items not yet confirmed, per state (pending, dead, refused): the confirmed ones,
    nearly all of the table, are not counted (the state index serves the rest)."""
    waiting = [SyncItem.State.PENDING, *PROBLEMS]
    rows = items(scope).filter(state__in=waiting).values("state").annotate(n=Count("pk"))
    found: dict[str, int] = {str(state): 0 for state in waiting}
    found.update({row["state"]: row["n"] for row in rows})
    return found


def problems(scope: list[int] | None) -> list[SyncItem]:
    """The dead letters and the refused items, newest first, with their reason."""
    return list(
        items(scope)
        .filter(state__in=PROBLEMS)
        .select_related("dossier__procedure_version__procedure")
        .order_by("-created_at", "-pk")[:LIMIT]
    )


def dossier_items(scope: list[int] | None, code: str) -> list[SyncItem]:
    return list(items(scope).filter(dossier_code=code.strip()).order_by("seq"))


def state_of(found: list[SyncItem]) -> str:
    """One dossier's sync state from its items: the worst one wins."""
    states = {item.state for item in found}
    for state in (SyncItem.State.DEAD, SyncItem.State.REFUSED, SyncItem.State.PENDING):
        if state in states:
            return str(state)
    return "synced" if found else ""


def latest_run() -> ReconciliationRun | None:
    return ReconciliationRun.objects.filter(finished_at__isnull=False).order_by("-pk").first()


def run_differences(run: ReconciliationRun, scope: list[int] | None) -> list[Any]:
    found = ReconciliationDifference.objects.filter(run=run)
    if scope is not None:
        found = found.filter(dossier__competent_agency_id__in=scope)
    rows = list(found.order_by("dossier_code", "pk")[:LIMIT])
    for row in rows:
        row.label = FIELD_LABELS.get(row.field, row.field)  # type: ignore[attr-defined]
    return rows


def pending_mappings() -> list[ProcedureMapping]:
    """Suggested national codes not yet confirmed by an officer."""
    return list(
        ProcedureMapping.objects.filter(confirmed_at__isnull=True)
        .select_related("procedure")
        .order_by("-similarity", "procedure__code")[:LIMIT]
    )
