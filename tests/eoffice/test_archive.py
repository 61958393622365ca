"""PAdES-LTA upkeep (issue 16): ``signing_retimestamp`` lists the stored signed PDFs whose newest
time-stamp's TSA certificate ends within N days and, with ``--apply``, adds an archival document
time-stamp to each (an incremental update, audited); the report then shows PAdES B-LTA. With the
demo PKI and its TSA on loopback; the TSA's certificate is renewed as a real TSA's would be."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from congso.audit.models import AuditEvent
from congso.eoffice import services, signature
from congso.signing import archive, pki, tokens, validation
from tests.backoffice.test_english import _in_english, english
from tests.eoffice.conftest import World
from tests.eoffice.test_seal import _main, _signed, demo_pki, sealed_world  # noqa: F401

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("signing_retimestamp", *args, stdout=out)
    return out.getvalue()


def test_retimestamp_lists_then_archives_and_the_report_shows_lta(
    sealed_world: World,  # noqa: F811
    demo_pki: pki.DemoPKI,  # noqa: F811
    settings: Any,
) -> None:
    settings.EOFFICE_SIGNATURE_LEVEL = "B-LT"
    settings.SIGNING_PUBLIC_URL = "http://congso.test"
    office = sealed_world.ubnd
    document = _signed(sealed_world, subject="Về việc lưu trữ văn bản điện tử dài hạn")
    issued = services.document_issue(actor=office.clerk, document_id=document.pk)
    before = _main(issued)
    stamps_before = tokens.timestamps(before)
    assert [s.kind for s in stamps_before] == ["signature", "signature"]
    tsa_end = stamps_before[-1].tsa_not_after
    days_left = (tsa_end - datetime.datetime.now(datetime.UTC)).days
    assert validation.validate_pdf(before).lta is False

    # Not due yet: the TSA certificate ends after the window.
    assert "hết hạn trong 30 ngày: 0" in _run("--days", "30")
    # Due with a window past its end: listed by the dry run, nothing changed.
    window = str(days_left + 10)
    listed = _run("--days", window)
    assert f"eoffice.document {issued.number_notation}" in listed and "chạy thử" in listed
    assert _main(issued) == before
    assert not AuditEvent.objects.filter(action__startswith="signing.archive").exists()

    # The TSA renews its certificate; the archival time-stamp comes from the new one.
    renewed = demo_pki.renew_tsa(
        not_after=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days_left + 400)
    )
    applied = _run("--days", window, "--apply")
    assert "đã đóng dấu lưu trữ" in applied and "PAdES B-LTA" in applied
    after = _main(issued)
    assert after.startswith(before) and len(after) > len(before)
    newest = tokens.timestamps(after)[-1]
    assert newest.kind == "document"
    assert newest.tsa_not_after == renewed.not_valid_after_utc
    report = validation.validate_pdf(after)
    assert report.indication == validation.PASSED, report
    assert report.lta and report.document_timestamps == 1
    assert {s.field_name: s.level for s in report.signatures} == {
        signature.FIELD: "B-LTA",
        signature.SEAL_FIELD: "B-LTA",
    }
    # Offline, with only what the file carries: still valid.
    assert validation.validate_pdf(after, online=False).indication == validation.PASSED
    event = AuditEvent.objects.get(action="signing.archive.retimestamp")
    assert event.after["code"] == issued.number_notation
    assert event.after["sha256"] == signature.sha256(after)
    assert event.after["levels"] == ["B-LTA", "B-LTA"]

    # Now the newest TSA certificate ends after the window: nothing left to do.
    assert f"hết hạn trong {window} ngày: 0" in _run("--days", window, "--apply")

    # The public page shows the archival level and the time-stamp chain.
    page = Client().get(signature.verify_url(issued).removeprefix("http://congso.test"))
    html = page.content.decode()
    assert "Lưu trữ dài hạn: PAdES B-LTA" in html and "PAdES B-LTA" in html
    assert "chứng thư của TSA hiệu lực đến" in html
    # A copy taken before the archival time-stamp is recognised as an earlier version.
    copy = io.BytesIO(before)
    copy.name = "ban-da-nhan.pdf"
    compared = Client().post(
        signature.verify_url(issued).removeprefix("http://congso.test"), {"file": copy}
    )
    assert "Bản tải lên là một phiên bản trước của bản gốc" in compared.content.decode()
    _in_english(
        english(),
        signature.verify_url(issued).removeprefix("http://congso.test"),
        ["Verify a digitally signed electronic document", "Long-term archival: PAdES B-LTA",
         "TSA certificate valid until", "Conclusion: Valid"],
        ["Xác thực văn bản điện tử", "Lưu trữ dài hạn", "chứng thư của TSA", "Kết luận:"],
    )  # fmt: skip


def test_a_tsa_that_is_down_leaves_the_file_and_is_audited(
    sealed_world: World,  # noqa: F811
    demo_pki: pki.DemoPKI,  # noqa: F811
    settings: Any,
) -> None:
    settings.EOFFICE_SIGNATURE_LEVEL = "B-T"
    office = sealed_world.ubnd
    document = _signed(sealed_world)
    issued = services.document_issue(actor=office.clerk, document_id=document.pk)
    before = _main(issued)
    settings.SIGNING_TSA_URL = "http://127.0.0.1:9/tsa"
    with pytest.raises(CommandError):
        _run("--days", "100000", "--apply")
    assert _main(issued) == before
    failed = AuditEvent.objects.get(action="signing.archive.retimestamp_failed")
    assert failed.after["error"] == "tsa_unavailable"
    # A B-T document becomes B-LTA: its signatures' validation data is embedded first.
    settings.SIGNING_TSA_URL = ""
    done = archive.retimestamp(within_days=100000, apply=True)
    assert [c.done for c in done] == [True]
    report = validation.validate_pdf(_main(issued))
    assert report.indication == validation.PASSED and report.lta
