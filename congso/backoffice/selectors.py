"""Reads of the officer workspace: the work queues (what each officer has to do now), their
counts in one query, search and keyset pagination. Everything starts from
``Dossier.objects.restrict(user, "view")``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from congso.catalog.search import normalise
from congso.dossiers.models import Dossier, DossierStep, StepKind, StepStatus
from congso.dossiers.selectors import overdue_q
from congso.dossiers.workflow import Status
from congso.org.permissions import RECEPTION, VIEW, current_roles
from congso.results.selectors import dossiers_awaiting_signature

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 25
#: "Due soon": the legal due time falls within this many days.
DUE_SOON_DAYS = 2
OPEN = [
    s.value
    for s in (Status.RECEIVED, Status.PROCESSING, Status.WITHDRAWAL_REQUESTED, Status.TRANSFERRED)
]
#: Roles whose steps are the approval (signature) of the result.
APPROVAL_ROLES = ("leader", "clerk")


@dataclass(frozen=True)
class Queue:
    slug: str
    title: StrOrPromise
    hint: StrOrPromise


QUEUES: tuple[Queue, ...] = (
    Queue(
        "tiep-nhan", _("Chờ tiếp nhận"), _("Hồ sơ nộp trực tuyến chờ bộ phận một cửa tiếp nhận.")
    ),
    Queue("chuyen-xu-ly", _("Chờ chuyển xử lý"), _("Đã tiếp nhận, chưa chuyển cho bộ phận xử lý.")),
    Queue(
        "cua-toi",
        _("Bước của tôi"),
        _("Hồ sơ đang ở bước xử lý do tôi (hoặc vai trò của tôi) thực hiện."),
    ),
    Queue(
        "cho-duyet",
        _("Chờ tôi duyệt, ký"),
        _("Hồ sơ ở bước duyệt, ký của tôi và kết quả điện tử đang chờ tôi ký số."),
    ),
    Queue("xin-y-kien", _("Xin ý kiến tôi"), _("Hồ sơ cơ quan khác xin ý kiến phối hợp.")),
    Queue(
        "sap-den-han",
        _("Sắp đến hạn"),
        format_lazy(_("Còn hạn dưới {days} ngày."), days=DUE_SOON_DAYS),
    ),
    Queue("qua-han", _("Quá hạn"), _("Đang xử lý quá hạn giải quyết.")),
    Queue("cho-cong-dan", _("Chờ công dân"), _("Chờ bổ sung hồ sơ, nộp phí hoặc xác nhận rút.")),
    Queue("tra-ket-qua", _("Chờ trả kết quả"), _("Đã có kết quả, chờ trả cho công dân.")),
)
QUEUE_BY_SLUG = {queue.slug: queue for queue in QUEUES}


def _reception_q(user: Any) -> Q:
    roles = current_roles(user, (RECEPTION,))
    return Q(desk_id__in=roles.filter(desk__isnull=False).values("desk_id")) | Q(
        desk__agency_id__in=roles.filter(desk__isnull=True).values("agency_id")
    )


Held = list[tuple[str, int, int | None]]


def _holder_q(user: Any, held: Held) -> Q:
    """Steps ``user`` holds: assigned to them, or unassigned with a role they hold there."""
    condition = Q(assignee_id=user.pk)
    for role, agency_id, department_id in held:
        scope = Q(assignee__isnull=True, role=role, agency_id=agency_id)
        if department_id is not None:
            scope &= Q(department_id=department_id) | Q(department__isnull=True)
        condition |= scope
    return condition


def _steps(
    user: Any, held: Held, kinds: tuple[str, ...], roles: tuple[str, ...] | None = None
) -> QuerySet[Any, Any]:
    steps = DossierStep.objects.filter(
        _holder_q(user, held), status=StepStatus.ACTIVE, kind__in=kinds
    )
    if roles is not None:
        steps = steps.filter(role__in=roles)
    return steps.values("dossier_id")


def queue_filters(user: Any, now: datetime | None = None) -> dict[str, Q]:
    moment = now or timezone.now()
    reception = _reception_q(user)
    held: Held = list(current_roles(user).values_list("role", "agency_id", "department_id"))
    main = (StepKind.STEP, StepKind.INTERAGENCY)
    mine = Q(pk__in=_steps(user, held, main))
    involved = reception | mine
    # Approval is the leader's (or clerk's) own step of the process; a signature is the next
    # one the officer's signing profile can make on the latest e-result (leaders and clerks
    # sign: nobody else pays for the look-up).
    approval = Q(pk__in=_steps(user, held, main, APPROVAL_ROLES))
    if any(role in APPROVAL_ROLES for role, _agency, _department in held):
        approval |= Q(pk__in=dossiers_awaiting_signature(user))
    return {
        "tiep-nhan": reception & Q(status=Status.SUBMITTED),
        "chuyen-xu-ly": reception & Q(status=Status.RECEIVED),
        "cua-toi": mine & Q(status=Status.PROCESSING),
        "cho-duyet": approval & Q(status=Status.PROCESSING),
        "xin-y-kien": Q(pk__in=_steps(user, held, (StepKind.CONSULTATION,))),
        "sap-den-han": involved
        & Q(
            status__in=OPEN,
            due_at__gte=moment,
            due_at__lt=moment + timedelta(days=DUE_SOON_DAYS),
        ),
        "qua-han": involved & Q(ended_at__isnull=True, status__in=OPEN) & overdue_q(moment),
        "cho-cong-dan": involved
        & Q(
            status__in=[
                Status.SUPPLEMENT_REQUESTED,
                Status.PAYMENT_REQUESTED,
                Status.WITHDRAWAL_REQUESTED,
            ]
        ),
        "tra-ket-qua": reception & Q(status=Status.PROCESSED),
    }


def queue_counts(user: Any, filters: dict[str, Q] | None = None) -> dict[str, int]:
    """Every queue's size in one query."""
    filters = filters or queue_filters(user)
    aggregates = {
        slug.replace("-", "_"): Count("pk", filter=condition) for slug, condition in filters.items()
    }
    row = Dossier.objects.restrict(user, VIEW).order_by().aggregate(**aggregates)
    return {slug: row[slug.replace("-", "_")] for slug in filters}


# Vietnamese letters by their base letter: a query without diacritics matches names with them.
_VARIANTS = {
    "a": "aàáảãạăằắẳẵặâầấẩẫậ",
    "d": "dđ",
    "e": "eèéẻẽẹêềếểễệ",
    "i": "iìíỉĩị",
    "o": "oòóỏõọôồốổỗộơờớởỡợ",
    "u": "uùúủũụưừứửữự",
    "y": "yỳýỷỹỵ",
}


def name_pattern(query: str) -> str:
    """A regular expression matching ``query`` in a Vietnamese name, diacritics and case
    ignored (the same on SQLite, whose REGEXP is Python's, and PostgreSQL)."""
    parts = []
    for char in normalise(query):
        if char == " ":
            parts.append(r"\s+")
        elif char in _VARIANTS:
            letters = _VARIANTS[char]
            parts.append("[" + letters + letters.upper() + "]")
        elif char.isalnum():
            parts.append("[" + char + char.upper() + "]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def search_q(query: str) -> Q:
    text = " ".join(query.split())[:100]
    if not text:
        return Q()
    if re.fullmatch(r"\d{9,14}", text):
        return Q(applicant_id_number=text) | Q(code__contains=text)
    if re.search(r"\d", text) and " " not in text:
        return Q(code__contains=text.upper())
    return Q(applicant_name__iregex=name_pattern(text)) | Q(
        procedure_version__procedure__search_text__contains=normalise(text)
    )


@dataclass
class Page:
    rows: list[Dossier]
    next_cursor: str


def queue_page(user: Any, condition: Q, *, query: str = "", cursor: str = "") -> Page:
    """One page, newest submission first, keyset-paginated on (submitted_at, id) so the cost
    does not grow with the page number."""
    queryset = (
        Dossier.objects.restrict(user, VIEW)
        .filter(condition)
        .filter(search_q(query))
        .select_related("procedure_version__procedure", "competent_agency", "desk")
        .order_by("-submitted_at", "-pk")
    )
    if cursor:
        try:
            stamp, pk = cursor.rsplit("_", 1)
            at = datetime.fromisoformat(stamp)
            queryset = queryset.filter(Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=int(pk)))
        except ValueError:
            pass
    rows = list(queryset[: PAGE_SIZE + 1])
    next_cursor = ""
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        last = rows[-1]
        next_cursor = f"{last.submitted_at.isoformat()}_{last.pk}"
    return Page(rows, next_cursor)


def any_queue(filters: dict[str, Q]) -> Q:
    return reduce(or_, filters.values())
