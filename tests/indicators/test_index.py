"""The QĐ 766 index on the hand-computed month of ``dataset.py``: rates, points, totals, goals,
``no_data`` for the indicators congso cannot support yet, and the drill-down lists."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal

import pytest

from congso.indicators import index
from tests.dossiers.conftest import at
from tests.indicators.dataset import END, START

pytestmark = pytest.mark.usefixtures("index_without_store")


def test_preconditions(month_dept):
    assert month_dept.a1.timeliness == "early"
    assert month_dept.a2.timeliness == "late"
    assert month_dept.a3.timeliness in ("early", "on_time")
    assert month_dept.a4.status == "processing"
    assert month_dept.d1.timeliness == "early" and month_dept.d2.status == "processing"
    assert month_dept.a3.components.filter(digitised=False).count() == 0
    assert month_dept.a4.components.filter(digitised=False).exists()


def test_both_layouts_are_defined_and_add_to_100():
    old, new = index.versions()
    assert (old.version, old.effective_from, old.effective_to) == (
        "qd766-2022.2", date(2022, 6, 23), date(2026, 7, 31),
    )  # fmt: skip
    assert (new.version, new.effective_from, new.effective_to) == (
        "qd766-2026.1", date(2026, 8, 1), None,
    )  # fmt: skip
    assert [d.code for d in old.indicators] == [
        "1.1", "1.2", "1.3", "1.4", "2.1", "3.1", "3.2", "3.3", "pay.1", "pay.2", "pay.3",
        "4.1", "4.2", "4.x", "4.3", "4.4", "4.5a", "4.5b", "5.2", "5.3", "5.4",
    ]  # fmt: skip
    assert [d.code for d in new.indicators] == [
        "1.1", "1.2", "1.3", "1.4", "2.1", "3", "pay.A", "pay.B", "pay.C",
        "4.1", "4.2", "4.x", "4.3", "4.4", "4.5a", "4.5b", "5.2", "5.3", "5.4",
    ]  # fmt: skip
    for version in (old, new):
        assert sum(d.max_points for d in version.indicators) == 100
    assert {g.code: g.max_points for g in old.groups}["online"] == 22
    assert {g.code: g.max_points for g in new.groups} == {
        "transparency": 18, "progress": 20, "online": 12, "payment": 10,
        "digitisation": 22, "satisfaction": 18,
    }  # fmt: skip
    # The portal's rule: linear except 4.3, the procedure parts of payment, 5.4 (and 2022's 3.x).
    thresholds = {d.code: d.threshold for d in new.indicators if not d.linear}
    assert thresholds == {"pay.B": Decimal("0.8"), "pay.C": Decimal("0.8"),
                          "4.3": Decimal("0.8"), "5.4": Decimal("0.9")}  # fmt: skip
    assert {d.code for d in new.indicators if d.not_for_communes} == {"3", "4.5a", "4.5b"}
    codes = {d.code: d.portal_code for d in new.indicators}
    assert codes["1.1"] == "PUBLISH_ON_TIME" and codes["1.4"] == "DOSSIER_SYNC"
    assert codes["4.1"] == "ORIGINAL_RESULT_AVAILABLE"
    assert codes["5.4"] == "DOSSIER_RECEIVING_SATISFACTION"
    assert index.spec(date(2026, 3, 31)) is old and index.spec(date(2026, 8, 1)) is new
    assert index.spec() is new


def _check(result, expected, points, with_data):
    for code, (numerator, denominator, expected_points) in expected.items():
        r = result.indicator(code)
        if numerator is None:
            assert r.status == index.NOT_APPLICABLE, code
        else:
            assert r.status == index.OK, code
            assert (r.numerator, r.denominator) == (numerator, denominator), code
        assert r.points == Decimal(expected_points), code
    scored = {r.code for r in result.indicators if r.has_data}
    assert scored == set(expected)
    assert result.points == Decimal(points)
    assert result.max_points_with_data == with_data


def test_province_by_the_2022_layout(month_dept):
    """The month's own version (March 2026 is before today's layout)."""
    result = index.score(start=START, end=END)
    assert result.spec.version == "qd766-2022.2"
    expected = {
        "2.1": (4, 6, "13.33"), "3.1": (1, 1, "2.00"), "3.2": (1, 1, "4.00"),
        "3.3": (2, 6, "4.00"), "4.1": (2, 4, "3.00"), "4.2": (1, 6, "0.67"),
        "5.4": (2, 4, "3.33"),
    }  # fmt: skip
    _check(result, expected, "30.33", 48)
    assert result.indicator("2.1").detail == {"in_progress": 2}
    assert result.indicator("2.1").rate_percent == Decimal("66.67")
    assert result.indicator("5.4").detail == {"late": 1, "dissatisfied": 1, "rated": 3}
    assert result.max_points == 100
    assert result.percent_of_available == Decimal("63.19")


def test_province_by_todays_layout(month_dept):
    result = index.score(start=START, end=END, version="qd766-2026.1")
    expected = {
        "2.1": (4, 6, "13.33"), "3": (1, 6, "2.00"), "4.1": (2, 4, "3.00"),
        "4.2": (1, 6, "0.67"), "5.4": (2, 4, "3.33"),
    }  # fmt: skip
    _check(result, expected, "22.33", 48)


def test_department(month_dept, world):
    result = index.score(
        start=START, end=END, agency_ids=[world.department.pk], version="qd766-2026.1"
    )
    expected = {
        "2.1": (2, 2, "20.00"), "3": (0, 2, "0.00"), "4.1": (0, 1, "0.00"),
        "4.2": (0, 2, "0.00"), "5.4": (1, 1, "0.00"),
    }  # fmt: skip
    _check(result, expected, "20.00", 48)
    # Nothing rated: the portal gives 5.4 zero points, not "no data".
    satisfaction = result.indicator("5.4")
    assert satisfaction.empty_rule == "zero" and satisfaction.rate is None
    old = index.score(start=START, end=END, agency_ids=[world.department.pk])
    assert old.points == Decimal("22.00")


def test_commune(month_dept, world):
    result = index.score(
        start=START, end=END, agency_ids=[world.commune_a.pk], version="qd766-2026.1"
    )
    expected = {
        "2.1": (2, 4, "10.00"), "3": (None, None, "12.00"), "4.1": (2, 3, "4.00"),
        "4.2": (1, 4, "1.00"), "4.5a": (None, None, "2.00"), "4.5b": (None, None, "2.00"),
        "5.4": (1, 3, "2.22"),
    }  # fmt: skip
    _check(result, expected, "33.22", 52)
    old = index.score(start=START, end=END, agency_ids=[world.commune_a.pk])
    assert (old.points, old.max_points_with_data) == (Decimal("29.22"), 48)


def test_in_progress_dossiers_count_as_of_the_scoring_instant(month_dept, clock):
    """D2 (due Thu 12 10:00) is in time on the 10th and overdue once the 12th has passed."""
    clock.set(at(2026, 3, 13, 9, 0))
    result = index.score(start=START, end=END)
    assert (result.indicator("2.1").numerator, result.indicator("2.1").denominator) == (3, 6)
    early = index.score(start=START, end=END, now=at(2026, 3, 10, 9, 0))
    assert early.indicator("2.1").numerator == 4


def test_a_withdrawal_ends_a_dossier(month_dept, world, clock):
    """A4 withdrawn at the applicant's request: it ends (late: it was overdue)."""
    from congso.dossiers import services

    clock.set(at(2026, 3, 11, 9, 0))
    a4 = services.dossier_request_withdrawal(
        actor=world.citizen_user, dossier=month_dept.a4, reason="Không cần nữa."
    )
    a4 = services.dossier_confirm_withdrawal(actor=world.reception_a, dossier=a4)
    assert a4.status == "withdrawn" and a4.timeliness == "late"
    ended = index.drilldown("progress_all", user=world.monitor, start=START, end=END)
    assert a4.code in set(ended.values_list("code", flat=True))
    assert index.score(start=START, end=END).indicator("2.1").denominator == 6


def test_indicators_without_inputs_are_no_data_never_zero(month_dept):
    result = index.score(start=START, end=END, version="qd766-2026.1")
    no_data = {r.code for r in result.indicators if r.status == index.NO_DATA}
    assert no_data == {
        "1.1", "1.2", "1.3", "1.4", "pay.A", "pay.B", "pay.C",
        "4.x", "4.3", "4.4", "4.5a", "4.5b", "5.2", "5.3",
    }  # fmt: skip
    for code in no_data:
        r = result.indicator(code)
        assert r.points is None and r.rate is None and r.numerator is None
        assert r.missing_vi
    payment = next(g for g in result.groups if g.group.code == "payment")
    assert payment.points == 0 and payment.max_points_with_data == 0


def test_no_complaints_give_full_points_once_complaints_are_held(month_dept, monkeypatch):
    """5.2/5.3: the portal gives a unit without PAKN full points. Until the feedback app
    supplies the counts congso cannot tell "none" from "not recorded", so they are no data;
    with a provider registered, an empty period scores 6 + 6."""
    monkeypatch.setattr(index, "PROVIDED_INPUTS", {"complaints"})
    monkeypatch.setitem(index.FORMULAS, "complaints_on_time", lambda f: index.Ratio(0, 0, "", ""))
    monkeypatch.setitem(
        index.FORMULAS, "complaints_satisfaction", lambda f: index.Ratio(3, 4, "", "")
    )
    result = index.score(start=START, end=END)
    on_time, satisfied = result.indicator("5.2"), result.indicator("5.3")
    assert (on_time.status, on_time.points, on_time.empty_rule) == (index.OK, 6, "full")
    assert (satisfied.points, satisfied.reached) == (Decimal("4.50"), False)


def test_an_empty_period_has_no_data_rather_than_zero(month_dept):
    result = index.score(start=date(2025, 1, 1), end=date(2025, 1, 31))
    # (no procedure in force yet either: the version dates from 1/7/2025)
    assert {r.code for r in result.indicators if r.status == index.OK} == {"5.4"}
    assert result.indicator("2.1").status == index.NO_DOSSIERS
    assert result.indicator("5.4").points == 0  # the portal's zero with nothing rated
    assert result.percent_of_available == Decimal(0)


def test_scope_limits_the_figures(month_dept, world):
    mine = index.score(start=START, end=END, scope_agency_ids=[world.commune_b.pk])
    assert mine.indicator("2.1").status == index.NO_DOSSIERS
    theirs = index.score(start=START, end=END, agency_ids=[world.commune_a.pk])
    assert theirs.points == Decimal("29.22")


def test_goals_beside_the_figures(month_dept):
    goals = {g.key: g for g in index.score(start=START, end=END).goals}
    full = goals["full_online_services"]
    assert (full.target, full.numerator, full.denominator, full.actual) == (
        Decimal("0.9"), 1, 1, Decimal(1),
    )  # fmt: skip
    commune = goals["online_processing_commune"]
    assert (commune.target, commune.numerator, commune.denominator) == (Decimal("0.5"), 2, 4)
    assert commune.reached is True
    province = goals["online_processing_province"]  # the department's two in-person dossiers
    assert (province.numerator, province.denominator, province.actual) == (0, 2, Decimal(0))
    assert goals["online_processing_province"].target == Decimal("0.9")


def test_drilldown_returns_exactly_the_dossiers_behind_the_numbers(month_dept, world):
    def codes(key, user):
        return set(
            index.drilldown(key, user=user, start=START, end=END).values_list("code", flat=True)
        )

    monitor = world.monitor
    assert codes("progress_bad", monitor) == {month_dept.a2.code, month_dept.a4.code}
    assert codes("progress_open", monitor) == {month_dept.a4.code, month_dept.d2.code}
    assert codes("paper_returned_e_result", monitor) == {month_dept.a1.code, month_dept.a3.code}
    assert codes("paper_digitised", monitor) == {month_dept.a3.code}
    assert codes("processed_late", monitor) == {month_dept.a2.code}
    assert codes("processed_on_time", monitor) == {
        month_dept.a1.code,
        month_dept.a3.code,
        month_dept.d1.code,
    }
    assert codes("e_results", monitor) == {month_dept.a1.code, month_dept.a3.code}
    assert codes("digitised", monitor) == {month_dept.a3.code}
    assert codes("full_online", monitor) == {month_dept.a1.code}
    assert len(codes("full_online_eligible", monitor)) == 6
    assert codes("late_or_dissatisfied", monitor) == {month_dept.a2.code}
    # Counts agree with the numbers of the index, in both layouts.
    results = [index.score(start=START, end=END, version=v.version) for v in index.versions()]
    for r in [r for result in results for r in result.indicators]:
        if r.status == index.OK and r.numerator_key:
            assert len(codes(r.numerator_key, monitor)) == r.numerator, r.code
            assert len(codes(r.denominator_key, monitor)) == r.denominator, r.code
            if r.shortfall_key and r.code != "5.4":
                shortfall = r.denominator - r.numerator
                assert len(codes(r.shortfall_key, monitor)) == shortfall, r.code
    # Scoped through restrict(): commune B's officers see none of commune A's dossiers.
    assert codes("processed_late", world.leader_b) == set()
    assert codes("processed_late", world.citizen_user) == set()
    with pytest.raises(KeyError):
        index.drilldown("everything", user=monitor, start=START, end=END)


def test_definitions_are_checked():
    raw = json.loads(index.INDEX_FILE.read_text(encoding="utf-8"))
    empty = copy.deepcopy(raw)
    empty["indicators"][4]["empty"] = "half"
    with pytest.raises(ValueError, match="empty rule"):
        index.parse_spec(empty)
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
    by_code = {d.code: d for d in index.spec().indicators}
    linear = by_code["2.1"]  # 20 points, full only at 100 %
    assert index.points_for(Decimal("0.8"), linear) == Decimal("16.00")
    assert index.points_for(Decimal("1"), linear) == Decimal("20.00")
    assert index.points_for(Decimal(2) / 3, linear) == Decimal("13.33")
    assert index.points_for(Decimal(0), linear) == Decimal("0.00")
    reuse = by_code["4.3"]  # min(2, 2 × rate ÷ 0.8)
    assert index.points_for(Decimal("0.4"), reuse) == Decimal("1.00")
    assert index.points_for(Decimal("0.8"), reuse) == Decimal("2.00")
    # Payment = 6A + min(2, 2.5B) + min(2, 2.5C).
    assert index.points_for(Decimal("0.5"), by_code["pay.A"]) == Decimal("3.00")
    assert index.points_for(Decimal("0.4"), by_code["pay.B"]) == Decimal("1.00")
    assert index.points_for(Decimal("0.9"), by_code["pay.C"]) == Decimal("2.00")
    assert index.points_for(Decimal("0.81"), by_code["5.4"]) == Decimal("5.40")
