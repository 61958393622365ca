"""Signing throughput: a two-page result signed at PAdES B-T (and B-B) with congso's signer (key
parsed once, signature size reserved) against raw pyHanko with its default signer
(``SimpleSigner.load_pkcs12`` per signature, size-estimating dry run) on the same document,
with the same demo PKI and loopback TSA, in the same run. Prints JSON.

    .venv/bin/python -m bench.signing_bench [--rounds 30]
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _measure(rounds: int, action: Callable[[], bytes]) -> dict[str, float]:
    action()  # warm-up (imports, font registration, first TSA connection)
    timings: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    return {
        "median_ms": round(median * 1000, 1),
        "p90_ms": round(sorted(timings)[int(0.9 * (len(timings) - 1))] * 1000, 1),
        "signatures_per_second": round(1 / median, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="congso-signing-bench-"))
    os.environ.setdefault("CONGSO_DATA_DIR", str(scratch))
    os.environ["DJANGO_SETTINGS_MODULE"] = "congso.settings.base"
    import django

    django.setup()
    import socket

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers as ph_signers
    from pyhanko.sign.fields import SigSeedSubFilter

    from congso.printing.eresults import example_birth_extract
    from congso.results import render
    from congso.signing import pades, pki, signers, stamps
    from congso.signing.models import SignerProfile

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    directory = scratch / "pki"
    pki.generate(directory, base_url=f"http://127.0.0.1:{port}")
    demo = pki.DemoPKI(directory)
    server = pki.serve_in_thread(demo)
    tsa = pades.UrlTimeStamper(f"{demo.base_url}/tsa")
    document = render.ResultDocument(
        code="000.00.51.H51-260105-0001-KQ(1)",
        document=example_birth_extract(),
        verify_url="http://127.0.0.1:8000/xac-thuc/thu-nghiem/",
        dossier_code="000.00.51.H51-260105-0001",
        procedure_name="Thủ tục đăng ký khai sinh",
        applicant_name="Nguyễn Thị Hồng Nhung",
        received_at=None,
        processed_at=None,
        legal_basis="Luật Hộ tịch năm 2014",
        roles=["approval"],
    )
    pdf = pades.add_fields(
        render.render_result(document), {"Sig1_approval": render.FIELD_BOXES["approval"]}
    )
    from pyhanko.pdf_utils.reader import PdfFileReader

    pages = len(list(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"]))
    profile = SignerProfile(
        display_name="Nguyễn Văn Bình",
        title="Chủ tịch",
        config={"p12_path": "officers/chu-tich.p12"},
    )
    from django.conf import settings

    settings.SIGNING_DEMO_PKI_DIR = directory

    def congso(level: str) -> Callable[[], bytes]:
        def run() -> bytes:
            stamp = stamps.StampText(
                signer="Nguyễn Văn Bình",
                title="CHỦ TỊCH",
                agency="Ủy ban nhân dân xã Tịnh Khê",
                moment=datetime.datetime.now(datetime.UTC),
            )
            return pades.sign(
                pdf,
                signer=signers.REGISTRY["soft_token"].signer(profile),
                request=pades.SignRequest(
                    field_name="Sig1_approval", level=level, certify=True, stamp_text=stamp
                ),
                timestamper=tsa if level != "B-B" else None,
            )

        return run

    def raw(level: str) -> Callable[[], bytes]:
        def run() -> bytes:
            signer = ph_signers.SimpleSigner.load_pkcs12(
                str(demo.officer_p12("chu-tich")), passphrase=pki.DEMO_PASSPHRASE.encode()
            )
            assert signer is not None
            meta = ph_signers.PdfSignatureMetadata(
                field_name="Sig1_approval", subfilter=SigSeedSubFilter.PADES, certify=True
            )
            out = io.BytesIO()
            ph_signers.PdfSigner(
                meta, signer=signer, timestamper=tsa if level != "B-B" else None
            ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), output=out)
            return out.getvalue()

        return run

    results: dict[str, Any] = {
        "document": {"pages": pages, "bytes": len(pdf)},
        "rounds": args.rounds,
        "key": "RSA-2048, PKCS#12 soft token; TSA on loopback",
    }
    for level in ("B-B", "B-T"):
        results[f"congso_{level}"] = _measure(args.rounds, congso(level))
        results[f"raw_pyhanko_{level}"] = _measure(args.rounds, raw(level))
    # Validation of the B-T result with online revocation checking, without and with the
    # process-wide OCSP/CRL cache (congso/signing/revcache.py).
    from congso.signing import revcache, validation

    settings.SIGNING_TRUST_ROOTS = [str(directory / "root.crt")]
    signed_bt = congso("B-T")()

    def validate() -> bytes:
        report = validation.validate_pdf(signed_bt, online=True)
        assert report.indication == validation.PASSED, report.signatures[0].messages
        return b""

    for label, size in (("validate_B-T_no_cache", 0), ("validate_B-T_cached", 256)):
        settings.SIGNING_REVOCATION_CACHE_SIZE = size
        revcache.OCSP_CACHE.clear()
        revcache.CRL_CACHE.clear()
        results[label] = _measure(args.rounds, validate)
        results[label]["validations_per_second"] = results[label].pop("signatures_per_second")
    target = results["congso_B-T"]["median_ms"]
    results["target_B-T_median_ms"] = 100
    results["target_met"] = target <= 100
    results["speedup_B-T"] = round(results["raw_pyhanko_B-T"]["median_ms"] / target, 2)
    server.shutdown()
    server.server_close()
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
