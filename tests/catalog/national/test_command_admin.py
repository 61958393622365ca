"""The management command and the admin action (a background job with its progress page)."""

from __future__ import annotations

import json
import os
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from congso.accounts.models import User
from congso.catalog.national.models import ImportRun, ProvinceShare, RunStatus
from congso.core import worker
from congso.core.models import Job

pytestmark = pytest.mark.django_db
BASE = "/quan-tri/catalog_national"


def test_the_command_imports_a_provinces_share_and_writes_the_report(
    province, data_folder: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    out = StringIO()
    call_command(
        "catalog_national_import",
        "--province",
        "51",
        "--data",
        str(data_folder),
        "--receive-ministry",
        "BCA",
        "--effective-from",
        "2026-07-20",
        "--report",
        str(report),
        stdout=out,
    )
    text = out.getvalue()
    assert "Lần nhập #" in text and "Tạo mới 35" in text
    assert "Thời hạn giải quyết (time_limit): đọc được" in text
    assert ProvinceShare.objects.get(province_code="51").central_ministries == ["BCA"]
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["report"]["outcomes"]["created"] == 35
    birth = next(item for item in document["items"] if item["code"] == "1.001193")
    assert birth["flags"][0]["code"] == "limit_other"
    # Again: nothing changes.
    again = StringIO()
    call_command(
        "catalog_national_import", "--province", "51", "--data", str(data_folder), stdout=again
    )
    assert "Không đổi 35" in again.getvalue()
    with pytest.raises(CommandError, match="đang dở"):
        call_command("catalog_national_import", "--resume", stdout=StringIO())


def test_the_command_needs_a_scope_and_sources(db, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--province"):
        call_command("catalog_national_import", "--data", str(tmp_path), stdout=StringIO())
    with pytest.raises(CommandError, match="Cần ít nhất một tệp"):
        call_command("catalog_national_import", "--all", "--data", str(tmp_path), stdout=StringIO())


@pytest.fixture
def admin_client(settings: Any, data_folder: Path) -> Client:
    settings.OFFICER_2FA_REQUIRED = False
    settings.CATALOG_NATIONAL_DATA = data_folder
    client = Client()
    client.force_login(User.objects.create_superuser(username="quantri", password="x"))
    return client


def test_the_admin_action_runs_the_import_in_the_background(province, admin_client) -> None:
    share = ProvinceShare.objects.create(province_code="51", central_ministries=["BTP"])
    response = admin_client.post(
        f"{BASE}/provinceshare/", {"action": "import_share", "_selected_action": [share.pk]}
    )
    run = ImportRun.objects.get()
    progress = f"{BASE}/importrun/{run.pk}/tien-do/"
    assert response.status_code == 302 and response["Location"] == progress
    assert run.status == RunStatus.PENDING and run.params["province"] == "51"
    assert Job.objects.filter(name="catalog_national.import", payload={"run_id": run.pk}).exists()
    page = admin_client.get(progress)
    assert page.status_code == 200
    assert 'hx-trigger="every 2s"' in page.content.decode()  # polls while it runs
    # A second import may not start while this one is queued.
    admin_client.post(
        f"{BASE}/provinceshare/", {"action": "import_share", "_selected_action": [share.pk]}
    )
    assert ImportRun.objects.count() == 1

    assert worker.run_job() is not None
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.progress == 100
    partial = admin_client.get(progress, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial.status_code == 200 and "every 2s" not in body
    assert "Tạo mới" in body and "Cần cán bộ xem" in body and "1.001193" in body
    listing = admin_client.get(f"{BASE}/importitem/?run__id__exact={run.pk}&co=co")
    assert listing.status_code == 200 and "1.001193" in listing.content.decode()
    assert admin_client.get(f"{BASE}/importedprocedure/").status_code == 200


def test_the_import_pages_are_for_the_catalogues_managers(province, settings) -> None:
    settings.OFFICER_2FA_REQUIRED = False
    user = User.objects.create_user(username="canbo", password="x", is_staff=True)
    client = Client()
    client.force_login(user)
    run = ImportRun.objects.create(params={"province": "51"})
    assert client.get(f"{BASE}/importrun/{run.pk}/tien-do/").status_code in (302, 403)
    assert client.get(f"{BASE}/provinceshare/").status_code in (302, 403)


def test_editing_a_share_in_the_admin_goes_through_the_service(admin_client) -> None:
    response = admin_client.post(
        f"{BASE}/provinceshare/add/",
        {
            "province_code": "51",
            "central_ministries": "bca, BTP",
            "central_codes": "1.000178",
            "local_codes": "",
            "excluded_codes": "1.000390\n1.000404",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    share = ProvinceShare.objects.get()
    assert share.central_ministries == ["BCA", "BTP"]
    assert share.excluded_codes == ["1.000390", "1.000404"]
    from congso.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="catalog_national.share.set").count() == 1


def test_once_imports_the_same_sources_only_once(province, data_folder: Path) -> None:
    """The demo's ``--once``: a second run with the same files and scope does nothing; a
    changed file makes a run again (which itself changes only what changed)."""
    args = ("catalog_national_import", "--province", "51", "--data", str(data_folder), "--once")
    first = StringIO()
    call_command(*args, "--effective-from", "2026-07-20", stdout=first)
    assert "Tạo mới 34" in first.getvalue()
    assert ImportRun.objects.get().params["signature"]
    again = StringIO()
    call_command(*args, stdout=again)
    assert "không nhập lại" in again.getvalue() and ImportRun.objects.count() == 1
    # A run another process is making is left to it; one that stopped is resumed.
    ImportRun.objects.update(status=RunStatus.RUNNING, heartbeat_at=timezone.now())
    call_command(*args, stdout=(busy := StringIO()))
    assert "không nhập lại" in busy.getvalue()
    ImportRun.objects.update(status=RunStatus.FAILED)
    call_command(*args, stdout=StringIO())
    assert ImportRun.objects.get().status == RunStatus.DONE
    detail = next(data_folder.rglob("*.jsonl*"))
    detail.touch()
    os.utime(detail, ns=(detail.stat().st_atime_ns, detail.stat().st_mtime_ns + 10**9))
    changed = StringIO()
    call_command(*args, stdout=changed)
    assert "Không đổi 34" in changed.getvalue() and ImportRun.objects.count() == 2
