"""Reads of records, always scoped to the agencies where the person keeps records
(:class:`~congso.records.models.AgencyScoped`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from congso.core.errors import NotFound
from congso.dossiers.models import Dossier
from congso.eoffice.models import Document
from congso.org.models import Agency
from congso.org.permissions import role_agencies
from congso.records.models import (
    KEEPER_ROLES,
    FilePlan,
    Record,
    RecordItem,
    RecordSeries,
    RecordState,
    Transfer,
)
from congso.records.services import FILEABLE_DOCUMENT_STATES, Due, due_for


def keeper_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies where ``user`` keeps records today."""
    return Agency.objects.filter(pk__in=role_agencies(user, KEEPER_ROLES), active=True).order_by(
        "name"
    )


def plans_for(user: Any) -> QuerySet[FilePlan]:
    return (
        FilePlan.objects.restrict(user).select_related("agency").order_by("-year", "agency__name")
    )


def plan_for(user: Any, plan_id: int) -> FilePlan:
    plan = plans_for(user).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("not_found", "Không tìm thấy danh mục hồ sơ.")
    return plan


def series_of(plan: FilePlan) -> QuerySet[RecordSeries]:
    return plan.series.annotate(record_count=Count("records")).order_by("position", "code")


def records_for(user: Any, *, state: str | None = None) -> QuerySet[Record]:
    queryset = Record.objects.restrict(user).select_related("agency", "series", "series__plan")
    if state:
        queryset = queryset.filter(state=state)
    return queryset.order_by("-opened_on", "-pk")


def record_for(user: Any, record_id: int) -> Record:
    record = records_for(user).filter(pk=record_id).first()
    if record is None:
        raise NotFound("not_found", "Không tìm thấy hồ sơ lưu trữ.")
    return record


def items_of(record: Record) -> QuerySet[RecordItem]:
    return record.items.select_related("document", "dossier").prefetch_related("files")


def latest_transfer(record: Record) -> Transfer | None:
    return record.transfers.order_by("-made_at", "-pk").first()


def open_records_for(user: Any, agency_id: int) -> QuerySet[Record]:
    """The open records of one agency, to file into."""
    return records_for(user, state=RecordState.OPEN).filter(agency_id=agency_id)


def where_filed(
    *, document: Document | None = None, dossier: Dossier | None = None
) -> Record | None:
    item = RecordItem.objects.select_related("record")
    if document is not None:
        found = item.filter(document=document).first()
    else:
        found = item.filter(dossier=dossier).first()
    return found.record if found is not None else None


def fileable_document(document: Document) -> bool:
    return document.state in FILEABLE_DOCUMENT_STATES[document.direction]


def disposition_list(user: Any, today: datetime.date | None = None) -> list[Due]:
    """The records whose retention ended (due to destroy) or whose transfer to the archive is
    due, oldest first."""
    day = today or timezone.localdate()
    candidates = records_for(user).filter(
        state__in=(RecordState.CLOSED, RecordState.TRANSFERRED), closed_on__isnull=False
    )
    due = [found for record in candidates if (found := due_for(record, day)) is not None]
    return sorted(due, key=lambda entry: (entry.due_on, entry.record.pk))
