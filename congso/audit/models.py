"""The audit log: one append-only, hash-chained row per state change.

Each event stores ``prev_hash`` (the hash of the event before it) and ``hash``, a SHA-256 over a
canonical JSON of its own fields plus ``prev_hash`` (see :mod:`congso.audit.chain`). Changing or
removing any row breaks the chain from that row on, which ``manage.py audit_verify`` reports.

Rows are written only by :func:`congso.audit.services.record`. The model refuses updates and
deletes, and a database trigger (migration 0002) refuses them too, so neither the ORM nor raw SQL
from the application can rewrite history.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit event through the ORM."""


def _refuse(what: str) -> NoReturn:
    raise AppendOnlyError(f"The audit log is append-only: {what} is not allowed.")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        _refuse("update")

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse("delete")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        _refuse("bulk_update")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[AuditEvent]:
        # Bulk inserts would bypass the chaining: services.record_many() chains them, then
        # inserts through the base queryset.
        _refuse("bulk_create")


class AuditEvent(models.Model):
    """Who did what to which object, when, with the state before and after."""

    seq = models.BigIntegerField("số thứ tự", primary_key=True)
    time = models.DateTimeField("thời điểm", db_index=True)
    # SET_NULL keeps the event when a user is deleted; actor_label (hashed) still names them.
    # The database trigger allows exactly this one change (actor_id to NULL, nothing else).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField("người thực hiện (nhãn)", max_length=200)
    action = models.CharField("hành động", max_length=100, db_index=True)
    target_type = models.CharField("loại đối tượng", max_length=100, blank=True)
    target_id = models.CharField("mã đối tượng", max_length=64, blank=True)
    target_label = models.CharField("đối tượng", max_length=300, blank=True)
    before = models.JSONField("trước", null=True, blank=True)
    after = models.JSONField("sau", null=True, blank=True)
    request_id = models.CharField("mã yêu cầu", max_length=64, blank=True, db_index=True)
    prev_hash = models.CharField("băm của sự kiện trước", max_length=64)
    hash = models.CharField("băm", max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "sự kiện nhật ký"
        verbose_name_plural = "nhật ký kiểm toán"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_event_target"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_label}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("update")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")


class AuditAnchor(models.Model):
    """A daily proof of the chain head, made outside the database's reach.

    ``statement`` (canonical JSON of the head seq and hash and the time) carries an HMAC with the
    chain key, an RFC 3161 time-stamp token from the TSA over its SHA-256, and a detached CMS
    signature by the anchoring key. Removing events from the end, or rewriting the chain, is
    caught against the anchors by ``manage.py audit_verify``; copy each anchor off the server
    too (``manage.py audit_anchor --out``), since an anchor deleted with the events it covers
    can only be missed, not detected. Written by :func:`congso.audit.anchors.anchor_head`.
    """

    seq = models.BigIntegerField("số thứ tự đầu chuỗi", db_index=True)
    head_hash = models.CharField("băm đầu chuỗi", max_length=64)
    created_at = models.DateTimeField("thời điểm", db_index=True)
    statement = models.TextField("nội dung neo")
    mac = models.CharField("HMAC", max_length=64)
    timestamp_token = models.BinaryField("dấu thời gian RFC 3161")
    timestamp_time = models.DateTimeField("thời điểm theo TSA")
    signature = models.BinaryField("chữ ký CMS", blank=True)
    signer = models.CharField("người ký", max_length=500, blank=True)

    class Meta:
        verbose_name = "neo nhật ký"
        verbose_name_plural = "neo nhật ký"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"neo #{self.seq} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("update")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")
