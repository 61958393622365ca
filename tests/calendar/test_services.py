"""Writes: validation, conflicts refused with nothing half-saved, audit events, cache refresh."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from congso.audit.models import AuditEvent
from congso.calendar import services
from congso.calendar.defaults import SHIPPED_OVERRIDES
from congso.calendar.importing import CalendarDataError, OverrideRow, load
from congso.calendar.models import CalendarOverride, CalendarRevision, WorkingHours
from congso.calendar.selectors import current_revision, get_calendar
from congso.core.errors import Conflict, DomainError, NotFound
from congso.dossiers.services import calendar_for
from congso.org.models import Agency
from tests.calendar.helpers import at

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2027, 3, 3)
SATURDAY = date(2027, 3, 6)


@pytest.fixture
def officer():
    return get_user_model().objects.create_user(username="lich", password="x")


def create(officer, day: date = WEDNESDAY, kind: str = "day_off", province_code: str = ""):
    return services.override_create(
        actor=officer,
        date=day,
        kind=kind,
        name="Ngày nghỉ thử",
        legal_source="Quyết định thử số 1",
        province_code=province_code,
    )


def state() -> tuple[int, int, object]:
    return CalendarOverride.objects.count(), AuditEvent.objects.count(), current_revision()


class TestOverrides:
    def test_create_is_audited_and_seen_by_the_calendar(self, officer) -> None:
        assert get_calendar().is_working_day(WEDNESDAY)
        override = create(officer)
        assert not get_calendar().is_working_day(WEDNESDAY)
        event = AuditEvent.objects.get(action="calendar.override.create")
        assert event.target_id == str(override.pk)
        assert event.actor_label == f"lich#{officer.pk}"
        assert event.after["date"] == "2027-03-03"
        assert event.after["kind"] == "day_off"

    def test_a_saturday_made_a_working_day(self, officer) -> None:
        assert not get_calendar().is_working_day(SATURDAY)
        create(officer, SATURDAY, "working_day")
        assert get_calendar().is_working_day(SATURDAY)
        assert get_calendar().add_working_days(at(2027, 3, 5, 16), 1) == at(2027, 3, 6, 16)

    def test_update_and_delete(self, officer) -> None:
        override = create(officer)
        services.override_update(
            actor=officer,
            override_id=override.pk,
            date=date(2027, 3, 4),
            kind="day_off",
            name="Đổi ngày",
            legal_source="Quyết định thử số 2",
        )
        cal = get_calendar()
        assert cal.is_working_day(WEDNESDAY) and not cal.is_working_day(date(2027, 3, 4))
        update = AuditEvent.objects.get(action="calendar.override.update")
        assert update.before["date"] == "2027-03-03" and update.after["date"] == "2027-03-04"
        services.override_delete(actor=officer, override_id=override.pk)
        assert get_calendar().is_working_day(date(2027, 3, 4))
        assert AuditEvent.objects.filter(action="calendar.override.delete").count() == 1
        with pytest.raises(NotFound):
            services.override_delete(actor=officer, override_id=override.pk)

    def test_same_day_same_scope_twice_is_refused_and_nothing_is_saved(self, officer) -> None:
        create(officer)
        before = state()
        with pytest.raises(Conflict) as err:
            create(officer)
        assert err.value.code == "calendar_override_conflict"
        assert err.value.field == "date"
        assert "03/03/2027" in err.value.message and "một lần" in err.value.message
        assert state() == before

    def test_day_off_and_working_day_on_the_same_date_is_refused(self, officer) -> None:
        create(officer, SATURDAY, "working_day")
        before = state()
        with pytest.raises(Conflict) as err:
            create(officer, SATURDAY, "day_off")
        assert "vừa là ngày nghỉ vừa là ngày làm việc" in err.value.message
        assert state() == before
        assert get_calendar().is_working_day(SATURDAY)

    def test_an_update_onto_a_taken_day_is_refused(self, officer) -> None:
        create(officer, WEDNESDAY)
        other = create(officer, date(2027, 3, 4))
        with pytest.raises(Conflict):
            services.override_update(
                actor=officer,
                override_id=other.pk,
                date=WEDNESDAY,
                kind="day_off",
                name="x",
                legal_source="y",
            )
        other.refresh_from_db()
        assert other.date == date(2027, 3, 4)

    def test_the_database_refuses_duplicates_too(self) -> None:
        CalendarOverride.objects.create(date=WEDNESDAY, kind="day_off", name="a", legal_source="b")
        with pytest.raises(IntegrityError), transaction.atomic():
            CalendarOverride.objects.create(
                date=WEDNESDAY, kind="working_day", name="c", legal_source="d"
            )

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"kind": "holiday"}, "kind"),
            ({"name": ""}, "name"),
            ({"legal_source": "  "}, "legal_source"),
            ({"province_code": "5a"}, "province_code"),
        ],
    )
    def test_invalid_values(self, officer, changes: dict[str, str], field: str) -> None:
        values = {
            "date": WEDNESDAY,
            "kind": "day_off",
            "name": "Tên",
            "legal_source": "Căn cứ",
            "province_code": "",
        } | changes
        before = state()
        with pytest.raises(DomainError) as err:
            services.override_create(actor=officer, **values)
        assert (err.value.code, err.value.field) == ("calendar_override_invalid", field)
        assert state() == before


class TestProvinces:
    def test_province_rows_apply_to_that_province_only(self, officer) -> None:
        create(officer, WEDNESDAY, "day_off", province_code="51")
        assert not get_calendar("51").is_working_day(WEDNESDAY)
        assert get_calendar().is_working_day(WEDNESDAY)
        assert get_calendar("01").is_working_day(WEDNESDAY)

    def test_a_province_row_replaces_the_national_row_of_that_day(self, officer) -> None:
        create(officer, SATURDAY, "working_day")
        create(officer, SATURDAY, "day_off", province_code="51")  # other scope: allowed
        assert get_calendar().is_working_day(SATURDAY)
        assert not get_calendar("51").is_working_day(SATURDAY)

    def test_national_shipped_days_apply_in_provinces(self) -> None:
        assert not get_calendar("51").is_working_day(date(2026, 2, 16))

    def test_bad_province_code(self) -> None:
        with pytest.raises(DomainError) as err:
            get_calendar("5")
        assert (err.value.code, err.value.field) == ("invalid_province", "province")


class TestWorkingHours:
    def test_province_hours_with_effective_date(self, officer) -> None:
        services.working_hours_create(
            actor=officer,
            province_code="51",
            effective_from=date(2027, 1, 1),
            periods=[(time(7, 0), time(11, 0)), (time(13, 0), time(17, 0))],
            legal_source="Quyết định của UBND tỉnh",
        )
        province, national = get_calendar("51"), get_calendar()
        assert province.start_of_counting(at(2027, 3, 3, 6)) == at(2027, 3, 3, 7)
        assert national.start_of_counting(at(2027, 3, 3, 6)) == at(2027, 3, 3, 7, 30)
        # Before the effective date the default hours still apply in the province.
        assert province.start_of_counting(at(2026, 12, 1, 6)) == at(2026, 12, 1, 7, 30)
        assert AuditEvent.objects.filter(action="calendar.working_hours.create").count() == 1

    def test_national_hours_apply_until_the_province_has_its_own(self, officer) -> None:
        services.working_hours_create(
            actor=officer,
            effective_from=date(2026, 1, 1),
            periods=[(time(8, 0), time(12, 0)), (time(13, 0), time(17, 0))],
        )
        services.working_hours_create(
            actor=officer,
            province_code="51",
            effective_from=date(2027, 1, 1),
            periods=[(time(7, 0), time(11, 0)), (time(13, 0), time(17, 0))],
        )
        province = get_calendar("51")
        assert province.start_of_counting(at(2026, 6, 1, 6)) == at(2026, 6, 1, 8)
        assert province.start_of_counting(at(2027, 6, 1, 6)) == at(2027, 6, 1, 7)

    def test_an_agency_keeps_hours_of_its_own(self, officer) -> None:
        """Summer hours of one agency (e.g. a commune's one-stop desk opening at 07:00 from
        May): its dossiers count from them; the province's other agencies keep the province's."""
        services.working_hours_create(
            actor=officer,
            province_code="51",
            effective_from=date(2026, 1, 1),
            periods=[(time(7, 30), time(11, 30)), (time(13, 0), time(17, 0))],
        )
        services.working_hours_create(
            actor=officer,
            agency_code="000.00.12.h56",
            effective_from=date(2026, 5, 1),
            periods=[(time(7, 0), time(11, 0)), (time(13, 30), time(17, 30))],
            legal_source="Quyết định giờ làm việc mùa hè",
        )
        own = get_calendar("51", agency_code="000.00.12.H56")
        other = get_calendar("51", agency_code="000.00.13.H56")
        assert other is get_calendar("51")  # no hours of its own: the province's calendar
        assert own.start_of_counting(at(2026, 6, 1, 6)) == at(2026, 6, 1, 7)
        assert other.start_of_counting(at(2026, 6, 1, 6)) == at(2026, 6, 1, 7, 30)
        # Before its own rule, the agency follows the province; days off stay the province's.
        assert own.start_of_counting(at(2026, 4, 1, 6)) == at(2026, 4, 1, 7, 30)
        assert not own.is_working_day(date(2026, 9, 2))
        # 1 working day from 10:45 on Friday 05/06/2026 in the agency: Monday 10:45.
        assert own.add_working_days(at(2026, 6, 5, 10, 45), 1) == at(2026, 6, 8, 10, 45)
        # Dossiers use their competent agency's calendar.
        agency = Agency(code="000.00.12.H56", name="UBND xã thử")
        assert calendar_for(agency).start_of_counting(at(2026, 6, 1, 6)) == at(2026, 6, 1, 7)

    def test_agency_hours_name_no_province(self, officer) -> None:
        with pytest.raises(DomainError) as err:
            services.working_hours_create(
                actor=officer,
                province_code="51",
                agency_code="000.00.12.H56",
                effective_from=date(2027, 1, 1),
                periods=[(time(7), time(16))],
            )
        assert (err.value.code, err.value.field) == ("invalid_working_hours", "agency_code")

    def test_update_delete_and_conflicts(self, officer) -> None:
        hours = services.working_hours_create(
            actor=officer, effective_from=date(2027, 1, 1), periods=[(time(7), time(16))]
        )
        with pytest.raises(Conflict) as err:
            services.working_hours_create(
                actor=officer, effective_from=date(2027, 1, 1), periods=[(time(8), time(16))]
            )
        assert err.value.field == "effective_from"
        services.working_hours_update(
            actor=officer,
            working_hours_id=hours.pk,
            effective_from=date(2027, 1, 1),
            periods=[(time(7), time(11)), (time(12), time(16))],
            cutoff=time(14),
        )
        cal = get_calendar()
        assert cal.start_of_counting(at(2027, 3, 3, 11, 30)) == at(2027, 3, 3, 12)
        assert cal.same_day_due(at(2027, 3, 3, 14, 30)) == at(2027, 3, 4, 16)
        services.working_hours_delete(actor=officer, working_hours_id=hours.pk)
        assert WorkingHours.objects.count() == 0
        assert get_calendar().start_of_counting(at(2027, 3, 3, 11, 30)) == at(2027, 3, 3, 13)
        assert get_calendar().same_day_due(at(2027, 3, 3, 14, 30)) == at(2027, 3, 3, 17)

    def test_invalid_periods_are_refused(self, officer) -> None:
        with pytest.raises(DomainError) as err:
            services.working_hours_create(
                actor=officer,
                effective_from=date(2027, 1, 1),
                periods=[(time(13), time(17)), (time(7), time(11))],
            )
        assert err.value.code == "invalid_working_hours"
        assert WorkingHours.objects.count() == 0


class TestCache:
    def test_unchanged_calendar_costs_one_query(self, django_assert_num_queries) -> None:
        first = get_calendar()
        with django_assert_num_queries(1):
            assert get_calendar() is first

    def test_a_change_by_another_process_is_seen(self) -> None:
        first = get_calendar()
        # Another process writes a row and replaces the token (what the services do).
        CalendarOverride.objects.create(date=WEDNESDAY, kind="day_off", name="a", legal_source="b")
        CalendarRevision.objects.update_or_create(pk=1, defaults={"token": "0" * 32})
        second = get_calendar()
        assert second is not first
        assert not second.is_working_day(WEDNESDAY)

    def test_a_rolled_back_change_leaves_no_stale_calendar(self, officer) -> None:
        assert get_calendar().is_working_day(WEDNESDAY)
        with pytest.raises(RuntimeError), transaction.atomic():
            create(officer)
            assert not get_calendar().is_working_day(WEDNESDAY)
            raise RuntimeError
        assert get_calendar().is_working_day(WEDNESDAY)


class TestImport:
    def rows(self) -> list[OverrideRow]:
        return [
            OverrideRow(date(2027, 2, 4), "day_off", "Tết", "Thông báo thử"),
            OverrideRow(date(2027, 2, 20), "working_day", "Làm bù", "Thông báo thử"),
        ]

    def test_import_is_idempotent_and_updates_sources(self, officer) -> None:
        result = services.overrides_import(actor=officer, rows=self.rows(), source="2027.json")
        assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
        assert get_calendar().is_working_day(date(2027, 2, 20))
        again = services.overrides_import(actor=officer, rows=self.rows())
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
        corrected = [
            self.rows()[0],
            OverrideRow(date(2027, 2, 20), "working_day", "Làm bù", "TB số 2"),
        ]
        fixed = services.overrides_import(actor=officer, rows=corrected)
        assert (fixed.created, fixed.updated, fixed.unchanged) == (0, 1, 1)
        assert CalendarOverride.objects.get(date=date(2027, 2, 20)).legal_source == "TB số 2"
        summary = AuditEvent.objects.filter(action="calendar.override.import").order_by("seq")
        assert summary.count() == 3
        assert summary.first().after["source"] == "2027.json"

    def test_a_conflicting_row_refuses_the_whole_file(self, officer) -> None:
        create(officer, date(2027, 2, 20), "day_off")
        before = state()
        with pytest.raises(CalendarDataError) as err:
            services.overrides_import(actor=officer, rows=self.rows())
        assert err.value.code == "calendar_override_conflict"
        assert err.value.errors[0].startswith("Mục 2: ngày 20/02/2027")
        assert state() == before
        assert not CalendarOverride.objects.filter(date=date(2027, 2, 4)).exists()

    def test_duplicate_rows_refuse_the_batch(self, officer) -> None:
        rows = [*self.rows(), self.rows()[0]]
        before = state()
        with pytest.raises(CalendarDataError):
            services.overrides_import(actor=officer, rows=rows)
        assert state() == before

    def test_dry_run_counts_and_writes_nothing(self, officer) -> None:
        before = state()
        result = services.overrides_import(actor=officer, rows=self.rows(), dry_run=True)
        assert (result.created, result.dry_run) == (2, True)
        assert state() == before


class TestImportCommand:
    def write(self, path: Path, entries: list[dict[str, str]]) -> Path:
        path.write_text(json.dumps({"overrides": entries}, ensure_ascii=False), encoding="utf-8")
        return path

    def test_json_file(self, tmp_path: Path, capsys, officer) -> None:
        path = self.write(
            tmp_path / "2027.json",
            [{"date": "2027-02-04", "kind": "day_off", "name": "Tết", "legal_source": "TB"}],
        )
        call_command("import_calendar", str(path), "--actor", "lich")
        assert "1 thêm mới" in capsys.readouterr().out
        event = AuditEvent.objects.get(action="calendar.override.create")
        assert event.actor_label == f"lich#{officer.pk}"
        assert not get_calendar().is_working_day(date(2027, 2, 4))

    def test_csv_file_with_a_conflict_saves_nothing(self, tmp_path: Path, officer, capsys) -> None:
        create(officer, SATURDAY, "working_day")
        path = tmp_path / "2027.csv"
        path.write_text(
            "date,kind,name,legal_source\n2027-02-04,day_off,Tết,TB\n2027-03-06,day_off,X,TB\n",
            encoding="utf-8",
        )
        before = state()
        with pytest.raises(CommandError, match="1 lỗi"):
            call_command("import_calendar", str(path))
        assert "Mục 2: ngày 06/03/2027" in capsys.readouterr().err
        assert state() == before

    def test_the_shipped_file_reimports_unchanged(self, capsys) -> None:
        before = state()[0]
        call_command("import_calendar", str(SHIPPED_OVERRIDES), "--dry-run")
        assert "Kiểm tra (không ghi): 0 thêm mới, 0 cập nhật, 31 không đổi." in (
            capsys.readouterr().out
        )
        result = services.overrides_import(actor=None, rows=load(SHIPPED_OVERRIDES))
        assert (result.created, result.updated, result.unchanged) == (0, 0, 31)
        assert state()[0] == before

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["/nonexistent/lich.json"], "Không tìm thấy tệp"),
            (["--actor", "nobody"], "Không có người dùng"),
        ],
    )
    def test_bad_arguments(self, tmp_path: Path, args: list[str], message: str) -> None:
        if args[0] == "--actor":
            args = [str(self.write(tmp_path / "a.json", [])), *args]
        with pytest.raises(CommandError, match=message):
            call_command("import_calendar", *args)
