"""PAdES levels, tampering, revocation, expiry and offline validation on a rendered result
(pyHanko decides; Poppler's pdfsig and qpdf check the files independently)."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest

from congso.signing import pki, revcache, validation
from congso.signing.validation import FAILED, PASSED
from tests.signing.conftest import run, sign_level

LEVELS = ["B-B", "B-T", "B-LT", "B-LTA"]


@pytest.fixture(scope="module")
def signed_by_level(
    demo_pki: pki.DemoPKI, unsigned_pdf: bytes, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, bytes]:
    from django.conf import settings

    settings.SIGNING_TRUST_ROOTS = [str(demo_pki.directory / "root.crt")]
    settings.SIGNING_DEMO_PKI_URL = demo_pki.base_url
    settings.SIGNING_DEMO_PKI_DIR = demo_pki.directory
    settings.SIGNING_TSA_URL = ""
    return {level: sign_level(unsigned_pdf, level) for level in LEVELS}


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_validates_and_reaches_its_level(
    signed_by_level: dict[str, bytes], level: str
) -> None:
    report = validation.validate_pdf(signed_by_level[level])
    assert report.indication == PASSED, report.signatures[0].messages
    (signature,) = report.signatures
    assert signature.level == level
    assert signature.signer.common_name == "Nguyễn Văn Bình"
    assert signature.certification == "FILL_FORMS"
    assert signature.modified_after_signing is False
    assert signature.trust_anchor and "Gốc" in signature.trust_anchor
    assert len(signature.chain) == 3
    if level == "B-B":
        assert signature.timestamp is None
    else:
        assert signature.timestamp and signature.timestamp["valid"] is True
    if level in ("B-LT", "B-LTA"):
        embedded = signature.revocation["embedded_in_document"]
        assert embedded["ocsp"] + embedded["crl"] >= 1
    assert report.document_timestamps == (1 if level == "B-LTA" else 0)


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("level", LEVELS)
def test_pdfsig_reports_the_signature_valid(
    signed_by_level: dict[str, bytes], level: str, tmp_path: Path
) -> None:
    path = tmp_path / f"{level}.pdf"
    path.write_bytes(signed_by_level[level])
    output = run("pdfsig", str(path))
    assert "Signature Field Name: Sig1_approval" in output
    block = output.split("Sig1_approval", 1)[1].split("Signature #", 1)[0]
    assert "Signature Validation: Signature is Valid." in block
    assert "Nguyễn Văn Bình" in block


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf not installed")
@pytest.mark.parametrize("level", LEVELS)
def test_qpdf_check_is_clean(signed_by_level: dict[str, bytes], level: str, tmp_path: Path) -> None:
    path = tmp_path / f"{level}.pdf"
    path.write_bytes(signed_by_level[level])
    completed = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert b"No syntax or stream encoding errors" in completed.stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_vietnamese_stamp_text_extracts(signed_by_level: dict[str, bytes], tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_by_level["B-T"])
    text = run("pdftotext", "-f", "1", "-l", "1", str(path), "-")
    for expected in (
        "Ký bởi: Nguyễn Văn Bình",
        "Chức vụ: CHỦ TỊCH",
        "Cơ quan: Ủy ban nhân dân xã Tịnh Khê",
        "Thời gian ký: ",
    ):
        assert expected in text
    for english in ("Digitally signed", "Timestamp:", "Signed by"):
        assert english not in text
    assert "TRÍCH LỤC KHAI SINH" in text


def test_a_byte_changed_after_signing_fails(signed_by_level: dict[str, bytes]) -> None:
    data = bytearray(signed_by_level["B-T"])
    position = data.index(b"ReportLab")
    data[position] = ord("X")
    report = validation.validate_pdf(bytes(data))
    assert report.indication == FAILED
    assert report.signatures[0].sub_indication == "HASH_FAILURE"
    assert report.signatures[0].intact is False


def test_revoked_certificate_is_reported_revoked(
    demo_pki: pki.DemoPKI, unsigned_pdf: bytes
) -> None:
    signed = sign_level(unsigned_pdf, "B-B", officer="thu-hoi")
    assert validation.validate_pdf(signed).indication == PASSED
    demo_pki.revoke(
        "thu-hoi", at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    )
    # The validator reuses the OCSP answer it cached ("good") until its nextUpdate or the
    # configured maximum age (revcache.py); once that has passed, the revocation is seen.
    assert validation.validate_pdf(signed).indication == PASSED
    revcache.OCSP_CACHE.clear()
    revcache.CRL_CACHE.clear()
    report = validation.validate_pdf(signed)
    assert report.indication != PASSED
    assert "REVOKED" in (report.signatures[0].sub_indication or "")


@pytest.fixture(scope="module")
def expired_signatures(demo_pki: pki.DemoPKI, unsigned_pdf: bytes) -> dict[str, bytes]:
    """B-B and B-T signatures by a certificate that expires seconds after signing."""
    import time

    not_after = datetime.datetime.now(datetime.UTC).replace(microsecond=0) + datetime.timedelta(
        seconds=4
    )
    demo_pki.issue_officer(
        "het-han",
        full_name="Võ Minh Tâm",
        title="Công chức tư pháp - hộ tịch",
        agency="Ủy ban nhân dân xã Tịnh Khê",
        not_after=not_after,
    )
    signed = {level: sign_level(unsigned_pdf, level, officer="het-han") for level in ("B-B", "B-T")}
    time.sleep(max(0.0, (not_after - datetime.datetime.now(datetime.UTC)).total_seconds()) + 1.5)
    return signed


def test_expired_certificate_without_timestamp(expired_signatures: dict[str, bytes]) -> None:
    report = validation.validate_pdf(expired_signatures["B-B"])
    assert report.indication == "INDETERMINATE"
    assert report.signatures[0].sub_indication == "OUT_OF_BOUNDS_NO_POE"


def test_expired_certificate_with_timestamp_stays_valid(
    expired_signatures: dict[str, bytes],
) -> None:
    report = validation.validate_pdf(expired_signatures["B-T"])
    assert report.indication == PASSED, report.signatures[0].messages
    signature = report.signatures[0]
    assert signature.best_signature_time is not None
    best = datetime.datetime.fromisoformat(signature.best_signature_time)
    assert best < datetime.datetime.fromisoformat(signature.signer.not_after)


def test_lta_result_validates_offline(signed_by_level: dict[str, bytes], settings: object) -> None:
    report = validation.validate_pdf(signed_by_level["B-LTA"], online=False)
    assert report.indication == PASSED, report.signatures[0].messages


def test_bb_cannot_be_checked_offline_without_revocation_data(
    signed_by_level: dict[str, bytes],
) -> None:
    report = validation.validate_pdf(signed_by_level["B-B"], online=False)
    assert report.indication != PASSED
