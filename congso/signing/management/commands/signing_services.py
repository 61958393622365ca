"""Serve the demo PKI's OCSP responder, CRLs and TSA on loopback until interrupted."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from congso.signing import pki


class Command(BaseCommand):
    help = "Chạy dịch vụ OCSP, CRL và cấp dấu thời gian của PKI thử nghiệm."

    def handle(self, *args: Any, **options: Any) -> None:
        demo = pki.DemoPKI(settings.SIGNING_DEMO_PKI_DIR)
        server = pki.make_server(demo)
        self.stdout.write(f"Demo PKI services on {demo.base_url} (Ctrl-C stops).")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
