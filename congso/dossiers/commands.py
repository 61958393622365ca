"""The workflow actions both doors offer, in one table: action → typed input → service.

The API (``POST /api/v1/dossiers/{code}/actions/{action}``, :mod:`congso.api.dossiers`) and
the officer pages (``/can-bo/ho-so/{code}/thao-tac/{action}/``, :mod:`congso.backoffice.views`)
only *parse*: each turns its request into the action's input dataclass, field by field, and
calls :meth:`Command.run`. Every rule of an action (who, when, what is required, the bounds of
each value) lives in its service, so the two doors refuse the same input with the same code
(``tests/dossiers/test_commands.py`` walks this table through both).

An input's fields are the service's keyword arguments, named alike; a door that does not offer
a field (the pages choose no step and no assignee) leaves its default. Actions with a body of
their own (files: ``supplement``/``resubmit``; ``rate``; ``mark_component``; ``reassign``) are
not in the table: each has its own endpoint and page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from congso.core.types import Actor
from congso.dossiers.models import Dossier
from congso.dossiers.services.applicant import (
    dossier_confirm_withdrawal,
    dossier_decline_withdrawal,
    dossier_request_withdrawal,
)
from congso.dossiers.services.interagency import (
    ParallelRequest,
    dossier_answer_consultation,
    dossier_consult,
    dossier_transfer,
)
from congso.dossiers.services.payment import dossier_confirm_payment, dossier_request_payment
from congso.dossiers.services.processing import dossier_forward, dossier_send_back
from congso.dossiers.services.reception import (
    dossier_not_accept,
    dossier_receive,
    dossier_request_supplement,
    dossier_start_processing,
)
from congso.dossiers.services.results import (
    dossier_apologise,
    dossier_complete,
    dossier_refuse,
    dossier_return_result,
)
from congso.dossiers.workflow import TRANSITIONS

# --- Typed inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ActionInput:
    """What every action takes: the version the caller saw (409 when it changed since)."""

    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class NoteInput(ActionInput):
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class ReceiveInput(NoteInput):
    #: A dossier submitted for someone else: the officer checked the declared relationship and
    #: its proof (``congso.dossiers.applicant.check_at_reception``).
    declaration_checked: bool = False


@dataclass(frozen=True, kw_only=True)
class ReasonInput(ActionInput):
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class StepNoteInput(NoteInput):
    #: The running step acted on, when the caller holds several.
    step_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class StepReasonInput(ReasonInput):
    step_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class HandOverInput(NoteInput):
    """Start processing: optionally name the officer of the first step."""

    assignee: Any = None


@dataclass(frozen=True, kw_only=True)
class ForwardInput(StepNoteInput):
    assignee: Any = None


@dataclass(frozen=True, kw_only=True)
class SupplementRequestInput(StepReasonInput):
    #: ``{"component" | "field", "label", "note"}`` items, everything asked at once.
    missing_items: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True, kw_only=True)
class ConsultInput(StepReasonInput):
    consultations: Sequence[ParallelRequest] = ()


@dataclass(frozen=True, kw_only=True)
class TransferInput(StepReasonInput):
    transfers: Sequence[ParallelRequest] = ()


@dataclass(frozen=True, kw_only=True)
class PaymentRequestInput(StepReasonInput):
    amount_vnd: int | None = None


@dataclass(frozen=True, kw_only=True)
class CompleteInput(ActionInput):
    result_summary: str = ""
    step_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class ReturnInput(NoteInput):
    #: ``desk``, ``post`` or ``online`` (:class:`~congso.dossiers.models.ReturnMethod`).
    method: str = ""


@dataclass(frozen=True, kw_only=True)
class ApologyInput(ReasonInput):
    new_appointment_at: datetime | None = None


# --- The table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """One action: its input type and the service that performs it."""

    action: str
    input: type[ActionInput]
    service: Callable[..., Any]
    #: Offered on the officer pages (the applicant's actions are the portal's).
    officer: bool = True

    @property
    def label_vi(self) -> str:
        return TRANSITIONS[self.action].label_vi

    def field_names(self) -> tuple[str, ...]:
        return tuple(field.name for field in fields(self.input))

    def run(self, *, actor: Actor, dossier: Dossier, data: ActionInput) -> Any:
        """Call the service with the input's fields as its keyword arguments."""
        if type(data) is not self.input:
            raise TypeError(f"{self.action} takes {self.input.__name__}, not {type(data).__name__}")
        values = {name: getattr(data, name) for name in self.field_names()}
        return self.service(actor=actor, dossier=dossier, **values)

    def parse(self, readers: Mapping[str, Callable[..., Any]], *args: Any) -> ActionInput:
        """The input a door reads: ``readers[name](*args)`` for each field of the input the
        door offers (in the input's order); a field it does not offer keeps its default."""
        values = {name: readers[name](*args) for name in self.field_names() if name in readers}
        return self.input(**values)


COMMANDS: dict[str, Command] = {
    command.action: command
    for command in (
        Command("receive", ReceiveInput, dossier_receive),
        Command("not_accept", ReasonInput, dossier_not_accept),
        Command("request_supplement", SupplementRequestInput, dossier_request_supplement),
        Command("start_processing", HandOverInput, dossier_start_processing),
        Command("forward", ForwardInput, dossier_forward),
        Command("send_back", StepReasonInput, dossier_send_back),
        Command("consult", ConsultInput, dossier_consult),
        Command("answer_consultation", StepNoteInput, dossier_answer_consultation),
        Command("transfer", TransferInput, dossier_transfer),
        Command("request_payment", PaymentRequestInput, dossier_request_payment),
        Command("confirm_payment", NoteInput, dossier_confirm_payment),
        Command("refuse", StepReasonInput, dossier_refuse),
        Command("complete", CompleteInput, dossier_complete),
        Command("return_result", ReturnInput, dossier_return_result),
        Command("apologise", ApologyInput, dossier_apologise),
        Command("request_withdrawal", ReasonInput, dossier_request_withdrawal, officer=False),
        Command("confirm_withdrawal", NoteInput, dossier_confirm_withdrawal),
        Command("decline_withdrawal", ReasonInput, dossier_decline_withdrawal),
    )
}
#: The actions of the officer pages.
OFFICER_COMMANDS = {name: command for name, command in COMMANDS.items() if command.officer}
