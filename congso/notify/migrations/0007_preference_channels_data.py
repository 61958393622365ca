"""Every preference's SMS and e-mail choices copied into ``channels`` (and back on reverse)."""

from django.db import migrations


def forward(apps, schema_editor):
    Preference = apps.get_model("notify", "Preference")
    for row in Preference.objects.all().only("pk", "sms", "email", "channels"):
        row.channels = {**(row.channels or {}), "sms": row.sms, "email": row.email}
        row.save(update_fields=["channels"])


def backward(apps, schema_editor):
    Preference = apps.get_model("notify", "Preference")
    for row in Preference.objects.all().only("pk", "sms", "email", "channels"):
        chosen = row.channels or {}
        row.sms = bool(chosen.get("sms", True))
        row.email = bool(chosen.get("email", True))
        row.save(update_fields=["sms", "email"])


class Migration(migrations.Migration):
    dependencies = [("notify", "0006_open_channels")]

    operations = [migrations.RunPython(forward, backward)]
