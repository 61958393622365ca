"""The states of a report and the one table of allowed changes (in the manner of Amsterdam
Signals' ``ALLOWED_STATUS_CHANGES``): every service checks the source state here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("Mới tiếp nhận")
    ACCEPTED = "accepted", _("Đã tiếp nhận xử lý")
    REJECTED = "rejected", _("Không tiếp nhận")
    ASSIGNED = "assigned", _("Đã giao xử lý")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    ANSWERED = "answered", _("Đã trả lời")
    CLOSED = "closed", _("Đã kết thúc")


class Rejection(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("Không thuộc phạm vi phản ánh, kiến nghị")
    DUPLICATE = "duplicate", _("Trùng với phản ánh khác")


S = Status


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the state does not change (reroute keeps it)


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(frozenset({S.NEW}), S.ACCEPTED),
    "reject": Transition(frozenset({S.NEW, S.ACCEPTED}), S.REJECTED),
    "merge": Transition(frozenset({S.NEW, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS}), S.REJECTED),
    "reroute": Transition(frozenset({S.NEW, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS}), None),
    "assign": Transition(frozenset({S.NEW, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS}), S.ASSIGNED),
    "start": Transition(frozenset({S.ASSIGNED}), S.IN_PROGRESS),
    "answer": Transition(frozenset({S.ASSIGNED, S.IN_PROGRESS}), S.ANSWERED),
    "close": Transition(frozenset({S.ANSWERED}), S.CLOSED),
    "reopen": Transition(frozenset({S.ANSWERED, S.CLOSED}), S.IN_PROGRESS),
    "rate": Transition(frozenset({S.ANSWERED, S.CLOSED}), None),
}

#: States in which the handling agency still owes an answer (the deadline runs).
OPEN = frozenset({S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS})
#: States an Open311 client sees as "closed".
FINISHED = frozenset({S.REJECTED, S.ANSWERED, S.CLOSED})
#: Officer actions offered on the detail page, in order.
OFFICER_ACTIONS = ("accept", "reject", "merge", "reroute", "assign", "start", "answer", "close")


def allowed(action: str, status: str) -> bool:
    transition = TRANSITIONS.get(action)
    return transition is not None and status in transition.sources


#: What each history row's ``action`` says on the officer's page.
EVENT_LABELS = {
    "submit": _("Nhận phản ánh"),
    "accept": _("Tiếp nhận xử lý"),
    "reject": _("Không tiếp nhận"),
    "merge": _("Gộp vào phản ánh trùng"),
    "merged_in": _("Nhận phản ánh trùng gộp vào"),
    "reroute": _("Chuyển cơ quan khác"),
    "assign": _("Giao cán bộ xử lý"),
    "start": _("Bắt đầu xử lý"),
    "answer": _("Trả lời"),
    "close": _("Kết thúc"),
    "reopen": _("Mở lại theo đề nghị"),
    "rate": _("Đánh giá"),
    "remind": _("Nhắc hạn"),
    "escalate": _("Báo lãnh đạo (quá hạn)"),
}
