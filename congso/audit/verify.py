"""Walking the audit chain: every event must follow the one before it (seq + 1), carry its
hash as ``prev_hash`` and hash to its own ``hash``. Keyset pagination keeps memory bounded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from congso.audit.chain import GENESIS_HASH, HASHED_FIELDS, compute_hash
from congso.audit.models import AuditEvent

BATCH_SIZE = 2000

HASH_MISMATCH = "hash_mismatch"
PREV_HASH_MISMATCH = "prev_hash_mismatch"
SEQ_GAP = "seq_gap"


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

    @property
    def ok(self) -> bool:
        return self.broken is None


_COLUMNS = (*HASHED_FIELDS, "hash")


def verify_chain(*, batch_size: int = BATCH_SIZE) -> VerifyResult:
    """Check the whole chain; stop at the first broken link and describe it."""
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
            broken = _check(fields, expected_seq, expected_prev)
            if broken is not None:
                return VerifyResult(
                    count=count,
                    head_seq=expected_seq - 1 or None,
                    head_hash=None if expected_seq == 1 else expected_prev,
                    broken=broken,
                )
            count += 1
            expected_seq = seq + 1
            expected_prev = fields["hash"]
        last_seq = rows[-1][0]
    if count == 0:
        return VerifyResult(count=0, head_seq=None, head_hash=None)
    return VerifyResult(count=count, head_seq=expected_seq - 1, head_hash=expected_prev)


def _check(fields: dict[str, Any], expected_seq: int, expected_prev: str) -> ChainBreak | None:
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
    actual = compute_hash(fields)
    if actual != fields["hash"]:
        return ChainBreak(
            seq=seq,
            problem=HASH_MISMATCH,
            detail=f"hash mismatch: stored {fields['hash']}, recomputed {actual}",
        )
    return None
