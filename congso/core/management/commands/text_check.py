"""``manage.py text_check``: find rows stored with text no page can show (NUL, lone surrogates).

Such text got in before the guard at the door (:mod:`congso.core.text`); on SQLite a JSON field
keeps ``"\\ud800"`` as written and the page showing it answers 500. Every text and JSON column of
every model is read in primary-key batches; each bad value is printed as
``app.model pk=<pk> field=<field>[.<path>]`` and the command exits 1 if there is any. Fix the
rows (in the admin or a data migration, after asking the applicant) and run it again.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models

from congso.core.text import invalid_paths

BATCH_SIZE = 2000


def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]


def find_invalid_text(*, batch_size: int = BATCH_SIZE) -> list[str]:
    """``["app.model pk=… field=…", …]`` for every stored value with NUL or lone surrogates."""
    found: list[str] = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = _text_fields(model)
        if not names:
            continue
        pk_name = model._meta.pk.attname
        last: Any = None
        while True:
            rows = model._base_manager.order_by(pk_name)
            if last is not None:
                rows = rows.filter(**{f"{pk_name}__gt": last})
            batch = list(rows.values_list(pk_name, *names)[:batch_size])
            if not batch:
                break
            for pk, *values in batch:
                for name, value in zip(names, values, strict=True):
                    for path in invalid_paths(value, name):
                        found.append(f"{model._meta.label_lower} pk={pk} field={path}")
            last = batch[-1][0]
    return found


class Command(BaseCommand):
    help = "Find stored text with NUL characters or lone surrogates (exits 1 if any)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        found = find_invalid_text(batch_size=options["batch_size"])
        for line in found:
            self.stdout.write(line)
        if found:
            raise CommandError(f"{len(found)} stored value(s) hold invalid text.", returncode=1)
        self.stdout.write("OK: no stored text holds NUL characters or lone surrogates.")
