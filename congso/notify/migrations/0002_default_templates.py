"""Version 1 of every notice template (SMS and e-mail), from congso/notify/defaults.py.

Later changes are new versions written through the admin (services.template_publish), never
edits of congso/notify/defaults.py, so this migration keeps loading the same texts."""

from django.db import migrations


def load(apps, schema_editor):
    from congso.notify import defaults

    Template = apps.get_model("notify", "Template")
    for event, body in defaults.SMS.items():
        Template.objects.get_or_create(
            event=event, channel="sms", version=1, defaults={"body": body}
        )
    for event, (subject, body) in defaults.EMAIL.items():
        Template.objects.get_or_create(
            event=event, channel="email", version=1, defaults={"subject": subject, "body": body}
        )


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
