"""Every write to a dossier. One public function per action, keyword-only arguments.

Each call is one transaction that does everything or nothing:

1. lock the dossier row (``SELECT … FOR UPDATE``) and compare its ``version`` with the one the
   caller saw (``expected_version``, default the ``version`` of the instance passed in); a
   mismatch is a :class:`Conflict` ``concurrent_update`` (HTTP 409), so of two people acting on
   the same copy exactly one wins;
2. check the transition against :data:`congso.dossiers.workflow.TRANSITIONS` and the actor's
   right to perform it (see :mod:`congso.dossiers.permissions`);
3. change the dossier and its steps, bump ``version`` (the ``UPDATE`` is conditional on the old
   version as well);
4. write a :class:`DossierHistory` row, a :class:`DossierEvent` row with its
   ``dossiers.publish_event`` job (the outbox) and an audit event.

Time is ``timezone.now()``; deadlines come from :mod:`congso.dossiers.deadlines` with the
calendar of the competent agency's province. The rules are in ``docs/dossiers.md``.

The actions live in one module per topic (callers may import the module itself, e.g.
``from congso.dossiers.services.reception import dossier_receive``); this package re-exports
the public names so ``from congso.dossiers import services`` keeps working:

=================  ==========================================================================
``_kernel``        the envelope: lock, version check, snapshot, conditional save, record
``plan``           the internal process as a plan of step groups
``steps``          starting, ending and choosing steps; the clock
``intake``         online submission, reception in person or by post
``reception``      accept, not accept, supplement (request and answer), start processing
``processing``     forward, send back
``interagency``    consult, answer a consultation, transfer (liên thông)
``intersystem``    liên thông with another congso instance: out, progress, result, back
``payment``        request and confirm a payment
``results``        refuse, complete, return the result, apologise (form 04)
``applicant``      withdrawal (request, confirm, decline), rating
``components``     verified / digitised components, scans
``supervision``    reassign a running step
``code_rules``     the format of dossier codes
=================  ==========================================================================
"""

from congso.dossiers.services._kernel import SYSTEM_ACTIONS, calendar_for, time_limit
from congso.dossiers.services.applicant import (
    dossier_confirm_withdrawal,
    dossier_decline_withdrawal,
    dossier_rate,
    dossier_request_withdrawal,
)
from congso.dossiers.services.code_rules import code_rule_check, code_rule_create
from congso.dossiers.services.components import dossier_component_mark
from congso.dossiers.services.intake import (
    created_parts,
    default_desk,
    dossier_receive_in_person,
    dossier_submit_online,
)
from congso.dossiers.services.interagency import (
    ParallelRequest,
    dossier_answer_consultation,
    dossier_consult,
    dossier_transfer,
)
from congso.dossiers.services.intersystem import (
    dossier_receive_transferred,
    dossier_transfer_back,
    dossier_transfer_hand_back,
    dossier_transfer_out,
    dossier_transfer_progress,
    dossier_transfer_result,
)
from congso.dossiers.services.payment import dossier_confirm_payment, dossier_request_payment
from congso.dossiers.services.plan import FALLBACK_STEP_NAME, PlanStep, plan_of
from congso.dossiers.services.processing import dossier_forward, dossier_send_back
from congso.dossiers.services.reception import (
    dossier_not_accept,
    dossier_receive,
    dossier_request_supplement,
    dossier_start_processing,
    dossier_supplement,
)
from congso.dossiers.services.results import (
    dossier_apologise,
    dossier_complete,
    dossier_refuse,
    dossier_return_result,
)
from congso.dossiers.services.supervision import (
    STEP_STATES,
    SUPERVISOR_ROLES,
    dossier_reassign,
    may_reassign,
    supervisor_scopes,
)

__all__ = [
    "FALLBACK_STEP_NAME",
    "STEP_STATES",
    "SUPERVISOR_ROLES",
    "SYSTEM_ACTIONS",
    "ParallelRequest",
    "PlanStep",
    "calendar_for",
    "code_rule_check",
    "code_rule_create",
    "created_parts",
    "default_desk",
    "dossier_answer_consultation",
    "dossier_apologise",
    "dossier_complete",
    "dossier_component_mark",
    "dossier_confirm_payment",
    "dossier_confirm_withdrawal",
    "dossier_consult",
    "dossier_decline_withdrawal",
    "dossier_forward",
    "dossier_not_accept",
    "dossier_rate",
    "dossier_reassign",
    "dossier_receive",
    "dossier_receive_in_person",
    "dossier_receive_transferred",
    "dossier_refuse",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_request_withdrawal",
    "dossier_return_result",
    "dossier_send_back",
    "dossier_start_processing",
    "dossier_submit_online",
    "dossier_supplement",
    "dossier_transfer",
    "dossier_transfer_back",
    "dossier_transfer_hand_back",
    "dossier_transfer_out",
    "dossier_transfer_progress",
    "dossier_transfer_result",
    "may_reassign",
    "plan_of",
    "supervisor_scopes",
    "time_limit",
]
