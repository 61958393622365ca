"""Tokens issued before scopes existed keep what they could do without a second factor (read
and write) and get the default expiry from today if they had none (issue 13 item 5)."""

import datetime

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    days = getattr(settings, "API_TOKEN_DAYS", 30)
    ApiToken.objects.filter(scopes=[]).update(scopes=["read", "write"])
    ApiToken.objects.filter(expires_at__isnull=True, revoked_at__isnull=True).update(
        expires_at=timezone.now() + datetime.timedelta(days=days)
    )


class Migration(migrations.Migration):
    dependencies = [("api", "0002_token_scopes_second_factor")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
