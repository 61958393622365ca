"""The old per-channel columns, now in ``Preference.channels`` (0007)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notify", "0007_preference_channels_data")]

    operations = [
        migrations.RemoveField(model_name="preference", name="email"),
        migrations.RemoveField(model_name="preference", name="sms"),
    ]
