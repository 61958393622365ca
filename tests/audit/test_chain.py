from __future__ import annotations

import datetime as dt
import itertools
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from congso.audit.chain import (
    GENESIS_HASH,
    HASHED_FIELDS,
    canonical_json,
    compute_hash,
    compute_legacy_hash,
    normalise,
)
from congso.audit.models import AppendOnlyError, AuditEvent
from congso.audit.services import record, snapshot
from congso.audit.verify import (
    ACTOR_MISMATCH,
    HASH_MISMATCH,
    PREV_HASH_MISMATCH,
    SEQ_GAP,
    verify_chain,
)
from congso.core.context import request_id_var
from tests.audit.helpers import disable_append_only_triggers, raw

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def officer():
    return User.objects.create_user(username="canbo1", password="x", full_name="Nguyễn Văn A")


def build_chain(actor, n: int = 5) -> list[AuditEvent]:
    return [
        record(
            actor=actor,
            action="test.thing.update",
            target=actor,
            before={"n": i},
            after={"n": i + 1, "when": dt.date(2025, 1, i + 1)},
        )
        for i in range(n)
    ]


def test_events_are_chained(officer):
    events = build_chain(officer, 5)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS_HASH
    for earlier, later in itertools.pairwise(events):
        assert later.prev_hash == earlier.hash
    result = verify_chain(batch_size=2)  # several batches
    assert result.ok
    assert result.count == 5
    assert result.head_seq == 5
    assert result.head_hash == events[-1].hash


def test_event_fields(officer):
    token = request_id_var.set("req-12345678")
    try:
        event = record(actor=officer, action="accounts.user.update", target=officer)
    finally:
        request_id_var.reset(token)
    event.refresh_from_db()
    assert event.actor == officer
    assert event.actor_label == f"canbo1#{officer.pk}"
    assert event.target_type == "accounts.user"
    assert event.target_id == str(officer.pk)
    assert event.target_label == "Nguyễn Văn A"
    assert event.request_id == "req-12345678"
    assert event.before is None and event.after is None


def test_system_and_anonymous_actors():
    assert record(actor=None, action="a.b").actor_label == "system"
    event = record(actor=AnonymousUser(), action="a.c")
    assert event.actor_label == "anonymous"
    assert event.actor is None


def test_stored_payload_hashes_the_same_after_reload(officer):
    payload = {
        "at": dt.datetime(2025, 3, 1, 8, 30, 15, 123456, tzinfo=dt.UTC),
        "day": dt.date(2025, 3, 1),
        "fee": Decimal("150000.50"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "ratio": 1e100,
        "half": 0.5,
        "tags": {"b", "a"},
        "pair": (1, 2),
        "name": "Sở Tư pháp",
    }
    event = record(actor=officer, action="test.payload", after=payload)
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.after == {
        "at": "2025-03-01T08:30:15.123456+00:00",
        "day": "2025-03-01",
        "fee": "150000.50",
        "id": "12345678-1234-5678-1234-567812345678",
        "ratio": "1e+100",
        "half": "0.5",
        "tags": ["a", "b"],
        "pair": [1, 2],
        "name": "Sở Tư pháp",
    }
    assert verify_chain().ok


def test_canonical_json_is_order_independent():
    a = normalise({"b": 1, "a": {"y": 2, "x": Decimal("1.10")}})
    b = normalise({"a": {"x": Decimal("1.10"), "y": 2}, "b": 1})
    assert canonical_json(a) == canonical_json(b) == '{"a":{"x":"1.10","y":2},"b":1}'


def test_local_time_normalised_to_utc():
    hcm = dt.timezone(dt.timedelta(hours=7))
    assert (
        normalise(dt.datetime(2025, 1, 1, 7, 0, tzinfo=hcm)) == "2025-01-01T00:00:00.000000+00:00"
    )


def test_snapshot_skips_secrets_and_keeps_foreign_keys(officer):
    data = snapshot(officer)
    assert "password" not in data
    assert data["username"] == "canbo1"
    assert data["id"] == officer.pk
    assert isinstance(data["date_joined"], str)
    assert snapshot(officer, ["username", "password", "groups"]) == {
        "username": "canbo1",
        "groups": [],
    }


def test_rolled_back_change_leaves_no_event(officer):
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=officer, action="test.rollback")
        raise RuntimeError("the state change failed")
    assert not AuditEvent.objects.exists()
    assert record(actor=officer, action="test.after").seq == 1
    assert verify_chain().ok


def test_tampered_payload_is_named(officer):
    build_chain(officer, 5)
    disable_append_only_triggers()
    raw("UPDATE audit_auditevent SET after = %s WHERE seq = 3", ['{"n": 999}'])
    result = verify_chain(batch_size=2)
    assert not result.ok
    assert result.broken is not None
    assert result.broken.seq == 3
    assert result.broken.problem == HASH_MISMATCH
    assert result.count == 2


def test_rehashed_row_breaks_the_next_link(officer):
    events = build_chain(officer, 4)
    target = events[1]
    forged = {name: getattr(target, name) for name in ("seq", "time", "actor_label")}
    forged |= {
        "action": "test.forged",
        "target_type": target.target_type,
        "target_id": target.target_id,
        "target_label": target.target_label,
        "before": target.before,
        "after": target.after,
        "request_id": target.request_id,
        "prev_hash": target.prev_hash,
        "actor_id": target.actor_id,
    }
    disable_append_only_triggers()
    raw(
        "UPDATE audit_auditevent SET action = %s, hash = %s WHERE seq = 2",
        ["test.forged", compute_hash(forged)],
    )
    result = verify_chain()
    assert result.broken is not None
    assert result.broken.seq == 3
    assert result.broken.problem == PREV_HASH_MISMATCH


def test_deleted_row_is_a_gap(officer):
    build_chain(officer, 5)
    disable_append_only_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq = 4")
    result = verify_chain()
    assert result.broken is not None
    assert result.broken.seq == 5
    assert result.broken.problem == SEQ_GAP
    assert "expected 4, found 5" in result.broken.detail


def test_pruned_head_is_reported(officer):
    build_chain(officer, 3)
    disable_append_only_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq = 1")
    result = verify_chain()
    assert result.broken is not None
    assert (result.broken.seq, result.broken.problem) == (2, SEQ_GAP)


def test_model_refuses_update_and_delete(officer):
    event = record(actor=officer, action="test.immutable")
    event.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=event.seq).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(seq=99)])
    assert AuditEvent.objects.get(seq=event.seq).action == "test.immutable"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET after = NULL WHERE seq = 2",
        "UPDATE audit_auditevent SET actor_id = NULL, action = 'x' WHERE seq = 2",
        "DELETE FROM audit_auditevent WHERE seq = 2",
    ],
)
def test_database_trigger_refuses_raw_sql(officer, sql):
    build_chain(officer, 3)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        raw(sql)
    assert verify_chain().count == 3


def test_deleting_a_user_keeps_their_events(officer):
    build_chain(officer, 3)
    label = f"canbo1#{officer.pk}"
    officer.delete()
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.actor_id for e in events] == [None, None, None]
    assert {e.actor_label for e in events} == {label}
    assert verify_chain().ok


def test_audit_verify_command_ok(officer, capsys):
    call_command("audit_verify")
    assert "OK: the audit log is empty." in capsys.readouterr().out
    events = build_chain(officer, 3)
    call_command("audit_verify", "--batch-size", "2")
    out = capsys.readouterr().out
    assert "OK: 3 events verified" in out
    assert events[-1].hash in out


def test_audit_verify_command_names_the_broken_link(officer):
    build_chain(officer, 4)
    disable_append_only_triggers()
    raw("UPDATE audit_auditevent SET target_label = 'x' WHERE seq = 2")
    with pytest.raises(CommandError) as info:
        call_command("audit_verify")
    assert info.value.returncode == 1
    assert "seq 2" in str(info.value)
    assert "hash mismatch" in str(info.value)


@pytest.mark.django_db(transaction=True)
def test_flush_can_still_empty_the_database():
    """Django's flush (tests, demo reset) empties the log: TRUNCATE on PostgreSQL, DELETE from
    the oldest row on SQLite, both allowed by the triggers; a middle row still cannot go."""
    for n in range(3):
        record(actor=None, action="test.flush", after={"n": n})
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        raw("DELETE FROM audit_auditevent WHERE seq = 2")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert record(actor=None, action="test.after_flush").seq == 1


# --- Keyed chain (issue 13 item 10) ---------------------------------------------------------------


def _rows() -> list[dict]:
    columns = (*HASHED_FIELDS, "hash")
    return [
        dict(zip(columns, row, strict=True))
        for row in AuditEvent.objects.order_by("seq").values_list(*columns)
    ]


def _rehash_from(seq: int, hasher) -> None:
    """Rewrite every event from ``seq`` on consistently, as a database administrator could."""
    disable_append_only_triggers()
    prev = GENESIS_HASH
    for row in _rows():
        if row["seq"] < seq:
            prev = row["hash"]
            continue
        row["prev_hash"] = prev
        if row["seq"] == seq:
            row["target_label"] = "rewritten"
        row["hash"] = hasher(row)
        raw(
            "UPDATE audit_auditevent SET target_label = %s, prev_hash = %s, hash = %s "
            "WHERE seq = %s",
            [row["target_label"], row["prev_hash"], row["hash"], row["seq"]],
        )
        prev = row["hash"]


@pytest.mark.parametrize(
    "hasher",
    [compute_legacy_hash, lambda row: compute_hash(row, key=b"guessed-key")],
    ids=["unkeyed-sha256", "wrong-key"],
)
def test_a_consistently_rehashed_chain_does_not_verify_without_the_key(officer, hasher):
    build_chain(officer, 5)
    _rehash_from(2, hasher)
    result = verify_chain()
    assert result.broken is not None
    assert (result.broken.seq, result.broken.problem) == (2, HASH_MISMATCH)


def test_with_the_key_a_rehash_verifies_which_is_why_the_key_stays_outside(officer, settings):
    build_chain(officer, 3)
    _rehash_from(2, compute_hash)
    assert verify_chain().ok  # the anchors (test_anchors.py) catch this case


def test_changed_actor_id_breaks_the_event(officer):
    other = User.objects.create_user(username="canbo2", password="x")
    build_chain(officer, 3)
    disable_append_only_triggers()
    raw("UPDATE audit_auditevent SET actor_id = %s WHERE seq = 2", [other.pk])
    result = verify_chain()
    assert result.broken is not None
    assert (result.broken.seq, result.broken.problem) == (2, HASH_MISMATCH)


def test_actor_id_nulled_while_the_user_exists_is_reported(officer):
    build_chain(officer, 3)
    disable_append_only_triggers()
    raw("UPDATE audit_auditevent SET actor_id = NULL WHERE seq = 2")
    result = verify_chain()
    assert result.broken is not None
    assert (result.broken.seq, result.broken.problem) == (2, ACTOR_MISMATCH)


def test_every_column_is_hashed():
    assert set(HASHED_FIELDS) == {
        f.attname for f in AuditEvent._meta.concrete_fields if f.attname != "hash"
    }


def test_legacy_events_verify_up_to_the_configured_seq(officer, settings):
    """Events written before the chain was keyed keep their SHA-256; the first keyed event
    binds them with its prev_hash."""
    prev = GENESIS_HASH
    for seq in (1, 2):
        fields = {
            "seq": seq,
            "time": dt.datetime(2025, 1, seq, tzinfo=dt.UTC),
            "actor_label": f"canbo1#{officer.pk}",
            "action": "legacy.event",
            "target_type": "",
            "target_id": "",
            "target_label": "",
            "before": None,
            "after": {"n": seq},
            "request_id": "",
            "prev_hash": prev,
        }
        AuditEvent(actor=officer, hash=compute_legacy_hash(fields), **fields).save()
        prev = compute_legacy_hash(fields)
    record(actor=officer, action="keyed.event")
    assert not verify_chain().ok  # by default every event must be keyed
    settings.AUDIT_LEGACY_UNTIL_SEQ = 2
    result = verify_chain()
    assert result.ok and result.count == 3
    # Rewriting a legacy event (even consistently) breaks the first keyed one.
    _rehash_from(1, compute_legacy_hash)
    assert verify_chain().broken.seq == 3


def test_an_append_stays_one_hmac_and_no_extra_query(officer, django_assert_num_queries):
    """The append is on every write path (docs/benchmarks.md): lock (PostgreSQL), head, insert."""
    from django.db import connection

    record(actor=officer, action="test.warm")
    expected = 3 if connection.vendor == "postgresql" else 2
    with transaction.atomic(), django_assert_num_queries(expected):
        record(actor=officer, action="test.cost", target=officer, after={"n": 1})
