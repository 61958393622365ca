"""Seed the dossier-code format of TT 01/2018/TT-VPCP art. 19 (in force from 06/01/2019)."""

import datetime

from django.db import migrations

PATTERN = "{agency}-{yymmdd}-{seq:04d}"
EFFECTIVE_FROM = datetime.date(2019, 1, 6)
LEGAL_BASIS = "Điều 19 Thông tư 01/2018/TT-VPCP (Điều 26 Nghị định 61/2018/NĐ-CP)"


def seed(apps, schema_editor):
    CodeRule = apps.get_model("dossiers", "CodeRule")
    CodeRule.objects.get_or_create(
        effective_from=EFFECTIVE_FROM,
        defaults={"pattern": PATTERN, "legal_basis": LEGAL_BASIS},
    )


def unseed(apps, schema_editor):
    CodeRule = apps.get_model("dossiers", "CodeRule")
    CodeRule.objects.filter(effective_from=EFFECTIVE_FROM, pattern=PATTERN).delete()


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
