"""The QĐ 766 index on the hand-computed month of ``dataset.py``: rates, points, totals, goals,
``no_data`` for the indicators congso cannot support yet, and the drill-down lists."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from congso.indicators import index
from tests.indicators.dataset import END, START


def test_preconditions(month):
    assert month.a1.timeliness == "early"
    assert month.a2.timeliness == "late"
    assert month.a3.timeliness in ("early", "on_time")
    assert month.a4.status == "processing"
    assert month.a3.components.filter(digitised=False).count() == 0
    assert month.a4.components.filter(digitised=False).exists()


def test_every_indicator_of_the_rules_is_defined_and_adds_to_100():
    spec = index.spec()
    codes = [d.code for d in spec.indicators]
    assert codes == [
        "1.1", "1.2", "1.3", "1.4", "2.1", "3", "pay.1", "pay.2", "pay.3",
        "4.1", "4.2", "4.x", "4.3", "4.4", "4.5a", "4.5b", "5.2", "5.3", "5.4",
    ]  # fmt: skip
    assert sum(d.max_points for d in spec.indicators) == 100
    assert {g.code: g.max_points for g in spec.groups} == {
        "transparency": 18,
        "progress": 20,
        "online": 12,
        "payment": 10,
        "digitisation": 22,
        "satisfaction": 18,
    }


def test_hand_computed_index(month):
    result = index.score(start=START, end=END)
    expected = {
        "2.1": (2, 3, Decimal("16.67"), False),
        "3": (1, 4, Decimal("6.00"), False),
        "4.1": (1, 3, Decimal("2.50"), False),
        "4.2": (1, 4, Decimal("1.25"), False),
        "5.4": (1, 3, Decimal("2.22"), False),
    }
    for code, (numerator, denominator, points, reached) in expected.items():
        r = result.indicator(code)
        assert r.status == index.OK, code
        assert (r.numerator, r.denominator) == (numerator, denominator), code
        assert r.rate == Decimal(numerator) / Decimal(denominator), code
        assert r.points == points, code
        assert r.reached is reached, code
    assert result.indicator("2.1").rate_percent == Decimal("66.67")
    assert result.indicator("5.4").detail == {"late": 1, "dissatisfied": 1, "rated": 3}
    assert result.points == Decimal("28.64")
    assert result.max_points_with_data == 48
    assert result.max_points == 100
    assert result.with_data == 5
    assert result.percent_of_available == Decimal("59.67")


def test_indicators_without_inputs_are_no_data_never_zero(month):
    result = index.score(start=START, end=END)
    no_data = {r.code for r in result.indicators if r.status == index.NO_DATA}
    assert no_data == {
        "1.1", "1.2", "1.3", "1.4", "pay.1", "pay.2", "pay.3",
        "4.x", "4.3", "4.4", "4.5a", "4.5b", "5.2", "5.3",
    }  # fmt: skip
    for code in no_data:
        r = result.indicator(code)
        assert r.points is None and r.rate is None and r.numerator is None
        assert r.missing_vi
    payment = next(g for g in result.groups if g.group.code == "payment")
    assert payment.points == 0 and payment.max_points_with_data == 0


def test_an_empty_period_has_no_data_rather_than_zero(month):
    from datetime import date

    result = index.score(start=date(2025, 1, 1), end=date(2025, 1, 31))
    assert all(r.status != index.OK for r in result.indicators)
    assert result.indicator("2.1").status == index.NO_DOSSIERS
    assert result.points == 0 and result.max_points_with_data == 0
    assert result.percent_of_available is None


def test_scope_limits_the_figures(month, world):
    mine = index.score(start=START, end=END, scope_agency_ids=[world.commune_b.pk])
    assert mine.indicator("2.1").status == index.NO_DOSSIERS
    theirs = index.score(start=START, end=END, agency_ids=[world.commune_a.pk])
    assert theirs.points == Decimal("28.64")


def test_goals_beside_the_figures(month):
    goals = {g.key: g for g in index.score(start=START, end=END).goals}
    full = goals["full_online_services"]
    assert (full.target, full.numerator, full.denominator, full.actual) == (
        Decimal("0.9"), 1, 1, Decimal(1),
    )  # fmt: skip
    commune = goals["online_processing_commune"]
    assert (commune.target, commune.numerator, commune.denominator) == (Decimal("0.5"), 2, 4)
    assert commune.reached is True
    assert goals["online_processing_province"].actual is None
    assert goals["online_processing_province"].target == Decimal("0.9")


def test_drilldown_returns_exactly_the_dossiers_behind_the_numbers(month, world):
    def codes(key, user):
        return set(
            index.drilldown(key, user=user, start=START, end=END).values_list("code", flat=True)
        )

    monitor = world.monitor
    assert codes("processed_late", monitor) == {month.a2.code}
    assert codes("processed_on_time", monitor) == {month.a1.code, month.a3.code}
    assert codes("processed_timed", monitor) == {month.a1.code, month.a2.code, month.a3.code}
    assert codes("e_results", monitor) == {month.a1.code}
    assert codes("returned", monitor) == {month.a1.code, month.a2.code, month.a3.code}
    assert codes("digitised", monitor) == {month.a3.code}
    assert codes("received_not_digitised", monitor) == {
        month.a1.code, month.a2.code, month.a4.code,
    }  # fmt: skip
    assert codes("full_online", monitor) == {month.a1.code}
    assert len(codes("full_online_eligible", monitor)) == 4
    assert codes("late_or_dissatisfied", monitor) == {month.a2.code}
    # Counts agree with the aggregates behind the index.
    result = index.score(start=START, end=END)
    for r in result.indicators:
        if r.status == index.OK and r.numerator_key:
            assert len(codes(r.numerator_key, monitor)) == r.numerator, r.code
            assert len(codes(r.denominator_key, monitor)) == r.denominator, r.code
    # Scoped through restrict(): commune B's officers see none of commune A's dossiers.
    assert codes("processed_late", world.leader_b) == set()
    assert codes("processed_late", world.citizen_user) == set()
    with pytest.raises(KeyError):
        index.drilldown("everything", user=monitor, start=START, end=END)


def test_definitions_are_checked():
    raw = json.loads(index.INDEX_FILE.read_text(encoding="utf-8"))
    broken = copy.deepcopy(raw)
    broken["indicators"][4]["max_points"] = 19
    with pytest.raises(ValueError, match="progress"):
        index.parse_spec(broken)
    unknown = copy.deepcopy(raw)
    unknown["indicators"][4]["formula"] = "made_up"
    with pytest.raises(ValueError, match="no formula"):
        index.parse_spec(unknown)
    twice = copy.deepcopy(raw)
    twice["indicators"].append(dict(raw["indicators"][0]))
    with pytest.raises(ValueError, match="twice"):
        index.parse_spec(twice)


def test_points_formula():
    definition = index.spec().indicators[4]  # 2.1: 20 points, threshold 80 %
    assert index.points_for(Decimal("0.8"), definition) == Decimal("20.00")
    assert index.points_for(Decimal("1"), definition) == Decimal("20.00")
    assert index.points_for(Decimal("0.4"), definition) == Decimal("10.00")
    assert index.points_for(Decimal(0), definition) == Decimal("0.00")
