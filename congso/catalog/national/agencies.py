"""Which of the province's agencies handle an imported procedure, and their default process.

The national database names agencies in words ("Ủy ban nhân dân cấp xã", "Sở Tư pháp",
"Công an cấp Xã"), never by identifier. :class:`ProvinceAgencies` reads the province's agencies
once per run and :meth:`ProvinceAgencies.targets` maps a procedure to them:

1. the competent (else implementing) body the record names, when it is one of the province's
   kinds of body: the commune People's Committees, the commune police, the provincial police, a
   department (Sở …, matched by name), the land registration office (under the Department of
   Agriculture and Environment) or the provincial People's Committee;
2. when the record names no body: by level — commune procedures at every commune People's
   Committee, provincial and received ministry-level ones at the department of the ministry
   that published the procedure (BTP → Sở Tư pháp, BCA → the provincial police…);
3. otherwise (a body the province does not have: a customs branch, a ministry's department, a
   department the province lacks) nothing, and the record is flagged ``agency_unmatched``: the
   portal then offers the agencies of the procedure's level, and an officer sets the process.

The default internal process (:func:`default_steps`) is reception → appraisal → (head of
department, at province level) → the leader signs → return, its hours split from the legal
limit in the province's working hours (the shortest case when the limit differs per case, so it
fits every case). A procedure without a computable limit gets no default process: an officer
sets the limit first (a nominal process would block a shorter limit later).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from congso.catalog.models import CASE_UNITS, Level, StepAction, StepKind
from congso.catalog.national.parse import Flag, ParsedRecord, plain
from congso.catalog.processes import limit_hours
from congso.catalog.specs import ProcessSpec, StepSpec
from congso.org.models import Agency, AgencyLevel, Role

A = StepAction
RECEPTION_ACTIONS = (A.RECEIVE, A.NOT_ACCEPT, A.REQUEST_SUPPLEMENT, A.START_PROCESSING)
SPECIALIST_ACTIONS = (
    A.FORWARD,
    A.SEND_BACK,
    A.REQUEST_SUPPLEMENT,
    A.CONSULT,
    A.REQUEST_PAYMENT,
    A.CONFIRM_PAYMENT,
    A.REFUSE,
    A.APOLOGISE,
)
REVIEW_ACTIONS = (A.FORWARD, A.SEND_BACK, A.APOLOGISE)
LEADER_ACTIONS = (A.COMPLETE, A.SEND_BACK, A.REFUSE, A.APOLOGISE)
RETURN_ACTIONS = (A.RETURN_RESULT,)
QUARTER = Decimal("0.25")
#: The shortest limit a default process is made for (four steps of a quarter hour).
MIN_HOURS = Decimal(1)

#: The department of each ministry's field in a province (names after the 1/3/2025 merger).
MINISTRY_DEPARTMENTS: dict[str, str] = {
    "BTP": "so tu phap",
    "BTC": "so tai chinh",
    "BXD": "so xay dung",
    "BGTVT": "so xay dung",
    "BNNMT": "so nong nghiep va moi truong",
    "BYT": "so y te",
    "BGDĐT": "so giao duc va dao tao",
    "BCT": "so cong thuong",
    "BNV": "so noi vu",
    "BKHCN": "so khoa hoc va cong nghe",
    "BVHTTDL": "so van hoa",
    "BDTTG": "so dan toc va ton giao",
    "BNG": "so ngoai vu",
}


@dataclass(frozen=True)
class Target:
    agency: Agency
    province_level: bool


def _words(agency: Agency) -> str:
    return plain(agency.name)


class ProvinceAgencies:
    """The active agencies of one province, by kind."""

    def __init__(self, province_code: str):
        agencies = list(
            Agency.objects.filter(active=True, province__code=province_code)
            .select_related("province")
            .order_by("code")
        )
        self.province_code = province_code
        self.committee = next(
            (
                a
                for a in agencies
                if a.level == AgencyLevel.PROVINCE and _words(a).startswith("uy ban nhan dan")
            ),
            None,
        )
        self.departments = [
            a for a in agencies if a.level == AgencyLevel.PROVINCE and _words(a).startswith("so ")
        ]
        self.police = next(
            (
                a
                for a in agencies
                if a.level == AgencyLevel.PROVINCE and _words(a).startswith("cong an")
            ),
            None,
        )
        self.communes = [
            a
            for a in agencies
            if a.level == AgencyLevel.COMMUNE and _words(a).startswith("uy ban nhan dan")
        ]
        self.commune_police = [
            a
            for a in agencies
            if a.level == AgencyLevel.COMMUNE and _words(a).startswith("cong an")
        ]

    def department(self, prefix: str) -> Agency | None:
        return next((a for a in self.departments if _words(a).startswith(prefix)), None)

    def _named(self, text: str) -> list[Target] | None:  # noqa: PLR0911 (one rule each)
        """The agencies the record's wording names; None when it names none we know."""
        words = plain(text)
        if not words:
            return None
        if "cong an cap xa" in words or "cong an xa" in words:
            return [Target(a, False) for a in self.commune_police]
        if (
            "cong an tinh" in words
            or "cong an cap tinh" in words
            or words.startswith(("phong xuat nhap canh", "phong canh sat"))
        ):
            return [Target(self.police, True)] if self.police else []
        if any(
            phrase in words
            for phrase in ("ubnd cap xa", "uy ban nhan dan cap xa", "uy ban nhan dan xa", "ubnd xa")
        ):
            return [Target(a, False) for a in self.communes]
        if "van phong dang ky dat dai" in words or words.startswith("chi cuc kiem lam"):
            land = self.department("so nong nghiep va moi truong")
            return [Target(land, True)] if land else []
        for department in self.departments:
            name = _words(department)
            # "Sở Tư pháp tỉnh Quảng Ngãi" matches "Sở Tư pháp", "Giám đốc Sở Tư pháp".
            base = name.split(" tinh ")[0].split(" thanh pho ")[0]
            if base in words:
                return [Target(department, True)]
        if any(
            phrase in words
            for phrase in ("ubnd tinh", "uy ban nhan dan cap tinh", "uy ban nhan dan tinh")
        ) or ("chu tich" in words and "cap tinh" in words):
            return [Target(self.committee, True)] if self.committee else []
        return None

    def _by_ministry(self, ministry: str) -> list[Target]:
        if ministry == "BCA":
            return [Target(self.police, True)] if self.police else []
        prefix = MINISTRY_DEPARTMENTS.get(ministry)
        department = self.department(prefix) if prefix else None
        return [Target(department, True)] if department else []

    def targets(self, parsed: ParsedRecord, competent: str, implementing: str) -> list[Target]:
        """The agencies that handle the procedure (module docstring); flags the record when
        none can be found."""
        found: list[Target] | None = None
        central_only = parsed.levels == (Level.CENTRAL,)
        if not central_only:
            found = self._named(competent)
            if found is None and not plain(competent):
                found = self._named(implementing)
            if found is None and not plain(competent) and not plain(implementing):
                found = []
                if Level.COMMUNE in parsed.levels:
                    found += [Target(a, False) for a in self.communes]
                if Level.PROVINCE in parsed.levels:
                    found += self._by_ministry(parsed.ministry)
        else:
            found = self._by_ministry(parsed.ministry)
        if not found:
            named = competent or implementing
            parsed.flag(
                Flag(
                    "agency",
                    "agency_unmatched",
                    "Không xác định được cơ quan của tỉnh giải quyết thủ tục"
                    + (f" («{named[:150]}»)" if named else "")
                    + ": chưa có quy trình nội bộ, cán bộ cần chọn cơ quan.",
                    named,
                )
            )
            return []
        unique: dict[int, Target] = {}
        for target in found:
            unique.setdefault(target.agency.pk, target)
        return list(unique.values())


# --- Default process ------------------------------------------------------------------------------


def _quarter(hours: Decimal) -> Decimal:
    return max((hours * 4).to_integral_value(rounding=ROUND_FLOOR) / 4, QUARTER)


def process_hours(parsed: ParsedRecord, per_day: Decimal) -> Decimal | None:
    """The working hours a default process may take: the legal limit, or the shortest case."""
    limit = parsed.time_limit
    if limit.value is not None:
        return limit_hours(limit.value, limit.unit, per_day)
    hours = []
    for case in limit.cases:
        unit = CASE_UNITS.get(str(case.get("unit_raw")))
        if unit:
            value = limit_hours(Decimal(str(case["value"])), unit, per_day)
            if value is not None:
                hours.append(value)
    return min(hours) if hours else None


def _step(order: int, name: str, role: str, hours: Decimal, actions: Sequence[str]) -> StepSpec:
    return StepSpec(
        order=order,
        name=name,
        kind=StepKind.STEP,
        role=role,
        hours=hours.quantize(Decimal("0.01")),
        allowed_actions=tuple(str(action) for action in actions),
    )


def default_steps(total: Decimal, *, province_level: bool) -> tuple[StepSpec, ...]:
    """Steps whose hours add up to at most ``total`` working hours."""
    reception = _quarter(total * Decimal("0.1"))
    giving_back = _quarter(total * Decimal("0.1"))
    leader = _quarter(total * Decimal("0.15" if province_level else "0.2"))
    head = _quarter(total * Decimal("0.15")) if province_level else Decimal(0)
    specialist = total - reception - giving_back - leader - head
    if province_level and specialist < QUARTER:
        head = Decimal(0)
        specialist = total - reception - giving_back - leader
    steps = [
        _step(1, "Tiếp nhận, kiểm tra hồ sơ", Role.RECEPTION, reception, RECEPTION_ACTIONS),
        _step(
            2, "Thẩm định hồ sơ, dự thảo kết quả", Role.SPECIALIST, specialist, SPECIALIST_ACTIONS
        ),
    ]
    if head:
        steps.append(_step(3, "Xem xét, trình ký", Role.DEPARTMENT_HEAD, head, REVIEW_ACTIONS))
    order = len(steps) + 1
    steps.append(_step(order, "Lãnh đạo ký duyệt kết quả", Role.LEADER, leader, LEADER_ACTIONS))
    steps.append(_step(order + 1, "Trả kết quả", Role.RECEPTION, giving_back, RETURN_ACTIONS))
    return tuple(steps)


def default_processes(
    parsed: ParsedRecord, targets: Sequence[Target], per_day: Decimal
) -> tuple[tuple[ProcessSpec, ...], str]:
    """The default processes at ``targets``, and why there are none when there are none."""
    if not targets:
        return (), "no_agency"
    total = process_hours(parsed, per_day)
    if total is None:
        return (), "no_limit"
    if total < MIN_HOURS:
        return (), "limit_too_short"
    specs = tuple(
        ProcessSpec(
            agency_code=target.agency.code,
            name=f"Quy trình nội bộ mặc định – {target.agency.short_name or target.agency.name}"[
                :255
            ],
            steps=default_steps(total, province_level=target.province_level),
        )
        for target in targets
    )
    return specs, ""


def describe_targets(targets: Sequence[Target]) -> list[dict[str, Any]]:
    return [{"code": t.agency.code, "name": t.agency.name} for t in targets]
