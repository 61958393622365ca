"""Reports: the situation report, the index and the tracking book as Excel and PDF, built in the
background by the worker, with the progress page, the download and the requester-only scope."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from congso.audit.models import AuditEvent
from congso.core import worker
from congso.core.errors import DomainError, PermissionDenied
from congso.core.models import Job
from congso.reports import builders, services
from congso.reports.models import ReportJob
from tests.indicators.dataset import END, START
from tests.printing.pdfcheck import fonts_of, text_of

pytestmark = pytest.mark.usefixtures("no_second_factor", "index_without_store")


def _cells(content: bytes) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _row(rows: list[list[object]], first: str) -> list[object]:
    return next(row for row in rows if row and row[0] == first)


def test_situation_report_excel_has_the_figures(month, world):
    document = builders.situation_report(start=START, end=END, scope=None)
    rows = _cells(builders.to_xlsx(document))
    assert rows[0][0].startswith("BÁO CÁO TÌNH HÌNH, KẾT QUẢ THỰC HIỆN CƠ CHẾ MỘT CỬA")
    headings = [row[0] for row in rows if row and isinstance(row[0], str)]
    for number in ("I.", "II.", "III.", "IV.", "V."):
        assert any(h.startswith(number) for h in headings), number
    # Field table: Hộ tịch — received 4, online 2, processed 3, early+on time 2, late 1.
    field = _row(rows, "Hộ tịch")
    assert field[1:4] == [4, 2, 3]
    assert field[6] == 1
    assert field[7] == "66.7 %"
    total = _row(rows, "Tổng cộng")
    assert total[1] == 4
    # Without a chosen agency, a line per agency.
    assert _row(rows, "UBND xã A")[1:6] == [4, 2, 3, 1, "66.7 %"]
    text = " ".join(str(c) for row in rows for c in row if c)
    assert "Số lượt đánh giá: 3" in text
    assert "hài lòng (4–5 điểm): 66.7 %" in text


def test_situation_report_has_the_notification_lines(month, world, notified):
    document = builders.situation_report(start=START, end=END, scope=None)
    rows = _cells(builders.to_xlsx(document))
    headings = [row[0] for row in rows if row and isinstance(row[0], str)]
    assert "Thông báo cho người dân, doanh nghiệp (SMS, thư điện tử)" in headings
    assert _row(rows, "SMS")[:5] == ["SMS", 3, 1, "33.3 %", 1]
    assert _row(rows, "Thư điện tử")[:5] == ["Thư điện tử", 4, 0, "—", 0]
    text = text_of(builders.to_pdf(document))
    assert "Thông báo cho người dân, doanh nghiệp" in text
    assert "33.3 %" in text


def test_index_report_excel_and_pdf(month):
    document = builders.index_report(start=START, end=END, scope=None)
    rows = _cells(builders.to_xlsx(document))
    on_time = _row(rows, "2.1")
    assert on_time[2:8] == [2, 4, "50.00 %", "tuyến tính", 10.0, 20]
    assert _row(rows, "1.1")[4] == "Chưa có dữ liệu"
    total = next(row for row in rows if row[1] == "TỔNG ĐIỂM (các chỉ số có dữ liệu)")
    assert total[6:8] == [29.22, 48]
    pdf = builders.to_pdf(document)
    text = text_of(pdf)
    assert "BỘ CHỈ SỐ CHỈ ĐẠO, ĐIỀU HÀNH" in text
    assert "Hồ sơ giải quyết trước hạn, đúng hạn" in text
    assert "29.22" in text
    assert all(fonts_of(pdf).values())


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_situation_pdf_extracts_vietnamese_with_pdftotext(month, tmp_path):
    document = builders.situation_report(start=START, end=END, scope=None)
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(builders.to_pdf(document))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Tình hình tiếp nhận, giải quyết thủ tục hành chính" in text
    assert "Hộ tịch" in text
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in text


def test_background_report_runs_through_the_worker(client, month, world, media):
    client.force_login(world.monitor)
    response = client.post(
        reverse("reports:list"),
        {"kind": "index", "format": "xlsx", "start": "2026-03-01", "end": "2026-03-31"},
    )
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:job", args=[job.pk])
    assert job.status == "pending" and job.progress == 0
    assert Job.objects.filter(name=services.TASK, payload={"report_id": job.pk}).exists()
    assert AuditEvent.objects.filter(
        action="reports.report.request", target_id=str(job.pk)
    ).exists()
    page = client.get(reverse("reports:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in page.content.decode()

    assert worker.drain() >= 1
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100)
    assert AuditEvent.objects.filter(action="reports.report.done", target_id=str(job.pk)).exists()
    page = client.get(reverse("reports:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert "every 2s" not in html
    assert reverse("reports:download", args=[job.pk]) in html
    download = client.get(reverse("reports:download", args=[job.pk]))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    assert _row(_cells(content), "2.1")[6] == 10.0

    # Only the requester sees the report and its file.
    client.force_login(world.leader_a)
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 404


def _request_report(client) -> ReportJob:
    response = client.post(
        reverse("reports:list"),
        {"kind": "index", "format": "xlsx", "start": "2026-03-01", "end": "2026-03-31"},
    )
    assert response.status_code == 302
    return ReportJob.objects.get()


def test_progress_page_polls_until_ready_then_offers_the_download(client, month, world, clock):
    from tests.dossiers.conftest import at

    clock.set(at(2026, 4, 1, 9, 0))
    worker.heartbeat()
    client.force_login(world.monitor)
    job = _request_report(client)
    url = reverse("reports:job", args=[job.pk])

    page = client.get(url).content.decode()
    # Polls itself (htmx, no inline script), reloads without JavaScript, says it is live.
    assert f'hx-get="{url}" hx-trigger="every 2s" hx-swap="outerHTML"' in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert "<script>" not in page and "onclick" not in page
    assert "Trang tự cập nhật; lần cập nhật gần nhất lúc 09:00:00" in page
    assert "Kỳ báo cáo: từ ngày 01/03/2026 đến ngày 31/03/2026" in page
    assert '<div id="report-announce" role="status"></div>' in page
    assert "bộ xử lý nền" not in page  # the worker is alive and the report just asked for

    poll = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert poll.startswith('<div id="report-progress" hx-get=') and "hx-swap-oob" not in poll

    assert worker.drain() >= 1
    poll = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    # Finished: no trigger left (the polling stops), the download, the one announcement.
    assert "hx-trigger" not in poll
    assert reverse("reports:download", args=[job.pk]) in poll
    assert "chi-so-766-20260301-20260331.xlsx" in poll
    assert '<div id="report-announce" role="status" hx-swap-oob="true">' in poll
    assert "Báo cáo đã lập xong" in poll
    page = client.get(url).content.decode()
    assert "noscript" not in page and "hx-trigger" not in page and "hx-swap-oob" not in page
    assert reverse("reports:download", args=[job.pk]) in page


def test_progress_page_says_when_the_report_waits_for_a_stopped_worker(client, month, world, clock):
    from tests.dossiers.conftest import at

    clock.set(at(2026, 4, 1, 9, 0))
    worker.heartbeat()
    client.force_login(world.monitor)
    job = _request_report(client)
    url = reverse("reports:job", args=[job.pk])
    # Still waiting a minute later (nothing ran it): said plainly, still polling.
    clock.set(at(2026, 4, 1, 9, 1))
    poll = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "bộ xử lý nền đang bận hoặc không hoạt động" in poll and "hx-trigger" in poll
    # A running report whose worker stopped sending heartbeats: the same notice.
    ReportJob.objects.filter(pk=job.pk).update(status="running", progress=40)
    clock.set(at(2026, 4, 1, 9, 10))
    poll = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "(40 %)" in poll and "bộ xử lý nền đang bận hoặc không hoạt động" in poll
    # Heard from again: the notice goes.
    worker.heartbeat()
    poll = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "bộ xử lý nền" not in poll


def test_tracking_book_report_reuses_form_06(month, world, media):
    job = services.report_request(
        actor=world.reception_a,
        kind="tracking_book",
        fmt="pdf",
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        desk_id=world.desk_a.pk,
    )
    services.report_build(job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    text = text_of(job.file.read())
    assert "SỔ THEO DÕI HỒ SƠ" in text.upper()
    assert month.a1.code in text
    excel = services.report_request(
        actor=world.reception_a,
        kind="tracking_book",
        fmt="xlsx",
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        desk_id=world.desk_a.pk,
    )
    services.report_build(excel.pk)
    excel.refresh_from_db()
    rows = _cells(excel.file.read())
    codes = {row[1] for row in rows if row and isinstance(row[0], int)}
    assert codes == {month.a1.code, month.a2.code, month.a3.code, month.a4.code}


def test_report_requests_are_checked(month, world):
    with pytest.raises(PermissionDenied):
        services.report_request(
            actor=world.reception_a, kind="index", fmt="pdf", start=START, end=END
        )
    with pytest.raises(PermissionDenied):
        services.report_request(
            actor=world.citizen_user, kind="index", fmt="pdf", start=START, end=END
        )
    with pytest.raises(DomainError) as error:
        services.report_request(actor=world.monitor, kind="index", fmt="pdf", start=END, end=START)
    assert error.value.code == "invalid_range"
    with pytest.raises(DomainError) as error:
        services.report_request(
            actor=world.leader_b,
            kind="situation",
            fmt="pdf",
            start=START,
            end=END,
            agency_id=world.commune_a.pk,
        )
    assert error.value.code == "invalid_agency"
    with pytest.raises(DomainError) as error:
        services.report_request(
            actor=world.reception_b,
            kind="tracking_book",
            fmt="pdf",
            start=START,
            end=END,
            desk_id=world.desk_a.pk,
        )
    assert error.value.code == "invalid_desk"
    assert not ReportJob.objects.exists()


def test_form_errors_are_shown_in_vietnamese(client, month, world):
    client.force_login(world.reception_a)
    response = client.post(
        reverse("reports:list"),
        {"kind": "index", "format": "pdf", "start": "2026-03-01", "end": "2026-03-31"},
    )
    assert response.status_code == 403
    assert "Chỉ lãnh đạo cơ quan" in response.content.decode()
    client.force_login(world.citizen_user)
    assert client.get(reverse("reports:list")).status_code == 404
