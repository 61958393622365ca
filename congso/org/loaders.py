"""Bulk loading of administrative units: the current list from the ``vietnam-provinces``
package, the historic province level and its 2025 merger (``divisions.py``), and, from the
official GSO exports when an operator supplies them, historic districts and communes with the
commune-level old→new table.

Every loader is idempotent (upsert by level, code and end date) and uses ``bulk_create`` /
``bulk_update``: the whole country loads in a few seconds.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from congso.core.errors import DomainError
from congso.org.divisions import (
    HISTORIC_PROVINCES,
    HISTORIC_VALID_TO,
    PACKAGE_SOURCE,
    PROVINCE_MERGER_2025,
    PROVINCE_MERGER_BASIS,
    PROVINCE_MERGER_SOURCE,
    REFORM_DATE,
    current_divisions,
)
from congso.org.models import AdministrativeUnit, UnitKind, UnitLevel, UnitSuccession

_BATCH = 500
_UPDATABLE = ("name", "kind", "parent", "province", "codename", "valid_from", "source")
_UPDATABLE_ATTNAMES = (
    "name",
    "kind",
    "parent_id",
    "province_id",
    "codename",
    "valid_from",
    "source",
)


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    successions_created: int = 0
    skipped: list[str] = field(default_factory=list)

    def merge(self, other: LoadReport) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.successions_created += other.successions_created
        self.skipped += other.skipped

    def summary(self) -> str:
        text = (
            f"{self.created} đơn vị mới, {self.updated} cập nhật, {self.unchanged} không đổi, "
            f"{self.successions_created} quan hệ cũ → mới được thêm"
        )
        if self.skipped:
            text += f", {len(self.skipped)} dòng bỏ qua"
        return text


def _upsert(
    level: str, historic: bool, rows: Iterable[AdministrativeUnit], report: LoadReport
) -> dict[str, AdministrativeUnit]:
    """Create or update units of one level and era; returns them by code."""
    valid_to = HISTORIC_VALID_TO if historic else None
    existing = {
        unit.code: unit
        for unit in AdministrativeUnit.objects.filter(level=level, valid_to=valid_to)
    }
    to_create: list[AdministrativeUnit] = []
    to_update: list[AdministrativeUnit] = []
    result: dict[str, AdministrativeUnit] = {}
    for row in rows:
        row.level = level
        row.valid_to = valid_to
        current = existing.get(row.code)
        if current is None:
            to_create.append(row)
            result[row.code] = row
            continue
        changed = False
        for attname in _UPDATABLE_ATTNAMES:
            if getattr(current, attname) != getattr(row, attname):
                setattr(current, attname, getattr(row, attname))
                changed = True
        if changed:
            to_update.append(current)
        else:
            report.unchanged += 1
        result[row.code] = current
    AdministrativeUnit.objects.bulk_create(to_create, batch_size=_BATCH)
    if to_update:
        AdministrativeUnit.objects.bulk_update(to_update, _UPDATABLE, batch_size=_BATCH)
    report.created += len(to_create)
    report.updated += len(to_update)
    return result


def _link(
    pairs: Iterable[tuple[AdministrativeUnit, AdministrativeUnit, bool, str, str]],
    report: LoadReport,
) -> None:
    """Record predecessor → successor pairs not recorded yet."""
    pairs = list(pairs)
    predecessor_ids = {old.pk for old, *_ in pairs}
    existing = set(
        UnitSuccession.objects.filter(predecessor_id__in=predecessor_ids).values_list(
            "predecessor_id", "successor_id"
        )
    )
    new = []
    for old, successor, whole, basis, note in pairs:
        if (old.pk, successor.pk) in existing:
            continue
        existing.add((old.pk, successor.pk))
        new.append(
            UnitSuccession(
                predecessor=old,
                successor=successor,
                whole=whole,
                effective_on=REFORM_DATE,
                legal_basis=basis,
                note=note,
            )
        )
    UnitSuccession.objects.bulk_create(new, batch_size=_BATCH)
    report.successions_created += len(new)


DATA_DIR = Path(__file__).resolve().parent / "data"
# Shipped with the project (see scripts/extract_historic_units.py and docs/org.md): the GSO list of
# units before 1/7/2025 and the official 2025 commune conversion table, in GSO export shape.
SHIPPED_HISTORIC_UNITS = DATA_DIR / "units_before_2025.csv"
SHIPPED_SUCCESSIONS = DATA_DIR / "commune_conversion_2025.csv"


def load_shipped_history(*, province_codes: Iterable[str] | None = None) -> LoadReport:
    """Pre-2025 districts and communes and the old→new commune map, from the shipped tables.

    ``province_codes`` are *current* province codes: the history kept is that of the old units
    which became part of those provinces (the successions decide it)."""
    report = LoadReport()
    report.merge(import_successions(SHIPPED_SUCCESSIONS, province_codes=province_codes))
    if province_codes is None:
        report.merge(import_historic_units(SHIPPED_HISTORIC_UNITS))
    return report


def _normalise_province_codes(codes: Iterable[str] | None) -> set[str] | None:
    if codes is None:
        return None
    return {str(code).strip().zfill(2) for code in codes}


@transaction.atomic
def load_units(*, province_codes: Iterable[str] | None = None) -> LoadReport:
    """Load the units in force since 1/7/2025 (all, or the given provinces) from the package,
    plus the pre-2025 provinces that were merged into them and the province-level successions.
    """
    wanted = _normalise_province_codes(province_codes)
    divisions = current_divisions()
    known = {province.code for province in divisions}
    if wanted is not None and not wanted <= known:
        unknown = ", ".join(sorted(wanted - known))
        raise DomainError(
            "province_not_found",
            f"Không có tỉnh mã {unknown} trong danh mục hiện hành (34 tỉnh, QĐ 19/2025/QĐ-TTg).",
            field="province",
        )
    selected = [p for p in divisions if wanted is None or p.code in wanted]
    report = LoadReport()

    provinces = _upsert(
        UnitLevel.PROVINCE,
        False,
        (
            AdministrativeUnit(
                code=p.code,
                name=p.name,
                kind=p.kind,
                codename=p.codename,
                valid_from=REFORM_DATE,
                source=PACKAGE_SOURCE,
            )
            for p in selected
        ),
        report,
    )
    _upsert(
        UnitLevel.COMMUNE,
        False,
        (
            AdministrativeUnit(
                code=c.code,
                name=c.name,
                kind=c.kind,
                codename=c.codename,
                parent=provinces[p.code],
                province=provinces[p.code],
                valid_from=REFORM_DATE,
                source=PACKAGE_SOURCE,
            )
            for p in selected
            for c in p.communes
        ),
        report,
    )
    old = [h for h in HISTORIC_PROVINCES if h.successor in provinces]
    historic = _upsert(
        UnitLevel.PROVINCE,
        True,
        (
            AdministrativeUnit(
                code=h.code,
                name=h.name,
                kind=h.kind,
                codename="",
                valid_from=None,
                source=PROVINCE_MERGER_SOURCE,
            )
            for h in old
        ),
        report,
    )
    _link(
        ((historic[h.code], provinces[h.successor], True, PROVINCE_MERGER_BASIS, "") for h in old),
        report,
    )
    return report


# --- Official GSO exports (converted to CSV) ------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _key(text: str) -> str:
    return _clean(text).lower()


_CODE_IN_PARENS = re.compile(r"\((\d+)\)\s*$")


def _kind_from_name(name: str, level: str) -> str:
    lowered = _key(name)
    prefixes = (
        [
            ("quận", UnitKind.URBAN_DISTRICT),
            ("huyện", UnitKind.RURAL_DISTRICT),
            ("thị xã", UnitKind.TOWN),
            ("thành phố", UnitKind.PROVINCIAL_CITY),
        ]
        if level == UnitLevel.DISTRICT
        else [
            ("phường", UnitKind.WARD),
            ("thị trấn", UnitKind.TOWNSHIP),
            ("xã", UnitKind.COMMUNE),
            ("đặc khu", UnitKind.SPECIAL_ZONE),
        ]
    )
    for prefix, kind in prefixes:
        if lowered.startswith(prefix):
            return kind
    return UnitKind.RURAL_DISTRICT if level == UnitLevel.DISTRICT else UnitKind.COMMUNE


def _read_csv(path: Path, required: tuple[str, ...]) -> Iterator[dict[str, str]]:
    """Rows of a CSV export as dicts keyed by normalised header, starting after the first row
    that holds every ``required`` header (the GSO tables have a title row above)."""
    if not path.exists():
        raise DomainError("file_not_found", f"Không tìm thấy tệp '{path}'.", field="path")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header: list[str] | None = None
        for row in reader:
            if header is None:
                keys = [_key(cell) for cell in row]
                if all(name in keys for name in required):
                    header = keys
                continue
            yield {name: _clean(row[i]) if i < len(row) else "" for i, name in enumerate(header)}
        if header is None:
            raise DomainError(
                "csv_header_missing",
                f"Tệp '{path.name}' không có dòng tiêu đề với các cột: {', '.join(required)}.",
                field="path",
            )


def _historic_provinces_by_code() -> dict[str, AdministrativeUnit]:
    return {
        unit.code: unit
        for unit in AdministrativeUnit.objects.filter(
            level=UnitLevel.PROVINCE, valid_to=HISTORIC_VALID_TO
        )
    }


@transaction.atomic
def import_historic_units(path: Path, *, province_codes: Iterable[str] | None = None) -> LoadReport:
    """Import pre-2025 districts and communes from the GSO list export ("Xuất Excel" at
    danhmuchanhchinh.gso.gov.vn, saved as CSV) with the columns ``Tỉnh Thành Phố, Mã TP,
    Quận Huyện, Mã QH, Phường Xã, Mã PX, Cấp``. Run ``load_units`` first (historic provinces)."""
    wanted = _normalise_province_codes(province_codes)
    report = LoadReport()
    provinces = _historic_provinces_by_code()
    districts: dict[str, AdministrativeUnit] = {}
    communes: dict[str, AdministrativeUnit] = {}
    district_province: dict[str, str] = {}
    for row in _read_csv(path, ("mã tp", "mã qh", "mã px", "quận huyện", "phường xã")):
        province_code = row["mã tp"].zfill(2)
        if wanted is not None and province_code not in wanted:
            continue
        province = provinces.get(province_code)
        if province is None:
            report.skipped.append(f"{row['mã px']}: tỉnh cũ mã {province_code} chưa được nạp")
            continue
        district_code = row["mã qh"].zfill(3)
        if district_code and district_code not in districts:
            districts[district_code] = AdministrativeUnit(
                code=district_code,
                name=row["quận huyện"],
                kind=_kind_from_name(row["quận huyện"], UnitLevel.DISTRICT),
                parent=province,
                province=province,
                source=f"GSO {path.name}",
            )
            district_province[district_code] = province_code
        commune_code = row["mã px"].zfill(5)
        if commune_code.strip("0"):
            level_name = row.get("cấp") or row["phường xã"]
            communes[commune_code] = AdministrativeUnit(
                code=commune_code,
                name=row["phường xã"],
                kind=_kind_from_name(level_name, UnitLevel.COMMUNE),
                province=province,
                source=f"GSO {path.name}",
            )
            communes[commune_code].parent = districts[district_code]
    saved_districts = _upsert(UnitLevel.DISTRICT, True, districts.values(), report)
    for commune in communes.values():
        assert commune.parent is not None
        commune.parent = saved_districts[commune.parent.code]
    _upsert(UnitLevel.COMMUNE, True, communes.values(), report)
    return report


@transaction.atomic
def import_successions(path: Path, *, province_codes: Iterable[str] | None = None) -> LoadReport:
    """Import the GSO commune conversion table (Bảng chuyển đổi đơn vị hành chính mới – cũ,
    saved as CSV) with the columns ``Mã Xã mới, Tên Xã cũ, Mã Xã cũ, Ghi chú, Quận/huyện,
    Tỉnh cũ``: one row per old commune → new commune, "Nhập toàn bộ" or "Nhập một phần…".

    Old communes and districts not loaded yet are created from the table itself (name, code,
    district and old province are all on the row). District successions are derived: a district
    → every new commune that received one of its communes (``whole`` False). Rows whose new
    commune or old province is unknown are reported, never guessed.
    """
    wanted = _normalise_province_codes(province_codes)
    report = LoadReport()
    current = {
        unit.code: unit
        for unit in AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, valid_to__isnull=True
        ).select_related("province")
    }
    provinces = _historic_provinces_by_code()
    districts: dict[str, AdministrativeUnit] = {}
    communes: dict[str, AdministrativeUnit] = {}
    rows: list[tuple[str, str, str, str]] = []
    for row in _read_csv(path, ("mã xã mới", "mã xã cũ")):
        new_code = row["mã xã mới"].zfill(5) if row["mã xã mới"] else ""
        old_code = row["mã xã cũ"].zfill(5) if row["mã xã cũ"] else ""
        if not new_code or not old_code:
            continue  # a province title row
        successor = current.get(new_code)
        if successor is None:
            # With a province filter, rows of old provinces merged elsewhere are not ours.
            old_province = _CODE_IN_PARENS.search(row.get("tỉnh cũ", ""))
            merged_into = (
                PROVINCE_MERGER_2025.get(old_province.group(1).zfill(2)) if old_province else None
            )
            if wanted is None or merged_into is None or merged_into in wanted:
                report.skipped.append(f"{old_code} → {new_code}: xã mới chưa được nạp")
            continue
        assert successor.province is not None
        if wanted is not None and successor.province.code not in wanted:
            continue
        province_match = _CODE_IN_PARENS.search(row.get("tỉnh cũ", ""))
        district_match = _CODE_IN_PARENS.search(row.get("quận/huyện", ""))
        province = provinces.get(province_match.group(1).zfill(2)) if province_match else None
        if province is None or district_match is None:
            report.skipped.append(f"{old_code} → {new_code}: thiếu tỉnh hoặc huyện cũ")
            continue
        district_code = district_match.group(1).zfill(3)
        if district_code not in districts:
            district_name = _CODE_IN_PARENS.sub("", row["quận/huyện"]).strip()
            districts[district_code] = AdministrativeUnit(
                code=district_code,
                name=district_name,
                kind=_kind_from_name(district_name, UnitLevel.DISTRICT),
                parent=province,
                province=province,
                source=f"GSO {path.name}",
            )
        if old_code not in communes:
            communes[old_code] = AdministrativeUnit(
                code=old_code,
                name=row.get("tên xã cũ", ""),
                kind=_kind_from_name(row.get("tên xã cũ", ""), UnitLevel.COMMUNE),
                parent=districts[district_code],
                province=province,
                source=f"GSO {path.name}",
            )
        rows.append((old_code, new_code, district_code, row.get("ghi chú", "")))

    existing_districts = {
        unit.code: unit
        for unit in AdministrativeUnit.objects.filter(
            level=UnitLevel.DISTRICT, valid_to=HISTORIC_VALID_TO
        )
    }
    existing_communes = {
        unit.code: unit
        for unit in AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, valid_to=HISTORIC_VALID_TO
        )
    }
    new_districts = [d for code, d in districts.items() if code not in existing_districts]
    saved_districts = {
        **existing_districts,
        **_upsert(UnitLevel.DISTRICT, True, new_districts, report),
    }
    new_communes = []
    for code, commune in communes.items():
        if code in existing_communes:
            continue
        assert commune.parent is not None
        commune.parent = saved_districts[commune.parent.code]
        new_communes.append(commune)
    saved_communes = {
        **existing_communes,
        **_upsert(UnitLevel.COMMUNE, True, new_communes, report),
    }
    basis = f"GSO {path.name}"
    _link(
        (
            (
                saved_communes[old_code],
                current[new_code],
                _key(note).startswith("nhập toàn bộ"),
                basis,
                note[:200],
            )
            for old_code, new_code, _district, note in rows
        ),
        report,
    )
    derived = {(district, new_code) for _old, new_code, district, _note in rows}
    _link(
        (
            (
                saved_districts[district],
                current[new_code],
                False,
                basis,
                "Suy ra từ bảng chuyển đổi cấp xã",
            )
            for district, new_code in sorted(derived)
        ),
        report,
    )
    return report
