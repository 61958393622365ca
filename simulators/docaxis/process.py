"""Start, stop and drive the document axis simulator as a separate process.

``python -m simulators.docaxis start|stop|status [--dir DIR]`` runs it in the background
(default DIR ``var/docaxis``); ``start`` prints the ``CONGSO_DOCAXIS_*`` variables of the first
system. The configuration, the chosen port, the log and the process id live in DIR.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, ClassVar

from simulators._process import SimulatorProcess


def _demo_systems() -> list[dict[str, Any]]:
    """The demo province's e-office (its People's Committee, departments and communes) and a
    second instance standing for another province."""
    return [
        {
            "system_id": "congso-h51",
            "secret": "sim-secret-h51",
            "organs": ["000.00.00.H51"]
            + [f"000.00.{n:02d}.H51" for n in range(1, 9)]
            + [f"000.00.{n:02d}.H51" for n in range(51, 61)],
        },
        {
            "system_id": "congso-h52",
            "secret": "sim-secret-h52",
            "organs": ["000.00.00.H52", "000.00.01.H52"],
            "names": {
                "000.00.00.H52": "Ủy ban nhân dân tỉnh Hai",
                "000.00.01.H52": "Sở Nội vụ tỉnh Hai",
            },
        },
    ]


@dataclass
class DocAxisSimulator(SimulatorProcess):
    name: ClassVar[str] = "docaxis"
    title: ClassVar[str] = "the axis simulator"
    systems: list[dict[str, Any]] = field(default_factory=_demo_systems)

    def env(self, system_id: str = "") -> dict[str, str]:
        """The settings that point congso (as ``system_id``, default the first) at it."""
        system = next((s for s in self.systems if s["system_id"] == system_id), self.systems[0])
        return {
            "CONGSO_DOCAXIS_URL": self.url,
            "CONGSO_DOCAXIS_SYSTEM_ID": system["system_id"],
            "CONGSO_DOCAXIS_SECRET": system["secret"],
        }

    # --- Control ----------------------------------------------------------------------------

    def faults(self, *names: str) -> None:
        """Queue faults for the next sends: ``timeout``, ``5xx``, ``duplicate``."""
        super().faults(*names)

    def inject(self, *, to: str, data: bytes, message_type: str = "edoc") -> str:
        """Put a package in the inbox of ``to``'s system as if another system had sent it."""
        answer = self._call(
            "/_sim/inject",
            {"to": to, "messagetype": message_type, "data": base64.b64encode(data).decode()},
        )
        return str(answer["docId"])

    def package(self, doc_id: str) -> bytes:
        answer = self._call(f"/_sim/package/{doc_id}")
        return base64.b64decode(answer["data"])
