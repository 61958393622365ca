"""Start, stop and drive the VNPay (and bank) simulator as a separate process (tests, demo).

``python -m simulators.vnpay start|stop|status [--dir DIR] [--ipn URL] [--bank-webhook URL]``
runs it in the background (default DIR ``var/vnpay``); ``start`` prints the ``CONGSO_VNPAY_*``
and ``CONGSO_VIETQR_*`` variables that point congso at it. The configuration, the chosen port,
the log, the process id and the daily statement files live in DIR.
"""

from __future__ import annotations

import datetime
import urllib.request
from dataclasses import dataclass
from typing import Any, ClassVar

from simulators._process import SimulatorProcess


@dataclass
class VNPaySimulator(SimulatorProcess):
    name: ClassVar[str] = "vnpay"
    title: ClassVar[str] = "the VNPay simulator"
    ipn_url: str = ""
    bank_webhook: str = ""
    tmn_code: str = "CONGSO01"
    hash_secret: str = "sim-vnpay-hash-secret"  # noqa: S105 - a local simulator's
    bank_bin: str = "970415"  # VietinBank's NAPAS BIN
    bank_account: str = "113000001234"
    bank_account_name: str = "KHO BAC NHA NUOC TINH"
    bank_secret: str = "sim-bank-webhook-secret"  # noqa: S105

    def env(self) -> dict[str, str]:
        """The settings that point congso at this simulator."""
        return {
            "CONGSO_VNPAY_PAY_URL": f"{self.url}/paymentv2/vpcpay.html",
            "CONGSO_VNPAY_TMN_CODE": self.tmn_code,
            "CONGSO_VNPAY_HASH_SECRET": self.hash_secret,
            "CONGSO_VNPAY_API_URL": f"{self.url}/merchant_webapi/api/transaction",
            "CONGSO_VIETQR_BANK_BIN": self.bank_bin,
            "CONGSO_VIETQR_ACCOUNT": self.bank_account,
            "CONGSO_VIETQR_ACCOUNT_NAME": self.bank_account_name,
            "CONGSO_VIETQR_WEBHOOK_SECRET": self.bank_secret,
        }

    # --- Control ----------------------------------------------------------------------------

    def pay(self, url: str, action: str = "pay") -> dict[str, Any]:
        """The citizen presses a button of the pay page opened at ``url``."""
        return dict(self._call("/_sim/pay", {"url": url, "action": action}))

    def transfer(self, *, amount: int, description: str) -> dict[str, Any]:
        """A citizen's bank transfer to the collecting account (a scanned VietQR code)."""
        return dict(
            self._call("/_sim/bank/transfer", {"amount": amount, "description": description})
        )

    def statement(self, day: datetime.date, *, bank: bool = False) -> bytes:
        path = "/_sim/bank/statement" if bank else "/_sim/statement"
        with urllib.request.urlopen(  # noqa: S310 - loopback
            f"{self.url}{path}?day={day.isoformat()}", timeout=10
        ) as response:
            return bytes(response.read())
