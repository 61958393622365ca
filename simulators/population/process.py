"""Start, stop and drive the population-database simulator as a separate process (tests,
``scripts/demo``).

``python -m simulators.population start|stop|status [--dir DIR]`` runs it in the background
(default DIR ``var/population``); ``start`` prints the ``CONGSO_POPULATION_*`` variables that
point congso at it. The configuration, the chosen port, the log and the process id live in DIR.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from simulators._process import SimulatorProcess


@dataclass
class PopulationSimulator(SimulatorProcess):
    name: ClassVar[str] = "population"
    title: ClassVar[str] = "the population simulator"
    start_seconds: ClassVar[float] = 30.0  # it generates its residents first
    token: str = "sim-lgsp-token"  # noqa: S105 - a local simulator's
    integration_code: str = "congso-demo"
    households: int = 900
    timeout_seconds: float = 3.0

    def env(self) -> dict[str, str]:
        """The settings that point congso at this simulator."""
        return {
            "CONGSO_POPULATION_URL": f"{self.url}/lgsp/csdldancu/congdan",
            "CONGSO_POPULATION_TOKEN": self.token,
            "CONGSO_POPULATION_INTEGRATION_CODE": self.integration_code,
        }

    def faults(self, *names: str) -> None:
        """Queue faults for the next look-ups: ``timeout``, ``5xx``, ``not_found``,
        ``name_mismatch``."""
        super().faults(*names)

    def resident(self, personal_id: str) -> dict[str, Any]:
        return dict(self._call(f"/_sim/resident/{personal_id}"))
