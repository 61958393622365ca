"""The states of a report and the one table of allowed changes (in the manner of Amsterdam
Signals' ``ALLOWED_STATUS_CHANGES``): every service checks the source state here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Status(models.TextChoices):
    NEW = "new", "Mới tiếp nhận"
    ACCEPTED = "accepted", "Đã tiếp nhận xử lý"
    REJECTED = "rejected", "Không tiếp nhận"
    ASSIGNED = "assigned", "Đã giao xử lý"
    IN_PROGRESS = "in_progress", "Đang xử lý"
    ANSWERED = "answered", "Đã trả lời"
    CLOSED = "closed", "Đã kết thúc"


class Rejection(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", "Không thuộc phạm vi phản ánh, kiến nghị"
    DUPLICATE = "duplicate", "Trùng với phản ánh khác"


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
