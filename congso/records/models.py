"""Records and the e-archive (ND 30/2020/NĐ-CP ch. IV, Luật Lưu trữ 2024): an agency's file plan
(danh mục hồ sơ) for a year, its record series with a retention period as data, the records
(hồ sơ lưu trữ) filed from official documents and finished dossiers, the copies of their files
in the record store, the bags transferred to the archive and the disposition decisions.

Written only by :mod:`congso.records.services`; read through :mod:`congso.records.selectors`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from congso.org.permissions import (
    PROVINCE_WIDE,
    VIEW,
    RestrictedQuerySet,
    role_agencies,
    role_provinces,
)

#: Roles that keep an agency's records: they see them and file into them.
KEEPER_ROLES = ("clerk", "leader", "specialist", "department_head")


class AgencyScoped(RestrictedQuerySet[Any]):
    """Rows of the agencies where the person holds a keeper role (province administrators and
    monitors read their province's)."""

    agency_path = "agency"

    def scope_filter(self, user: Any, action: str) -> Q:
        path = self.agency_path
        scope = Q(**{f"{path}_id__in": role_agencies(user, KEEPER_ROLES)})
        if action == VIEW:
            scope |= Q(**{f"{path}__province_id__in": role_provinces(user, PROVINCE_WIDE)})
        return scope


class FilePlanQuerySet(AgencyScoped):
    pass


class SeriesQuerySet(AgencyScoped):
    agency_path = "plan__agency"


class RecordQuerySet(AgencyScoped):
    pass


class FilePlan(models.Model):
    """Danh mục hồ sơ: the records an agency means to open in one year (ND 30/2020 art. 28)."""

    agency = models.ForeignKey(
        "org.Agency", verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("năm")
    title = models.CharField("tên danh mục", max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người lập",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("lập lúc", auto_now_add=True)

    objects = FilePlanQuerySet.as_manager()

    class Meta:
        verbose_name = "danh mục hồ sơ"
        verbose_name_plural = "danh mục hồ sơ"
        ordering = ["-year", "agency_id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="records_plan_agency_year")
        ]

    def __str__(self) -> str:
        return f"Danh mục hồ sơ {self.year}"


class RecordSeries(models.Model):
    """One heading of a file plan: the records of one kind of work, with how long they are
    kept. The retention period is data: ``retention_years`` (a number of years) or
    ``permanent``, with the text it comes from (``legal_basis``, e.g. TT 10/2022/TT-BNV) and the
    day it applies from. A series with neither has no retention yet: nothing is filed into it."""

    plan = models.ForeignKey(
        FilePlan, verbose_name="danh mục", on_delete=models.PROTECT, related_name="series"
    )
    code = models.CharField("số, ký hiệu đề mục", max_length=20)
    title = models.CharField("tên đề mục", max_length=500)
    retention_years = models.PositiveSmallIntegerField("thời hạn bảo quản (năm)", null=True)
    permanent = models.BooleanField("bảo quản vĩnh viễn", default=False)
    legal_basis = models.CharField("căn cứ thời hạn bảo quản", max_length=500, blank=True)
    effective_from = models.DateField("áp dụng từ", null=True, blank=True)
    #: Years after closing within which a record goes to the agency archive (nộp lưu).
    transfer_within_years = models.PositiveSmallIntegerField("thời hạn nộp lưu (năm)", default=1)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        verbose_name = "đề mục danh mục hồ sơ"
        verbose_name_plural = "đề mục danh mục hồ sơ"
        ordering = ["plan_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="records_series_code"),
            models.CheckConstraint(
                condition=~Q(permanent=True, retention_years__isnull=False),
                name="records_series_one_retention",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    @property
    def has_retention(self) -> bool:
        return self.permanent or bool(self.retention_years)


class RecordState(models.TextChoices):
    OPEN = "open", "Đang lập"
    CLOSED = "closed", "Đã kết thúc"
    TRANSFERRED = "transferred", "Đã nộp lưu"
    DISPOSED = "disposed", "Đã hủy"


class Record(models.Model):
    """Hồ sơ lưu trữ: documents and dossiers of one piece of work, filed under a series. The
    retention is copied from the series when the record is opened (a later change of the
    series does not change what was decided for it)."""

    code = models.CharField("mã hồ sơ", max_length=80, unique=True)
    title = models.CharField("tiêu đề hồ sơ", max_length=500)
    series = models.ForeignKey(
        RecordSeries, verbose_name="đề mục", on_delete=models.PROTECT, related_name="records"
    )
    agency = models.ForeignKey(
        "org.Agency", verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField("số thứ tự trong đề mục")
    state = models.CharField(
        "trạng thái", max_length=12, choices=RecordState.choices, default=RecordState.OPEN
    )
    retention_years = models.PositiveSmallIntegerField("thời hạn bảo quản (năm)", null=True)
    permanent = models.BooleanField("bảo quản vĩnh viễn", default=False)
    legal_basis = models.CharField("căn cứ thời hạn bảo quản", max_length=500, blank=True)
    opened_on = models.DateField("ngày mở hồ sơ")
    closed_on = models.DateField("ngày kết thúc", null=True, blank=True)
    keeper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người lập hồ sơ",
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField("ghi chú", blank=True)
    transferred_at = models.DateTimeField("nộp lưu lúc", null=True, blank=True)
    disposed_at = models.DateTimeField("hủy lúc", null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = "hồ sơ lưu trữ"
        verbose_name_plural = "hồ sơ lưu trữ"
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="records_record_number")
        ]
        indexes = [models.Index(fields=["agency", "state"], name="records_record_state")]

    def __str__(self) -> str:
        return self.code

    @property
    def retention_label(self) -> str:
        if self.permanent:
            return "Vĩnh viễn"
        return f"{self.retention_years} năm" if self.retention_years else ""


class ItemKind(models.TextChoices):
    DOCUMENT = "document", "Văn bản"
    DOSSIER = "dossier", "Hồ sơ thủ tục hành chính"


class RecordItem(models.Model):
    """One official document or one finished dossier filed into a record. A document or a
    dossier is filed once (into one record)."""

    record = models.ForeignKey(
        Record, verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="items"
    )
    position = models.PositiveIntegerField("số thứ tự")
    kind = models.CharField("loại", max_length=10, choices=ItemKind.choices)
    document = models.ForeignKey(
        "eoffice.Document",
        verbose_name="văn bản",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name="hồ sơ TTHC",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: What the item is, as it was when filed (number and notation, date, author, subject).
    reference = models.CharField("số, ký hiệu / mã hồ sơ", max_length=120)
    dated = models.DateField("ngày tháng", null=True, blank=True)
    author = models.CharField("tác giả", max_length=255)
    summary = models.TextField("trích yếu nội dung")
    metadata = models.JSONField("siêu dữ liệu", default=dict)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đưa vào hồ sơ",
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField("đưa vào lúc", auto_now_add=True)

    class Meta:
        verbose_name = "văn bản trong hồ sơ"
        verbose_name_plural = "văn bản trong hồ sơ"
        ordering = ["record_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["record", "position"], name="records_item_position"),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(document__isnull=False),
                name="records_item_document_once",
            ),
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(dossier__isnull=False),
                name="records_item_dossier_once",
            ),
            models.CheckConstraint(
                condition=(Q(kind="document", document__isnull=False, dossier__isnull=True))
                | Q(kind="dossier", dossier__isnull=False, document__isnull=True),
                name="records_item_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}/{self.position}: {self.reference}"


def record_file_path(instance: RecordFile, filename: str) -> str:
    item = instance.item
    return f"records/{item.record.agency.code}/{item.record_id}/{item.position:03d}/{filename}"


class RecordFile(models.Model):
    """A copy of one file of a filed item, in the record store, with its SHA-256 (checked
    against the source when copied, and by ``records_fixity`` since)."""

    item = models.ForeignKey(
        RecordItem,
        verbose_name="văn bản trong hồ sơ",
        on_delete=models.PROTECT,
        related_name="files",
    )
    name = models.CharField("tên tệp", max_length=255)
    role = models.CharField("vai trò", max_length=60)
    mime_type = models.CharField("loại", max_length=100)
    size = models.PositiveBigIntegerField("dung lượng")
    sha256 = models.CharField("SHA-256", max_length=64)
    signed = models.BooleanField("đã ký số", default=False)
    file = models.FileField("tệp", upload_to=record_file_path, max_length=300, blank=True)
    #: Emptied when the record is destroyed (the row stays as the tombstone).
    deleted_at = models.DateTimeField("xóa lúc", null=True, blank=True)
    checked_at = models.DateTimeField("kiểm tra toàn vẹn lúc", null=True, blank=True)
    intact = models.BooleanField("còn toàn vẹn", default=True)

    class Meta:
        verbose_name = "tệp trong hồ sơ"
        verbose_name_plural = "tệp trong hồ sơ"
        ordering = ["item_id", "pk"]

    def __str__(self) -> str:
        return self.name


class Transfer(models.Model):
    """A BagIt bag of a closed record handed to the archive (nộp lưu), as it was written and
    validated; kept in the record store for download."""

    record = models.ForeignKey(
        Record, verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="transfers"
    )
    file = models.FileField("gói BagIt (zip)", upload_to="records/bags/", max_length=300)
    name = models.CharField("tên gói", max_length=200)
    size = models.PositiveBigIntegerField("dung lượng")
    sha256 = models.CharField("SHA-256", max_length=64)
    payload_oxum = models.CharField("Payload-Oxum", max_length=40)
    files = models.PositiveIntegerField("số tệp")
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nộp lưu",
        on_delete=models.PROTECT,
        related_name="+",
    )
    made_at = models.DateTimeField("lập lúc", auto_now_add=True)
    checked_at = models.DateTimeField("kiểm tra toàn vẹn lúc", null=True, blank=True)
    intact = models.BooleanField("còn toàn vẹn", default=True)

    class Meta:
        verbose_name = "gói nộp lưu"
        verbose_name_plural = "gói nộp lưu"
        ordering = ["record_id", "-made_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class DispositionAction(models.TextChoices):
    DESTROY = "destroy", "Hủy hồ sơ hết thời hạn bảo quản"
    TRANSFER = "transfer", "Nộp lưu vào Lưu trữ cơ quan"
    KEEP = "keep", "Giữ lại, xem xét lại sau"


class Disposition(models.Model):
    """A decision on a record that the disposition list showed as due, with the decision it
    rests on (the number of the decision of the head of the agency, the council's minutes)."""

    record = models.ForeignKey(
        Record, verbose_name="hồ sơ", on_delete=models.PROTECT, related_name="dispositions"
    )
    action = models.CharField("quyết định", max_length=10, choices=DispositionAction.choices)
    decision_ref = models.CharField("căn cứ quyết định", max_length=255)
    reason = models.TextField("lý do", blank=True)
    review_on = models.DateField("xem xét lại ngày", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người quyết định",
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        verbose_name = "quyết định xử lý hồ sơ"
        verbose_name_plural = "quyết định xử lý hồ sơ"
        ordering = ["record_id", "-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.action}"
