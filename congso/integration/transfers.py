"""Liên thông between congso instances: a dossier received here (A) and decided by another
system (B: a higher agency, another province's office), over the province's integration
platform (LGSP) — docs/integration.md, "Transfers between systems".

* :func:`send` — an officer transfers the dossier: the dossier's own write
  (``dossier_transfer_out``, state ``transferred``), a :class:`Transfer` and the signed
  *package* (dossier fields, applicant, files in base64 with their SHA-256, history) in the
  transfers' outbox, all in one transaction;
* :func:`record_change` — the dossiers' ``on_change`` hook: on B, the local copy's changes
  queue the status messages back to A (``received``, ``processing``, ``result`` with the
  signed e-result file, ``returned`` with the reason), in the change's transaction;
* :func:`send_due` — the worker: sends the due messages through the LGSP
  (``GuiThongDiepLienThong``), retries with back-off and jitter, dead after
  ``TRANSFER_MAX_ATTEMPTS``;
* :func:`receive` — the worker: fetches this system's messages (``NhanThongDiepLienThong``),
  applies each once per (transfer id, kind), each in its own transaction, then acknowledges
  them (``XacNhanThongDiepLienThong``). A message whose signature does not verify is refused
  (``transfer_signature_invalid``) and kept; a copy is recorded as a duplicate.

Messages are JSON: ``{"version": 1, "transfer_id", "kind", "from", "to", "sent_at", "body",
"signature"}``, ``signature`` = ``"hmac-sha256:" + hex HMAC-SHA256`` of the canonical JSON of
everything else (sorted keys, no spaces, UTF-8) with the key shared with that partner
(``CONGSO_TRANSFER_PARTNERS``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from congso.audit.services import record
from congso.core.errors import DomainError, NotFound
from congso.core.types import Actor
from congso.dossiers import services as dossier_services
from congso.dossiers.models import Attachment, Dossier, DossierHistory
from congso.dossiers.workflow import TRANSITIONS, Status
from congso.integration import lgsp
from congso.integration.models import InboundMessage, Transfer, TransferMessage
from congso.results import selectors as result_selectors
from congso.results import services as result_services

log = logging.getLogger(__name__)

SEND = "GuiThongDiepLienThong"
FETCH = "NhanThongDiepLienThong"
ACK = "XacNhanThongDiepLienThong"
VERSION = 1
CLAIM = timedelta(minutes=2)
Kind = TransferMessage.Kind
#: What the local copy's changes on B tell A (action → message kind).
STATUS_OF_ACTION = {
    "start_processing": Kind.PROCESSING,
    "complete": Kind.RESULT,
    "refuse": Kind.RETURNED,
    "not_accept": Kind.RETURNED,
}


# --- Partners ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Partner:
    """A system this instance transfers with (``CONGSO_TRANSFER_PARTNERS``)."""

    unit_code: str
    name: str
    secret: str
    agencies: tuple[tuple[str, str], ...]  # (code, name)

    def agency_name(self, code: str) -> str | None:
        return next((name for item, name in self.agencies if item == code), None)


def partners() -> list[Partner]:
    if not settings.TRANSFER_PARTNERS:
        return []
    found = []
    for item in json.loads(settings.TRANSFER_PARTNERS):
        found.append(
            Partner(
                unit_code=str(item["unit_code"]),
                name=str(item.get("name") or item["unit_code"]),
                secret=str(item["secret"]),
                agencies=tuple(
                    (str(a["code"]), str(a.get("name") or a["code"]))
                    for a in item.get("agencies") or []
                ),
            )
        )
    return found


def partner(unit_code: str) -> Partner | None:
    return next((p for p in partners() if p.unit_code == unit_code), None)


def own_unit() -> str:
    return str(settings.LGSP_UNIT_CODE)


# --- Signing -------------------------------------------------------------------------------------


def _canonical(envelope: dict[str, Any]) -> bytes:
    unsigned = {key: value for key, value in envelope.items() if key != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(envelope: dict[str, Any], secret: str) -> dict[str, Any]:
    mac = hmac.new(secret.encode(), _canonical(envelope), hashlib.sha256).hexdigest()
    return {**envelope, "signature": f"hmac-sha256:{mac}"}


def verify(envelope: dict[str, Any], secret: str) -> bool:
    signature = envelope.get("signature")
    if not isinstance(signature, str) or not signature.startswith("hmac-sha256:"):
        return False
    mac = hmac.new(secret.encode(), _canonical(envelope), hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature.removeprefix("hmac-sha256:"), mac)


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _queue(transfer: Transfer, kind: str, body: dict[str, Any], now: datetime) -> None:
    """Put one signed message in the outbox (once per kind and transfer)."""
    found = partner(transfer.partner_unit)
    if found is None:
        raise DomainError(
            "transfer_partner_unknown",
            f"Hệ thống {transfer.partner_unit} không có trong danh sách đối tác liên thông.",
        )
    if TransferMessage.objects.filter(transfer=transfer, kind=kind).exists():
        return
    envelope = {
        "version": VERSION,
        "transfer_id": str(transfer.transfer_id),
        "kind": str(kind),
        "from": own_unit(),
        "to": transfer.partner_unit,
        "sent_at": _iso(now),
        "body": body,
    }
    TransferMessage.objects.create(
        transfer=transfer,
        kind=kind,
        message=sign(envelope, found.secret),
        next_attempt_at=now,
        created_at=now,
    )


# --- A: sending a dossier ------------------------------------------------------------------------


def _file_entry(item: Attachment) -> dict[str, Any]:
    with item.file.open("rb") as handle:
        data = handle.read()
    return {
        "component": item.component.code,
        "name": item.original_name,
        "mime_type": item.mime_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "content": base64.b64encode(data).decode(),
    }


def _package(d: Dossier, *, agency_code: str, reason: str) -> dict[str, Any]:
    latest: dict[int, Attachment] = {}
    for item in (
        Attachment.objects.filter(component__dossier=d)
        .select_related("component")
        .order_by("component_id", "version")
    ):
        latest[item.component_id] = item  # the latest version of each component
    history = [
        {
            "action": row.action,
            "label": TRANSITIONS[row.action].label_vi if row.action in TRANSITIONS else row.action,
            "at": _iso(row.at),
            "actor": row.actor_label,
            "agency": row.agency.name if row.agency else "",
            "step": row.step_name,
            "from_status": row.from_status,
            "to_status": row.to_status,
            "note": row.note,
        }
        for row in DossierHistory.objects.filter(dossier=d).select_related("agency").order_by("pk")
    ]
    procedure = d.procedure_version.procedure
    return {
        "dossier": {
            "code": d.code,
            "procedure_code": procedure.code,
            "procedure_name": procedure.name,
            "channel": d.channel,
            "submitted_at": _iso(d.submitted_at),
            "received_at": _iso(d.received_at),
            "due_at": _iso(d.due_at),
            "appointment_at": _iso(d.appointment_at),
            "form_data": d.form_data,
        },
        "origin": {"agency_code": d.receiving_agency.code, "agency_name": d.receiving_agency.name},
        "destination": {"agency_code": agency_code},
        "applicant": {
            "kind": "organisation" if d.applicant_organisation_id else "citizen",
            "name": d.applicant_name,
            "id_number": d.applicant_id_number,
            "address": d.applicant_address,
            "phone": d.applicant_phone,
            "email": d.applicant_email,
        },
        "files": [_file_entry(item) for item in latest.values()],
        "history": history,
        "reason": reason,
    }


def send(
    *,
    actor: Actor,
    dossier: Dossier,
    partner_unit: str,
    agency_code: str,
    reason: str,
    expected_version: int | None = None,
) -> Transfer:
    """Transfer ``dossier`` to ``agency_code`` of the partner system ``partner_unit``: the
    dossier becomes ``transferred`` and the package waits in the outbox, in one transaction."""
    found = partner(partner_unit)
    if found is None:
        raise DomainError(
            "transfer_partner_unknown",
            "Hãy chọn một hệ thống trong danh sách đối tác liên thông.",
            field="partner",
        )
    agency_name = found.agency_name(agency_code)
    if agency_name is None:
        raise DomainError(
            "transfer_agency_unknown",
            f"{found.name} không giải quyết hồ sơ cho cơ quan đã chọn; hãy chọn trong danh sách.",
            field="agency",
        )
    with transaction.atomic():
        d = dossier_services.dossier_transfer_out(
            actor=actor,
            dossier=dossier,
            reason=reason,
            destination=f"{agency_name} ({found.name})",
            expected_version=expected_version,
        )
        now = timezone.now()
        transfer = Transfer.objects.create(
            transfer_id=uuid.uuid4(),
            direction=Transfer.Direction.OUT,
            dossier=d,
            partner_unit=found.unit_code,
            partner_name=found.name,
            agency_code=agency_code,
            agency_name=agency_name,
            origin_code=d.code,
            origin_agency=d.receiving_agency.name,
            origin_appointment_at=d.appointment_at,
            reason=reason.strip(),
            created_at=now,
            updated_at=now,
        )
        _queue(transfer, Kind.PACKAGE, _package(d, agency_code=agency_code, reason=reason), now)
        record(
            actor=actor,
            action="integration.transfer_send",
            target=d,
            after={"transfer_id": str(transfer.transfer_id), "to": found.unit_code},
        )
    return transfer


# --- B: the local copy's changes go back -------------------------------------------------------


def _result_file(d: Dossier) -> dict[str, Any] | None:
    result = result_selectors.latest_result(d)
    if result is None:
        return None
    data = result_services.result_bytes(result)
    return {
        "code": result.code,
        "name": f"{result.code}.pdf",
        "mime_type": "application/pdf",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "content": base64.b64encode(data).decode(),
    }


def record_change(dossier: Dossier, *, action: str, from_status: str, now: datetime) -> None:
    """On B: a change of an incoming transfer's local copy queues its message to A (registered
    on ``dossiers.on_change``, in the change's transaction)."""
    kind = STATUS_OF_ACTION.get(action)
    if kind is None:
        return
    transfer = Transfer.objects.filter(dossier=dossier, direction=Transfer.Direction.IN).first()
    if transfer is None:
        return
    body: dict[str, Any] = {
        "local_code": dossier.code,
        "agency": dossier.competent_agency.name,
        "at": _iso(now),
    }
    if kind == Kind.PROCESSING:
        body["note"] = f"{dossier.competent_agency.name} đang xử lý hồ sơ (mã {dossier.code})."
        transfer.state = Transfer.State.PROCESSING
    elif kind == Kind.RESULT:
        body["result_summary"] = dossier.result_summary
        body["file"] = _result_file(dossier)
        transfer.state = Transfer.State.DONE
        transfer.result_summary = dossier.result_summary
    else:
        body["reason"] = dossier.outcome_reason
        body["refused"] = True
        transfer.state = Transfer.State.RETURNED
        transfer.reason = dossier.outcome_reason
    transfer.updated_at = now
    transfer.save()
    _queue(transfer, kind, body, now)


# --- The worker: sending -------------------------------------------------------------------------


def _due(now: datetime, limit: int) -> list[TransferMessage]:
    with transaction.atomic():
        items = list(
            TransferMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=TransferMessage.State.PENDING, next_attempt_at__lte=now)
            .select_related("transfer")
            .order_by("pk")[:limit]
        )
        if items:
            TransferMessage.objects.filter(pk__in=[i.pk for i in items]).update(
                next_attempt_at=now + CLAIM
            )
    return items


def _backoff(attempts: int) -> timedelta:
    from congso.integration.sync import backoff

    return backoff(attempts)


def _after_sent(item: TransferMessage) -> None:
    """On B, once the result reached the platform: the local copy is handed back (returned)."""
    transfer = item.transfer
    if item.kind != Kind.RESULT or transfer.direction != Transfer.Direction.IN:
        return
    dossier = transfer.dossier
    if dossier is None or dossier.status != Status.PROCESSED:
        return
    dossier_services.dossier_transfer_hand_back(
        dossier=dossier,
        note=f"Đã gửi kết quả về {transfer.origin_agency} (hồ sơ {transfer.origin_code}).",
    )


def send_item(item: TransferMessage) -> bool:
    now = timezone.now()
    try:
        lgsp.call(
            SEND,
            {"NoiNhan": item.transfer.partner_unit, "ThongDiep": item.message},
            subject=item.transfer.origin_code,
        )
    except lgsp.LgspError as exc:
        # An uncertain failure may have landed: sending again is safe, the receiver applies a
        # (transfer id, kind) once.
        fields: dict[str, Any] = {"last_error": exc.message[:2000]}
        if exc.code in ("circuit_open", "lgsp_not_configured"):
            fields["next_attempt_at"] = now + timedelta(seconds=settings.LGSP_BREAKER_SECONDS)
        else:
            attempts = item.attempts + 1
            fields["attempts"] = attempts
            if attempts >= settings.TRANSFER_MAX_ATTEMPTS:
                fields["state"] = TransferMessage.State.DEAD
                fields["last_error"] = f"Dừng sau {attempts} lần gửi: {exc.message}"[:2000]
            else:
                fields["next_attempt_at"] = now + _backoff(attempts)
        TransferMessage.objects.filter(pk=item.pk).update(**fields)
        return False
    with transaction.atomic():
        TransferMessage.objects.filter(pk=item.pk).update(
            state=TransferMessage.State.SENT,
            attempts=item.attempts + 1,
            last_error="",
            sent_at=timezone.now(),
        )
        _after_sent(item)
    return True


def send_due(*, limit: int = 200) -> int:
    if not settings.LGSP_URL and not settings.LGSP_PROVINCES:
        return 0
    tried = 0
    while tried < limit:
        batch = _due(timezone.now(), min(20, limit - tried))
        if not batch:
            break
        for item in batch:
            send_item(item)
            tried += 1
    return tried


# --- The worker: receiving -----------------------------------------------------------------------


def _keep(
    delivered: dict[str, Any],
    message: Any,
    state: str,
    *,
    code: str = "",
    error: str = "",
) -> InboundMessage:
    body = message if isinstance(message, dict) else {"raw": message}
    return InboundMessage.objects.create(
        platform_id=str(delivered.get("MaThongDiep", ""))[:60],
        transfer_id=str(body.get("transfer_id", ""))[:60],
        kind=str(body.get("kind", ""))[:20],
        sender=str(delivered.get("NoiGui", ""))[:30],
        message=body,
        state=state,
        error_code=code,
        error=error,
        received_at=timezone.now(),
    )


def _decode(entry: dict[str, Any]) -> bytes:
    data = base64.b64decode(str(entry.get("content", "")), validate=True)
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        raise DomainError(
            "transfer_file_corrupt",
            f"Tệp «{entry.get('name', '')}» không khớp mã SHA-256 kèm theo.",
        )
    return data


def _apply_package(message: dict[str, Any], sender: Partner) -> None:
    body = message["body"]
    now = timezone.now()
    dossier_part, agency_code = body["dossier"], body["destination"]["agency_code"]
    transfer = Transfer.objects.create(
        transfer_id=uuid.UUID(message["transfer_id"]),
        direction=Transfer.Direction.IN,
        partner_unit=sender.unit_code,
        partner_name=sender.name,
        agency_code=agency_code,
        agency_name=agency_code,
        origin_code=str(dossier_part["code"]),
        origin_agency=str(body.get("origin", {}).get("agency_name", "")),
        origin_appointment_at=_parse(dossier_part.get("appointment_at")),
        reason=str(body.get("reason", "")),
        created_at=now,
        updated_at=now,
    )
    try:
        with transaction.atomic():
            files: dict[str, list[Any]] = {}
            for entry in body.get("files") or []:
                content = ContentFile(_decode(entry), name=str(entry.get("name") or "tep"))
                files.setdefault(str(entry["component"]), []).append(content)
            d = dossier_services.dossier_receive_transferred(
                procedure_code=str(dossier_part["procedure_code"]),
                agency_code=agency_code,
                applicant=body["applicant"],
                channel=str(dossier_part.get("channel", "")),
                form_data=dossier_part.get("form_data") or {},
                files=files,
                note=(
                    f"Tiếp nhận liên thông từ {transfer.origin_agency} ({sender.name}), hồ sơ "
                    f"{transfer.origin_code}: {transfer.reason}"
                ),
                data={"transfer_id": message["transfer_id"], "origin_code": transfer.origin_code},
            )
    except DomainError as exc:
        transfer.state = Transfer.State.RETURNED
        transfer.reason = f"Không tiếp nhận được: {exc.message}"
        transfer.save()
        _queue(transfer, Kind.RETURNED, {"reason": transfer.reason, "code": exc.code}, now)
        return
    transfer.dossier = d
    transfer.agency_name = d.competent_agency.name
    transfer.remote_code = d.code
    transfer.remote_due_at = d.due_at
    transfer.state = Transfer.State.RECEIVED
    transfer.save()
    _queue(
        transfer,
        Kind.RECEIVED,
        {
            "local_code": d.code,
            "agency": d.competent_agency.name,
            "received_at": _iso(d.received_at),
            "due_at": _iso(d.due_at),
        },
        now,
    )


def _note(transfer: Transfer, text: str) -> str:
    return f"{transfer.agency_name} ({transfer.partner_name}): {text}"


def _apply_status(message: dict[str, Any], transfer: Transfer) -> None:
    kind, body = message["kind"], message["body"]
    now = timezone.now()
    d = transfer.dossier
    if d is None:  # pragma: no cover - an outgoing transfer always has its dossier
        raise DomainError("transfer_unknown", "Liên thông không gắn với hồ sơ nào.")
    data = {"transfer_id": str(transfer.transfer_id), "kind": kind}
    if kind == Kind.RECEIVED:
        transfer.state = Transfer.State.RECEIVED
        transfer.remote_code = str(body.get("local_code", ""))[:60]
        transfer.remote_due_at = _parse(body.get("due_at"))
        due = transfer.remote_due_at
        text = f"đã tiếp nhận hồ sơ liên thông, mã {transfer.remote_code}" + (
            f", hạn giải quyết {timezone.localtime(due):%H:%M ngày %d/%m/%Y}" if due else ""
        )
        if d.status == Status.TRANSFERRED:
            dossier_services.dossier_transfer_progress(
                dossier=d, note=_note(transfer, text), data=data
            )
    elif kind == Kind.PROCESSING:
        if transfer.state in (Transfer.State.SENT, Transfer.State.RECEIVED):
            transfer.state = Transfer.State.PROCESSING
        if d.status == Status.TRANSFERRED:
            dossier_services.dossier_transfer_progress(
                dossier=d, note=_note(transfer, "đang xử lý hồ sơ"), data=data
            )
    elif kind == Kind.RESULT:
        entry = body.get("file")
        if isinstance(entry, dict):
            content = _decode(entry)
            transfer.result_name = str(entry.get("name") or "ket-qua.pdf")[:255]
            transfer.result_sha256 = str(entry.get("sha256"))
            transfer.result_file.save(transfer.result_name, ContentFile(content), save=False)
        transfer.state = Transfer.State.DONE
        transfer.result_summary = str(body.get("result_summary", ""))
        dossier_services.dossier_transfer_result(
            dossier=d,
            result_summary=transfer.result_summary,
            note=_note(transfer, f"đã giải quyết: {transfer.result_summary}"),
            data={**data, "result_sha256": transfer.result_sha256},
        )
    elif kind == Kind.RETURNED:
        transfer.state = Transfer.State.RETURNED
        transfer.reason = str(body.get("reason", "")) or "Không nêu lý do."
        dossier_services.dossier_transfer_back(
            dossier=d, reason=_note(transfer, f"trả lại hồ sơ: {transfer.reason}"), data=data
        )
    else:
        raise DomainError("transfer_kind_unknown", f"Loại thông điệp «{kind}» không có.")
    transfer.updated_at = now
    transfer.save()


def _check(delivered: dict[str, Any], message: Any) -> tuple[Partner, dict[str, Any]]:
    """The sender, when the message is well formed, addressed to us and signed by it."""
    if not isinstance(message, dict) or message.get("version") != VERSION:
        raise DomainError("transfer_message_invalid", "Thông điệp liên thông sai định dạng.")
    sender = partner(str(delivered.get("NoiGui", "")))
    if sender is None or message.get("from") != sender.unit_code:
        raise DomainError(
            "transfer_sender_unknown",
            f"Nơi gửi {delivered.get('NoiGui', '')} không phải đối tác liên thông của hệ thống.",
        )
    if message.get("to") != own_unit():
        raise DomainError(
            "transfer_message_invalid", "Thông điệp liên thông không gửi cho hệ thống này."
        )
    if not verify(message, sender.secret):
        raise DomainError(
            "transfer_signature_invalid",
            f"Chữ ký của thông điệp không hợp lệ với khóa của {sender.name}; thông điệp bị từ "
            "chối và được lưu để kiểm tra.",
        )
    return sender, message


def apply(delivered: dict[str, Any]) -> InboundMessage:
    """Apply one delivered message (its own transaction): once per (transfer id, kind)."""
    message = delivered.get("ThongDiep")
    try:
        sender, checked = _check(delivered, message)
    except DomainError as exc:
        log.warning("transfer message refused: %s", exc.message)
        kept = _keep(
            delivered, message, InboundMessage.State.REFUSED, code=exc.code, error=exc.message
        )
        record(
            actor=None,
            action="integration.transfer_refused",
            target=kept,
            after={"code": exc.code, "sender": kept.sender},
        )
        return kept
    transfer_id, kind = str(checked["transfer_id"]), str(checked["kind"])
    try:
        with transaction.atomic():
            if InboundMessage.objects.filter(
                transfer_id=transfer_id, kind=kind, state=InboundMessage.State.APPLIED
            ).exists():
                return _keep(delivered, checked, InboundMessage.State.DUPLICATE)
            if kind == Kind.PACKAGE:
                if Transfer.objects.filter(transfer_id=transfer_id).exists():
                    return _keep(delivered, checked, InboundMessage.State.DUPLICATE)
                _apply_package(checked, sender)
            else:
                transfer = (
                    Transfer.objects.select_for_update(of=("self",))
                    .select_related("dossier")
                    .filter(
                        transfer_id=transfer_id,
                        direction=Transfer.Direction.OUT,
                        partner_unit=sender.unit_code,
                    )
                    .first()
                )
                if transfer is None:
                    raise NotFound("transfer_unknown", "Không có hồ sơ liên thông với mã này.")
                _apply_status(checked, transfer)
            kept = _keep(delivered, checked, InboundMessage.State.APPLIED)
            record(
                actor=None,
                action="integration.transfer_applied",
                target=kept,
                after={"transfer_id": transfer_id, "kind": kind},
            )
            return kept
    except IntegrityError:  # another worker applied the same message just now
        return _keep(delivered, checked, InboundMessage.State.DUPLICATE)
    except DomainError as exc:
        return _keep(
            delivered, checked, InboundMessage.State.REFUSED, code=exc.code, error=exc.message
        )


def receive(*, limit: int = 20) -> int:
    """Fetch this system's messages, apply each, acknowledge them; returns how many."""
    if not partners() or (not settings.LGSP_URL and not settings.LGSP_PROVINCES):
        return 0
    answer = lgsp.call(FETCH, {"SoLuong": limit}, subject="lien-thong")
    delivered = [item for item in answer.get("ThongDiep") or [] if isinstance(item, dict)]
    done = []
    for item in delivered:
        apply(item)
        done.append(str(item.get("MaThongDiep", "")))
    if done:
        lgsp.call(ACK, {"MaThongDiep": done}, subject="lien-thong")
    return len(done)


def run() -> int:
    """One worker run: send what is due, then take what arrived."""
    sent = send_due()
    try:
        taken = receive()
    except lgsp.LgspError as exc:
        log.info("transfer fetch failed: %s", exc.message)
        taken = 0
    return sent + taken


# --- Reads for the pages -------------------------------------------------------------------------


def transfers_of(dossier: Dossier) -> list[Transfer]:
    return list(Transfer.objects.filter(dossier=dossier).prefetch_related("messages"))
