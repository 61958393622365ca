"""Anchoring the audit chain head: HMAC, RFC 3161 time-stamp and CMS signature.

Once a day (the ``audit.anchor`` task, or ``manage.py audit_anchor``) the head of the chain is
written into an :class:`~congso.audit.models.AuditAnchor`: the statement (canonical JSON of
``seq``, ``hash`` and the time) with

* an HMAC-SHA256 with the chain key (``CONGSO_AUDIT_CHAIN_KEY``);
* a time-stamp token of the TSA (``CONGSO_SIGNING_TSA_URL``, the demo CA's ``/tsa`` otherwise)
  over its SHA-256, so the statement provably existed then;
* a detached CMS signature with the anchoring key (``CONGSO_AUDIT_ANCHOR_P12``).

:func:`verify_anchor` checks one anchor against the chain (the event at ``seq`` still has
``hash``; a head below ``seq`` means the tail was cut) and its three proofs; the TSA's and the
signer's certificates must chain to ``CONGSO_SIGNING_TRUST_ROOTS``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from asn1crypto import cms, tsp
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from congso.audit.chain import canonical_json, format_time, keyed_mac
from congso.audit.models import AuditAnchor, AuditEvent

ANCHOR_KIND = "congso.audit.anchor/1"

ANCHOR_MAC = "anchor_mac_mismatch"
ANCHOR_STATEMENT = "anchor_statement_mismatch"
ANCHOR_HASH = "anchor_hash_mismatch"
ANCHOR_TRUNCATED = "truncated"
ANCHOR_TIMESTAMP = "anchor_timestamp_invalid"
ANCHOR_SIGNATURE = "anchor_signature_invalid"


def statement_for(*, seq: int, head_hash: str, created_at: dt.datetime) -> bytes:
    return canonical_json(
        {"kind": ANCHOR_KIND, "seq": seq, "hash": head_hash, "time": format_time(created_at)}
    ).encode("utf-8")


@dataclass(frozen=True)
class AnchorTools:
    """What anchoring needs from the signing app (which sits above ``audit``): a client of the
    time-stamp authority, the anchoring key as a signer (None when ``AUDIT_ANCHOR_P12`` is
    empty) and the validation context of the trust roots. ``congso.signing`` provides them in
    its ``ready()`` (``congso/signing/anchoring.py``), so ``audit`` imports no signing code."""

    timestamper: Callable[[], Any]
    signer: Callable[[], Any]
    validation_context: Callable[[], Any]


_TOOLS: list[AnchorTools] = []


def provide(tools: AnchorTools) -> None:
    _TOOLS[:] = [tools]


def _tools() -> AnchorTools:
    if not _TOOLS:
        raise ImproperlyConfigured(
            "congso.signing is not installed: the audit log cannot be anchored"
        )
    return _TOOLS[0]


def default_timestamper() -> Any:
    return _tools().timestamper()


def default_signer() -> Any:
    """The anchoring key as a pyHanko signer, or None when ``AUDIT_ANCHOR_P12`` is empty."""
    if not settings.AUDIT_ANCHOR_P12:
        return None
    return _tools().signer()


async def _proofs(statement: bytes, timestamper: Any, signer: Any) -> tuple[Any, Any]:
    digest = hashlib.sha256(statement).digest()
    token = await timestamper.async_timestamp(digest, "sha256")
    signature = None
    if signer is not None:
        signature = await signer.async_sign_general_data(statement, "sha256", detached=True)
    return token, signature


def anchor_head(*, timestamper: Any = None, signer: Any = None) -> AuditAnchor | None:
    """Anchor the current head (None when the log is empty). The TSA and the key are asked
    before the transaction, the head is re-read inside it: a head that moved in between is
    simply anchored at the next run."""
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    if head is None:
        return None
    created_at = timezone.now()
    statement = statement_for(seq=head[0], head_hash=head[1], created_at=created_at)
    signer = signer if signer is not None else default_signer()
    timestamper = timestamper if timestamper is not None else default_timestamper()
    token, signature = asyncio.run(_proofs(statement, timestamper, signer))
    tst_info = token["content"]["encap_content_info"]["content"].parsed
    signer_subject = ""
    if signature is not None and signer is not None and signer.signing_cert is not None:
        signer_subject = signer.signing_cert.subject.human_friendly
    from congso.audit.services import record

    with transaction.atomic():
        anchor = AuditAnchor(
            seq=head[0],
            head_hash=head[1],
            created_at=created_at,
            statement=statement.decode("utf-8"),
            mac=keyed_mac(statement),
            timestamp_token=token.dump(),
            timestamp_time=tst_info["gen_time"].native,
            signature=signature.dump() if signature is not None else b"",
            signer=signer_subject[:500],
        )
        anchor.save()
        record(
            actor=None,
            action="audit.anchor.create",
            target=anchor,
            after={"seq": head[0], "hash": head[1], "tsa_time": anchor.timestamp_time},
        )
    return anchor


def export(anchor: AuditAnchor) -> dict[str, Any]:
    """An anchor as JSON, to keep off the server (e-mail, another site, paper)."""
    return {
        "statement": anchor.statement,
        "mac": anchor.mac,
        "timestamp_token": bytes(anchor.timestamp_token).hex(),
        "signature": bytes(anchor.signature).hex(),
    }


# --- Verifying ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorProblem:
    anchor: str
    problem: str
    detail: str


def _validation_context() -> Any:
    return _tools().validation_context()


async def _check_timestamp(statement: bytes, token_der: bytes) -> str | None:
    from pyhanko.sign.validation.generic_cms import validate_tst_signed_data

    try:
        token = cms.ContentInfo.load(token_der)
        signed = token["content"]
        tst_info = signed["encap_content_info"]["content"].parsed
        assert isinstance(tst_info, tsp.TSTInfo)
        imprint = tst_info["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        expected = hashlib.new(algorithm, statement).digest()
        if imprint["hashed_message"].native != expected:
            return "the time-stamp covers another statement"
        status = await validate_tst_signed_data(signed, _validation_context(), lambda _md: expected)
    except Exception as exc:  # a malformed token: not a proof
        return f"unreadable time-stamp token: {exc}"
    if not (status.get("intact") and status.get("valid")):
        return "the time-stamp signature does not verify"
    if status.get("validation_path") is None or status.get("trust_problem_indic") is not None:
        return "the TSA certificate does not chain to a trusted root"
    return None


async def _check_signature(statement: bytes, signature_der: bytes) -> str | None:
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms

    try:
        signed = cms.ContentInfo.load(signature_der)["content"]
        status = await async_validate_detached_cms(
            statement, signed, signer_validation_context=_validation_context()
        )
    except Exception as exc:
        return f"unreadable signature: {exc}"
    if not (status.intact and status.valid):
        return "the signature does not verify over the statement"
    if not status.trusted:
        return "the signer's certificate does not chain to a trusted root"
    return None


def verify_anchor(
    anchor: dict[str, Any], *, chain_hash_at: dict[int, str], head_seq: int | None
) -> AnchorProblem | None:
    """Check one anchor (as :func:`export` gives it) against the chain: ``chain_hash_at`` maps
    the anchored seqs to the hash stored there now, ``head_seq`` is the verified head."""
    statement = anchor["statement"].encode("utf-8")
    try:
        parsed = json.loads(statement)
        label = f"anchor seq {parsed['seq']} of {parsed['time']}"
        seq, head_hash = int(parsed["seq"]), str(parsed["hash"])
    except (ValueError, KeyError, TypeError):
        return AnchorProblem("anchor", ANCHOR_STATEMENT, "unreadable anchor statement")
    if parsed.get("kind") != ANCHOR_KIND:
        return AnchorProblem(label, ANCHOR_STATEMENT, "not an audit anchor statement")
    if not hmac.compare_digest(anchor["mac"], keyed_mac(statement)):
        return AnchorProblem(label, ANCHOR_MAC, "HMAC of the anchor does not match the chain key")
    return _against_chain(label, seq, head_hash, chain_hash_at, head_seq) or _proofs_hold(
        label, statement, anchor
    )


def _against_chain(
    label: str, seq: int, head_hash: str, chain_hash_at: dict[int, str], head_seq: int | None
) -> AnchorProblem | None:
    if head_seq is None or head_seq < seq:
        return AnchorProblem(
            label,
            ANCHOR_TRUNCATED,
            f"events were removed from the end: anchored head seq {seq}, "
            f"chain head now {head_seq or 0}",
        )
    if chain_hash_at.get(seq) != head_hash:
        return AnchorProblem(
            label,
            ANCHOR_HASH,
            f"event {seq} has hash {chain_hash_at.get(seq)}, anchored {head_hash}",
        )
    return None


def _proofs_hold(label: str, statement: bytes, anchor: dict[str, Any]) -> AnchorProblem | None:
    problem = asyncio.run(_check_timestamp(statement, bytes.fromhex(anchor["timestamp_token"])))
    if problem is not None:
        return AnchorProblem(label, ANCHOR_TIMESTAMP, problem)
    if anchor.get("signature"):
        problem = asyncio.run(_check_signature(statement, bytes.fromhex(anchor["signature"])))
        if problem is not None:
            return AnchorProblem(label, ANCHOR_SIGNATURE, problem)
    return None


def stored_anchors() -> list[dict[str, Any]]:
    return [export(anchor) for anchor in AuditAnchor.objects.order_by("created_at", "pk")]


def check_row(anchor: AuditAnchor) -> bool:
    """The stored columns agree with the statement (seq, hash, time)."""
    expected = statement_for(
        seq=anchor.seq, head_hash=anchor.head_hash, created_at=anchor.created_at
    )
    return expected.decode("utf-8") == anchor.statement
