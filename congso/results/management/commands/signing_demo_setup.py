"""Signing in the demo province: demo PKI, signer profiles (signing) and result templates
(results), idempotent. The command keeps its name (``scripts/demo`` calls it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from congso.results import demo
from congso.signing.demo import render_summary


class Command(BaseCommand):
    help = (
        "Chuẩn bị ký số cho tỉnh demo (idempotent, chỉ dùng thử): PKI thử nghiệm, mẫu kết quả "
        "điện tử của các thủ tục khai sinh, khai tử, kết hôn, đăng ký hộ kinh doanh và chữ ký số "
        "(tệp PKCS#12) cho lãnh đạo, văn thư demo. Chạy sau load_demo và load_catalog_demo."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = demo.setup()
        if summary.pki_created:
            self.stderr.write(f"Demo PKI generated in {summary.pki_dir} ({summary.base_url}).")
        if summary.certificates_issued:
            self.stderr.write(f"{summary.certificates_issued} officer certificate(s) issued.")
        self.stdout.write(render_summary(summary), ending="")
