"""The base class of an online-form field type and the helpers its schema checks use.

A field type carries everything the platform does with one kind of answer (Open Forms'
``formio/components`` idea: one registered class per component, with its validator and
formatter): the schema keys it accepts and their check, the cleaning of a submitted value,
reading the value back from a posted page, the widget that draws it, and the answer as the review
page and the officer's dossier page show it. ``catalog.formschema`` validates schemas and data
through the registry; ``portal.schemaform`` reads, binds and displays through it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django.http import QueryDict

from congso.core.errors import DomainError
from congso.core.registry import Plugin, Registry


@dataclass(frozen=True)
class SchemaContext:
    """What a field's schema check may need besides the field: the component codes of the
    procedure version (None: not checked), and the check of a list of fields
    (``check_fields(fields, path, nested=…, components=…)``) for a group's sub-fields."""

    components: set[str] | None
    check_fields: Callable[..., None]


class FieldInvalid(Exception):
    """A submitted value does not fit its field: a stable ``code`` and the Vietnamese reason
    (without the field's label, which the form validation puts in front)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        #: A :class:`congso.core.errors.Message` where people may read it in English.
        self.message = message


class FieldType(Plugin):
    """One kind of form field. Subclass, set ``id``/``label``/``keys``, override what differs and
    register the class with ``@registry.register`` in the ``plugin`` module of an app."""

    #: The type's own schema keys (besides name, type, label, required, help, section, prefill).
    keys: ClassVar[frozenset[str]] = frozenset()
    #: ``"value"``: one answer cleaned by :meth:`clean`; ``"group"`` (rows of sub-fields) and
    #: ``"file"`` (a file slot bound to a component) are cleaned by the form validation itself.
    structure: ClassVar[str] = "value"
    #: Whether the type may be used inside a repeating group.
    nestable: ClassVar[bool] = True
    #: The template that draws the input (context: ``f``, a ``portal.schemaform.BoundField``);
    #: empty for a type the form pages do not draw field by field (file slots).
    widget: ClassVar[str] = "portal/fields/input.html"
    #: The ``type`` attribute of the generic ``<input>`` widget.
    input_type: ClassVar[str] = "text"

    def check_schema(self, spec: Mapping[str, Any], path: str, context: SchemaContext) -> None:
        """Refuse a malformed field declaration (raise :func:`schema_error`)."""

    def clean(self, spec: Mapping[str, Any], value: Any, *, on: datetime.date | None) -> Any:
        """The cleaned value of a non-empty answer, or :class:`FieldInvalid`."""
        return value

    def read(self, spec: Mapping[str, Any], post: QueryDict, name: str) -> Any:
        """The answer as typed on a posted page (HTML field ``name``)."""
        return post.get(name, "").strip()

    def display(self, spec: Mapping[str, Any], value: Any) -> str:
        """A non-empty answer as people read it (review page, officer's dossier page)."""
        return str(value)

    def input_attrs(self, spec: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Extra attributes of the generic ``<input>`` widget (bounds, patterns)."""
        if spec.get("max_length"):
            return [("maxlength", str(spec["max_length"]))]
        return []


registry: Registry[FieldType] = Registry("catalog.fieldtypes", FieldType)


def get(type_id: str) -> FieldType:
    return registry.get(type_id)


# --- Schema-check helpers -------------------------------------------------------------------


def schema_error(message: str, path: str) -> DomainError:
    return DomainError("invalid_form_schema", message, field=path)


def check_number(spec: Mapping[str, Any], key: str, path: str, *, integer: bool = False) -> None:
    value = spec.get(key)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise schema_error(f"«{key}» phải là số.", f"{path}.{key}")
    if integer and (not float(value).is_integer() or value < 0):
        raise schema_error(f"«{key}» phải là số nguyên không âm.", f"{path}.{key}")


def check_bool(spec: Mapping[str, Any], key: str, path: str) -> None:
    if key in spec and not isinstance(spec[key], bool):
        raise schema_error(f"«{key}» phải là true hoặc false.", f"{path}.{key}")


def check_text(spec: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> None:
    value = spec.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value.strip()):
        raise schema_error(f"«{key}» phải là chuỗi ký tự không rỗng.", f"{path}.{key}")


def check_bounds(spec: Mapping[str, Any], path: str, low: str, high: str) -> None:
    a, b = spec.get(low), spec.get(high)
    if isinstance(a, int | float) and isinstance(b, int | float) and a > b:
        raise schema_error(f"«{low}» lớn hơn «{high}».", f"{path}.{low}")


def blank(value: Any) -> bool:
    """Nothing typed: empty text, an empty list, or a mapping of blanks (a page's view)."""
    if isinstance(value, Mapping):
        return all(blank(v) for v in value.values())
    return value in (None, "", [])
