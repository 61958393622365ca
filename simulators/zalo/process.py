"""Start, stop and drive the Zalo simulator as a separate process (tests, ``scripts/demo``).

``python -m simulators.zalo start|stop|status [--dir DIR] [--webhook URL]`` runs it in the
background (default DIR ``var/zalo``); ``start`` prints the ``CONGSO_ZALO_*`` variables that
point congso at it. The configuration, the chosen port, the log and the process id live in DIR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from simulators._process import ROOT, SimulatorProcess

#: The approved templates of the demo OA: the same file seeds congso's Zalo templates
#: (``manage.py zalo_demo_templates``), so both sides agree on ids and parameters.
TEMPLATES = ROOT / "congso" / "contrib" / "zalo" / "data" / "demo_templates.json"


@dataclass
class ZaloSimulator(SimulatorProcess):
    name: ClassVar[str] = "zalo"
    title: ClassVar[str] = "the Zalo simulator"
    webhook: str = ""
    app_id: str = "3001234567890123456"
    app_secret: str = "sim-app-secret"  # noqa: S105 - a local simulator's
    oa_secret: str = "sim-oa-secret"  # noqa: S105
    access_token: str = "sim-access-initial"  # noqa: S105
    refresh_token: str = "sim-refresh-initial"  # noqa: S105
    #: Numbers with no Zalo account (0xxxxxxxxx).
    no_zalo: list[str] = field(default_factory=lambda: ["0987000111"])
    templates: str = str(TEMPLATES)

    def env(self) -> dict[str, str]:
        """The settings that point congso at this simulator."""
        return {
            "CONGSO_ZALO_APP_ID": self.app_id,
            "CONGSO_ZALO_APP_SECRET": self.app_secret,
            "CONGSO_ZALO_OA_SECRET": self.oa_secret,
            "CONGSO_ZALO_ACCESS_TOKEN": self.access_token,
            "CONGSO_ZALO_REFRESH_TOKEN": self.refresh_token,
            "CONGSO_ZALO_API_URL": self.url,
            "CONGSO_ZALO_OAUTH_URL": self.url,
        }

    # --- Control ----------------------------------------------------------------------------

    def revoke(self) -> None:
        self._call("/_sim/revoke", {})
