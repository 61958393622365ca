"""The layers of the apps, checked: which app may import which (docs/architecture.md).

An app imports only apps of *lower* layers; apps of one layer are independent of each other.
So the import graph between apps has no cycle, and one cannot come back unnoticed. Checked
from the source (an ``ast`` walk, no import is executed) by ``./scripts/test`` and by
``tests/test_layers.py``::

    python -m congso.layers           # the violations, exit 1 when there are any
    python -m congso.layers --graph   # the import graph between apps
    python -m congso.layers --root DIR   # another tree

Every import counts — at module level, inside a function or under ``TYPE_CHECKING`` — and an
import of another app inside a function is refused too (it hides a knot from the import
machinery instead of removing it), except in ``AppConfig.ready()`` (registering a hook, a task,
a plugin is what ``ready()`` is for). A new app must be placed in :data:`LAYERS`.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

#: Bottom to top. A higher layer may import any lower one.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"core"}),  # the job outbox, errors, request context, hooks
    frozenset({"audit"}),  # the hash-chained log (uses core's worker and request id)
    frozenset({"calendar"}),  # the working calendar
    frozenset({"org"}),  # units, agencies, desks, roles, applicants, restrict()/can()
    # Procedures, forms, processes; the typed seam of the document-exchange back-ends.
    frozenset({"catalog", "exchange"}),
    frozenset({"dossiers"}),  # the one-stop lifecycle (in-transaction hooks for those above)
    frozenset({"printing", "notify"}),  # official forms 01–06; notices on every channel
    # Fees paid online: intents settle dossiers (dossiers' payment service), receipts render
    # through printing; the gateway plugins in contrib register with its provider registry.
    frozenset({"payments"}),
    # Users, sign-in, passwords (reset through notify), API tokens; the channel and gateway
    # plugins (Kannel, SMTP, Zalo ZNS) that register with notify.
    frozenset({"accounts", "contrib"}),
    # National sign-in (VNeID, the national portal's SSO), account linking, levels of assurance.
    frozenset({"identity"}),
    # PKI, signers, PAdES, validation, revocation cache, ETSI reports, the public verification
    # page: any document's signatures (it knows no dossier and stores no document).
    frozenset({"signing"}),
    # The e-results of dossiers (templates, rendering through printing, prepare → sign →
    # complete, the officer's and the citizen's pages) and the e-office (official documents,
    # registers, the edXML exchange): both sign through signing's services.
    frozenset({"results", "eoffice"}),
    # Citizen feedback and the 1022 hotline: reports link to dossiers, notices through notify.
    # Records and the e-archive: file plans, filing of documents and finished dossiers, BagIt
    # transfers with signing's validation reports, fixity.
    frozenset({"feedback", "records"}),
    frozenset({"indicators"}),  # aggregates (registered on the hooks), index, statistics
    frozenset({"reports"}),  # background report jobs
    # The LGSP client, the national-portal sync, webhooks (on the dossiers' hooks and outbox).
    frozenset({"integration"}),
    # "Giấy tờ của tôi": the citizen's store of e-results and digitised papers, their reuse in
    # later dossiers (on results' hook; the index's formulas 4.3, 4.4).
    frozenset({"docstore"}),
    # Procedure groups (liên thông, ND 63/2024) and proactive offers (ND 224/2026 art. 16):
    # one application → a dossier per component through dossiers' write path.
    frozenset({"lifeevents"}),
    frozenset({"portal", "benchfloor"}),  # citizen pages; bare-Django benchmark floor
    # The officer pages draw the citizen's online form at the counter (portal.schemaform).
    frozenset({"backoffice", "api"}),
)


#: Packages of ``congso`` that are not apps (not layered).
NOT_APPS = frozenset({"settings"})


@dataclass(frozen=True)
class Import:
    source: str  # the importing app
    target: str  # the imported app
    path: str
    line: int
    local: bool  # inside a function (not ``ready()``)


def layer_of(app: str) -> int | None:
    for index, apps in enumerate(LAYERS):
        if app in apps:
            return index
    return None


def _apps(root: Path) -> list[str]:
    packages = [p for p in (root / "congso").iterdir() if (p / "__init__.py").exists()]
    return sorted(p.name for p in packages if p.name not in NOT_APPS)


def _targets(node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif node.module == "congso":
        names = [f"congso.{alias.name}" for alias in node.names]
    else:
        names = [node.module or ""] if node.level == 0 else []
    return {name.split(".")[1] for name in names if name.startswith("congso.") and "." in name}


def imports(root: Path) -> list[Import]:
    """Every import of one app by another under ``root/congso`` (migrations aside)."""
    apps = set(_apps(root))
    found = []
    for path in sorted((root / "congso").rglob("*.py")):
        parts = path.relative_to(root / "congso").parts
        if len(parts) < 2 or parts[0] not in apps or "migrations" in parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        stack: list[tuple[ast.AST, bool]] = [(tree, False)]
        while stack:
            node, local = stack.pop()
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(node) & apps - {parts[0]}:
                    found.append(
                        Import(parts[0], target, str(path.relative_to(root)), node.lineno, local)
                    )
            inner = local
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = node.name != "ready" or path.name != "apps.py"
            stack.extend((child, inner) for child in ast.iter_child_nodes(node))
    return found


def violations(root: Path) -> list[str]:
    problems = []
    for app in _apps(root):
        if layer_of(app) is None:
            problems.append(f"congso/{app}: not in congso.layers.LAYERS (place the new app)")
    for item in imports(root):
        where = f"{item.path}:{item.line}: {item.source} imports {item.target}"
        source, target = layer_of(item.source), layer_of(item.target)
        if source is None or target is None:
            continue
        if target > source:
            problems.append(f"{where}, a higher layer (use a hook of {item.source}'s)")
        elif target == source:
            problems.append(f"{where}, an app of the same layer (they are independent)")
        elif item.local:
            problems.append(f"{where} inside a function (import at module level)")
    return problems


def graph(root: Path) -> dict[str, Counter[str]]:
    edges: dict[str, Counter[str]] = defaultdict(Counter)
    for item in imports(root):
        edges[item.source][item.target] += 1
    return edges


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    if "--root" in argv:  # another tree (the tests' examples)
        root = Path(argv[argv.index("--root") + 1])
    if "--graph" in argv:
        for app, targets in sorted(graph(root).items()):
            print(f"{app:11} -> " + " ".join(f"{t}({n})" for t, n in sorted(targets.items())))
        return 0
    problems = violations(root)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
