"""The national import on the committed sample: the province's share, the report, idempotency,
a changed record (one new version and its diff), retirement, resuming an interrupted run,
flagged records, curated and locally edited procedures never overwritten."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from congso.audit.models import AuditEvent
from congso.catalog import services as catalog_services
from congso.catalog.admin import ComputableLimitFilter
from congso.catalog.formschema import validate_schema
from congso.catalog.models import Procedure, ProcedureVersion, Process
from congso.catalog.national import importer, services
from congso.catalog.national.models import (
    ImportedProcedure,
    ImportedStatus,
    ImportItem,
    ImportRun,
    Outcome,
    ProvinceShare,
    RunStatus,
)
from congso.catalog.selectors import current_version, hours_per_day, validate_process
from congso.catalog.specs import read_record
from congso.core.errors import Conflict
from congso.core.models import Job
from tests.catalog.national.conftest import (
    START,
    detail_lines,
    run_import,
    write_detail,
)
from tests.catalog.national.conftest import options as import_options

#: What the sample gives for province 51 without received ministry-level procedures.
CENTRAL = {"1.000178", "1.000368", "1.000532", "5.003853"}
#: Published by a People's Committee (Thanh Hóa, Lạng Sơn, …): another province's own procedures.
OTHER_PROVINCE = {"1.005687", "1.115695", "1.115774"}
NO_LEVEL = "1.000612"
EXCLUDED = {*CENTRAL, *OTHER_PROVINCE, NO_LEVEL}
CREATED = 42 - len(EXCLUDED)


def outcomes(run: ImportRun) -> dict[str, str]:
    return dict(run.items.values_list("code", "outcome"))


@pytest.mark.django_db
def test_the_share_of_a_province_is_imported_with_its_report(province) -> None:
    run = run_import()
    assert run.status == RunStatus.DONE and run.progress == 100
    result = outcomes(run)
    assert {code for code, o in result.items() if o == Outcome.EXCLUDED} == EXCLUDED
    created = {code for code, o in result.items() if o == Outcome.CREATED}
    assert len(created) == CREATED == Procedure.objects.count()
    assert run.report["outcomes"] == {"created": CREATED, "excluded": len(EXCLUDED)}
    assert run.report["by_level"]["commune"]["created"] >= 10
    assert run.report["by_level"]["central"] == {"excluded": 4}
    assert run.report["sources"]["crawl_only"] == 6
    per_field = run.report["per_field"]
    assert sum(per_field["time_limit"].values()) == CREATED
    assert per_field["time_limit"]["flagged"] >= 6 and per_field["fees"]["flagged"] >= 2
    assert run.report["flags"]["limit_other"] >= 2

    for version in ProcedureVersion.objects.select_related("procedure"):
        assert version.version == 1 and version.effective_from == START
        assert version.source["title"].startswith("Cơ sở dữ liệu quốc gia")
        assert version.source["imported"] and version.source["national"]["export"]
        validate_schema(
            version.form_schema, component_codes=[c.code for c in version.components.all()]
        )
    per_day = hours_per_day("51")
    for process in Process.objects.select_related("version", "agency"):
        validate_process(process, hours_per_day=per_day)

    # Khai sinh: "1 OTHER" — the text is kept, no limit is guessed, the admin lists it.
    birth = current_version(Procedure.objects.get(code="1.001193"), START)
    assert birth.time_limit_value is None and not birth.has_computable_limit
    assert "1 OTHER" in birth.time_limit_text
    assert not birth.processes.exists()  # an officer sets the limit first
    unfit = ComputableLimitFilter(None, {"han": "chua"}, ProcedureVersion, None)
    flagged = unfit.queryset(None, ProcedureVersion.objects.all())
    assert birth in flagged
    item = run.items.get(code="1.001193")
    assert item.flags[0]["code"] == "limit_other" and item.status["time_limit"] == "flagged"

    # Residence registration: 7 working days at the commune police, fees per channel.
    residence = current_version(Procedure.objects.get(code="1.004222"), START)
    assert (residence.time_limit_value, residence.time_limit_unit) == (7, "working_days")
    assert [f["amount_vnd"] for f in residence.fees] == [10000, 20000]
    assert {p.agency for p in residence.processes.all()} == {province.commune_police}
    assert residence.source["url"].startswith("https://dichvucong.gov.vn/")
    # Commune procedures at every commune People's Committee; provincial ones at a department.
    commune = ImportedProcedure.objects.get(code="1.001639").version
    assert {p.agency for p in commune.processes.all()} == set(province.communes)
    btp = ImportedProcedure.objects.get(code="1.000390").version
    assert [p.agency for p in btp.processes.all()] == [province.stp]
    # Stages with different limits: counted per case (the longest when none is chosen).
    stages = ImportedProcedure.objects.get(code="1.000028").version
    assert stages.has_computable_limit and stages.time_limit_label.startswith("tối đa 2 ngày")
    # A customs branch is not the province's: flagged, no process.
    customs = run.items.get(code="1.000005")
    assert "agency_unmatched" in [flag["code"] for flag in customs.flags]


@pytest.mark.django_db
def test_ministry_level_procedures_the_province_receives(province) -> None:
    services.share_set(actor=None, province_code="51", central_ministries=["BCA"])
    run = run_import()
    result = outcomes(run)
    assert result["1.000178"] == Outcome.CREATED  # BCA, received
    assert result["1.000368"] == Outcome.EXCLUDED  # BTC, not received
    version = ImportedProcedure.objects.get(code="1.000178").version
    assert [p.agency for p in version.processes.all()] == [province.police]


@pytest.mark.django_db
def test_the_national_catalogue_without_a_province(db) -> None:
    run = run_import(province="", processes=False)
    result = outcomes(run)
    assert result[NO_LEVEL] == Outcome.EXCLUDED  # the only one: no share without a province
    assert sum(1 for o in result.values() if o == Outcome.CREATED) == 41
    assert not Process.objects.exists()


@pytest.mark.django_db
def test_importing_the_same_export_again_changes_nothing(province) -> None:
    run_import()
    versions = list(ProcedureVersion.objects.values_list("pk", "updated_at"))
    events = AuditEvent.objects.filter(action__startswith="catalog.").count()
    again = run_import(start=START + datetime.timedelta(days=30))
    assert set(outcomes(again).values()) == {Outcome.UNCHANGED, Outcome.EXCLUDED}
    assert again.report["outcomes"] == {"excluded": len(EXCLUDED), "unchanged": CREATED}
    assert list(ProcedureVersion.objects.values_list("pk", "updated_at")) == versions
    assert AuditEvent.objects.filter(action__startswith="catalog.").count() == events
    # Forced to parse everything again (a parser upgrade): still nothing to write.
    forced = run_import(start=START + datetime.timedelta(days=31), force=True)
    assert forced.report["outcomes"] == {"excluded": len(EXCLUDED), "unchanged": CREATED}
    assert list(ProcedureVersion.objects.values_list("pk", "updated_at")) == versions
    assert AuditEvent.objects.filter(action__startswith="catalog.").count() == events


@pytest.mark.django_db
def test_a_changed_record_gets_one_new_version_with_its_diff(province, tmp_path) -> None:
    run_import()
    first = ImportedProcedure.objects.get(code="1.000390").version
    records = detail_lines()
    for record in records:
        if record["ma_thu_tuc"] == "1.000390":
            for channel in record["cach_thuc_thuc_hien"]:
                channel["thoi_han_giai_quyet"] = "3 WORKING_DAY"
        if record["ma_thu_tuc"] == "1.000404":
            # Only the steps' wording: recorded, no new version.
            record["trinh_tu_thuc_hien"] += " (sửa câu chữ)"
    newer = write_detail(tmp_path / "newer.jsonl", records)
    later = START + datetime.timedelta(days=40)
    run = run_import(detail=[newer], start=later)
    result = outcomes(run)
    assert [code for code, o in result.items() if o == Outcome.UPDATED] == ["1.000390"]
    assert result["1.000404"] == Outcome.UNCHANGED
    item = run.items.get(code="1.000390")
    assert item.diff["time_limit_value"] == {"before": "5.00", "after": "3.00"}
    assert set(item.diff) == {"time_limit_value"}
    procedure = Procedure.objects.get(code="1.000390")
    assert procedure.versions.count() == 2
    first.refresh_from_db()
    assert first.effective_to == later - datetime.timedelta(days=1)
    assert first.time_limit_value == 5  # the old version is untouched
    second = current_version(procedure, later)
    assert (second.version, second.time_limit_value, second.effective_from) == (2, 3, later)
    assert [p.agency for p in second.processes.all()] == [province.stp]
    assert current_version(procedure, later - datetime.timedelta(days=1)) == first


@pytest.mark.django_db
def test_a_new_version_cannot_start_before_the_one_in_force(province, tmp_path) -> None:
    run_import()
    records = detail_lines()
    for record in records:
        if record["ma_thu_tuc"] == "1.000390":
            record["ten_thu_tuc"] += " (sửa đổi)"
    run = run_import(detail=[write_detail(tmp_path / "same-day.jsonl", records)])
    item = run.items.get(code="1.000390")
    assert item.outcome == Outcome.REFUSED and "version_starts_too_early" in item.message
    assert Procedure.objects.get(code="1.000390").versions.count() == 1


@pytest.mark.django_db
def test_procedures_the_export_no_longer_has_are_retired(province, tmp_path) -> None:
    run_import()
    records = [r for r in detail_lines() if r["ma_thu_tuc"] != "1.000390"]
    later = START + datetime.timedelta(days=10)
    run = run_import(detail=[write_detail(tmp_path / "without.jsonl", records)], start=later)
    assert outcomes(run)["1.000390"] == Outcome.RETIRED
    procedure = Procedure.objects.get(code="1.000390")
    assert not procedure.active
    version = procedure.versions.get()
    assert version.effective_to == later - datetime.timedelta(days=1)
    assert ImportedProcedure.objects.get(code="1.000390").status == ImportedStatus.RETIRED
    # A run limited to some codes never retires anything.
    partial = run_import(codes=("1.000404",), start=later + datetime.timedelta(days=1))
    assert outcomes(partial) == {"1.000404": Outcome.UNCHANGED}
    # Back in a later export: applied again, as a new version.
    back = run_import(start=later + datetime.timedelta(days=5))
    assert outcomes(back)["1.000390"] == Outcome.UPDATED
    procedure.refresh_from_db()
    assert procedure.active and procedure.versions.count() == 2
    assert back.items.get(code="1.000390").diff.get("reinstated") is True


class Stop(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_run_resumes_after_its_last_record(province) -> None:
    def stop_after_ten(run: ImportRun) -> None:
        if run.done >= 10:
            raise Stop

    run = services.run_create(actor=None, options=import_options(batch=4))
    with pytest.raises(Stop):
        services.run_execute(run.pk, on_record=stop_after_ten)
    run.refresh_from_db()
    # Stopped after the third batch of four: those records and their checkpoints committed.
    assert run.status == RunStatus.FAILED and run.done == 12
    assert run.items.count() == 12
    done_codes = set(run.items.values_list("code", flat=True))
    written = {
        code: ProcedureVersion.objects.get(procedure__code=code).updated_at
        for code in done_codes
        if Procedure.objects.filter(code=code).exists()
    }
    assert written  # some procedures were committed before the stop

    # A process that died while running: its heartbeat is fresh, so nobody else takes it …
    ImportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, heartbeat_at=timezone.now()
    )
    with pytest.raises(Conflict):
        services.run_create(actor=None, options=import_options())
    assert services.run_execute(run.pk).done == 12
    # … until the heartbeat is stale: then the run is taken over and finished.
    ImportRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - importer.STALE - datetime.timedelta(seconds=1)
    )
    run = services.run_execute(run.pk)
    assert run.status == RunStatus.DONE
    assert run.items.count() == 42
    assert run.report["outcomes"] == {"created": CREATED, "excluded": len(EXCLUDED)}
    for code, stamp in written.items():
        assert ProcedureVersion.objects.get(procedure__code=code).updated_at == stamp
    assert ImportedProcedure.objects.count() == CREATED
    # The resume action of the admin queues a stopped run again.
    stopped = services.run_create(actor=None, options=import_options())
    ImportRun.objects.filter(pk=stopped.pk).update(status=RunStatus.FAILED)
    services.run_resume(actor=None, run=stopped, background=True)
    assert Job.objects.filter(name=services.TASK, payload={"run_id": stopped.pk}).exists()


@pytest.mark.django_db
def test_curated_procedures_are_never_overwritten(province) -> None:
    from tests.catalog.conftest import record

    curated = read_record(record(code="1.004222", name="Đăng ký thường trú (biên soạn)"))
    version, _ = catalog_services.record_apply(
        actor=None, procedure_spec=curated.procedure, number=1, content=curated.content
    )
    before = (version.updated_at, version.form_schema, version.time_limit_value)
    run = run_import()
    assert outcomes(run)["1.004222"] == Outcome.CURATED
    version.refresh_from_db()
    assert (version.updated_at, version.form_schema, version.time_limit_value) == before
    assert not ImportedProcedure.objects.filter(code="1.004222").exists()
    assert Procedure.objects.get(code="1.004222").name == "Đăng ký thường trú (biên soạn)"


@pytest.mark.django_db
def test_an_officers_fix_is_kept_when_the_export_changes(province, tmp_path) -> None:
    run_import()
    birth = ImportedProcedure.objects.get(code="1.001193").version
    # The officer sets the flagged limit (same-day, as Luật Hộ tịch says).
    content = catalog_services.selectors.version_spec(birth)
    from dataclasses import replace

    catalog_services.version_update(
        actor=None, version=birth, content=replace(content, time_limit_unit="instant")
    )
    records = detail_lines()
    for record in records:
        if record["ma_thu_tuc"] == "1.001193":
            record["ten_thu_tuc"] = "Thủ tục đăng ký khai sinh (mới)"
    run = run_import(
        detail=[write_detail(tmp_path / "newer.jsonl", records)],
        start=START + datetime.timedelta(days=3),
    )
    item = run.items.get(code="1.001193")
    assert item.outcome == Outcome.LOCAL_EDIT and item.diff["name"]["after"].endswith("(mới)")
    birth.refresh_from_db()
    assert birth.time_limit_unit == "instant" and birth.effective_to is None
    assert Procedure.objects.get(code="1.001193").name == "Thủ tục đăng ký khai sinh"


@pytest.mark.django_db
def test_a_version_an_officer_published_is_not_superseded(province, tmp_path) -> None:
    run_import()
    procedure = Procedure.objects.get(code="1.000390")
    content = catalog_services.selectors.version_spec(procedure.versions.get())
    from dataclasses import replace

    own = catalog_services.version_publish(
        actor=None,
        procedure=procedure,
        content=replace(content, effective_from=START + datetime.timedelta(days=5)),
    )
    records = detail_lines()
    for record in records:
        if record["ma_thu_tuc"] == "1.000390":
            record["ten_thu_tuc"] += " (sửa đổi)"
    run = run_import(
        detail=[write_detail(tmp_path / "newer.jsonl", records)],
        start=START + datetime.timedelta(days=9),
    )
    assert run.items.get(code="1.000390").outcome == Outcome.LOCAL_EDIT
    assert procedure.versions.count() == 2 and procedure.versions.latest("version") == own


@pytest.mark.django_db
def test_share_set_is_audited_and_idempotent(db) -> None:
    share = services.share_set(actor=None, province_code="51", central_ministries=["bca", "BTP"])
    assert share.central_ministries == ["BCA", "BTP"]
    count = AuditEvent.objects.filter(action="catalog_national.share.set").count()
    services.share_set(actor=None, province_code="51", central_ministries=["BTP", "BCA"])
    assert AuditEvent.objects.filter(action="catalog_national.share.set").count() == count == 1
    assert ProvinceShare.objects.count() == 1


@pytest.mark.django_db
def test_items_keep_per_record_flags_and_messages(province) -> None:
    run = run_import()
    excluded = run.items.get(code="1.005687")
    assert "tỉnh khác" in excluded.message
    money = run.items.get(code="1.011441")
    assert "fee_text" in [f["code"] for f in money.flags]
    assert ImportItem.objects.filter(run=run).count() == 42
    assert Decimal(ImportedProcedure.objects.get(code="1.004222").version.time_limit_value) == 7
