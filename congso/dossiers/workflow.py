"""The dossier (hồ sơ) state machine: every allowed transition in one table.

States map to the national status codes used to sync with the national portal (RULES.md §1):
1 new, 2 accepted, 3 not accepted, 4 processing, 5 supplement requested, 6 payment requested,
7 withdrawal requested, 8 stopped, 9 processed, 10 result returned.

This module is pure: services.py looks up ``TRANSITIONS[action]`` to learn which states an action
may start from, which state it leads to, who may perform it and whether a reason is required.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "submitted"  # nộp trực tuyến, chờ tiếp nhận
    RECEIVED = "received"  # đã tiếp nhận (form 01), chờ chuyển xử lý
    NOT_ACCEPTED = "not_accepted"  # từ chối tiếp nhận (form 03)
    PROCESSING = "processing"  # đang xử lý qua các bước của quy trình nội bộ
    SUPPLEMENT_REQUESTED = "supplement_requested"  # yêu cầu bổ sung (form 02), đồng hồ dừng
    PAYMENT_REQUESTED = "payment_requested"  # yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWAL_REQUESTED = "withdrawal_requested"  # công dân xin rút hồ sơ
    WITHDRAWN = "withdrawn"  # đã rút hồ sơ (dừng xử lý theo yêu cầu)
    STOPPED = "stopped"  # dừng xử lý / từ chối giải quyết sau thẩm định (form 03)
    PROCESSED = "processed"  # đã xử lý xong, kết quả sẵn sàng
    RETURNED = "returned"  # đã trả kết quả
    TRANSFERRED = "transferred"  # đã chuyển liên thông sang hệ thống khác (đơn vị khác giải quyết)


LABELS_VI: dict[Status, str] = {
    Status.SUBMITTED: "Mới đăng ký, chờ tiếp nhận",
    Status.RECEIVED: "Đã tiếp nhận",
    Status.NOT_ACCEPTED: "Không được tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung hồ sơ",
    Status.PAYMENT_REQUESTED: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWAL_REQUESTED: "Công dân yêu cầu rút hồ sơ",
    Status.WITHDRAWN: "Đã rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.PROCESSED: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
    Status.TRANSFERRED: "Đã chuyển liên thông",
}

NATIONAL_CODE: dict[Status, int] = {
    Status.SUBMITTED: 1,
    Status.RECEIVED: 2,
    Status.NOT_ACCEPTED: 3,
    Status.PROCESSING: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.PAYMENT_REQUESTED: 6,
    Status.WITHDRAWAL_REQUESTED: 7,
    Status.WITHDRAWN: 8,
    Status.STOPPED: 8,
    Status.PROCESSED: 9,
    Status.RETURNED: 10,
    # Still being processed, by the agency it was transferred to (docs/integration.md).
    Status.TRANSFERRED: 4,
}

# Processing has ended (for the early/on-time/late classification): the first of processed,
# returned, stopped/refused, withdrawn. NOT_ACCEPTED never started the clock.
ENDED = frozenset({Status.PROCESSED, Status.RETURNED, Status.STOPPED, Status.WITHDRAWN})
TERMINAL = frozenset({Status.NOT_ACCEPTED, Status.RETURNED, Status.STOPPED, Status.WITHDRAWN})
# States in which the legal clock does not run (waiting for the applicant).
CLOCK_PAUSED = frozenset({Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED})

ACTIVE = frozenset(s for s in Status if s not in TERMINAL)
#: The actions the system performs on its own (``actor=None``): the transfer's messages.
SYSTEM_TRANSITIONS = frozenset(
    {"transfer_progress", "transfer_result", "transfer_back", "transfer_hand_back"}
)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[Status]
    # None: the state does not change (a step moves, a date changes), except
    # decline_withdrawal, which returns to the state held before the withdrawal request.
    target: Status | None
    actor: str  # "officer", "applicant" or "system" (the inter-system transfer's messages)
    reason_required: bool
    label_vi: str


def _t(
    action: str,
    sources: set[Status] | frozenset[Status],
    target: Status | None,
    *,
    actor: str = "officer",
    reason: bool = False,
    label: str,
) -> Transition:
    return Transition(action, frozenset(sources), target, actor, reason, label)


S = Status
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("receive", {S.SUBMITTED}, S.RECEIVED, label="Tiếp nhận hồ sơ"),
        _t("not_accept", {S.SUBMITTED}, S.NOT_ACCEPTED, reason=True, label="Từ chối tiếp nhận"),
        _t(
            "request_supplement",
            {S.SUBMITTED, S.RECEIVED, S.PROCESSING},
            S.SUPPLEMENT_REQUESTED,
            reason=True,
            label="Yêu cầu bổ sung hồ sơ",
        ),
        _t(
            "supplement",
            {S.SUPPLEMENT_REQUESTED},
            S.RECEIVED,
            actor="applicant",
            label="Bổ sung hồ sơ",
        ),
        # A supplement to an online dossier asked for before it was ever received goes back to
        # the desk's queue; the time limit has not started yet.
        _t(
            "resubmit",
            {S.SUPPLEMENT_REQUESTED},
            S.SUBMITTED,
            actor="applicant",
            label="Bổ sung hồ sơ (chưa tiếp nhận)",
        ),
        _t("start_processing", {S.RECEIVED}, S.PROCESSING, label="Chuyển xử lý"),
        _t("forward", {S.PROCESSING}, None, label="Chuyển bước tiếp theo"),
        _t("send_back", {S.PROCESSING}, None, reason=True, label="Trả lại bước trước"),
        _t("consult", {S.PROCESSING}, None, reason=True, label="Xin ý kiến phối hợp"),
        _t("answer_consultation", {S.PROCESSING}, None, label="Trả lời xin ý kiến"),
        _t("transfer", {S.PROCESSING}, None, reason=True, label="Chuyển liên thông"),
        _t(
            "request_payment",
            {S.PROCESSING},
            S.PAYMENT_REQUESTED,
            reason=True,
            label="Yêu cầu thực hiện nghĩa vụ tài chính",
        ),
        _t("confirm_payment", {S.PAYMENT_REQUESTED}, S.PROCESSING, label="Xác nhận đã nộp"),
        _t(
            "refuse",
            {S.RECEIVED, S.PROCESSING},
            S.STOPPED,
            reason=True,
            label="Từ chối giải quyết / dừng xử lý",
        ),
        _t("complete", {S.PROCESSING}, S.PROCESSED, label="Hoàn thành, có kết quả"),
        _t("return_result", {S.PROCESSED}, S.RETURNED, label="Trả kết quả"),
        _t(
            "apologise",
            {S.RECEIVED, S.PROCESSING, S.PAYMENT_REQUESTED},
            None,
            reason=True,
            label="Xin lỗi và hẹn lại ngày trả (mẫu 04)",
        ),
        _t(
            "request_withdrawal",
            # A transferred dossier is the other system's to stop (ask it through the desk).
            ACTIVE - {S.WITHDRAWAL_REQUESTED, S.PROCESSED, S.TRANSFERRED},
            S.WITHDRAWAL_REQUESTED,
            actor="applicant",
            reason=True,
            label="Xin rút hồ sơ",
        ),
        _t("confirm_withdrawal", {S.WITHDRAWAL_REQUESTED}, S.WITHDRAWN, label="Xác nhận rút"),
        _t(
            "rate",
            {S.RETURNED},
            None,
            actor="applicant",
            label="Đánh giá mức độ hài lòng",
        ),
        # Liên thông between congso instances (another province, a higher agency's system): the
        # dossier goes out with its files and history; the other side's messages come back.
        _t(
            "transfer_out",
            {S.RECEIVED, S.PROCESSING},
            S.TRANSFERRED,
            reason=True,
            label="Chuyển liên thông sang đơn vị khác",
        ),
        _t(
            "transfer_progress",
            {S.TRANSFERRED},
            None,
            actor="system",
            label="Đơn vị nhận liên thông cập nhật tiến độ",
        ),
        _t(
            "transfer_result",
            {S.TRANSFERRED},
            S.PROCESSED,
            actor="system",
            label="Nhận kết quả liên thông",
        ),
        _t(
            "transfer_back",
            {S.TRANSFERRED},
            S.RECEIVED,
            actor="system",
            reason=True,
            label="Đơn vị nhận liên thông trả lại hồ sơ",
        ),
        _t(
            "transfer_hand_back",
            {S.PROCESSED},
            S.RETURNED,
            actor="system",
            label="Đã gửi kết quả về đơn vị chuyển liên thông",
        ),
        _t(
            "decline_withdrawal",
            {S.WITHDRAWAL_REQUESTED},
            None,
            reason=True,
            label="Không chấp nhận rút hồ sơ",
        ),
    )
}


def allowed_actions(status: Status, actor: str) -> list[str]:
    return [t.action for t in TRANSITIONS.values() if status in t.sources and t.actor == actor]
