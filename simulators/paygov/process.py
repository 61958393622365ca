"""Start, stop and drive the national payment platform simulator as its own process.

``python -m simulators.paygov start|stop|status [--dir DIR]`` (default DIR ``var/paygov``);
``start`` prints the ``CONGSO_PAYGOV_*`` variables that point congso at it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from simulators._process import SimulatorProcess


@dataclass
class PayGovSimulator(SimulatorProcess):
    name: ClassVar[str] = "paygov"
    title: ClassVar[str] = "the national payment platform simulator"
    partner_code: str = "CONGSO-QNG"
    secret: str = "sim-paygov-secret"  # noqa: S105 - a local simulator's

    def env(self) -> dict[str, str]:
        return {
            "CONGSO_PAYGOV_URL": self.url,
            "CONGSO_PAYGOV_PARTNER_CODE": self.partner_code,
            "CONGSO_PAYGOV_SECRET": self.secret,
        }

    def pay(self, payment_url: str, action: str = "pay") -> dict[str, Any]:
        """The citizen presses a button of the platform's pay page at ``payment_url``."""
        return dict(self._call("/_sim/pay", {"payment_url": payment_url, "action": action}))
