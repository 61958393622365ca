"""The demo catalogue (DEMO DATA): the researched procedures of ``data/procedures_demo.json``,
with online forms and internal processes at the demo province's agencies.

Loaded through the same importer as any catalogue file (:func:`import_document`), after adding
what the research file leaves out: version 1 in force from 1/7/2025 (the file describes the
procedures after the two-level local government reform), component codes, a form per procedure
(:mod:`congso.catalog.demo_forms`) and an internal process per competent demo agency. Values the
research could not verify stay empty (time limits, fees, online levels), as in the file.

Internal processes are **demo processes**, not a province's published ones (none was found, see
``data/README.md``): reception → specialist → (department head) → leader signs → return, the
hours split from the legal time limit in working hours (a nominal 3 working days when the
procedure has no fixed limit). One procedure has a parallel consultation step (construction
permit: the Department of Construction is consulted during appraisal), one an inter-agency step
(correcting a land-use certificate: the land registration office, under the Department of
Agriculture and Environment, corrects it).

Run ``manage.py load_demo`` first (the demo province), then ``manage.py load_catalog_demo``.
Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from congso.catalog.demo_forms import form_for
from congso.catalog.importexport import ImportResult, import_document
from congso.catalog.models import Phrasing, PhrasingSource, StepAction, StepKind
from congso.catalog.processes import limit_hours
from congso.catalog.search import normalise
from congso.catalog.selectors import hours_per_day
from congso.catalog.specs import read_components
from congso.core.errors import DomainError
from congso.org import services as org_services
from congso.org.demo import POLICE_DEPARTMENT, POLICE_Y
from congso.org.models import Agency, AgencyLevel, Department, Role

DEMO_FILE = Path(__file__).resolve().parent / "data" / "procedures_demo.json"
#: The research file describes the procedures as they stand after the 1/7/2025 reform.
DEMO_EFFECTIVE_FROM = datetime.date(2025, 7, 1)
#: Working days assumed for the demo process of a procedure without a fixed time limit.
NOMINAL_DAYS = Decimal(3)
CONSTRUCTION_PERMIT = "1.013225"
CERTIFICATE_CORRECTION = "1.012796"

A = StepAction
RECEPTION_ACTIONS = [A.RECEIVE, A.NOT_ACCEPT, A.REQUEST_SUPPLEMENT, A.START_PROCESSING]
SPECIALIST_ACTIONS = [
    A.FORWARD,
    A.SEND_BACK,
    A.REQUEST_SUPPLEMENT,
    A.CONSULT,
    A.REQUEST_PAYMENT,
    A.CONFIRM_PAYMENT,
    A.REFUSE,
    A.APOLOGISE,
]
REVIEW_ACTIONS = [A.FORWARD, A.SEND_BACK, A.APOLOGISE]
LEADER_ACTIONS = [A.COMPLETE, A.SEND_BACK, A.REFUSE, A.APOLOGISE]
RETURN_ACTIONS = [A.RETURN_RESULT]


@dataclass
class DemoAgencies:
    committee: Agency
    departments: dict[str, Agency]
    communes: list[Agency]
    police: Agency
    commune_police: list[Agency]


@dataclass
class CatalogDemoResult:
    imported: ImportResult
    procedures: int
    processes: int
    notes: list[str] = field(default_factory=list)


# --- Agencies ---------------------------------------------------------------------------------


def _specialist_department(agency: Agency) -> str | None:
    name = (
        Department.objects.filter(agency=agency)
        .exclude(name="Văn phòng Sở")
        .order_by("name")
        .values_list("name", flat=True)
        .first()
    )
    return name


def _police(
    committee: Agency, communes: Sequence[Agency], level1: str
) -> tuple[Agency, list[Agency]]:
    """The provincial police (criminal records since 2025) and the commune police (residence
    registration); demo agencies created here because the demo province has none."""
    place = committee.name.removeprefix("Ủy ban nhân dân ")
    code = f"000.00.{POLICE_Y}.{level1}"
    police = Agency.objects.filter(code=code).first() or org_services.agency_create(
        actor=None,
        name=f"Công an {place}",
        short_name="CAT",
        code=code,
        level=AgencyLevel.PROVINCE,
        unit_code=committee.unit.code if committee.unit else None,
    )
    if not Department.objects.filter(agency=police, name=POLICE_DEPARTMENT).exists():
        org_services.department_create(actor=None, agency=police, name=POLICE_DEPARTMENT)
    commune_police = []
    for index, commune in enumerate(communes, start=1):
        code = f"000.{index:02d}.{POLICE_Y}.{level1}"
        agency = Agency.objects.filter(code=code).first() or org_services.agency_create(
            actor=None,
            name=commune.name.replace("Ủy ban nhân dân ", "Công an ", 1),
            short_name=f"CA {commune.short_name.removeprefix('UBND ')}"[:50],
            code=code,
            level=AgencyLevel.COMMUNE,
            unit_code=commune.unit.code if commune.unit else None,
            parent=police,
        )
        commune_police.append(agency)
    return police, commune_police


def demo_agencies(province_code: str) -> DemoAgencies:
    level1 = f"H{province_code}"
    committee = Agency.objects.select_related("unit").filter(code=f"000.00.00.{level1}").first()
    if committee is None:
        raise DomainError(
            "demo_org_missing",
            f"Chưa có tỉnh demo mã {province_code}: chạy «manage.py load_demo» trước.",
        )
    departments = {
        agency.short_name: agency
        for agency in Agency.objects.filter(parent=committee, level=AgencyLevel.PROVINCE)
        if agency.short_name
    }
    communes = list(
        Agency.objects.select_related("unit")
        .filter(code__startswith="000.00.", code__endswith=level1, level=AgencyLevel.COMMUNE)
        .order_by("code")
    )
    police, commune_police = _police(committee, communes, level1)
    return DemoAgencies(committee, departments, communes, police, commune_police)


@dataclass(frozen=True)
class Target:
    agency: Agency
    department: str | None
    province_level: bool


def _province_department(record: Mapping[str, Any], agencies: DemoAgencies) -> Agency | None:
    text = normalise(record.get("competent_agency"))
    field_name = normalise((record.get("field") or {}).get("name"))
    rules: list[tuple[Callable[[], bool], str]] = [
        (lambda: "so cong thuong" in text or "thuong mai" in field_name, "SCT"),
        (lambda: "so tai chinh" in text or "doanh nghiep" in field_name, "STC"),
        (lambda: "noi vu" in text, "SNV"),
        (lambda: "so xay dung" in text, "SXD"),
        (lambda: "so y te" in text, "SYT"),
        (lambda: "so giao duc" in text, "SGDĐT"),
        (lambda: "nong nghiep" in text or "dat dai" in field_name, "SNNMT"),
        (lambda: True, "STP"),
    ]
    for matches, short_name in rules:
        if matches():
            return agencies.departments.get(short_name)
    return None


def targets(record: Mapping[str, Any], agencies: DemoAgencies) -> list[Target]:
    """The demo agencies that handle a procedure: by the competent agency the data names, else
    by level (commune procedures at every demo commune People's Committee) and field."""
    text = normalise(record.get("competent_agency"))
    levels = record.get("levels") or []
    if "cong an cap tinh" in text:
        return [Target(agencies.police, POLICE_DEPARTMENT, province_level=True)]
    if "cong an cap xa" in text:
        return [Target(agency, None, province_level=False) for agency in agencies.commune_police]
    result = []
    if "commune" in levels:
        result += [Target(agency, None, province_level=False) for agency in agencies.communes]
    if "province" in levels:
        department = _province_department(record, agencies)
        if department is not None:
            result.append(Target(department, _specialist_department(department), True))
    return result


# --- Processes --------------------------------------------------------------------------------


def _quarter(hours: Decimal) -> Decimal:
    """Down to a quarter of an hour, at least a quarter."""
    return max((hours * 4).to_integral_value(rounding=ROUND_FLOOR) / 4, Decimal("0.25"))


def _step(
    order: int,
    name: str,
    role: str,
    hours: Decimal,
    actions: Sequence[str],
    **extra: Any,
) -> dict[str, Any]:
    return {
        "order": order,
        "name": name,
        "kind": extra.pop("kind", StepKind.STEP),
        "role": role,
        "hours": float(hours),
        "allowed_actions": [str(action) for action in actions],
        **extra,
    }


def process_steps(
    total: Decimal, target: Target, *, code: str | None, agencies: DemoAgencies
) -> list[dict[str, Any]]:
    """Demo steps whose hours add up to at most ``total`` working hours."""
    reception = _quarter(total * Decimal("0.1"))
    giving_back = _quarter(total * Decimal("0.1"))
    leader = _quarter(total * Decimal("0.2" if not target.province_level else "0.15"))
    head = _quarter(total * Decimal("0.15")) if target.province_level else Decimal(0)
    specialist = total - reception - giving_back - leader - head
    department = target.department
    steps = [_step(1, "Tiếp nhận, kiểm tra hồ sơ", Role.RECEPTION, reception, RECEPTION_ACTIONS)]
    if code == CERTIFICATE_CORRECTION and not target.province_level:
        own = _quarter(specialist / 3)
        land = agencies.departments.get("SNNMT")
        steps += [
            _step(
                2,
                "Kiểm tra hồ sơ, gửi liên thông đến Văn phòng đăng ký đất đai",
                Role.SPECIALIST,
                own,
                [A.FORWARD, A.TRANSFER, A.SEND_BACK, A.REQUEST_SUPPLEMENT, A.REFUSE, A.APOLOGISE],
                kind=StepKind.INTERAGENCY,
                is_lead=True,
            ),
            _step(
                3,
                "Đính chính Giấy chứng nhận (Văn phòng đăng ký đất đai)",
                Role.SPECIALIST,
                specialist - own,
                [A.FORWARD, A.SEND_BACK],
                kind=StepKind.INTERAGENCY,
                agency=land.code if land else None,
                department=_specialist_department(land) if land else None,
            ),
        ]
    elif code == CONSTRUCTION_PERMIT and not target.province_level:
        construction = agencies.departments.get("SXD")
        steps += [
            _step(
                2,
                "Thẩm định hồ sơ, kiểm tra thực địa",
                Role.SPECIALIST,
                specialist,
                SPECIALIST_ACTIONS,
                parallel_group=1,
            ),
            _step(
                3,
                "Lấy ý kiến Sở Xây dựng về hồ sơ thiết kế",
                Role.SPECIALIST,
                _quarter(specialist * Decimal("0.6")),
                [A.ANSWER_CONSULTATION],
                kind=StepKind.CONSULTATION,
                parallel_group=1,
                agency=construction.code if construction else None,
                department=_specialist_department(construction) if construction else None,
            ),
        ]
    else:
        steps.append(
            _step(
                2,
                "Thẩm định hồ sơ, dự thảo kết quả",
                Role.SPECIALIST,
                specialist,
                SPECIALIST_ACTIONS,
                department=department,
            )
        )
    order = len(steps) + 1
    if target.province_level:
        steps.append(
            _step(
                order,
                "Xem xét, trình ký",
                Role.DEPARTMENT_HEAD,
                head,
                REVIEW_ACTIONS,
                department=department,
            )
        )
        order += 1
    steps.append(_step(order, "Lãnh đạo ký duyệt kết quả", Role.LEADER, leader, LEADER_ACTIONS))
    steps.append(_step(order + 1, "Trả kết quả", Role.RECEPTION, giving_back, RETURN_ACTIONS))
    return [{key: value for key, value in step.items() if value is not None} for step in steps]


def _total_hours(record: Mapping[str, Any], per_day: Decimal) -> Decimal:
    limit = record.get("time_limit") or {}
    value = limit.get("value")
    total = limit_hours(
        None if value is None else Decimal(str(value)), limit.get("unit") or "", per_day
    )
    return total if total is not None else NOMINAL_DAYS * per_day


def enrich(record: Mapping[str, Any], agencies: DemoAgencies, per_day: Decimal) -> dict[str, Any]:
    """A research record completed for import: component codes, form, processes."""
    result = copy.deepcopy(dict(record))
    components = read_components(result.get("components"), "components")
    for raw, spec in zip(result["components"], components, strict=True):
        raw["code"] = spec.code
    result["version"] = 1
    result["form_schema"] = form_for(result, result["components"])
    total = _total_hours(result, per_day)
    code = result.get("code")
    result["processes"] = [
        {
            "agency": target.agency.code,
            "name": f"Quy trình nội bộ – {target.agency.short_name or target.agency.name}",
            "steps": process_steps(total, target, code=code, agencies=agencies),
        }
        for target in targets(result, agencies)
    ]
    return result


PHRASINGS_FILE = Path(__file__).resolve().parent / "data" / "phrasings.json"


def seed_phrasings() -> int:
    """The finder's everyday phrasings of ``data/phrasings.json`` that the database lacks (the
    migration seeds them once; a flushed database — the browser tests' — loses them); the
    phrases officers already have are left as they are. Returns how many were added."""
    rows = json.loads(PHRASINGS_FILE.read_text(encoding="utf-8"))["phrasings"]
    have = set(Phrasing.objects.values_list("phrase", flat=True))
    missing = [
        Phrasing(
            phrase=row["phrase"],
            means=row.get("means", ""),
            codes=row.get("codes", []),
            source=PhrasingSource.SEED,
        )
        for row in rows
        if row["phrase"] not in have
    ]
    Phrasing.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


@transaction.atomic
def load_catalog_demo(*, province_code: str | None = None) -> CatalogDemoResult:
    """Import the demo catalogue for the demo province (idempotent)."""
    code = str(province_code or settings.DEMO_PROVINCE_CODE).strip().zfill(2)
    agencies = demo_agencies(code)
    per_day = hours_per_day(code)
    document = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    records = [enrich(record, agencies, per_day) for record in document["procedures"]]
    imported = import_document(
        actor=None,
        document={**document, "procedures": records},
        default_effective_from=DEMO_EFFECTIVE_FROM,
    )
    seed_phrasings()
    notes = [
        f"{record.get('code') or record['name']}: không có cơ quan demo phù hợp."
        for record in records
        if not record["processes"]
    ]
    return CatalogDemoResult(
        imported=imported,
        procedures=len(records),
        processes=sum(len(record["processes"]) for record in records),
        notes=notes,
    )
