"""The registers: numbers from 1 each year, one sequence per agency and direction, confidential
documents in their own series, no gaps, no duplicates under concurrency (PostgreSQL)."""

from __future__ import annotations

import random
import threading
from datetime import date

import pytest
from django.db import connection, transaction

from congso.eoffice import registers

pytestmark = pytest.mark.django_db


def take(agency: str = "000.00.00.H51", *, day: date, confidential: bool = False) -> int:
    with transaction.atomic():
        return registers.next_number(
            agency_code=agency, direction="out", day=day, confidential=confidential
        )


def test_numbers_run_from_one_each_year_per_agency_and_series() -> None:
    assert [take(day=date(2026, 3, 1)) for _ in range(3)] == [1, 2, 3]
    assert take(day=date(2026, 3, 1), confidential=True) == 1
    assert take("000.00.01.H51", day=date(2026, 3, 1)) == 1
    assert take(day=date(2027, 1, 1)) == 1
    assert take(day=date(2026, 12, 31)) == 4
    assert registers.format_number(5) == "05" and registers.format_number(123) == "123"


def test_a_rolled_back_number_is_given_again() -> None:
    assert take(day=date(2026, 5, 1)) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert (
            registers.next_number(
                agency_code="000.00.00.H51",
                direction="out",
                day=date(2026, 5, 1),
                confidential=False,
            )
            == 2
        )
        raise RuntimeError("the issue failed")
    assert take(day=date(2026, 5, 1)) == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_clerks_leave_no_gap_and_no_duplicate() -> None:
    committed: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    rng = random.Random(16)
    plans = [[rng.random() < 0.3 for _ in range(6)] for _ in range(12)]

    def clerk(plan: list[bool]) -> None:
        try:
            for rollback in plan:
                try:
                    with transaction.atomic():
                        number = registers.next_number(
                            agency_code="000.00.00.H51",
                            direction="out",
                            day=date(2026, 6, 1),
                            confidential=False,
                        )
                        if rollback:
                            raise LookupError
                except LookupError:
                    continue
                with lock:
                    committed.append(number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    expected = sum(not rollback for plan in plans for rollback in plan)
    assert sorted(committed) == list(range(1, expected + 1))


def test_issue_numbers_documents_and_warns_on_a_duplicate_arrival(world) -> None:
    from congso.eoffice import services
    from congso.eoffice.models import Confidentiality, Document
    from congso.eoffice.services import Upload
    from tests.eoffice.conftest import pdf_bytes

    office = world.ubnd

    def issued(confidentiality: int = Confidentiality.NORMAL) -> Document:
        draft = services.draft_create(
            actor=office.specialist,
            agency_id=office.agency.pk,
            doc_type_code="QD",
            subject="Quyết định thử",
            main=Upload("qd.pdf", pdf_bytes()),
            signer_id=office.leader.pk,
            signer_position="Chủ tịch",
            signer_competence="TM.",
            confidentiality=confidentiality,
        )
        assert draft.code_number == "" and draft.register_number is None
        services.draft_submit(actor=office.specialist, document_id=draft.pk, reviewer_ids=[])
        services.document_sign(actor=office.leader, document_id=draft.pk)
        return services.document_issue(actor=office.clerk, document_id=draft.pk)

    assert [issued().number_notation for _ in range(2)] == ["01/QĐ-UBND", "02/QĐ-UBND"]
    assert issued(Confidentiality.CONFIDENTIAL).number_notation == "01/QĐ-UBND"
    assert issued().number_notation == "03/QĐ-UBND"

    clerk = world.so.clerk

    def paper() -> Document:
        return services.incoming_create(
            actor=clerk,
            agency_id=world.so.agency.pk,
            doc_type_code="CV",
            issuer_code="000.00.00.H52",
            issuer_name="UBND tỉnh Bên Cạnh",
            code_number="12",
            code_notation="UBND-VP",
            issued_on=date(2026, 12, 1),
            subject="Công văn giấy",
            main=Upload("scan.pdf", pdf_bytes()),
        )

    first = services.incoming_register(actor=clerk, document_id=paper().pk)
    second = services.incoming_register(actor=clerk, document_id=paper().pk)
    assert (first.document.register_number, first.warnings) == (1, [])
    assert second.document.register_number == 2
    assert second.document.duplicate_of_id == first.document.pk
    assert "đã vào sổ đến số 1/" in second.warnings[0]
