"""The per-process catalogue copy a submission reads (congso.catalog.cache) is never stale: every
catalogue write, by any path, is seen by the next submission."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from congso.catalog import cache
from congso.catalog.models import Component, Procedure, ProcedureVersion, Process
from congso.core.errors import DomainError
from congso.dossiers.models import Attachment
from congso.dossiers.selectors import attachments_of
from congso.dossiers.services import created_parts
from tests.dossiers.conftest import World, online_files, pdf, submit

pytestmark = pytest.mark.django_db


def _catalogue_reads(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "catalog_procedureversion" in q["sql"] or "catalog_component" in q["sql"]
    ]


def test_second_submission_reads_the_catalogue_from_memory(world: World) -> None:
    submit(world)
    with CaptureQueriesContext(connection) as queries:
        dossier = submit(world)
    assert dossier.procedure_version_id == world.version.pk
    assert dossier.process_id == world.process.pk
    assert _catalogue_reads(queries) == []
    assert any("catalog_revision" in q["sql"] for q in queries.captured_queries)


def test_a_new_version_is_used_by_the_next_submission(world: World) -> None:
    assert submit(world).procedure_version_id == world.version.pk
    ProcedureVersion.objects.filter(pk=world.version.pk).update(
        effective_to=datetime.date(2026, 2, 28)
    )
    newer = ProcedureVersion.objects.create(
        procedure=world.procedure,
        version=2,
        effective_from=datetime.date(2026, 3, 1),
        submission_channels=["online"],
        time_limit_value=5,
        time_limit_unit="working_days",
        online_level="full",
        form_schema=world.version.form_schema,
    )
    for component in Component.objects.filter(version=world.version):
        component.pk = None
        component.version = newer
        component.save()
    dossier = submit(world)
    assert dossier.procedure_version_id == newer.pk
    assert dossier.process_id is None  # the agency has no process for version 2 yet


def test_a_component_change_by_a_bulk_update_is_seen(world: World) -> None:
    submit(world)
    # A queryset update: no model signal, only the database trigger sees it.
    Component.objects.filter(version=world.version, code="giay-chung-sinh").update(mandatory=False)
    dossier = submit(world, files={"to-khai": [pdf()]})
    assert dossier.components.get(code="giay-chung-sinh").mandatory is False

    Component.objects.filter(version=world.version, code="giay-uy-quyen").update(mandatory=True)
    with pytest.raises(DomainError) as caught:
        submit(world)
    assert caught.value.code == "component_missing"
    assert caught.value.field == "files.giay-uy-quyen"


def test_a_deactivated_process_or_procedure_is_seen(world: World) -> None:
    submit(world)
    Process.objects.filter(pk=world.process.pk).update(active=False)
    assert submit(world).process_id is None

    # The caller's procedure instance still says active; the catalogue does not.
    Procedure.objects.filter(pk=world.procedure.pk).update(active=False)
    with pytest.raises(DomainError) as caught:
        submit(world)
    assert caught.value.code == "procedure_not_in_force"


def test_raw_sql_and_deletes_are_seen(world: World) -> None:
    submit(world)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_component SET max_size_bytes = 10 WHERE code = %s", ["to-khai"]
        )
    with pytest.raises(DomainError) as caught:
        submit(world)
    assert caught.value.code == "file_too_large"

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_component SET max_size_bytes = 10000000 WHERE code = %s", ["to-khai"]
        )
    extra = Component.objects.create(
        version=world.version,
        order=4,
        code="anh-the",
        name="Ảnh thẻ",
        original_or_copy="original",
        mandatory=True,
    )
    with pytest.raises(DomainError) as caught:
        submit(world)
    assert caught.value.code == "component_missing"
    extra.delete()
    assert submit(world).components.count() == 3


def test_a_rolled_back_change_is_not_kept(world: World) -> None:
    submit(world)

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        Component.objects.filter(version=world.version, code="to-khai").update(name="Tên đã sửa")
        inside = submit(world)
        assert inside.components.get(code="to-khai").name == "Tên đã sửa"
        raise Undo
    after = submit(world)
    assert after.components.get(code="to-khai").name == "Tờ khai đăng ký khai sinh"


def test_without_a_revision_row_nothing_is_trusted(world: World) -> None:
    submit(world)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_revision")
    assert cache.current_token() is None
    with CaptureQueriesContext(connection) as queries:
        submit(world)
    assert _catalogue_reads(queries) != []
    # The next catalogue write brings the row back.
    Component.objects.filter(version=world.version, code="to-khai").update(name="Tờ khai")
    assert cache.current_token() is not None


def test_submission_answer_lists_what_was_written(world: World) -> None:
    """The online submission answers from the rows it wrote; they match the database."""
    dossier = submit(
        world, files={**online_files(), "giay-uy-quyen": [pdf("uq.pdf", b"%PDF-1.4\n%%EOF\n")]}
    )
    components, files = created_parts(dossier)
    assert [c.pk for c in components] == list(
        dossier.components.order_by("pk").values_list("pk", flat=True)
    )

    def facts(item: Attachment) -> tuple[Any, ...]:
        return (item.pk, item.version, item.sha256, item.size, item.mime_type, item.uploaded_at)

    stored: dict[int, list[tuple[Any, ...]]] = {}
    for item in attachments_of(dossier):
        stored.setdefault(item.component_id, []).append(facts(item))
    assert {k: [facts(a) for a in v] for k, v in files.items()} == stored
    assert sum(len(v) for v in stored.values()) == 3
