"""Generated residents of the demo province (Quảng Ngãi, code 51): households in its current
communes (the ``vietnam-provinces`` package's list, as congso loads it), consistent personal IDs
(RULES.md §4: birth-registration province 051, century-and-gender digit, birth year), parents,
spouses and household heads that are residents too. Deterministic (a fixed seed): the same
people every run. The VNeID simulator's seeded accounts are among them.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import asdict, dataclass, field
from typing import Any

import vietnam_provinces

from simulators.vneid.citizens import SEEDED, SimCitizen, personal_id

PROVINCE = "51"
BIRTH_PROVINCE = "051"

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ")
MIDDLE_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh")
MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Mỹ", "Kim", "Thanh")
GIVEN_MALE = ("An", "Bảo", "Cường", "Dũng", "Hải", "Hùng", "Khang", "Long", "Nam", "Phúc", "Sơn")
GIVEN_FEMALE = ("Anh", "Bình", "Chi", "Dung", "Hà", "Hoa", "Lan", "Linh", "Mai", "Ngân", "Thảo")
STREETS = ("Lê Lợi", "Quang Trung", "Hùng Vương", "Trần Hưng Đạo", "Phan Đình Phùng", "Nguyễn Huệ")


@dataclass
class Resident:
    personal_id: str
    full_name: str
    male: bool
    birth_date: str  # YYYYMMDD
    commune_code: str
    address_detail: str
    household: str
    relation: str  # to the household head: "Chủ hộ", "Vợ", "Chồng", "Con"
    father: str = ""  # personal IDs
    mother: str = ""
    spouse: str = ""
    head: str = ""
    ethnicity: str = "01"  # Kinh
    religion: str = "00"  # none
    marital: str = "1"  # 1 single, 2 married
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


#: congso.org.demo's citizens 2, 4 and 5 (1 and 3 are VNeID accounts).
DEMO_OTHERS = tuple(
    SimCitizen(
        sub=f"demo-{tail}",
        personal_id=personal_id(province=BIRTH_PROVINCE, male=male, birth=born, tail=tail),
        full_name=name,
        birth_date=born.strftime("%d/%m/%Y"),
        male=male,
        level=1,
    )
    for name, male, born, tail in (
        ("Công Dân Thử Nghiệm Hai", False, datetime.date(1992, 7, 1), 2),
        ("Công Dân Thử Nghiệm Bốn", False, datetime.date(2004, 1, 5), 4),
        ("Công Dân Thử Nghiệm Năm", True, datetime.date(1968, 9, 30), 5),
    )
)


def communes() -> list[tuple[str, str]]:
    raw = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    province = next(p for p in raw if f"{p['code']:02d}" == PROVINCE)
    return [(f"{w['code']:05d}", w["name"]) for w in province["wards"]]


def _name(rng: random.Random, surname: str, male: bool) -> str:
    middle = rng.choice(MIDDLE_MALE if male else MIDDLE_FEMALE)
    given = rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)
    return f"{surname} {middle} {given}"


def _date(rng: random.Random, year: int) -> datetime.date:
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def generate(households: int = 900, seed: int = 17) -> dict[str, Resident]:
    """About four residents per household; keyed by personal ID."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    places = communes()
    people: dict[str, Resident] = {}
    tail = iter(range(200001, 999999))

    def make(name: str, male: bool, born: datetime.date, **rest: Any) -> Resident:
        pid = personal_id(province=BIRTH_PROVINCE, male=male, birth=born, tail=next(tail))
        resident = Resident(
            personal_id=pid, full_name=name, male=male, birth_date=born.strftime("%Y%m%d"), **rest
        )
        people[pid] = resident
        return resident

    for number in range(households):
        code, _ = places[number % len(places)]
        detail = f"Số {rng.randrange(1, 300)}, đường {rng.choice(STREETS)}"
        book = f"{PROVINCE}{number:07d}"
        surname = rng.choice(SURNAMES)
        year = rng.randrange(1955, 1990)
        place = {"commune_code": code, "address_detail": detail, "household": book}
        head = make(_name(rng, surname, True), True, _date(rng, year), relation="Chủ hộ", **place)
        wife = make(
            _name(rng, rng.choice(SURNAMES), False),
            False,
            _date(rng, year + rng.randrange(0, 6)),
            relation="Vợ",
            **place,
        )
        head.spouse, wife.spouse = wife.personal_id, head.personal_id
        head.marital = wife.marital = "2"
        head.head = wife.head = head.personal_id
        for _child in range(rng.randrange(0, 4)):
            male = rng.random() < 0.5
            born = _date(rng, min(year + rng.randrange(22, 38), 2024))
            make(
                _name(rng, surname, male),
                male,
                born,
                relation="Con",
                father=head.personal_id,
                mother=wife.personal_id,
                head=head.personal_id,
                **place,
            )
    # The VNeID accounts and the demo's other citizens (congso.org.demo) live here too.
    for index, seeded in enumerate(SEEDED + DEMO_OTHERS):
        day, month, year = (int(part) for part in seeded.birth_date.split("/"))
        code, _ = places[index % len(places)]
        resident = Resident(
            personal_id=seeded.personal_id,
            full_name=seeded.full_name,
            male=seeded.male,
            birth_date=f"{year:04d}{month:02d}{day:02d}",
            commune_code=code,
            address_detail="Số 12, đường Lê Lợi",
            household=f"{PROVINCE}9{index:06d}",
            relation="Chủ hộ",
        )
        resident.head = resident.personal_id
        people[resident.personal_id] = resident
    return people
