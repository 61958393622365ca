"""The national status codes (1–10) of the portal-sync specification, in force since the
portal's start (the values RULES.md §1 gives; a later change is a new row with its own date)."""

import datetime

from django.db import migrations

BASIS = "Đặc tả kết nối Cổng Dịch vụ công quốc gia: mã trạng thái hồ sơ 1–10"
CODES = {
    "submitted": 1,
    "received": 2,
    "not_accepted": 3,
    "processing": 4,
    "supplement_requested": 5,
    "payment_requested": 6,
    "withdrawal_requested": 7,
    "withdrawn": 8,
    "stopped": 8,
    "processed": 9,
    "returned": 10,
}
SINCE = datetime.date(2019, 12, 9)  # the national portal opened


def seed(apps, schema_editor):
    mapping = apps.get_model("integration", "StatusMapping")
    for status, code in CODES.items():
        mapping.objects.get_or_create(
            local_status=status,
            effective_from=SINCE,
            defaults={"national_code": code, "legal_basis": BASIS},
        )


class Migration(migrations.Migration):
    dependencies = [("integration", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
