"""Dossier codes: TT 01/2018 art. 19 format, per agency and day, gap-free, rules as data."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import transaction

from congso.core.errors import DomainError
from congso.dossiers import codes, services
from congso.dossiers.models import CodeCounter, CodeRule, Dossier
from congso.dossiers.services import _kernel
from tests.dossiers.conftest import at, submit

CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$")


def test_tt01_2018_rule_is_seeded(db):
    rule = CodeRule.objects.get(effective_from=datetime.date(2019, 1, 6))
    assert rule.pattern == "{agency}-{yymmdd}-{seq:04d}"
    assert "01/2018" in rule.legal_basis


def test_code_format_sequence_and_reset_per_day(world, clock):
    clock.set(at(2026, 3, 2, 9, 0))
    first = submit(world)
    second = submit(world)
    assert first.code == "000.00.51.H51-260302-0001"
    assert second.code == "000.00.51.H51-260302-0002"
    assert CODE_RE.match(first.code)
    assert first.code_rule.effective_from == datetime.date(2019, 1, 6)
    # Another desk's agency has its own sequence.
    world.desk_b.serves.add(world.commune_a)
    other = submit(world, desk=world.desk_b)
    assert other.code == "000.00.52.H51-260302-0001"
    # The next day starts again at 0001 (local date: 00:30 on 3 March is still 2 March in UTC).
    clock.set(at(2026, 3, 3, 0, 30))
    assert submit(world).code == "000.00.51.H51-260303-0001"


def test_a_rolled_back_dossier_leaves_no_gap(world, clock, monkeypatch):
    clock.set(at(2026, 3, 2, 9, 0))
    submit(world)

    def broken(**kwargs):
        raise RuntimeError("audit unavailable")

    with monkeypatch.context() as patch:
        patch.setattr(_kernel, "record", broken)
        with pytest.raises(RuntimeError):
            submit(world)
    assert submit(world).code.endswith("-0002")
    assert Dossier.objects.count() == 2
    assert CodeCounter.objects.get(agency_code="000.00.51.H51").last == 2


def test_a_later_rule_applies_from_its_date_and_dossiers_keep_theirs(world, clock):
    clock.set(at(2026, 3, 2, 9, 0))
    before = submit(world)
    services.code_rule_create(
        actor=None,
        effective_from=datetime.date(2026, 3, 3),
        pattern="{agency}-{yyyy}{mm}{dd}-{seq:05d}",
        legal_basis="Thử nghiệm",
    )
    clock.set(at(2026, 3, 3, 9, 0))
    after = submit(world)
    assert after.code == "000.00.51.H51-20260303-00001"
    before.refresh_from_db()
    assert before.code_rule.pattern == "{agency}-{yymmdd}-{seq:04d}"
    assert after.code_rule.pattern == "{agency}-{yyyy}{mm}{dd}-{seq:05d}"


def test_code_rule_validation(world, clock):
    clock.set(at(2026, 3, 2, 9, 0))
    with pytest.raises(DomainError) as past:
        services.code_rule_create(
            actor=None, effective_from=datetime.date(2026, 3, 2), pattern="{agency}-{seq:04d}"
        )
    assert past.value.code == "code_rule_in_past"
    for pattern in ("{agency}-{yymmdd}", "{agency}-{seq}", "{agency}-{name}-{seq:04d}", "{agency"):
        with pytest.raises(DomainError) as bad:
            codes.validate_pattern(pattern)
        assert bad.value.code == "invalid_code_pattern"
    assert codes.validate_pattern("{agency}-{yymmdd}-{seq:04d}") == 9999


def test_sequence_exhausted_is_refused(world, clock):
    clock.set(at(2026, 3, 2, 9, 0))
    CodeCounter.objects.create(
        agency_code="000.00.51.H51", day=datetime.date(2026, 3, 2), last=9999
    )
    with pytest.raises(DomainError) as exhausted:
        submit(world)
    assert exhausted.value.code == "code_sequence_exhausted"
    assert CodeCounter.objects.get(agency_code="000.00.51.H51").last == 9999


def test_allocate_for_any_agency_identifier(db):
    with transaction.atomic():
        code, rule = codes.allocate(agency_code="000.00.12.H56", at=at(2026, 3, 2, 9))
        again, _rule = codes.allocate(agency_code="000.00.12.H56", at=at(2026, 3, 2, 23, 59))
    assert code == "000.00.12.H56-260302-0001"
    assert again == "000.00.12.H56-260302-0002"
    assert rule.pattern == codes.TT01_2018_PATTERN


def test_the_number_is_taken_at_the_end_of_the_submission(world, clock):
    """Issue 22: the agency's counter row stays locked from the upsert to commit, so every
    submission to the agency that day queues on it; it is taken after the dossier, its slots
    and its files are written, right before the history, outbox and audit rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clock.set(at(2026, 3, 2, 9, 0))
    with CaptureQueriesContext(connection) as queries:
        dossier = submit(world)
    statements = [q["sql"] for q in queries]

    def first(table: str) -> int:
        return next(i for i, sql in enumerate(statements) if table in sql)

    counter = first("dossiers_codecounter")
    assert first("dossiers_attachment") < counter
    assert first("dossiers_dossiercomponent") < counter
    assert counter < first("dossiers_dossierhistory") < first("audit_auditevent")
    assert dossier.code == "000.00.51.H51-260302-0001"
    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.code == dossier.code and not codes.is_provisional(stored.code)
    assert stored.history.get().dossier_id == dossier.pk


def test_a_refused_submission_leaves_no_number_used(world, clock):
    """A failure after the number was taken rolls it back with the dossier (gap-free)."""
    from unittest import mock

    clock.set(at(2026, 3, 2, 9, 0))
    with (
        mock.patch.object(_kernel, "record", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        submit(world)
    assert not Dossier.objects.exists()
    assert submit(world).code == "000.00.51.H51-260302-0001"
