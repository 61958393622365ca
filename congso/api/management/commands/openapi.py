from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.api.v1 import api

TARGET = Path(settings.BASE_DIR) / "docs" / "api" / "openapi-v1.json"


def render() -> str:
    return (
        json.dumps(api.get_openapi_schema(path_prefix="/api/v1"), ensure_ascii=False, indent=2)
        + "\n"
    )


class Command(BaseCommand):
    help = "Write (or --check) the committed OpenAPI document docs/api/openapi-v1.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        text = render()
        if options["check"]:
            if not TARGET.exists() or TARGET.read_text() != text:
                raise CommandError(
                    "docs/api/openapi-v1.json differs from the generated schema: "
                    "run manage.py openapi and commit the result"
                )
            return
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        TARGET.write_text(text)
        self.stdout.write(f"wrote {TARGET}")
