"""``generate_history`` at small N on the demo province: exact size, valid gap-free codes,
histories, and the shape of the history (Tết lull, online share rising, a few percent late), with
the aggregates it rebuilds agreeing with the raw rows."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from congso.dossiers.models import CodeCounter, Dossier, DossierHistory, DossierStep, Rating
from congso.indicators import aggregates
from congso.indicators.selectors import figures, live_figures

CODE = re.compile(r"^(\d{3}\.\d{2}\.\d{2}\.H\d{2})-(\d{6})-(\d{4})$")
END = date(2026, 6, 30)


@pytest.fixture
def history(db):
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_catalog_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "generate_history",
        "--dossiers",
        "2000",
        "--seed",
        "5",
        "--end",
        END.isoformat(),
        stdout=out,
    )
    return out.getvalue()


def test_needs_the_demo_data(db):
    with pytest.raises(CommandError) as missing:
        call_command("generate_history", "--dossiers", "10", stdout=io.StringIO())
    assert "load_demo" in str(missing.value)


def test_size_codes_and_records(history):
    assert "2,000 hồ sơ" in history
    assert Dossier.objects.count() == 2000
    seqs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for code, submitted, agency_code in Dossier.objects.values_list(
        "code", "submitted_at", "receiving_agency__code"
    ):
        match = CODE.match(code)
        assert match, code
        assert match[1] == agency_code
        assert match[2] == f"{timezone.localtime(submitted):%y%m%d}"
        seqs[match[1], match[2]].append(int(match[3]))
    for (agency_code, yymmdd), numbers in seqs.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))  # gap-free, from 1
        day = date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
        assert CodeCounter.objects.get(agency_code=agency_code, day=day).last == len(numbers)
    returned = Dossier.objects.filter(status="returned")
    assert returned.count() > 1500
    assert DossierHistory.objects.filter(action="return_result").count() == returned.count()
    assert DossierStep.objects.filter(name="Trả kết quả").count() == returned.count()
    assert DossierHistory.objects.count() > 4 * 2000
    assert 0.1 < Rating.objects.count() / returned.count() < 0.3
    assert not Dossier.objects.filter(submitted_at__date__gt=END).exists()


def test_shape_of_the_history(history):
    months = {
        row["month"]: row for row in figures(start=date(2023, 7, 1), end=END, group_by=["month"])
    }
    mean = sum(r["received"] for r in months.values()) / len(months)
    # Tết 10/02/2024 and 17/02/2026: the lull and the short month.
    for tet_month in (date(2024, 2, 1), date(2026, 2, 1)):
        assert months[tet_month]["received"] < 0.7 * mean
    first = figures(start=date(2023, 7, 1), end=date(2024, 6, 30))[0]
    last = figures(start=date(2025, 7, 1), end=END)[0]
    assert first["received_online"] / first["received"] + 0.1 < (
        last["received_online"] / last["received"]
    )
    (total,) = figures(start=date(2023, 7, 1), end=END)
    assert 0.02 <= total["processed_late"] / total["processed"] <= 0.1
    assert total["processed"] == (
        total["processed_early"] + total["processed_on_time"] + total["processed_late"]
    )
    assert total["rating_count"] == Rating.objects.count()
    assert total["not_accepted"] > 0 and total["supplement_requested"] > 0
    # The rebuilt aggregates agree with the raw rows.
    assert total["received"] == Dossier.objects.filter(received_at__isnull=False).count()
    assert total["returned"] == Dossier.objects.filter(status="returned").count()
    (live,) = live_figures(now=timezone.now())
    assert (
        live["in_progress"]
        == Dossier.objects.filter(
            received_at__isnull=False,
            status__in=[
                "received",
                "processing",
                "supplement_requested",
                "payment_requested",
                "withdrawal_requested",
            ],
        ).count()
    )
    before = aggregates.table_contents()
    aggregates.rebuild()
    assert aggregates.table_contents() == before
