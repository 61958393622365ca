"""Generate the demo government PKI (root, issuing CA, OCSP, TSA, officers) for demos and tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from congso.signing import pki


class Command(BaseCommand):
    help = "Tạo PKI thử nghiệm (CA gốc, CA cấp cho cơ quan, OCSP, CRL, TSA, chứng thư cán bộ)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(settings.SIGNING_DEMO_PKI_DIR))
        parser.add_argument("--url", default=settings.SIGNING_DEMO_PKI_URL)
        parser.add_argument(
            "--force", action="store_true", help="Replace a PKI that already exists."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"])
        if (directory / "pki.json").exists() and not options["force"]:
            self.stdout.write(f"Demo PKI already in {directory} (use --force to replace it).")
            return
        summary = pki.generate(directory, base_url=options["url"])
        self.stdout.write(
            f"Demo PKI in {directory}: {len(summary['officers'])} officers, services expected at "
            f"{summary['base_url']} (run `manage.py signing_services`)."
        )
