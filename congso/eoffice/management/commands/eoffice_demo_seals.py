"""``manage.py eoffice_demo_seals``: a demo CA and an XML-DSig seal for every agency of this
instance that has a QCVN 102 identifier (and the organ ids given), in
``CONGSO_EOFFICE_SEALS_DIR``; the seals already there are kept. DEMO ONLY (unencrypted
keys); a province installs the seals its CA issued."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from congso.core.errors import DomainError
from congso.eoffice import seals
from congso.org.identity import validate_agency_code
from congso.org.models import Agency


class Command(BaseCommand):
    help = "Issue demo e-office seals (a demo CA) for the agencies of this instance."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organ_ids", nargs="*", help="more organ ids (another instance's)")

    def handle(self, *args: Any, **options: Any) -> None:
        codes = []
        for code in Agency.objects.filter(active=True).values_list("code", flat=True):
            try:
                validate_agency_code(code)
            except DomainError:
                continue
            codes.append(code)
        codes += list(options["organ_ids"])
        ca = seals.issue_demo_seals(Path(settings.EOFFICE_SEALS_DIR), codes)
        self.stdout.write(f"{len(codes)} seals in {settings.EOFFICE_SEALS_DIR} (CA {ca})")
