"""Every error code a domain raises is a member of its enum (``congso/<app>/error_codes.py``),
and the enum names no code that is raised nowhere; the OpenAPI document lists them on
``ErrorOut`` (issue 14 §6). Codes are read from the source: ``DomainError("code", …)`` and its
subclasses, the apps' error helpers (``_error("code", …)``) and ``code=`` / ``conflict_code=``
arguments."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from congso.api.schemas import ERROR_CODES

ROOT = Path(__file__).resolve().parent.parent
CALL = re.compile(
    r"\b(?:DomainError|NotFound|PermissionDenied|Conflict|_error)\(\s*\"([a-z][a-z0-9_]*)\""
)
KEYWORD = re.compile(r"\b(?:conflict_)?code=\"([a-z][a-z0-9_]*)\"")


def _raised(app: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "congso" / app).rglob("*.py"):
        if "migrations" in path.parts or path.name == "error_codes.py":
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(CALL.findall(text)) | set(KEYWORD.findall(text))
    return found


@pytest.mark.parametrize("domain", sorted(ERROR_CODES))
def test_the_enum_of_a_domain_is_exactly_what_it_raises(domain: str) -> None:
    listed = {member.value for member in ERROR_CODES[domain]}
    raised = _raised(domain)
    assert sorted(raised - listed) == [], "raised but not in the enum"
    assert sorted(listed - raised) == [], "in the enum but raised nowhere"


def test_the_committed_openapi_lists_every_code_on_the_error_schema() -> None:
    document = json.loads((ROOT / "docs/api/openapi-v1.json").read_text(encoding="utf-8"))
    listed = document["components"]["schemas"]["ErrorOut"]["properties"]["code"]["x-error-codes"]
    assert listed == {
        domain: sorted(member.value for member in codes) for domain, codes in ERROR_CODES.items()
    }
