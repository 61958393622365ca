"""Walking the audit chain: every event must follow the one before it (seq + 1), carry its
hash as ``prev_hash`` and hash to its own ``hash`` (HMAC with the chain key; the unkeyed
SHA-256 up to ``AUDIT_LEGACY_UNTIL_SEQ``). Keyset pagination keeps memory bounded. The anchors
(:mod:`congso.audit.anchors`) are then checked against the verified chain."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from congso.audit.chain import (
    GENESIS_HASH,
    HASHED_FIELDS,
    chain_key,
    compute_hash,
    compute_legacy_hash,
)
from congso.audit.models import AuditEvent

BATCH_SIZE = 2000

HASH_MISMATCH = "hash_mismatch"
PREV_HASH_MISMATCH = "prev_hash_mismatch"
SEQ_GAP = "seq_gap"
ACTOR_MISMATCH = "actor_mismatch"

_LABEL_ID = re.compile(r"#(\d+)$")


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    problem: str
    detail: str


@dataclass(frozen=True)
class VerifyResult:
    count: int
    head_seq: int | None
    head_hash: str | None
    broken: ChainBreak | None = None
    #: The hash stored now at each seq asked for (the anchored ones).
    hashes_at: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.broken is None


_COLUMNS = (*HASHED_FIELDS, "hash")


def verify_chain(
    *, batch_size: int = BATCH_SIZE, want: frozenset[int] = frozenset()
) -> VerifyResult:
    """Check the whole chain; stop at the first broken link and describe it. ``want``: seqs
    whose stored hash to return in ``hashes_at`` (to check anchors against)."""
    key = chain_key()
    legacy_until = int(settings.AUDIT_LEGACY_UNTIL_SEQ)
    hashes_at: dict[int, str] = {}
    expected_seq = 1
    expected_prev = GENESIS_HASH
    count = 0
    last_seq = 0
    while True:
        rows = list(
            AuditEvent.objects.filter(seq__gt=last_seq)
            .order_by("seq")
            .values_list(*_COLUMNS)[:batch_size]
        )
        if not rows:
            break
        for row in rows:
            fields: dict[str, Any] = dict(zip(_COLUMNS, row, strict=True))
            seq = fields["seq"]
            broken = _check(fields, expected_seq, expected_prev, key, legacy_until)
            if broken is not None:
                return VerifyResult(
                    count=count,
                    head_seq=expected_seq - 1 or None,
                    head_hash=None if expected_seq == 1 else expected_prev,
                    broken=broken,
                )
            count += 1
            if seq in want:
                hashes_at[seq] = fields["hash"]
            expected_seq = seq + 1
            expected_prev = fields["hash"]
        last_seq = rows[-1][0]
    if count == 0:
        return VerifyResult(count=0, head_seq=None, head_hash=None)
    return VerifyResult(
        count=count, head_seq=expected_seq - 1, head_hash=expected_prev, hashes_at=hashes_at
    )


def _expected_hash(fields: dict[str, Any], key: bytes, legacy_until: int) -> str:
    if fields["seq"] <= legacy_until:
        return compute_legacy_hash(fields)
    actual = compute_hash(fields, key=key)
    if fields["actor_id"] is None and not hmac.compare_digest(actual, fields["hash"]):
        # The user was deleted after the event (actor_id set to NULL): it was hashed with the
        # id that actor_label names; that user must really be gone.
        match = _LABEL_ID.search(fields["actor_label"])
        if match is not None:
            return compute_hash({**fields, "actor_id": int(match.group(1))}, key=key)
    return actual


def _actor_still_exists(fields: dict[str, Any]) -> bool:
    match = _LABEL_ID.search(fields["actor_label"])
    return (
        fields["actor_id"] is None
        and match is not None
        and get_user_model().objects.filter(pk=int(match.group(1))).exists()
    )


def _check(
    fields: dict[str, Any], expected_seq: int, expected_prev: str, key: bytes, legacy_until: int
) -> ChainBreak | None:
    seq = fields["seq"]
    if seq != expected_seq:
        missing = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}..{seq - 1}"
        return ChainBreak(
            seq=seq,
            problem=SEQ_GAP,
            detail=f"gap in seq: expected {expected_seq}, found {seq} (missing {missing})",
        )
    if fields["prev_hash"] != expected_prev:
        return ChainBreak(
            seq=seq,
            problem=PREV_HASH_MISMATCH,
            detail=(
                f"prev_hash mismatch: stored {fields['prev_hash']}, "
                f"hash of event {seq - 1} is {expected_prev}"
            ),
        )
    actual = _expected_hash(fields, key, legacy_until)
    if not hmac.compare_digest(actual, fields["hash"]):
        return ChainBreak(
            seq=seq,
            problem=HASH_MISMATCH,
            detail=f"hash mismatch: stored {fields['hash']}, recomputed {actual}",
        )
    if seq > legacy_until and _actor_still_exists(fields) and not _hashed_as_null(fields, key):
        return ChainBreak(
            seq=seq,
            problem=ACTOR_MISMATCH,
            detail=f"actor_id is NULL but user {fields['actor_label']} still exists",
        )
    return None


def _hashed_as_null(fields: dict[str, Any], key: bytes) -> bool:
    return hmac.compare_digest(compute_hash(fields, key=key), fields["hash"])
