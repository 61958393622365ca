"""Load the shipped national overrides (official 2024–2026 holiday schedules and swapped working
days, each with its legal source) from ``congso/calendar/data/vn_overrides.json``.

A day that already has a row in the same scope is left alone, so the migration never overwrites
what an administrator entered. Later announcements are added with ``manage.py import_calendar``
(which is audited); reversing removes exactly the rows of the file that still match it.
"""

import json
import uuid
from datetime import date
from pathlib import Path

from django.db import migrations

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "vn_overrides.json"


def _entries():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    for entry in data["overrides"]:
        yield {
            "date": date.fromisoformat(entry["date"]),
            "kind": entry["kind"],
            "name": entry["name"],
            "legal_source": entry["legal_source"],
            "province_code": entry.get("province_code", ""),
        }


def load(apps, schema_editor):
    override_model = apps.get_model("workcalendar", "CalendarOverride")
    revision_model = apps.get_model("workcalendar", "CalendarRevision")
    for entry in _entries():
        override_model.objects.get_or_create(
            date=entry["date"], province_code=entry["province_code"], defaults=entry
        )
    revision_model.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


def unload(apps, schema_editor):
    override_model = apps.get_model("workcalendar", "CalendarOverride")
    revision_model = apps.get_model("workcalendar", "CalendarRevision")
    for entry in _entries():
        override_model.objects.filter(**entry).delete()
    revision_model.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
