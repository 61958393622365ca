"""The one door table of the officers' actions: the pages and the API read their request into
an :class:`ActionInput` and call :func:`act`, so both refuse the same input with the same code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from congso.core.errors import DomainError
from congso.feedback import selectors, services
from congso.feedback.models import Report, StandardAnswer
from congso.org.models import Agency


@dataclass(frozen=True)
class ActionInput:
    version: int | None
    reason: str = ""
    answer: str = ""
    assignee: Any = None  # a user, resolved by the door (None: not found / not given)
    agency: Agency | None = None
    into: str = ""  # the code of the original report (merge)
    standard: int | None = None  # the standard answer picked (answer)


def _accept(actor: Any, report: Report, data: ActionInput) -> Report:
    return services.report_accept(actor=actor, report=report, expected_version=data.version)


def _reject(actor: Any, report: Report, data: ActionInput) -> Report:
    return services.report_reject(
        actor=actor, report=report, reason=data.reason, expected_version=data.version
    )


def _merge(actor: Any, report: Report, data: ActionInput) -> Report:
    into = selectors.for_officer(actor).filter(code=data.into.strip().upper()).first()
    if into is None:
        raise DomainError("duplicate_invalid", "Không có phản ánh gốc mã này.", field="into")
    return services.report_merge(
        actor=actor, report=report, into=into, reason=data.reason, expected_version=data.version
    )


def _reroute(actor: Any, report: Report, data: ActionInput) -> Report:
    if data.agency is None or not data.agency.active:
        raise DomainError("agency_not_found", "Chưa chọn cơ quan nhận.", field="agency")
    return services.report_reroute(
        actor=actor,
        report=report,
        agency=data.agency,
        reason=data.reason,
        expected_version=data.version,
    )


def _assign(actor: Any, report: Report, data: ActionInput) -> Report:
    if data.assignee is None or not data.assignee.is_active:
        raise DomainError("assignee_invalid", "Chưa chọn cán bộ xử lý.", field="assignee")
    return services.report_assign(
        actor=actor, report=report, assignee=data.assignee, expected_version=data.version
    )


def _start(actor: Any, report: Report, data: ActionInput) -> Report:
    return services.report_start(actor=actor, report=report, expected_version=data.version)


def _answer(actor: Any, report: Report, data: ActionInput) -> Report:
    standard = None
    if data.standard:
        standard = StandardAnswer.objects.filter(pk=data.standard).first()
        if standard is None:
            raise DomainError(
                "standard_answer_invalid", "Không có mẫu trả lời này.", field="standard"
            )
    return services.report_answer(
        actor=actor,
        report=report,
        answer=data.answer,
        standard=standard,
        expected_version=data.version,
    )


def _close(actor: Any, report: Report, data: ActionInput) -> Report:
    return services.report_close(
        actor=actor, report=report, expected_version=data.version, note=data.reason
    )


ACTIONS: dict[str, Callable[[Any, Report, ActionInput], Report]] = {
    "accept": _accept,
    "reject": _reject,
    "merge": _merge,
    "reroute": _reroute,
    "assign": _assign,
    "start": _start,
    "answer": _answer,
    "close": _close,
}


def act(*, actor: Any, report: Report, action: str, data: ActionInput) -> Report:
    return ACTIONS[action](actor, report, data)
