"""The layers contract (``congso/layers.py``, docs/architecture.md): no app imports a higher or
a sibling app, no cross-app import hides inside a function, every app has its layer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _check(*args: str) -> tuple[int, list[str]]:
    """``python -m congso.layers`` in a fresh interpreter (as ``./scripts/test`` runs it: the
    ``ast`` parser of a long test session's interpreter is not always in a state to trust)."""
    done = subprocess.run(
        [sys.executable, "-m", "congso.layers", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout.splitlines()


def test_the_apps_keep_their_layers() -> None:
    assert _check() == (0, [])


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name in ("core", "dossiers", "indicators", "printing", "notify"):
        (tmp_path / "congso" / name).mkdir(parents=True, exist_ok=True)
        (tmp_path / "congso" / name / "__init__.py").write_text("")
    for name, text in files.items():
        (tmp_path / "congso" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "congso" / name).write_text(text)
    return tmp_path


def test_an_upward_a_sibling_and_a_hidden_import_are_refused(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "dossiers/services.py": "from congso.indicators import aggregates\n",
            "printing/forms.py": "import congso.notify.models\n",
            "indicators/stats.py": "def f():\n    from congso.dossiers.models import Dossier\n",
            "indicators/apps.py": "def ready(self):\n    from congso import core\n",
            "core/migrations/0001.py": "from congso.dossiers import models\n",
        },
    )
    assert _check("--root", str(root)) == (
        1,
        [
            "congso/dossiers/services.py:1: dossiers imports indicators, a higher layer "
            "(use a hook of dossiers's)",
            "congso/indicators/stats.py:2: indicators imports dossiers inside a function "
            "(import at module level)",
            "congso/printing/forms.py:1: printing imports notify, an app of the same layer "
            "(they are independent)",
        ],
    )


def test_a_new_app_must_be_placed(tmp_path: Path) -> None:
    root = _tree(tmp_path, {})
    (root / "congso" / "suggestions").mkdir()
    (root / "congso" / "suggestions" / "__init__.py").write_text("")
    assert _check("--root", str(root)) == (
        1,
        ["congso/suggestions: not in congso.layers.LAYERS (place the new app)"],
    )


def test_the_graph_between_apps_has_no_cycle() -> None:
    edges: dict[str, list[str]] = {}
    for line in _check("--graph")[1]:
        app, targets = line.split("->")
        edges[app.strip()] = [item.split("(")[0] for item in targets.split()]
    seen: set[str] = set()

    def visit(app: str, path: tuple[str, ...]) -> None:
        assert app not in path, " → ".join((*path, app))
        if app in seen:
            return
        for target in edges.get(app, {}):
            visit(target, (*path, app))
        seen.add(app)

    for app in list(edges):
        visit(app, ())
