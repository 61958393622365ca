"""Fixtures for the national import tests: the committed sample of both exports (``data/``), a
small province (51) with the kinds of agencies the import maps to, and helpers to run imports."""

from __future__ import annotations

import datetime
import gzip
import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from congso.accounts.models import User
from congso.catalog.national import importer, services
from congso.catalog.national.models import ImportRun
from congso.org.loaders import load_units
from congso.org.models import AdministrativeUnit, Agency, AgencyLevel, Desk, DeskKind, UnitLevel

DATA = Path(__file__).resolve().parent / "data"
DETAIL = DATA / "detail.jsonl"
CRAWL = DATA / "crawl.jsonl"
LISTS = DATA / "danh-sach-tthc.xlsx"
PROVINCE = "51"
START = datetime.date(2026, 7, 20)


def detail_lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DETAIL.read_text(encoding="utf-8").splitlines() if line]


def write_detail(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path


def options(
    *,
    detail: Iterable[Path] = (DETAIL,),
    crawl: Iterable[Path] = (CRAWL,),
    lists: Iterable[Path] = (LISTS,),
    province: str = PROVINCE,
    start: datetime.date = START,
    **extra: Any,
) -> importer.ImportOptions:
    return importer.ImportOptions(
        detail=tuple(str(p) for p in detail),
        crawl=tuple(str(p) for p in crawl),
        lists=tuple(str(p) for p in lists),
        province=province,
        effective_from=start.isoformat(),
        label="mẫu thử",
        **extra,
    )


def run_import(**kwargs: Any) -> ImportRun:
    on_record = kwargs.pop("on_record", None)
    run = services.run_create(actor=None, options=options(**kwargs))
    return services.run_execute(run.pk, on_record=on_record)


def _agency(name: str, code: str, level: str, unit: AdministrativeUnit, **extra: Any) -> Agency:
    return Agency.objects.create(
        name=name,
        short_name=extra.pop("short_name", name[:50]),
        code=code,
        level=level,
        unit=unit,
        province=unit.province or unit,
        **extra,
    )


class Province:
    """Province 51 with a People's Committee, four departments, the police, two communes (their
    People's Committees, one commune police) and their one-stop desks."""

    def __init__(self) -> None:
        load_units(province_codes=[PROVINCE])
        self.unit = AdministrativeUnit.objects.get(
            level=UnitLevel.PROVINCE, code=PROVINCE, valid_to__isnull=True
        )
        communes = list(
            AdministrativeUnit.objects.filter(
                level=UnitLevel.COMMUNE, province=self.unit, valid_to__isnull=True
            ).order_by("code")[:2]
        )
        self.commune_units = communes
        province_level = AgencyLevel.PROVINCE
        self.committee = _agency(
            "Ủy ban nhân dân tỉnh Quảng Ngãi", "000.00.00.H51", province_level, self.unit
        )
        self.stp = _agency("Sở Tư pháp tỉnh Quảng Ngãi", "000.00.01.H51", province_level, self.unit)
        self.stc = _agency(
            "Sở Tài chính tỉnh Quảng Ngãi", "000.00.02.H51", province_level, self.unit
        )
        self.sxd = _agency(
            "Sở Xây dựng tỉnh Quảng Ngãi", "000.00.03.H51", province_level, self.unit
        )
        self.snnmt = _agency(
            "Sở Nông nghiệp và Môi trường tỉnh Quảng Ngãi",
            "000.00.04.H51",
            province_level,
            self.unit,
        )
        self.police = _agency("Công an tỉnh Quảng Ngãi", "000.00.30.H51", province_level, self.unit)
        self.communes = [
            _agency(
                f"Ủy ban nhân dân {unit.name}",
                f"000.00.{51 + index}.H51",
                AgencyLevel.COMMUNE,
                unit,
            )
            for index, unit in enumerate(communes)
        ]
        self.commune_police = _agency(
            f"Công an {communes[0].name}", "000.01.30.H51", AgencyLevel.COMMUNE, communes[0]
        )
        self.centre = Desk.objects.create(
            agency=self.committee,
            name="Trung tâm Phục vụ hành chính công tỉnh",
            kind=DeskKind.SERVICE_CENTRE,
        )
        self.centre.serves.add(
            self.committee, self.stp, self.stc, self.sxd, self.snnmt, self.police
        )
        self.desks = []
        for agency in self.communes:
            desk = Desk.objects.create(
                agency=agency, name=f"Bộ phận Một cửa {agency.name}", kind=DeskKind.ONE_STOP
            )
            desk.serves.add(agency)
            self.desks.append(desk)
        self.desks[0].serves.add(self.commune_police)


@pytest.fixture
def province(db: Any) -> Province:
    return Province()


@pytest.fixture
def superuser(db: Any) -> User:
    return User.objects.create_superuser(username="quantri", password="x")


@pytest.fixture
def data_folder(tmp_path: Path) -> Path:
    """The sample laid out like ``../shared/catalog-data`` (gzipped JSON lines, the lists)."""
    root = tmp_path / "catalog-data"
    for source, target in (
        (DETAIL, "VIETNAM_AI_INNOVATION_CHALLENGE_2026/procedures_parsed.jsonl.gz"),
        (CRAWL, "chatbot_tthc/procedures_no_rawtext.jsonl.gz"),
    ):
        destination = root / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(destination, "wb") as handle:
            handle.write(source.read_bytes())
    (root / "chatbot_tthc" / "xlsx").mkdir(parents=True)
    shutil.copy(LISTS, root / "chatbot_tthc" / "xlsx" / LISTS.name)
    return root
