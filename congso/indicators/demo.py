"""A few months of history for the demo province (demo data only; ``manage.py
load_demo_history``, run by ``./scripts/demo`` after the province and its catalogue).

Without it the demo has no past: the overdue lists, the dashboard, the public statistics and the
QĐ 766 index are empty until someone walks dossiers through by hand. This loads the history
generator (:mod:`congso.indicators.management.commands.generate_history`) at a moderate size —
by default 2,400 dossiers over the last four months, a few seconds on SQLite — applied for by
a pool of demo applicants with ordinary Vietnamese names (citizens without accounts, so the demo
citizens' own "Hồ sơ của tôi" stays theirs), and computes the aggregates. The result:
dossiers in every state (awaiting reception, received, processing, some of them past their due
time, waiting for a supplement, a payment or a withdrawal decision, processed, returned, not
accepted, refused, withdrawn), finished ones early, on time and late, ratings.

* **Deterministic**: the seed and the last day (yesterday) fix the data; the same day gives the
  same history.
* **Idempotent**: the history is loaded once. When the demo runs again and generated dossiers
  exist (their history lines carry the generator's actor label), nothing is added.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from congso.dossiers.models import DossierHistory
from congso.indicators.management.commands.generate_history import (
    GENERATED_LABEL,
    generate,
    months_back,
)
from congso.org import services as org_services
from congso.org.demo import demo_personal_id
from congso.org.identity import Gender
from congso.org.models import Agency, AgencyLevel, Citizen

#: The demo's size: enough for every list and chart, small enough for a quick start.
DEMO_DOSSIERS = 2400
DEMO_MONTHS = 4
DEMO_SEED = 5
DEMO_APPLICANTS = 80
#: Each agency is late for 4–10 % of its dossiers (the benchmark's 2–6 % leaves the demo's
#: overdue lists nearly empty at this size).
DEMO_LATE = (0.04, 0.10)
#: Demo personal IDs end with this counter and up (the demo's own citizens use 1–5).
FIRST_APPLICANT_INDEX = 101

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
          "Ngô", "Dương", "Trương", "Lương", "Đinh")  # fmt: skip
MIDDLE = {
    Gender.MALE: ("Văn", "Hữu", "Minh", "Đức", "Quốc", "Thanh", "Công", "Ngọc"),
    Gender.FEMALE: ("Thị", "Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Kim", "Hồng"),
}
GIVEN = {
    Gender.MALE: ("An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc",
                  "Quang", "Sơn", "Tài", "Thành", "Tuấn", "Vinh"),
    Gender.FEMALE: ("Anh", "Châu", "Diệp", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai",
                    "Nga", "Phương", "Thảo", "Trang", "Vy", "Yến"),
}  # fmt: skip
STREETS = ("Quang Trung", "Lê Lợi", "Hùng Vương", "Phan Đình Phùng", "Nguyễn Huệ", "Trần Hưng Đạo")


@dataclass
class DemoHistory:
    created: bool
    dossiers: int
    applicants: int
    summary: dict[str, Any]


def generated_dossiers() -> int:
    """How many dossiers of the demo history exist (0: not loaded yet)."""

    return (
        DossierHistory.objects.filter(actor_label=GENERATED_LABEL)
        .values("dossier_id")
        .distinct()
        .count()
    )


def demo_applicants(*, count: int = DEMO_APPLICANTS, seed: int = DEMO_SEED) -> list[Any]:
    """The pool of applicants of the history: ``count`` citizens without accounts, living in
    the demo communes and registered by their commune (created once, found again after)."""

    communes = list(
        Agency.objects.filter(level=AgencyLevel.COMMUNE, active=True, desks__isnull=False)
        .select_related("unit")
        .distinct()
        .order_by("code")
    )
    if not communes:
        return []
    province = str(settings.DEMO_PROVINCE_CODE).zfill(2)
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    pool = []
    for offset in range(count):
        gender = Gender.FEMALE if rng.random() < 0.52 else Gender.MALE
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 56))
        name = " ".join((rng.choice(FAMILY), rng.choice(MIDDLE[gender]), rng.choice(GIVEN[gender])))
        commune = communes[offset % len(communes)]
        number = demo_personal_id(
            FIRST_APPLICANT_INDEX + offset, gender=gender, birth_date=birth, province=province
        )
        phone = f"09{rng.randrange(10**8):08d}"
        street = rng.choice(STREETS)
        house = rng.randrange(1, 300)
        citizen = Citizen.objects.filter(personal_id=number).first()
        if citizen is None:
            citizen = org_services.citizen_create(
                actor=None,
                full_name=name,
                personal_id=number,
                birth_date=birth,
                gender=gender.value,
                phone=phone,
                address=f"Số {house}, đường {street}",
                address_unit_code=commune.unit.code if commune.unit else None,
                agency=commune,
            )
        pool.append(citizen)
    return pool


def load_demo_history(
    *,
    dossiers: int = DEMO_DOSSIERS,
    months: int = DEMO_MONTHS,
    seed: int = DEMO_SEED,
    say: Callable[[str], None] = print,
) -> DemoHistory:
    """Load the demo history once (see the module's docstring)."""

    existing = generated_dossiers()
    if existing:
        return DemoHistory(created=False, dossiers=existing, applicants=0, summary={})
    last_day = timezone.localdate() - datetime.timedelta(days=1)
    with transaction.atomic():
        pool = demo_applicants(seed=seed)
        summary = generate(
            dossiers=dossiers,
            start=months_back(last_day, months),
            end=last_day,
            seed=seed,
            applicants=[(c.pk, c.full_name, c.personal_id, c.phone) for c in pool] or None,
            late=DEMO_LATE,
            declarations=True,
            say=say,
        )
    return DemoHistory(
        created=True, dossiers=summary["dossiers"], applicants=len(pool), summary=summary
    )
