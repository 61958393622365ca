"""Start, stop and drive the LGSP + national-portal simulator as a separate process (tests,
``scripts/demo``, ``bench/``).

``python -m simulators.lgsp start|stop|status [--dir DIR]`` runs it in the background (default
DIR ``var/lgsp``); ``start`` prints the ``CONGSO_LGSP_*`` variables that point congso at it.
The configuration, the chosen port, the log and the process id live in DIR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from simulators._process import SimulatorProcess


@dataclass
class LgspSimulator(SimulatorProcess):
    name: ClassVar[str] = "lgsp"
    title: ClassVar[str] = "the LGSP simulator"
    username: str = "congso"
    password: str = "sim-lgsp-password"  # noqa: S105 - a local simulator's
    unit_code: str = "000.00.00.H51"
    timeout_seconds: float = 3.0
    #: More systems on the platform (other congso instances): ``[{"username", "password",
    #: "unit_code"}]``; messages are routed between all of them (liên thông).
    systems: list[dict[str, str]] = field(default_factory=list)
    #: Bridged back-ends (``bridge.py``): ``{"CSDLDC": {"url", "token"}, "VDXP": {"url"}}``.
    upstreams: dict[str, dict[str, Any]] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        """The settings that point congso at this simulator."""
        return {
            "CONGSO_LGSP_URL": self.url,
            "CONGSO_LGSP_USERNAME": self.username,
            "CONGSO_LGSP_PASSWORD": self.password,
            "CONGSO_LGSP_UNIT_CODE": self.unit_code,
        }

    def env_for(self, unit_code: str) -> dict[str, str]:
        """The settings that point another system (one of ``systems``) at this simulator."""
        for system in self.systems:
            if system["unit_code"] == unit_code:
                return {
                    "CONGSO_LGSP_URL": self.url,
                    "CONGSO_LGSP_USERNAME": system["username"],
                    "CONGSO_LGSP_PASSWORD": system["password"],
                    "CONGSO_LGSP_UNIT_CODE": unit_code,
                }
        raise KeyError(unit_code)

    def deliver(self, sender: str, recipient: str, message: Any) -> str:
        """Put ``message`` in ``recipient``'s mailbox as if ``sender`` had sent it."""
        answer = self._call(
            "/_sim/deliver", {"NoiGui": sender, "NoiNhan": recipient, "ThongDiep": message}
        )
        return str(answer["MaThongDiep"])

    def routed(self) -> list[dict[str, Any]]:
        """Every message the platform routed between systems, in order."""
        return list(self.state()["routed"])

    # --- Control ----------------------------------------------------------------------------

    def bridge(self, **upstreams: dict[str, Any]) -> None:
        """Connect the platform's bridged services to their back-ends (``CSDLDC``, ``VDXP``)."""
        self._call("/_sim/config", {"upstreams": upstreams})

    def tamper(self, code: str, *, delete: bool = False, **changes: Any) -> None:
        self._call("/_sim/tamper", {"MaHoSo": code, "delete": delete, "set": changes})

    def dossiers(self) -> dict[str, dict[str, Any]]:
        return dict(self.state()["dossiers"])
