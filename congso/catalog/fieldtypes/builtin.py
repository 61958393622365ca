"""The built-in field types (``docs/catalog.md`` lists their keys): text, textarea, number, date,
choice, email, phone, personal_id, address, the repeating group and the file slot.

Registered in this order, which is the order the schema error lists them in."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as _n

from congso.catalog.fieldtypes.base import (
    FieldInvalid,
    FieldType,
    SchemaContext,
    blank,
    check_bool,
    check_bounds,
    check_number,
    check_text,
    registry,
    schema_error,
)
from congso.core.errors import DomainError
from congso.core.errors import Message as M
from congso.org.identity import validate_personal_id
from congso.org.models import UnitLevel
from congso.org.selectors import resolve_unit

DEFAULT_GROUP_MAX = 50
DEFAULT_MAX_FILES = 5
MAX_GROUP_ROWS = 50
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MIME_RE = re.compile(r"^[a-z0-9.+-]+/[a-z0-9.+*-]+$")
_PHONE_CLEAN_RE = re.compile(r"[\s.\-()]")
#: Mobile numbers (10 digits, 03/05/07/08/09) and landlines (11 digits, 02 + area code).
_PHONE_RE = re.compile(r"^(0[35789]\d{8}|02\d{9})$")
_ADDRESS_KEYS = frozenset(
    {"unit_code", "detail", "unit_name", "province_code", "province_name", "full"}
)


@registry.register
class TextField(FieldType):
    id = "text"
    label = "Chữ (một dòng)"
    keys = frozenset({"min_length", "max_length"})
    default_max_length: ClassVar[int] = 500
    #: One line: runs of spaces and line breaks become one space.
    one_line: ClassVar[bool] = True

    def check_schema(self, spec: Mapping[str, Any], path: str, context: SchemaContext) -> None:
        check_number(spec, "min_length", path, integer=True)
        check_number(spec, "max_length", path, integer=True)
        check_bounds(spec, path, "min_length", "max_length")

    def clean(self, spec: Mapping[str, Any], value: Any, *, on: datetime.date | None) -> str:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise FieldInvalid("invalid_value", M(_n("phải là chuỗi ký tự.")))
        text = str(value).strip()
        if self.one_line:
            text = " ".join(text.split())
        maximum = int(spec.get("max_length", self.default_max_length))
        minimum = int(spec.get("min_length", 0))
        if len(text) > maximum:
            raise FieldInvalid("too_long", M(_n("dài quá %(max)s ký tự."), max=maximum))
        if len(text) < minimum:
            raise FieldInvalid("too_short", M(_n("cần ít nhất %(min)s ký tự."), min=minimum))
        return text


@registry.register
class TextareaField(TextField):
    id = "textarea"
    label = "Chữ (nhiều dòng)"
    default_max_length = 5000
    one_line = False
    widget = "portal/fields/textarea.html"


def _date_bound(raw: Any) -> datetime.date:
    return timezone.localdate() if raw == "today" else datetime.date.fromisoformat(str(raw))


@registry.register
class NumberField(FieldType):
    id = "number"
    label = "Số"
    keys = frozenset({"min", "max", "integer"})
    input_type = "number"

    def check_schema(self, spec: Mapping[str, Any], path: str, context: SchemaContext) -> None:
        check_number(spec, "min", path)
        check_number(spec, "max", path)
        check_bounds(spec, path, "min", "max")
        check_bool(spec, "integer", path)

    def clean(
        self, spec: Mapping[str, Any], value: Any, *, on: datetime.date | None
    ) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise FieldInvalid("not_a_number", M(_n("phải là số.")))
        try:
            number = Decimal(str(value).strip().replace(" ", ""))
        except InvalidOperation:
            raise FieldInvalid("not_a_number", M(_n("phải là số."))) from None
        if not number.is_finite():
            raise FieldInvalid("not_a_number", M(_n("phải là số.")))
        if spec.get("integer") and number != number.to_integral_value():
            raise FieldInvalid("not_integer", M(_n("phải là số nguyên.")))
        if "min" in spec and number < Decimal(str(spec["min"])):
            raise FieldInvalid("too_small", M(_n("phải từ %(min)s trở lên."), min=spec["min"]))
        if "max" in spec and number > Decimal(str(spec["max"])):
            raise FieldInvalid("too_large", M(_n("không được lớn hơn %(max)s."), max=spec["max"]))
        return int(number) if number == number.to_integral_value() else float(number)

    def input_attrs(self, spec: Mapping[str, Any]) -> list[tuple[str, str]]:
        attrs = [(key, str(spec[key])) for key in ("min", "max") if spec.get(key) is not None]
        return attrs + super().input_attrs(spec)


@registry.register
class DateField(FieldType):
    id = "date"
    label = "Ngày"
    keys = frozenset({"min", "max"})
    input_type = "date"

    def check_schema(self, spec: Mapping[str, Any], path: str, context: SchemaContext) -> None:
        for key in ("min", "max"):
            value = spec.get(key)
            if value is None or value == "today":
                continue
            try:
                datetime.date.fromisoformat(str(value))
            except ValueError:
                raise schema_error(
                    f'«{key}» phải là ngày YYYY-MM-DD hoặc "today".', f"{path}.{key}"
                ) from None

    def clean(self, spec: Mapping[str, Any], value: Any, *, on: datetime.date | None) -> str:
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
            raise FieldInvalid(
                "invalid_date", M(_n("phải là ngày hợp lệ (YYYY-MM-DD hoặc dd/mm/yyyy)."))
            )
        if "min" in spec and day < _date_bound(spec["min"]):
            raise FieldInvalid(
                "date_too_early",
                M(
                    _n("không được trước ngày %(date)s."),
                    date=f"{_date_bound(spec['min']):%d/%m/%Y}",
                ),
            )
        if "max" in spec and day > _date_bound(spec["max"]):
            raise FieldInvalid(
                "date_too_late",
                M(_n("không được sau ngày %(date)s."), date=f"{_date_bound(spec['max']):%d/%m/%Y}"),
            )
        return day.isoformat()

    def display(self, spec: Mapping[str, Any], value: Any) -> str:
        try:
            return datetime.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)


@registry.register
class ChoiceField(FieldType):
    id = "choice"
    label = "Lựa chọn"
    keys = frozenset({"options", "multiple"})
    widget = "portal/fields/choice.html"

    def check_schema(self, spec: Mapping[str, Any], path: str, context: SchemaContext) -> None:
        options = spec.get("options")
        if not isinstance(options, list) or not options:
            raise schema_error("Trường lựa chọn cần danh sách «options».", f"{path}.options")
        seen: set[str] = set()
        for index, option in enumerate(options):
            option_path = f"{path}.options.{index}"
            if not isinstance(option, Mapping) or set(option) - {"value", "label"}:
                raise schema_error("Mỗi lựa chọn có dạng {value, label}.", option_path)
            check_text(option, "value", option_path, required=True)
            check_text(option, "label", option_path, required=True)
            if option["value"] in seen:
                raise schema_error(f"Giá trị lựa chọn «{option['value']}» bị trùng.", option_path)
            seen.add(option["value"])
        check_bool(spec, "multiple", path)

    def clean(
        self, spec: Mapping[str, Any], value: Any, *, on: datetime.date | None
    ) -> str | list[str]:
        allowed = [option["value"] for option in spec["options"]]
        values = value if spec.get("multiple") and isinstance(value, list) else [value]
        if not spec.get("multiple") and isinstance(value, list):
            raise FieldInvalid("invalid_choice", M(_n("chỉ được chọn một giá trị.")))
        result: list[str] = []
        for item in values:
            if not isinstance(item, str) or item not in allowed:
                raise FieldInvalid(
                    "invalid_choice",
                    M(_n("giá trị «%(value)s» không có trong danh sách lựa chọn."), value=item),
                )
            if item not in result:
                result.append(item)
        return result if spec.get("multiple") else result[0]

    def read(self, spec: Mapping[str, Any], post: QueryDict, name: str) -> Any:
        if spec.get("multiple"):
            return [v for v in post.getlist(name) if v]
        return super().read(spec, post, name)

    def display(self, spec: Mapping[str, Any], value: Any) -> str:
        labels = {str(o.get("value")): str(o.get("label")) for o in spec.get("options") or []}
        items = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in items)


@registry.register
class EmailField(FieldType):
    id = "email"
    label = "Thư điện tử"
    input_type = "email"

    def clean(self, spec: Mapping[str, Any], value: Any, *, on: datetime.date | None) -> str:
        text = str(value).strip() if isinstance(value, str) else ""
        try:
            validate_email(text)
        except ValidationError:
            raise FieldInvalid(
                "invalid_email",
                M(_n("«%(value)s» không phải địa chỉ thư điện tử hợp lệ."), value=value),
            ) from None
        return text


@registry.register
class PhoneField(FieldType):
    """Vietnamese mobile or landline numbers, stored as 0xxxxxxxxx."""

    id = "phone"
    label = "Số điện thoại"
    input_type = "tel"

    def clean(self, spec: Mapping[str, Any], value: Any, *, on: datetime.date | None) -> str:
        text = _PHONE_CLEAN_RE.sub("", str(value)) if isinstance(value, str | int) else ""
        if text.startswith("+84"):
            text = "0" + text[3:]
        elif text.startswith("84") and len(text) in (11, 12):
            text = "0" + text[2:]
        if not _PHONE_RE.match(text):
            raise FieldInvalid(
                "invalid_phone",
                M(
                    _n(
                        "«%(value)s» không phải số điện thoại Việt Nam hợp lệ (di động 10 số, cố "
                        "định 11 số)."
                    ),
                    value=value,
                ),
            )
        return text


@registry.register
class PersonalIdField(FieldType):
    """The 12-digit personal ID (``congso.org.identity.validate_personal_id``)."""

    id = "personal_id"
    label = "Số định danh cá nhân"

    def clean(self, spec: Mapping[str, Any], value: Any, *, on: datetime.date | None) -> str:
        try:
            return validate_personal_id(str(value)).number
        except DomainError as exc:
            raise FieldInvalid(exc.code, exc.message) from None

    def input_attrs(self, spec: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [("inputmode", "numeric"), ("maxlength", "12"), ("pattern", "[0-9]{12}")]


@registry.register
class AddressField(FieldType):
    """``{"unit_code", "detail"}``; the commune/ward is resolved at the date of the dossier."""

    id = "address"
    label = "Địa chỉ"
    keys = frozenset({"require_detail"})
    widget = "portal/fields/address.html"

    def check_schema(self, spec: Mapping[str, Any], path: str, context: SchemaContext) -> None:
        check_bool(spec, "require_detail", path)

    def clean(
        self, spec: Mapping[str, Any], value: Any, *, on: datetime.date | None
    ) -> dict[str, str]:
        # The cleaned value (with the names resolved) is accepted back as it is: a dossier's
        # stored data is checked again on a supplement; the names are resolved again from the code.
        if not isinstance(value, Mapping) or set(value) - _ADDRESS_KEYS:
            raise FieldInvalid(
                "invalid_address",
                M(_n("địa chỉ không hợp lệ (chọn xã/phường và nhập số nhà).")),
            )
        code = str(value.get("unit_code") or "").strip()
        detail = " ".join(str(value.get("detail") or "").split())
        if not code:
            raise FieldInvalid("unit_required", M(_n("chưa chọn xã/phường/đặc khu.")))
        try:
            unit = resolve_unit(code, on=on)
        except DomainError as exc:
            raise FieldInvalid(exc.code, exc.message) from None
        if unit.level != UnitLevel.COMMUNE:
            raise FieldInvalid("unit_level", M(_n("cần chọn đến cấp xã/phường/đặc khu.")))
        if spec.get("require_detail", True) and not detail:
            raise FieldInvalid(
                "detail_required", M(_n("chưa nhập số nhà, đường, thôn, tổ dân phố."))
            )
        if len(detail) > 255:
            raise FieldInvalid(
                "too_long", M(_n("địa chỉ chi tiết dài quá %(max)s ký tự."), max=255)
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

    def read(self, spec: Mapping[str, Any], post: QueryDict, name: str) -> Any:
        return {
            "unit_code": post.get(f"{name}.unit_code", "").strip(),
            "detail": post.get(f"{name}.detail", "").strip(),
        }

    def display(self, spec: Mapping[str, Any], value: Any) -> str:
        """The address in words: street line, commune/ward, province — never a bare unit code."""
        if not isinstance(value, Mapping):
            return str(value)
        if value.get("full"):
            return str(value["full"])

        detail = str(value.get("detail") or "").strip()
        code = str(value.get("unit_code") or "").strip()
        names: list[str] = []
        if code:
            try:
                unit = resolve_unit(code)
            except DomainError:
                names = [str(gettext_lazy("(xã/phường không còn trong danh mục)"))]
            else:
                names = [unit.name] + ([unit.province.name] if unit.province else [])
        return ", ".join(part for part in [detail, *names] if part)


def group_rows(post: QueryDict, name: str) -> int:
    """How many rows of the group ``name`` the posted page had (hidden ``<name>.rows``)."""
    try:
        return max(0, min(int(post.get(f"{name}.rows", "1")), MAX_GROUP_ROWS))
    except ValueError:
        return 1


@registry.register
class GroupField(FieldType):
    """A repeating group: rows of sub-fields (no nested group or file slot)."""

    id = "group"
    label = "Nhóm lặp"
    keys = frozenset({"fields", "min", "max"})
    structure = "group"
    nestable = False
    widget = "portal/fields/group.html"

    def check_schema(self, spec: Mapping[str, Any], path: str, context: SchemaContext) -> None:
        check_number(spec, "min", path, integer=True)
        check_number(spec, "max", path, integer=True)
        check_bounds(spec, path, "min", "max")
        context.check_fields(
            spec.get("fields"), f"{path}.fields", nested=True, components=context.components
        )

    def read(self, spec: Mapping[str, Any], post: QueryDict, name: str) -> Any:
        rows = []
        for index in range(group_rows(post, name)):
            row = {
                sub["name"]: registry.get(sub["type"]).read(
                    sub, post, f"{name}.{index}.{sub['name']}"
                )
                for sub in spec.get("fields") or []
            }
            if any(not blank(value) for value in row.values()):
                rows.append({k: v for k, v in row.items() if not blank(v)})
        return rows

    def display(self, spec: Mapping[str, Any], value: Any) -> str:
        if not isinstance(value, list):
            return str(value)
        subs = spec.get("fields") or []
        return "\n".join(
            f"{index}. "
            + "; ".join(
                f"{sub['label']}: {display_value(sub, row.get(sub['name']))}"
                for sub in subs
                if not blank(row.get(sub["name"]))
            )
            for index, row in enumerate(value, start=1)
            if isinstance(row, Mapping)
        )


@registry.register
class FileField(FieldType):
    """A file slot bound to a component of the dossier (uploaded on the files step)."""

    id = "file"
    label = "Tệp đính kèm"
    keys = frozenset({"component", "max_files", "accept", "max_size_bytes"})
    structure = "file"
    nestable = False
    widget = ""

    def check_schema(self, spec: Mapping[str, Any], path: str, context: SchemaContext) -> None:
        component = spec.get("component")
        if not isinstance(component, str) or not _SLUG_RE.match(component):
            raise schema_error("Ô tệp phải gắn với mã một thành phần hồ sơ.", f"{path}.component")
        if context.components is not None and component not in context.components:
            raise schema_error(
                f"Không có thành phần hồ sơ mã «{component}» trong phiên bản thủ tục.",
                f"{path}.component",
            )
        check_number(spec, "max_files", path, integer=True)
        check_number(spec, "max_size_bytes", path, integer=True)
        if spec.get("max_files") == 0:
            raise schema_error("«max_files» phải từ 1 trở lên.", f"{path}.max_files")
        accept = spec.get("accept")
        if accept is not None and (
            not isinstance(accept, list)
            or not accept
            or not all(isinstance(item, str) and _MIME_RE.match(item) for item in accept)
        ):
            raise schema_error(
                "«accept» là danh sách kiểu MIME, ví dụ application/pdf.", f"{path}.accept"
            )


def display_value(spec: Mapping[str, Any], value: Any) -> str:
    """An answer as the review page shows it ("—" when there is none); a field of a type that is
    no longer installed shows its raw value."""
    if blank(value):
        return "—"
    kind = spec.get("type")
    if isinstance(kind, str) and kind in registry:
        return registry.get(kind).display(spec, value)
    return str(value)
