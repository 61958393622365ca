"""When the fees are assessed and what an unpaid fee blocks, on the dossiers' in-transaction
hook (:mod:`congso.dossiers.hooks`; registered in ``PaymentsConfig.ready()``):

* ``submit`` (online): a procedure whose fees are due at submission is assessed now; the
  applicant pays before reception;
* ``receive``: an online dossier whose submission fee is unpaid is not received
  (``fee_unpaid``); fees due at reception (or at submission, for a dossier received at the
  counter) are assessed now — processing goes on while they are unpaid;
* ``request_payment`` (national status 6): the officer's request is assessed now (the
  officer's amount, else the fee engine), unless a fee is already open;
* ``confirm_payment``: the payment of a status-6 request is confirmed on the dossier (by a
  settled intent, which has already marked its assessment paid, or by the officer who saw the
  money — a transfer, a bank statement line): what the request assessed is paid now, so the
  confirmation the dossier's history records and the assessment never disagree;
* ``complete``: refused while any assessed fee is unpaid (``fee_unpaid``) — an unpaid fee
  blocks the result, not the processing.

A hook that raises rolls the dossier's change back (docs/payments.md "Fee engine")."""

from __future__ import annotations

from datetime import datetime

from congso.core.errors import Conflict
from congso.dossiers import hooks as dossier_hooks
from congso.dossiers.models import Channel, Dossier, DossierHistory
from congso.payments import services
from congso.payments.models import DueStage, FeeAssessment


def _unpaid(dossier: Dossier) -> Conflict:
    due = services.open_assessment(dossier)
    amount = f"{due.total_vnd:,}".replace(",", ".") if due else ""
    return Conflict(
        "fee_unpaid",
        f"Hồ sơ còn khoản phí, lệ phí chưa nộp ({amount} đồng): cần nộp trước khi "
        + ("tiếp nhận." if due and due.stage == DueStage.SUBMISSION else "trả kết quả."),
    )


@dossier_hooks.on_change.register("payments.fees")
def on_dossier_change(dossier: Dossier, *, action: str, from_status: str, now: datetime) -> None:
    if action not in ("submit", "receive", "request_payment", "confirm_payment", "complete"):
        return
    if action == "confirm_payment":
        FeeAssessment.objects.filter(
            dossier=dossier, stage=DueStage.RESULT, paid_at__isnull=True
        ).update(paid_at=now)
        return
    schedule = services.schedule_of(dossier)
    due = schedule.due if schedule else DueStage.RESULT
    if action == "submit":
        if due == DueStage.SUBMISSION:
            services.fee_assess(dossier, stage=DueStage.SUBMISSION, now=now)
    elif action == "receive":
        if services.open_assessment(dossier) is not None and dossier.channel == Channel.ONLINE:
            raise _unpaid(dossier)
        if (
            due in (DueStage.SUBMISSION, DueStage.RECEPTION)
            and not dossier.fee_assessments.filter(
                stage__in=(DueStage.SUBMISSION, DueStage.RECEPTION)
            ).exists()
        ):
            services.fee_assess(dossier, stage=DueStage.RECEPTION, now=now)
    elif action == "request_payment":
        if services.open_assessment(dossier) is not None:
            return
        asked = (
            DossierHistory.objects.filter(dossier=dossier, action="request_payment")
            .order_by("-at", "-pk")
            .first()
        )
        amount = (asked.data or {}).get("amount_vnd") if asked else None
        services.fee_assess(
            dossier,
            stage=DueStage.RESULT,
            now=now,
            reason=asked.note if asked else "",
            amount_vnd=int(amount) if amount else None,
        )
    elif services.open_assessment(dossier) is not None:  # complete
        raise _unpaid(dossier)
