"""Online forms declared as data: one schema the portal renders and the server validates.

A schema is a JSON object ``{"version": 1, "title": "…", "fields": [field, …]}`` (an empty
object means the procedure has no online form). Every field has ``name`` (``[a-z][a-z0-9_]*``,
unique at its level), ``type``, ``label`` (Vietnamese), and optionally ``required`` (default
false), ``help``, ``section`` (a heading the portal groups fields under) and ``prefill`` (a source
name from :data:`PREFILL_SOURCES`, top-level fields only). Types and their own keys:

======================  ==========================================================================
``text``/``textarea``   ``min_length``, ``max_length`` (defaults 500 / 5000)
``number``              ``min``, ``max``, ``integer`` (bool)
``date``                ``min``, ``max``: ``YYYY-MM-DD`` or ``"today"``
``choice``              ``options`` ``[{"value", "label"}]`` (required), ``multiple`` (bool)
``email``, ``phone``    (Vietnamese mobile or landline numbers; stored as 0xxxxxxxxx)
``personal_id``         12-digit personal ID (``congso.org.identity.validate_personal_id``)
``address``             value ``{"unit_code", "detail"}``; the commune/ward code is resolved with
                        :func:`congso.org.selectors.resolve_unit`; ``require_detail`` (default true)
``group``               repeating group: ``fields`` (no nested group or file), ``min``, ``max``
``file``                a file slot bound to a component: ``component`` (its code), ``max_files``
                        (default 5), ``accept`` (MIME types), ``max_size_bytes``
======================  ==========================================================================

Each type is a registered class (:mod:`congso.catalog.fieldtypes`: its keys, schema check,
cleaning, reading from a posted page, widget and display); the table lists the built-in ones,
and a plugin app adds others without touching this module.

A schema may also list the components that are **not uploaded online** (top-level
``offline``: ``[{"component": code, "why": "paper" | "show" | "form"}]``): the paper declaration
only handed in at the desk or by post, the ID card shown (xuất trình) and not handed in, the
declaration this online form replaces. Online submission does not ask for them
(:func:`offline_components`).

:func:`validate_schema` refuses a malformed schema (``DomainError`` naming the path inside it);
:func:`validate_data` checks submitted data against a schema and returns the cleaned data, or
raises :class:`FormInvalid` listing every error at once with its field path (``children.0.name``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_noop

from congso.catalog import fieldtypes
from congso.catalog.fieldtypes import FieldInvalid, builtin
from congso.catalog.fieldtypes.base import SchemaContext, check_bool, check_text, schema_error
from congso.catalog.models import DEFAULT_ALLOWED_TYPES, DEFAULT_MAX_SIZE_BYTES
from congso.core.errors import DomainError, Message
from congso.core.text import INVALID_TEXT, invalid_paths, message_for

SCHEMA_VERSION = 1
_COMMON_KEYS = frozenset({"name", "type", "label", "required", "help", "section", "prefill"})
DEFAULT_GROUP_MAX = builtin.DEFAULT_GROUP_MAX
DEFAULT_MAX_FILES = builtin.DEFAULT_MAX_FILES
MAX_FIELDS = 200
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def field_types() -> list[str]:
    """The type names a schema may use: the registered field types, in registration order."""
    return fieldtypes.registry.ids()


def structure(spec: Any) -> str:
    """``"value"``, ``"group"`` or ``"file"`` for a field of a registered type, else ``""``."""
    kind = spec.get("type") if isinstance(spec, Mapping) else None
    if isinstance(kind, str) and kind in fieldtypes.registry:
        return fieldtypes.get(kind).structure
    return ""


class FormInvalid(DomainError):
    """Submitted data does not fit the form; ``errors`` lists every problem found."""

    status = 422

    def __init__(self, errors: list[dict[str, str | None]]):
        count = len(errors)
        first = errors[0] if errors else {"field": None, "message": ""}
        message = (
            f"Biểu mẫu có {count} lỗi cần sửa. Lỗi đầu tiên: {first['message']}"
            if count > 1
            else f"Biểu mẫu có lỗi: {first['message']}"
        )
        # Bad text (NUL, lone surrogates) is reported under its own stable code.
        only_text = bool(errors) and all(e.get("code") == INVALID_TEXT for e in errors)
        super().__init__(
            INVALID_TEXT if only_text else "invalid_form", message, field=first["field"]
        )
        self.errors = errors

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "errors": self.errors}


# --- Prefill sources ------------------------------------------------------------------------


@dataclass(frozen=True)
class PrefillSource:
    """Where a value comes from: a citizen profile attribute now, the population registry later."""

    label: str
    types: frozenset[str]
    read: Callable[[Any], Any]


def _citizen_address(citizen: Any) -> dict[str, str] | None:
    unit = getattr(citizen, "address_unit", None)
    detail = getattr(citizen, "address", "") or ""
    if unit is None and not detail:
        return None
    return {"unit_code": unit.code if unit is not None else "", "detail": detail}


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime.date) else None


#: Registered sources, by the name a schema field gives in ``prefill``.
PREFILL_SOURCES: dict[str, PrefillSource] = {
    "citizen.full_name": PrefillSource(
        "Họ và tên (hồ sơ công dân)",
        frozenset({"text"}),
        lambda c: getattr(c, "full_name", "") or None,
    ),
    "citizen.personal_id": PrefillSource(
        "Số định danh cá nhân (hồ sơ công dân)",
        frozenset({"personal_id", "text"}),
        lambda c: getattr(c, "personal_id", "") or None,
    ),
    "citizen.birth_date": PrefillSource(
        "Ngày sinh (hồ sơ công dân)",
        frozenset({"date"}),
        lambda c: _iso(getattr(c, "birth_date", None)),
    ),
    "citizen.gender": PrefillSource(
        "Giới tính (hồ sơ công dân)",
        frozenset({"choice"}),
        lambda c: getattr(c, "gender", "") or None,
    ),
    "citizen.phone": PrefillSource(
        "Số điện thoại (hồ sơ công dân)",
        frozenset({"phone", "text"}),
        lambda c: getattr(c, "phone", "") or None,
    ),
    "citizen.email": PrefillSource(
        "Thư điện tử (hồ sơ công dân)",
        frozenset({"email", "text"}),
        lambda c: getattr(c, "email", "") or None,
    ),
    "citizen.address": PrefillSource(
        "Địa chỉ (hồ sơ công dân)", frozenset({"address"}), _citizen_address
    ),
}


def prefill(schema: Mapping[str, Any], citizen: Any) -> dict[str, Any]:
    """Initial values for the form from the citizen's profile (fields whose source has data)."""
    if citizen is None:
        return {}
    values: dict[str, Any] = {}
    for spec in schema.get("fields") or ():
        source = PREFILL_SOURCES.get(spec.get("prefill") or "")
        if source is None:
            continue
        value = source.read(citizen)
        if value not in (None, ""):
            values[spec["name"]] = value
    return values


def prefill_map(schema: Mapping[str, Any]) -> dict[str, str]:
    """``{field name: source name}`` for the fields that are filled in advance."""
    return {
        spec["name"]: spec["prefill"]
        for spec in schema.get("fields") or ()
        if isinstance(spec, Mapping) and spec.get("prefill")
    }


# --- Schema validation ----------------------------------------------------------------------

_schema_error = schema_error
_check_text = check_text
_check_bool = check_bool


def _check_field(
    spec: Any, path: str, *, nested: bool, components: set[str] | None
) -> tuple[str, str]:
    if not isinstance(spec, Mapping):
        raise _schema_error("Mỗi trường là một đối tượng JSON.", path)
    name, kind = spec.get("name"), spec.get("type")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise _schema_error(
            "Tên trường gồm chữ thường không dấu, số và dấu gạch dưới, bắt đầu bằng chữ.",
            f"{path}.name",
        )
    if not isinstance(kind, str) or kind not in fieldtypes.registry:
        raise _schema_error(
            f"Loại trường «{kind}» không hợp lệ; chọn một trong: {', '.join(field_types())}.",
            f"{path}.type",
        )
    field_type = fieldtypes.get(kind)
    unknown = set(spec) - _COMMON_KEYS - field_type.keys
    if unknown:
        raise _schema_error(
            f"Khóa không dùng cho trường loại {kind}: {', '.join(sorted(unknown))}.", path
        )
    _check_text(spec, "label", path, required=True)
    _check_text(spec, "help", path)
    _check_text(spec, "section", path)
    _check_bool(spec, "required", path)
    if nested and not field_type.nestable:
        raise _schema_error("Nhóm lặp không chứa nhóm lặp khác hay ô tệp.", f"{path}.type")
    source_name = spec.get("prefill")
    if source_name is not None:
        source = PREFILL_SOURCES.get(source_name) if isinstance(source_name, str) else None
        if source is None or nested:
            raise _schema_error(
                f"Nguồn điền sẵn «{source_name}» không có (hoặc dùng trong nhóm lặp).",
                f"{path}.prefill",
            )
        if kind not in source.types:
            raise _schema_error(
                f"Nguồn «{source_name}» không điền được trường loại {kind}.", f"{path}.prefill"
            )
    field_type.check_schema(spec, path, SchemaContext(components, _check_fields))
    return name, kind


def _check_fields(fields: Any, path: str, *, nested: bool, components: set[str] | None) -> None:
    if not isinstance(fields, list) or not fields:
        raise _schema_error("Cần danh sách «fields» có ít nhất một trường.", path)
    if len(fields) > MAX_FIELDS:
        raise _schema_error(f"Tối đa {MAX_FIELDS} trường.", path)
    names: set[str] = set()
    bound: set[str] = set()
    for index, spec in enumerate(fields):
        name, kind = _check_field(spec, f"{path}.{index}", nested=nested, components=components)
        if name in names:
            raise _schema_error(f"Tên trường «{name}» bị trùng.", f"{path}.{index}.name")
        names.add(name)
        if fieldtypes.get(kind).structure == "file":
            if spec["component"] in bound:
                raise _schema_error(
                    f"Thành phần «{spec['component']}» đã có ô tệp khác.",
                    f"{path}.{index}.component",
                )
            bound.add(spec["component"])


def validate_schema(schema: Any, *, component_codes: Iterable[str] | None = None) -> None:
    """Refuse a malformed schema with ``DomainError("invalid_form_schema")`` whose ``field`` is
    the path inside the schema (``fields.3.options``). With ``component_codes``, every file slot
    must be bound to one of them."""
    if not isinstance(schema, Mapping):
        raise _schema_error("Biểu mẫu phải là một đối tượng JSON.", "")
    if not schema:
        return
    unknown = set(schema) - {"version", "title", "fields", "offline"}
    if unknown:
        raise _schema_error(f"Khóa không hợp lệ: {', '.join(sorted(unknown))}.", "")
    if schema.get("version", SCHEMA_VERSION) != SCHEMA_VERSION:
        raise _schema_error(f"Chỉ hỗ trợ biểu mẫu phiên bản {SCHEMA_VERSION}.", "version")
    _check_text(schema, "title", "")
    components = set(component_codes) if component_codes is not None else None
    _check_fields(schema.get("fields"), "fields", nested=False, components=components)
    _check_offline(schema.get("offline"), components, set(file_components(schema)))


#: Why a component is not uploaded online, as the citizen reads it.
OFFLINE_REASONS = {
    "paper": "Chỉ nộp khi nộp hồ sơ giấy (trực tiếp hoặc qua bưu chính); không tải lên.",
    "show": "Xuất trình khi làm thủ tục trực tiếp hoặc khi nhận kết quả; không tải lên.",
    "form": "Thay bằng tờ khai điện tử bạn điền ở các bước trước; không tải lên.",
}


def _check_offline(offline: Any, components: set[str] | None, bound: set[str]) -> None:
    if offline is None:
        return
    if not isinstance(offline, list):
        raise _schema_error("«offline» là danh sách {component, why}.", "offline")
    seen: set[str] = set()
    for index, item in enumerate(offline):
        path = f"offline.{index}"
        if not isinstance(item, Mapping) or set(item) != {"component", "why"}:
            raise _schema_error("Mỗi mục có dạng {component, why}.", path)
        code = item["component"]
        if not isinstance(code, str) or (components is not None and code not in components):
            raise _schema_error(f"Không có thành phần hồ sơ mã «{code}».", f"{path}.component")
        if code in bound or code in seen:
            raise _schema_error(f"Thành phần «{code}» đã có ô tệp hoặc bị trùng.", path)
        if item["why"] not in OFFLINE_REASONS:
            raise _schema_error(f"«why» là một trong: {', '.join(OFFLINE_REASONS)}.", f"{path}.why")
        seen.add(code)


def optional_online(schema: Mapping[str, Any]) -> set[str]:
    """The components an online submission may leave without a file: those not uploaded online
    and those whose file slot is not required (needed only in some cases, the condition shown
    to the citizen). An online form without file slots leaves the catalogue's rule alone."""
    optional = set(offline_components(schema))
    for spec in schema.get("fields") or ():
        if structure(spec) == "file" and not spec.get("required"):
            optional.add(str(spec.get("component")))
    return optional


def offline_components(schema: Mapping[str, Any]) -> dict[str, str]:
    """``{component code: why}`` of the components not uploaded online."""
    return {
        str(item["component"]): str(item["why"])
        for item in schema.get("offline") or ()
        if isinstance(item, Mapping) and item.get("component")
    }


def file_components(schema: Mapping[str, Any]) -> list[str]:
    """The component codes the schema's file slots are bound to."""
    return [spec["component"] for spec in schema.get("fields") or () if structure(spec) == "file"]


# --- Data validation ------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Mapping):
        # An address left blank ({"unit_code": "", "detail": ""}) is not an answer.
        return all(_empty(item) for item in value.values())
    if isinstance(value, list | tuple):
        return not value
    return False


def _file_attr(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)


def _file_info(item: Any) -> tuple[str, int | None, str]:
    name = str(_file_attr(item, "name") or "")
    size = _file_attr(item, "size")
    content_type = str(_file_attr(item, "content_type") or "").split(";")[0].strip().lower()
    return (
        name,
        size if isinstance(size, int) and not isinstance(size, bool) else None,
        content_type,
    )


def owned_label(spec: Mapping[str, Any], owner: str = "") -> str:
    """The field's label with whose it is: «Nơi cư trú (Cha)» — a form has several «Họ, chữ
    đệm, tên» and «Nơi cư trú», one per person, told apart by their section (or by the row of
    a repeating group, ``owner``)."""
    label = str(spec.get("label") or spec.get("name"))
    section = owner or str(spec.get("section") or "").strip()
    if not section or (not owner and section.casefold() in label.casefold()):
        return label
    return Message("%(label)s (%(owner)s)", label=label, owner=section)


def _as_message(text: str) -> Message:
    return text if isinstance(text, Message) else Message(text)


class _Collector:
    def __init__(self, on: datetime.date | None):
        self.errors: list[dict[str, str | None]] = []
        self.on = on

    def add(self, path: str | None, code: str, message: str) -> None:
        """``message`` is the Vietnamese text (a :class:`Message` a page can translate)."""
        self.errors.append({"field": path, "code": code, "message": message})

    def fields(
        self,
        specs: list[Mapping[str, Any]],
        data: Mapping[str, Any],
        prefix: str,
        files: Mapping[str, Any],
        owner: str = "",
    ) -> dict[str, Any]:
        known = {spec["name"] for spec in specs}
        for key in data:
            if key not in known:
                path = f"{prefix}{key}"
                self.add(
                    path,
                    "unknown_field",
                    Message(gettext_noop("Trường «%(name)s» không có trong biểu mẫu."), name=key),
                )
        cleaned: dict[str, Any] = {}
        for spec in specs:
            path = f"{prefix}{spec['name']}"
            kind = structure(spec)
            if kind == "file":
                cleaned[spec["name"]] = self.file(spec, files.get(spec["name"]) or [], path)
            elif kind == "group":
                cleaned[spec["name"]] = self.group(spec, data.get(spec["name"]), path)
            else:
                cleaned[spec["name"]] = self.value(spec, data.get(spec["name"]), path, owner)
        return cleaned

    def value(self, spec: Mapping[str, Any], value: Any, path: str, owner: str = "") -> Any:
        label = owned_label(spec, owner)
        if _empty(value):
            if spec.get("required"):
                self.add(
                    path,
                    "required",
                    Message(gettext_noop("«%(label)s»: bắt buộc nhập."), label=label),
                )
            return [] if spec.get("multiple") else None
        try:
            return fieldtypes.get(spec["type"]).clean(spec, value, on=self.on)
        except FieldInvalid as exc:
            self.add(
                path,
                exc.code,
                Message("«%(label)s»: %(detail)s", label=label, detail=_as_message(exc.message)),
            )
            return None

    def group(self, spec: Mapping[str, Any], value: Any, path: str) -> list[dict[str, Any]]:
        label = owned_label(spec)
        items = [] if value is None else value
        if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
            self.add(
                path,
                "invalid_group",
                Message(gettext_noop("«%(label)s»: phải là danh sách các mục."), label=label),
            )
            return []
        minimum = int(spec.get("min", 1 if spec.get("required") else 0))
        maximum = int(spec.get("max", DEFAULT_GROUP_MAX))
        if len(items) < minimum:
            code = "required" if not items else "too_few_items"
            self.add(
                path,
                code,
                Message(
                    gettext_noop("«%(label)s»: cần ít nhất %(min)s mục."), label=label, min=minimum
                ),
            )
        if len(items) > maximum:
            self.add(
                path,
                "too_many_items",
                Message(gettext_noop("«%(label)s»: tối đa %(max)s mục."), label=label, max=maximum),
            )
            items = items[:maximum]
        return [
            self.fields(
                list(spec["fields"]),
                item,
                f"{path}.{index}.",
                {},
                Message(gettext_noop("%(label)s, mục %(number)s"), label=label, number=index + 1),
            )
            for index, item in enumerate(items)
        ]

    def file(self, spec: Mapping[str, Any], items: Any, path: str) -> list[dict[str, Any]]:
        label = spec["label"]
        if not isinstance(items, list | tuple):
            items = [items]
        if not items:
            if spec.get("required"):
                self.add(
                    path,
                    "file_required",
                    Message(gettext_noop("«%(label)s»: chưa đính kèm tệp."), label=label),
                )
            return []
        maximum = int(spec.get("max_files", DEFAULT_MAX_FILES))
        if len(items) > maximum:
            self.add(
                path,
                "too_many_files",
                Message(gettext_noop("«%(label)s»: tối đa %(max)s tệp."), label=label, max=maximum),
            )
        accept = spec.get("accept") or list(DEFAULT_ALLOWED_TYPES)
        limit = int(spec.get("max_size_bytes", DEFAULT_MAX_SIZE_BYTES))
        result = []
        for index, item in enumerate(items[:maximum]):
            name, size, content_type = _file_info(item)
            item_path = f"{path}.{index}"
            if content_type not in accept:
                self.add(
                    item_path,
                    "file_type",
                    Message(
                        gettext_noop(
                            "«%(label)s»: tệp «%(name)s» có kiểu %(type)s; chỉ nhận %(accept)s."
                        ),
                        label=label,
                        name=name,
                        type=content_type or Message(gettext_noop("không rõ")),
                        accept=", ".join(accept),
                    ),
                )
            elif size is None or size > limit:
                self.add(
                    item_path,
                    "file_too_large",
                    Message(
                        gettext_noop("«%(label)s»: tệp «%(name)s» vượt quá %(mb)s MB."),
                        label=label,
                        name=name,
                        mb=limit // (1024 * 1024) or 1,
                    ),
                )
            else:
                result.append(
                    {
                        "name": name,
                        "size": size,
                        "content_type": content_type,
                        "component": spec["component"],
                    }
                )
        return result


def validate_data(
    schema: Mapping[str, Any],
    data: Any,
    *,
    files: Mapping[str, list[Any]] | None = None,
    on: datetime.date | None = None,
) -> dict[str, Any]:
    """Check ``data`` (and the uploaded ``files``, by file-field name) against ``schema``.

    Returns the cleaned data: strings trimmed, numbers as int/float, dates ISO, phone numbers
    as 0xxxxxxxxx, addresses resolved (``unit_name``, ``province_code``, ``full``…), file slots as
    ``[{name, size, content_type, component}]``. Raises :class:`FormInvalid` with every error.
    Files are objects with ``name``, ``size`` and ``content_type`` (Django uploads) or dicts.
    ``on`` is the date addresses are resolved at (default today).
    """
    collector = _Collector(on)
    if not isinstance(data, Mapping):
        collector.add(
            None,
            "invalid_form",
            Message(gettext_noop("Dữ liệu biểu mẫu phải là một đối tượng JSON.")),
        )
        raise FormInvalid(collector.errors)
    for path in invalid_paths(data):
        collector.add(path, INVALID_TEXT, message_for(path))
    if collector.errors:
        raise FormInvalid(collector.errors)
    specs = list(schema.get("fields") or [])
    cleaned = collector.fields(specs, data, "", files or {})
    for name in files or {}:
        if name not in {spec["name"] for spec in specs if structure(spec) == "file"}:
            collector.add(
                name,
                "unknown_field",
                Message(gettext_noop("Ô tệp «%(name)s» không có trong biểu mẫu."), name=name),
            )
    if collector.errors:
        raise FormInvalid(collector.errors)
    return cleaned
