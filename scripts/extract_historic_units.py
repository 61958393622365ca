"""Build congso/org/data/*.csv (pre-2025 units and the 2025 commune conversion table).

Source: the PyPI package ``vietnam-provinces`` 2026.9.0 (GPL-3.0-or-later), whose ``legacy``
module carries the GSO list of units before 1/7/2025 and whose ``_ward_conversion_2025`` module
is generated from the official table "BangChuyendoiĐVHCmoi_cu_khong_merge.csv". That release
needs Python 3.12 to install, so we read its data modules straight from the wheel and write them
in the shape of the GSO exports that ``manage.py load_units`` imports::

    python3 scripts/extract_historic_units.py   # (system python3 with pip) downloads the wheel
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

VERSION = "2026.9.0"
OUT = Path(__file__).resolve().parent.parent / "congso" / "org" / "data"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(  # noqa: S603 (fixed arguments)
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--python-version", "3.12", "--dest", tmp, f"vietnam-provinces=={VERSION}"],
            check=True,
        )  # fmt: skip
        wheel = next(Path(tmp).glob("vietnam_provinces-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(tmp)
        sys.path.insert(0, tmp)
        from vietnam_provinces import _ward_conversion_2025 as conversion  # type: ignore
        from vietnam_provinces.legacy import _lookup as legacy  # type: ignore

    provinces = legacy.PROVINCE_MAPPING
    districts = legacy.DISTRICT_MAPPING
    wards = legacy.WARD_MAPPING
    level = {"xã": "Xã", "phường": "Phường", "thị trấn": "Thị trấn"}

    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "units_before_2025.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow([f"Danh mục đơn vị hành chính trước 1/7/2025 — vietnam-provinces {VERSION}"])
        out.writerow(
            ["Tỉnh Thành Phố", "Mã TP", "Quận Huyện", "Mã QH", "Phường Xã", "Mã PX", "Cấp"]
        )
        for code in sorted(wards):
            ward = wards[code]
            district = districts[int(ward.district_code)]
            province = provinces[int(district.province_code)]
            out.writerow([
                province.name, f"{int(district.province_code):02d}",
                district.name, f"{int(ward.district_code):03d}",
                ward.name, f"{code:05d}",
                level.get(ward.division_type.value, ward.division_type.value),
            ])  # fmt: skip

    with (OUT / "commune_conversion_2025.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow([f"Bảng chuyển đổi ĐVHC mới – cũ ({conversion.SOURCE}), hiệu lực "
                      f"{conversion.EFFECTIVE_DATE} — vietnam-provinces {VERSION}"])  # fmt: skip
        out.writerow(["Mã Xã mới", "Tên Xã cũ", "Mã Xã cũ", "Ghi chú", "Quận/huyện", "Tỉnh cũ"])
        for old_code in sorted(conversion.OLD_TO_NEW):
            entry = conversion.OLD_TO_NEW[old_code]
            old = entry.old_ward
            ward = wards.get(old.code)
            district = districts.get(old.district_code)
            province = provinces.get(old.province_code)
            if ward is None or district is None or province is None:
                continue
            note = "Nhập một phần" if old.is_partly_merged else "Nhập toàn bộ"
            for new in entry.new_wards:
                out.writerow([
                    f"{new.code:05d}", ward.name, f"{old.code:05d}", note,
                    f"{district.name} ({old.district_code:03d})",
                    f"{province.name} ({old.province_code:02d})",
                ])  # fmt: skip
    print(f"wrote {OUT}/units_before_2025.csv and commune_conversion_2025.csv")


if __name__ == "__main__":
    main()
