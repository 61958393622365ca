"""Liên thông between systems (``/api/v1/transfers``): the partners' agencies a dossier may be
transferred to, and the transfer itself — the API op of the officer's *Chuyển liên thông*
button. Thin: parse, call :func:`congso.integration.transfers.send`, serialise; the messages
over the LGSP are described in docs/integration.md ("Transfers between systems")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from congso.api.auth import SESSION_OR_TOKEN
from congso.api.schemas import ErrorOut
from congso.dossiers import selectors
from congso.integration import transfers
from congso.integration.models import Transfer

router = Router(auth=SESSION_OR_TOKEN)


class DestinationOut(Schema):
    partner_unit: str = Field(description="Mã của hệ thống đối tác trên LGSP.")
    partner_name: str
    agency_code: str = Field(description="Mã định danh cơ quan giải quyết ở hệ thống đối tác.")
    agency_name: str


class TransferIn(Schema):
    dossier_code: str = Field(max_length=60, description="Mã hồ sơ chuyển đi.")
    partner_unit: str = Field(max_length=30)
    agency_code: str = Field(max_length=13)
    reason: str = Field(max_length=4000, description="Lý do chuyển liên thông (bắt buộc).")
    expected_version: int | None = Field(None, description="Phiên bản hồ sơ đang xem (409).")


class TransferOut(Schema):
    transfer_id: str
    dossier_code: str
    dossier_status: str
    partner_unit: str
    partner_name: str
    agency_code: str
    agency_name: str
    state: str = Field(description="sent, received, processing, done, returned.")
    remote_code: str = Field(description="Mã hồ sơ tại hệ thống nhận (khi đã tiếp nhận).")
    created_at: datetime


def _out(row: Transfer, status: str) -> TransferOut:
    return TransferOut(
        transfer_id=str(row.transfer_id),
        dossier_code=row.origin_code,
        dossier_status=status,
        partner_unit=row.partner_unit,
        partner_name=row.partner_name,
        agency_code=row.agency_code,
        agency_name=row.agency_name,
        state=row.state,
        remote_code=row.remote_code,
        created_at=timezone.localtime(row.created_at),
    )


@router.get(
    "/destinations",
    response={200: list[DestinationOut], 401: ErrorOut},
    summary="Các đơn vị có thể chuyển liên thông đến",
)
def destinations(request: HttpRequest) -> list[DestinationOut]:
    return [
        DestinationOut(
            partner_unit=partner.unit_code,
            partner_name=partner.name,
            agency_code=code,
            agency_name=name,
        )
        for partner in transfers.partners()
        for code, name in partner.agencies
    ]


@router.post(
    "",
    response={
        201: TransferOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Chuyển liên thông hồ sơ sang hệ thống khác",
)
def send(request: HttpRequest, payload: TransferIn) -> Status[TransferOut]:
    """The dossier becomes `transferred` (national status 4) and its package (fields,
    applicant, files with SHA-256, history) is queued, signed, for the partner. Errors:
    `transfer_partner_unknown`, `transfer_agency_unknown`, `required` (the reason) (400);
    `not_allowed` (403); `dossier_not_found` (404); `invalid_transition`, `concurrent_update`,
    `steps_open` (409)."""
    user: Any = request.auth  # type: ignore[attr-defined]
    dossier = selectors.dossier_for(user, payload.dossier_code)
    row = transfers.send(
        actor=user,
        dossier=dossier,
        partner_unit=payload.partner_unit,
        agency_code=payload.agency_code,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return Status(201, _out(row, "transferred"))
