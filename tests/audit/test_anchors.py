"""Anchors of the audit chain head: RFC 3161 time-stamp (the signing tests' demo TSA), HMAC and
a CMS signature; audit_verify checks them against the chain (issue 13 item 10)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from congso.audit import anchors
from congso.audit.chain import compute_hash
from congso.audit.models import AppendOnlyError, AuditAnchor
from congso.audit.services import record
from tests.audit.helpers import disable_append_only_triggers, raw
from tests.audit.test_chain import _rehash_from
from tests.signing.conftest import (  # noqa: F401  (the demo PKI and its TSA)
    demo_pki,
    fresh_revocation_cache,
    signing_settings,
)

pytestmark = pytest.mark.django_db


def _chain(n: int = 4) -> None:
    for i in range(n):
        record(actor=None, action="test.anchor", after={"n": i})


def _verify(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def test_anchor_carries_a_timestamp_a_signature_and_verifies() -> None:
    _chain(4)
    anchor = anchors.anchor_head()
    assert anchor is not None and anchor.seq == 4
    assert anchor.timestamp_token and anchor.signature and "Lê Thị Mai" in anchor.signer
    out = _verify("--require-anchor")
    assert "OK: 5 events verified" in out and "1 anchor(s) verified" in out  # +1: its own event
    with pytest.raises(AppendOnlyError):
        anchor.save()


def test_a_truncated_tail_is_caught_by_the_anchor() -> None:
    """issue 13 item 10: cutting events from the end used to verify."""
    _chain(4)
    anchors.anchor_head()
    disable_append_only_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq >= 4")
    with pytest.raises(CommandError, match="ANCHOR truncated"):
        _verify()


def test_a_rehash_with_the_key_is_caught_by_the_anchor() -> None:
    _chain(4)
    anchors.anchor_head()
    _rehash_from(2, compute_hash)
    with pytest.raises(CommandError, match="anchor_hash_mismatch"):
        _verify()


def test_a_forged_anchor_is_refused(tmp_path: Any) -> None:
    _chain(3)
    anchor = anchors.anchor_head()
    assert anchor is not None
    good = anchors.export(anchor)
    path = tmp_path / "anchors.jsonl"
    path.write_text(json.dumps(good) + "\n")
    assert "2 anchor(s) verified" in _verify("--anchors", str(path))
    # A statement rewritten to name another head: its HMAC no longer matches.
    statement = json.loads(good["statement"])
    statement["seq"] = 2
    forged = {**good, "statement": json.dumps(statement, sort_keys=True, separators=(",", ":"))}
    path.write_text(json.dumps(forged) + "\n")
    with pytest.raises(CommandError, match="anchor_mac_mismatch"):
        _verify("--anchors", str(path))
    # A time-stamp token of another anchor does not cover this statement.
    record(actor=None, action="test.more")
    other = anchors.anchor_head()
    assert other is not None
    swapped = {**good, "timestamp_token": bytes(other.timestamp_token).hex()}
    path.write_text(json.dumps(swapped) + "\n")
    with pytest.raises(CommandError, match="anchor_timestamp_invalid"):
        _verify("--anchors", str(path))
    # A signature over something else.
    resigned = {**good, "signature": bytes(other.signature).hex()}
    path.write_text(json.dumps(resigned) + "\n")
    with pytest.raises(CommandError, match="anchor_signature_invalid"):
        _verify("--anchors", str(path))


def test_a_changed_anchor_row_is_reported() -> None:
    _chain(2)
    anchors.anchor_head()
    raw("UPDATE audit_auditanchor SET seq = 1")
    with pytest.raises(CommandError, match="anchor_row_mismatch"):
        _verify()


def test_missing_anchor_warns_and_fails_when_required() -> None:
    _chain(2)
    assert "WARNING: no anchor yet" in _verify()
    with pytest.raises(CommandError, match="stale"):
        _verify("--require-anchor")


def test_anchor_command_and_daily_task(tmp_path: Any) -> None:
    from io import StringIO

    from congso.core.worker import PERIODIC, TASKS

    assert "audit.anchor" in TASKS and PERIODIC["audit.anchor"].days == 1
    out = StringIO()
    call_command("audit_anchor", stdout=out)
    assert "empty" in out.getvalue()
    _chain(2)
    target = tmp_path / "off-site.jsonl"
    call_command("audit_anchor", "--out", str(target), stdout=out)
    assert "Anchored head seq 2" in out.getvalue()
    assert json.loads(target.read_text().splitlines()[0])["mac"] == AuditAnchor.objects.get().mac
