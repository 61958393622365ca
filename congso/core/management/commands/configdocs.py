from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.config import render_reference


class Command(BaseCommand):
    help = "Write (or --check) docs/configuration.md from the settings' env() calls."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(settings.BASE_DIR) / "docs" / "configuration.md"
        text = render_reference() + "\n"
        if options["check"]:
            if not target.exists() or target.read_text() != text:
                raise CommandError("docs/configuration.md is out of date: run manage.py configdocs")
            return
        target.write_text(text)
        self.stdout.write(f"wrote {target}")
