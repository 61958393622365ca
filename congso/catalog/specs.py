"""The catalogue's interchange format, as typed specs, and its strict reader.

One *record* of the format is one version of one procedure, with its components, fees, online
form and internal processes (see ``docs/catalog.md`` for the full description; the demo data file
``data/procedures_demo.json`` is in this format). :func:`read_record` turns a record (a dict
decoded from JSON or assembled from Excel rows) into a :class:`RecordSpec`, refusing anything
malformed with a :class:`~congso.core.errors.DomainError` whose ``field`` is the dotted path of
the offending key inside the record (``fees.1.amount_vnd``, ``components.0.name``…).

Nothing here touches the database: the services check references (agencies, departments) and
overlaps, and write.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.utils.text import slugify

from congso.catalog.models import (
    DEFAULT_ALLOWED_TYPES,
    DEFAULT_MAX_SIZE_BYTES,
    ApplicantType,
    Level,
    OnlineLevel,
    OriginalOrCopy,
    ResultType,
    StepAction,
    StepKind,
    TimeLimitUnit,
)
from congso.catalog.search import normalise
from congso.core.errors import DomainError
from congso.org.models import Role

#: The prefix of the provisional local code given to a procedure without a verified national code.
LOCAL_CODE_PREFIX = "DP."
SUBMISSION_CHANNELS = ("online", "postal", "direct")
MAX_TEXT = 5000
MAX_HOURS = Decimal(10_000)

_T = TypeVar("_T")


@dataclass(frozen=True)
class FeeSpec:
    name: str
    amount_vnd: int | None
    condition: str = ""
    legal_basis: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "amount_vnd": self.amount_vnd,
            "condition": self.condition or None,
            "legal_basis": self.legal_basis or None,
        }


@dataclass(frozen=True)
class ComponentSpec:
    code: str
    name: str
    original_or_copy: str
    quantity: int = 1
    mandatory: bool = True
    condition: str = ""
    template_name: str = ""
    allowed_types: tuple[str, ...] = DEFAULT_ALLOWED_TYPES
    max_size_bytes: int = DEFAULT_MAX_SIZE_BYTES


@dataclass(frozen=True)
class StepSpec:
    order: int
    name: str
    kind: str
    role: str
    hours: Decimal
    department: str | None = None
    agency_code: str | None = None
    is_lead: bool = False
    parallel_group: int | None = None
    allowed_actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProcessSpec:
    agency_code: str
    name: str
    steps: tuple[StepSpec, ...]
    active: bool = True


@dataclass(frozen=True)
class ProcedureSpec:
    code: str
    name: str
    field_name: str
    field_sector_code: str = ""
    levels: tuple[str, ...] = (Level.COMMUNE,)
    applicant_types: tuple[str, ...] = (ApplicantType.CITIZEN,)
    national_code: bool = True
    active: bool = True


@dataclass(frozen=True)
class VersionSpec:
    effective_from: datetime.date
    effective_to: datetime.date | None = None
    competent_agency_text: str = ""
    received_at_text: str = ""
    submission_channels: tuple[str, ...] = ()
    time_limit_value: Decimal | None = None
    time_limit_unit: str = ""
    time_limit_text: str = ""
    time_limit_cases: tuple[Any, ...] = ()
    same_day_cutoff: datetime.time | None = None
    fees: tuple[FeeSpec, ...] = ()
    result_type: str = ""
    result_name: str = ""
    online_level: str = ""
    partial_reason: str = ""
    legal_bases: tuple[str, ...] = ()
    form_schema: Mapping[str, Any] = field(default_factory=dict)
    source: Mapping[str, Any] = field(default_factory=dict)
    notes: str = ""
    components: tuple[ComponentSpec, ...] = ()


@dataclass(frozen=True)
class RecordSpec:
    procedure: ProcedureSpec
    version: int
    content: VersionSpec
    processes: tuple[ProcessSpec, ...] | None = None


# --- Small readers ----------------------------------------------------------------------------


def _error(code: str, message: str, path: str) -> DomainError:
    return DomainError(code, message, field=path)


def _join(prefix: str, key: str | int) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def read_text(
    value: Any, path: str, *, label: str, required: bool = False, max_length: int = MAX_TEXT
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            value = str(value)
        else:
            raise _error("invalid_value", f"{label} phải là chuỗi ký tự.", path)
    text = value.strip()
    if required and not text:
        raise _error("required", f"Thiếu {label}.", path)
    if len(text) > max_length:
        raise _error("too_long", f"{label} dài quá {max_length} ký tự.", path)
    return text


def read_bool(value: Any, path: str, *, label: str, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = normalise(value)
        if lowered in ("true", "1", "co", "x", "yes"):
            return True
        if lowered in ("false", "0", "khong", "no"):
            return False
    raise _error("invalid_value", f"{label} phải là đúng/sai (true/false).", path)


def read_int(
    value: Any, path: str, *, label: str, minimum: int = 0, maximum: int | None = None
) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    if number is None:
        raise _error("invalid_number", f"{label} phải là số nguyên.", path)
    if number < minimum or (maximum is not None and number > maximum):
        bound = f"từ {minimum}" + (f" đến {maximum}" if maximum is not None else " trở lên")
        raise _error("out_of_range", f"{label} phải {bound}.", path)
    return number


def read_decimal(value: Any, path: str, *, label: str, maximum: Decimal = MAX_HOURS) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _error("invalid_number", f"{label} phải là số.", path)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise _error("invalid_number", f"{label} phải là số.", path) from None
    if not number.is_finite() or number < 0 or number > maximum:
        raise _error("out_of_range", f"{label} phải là số từ 0 đến {maximum}.", path)
    if number != number.quantize(Decimal("0.01")):
        raise _error("invalid_number", f"{label} chỉ được có tối đa 2 chữ số thập phân.", path)
    return number.quantize(Decimal("0.01"))


def read_date(value: Any, path: str, *, label: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _error("invalid_date", f"{label} phải là ngày dạng YYYY-MM-DD.", path)


def read_choice(
    value: Any, path: str, *, label: str, choices: Sequence[str], required: bool = True
) -> str:
    text = read_text(value, path, label=label, required=required, max_length=50)
    if text and text not in choices:
        raise _error(
            "invalid_choice",
            f"{label} «{text}» không hợp lệ; chọn một trong: {', '.join(choices)}.",
            path,
        )
    return text


def read_list(value: Any, path: str, *, label: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    raise _error("invalid_value", f"{label} phải là một danh sách.", path)


def read_choices(
    value: Any, path: str, *, label: str, choices: Sequence[str], required: bool = False
) -> tuple[str, ...]:
    items = read_list(value, path, label=label)
    result: list[str] = []
    for index, item in enumerate(items):
        choice = read_choice(item, _join(path, index), label=label, choices=choices)
        if choice not in result:
            result.append(choice)
    if required and not result:
        raise _error("required", f"Cần ít nhất một giá trị cho {label}.", path)
    return tuple(result)


def read_mapping(value: Any, path: str, *, label: str) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    raise _error("invalid_value", f"{label} phải là một đối tượng JSON.", path)


def read_items(
    value: Any, path: str, *, label: str, reader: Callable[[Mapping[str, Any], str], _T]
) -> tuple[_T, ...]:
    result = []
    for index, item in enumerate(read_list(value, path, label=label)):
        item_path = _join(path, index)
        result.append(reader(read_mapping(item, item_path, label=label), item_path))
    return tuple(result)


# --- Codes ------------------------------------------------------------------------------------


def local_code_for(name: str) -> str:
    """A stable provisional code for a procedure without a verified national code."""
    digest = hashlib.sha1(normalise(name).encode(), usedforsecurity=False).hexdigest()
    return f"{LOCAL_CODE_PREFIX}{digest[:8].upper()}"


def field_code_for(name: str) -> str:
    """The stable key of a field: its name without diacritics, slugified ('ho-tich')."""
    return slugify(normalise(name))[:100] or "linh-vuc"


def component_code_for(name: str, taken: set[str]) -> str:
    """A slug from the start of a component's name, unique among ``taken`` (which it extends)."""
    words = slugify(normalise(name)).split("-")
    base = ""
    for word in words:
        candidate = f"{base}-{word}" if base else word
        if len(candidate) > 40:
            break
        base = candidate
    base = base or "thanh-phan"
    code, counter = base, 2
    while code in taken:
        code = f"{base}-{counter}"
        counter += 1
    taken.add(code)
    return code


# --- Record parts -----------------------------------------------------------------------------


def read_fee(raw: Mapping[str, Any], path: str) -> FeeSpec:
    amount = raw.get("amount_vnd")
    return FeeSpec(
        name=read_text(
            raw.get("name"), _join(path, "name"), label="Tên phí, lệ phí", required=True
        ),
        amount_vnd=None
        if amount is None or amount == ""
        else read_int(amount, _join(path, "amount_vnd"), label="Mức thu (đồng)"),
        condition=read_text(raw.get("condition"), _join(path, "condition"), label="Điều kiện"),
        legal_basis=read_text(raw.get("legal_basis"), _join(path, "legal_basis"), label="Căn cứ"),
    )


def _component_code(raw: Mapping[str, Any], path: str) -> str:
    code = read_text(raw.get("code"), _join(path, "code"), label="Mã thành phần", max_length=60)
    if code and slugify(code) != code:
        raise _error(
            "invalid_value",
            f"Mã thành phần «{code}» chỉ gồm chữ thường không dấu, số và dấu gạch ngang.",
            _join(path, "code"),
        )
    return code


def _read_component(raw: Mapping[str, Any], path: str, taken: set[str]) -> ComponentSpec:
    name = read_text(
        raw.get("name"), _join(path, "name"), label="Tên thành phần hồ sơ", required=True
    )
    code = _component_code(raw, path) or component_code_for(name, taken)
    types = raw.get("allowed_types")
    types_path = _join(path, "allowed_types")
    allowed: tuple[str, ...] = DEFAULT_ALLOWED_TYPES
    if types not in (None, "", []):
        allowed = tuple(
            read_text(item, _join(types_path, i), label="Kiểu tệp", required=True, max_length=100)
            for i, item in enumerate(read_list(types, types_path, label="Kiểu tệp"))
        )
    size = raw.get("max_size_bytes")
    quantity = raw.get("quantity")
    return ComponentSpec(
        code=code,
        name=name,
        original_or_copy=read_choice(
            raw.get("original_or_copy"),
            _join(path, "original_or_copy"),
            label="Bản chính/bản sao",
            choices=OriginalOrCopy.values,
        ),
        quantity=1
        if quantity is None or quantity == ""
        else read_int(quantity, _join(path, "quantity"), label="Số lượng", maximum=1000),
        mandatory=read_bool(
            raw.get("mandatory"), _join(path, "mandatory"), label="Bắt buộc", default=True
        ),
        condition=read_text(raw.get("condition"), _join(path, "condition"), label="Điều kiện"),
        template_name=read_text(
            raw.get("template"), _join(path, "template"), label="Mẫu đơn, tờ khai"
        ),
        allowed_types=allowed,
        max_size_bytes=DEFAULT_MAX_SIZE_BYTES
        if size is None or size == ""
        else read_int(
            size,
            _join(path, "max_size_bytes"),
            label="Dung lượng tối đa",
            minimum=1,
            maximum=2**31 - 1,
        ),
    )


def read_components(value: Any, path: str) -> tuple[ComponentSpec, ...]:
    """Components in order. A component without a ``code`` gets one made from its name, never
    one that another component of the list carries explicitly."""
    items = [
        (read_mapping(raw, _join(path, index), label="Thành phần hồ sơ"), _join(path, index))
        for index, raw in enumerate(read_list(value, path, label="Thành phần hồ sơ"))
    ]
    taken: set[str] = set()
    for item, item_path in items:
        code = _component_code(item, item_path)
        if code in taken:
            raise _error("duplicate", f"Mã thành phần «{code}» bị trùng.", _join(item_path, "code"))
        if code:
            taken.add(code)
    return tuple(_read_component(item, item_path, taken) for item, item_path in items)


def read_step(raw: Mapping[str, Any], path: str) -> StepSpec:
    group = raw.get("parallel_group")
    actions = read_choices(
        raw.get("allowed_actions"),
        _join(path, "allowed_actions"),
        label="Thao tác được phép",
        choices=StepAction.values,
    )
    return StepSpec(
        order=read_int(raw.get("order"), _join(path, "order"), label="Thứ tự bước", minimum=1),
        name=read_text(
            raw.get("name"), _join(path, "name"), label="Tên bước", required=True, max_length=255
        ),
        kind=read_choice(
            raw.get("kind") or StepKind.STEP,
            _join(path, "kind"),
            label="Loại bước",
            choices=StepKind.values,
        ),
        role=read_choice(
            raw.get("role"), _join(path, "role"), label="Vai trò", choices=Role.values
        ),
        hours=read_decimal(raw.get("hours"), _join(path, "hours"), label="Số giờ làm việc"),
        department=read_text(
            raw.get("department"), _join(path, "department"), label="Phòng ban", max_length=255
        )
        or None,
        agency_code=read_text(
            raw.get("agency"), _join(path, "agency"), label="Cơ quan", max_length=13
        ).upper()
        or None,
        is_lead=read_bool(
            raw.get("is_lead"), _join(path, "is_lead"), label="Chủ trì", default=False
        ),
        parallel_group=None
        if group is None or group == ""
        else read_int(group, _join(path, "parallel_group"), label="Nhóm song song", minimum=1),
        allowed_actions=actions,
    )


def read_process(raw: Mapping[str, Any], path: str) -> ProcessSpec:
    return ProcessSpec(
        agency_code=read_text(
            raw.get("agency"),
            _join(path, "agency"),
            label="Mã cơ quan",
            required=True,
            max_length=13,
        ).upper(),
        name=read_text(
            raw.get("name"),
            _join(path, "name"),
            label="Tên quy trình",
            required=True,
            max_length=255,
        ),
        active=read_bool(
            raw.get("active"), _join(path, "active"), label="Đang áp dụng", default=True
        ),
        steps=read_items(
            raw.get("steps"), _join(path, "steps"), label="Bước xử lý", reader=read_step
        ),
    )


def _read_cutoff(value: Any, unit: str) -> datetime.time | None:
    """``time_limit.same_day_cutoff``: "HH:MM", only for same-day (instant) procedures."""
    path = "time_limit.same_day_cutoff"
    if value is None or value == "":
        return None
    if unit != TimeLimitUnit.INSTANT:
        raise _error("invalid_value", "Giờ chốt chỉ dùng cho thủ tục trả kết quả trong ngày.", path)
    if isinstance(value, datetime.time):
        return value.replace(second=0, microsecond=0)
    try:
        parsed = datetime.time.fromisoformat(str(value).strip())
    except ValueError:
        raise _error(
            "invalid_value", "Giờ chốt trả trong ngày có dạng giờ:phút, ví dụ 15:00.", path
        ) from None
    if parsed.tzinfo is not None:
        raise _error("invalid_value", "Giờ chốt là giờ địa phương, không kèm múi giờ.", path)
    return parsed


def _read_time_limit(raw: Mapping[str, Any]) -> dict[str, Any]:
    limit = read_mapping(raw.get("time_limit"), "time_limit", label="Thời hạn giải quyết")
    value = limit.get("value")
    unit = read_choice(
        limit.get("unit"),
        "time_limit.unit",
        label="Đơn vị thời hạn",
        choices=TimeLimitUnit.values,
        required=False,
    )
    number = (
        None
        if value is None or value == ""
        else read_decimal(value, "time_limit.value", label="Thời hạn", maximum=Decimal(99_999))
    )
    if number is not None and unit in ("", TimeLimitUnit.INSTANT):
        raise _error(
            "invalid_value",
            "Thời hạn có số thì phải có đơn vị ngày làm việc, giờ làm việc hoặc ngày.",
            "time_limit.unit",
        )
    if number is None and unit not in ("", TimeLimitUnit.INSTANT):
        raise _error(
            "invalid_value",
            "Đơn vị thời hạn chỉ dùng khi có số; để trống cả hai nếu không có thời hạn cố định.",
            "time_limit.value",
        )
    cutoff = _read_cutoff(limit.get("same_day_cutoff"), unit)
    return {
        "time_limit_value": number,
        "time_limit_unit": unit,
        "same_day_cutoff": cutoff,
        "time_limit_text": read_text(limit.get("text"), "time_limit.text", label="Mô tả thời hạn"),
        "time_limit_cases": tuple(
            read_list(limit.get("cases"), "time_limit.cases", label="Các trường hợp")
        ),
    }


def read_version(
    raw: Mapping[str, Any], *, default_effective_from: datetime.date | None
) -> VersionSpec:
    effective_raw = raw.get("effective_from")
    if effective_raw in (None, ""):
        if default_effective_from is None:
            raise _error(
                "required",
                "Thiếu ngày hiệu lực (effective_from) của phiên bản thủ tục.",
                "effective_from",
            )
        effective_from = default_effective_from
    else:
        effective_from = read_date(effective_raw, "effective_from", label="Ngày hiệu lực")
    to_raw = raw.get("effective_to")
    effective_to = (
        None
        if to_raw in (None, "")
        else read_date(to_raw, "effective_to", label="Ngày hết hiệu lực")
    )
    if effective_to is not None and effective_to < effective_from:
        raise _error(
            "invalid_range",
            f"Ngày hết hiệu lực {effective_to:%d/%m/%Y} trước ngày hiệu lực "
            f"{effective_from:%d/%m/%Y}.",
            "effective_to",
        )
    result = read_mapping(raw.get("result"), "result", label="Kết quả")
    online = raw.get("online_level")
    return VersionSpec(
        effective_from=effective_from,
        effective_to=effective_to,
        competent_agency_text=read_text(
            raw.get("competent_agency"), "competent_agency", label="Cơ quan có thẩm quyền"
        ),
        received_at_text=read_text(raw.get("received_at"), "received_at", label="Nơi tiếp nhận"),
        submission_channels=read_choices(
            raw.get("submission_channels"),
            "submission_channels",
            label="Cách thức nộp",
            choices=SUBMISSION_CHANNELS,
        ),
        **_read_time_limit(raw),
        fees=read_items(raw.get("fees"), "fees", label="Phí, lệ phí", reader=read_fee),
        result_type=read_choice(
            result.get("type"),
            "result.type",
            label="Loại kết quả",
            choices=ResultType.values,
            required=False,
        ),
        result_name=read_text(result.get("name"), "result.name", label="Tên kết quả"),
        online_level=read_choice(
            online,
            "online_level",
            label="Mức độ trực tuyến",
            choices=OnlineLevel.values,
            required=False,
        ),
        partial_reason=read_text(
            raw.get("partial_reason"), "partial_reason", label="Lý do một phần"
        ),
        legal_bases=tuple(
            read_text(item, f"legal_bases.{i}", label="Căn cứ pháp lý", required=True)
            for i, item in enumerate(
                read_list(raw.get("legal_bases"), "legal_bases", label="Căn cứ pháp lý")
            )
        ),
        form_schema=read_mapping(raw.get("form_schema"), "form_schema", label="Biểu mẫu điện tử"),
        source=read_mapping(raw.get("source"), "source", label="Nguồn dữ liệu"),
        notes=read_text(raw.get("notes"), "notes", label="Ghi chú", max_length=20_000),
        components=read_components(raw.get("components"), "components"),
    )


def read_procedure(raw: Mapping[str, Any]) -> ProcedureSpec:
    name = read_text(raw.get("name"), "name", label="Tên thủ tục", required=True, max_length=1000)
    for key in ("code", "local_code"):
        if raw.get(key) is not None and not isinstance(raw.get(key), str):
            raise _error(
                "invalid_value",
                'Mã thủ tục phải là chuỗi ký tự (ví dụ "1.001193"), không phải số.',
                key,
            )
    code = read_text(raw.get("code"), "code", label="Mã thủ tục", max_length=30)
    national = bool(code)
    if not code:
        code = read_text(
            raw.get("local_code"), "local_code", label="Mã tạm", max_length=30
        ) or local_code_for(name)
    if not code.replace(".", "").replace("-", "").isalnum() or not code.isascii():
        raise _error(
            "invalid_value", f"Mã thủ tục «{code}» chỉ gồm chữ, số, dấu chấm và gạch ngang.", "code"
        )
    field_raw = read_mapping(raw.get("field"), "field", label="Lĩnh vực")
    return ProcedureSpec(
        code=code,
        name=name,
        field_name=read_text(
            field_raw.get("name"), "field.name", label="Tên lĩnh vực", required=True, max_length=255
        ),
        field_sector_code=read_text(
            field_raw.get("code"), "field.code", label="Mã lĩnh vực", max_length=30
        ),
        levels=read_choices(
            raw.get("levels"), "levels", label="Cấp thực hiện", choices=Level.values, required=True
        ),
        applicant_types=read_choices(
            raw.get("applicant_types"),
            "applicant_types",
            label="Đối tượng thực hiện",
            choices=ApplicantType.values,
            required=True,
        ),
        national_code=national,
        active=read_bool(raw.get("active"), "active", label="Đang áp dụng", default=True),
    )


#: Keys a record may carry. ``prefill`` (derived from the form) and ``process_steps`` (the demo
#: research file's placeholder, always null) are accepted and ignored.
RECORD_KEYS = frozenset(
    {
        "code",
        "local_code",
        "name",
        "field",
        "levels",
        "applicant_types",
        "active",
        "version",
        "effective_from",
        "effective_to",
        "competent_agency",
        "received_at",
        "submission_channels",
        "time_limit",
        "fees",
        "components",
        "result",
        "online_level",
        "partial_reason",
        "legal_bases",
        "form_schema",
        "prefill",
        "source",
        "notes",
        "processes",
        "process_steps",
    }
)


def read_record(raw: Any, *, default_effective_from: datetime.date | None = None) -> RecordSpec:
    """Read one record of the interchange format (see the module docstring)."""
    record = read_mapping(raw, "", label="Bản ghi thủ tục")
    unknown = sorted(set(record) - RECORD_KEYS)
    if unknown:
        raise _error("unknown_key", f"Khóa không nhận biết: {', '.join(unknown)}.", unknown[0])
    version_raw = record.get("version")
    processes_raw = record.get("processes")
    return RecordSpec(
        procedure=read_procedure(record),
        version=1
        if version_raw in (None, "")
        else read_int(version_raw, "version", label="Số phiên bản", minimum=1, maximum=10_000),
        content=read_version(record, default_effective_from=default_effective_from),
        processes=None
        if processes_raw is None
        else read_items(processes_raw, "processes", label="Quy trình nội bộ", reader=read_process),
    )
