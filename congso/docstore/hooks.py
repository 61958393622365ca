"""What the store registers on the apps below it (imported by ``DocstoreConfig.ready()``):

* on the e-results' ``on_result_signed``: a fully signed result goes into its applicant's
  store, in the signing transaction (:func:`congso.docstore.services.result_deposit`);
* on the index (QĐ 766): the formulas of 4.3 "tái sử dụng dữ liệu đã số hóa" (dossiers received
  in the period with a component from the store ÷ dossiers received) and 4.4 "kết nối kho dữ
  liệu điện tử của công dân" (dossiers received with a component from the store, or whose
  e-result went into the store ÷ dossiers received).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q

from congso.docstore import services
from congso.docstore.models import DocumentKind, DocumentReuse, StoredDocument
from congso.indicators import index
from congso.results import hooks as result_hooks


@result_hooks.on_result_signed.register("docstore.deposit")
def _deposit(dossier_id: int, *, signed_at: datetime) -> None:
    services.result_deposit(dossier_id, signed_at=signed_at)


def _reused() -> Q:
    return Q(Exists(DocumentReuse.objects.filter(dossier_id=OuterRef("pk"))))


def _deposited() -> Q:
    return Q(
        Exists(
            StoredDocument.objects.filter(
                kind=DocumentKind.RESULT, source_dossier_id=OuterRef("pk")
            )
        )
    )


def _ratio(filters: index.Filters, condition: Q) -> index.Ratio:
    received = index._dossiers_in(filters).filter(
        index._in("received_at", filters.start, filters.end)
    )
    total = received.count()
    hit = received.filter(condition).count()
    # No drill-down keys: the drill-down lists only the index's own populations.
    return index.Ratio(hit, total, "", "", "")


def data_reused(filters: index.Filters) -> index.Ratio:
    return _ratio(filters, _reused())


def data_warehouse(filters: index.Filters) -> index.Ratio:
    return _ratio(filters, _reused() | _deposited())


index.register_formula("data_reused", data_reused, inputs=["data_reuse"])
index.register_formula("data_warehouse", data_warehouse, inputs=["data_warehouse"])
