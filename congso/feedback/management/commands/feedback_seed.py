"""``manage.py feedback_seed [--province 51] [--agency CODE]``: the default category tree of a
province (urban order, environment, transport, land, administrative procedures, with their
sub-categories) and, with ``--agency``, a province-wide routing rule from each top category to
that agency (in force from today). Rows that exist are kept."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from congso.feedback import services
from congso.feedback.models import Category, RoutingRule
from congso.org.models import AdministrativeUnit, Agency, UnitLevel


class Command(BaseCommand):
    help = "Seed the feedback categories of a province (and routing rules to one agency)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", default=settings.FEEDBACK_PROVINCE)
        parser.add_argument("--agency", default="", help="Electronic identifier of the agency.")

    def handle(self, *args: Any, **options: Any) -> None:
        code = str(options["province"]).strip().zfill(2)
        province = (
            AdministrativeUnit.objects.current().filter(level=UnitLevel.PROVINCE, code=code).first()
        )
        if province is None:
            raise CommandError(f"No current province with code {code}.")
        created = services.categories_seed(actor=None, province_unit=province)
        self.stdout.write(f"{created} categories created for {province.name}.")
        if not options["agency"]:
            return
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency {options['agency']}.")
        rules = 0
        for category in Category.objects.filter(province=province, parent__isnull=True):
            if not RoutingRule.objects.filter(category=category, unit__isnull=True).exists():
                services.rule_add(
                    actor=None,
                    category=category,
                    agency=agency,
                    valid_from=timezone.localdate(),
                )
                rules += 1
        self.stdout.write(f"{rules} routing rules to {agency.name}.")
