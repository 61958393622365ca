"""The online form drawn from a procedure's form schema (``catalog.formschema``): its steps
(one per ``section``, then the files, then the review), the values read back from a POST, and
the fields with their values and error messages for the templates.

Validation is the catalogue's :func:`validate_data`, run on the fields of one step (so a
citizen sees every mistake of the page next to its field) and again on submission by the
dossier service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy

from congso.catalog import fieldtypes
from congso.catalog.formschema import FormInvalid, validate_data
from congso.core.errors import localise

DEFAULT_SECTION = gettext_lazy("Thông tin tờ khai")


@dataclass
class Step:
    title: str
    specs: list[dict[str, Any]]


@dataclass
class BoundField:
    """One schema field with what the citizen typed and the message for it."""

    spec: Mapping[str, Any]
    name: str  # the HTML name (``children.0.name`` inside a group)
    value: Any
    error: str = ""
    rows: list[list[BoundField]] = field(default_factory=list)  # group rows
    #: In a row of a group that may be left empty (``min`` 0): the browser must not demand the
    #: row's required fields (the server drops an empty row, and checks a started one).
    in_optional_row: bool = False
    #: An applicant identity field tied to the account (issue 13 item 4): shown read-only.
    locked: bool = False
    #: Where a prefilled value came from ("từ CSDLQG về dân cư"), shown beside the field.
    source: str = ""

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("_", "-")

    @property
    def type(self) -> str:
        return str(self.spec.get("type"))

    @property
    def field_type(self) -> fieldtypes.FieldType:
        return fieldtypes.get(self.type)

    @property
    def widget(self) -> str:
        """The template that draws this field (its type's widget)."""
        return self.field_type.widget

    @property
    def input_type(self) -> str:
        return self.field_type.input_type

    @property
    def input_attrs(self) -> list[tuple[str, str]]:
        return self.field_type.input_attrs(self.spec)

    @property
    def label(self) -> str:
        return str(self.spec.get("label") or self.spec.get("name"))

    @property
    def required(self) -> bool:
        return bool(self.spec.get("required")) and not self.in_optional_row

    @property
    def help(self) -> str:
        return str(self.spec.get("help") or "")

    @property
    def options(self) -> list[Mapping[str, Any]]:
        return list(self.spec.get("options") or [])

    @property
    def multiple(self) -> bool:
        return bool(self.spec.get("multiple"))

    @property
    def selected(self) -> set[str]:
        if isinstance(self.value, list):
            return {str(v) for v in self.value}
        return {str(self.value)} if self.value not in (None, "") else set()

    @property
    def unit_code(self) -> str:
        return str(self.value.get("unit_code") or "") if isinstance(self.value, Mapping) else ""

    @property
    def detail(self) -> str:
        return str(self.value.get("detail") or "") if isinstance(self.value, Mapping) else ""

    @property
    def text(self) -> str:
        if self.value is None or isinstance(self.value, Mapping | list):
            return ""
        return str(self.value)


def data_fields(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [dict(s) for s in schema.get("fields") or [] if s.get("type") != "file"]


def steps(schema: Mapping[str, Any]) -> list[Step]:
    """The form's pages: one per section, in the order sections first appear."""
    result: list[Step] = []
    by_title: dict[str, Step] = {}
    for spec in data_fields(schema):
        title = str(spec.get("section") or DEFAULT_SECTION)
        if title not in by_title:
            by_title[title] = Step(title, [])
            result.append(by_title[title])
        by_title[title].specs.append(spec)
    return result


def _read(spec: Mapping[str, Any], post: QueryDict, name: str) -> Any:
    return fieldtypes.get(str(spec.get("type"))).read(spec, post, name)


group_rows = fieldtypes.group_rows


def is_blank(value: Any) -> bool:
    """Nothing typed: empty text, an empty list, or a mapping of blanks."""
    return _blank(value)


_blank = fieldtypes.blank


def read_step(specs: Sequence[Mapping[str, Any]], post: QueryDict) -> dict[str, Any]:
    """The values of one page from the POST, keyed by field name (blanks left out)."""
    values = {}
    for spec in specs:
        value = _read(spec, post, spec["name"])
        values[spec["name"]] = value
    return values


def check_step(specs: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> dict[str, str]:
    """Every problem of the page's fields: ``{html field name: message}``.

    ``values`` may hold the whole draft (the answers of the other pages, the prefill): only this
    page's fields are checked, so an answer saved on another page is never "not in the form"."""
    names = {spec["name"] for spec in specs}
    present = {k: v for k, v in values.items() if k in names and not _blank(v)}
    try:
        validate_data({"version": 1, "fields": list(specs)}, present)
    except FormInvalid as exc:
        return errors_by_field(exc)
    return {}


def errors_by_field(exc: FormInvalid) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in exc.errors:
        key = str(item.get("field") or "")
        message = localise(item["message"])
        errors[key] = f"{errors[key]} {message}" if key in errors else message
    return errors


def bind(
    specs: Sequence[Mapping[str, Any]],
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    *,
    prefix: str = "",
    extra_rows: Mapping[str, int] | None = None,
    optional_row: bool = False,
    locked: set[str] | frozenset[str] = frozenset(),
    sources: Mapping[str, str] | None = None,
) -> list[BoundField]:
    bound = []
    for spec in specs:
        name = prefix + spec["name"]
        value = values.get(spec["name"])
        item = BoundField(
            spec,
            name,
            value,
            errors.get(name, ""),
            in_optional_row=optional_row,
            locked=not prefix and spec["name"] in locked,
            source="" if prefix else (sources or {}).get(spec["name"], ""),
        )
        if spec.get("type") == "address" and not item.error:
            item.error = " ".join(
                errors[key] for key in (f"{name}.unit_code", f"{name}.detail") if key in errors
            )
        if spec.get("type") == "group":
            rows = list(value) if isinstance(value, list) else []
            wanted = max(len(rows), int(spec.get("min") or 0), 1)
            wanted += (extra_rows or {}).get(name, 0)
            minimum = int(spec.get("min", 1 if spec.get("required") else 0))
            for index in range(min(wanted, 50)):
                row = rows[index] if index < len(rows) else {}
                item.rows.append(
                    bind(
                        spec.get("fields") or [],
                        row,
                        errors,
                        prefix=f"{name}.{index}.",
                        optional_row=index >= minimum,
                    )
                )
        bound.append(item)
    return bound


def error_targets(fields: Sequence[BoundField]) -> list[tuple[str, str]]:
    """``[(#input id, message)]`` of a page's errors, in page order, for the error summary."""
    found: list[tuple[str, str]] = []
    for item in fields:
        if item.error:
            suffix = "-unit" if item.type == "address" else ""
            found.append((f"#{item.id}{suffix}", item.error))
        for row in item.rows:
            found.extend(error_targets(row))
    return found


def _plain(spec: Mapping[str, Any], value: Any) -> str:
    if spec.get("type") == "number" and str(spec.get("name", "")).endswith("_vnd"):
        from congso.portal.templatetags.congso_ui import vnd

        return vnd(value) or str(value)
    return str(value)


def display(spec: Mapping[str, Any], value: Any) -> str:
    """A value as the review page shows it: option labels, dates dd/mm/yyyy, addresses in
    words, amounts of money (``…_vnd``) as "50.000.000 đồng", group rows one per line (each
    type's ``display``)."""
    if spec.get("type") == "number" and value not in (None, ""):
        return _plain(spec, value)
    return fieldtypes.display_value(spec, value)
