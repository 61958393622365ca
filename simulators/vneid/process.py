"""Start, stop and drive the VNeID simulator as a separate process (tests, ``scripts/demo``).

``python -m simulators.vneid start|stop|status [--dir DIR] [--profile vneid|dvcqg]
[--redirect-uri URL]… [--logout-uri URL]…`` runs it in the background (default DIR
``var/vneid``); ``start`` prints the ``CONGSO_VNEID_*`` (or ``CONGSO_DVCQG_SSO_*``) variables
that point congso at it. The configuration, the chosen port, the log and the process id live in
DIR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from simulators._process import SimulatorProcess


@dataclass
class VneidSimulator(SimulatorProcess):
    name: ClassVar[str] = "vneid"
    title: ClassVar[str] = "the VNeID simulator"
    profile: str = "vneid"  # or "dvcqg" (the national portal's SSO)
    client_id: str = "congso-demo-client"
    client_secret: str = "sim-client-secret"  # noqa: S105 - a local simulator's
    redirect_uris: list[str] = field(default_factory=list)
    post_logout_redirect_uris: list[str] = field(default_factory=list)
    timeout_seconds: float = 3.0

    @property
    def issuer(self) -> str:
        return f"{self.url}/oauth2/token"

    def env(self) -> dict[str, str]:
        """The settings that point congso at this simulator."""
        prefix = "CONGSO_VNEID" if self.profile == "vneid" else "CONGSO_DVCQG_SSO"
        return {
            f"{prefix}_ISSUER": self.issuer,
            f"{prefix}_CLIENT_ID": self.client_id,
            f"{prefix}_CLIENT_SECRET": self.client_secret,
        }

    # --- Control ----------------------------------------------------------------------------

    def faults(self, *names: str) -> None:
        """Queue faults: ``5xx``, ``timeout`` (``:discovery``, ``:jwks``, ``:token``,
        ``:userinfo``; default the token endpoint), ``wrong_audience``, ``expired_token``,
        ``clock_ahead``, ``bad_signature``, ``unknown_key``."""
        super().faults(*names)

    def rotate(self, *, drop_old: bool = False) -> list[str]:
        return list(self._call("/_sim/rotate", {"drop_old": drop_old})["kids"])

    def logout_token(self, *, sub: str = "", sid: str = "", fault: str = "") -> str:
        """A signed back-channel logout token for ``sub`` / ``sid`` (see the server)."""
        answer = self._call("/_sim/logout_token", {"sub": sub, "sid": sid, "fault": fault})
        return str(answer["logout_token"])
