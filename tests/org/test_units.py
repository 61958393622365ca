"""Loading administrative units and resolving codes by date (historic → current)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from congso.core.errors import DomainError, NotFound
from congso.org.divisions import HISTORIC_PROVINCES, PROVINCE_MERGER_2025
from congso.org.loaders import import_historic_units, import_successions, load_units
from congso.org.models import AdministrativeUnit, UnitLevel, UnitSuccession
from congso.org.selectors import current_successors, resolve_unit, unit_successors

from .conftest import COMMUNE, OTHER_COMMUNE, PROVINCE

BEFORE = datetime.date(2024, 5, 1)


def test_merger_table_covers_63_old_and_34_new_provinces() -> None:
    assert len(HISTORIC_PROVINCES) == 63
    assert len(set(PROVINCE_MERGER_2025.values())) == 34
    assert PROVINCE_MERGER_2025["62"] == "51"  # Kon Tum → Quảng Ngãi
    assert PROVINCE_MERGER_2025["10"] == "15"  # Lào Cai → Lào Cai (code 15, ex-Yên Bái)
    assert {h.name for h in HISTORIC_PROVINCES if h.code == "62"} == {"Tỉnh Kon Tum"}


@pytest.mark.django_db
def test_one_province_loads_with_its_predecessors() -> None:
    report = load_units(province_codes=["51"])
    assert report.created == 1 + 96 + 2  # Quảng Ngãi, its communes, old Quảng Ngãi and Kon Tum
    assert report.successions_created == 2
    province = AdministrativeUnit.objects.get(code="51", valid_to__isnull=True)
    assert province.name == "Quảng Ngãi"
    assert province.valid_from == datetime.date(2025, 7, 1)
    commune = AdministrativeUnit.objects.get(code=COMMUNE, valid_to__isnull=True)
    assert (commune.name, commune.kind, commune.parent, commune.province) == (
        "Phường Cẩm Thành",
        "phuong",
        province,
        province,
    )

    again = load_units(province_codes=[PROVINCE])
    assert (again.created, again.updated, again.successions_created) == (0, 0, 0)
    assert again.unchanged == 99


@pytest.mark.django_db
def test_reload_repairs_an_edited_unit(units: None) -> None:
    AdministrativeUnit.objects.filter(code=COMMUNE).update(name="Tên sai")
    report = load_units(province_codes=[PROVINCE])
    assert report.updated == 1
    assert AdministrativeUnit.objects.get(code=COMMUNE).name == "Phường Cẩm Thành"


@pytest.mark.django_db
def test_unknown_province_is_refused_and_nothing_loads() -> None:
    with pytest.raises(DomainError) as info:
        load_units(province_codes=["51", "62"])  # 62 is a pre-2025 code
    assert info.value.code == "province_not_found"
    assert "62" in info.value.message
    assert not AdministrativeUnit.objects.exists()


@pytest.mark.django_db
def test_whole_country_loads_in_one_go() -> None:
    report = load_units()
    current = AdministrativeUnit.objects.filter(valid_to__isnull=True)
    assert current.filter(level=UnitLevel.PROVINCE).count() == 34
    assert current.filter(level=UnitLevel.COMMUNE).count() == 3321
    assert AdministrativeUnit.objects.filter(valid_to__isnull=False).count() == 63
    assert UnitSuccession.objects.count() == 63
    assert report.created == 34 + 3321 + 63
    assert [u.code for u in current_successors("95")] == ["96"]  # Bạc Liêu → Cà Mau


@pytest.mark.django_db
def test_resolve_by_date(units: None) -> None:
    assert resolve_unit("51").valid_to is None
    assert resolve_unit(51).name == "Quảng Ngãi"
    old = resolve_unit("51", on=BEFORE)
    assert (old.name, old.valid_to) == ("Tỉnh Quảng Ngãi", datetime.date(2025, 6, 30))
    assert resolve_unit("62", on=datetime.date(2025, 6, 30)).name == "Tỉnh Kon Tum"
    assert resolve_unit(COMMUNE).name == "Phường Cẩm Thành"
    with pytest.raises(NotFound) as info:
        resolve_unit("62")  # Kon Tum no longer exists
    assert info.value.code == "unit_not_found"
    with pytest.raises(NotFound):
        resolve_unit(COMMUNE, on=BEFORE)  # no pre-2025 commune loaded
    with pytest.raises(DomainError) as bad:
        resolve_unit("5a")
    assert bad.value.code == "unit_code_invalid"


@pytest.mark.django_db
def test_current_successors(units: None) -> None:
    assert [u.name for u in current_successors("62")] == ["Quảng Ngãi"]
    assert [u.name for u in current_successors("51")] == ["Quảng Ngãi"]
    assert [u.code for u in current_successors(COMMUNE)] == [COMMUNE]
    assert current_successors("99") == []
    assert unit_successors(resolve_unit("62", on=BEFORE))[0].code == "51"


_HEADER = (
    "Đơn vị hành chính từ ngày 01/7/2025,,,Đơn vị hành chính trước ngày 01/7/2025,,,,,\n"
    '"Tỉnh, thành phố",Tên Xã mới,Mã Xã mới,Tên Xã cũ,Mã Xã cũ,Ghi chú,Quận/huyện,Tỉnh cũ,\n'
    "TỈNH QUẢNG NGÃI,,,,,,,,\n"
)
_ROWS = [
    (
        "Phường Cẩm Thành",
        "{commune}",
        "Phường Thử Nghiệm Cũ",
        "{commune}",
        "Nhập toàn bộ",
        "Thành phố Thử Nghiệm (999)",
        "Tỉnh Quảng Ngãi (51)",
    ),
    (
        "Phường Cẩm Thành",
        "{commune}",
        "Xã Thử Nghiệm Chia",
        "99902",
        "Nhập một phần",
        "Huyện Thử Nghiệm Núi (998)",
        "Tỉnh Kon Tum (62)",
    ),
    (
        "Phường Nghĩa Lộ",
        "{other}",
        "Xã Thử Nghiệm Chia",
        "99902",
        '"Nhập một phần diện tích, toàn bộ dân số"',
        "Huyện Thử Nghiệm Núi (998)",
        "Tỉnh Kon Tum (62)",
    ),
    (
        "Xã Không Có",
        "99999",
        "Xã Thử Nghiệm Lạc",
        "99903",
        "Nhập toàn bộ",
        "Huyện Thử Nghiệm Núi (998)",
        "Tỉnh Kon Tum (62)",
    ),
]
#: Synthetic rows in the layout of the GSO conversion table (codes 99xxx, 998, 999 are not real).
SUCCESSIONS_CSV = _HEADER + "".join(
    "Tỉnh Quảng Ngãi (51)," + ",".join(row) + ",\n" for row in _ROWS
)

UNITS_CSV = """\
Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh
Tỉnh Kon Tum,62,Huyện Thử Nghiệm Núi,998,Xã Thử Nghiệm Chia,99902,Xã,
Tỉnh Kon Tum,62,Huyện Thử Nghiệm Núi,998,Thị trấn Thử Nghiệm,99904,Thị trấn,
Tỉnh Hà Giang,02,Huyện Ngoài Phạm Vi,997,Xã Ngoài Phạm Vi,99905,Xã,
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


@pytest.mark.django_db
def test_gso_conversion_table_import(units: None, tmp_path: Path) -> None:
    """Synthetic rows in the format of the GSO table (codes 999xx are not real units)."""
    path = write(
        tmp_path,
        "chuyen-doi.csv",
        SUCCESSIONS_CSV.format(commune=COMMUNE, other=OTHER_COMMUNE),
    )
    report = import_successions(path)
    assert report.skipped == ["99903 → 99999: xã mới chưa được nạp"]
    # Two districts and two communes created from the rows themselves.
    assert report.created == 4

    # The old commune that carried the same code as the new ward resolves by date.
    old = resolve_unit(COMMUNE, on=BEFORE)
    assert old.name == "Phường Thử Nghiệm Cũ"
    assert old.parent is not None and old.parent.code == "999"
    assert old.province is not None and old.province.name == "Tỉnh Quảng Ngãi"
    assert resolve_unit(COMMUNE).name == "Phường Cẩm Thành"
    assert [u.code for u in current_successors(COMMUNE)] == [COMMUNE]

    # A commune split between two wards yields both; the link records "partial".
    assert [u.code for u in current_successors("99902")] == [COMMUNE, OTHER_COMMUNE]
    assert not UnitSuccession.objects.filter(predecessor__code="99902", whole=True).exists()
    assert UnitSuccession.objects.get(predecessor__code="99902", successor__code=COMMUNE).note == (
        "Nhập một phần"
    )
    # The old district's successors are derived from its communes.
    assert [u.code for u in current_successors("998")] == [COMMUNE, OTHER_COMMUNE]
    assert resolve_unit("998", on=BEFORE).kind == "huyen"

    # Idempotent.
    again = import_successions(path)
    assert (again.created, again.successions_created) == (0, 0)


@pytest.mark.django_db
def test_gso_unit_list_import(units: None, tmp_path: Path) -> None:
    path = write(tmp_path, "xa-cu.csv", UNITS_CSV)
    report = import_historic_units(path)
    assert report.created == 3  # one district, two communes
    assert report.skipped == ["99905: tỉnh cũ mã 02 chưa được nạp"]
    township = resolve_unit("99904", on=BEFORE)
    assert (township.kind, township.parent.name if township.parent else None) == (
        "thi_tran",
        "Huyện Thử Nghiệm Núi",
    )
    assert import_historic_units(path).created == 0


@pytest.mark.django_db
def test_csv_without_the_expected_header(units: None, tmp_path: Path) -> None:
    path = write(tmp_path, "sai.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(DomainError) as info:
        import_successions(path)
    assert info.value.code == "csv_header_missing"


@pytest.mark.django_db
def test_load_units_command(capsys: Any, tmp_path: Path) -> None:
    path = write(
        tmp_path, "chuyen-doi.csv", SUCCESSIONS_CSV.format(commune=COMMUNE, other=OTHER_COMMUNE)
    )
    call_command("load_units", "--province", "51", "--no-history", "--successions", str(path))
    out, err = capsys.readouterr()
    assert "Đơn vị hành chính: 103 đơn vị mới" in out
    assert "bỏ qua: 99903 → 99999" in err
    call_command("load_units", "--province", "51", "--no-history")
    assert "0 đơn vị mới" in capsys.readouterr().out


@pytest.mark.django_db
def test_shipped_history_resolves_old_units_of_the_province() -> None:
    """The shipped GSO tables: old Phường Trần Phú (21013, TP Quảng Ngãi, district 522) was merged
    whole into today's commune 21028; old Kon Tum units now belong to Quảng Ngãi too."""
    call_command("load_units", "--province", "51")
    old = resolve_unit("21013", on=datetime.date(2024, 12, 31))
    assert old.name == "Phường Trần Phú"
    assert old.parent is not None and old.parent.code == "522"
    assert [u.code for u in current_successors("21013")] == ["21028"]
    assert resolve_unit("21028").valid_to is None
    kon_tum_ward = resolve_unit("23281", on=datetime.date(2024, 12, 31))
    assert kon_tum_ward.province is not None and kon_tum_ward.province.code == "62"
    assert [u.code for u in current_successors("23281")] == ["23293"]
    # District successors are derived: every new commune that received one of its communes.
    assert "21028" in {u.code for u in current_successors("522")}
