"""Form field types behind a registry (``docs/catalog.md``, "Field types").

Every type of an online-form field is a registered :class:`FieldType` subclass; the built-in
ones are in :mod:`.builtin`. A new type (a land-parcel picker, a vehicle plate…) is one class in
the ``plugin`` module of an app under ``congso/contrib/<vendor>/`` (or a province's app named in
``CONGSO_PLUGINS``), registered with ``@registry.register``, plus its widget template::

    from congso.catalog.fieldtypes import FieldInvalid, FieldType, registry

    @registry.register
    class ParcelField(FieldType):
        id = "land_parcel"
        label = "Thửa đất"
        keys = frozenset({"province"})
        widget = "parcels/fields/parcel.html"

        def clean(self, spec, value, *, on):
            ...  # raise FieldInvalid("invalid_parcel", "…") on a bad answer

Schemas then use ``"type": "land_parcel"``; the schema check, the data validation, the form
pages and the review page pick the type up from the registry.
"""

from congso.catalog.fieldtypes import builtin
from congso.catalog.fieldtypes.base import (
    FieldInvalid,
    FieldType,
    SchemaContext,
    blank,
    get,
    registry,
)
from congso.catalog.fieldtypes.builtin import display_value, group_rows

__all__ = [
    "FieldInvalid",
    "FieldType",
    "SchemaContext",
    "blank",
    "builtin",
    "display_value",
    "get",
    "group_rows",
    "registry",
]
