"""Publish the demo Official Account's ZNS templates (``data/demo_templates.json``) as congso's
Zalo templates, one per notice kind, through ``notify.services.template_publish`` (audited,
versioned). Idempotent: a kind whose current Zalo template already has the same id and
parameters is left alone. For the demo; a province enters its own approved ids in the admin."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from congso.notify import services
from congso.notify.models import Template

DATA = Path(__file__).resolve().parents[2] / "data" / "demo_templates.json"


class Command(BaseCommand):
    help = "Nạp các mẫu ZNS của OA demo (mã mẫu và tham số) làm mẫu thông báo kênh Zalo."

    def handle(self, *args: Any, **options: Any) -> None:
        published = 0
        for item in json.loads(DATA.read_text(encoding="utf-8"))["templates"]:
            current = (
                Template.objects.filter(event=item["event"], channel="zalo")
                .order_by("-version")
                .first()
            )
            if (
                current is not None
                and current.external_id == item["template_id"]
                and current.params == item["params"]
            ):
                continue
            services.template_publish(
                actor=None,
                event=item["event"],
                channel="zalo",
                body=item["body"],
                external_id=item["template_id"],
                params=item["params"],
            )
            published += 1
        self.stdout.write(f"Mẫu ZNS: {published} mẫu mới.")
