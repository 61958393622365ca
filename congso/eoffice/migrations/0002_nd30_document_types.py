"""The types of administrative documents and their abbreviations, ND 30/2020/NĐ-CP Annex III
(in force from 05/03/2020); the công văn has no abbreviation in its notation. Copies (SY, TrS,
SL) are forms of a copy, not types, and are not listed."""

from datetime import date

from django.db import migrations

EFFECTIVE = date(2020, 3, 5)
TYPES = [
    ("NQ", "Nghị quyết", "NQ"),
    ("QD", "Quyết định", "QĐ"),
    ("CT", "Chỉ thị", "CT"),
    ("QC", "Quy chế", "QC"),
    ("QYD", "Quy định", "QyĐ"),
    ("TC", "Thông cáo", "TC"),
    ("TB", "Thông báo", "TB"),
    ("HD", "Hướng dẫn", "HD"),
    ("CTR", "Chương trình", "CTr"),
    ("KH", "Kế hoạch", "KH"),
    ("PA", "Phương án", "PA"),
    ("DA", "Đề án", "ĐA"),
    ("DAN", "Dự án", "DA"),
    ("BC", "Báo cáo", "BC"),
    ("BB", "Biên bản", "BB"),
    ("TTR", "Tờ trình", "TTr"),
    ("HDO", "Hợp đồng", "HĐ"),
    ("CV", "Công văn", ""),
    ("CD", "Công điện", "CĐ"),
    ("BGN", "Bản ghi nhớ", "BGN"),
    ("BTT", "Bản thỏa thuận", "BTT"),
    ("GUQ", "Giấy ủy quyền", "GUQ"),
    ("GM", "Giấy mời", "GM"),
    ("GGT", "Giấy giới thiệu", "GGT"),
    ("GNP", "Giấy nghỉ phép", "GNP"),
    ("PG", "Phiếu gửi", "PG"),
    ("PC", "Phiếu chuyển", "PC"),
    ("PB", "Phiếu báo", "PB"),
]


def seed(apps, schema_editor):
    DocumentType = apps.get_model("eoffice", "DocumentType")
    for position, (code, name, abbreviation) in enumerate(TYPES, start=1):
        DocumentType.objects.update_or_create(
            code=code,
            effective_from=EFFECTIVE,
            defaults={"name": name, "abbreviation": abbreviation, "position": position},
        )


def unseed(apps, schema_editor):
    apps.get_model("eoffice", "DocumentType").objects.filter(effective_from=EFFECTIVE).delete()


class Migration(migrations.Migration):
    dependencies = [("eoffice", "0001_documents")]
    operations = [migrations.RunPython(seed, unseed)]
