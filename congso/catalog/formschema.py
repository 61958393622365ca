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
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_noop

from congso.catalog.models import DEFAULT_ALLOWED_TYPES, DEFAULT_MAX_SIZE_BYTES
from congso.core.errors import DomainError, Message
from congso.core.text import INVALID_TEXT, invalid_paths, message_for
from congso.org.identity import validate_personal_id
from congso.org.models import UnitLevel
from congso.org.selectors import resolve_unit

SCHEMA_VERSION = 1
FIELD_TYPES = (
    "text",
    "textarea",
    "number",
    "date",
    "choice",
    "email",
    "phone",
    "personal_id",
    "address",
    "group",
    "file",
)
_COMMON_KEYS = frozenset({"name", "type", "label", "required", "help", "section", "prefill"})
_TYPE_KEYS: dict[str, frozenset[str]] = {
    "text": frozenset({"min_length", "max_length"}),
    "textarea": frozenset({"min_length", "max_length"}),
    "number": frozenset({"min", "max", "integer"}),
    "date": frozenset({"min", "max"}),
    "choice": frozenset({"options", "multiple"}),
    "email": frozenset(),
    "phone": frozenset(),
    "personal_id": frozenset(),
    "address": frozenset({"require_detail"}),
    "group": frozenset({"fields", "min", "max"}),
    "file": frozenset({"component", "max_files", "accept", "max_size_bytes"}),
}
_DEFAULT_MAX_LENGTH = {"text": 500, "textarea": 5000}
DEFAULT_GROUP_MAX = 50
DEFAULT_MAX_FILES = 5
MAX_FIELDS = 200
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MIME_RE = re.compile(r"^[a-z0-9.+-]+/[a-z0-9.+*-]+$")
_PHONE_CLEAN_RE = re.compile(r"[\s.\-()]")
#: Mobile numbers (10 digits, 03/05/07/08/09) and landlines (11 digits, 02 + area code).
_PHONE_RE = re.compile(r"^(0[35789]\d{8}|02\d{9})$")


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


def _schema_error(message: str, path: str) -> DomainError:
    return DomainError("invalid_form_schema", message, field=path)


def _check_number(spec: Mapping[str, Any], key: str, path: str, *, integer: bool = False) -> None:
    value = spec.get(key)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _schema_error(f"«{key}» phải là số.", f"{path}.{key}")
    if integer and (not float(value).is_integer() or value < 0):
        raise _schema_error(f"«{key}» phải là số nguyên không âm.", f"{path}.{key}")


def _check_bool(spec: Mapping[str, Any], key: str, path: str) -> None:
    if key in spec and not isinstance(spec[key], bool):
        raise _schema_error(f"«{key}» phải là true hoặc false.", f"{path}.{key}")


def _check_text(spec: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> None:
    value = spec.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value.strip()):
        raise _schema_error(f"«{key}» phải là chuỗi ký tự không rỗng.", f"{path}.{key}")


def _check_bounds(spec: Mapping[str, Any], path: str, low: str, high: str) -> None:
    a, b = spec.get(low), spec.get(high)
    if isinstance(a, int | float) and isinstance(b, int | float) and a > b:
        raise _schema_error(f"«{low}» lớn hơn «{high}».", f"{path}.{low}")


def _check_date_bound(spec: Mapping[str, Any], key: str, path: str) -> None:
    value = spec.get(key)
    if value is None or value == "today":
        return
    try:
        datetime.date.fromisoformat(str(value))
    except ValueError:
        raise _schema_error(
            f'«{key}» phải là ngày YYYY-MM-DD hoặc "today".', f"{path}.{key}"
        ) from None


def _check_options(spec: Mapping[str, Any], path: str) -> None:
    options = spec.get("options")
    if not isinstance(options, list) or not options:
        raise _schema_error("Trường lựa chọn cần danh sách «options».", f"{path}.options")
    seen: set[str] = set()
    for index, option in enumerate(options):
        option_path = f"{path}.options.{index}"
        if not isinstance(option, Mapping) or set(option) - {"value", "label"}:
            raise _schema_error("Mỗi lựa chọn có dạng {value, label}.", option_path)
        _check_text(option, "value", option_path, required=True)
        _check_text(option, "label", option_path, required=True)
        if option["value"] in seen:
            raise _schema_error(f"Giá trị lựa chọn «{option['value']}» bị trùng.", option_path)
        seen.add(option["value"])


def _check_file(spec: Mapping[str, Any], path: str, components: set[str] | None) -> None:
    component = spec.get("component")
    if not isinstance(component, str) or not _SLUG_RE.match(component):
        raise _schema_error("Ô tệp phải gắn với mã một thành phần hồ sơ.", f"{path}.component")
    if components is not None and component not in components:
        raise _schema_error(
            f"Không có thành phần hồ sơ mã «{component}» trong phiên bản thủ tục.",
            f"{path}.component",
        )
    _check_number(spec, "max_files", path, integer=True)
    _check_number(spec, "max_size_bytes", path, integer=True)
    if spec.get("max_files") == 0:
        raise _schema_error("«max_files» phải từ 1 trở lên.", f"{path}.max_files")
    accept = spec.get("accept")
    if accept is not None and (
        not isinstance(accept, list)
        or not accept
        or not all(isinstance(item, str) and _MIME_RE.match(item) for item in accept)
    ):
        raise _schema_error(
            "«accept» là danh sách kiểu MIME, ví dụ application/pdf.", f"{path}.accept"
        )


def _check_type_keys(
    spec: Mapping[str, Any], kind: str, path: str, components: set[str] | None
) -> None:
    if kind in ("text", "textarea"):
        _check_number(spec, "min_length", path, integer=True)
        _check_number(spec, "max_length", path, integer=True)
        _check_bounds(spec, path, "min_length", "max_length")
    elif kind == "number":
        _check_number(spec, "min", path)
        _check_number(spec, "max", path)
        _check_bounds(spec, path, "min", "max")
        _check_bool(spec, "integer", path)
    elif kind == "date":
        _check_date_bound(spec, "min", path)
        _check_date_bound(spec, "max", path)
    elif kind == "choice":
        _check_options(spec, path)
        _check_bool(spec, "multiple", path)
    elif kind == "address":
        _check_bool(spec, "require_detail", path)
    elif kind == "file":
        _check_file(spec, path, components)


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
    if kind not in FIELD_TYPES:
        raise _schema_error(
            f"Loại trường «{kind}» không hợp lệ; chọn một trong: {', '.join(FIELD_TYPES)}.",
            f"{path}.type",
        )
    unknown = set(spec) - _COMMON_KEYS - _TYPE_KEYS[kind]
    if unknown:
        raise _schema_error(
            f"Khóa không dùng cho trường loại {kind}: {', '.join(sorted(unknown))}.", path
        )
    _check_text(spec, "label", path, required=True)
    _check_text(spec, "help", path)
    _check_text(spec, "section", path)
    _check_bool(spec, "required", path)
    if nested and kind in ("group", "file"):
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
    _check_type_keys(spec, kind, path, components)
    if kind == "group":
        _check_number(spec, "min", path, integer=True)
        _check_number(spec, "max", path, integer=True)
        _check_bounds(spec, path, "min", "max")
        _check_fields(spec.get("fields"), f"{path}.fields", nested=True, components=components)
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
        if kind == "file":
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
        if isinstance(spec, Mapping) and spec.get("type") == "file" and not spec.get("required"):
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
    return [
        spec["component"]
        for spec in schema.get("fields") or ()
        if isinstance(spec, Mapping) and spec.get("type") == "file"
    ]


# --- Data validation ------------------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, code: str, message: Message):
        super().__init__(message)
        self.code = code
        self.message = message


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


def _clean_text(spec: Mapping[str, Any], value: Any, **_: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _Invalid("invalid_value", Message(gettext_noop("phải là chuỗi ký tự.")))
    text = str(value).strip()
    if spec["type"] == "text":
        text = " ".join(text.split())
    maximum = int(spec.get("max_length", _DEFAULT_MAX_LENGTH[spec["type"]]))
    minimum = int(spec.get("min_length", 0))
    if len(text) > maximum:
        raise _Invalid("too_long", Message(gettext_noop("dài quá %(max)s ký tự."), max=maximum))
    if len(text) < minimum:
        raise _Invalid(
            "too_short", Message(gettext_noop("cần ít nhất %(min)s ký tự."), min=minimum)
        )
    return text


def _clean_number(spec: Mapping[str, Any], value: Any, **_: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Invalid("not_a_number", Message(gettext_noop("phải là số.")))
    try:
        number = Decimal(str(value).strip().replace(" ", ""))
    except InvalidOperation:
        raise _Invalid("not_a_number", Message(gettext_noop("phải là số."))) from None
    if not number.is_finite():
        raise _Invalid("not_a_number", Message(gettext_noop("phải là số.")))
    if spec.get("integer") and number != number.to_integral_value():
        raise _Invalid("not_integer", Message(gettext_noop("phải là số nguyên.")))
    if "min" in spec and number < Decimal(str(spec["min"])):
        raise _Invalid(
            "too_small", Message(gettext_noop("phải từ %(min)s trở lên."), min=spec["min"])
        )
    if "max" in spec and number > Decimal(str(spec["max"])):
        raise _Invalid(
            "too_large", Message(gettext_noop("không được lớn hơn %(max)s."), max=spec["max"])
        )
    return int(number) if number == number.to_integral_value() else float(number)


def _date_bound(raw: Any) -> datetime.date:
    return timezone.localdate() if raw == "today" else datetime.date.fromisoformat(str(raw))


def _clean_date(spec: Mapping[str, Any], value: Any, **_: Any) -> str:
    day: datetime.date | None = None
    if isinstance(value, str):
        text = value.strip()
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            try:
                day = datetime.datetime.strptime(text, "%d/%m/%Y").date()  # noqa: DTZ007
            except ValueError:
                day = None
    if day is None or len(str(value).strip()) > 10:
        raise _Invalid(
            "invalid_date",
            Message(gettext_noop("phải là ngày hợp lệ (YYYY-MM-DD hoặc dd/mm/yyyy).")),
        )
    if "min" in spec and day < _date_bound(spec["min"]):
        raise _Invalid(
            "date_too_early",
            Message(
                gettext_noop("không được trước ngày %(date)s."),
                date=f"{_date_bound(spec['min']):%d/%m/%Y}",
            ),
        )
    if "max" in spec and day > _date_bound(spec["max"]):
        raise _Invalid(
            "date_too_late",
            Message(
                gettext_noop("không được sau ngày %(date)s."),
                date=f"{_date_bound(spec['max']):%d/%m/%Y}",
            ),
        )
    return day.isoformat()


def _clean_choice(spec: Mapping[str, Any], value: Any, **_: Any) -> str | list[str]:
    allowed = [option["value"] for option in spec["options"]]
    values = value if spec.get("multiple") and isinstance(value, list) else [value]
    if not spec.get("multiple") and isinstance(value, list):
        raise _Invalid("invalid_choice", Message(gettext_noop("chỉ được chọn một giá trị.")))
    result: list[str] = []
    for item in values:
        if not isinstance(item, str) or item not in allowed:
            raise _Invalid(
                "invalid_choice",
                Message(
                    gettext_noop("giá trị «%(value)s» không có trong danh sách lựa chọn."),
                    value=item,
                ),
            )
        if item not in result:
            result.append(item)
    return result if spec.get("multiple") else result[0]


def _clean_email(spec: Mapping[str, Any], value: Any, **_: Any) -> str:
    text = str(value).strip() if isinstance(value, str) else ""
    try:
        validate_email(text)
    except ValidationError:
        raise _Invalid(
            "invalid_email",
            Message(
                gettext_noop("«%(value)s» không phải địa chỉ thư điện tử hợp lệ."), value=value
            ),
        ) from None
    return text


def _clean_phone(spec: Mapping[str, Any], value: Any, **_: Any) -> str:
    text = _PHONE_CLEAN_RE.sub("", str(value)) if isinstance(value, str | int) else ""
    if text.startswith("+84"):
        text = "0" + text[3:]
    elif text.startswith("84") and len(text) in (11, 12):
        text = "0" + text[2:]
    if not _PHONE_RE.match(text):
        raise _Invalid(
            "invalid_phone",
            Message(
                gettext_noop(
                    "«%(value)s» không phải số điện thoại Việt Nam hợp lệ (di động 10 số, cố "
                    "định 11 số)."
                ),
                value=value,
            ),
        )
    return text


def _clean_personal_id(spec: Mapping[str, Any], value: Any, **_: Any) -> str:
    try:
        return validate_personal_id(str(value)).number
    except DomainError as exc:
        raise _Invalid(exc.code, _as_message(exc.message)) from None


def _clean_address(
    spec: Mapping[str, Any], value: Any, *, on: datetime.date | None, **_: Any
) -> dict[str, str]:
    # The cleaned value (with the names resolved) is accepted back as it is: a dossier's stored
    # data is checked again on a supplement; the names are resolved again from the code.
    if not isinstance(value, Mapping) or set(value) - _ADDRESS_KEYS:
        raise _Invalid(
            "invalid_address",
            Message(gettext_noop("địa chỉ không hợp lệ (chọn xã/phường và nhập số nhà).")),
        )
    code = str(value.get("unit_code") or "").strip()
    detail = " ".join(str(value.get("detail") or "").split())
    if not code:
        raise _Invalid("unit_required", Message(gettext_noop("chưa chọn xã/phường/đặc khu.")))
    try:
        unit = resolve_unit(code, on=on)
    except DomainError as exc:
        raise _Invalid(exc.code, _as_message(exc.message)) from None
    if unit.level != UnitLevel.COMMUNE:
        raise _Invalid("unit_level", Message(gettext_noop("cần chọn đến cấp xã/phường/đặc khu.")))
    if spec.get("require_detail", True) and not detail:
        raise _Invalid(
            "detail_required",
            Message(gettext_noop("chưa nhập số nhà, đường, thôn, tổ dân phố.")),
        )
    if len(detail) > 255:
        raise _Invalid(
            "too_long", Message(gettext_noop("địa chỉ chi tiết dài quá %(max)s ký tự."), max=255)
        )
    province = unit.province
    parts = [detail, unit.name, province.name if province else ""]
    return {
        "unit_code": unit.code,
        "unit_name": unit.name,
        "province_code": province.code if province else "",
        "province_name": province.name if province else "",
        "detail": detail,
        "full": ", ".join(part for part in parts if part),
    }


_ADDRESS_KEYS = frozenset(
    {"unit_code", "detail", "unit_name", "province_code", "province_name", "full"}
)

_CLEANERS: dict[str, Callable[..., Any]] = {
    "text": _clean_text,
    "textarea": _clean_text,
    "number": _clean_number,
    "date": _clean_date,
    "choice": _clean_choice,
    "email": _clean_email,
    "phone": _clean_phone,
    "personal_id": _clean_personal_id,
    "address": _clean_address,
}


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
            if spec["type"] == "file":
                cleaned[spec["name"]] = self.file(spec, files.get(spec["name"]) or [], path)
            elif spec["type"] == "group":
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
            return _CLEANERS[spec["type"]](spec, value, on=self.on)
        except _Invalid as exc:
            self.add(
                path, exc.code, Message("«%(label)s»: %(detail)s", label=label, detail=exc.message)
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
        if name not in {spec["name"] for spec in specs if spec.get("type") == "file"}:
            collector.add(
                name,
                "unknown_field",
                Message(gettext_noop("Ô tệp «%(name)s» không có trong biểu mẫu."), name=name),
            )
    if collector.errors:
        raise FormInvalid(collector.errors)
    return cleaned
