"""API v1: a thin HTTP layer over the domain services. The domain never imports this package.

Errors are JSON ``{"code", "message", "field"}``: ``code`` is stable and machine-readable,
``message`` is Vietnamese, ``field`` names the offending input when there is one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from congso.api import calendar as calendar_api
from congso.api import catalog as catalog_api
from congso.api import dossiers as dossiers_api
from congso.api import eoffice as eoffice_api
from congso.api import feedback as feedback_api
from congso.api import lifeevents as lifeevents_api
from congso.api import org as org_api
from congso.api import payments as payments_api
from congso.api import records as records_api
from congso.api import signing as signing_api
from congso.api import tokens as tokens_api
from congso.api import transfers as transfers_api
from congso.api import webhooks as webhooks_api
from congso.api.auth import (
    TOKEN_SESSION_OR_ANONYMOUS,
    Session,
    enforce_token_scope,
    is_public,
)
from congso.api.schemas import ErrorOut, ValidationErrorOut
from congso.core.errors import DomainError

UNSAFE = ("post", "put", "patch", "delete")
_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
#: Answers any operation can give, whatever its handler does (documented once, here).
COMMON_RESPONSES: dict[str, dict[str, Any]] = {
    "401": {
        "description": "Chưa đăng nhập (`unauthenticated`), hoặc mã truy cập gửi kèm không hợp lệ, "
        "đã hết hạn hay bị thu hồi (`invalid_token`).",
        "content": {"application/json": {"schema": _ERROR_REF}},
    },
    "422": {
        "description": "Dữ liệu gửi lên không đúng kiểu hoặc ngoài giới hạn (`validation_error`, "
        "`out_of_range`, …).",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ValidationErrorOut"}}
        },
    },
    "503": {
        "description": "Hệ thống quá tải (`overloaded`, kèm Retry-After) hoặc thiếu cấu hình "
        "cần cho thao tác.",
        "content": {"application/json": {"schema": _ERROR_REF}},
    },
}
BAD_BODY_RESPONSE = {
    "description": "Nội dung gửi lên không đọc được (`invalid_body`) hoặc sai quy định.",
    "content": {"application/json": {"schema": _ERROR_REF}},
}
CSRF_RESPONSE = {
    "description": "Không có quyền (`forbidden`, …), hoặc gửi bằng phiên đăng nhập mà thiếu "
    "mã CSRF.",
    "content": {"application/json": {"schema": _ERROR_REF}},
}
SCOPE_RESPONSE = {
    "description": "Không có quyền (`forbidden`, …), hoặc mã truy cập thiếu phạm vi cần cho thao "
    "tác (`insufficient_scope`; xem `x-token-scope`) hay chưa được cấp sau xác thực hai lớp "
    "(`second_factor_required`, với approve và sign của cán bộ).",
    "content": {"application/json": {"schema": _ERROR_REF}},
}
BEARER_DESCRIPTION = (
    "Mã truy cập `cs_…` (trang Tài khoản › Mã truy cập API, hoặc POST /api/v1/auth/tokens). "
    "Mỗi mã có phạm vi: `read` (mọi GET), `write` (các thao tác khác), `approve` (hoàn thành, "
    "từ chối giải quyết), `sign` (ký số); phạm vi cần cho mỗi thao tác ghi ở `x-token-scope`. "
    "Với cán bộ, approve và sign chỉ dùng được với mã cấp ngay sau khi kiểm tra mã OTP. "
    "Mọi mã đều có hạn dùng."
)


class ContractAPI(NinjaAPI):
    """Completes the OpenAPI document with what every operation may answer: 401 (a bad token is
    refused everywhere), 422 with the validation error body, 503 (load shedding), 403 (a token
    without the scope; on unsafe methods also CSRF of a session), the token scope each operation
    needs (``x-token-scope``), and marks public operations' security as optional."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        public, sessions, scopes = self._auth_kinds()
        security = schema.setdefault("components", {}).get("securitySchemes", {})
        for scheme in security.values():
            if scheme.get("scheme") == "bearer":
                scheme["description"] = BEARER_DESCRIPTION
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorOut, ValidationErrorOut):
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in definition.pop("$defs", {}).items():
                components.setdefault(name, sub)
            components[model.__name__] = definition
        for path_item in schema["paths"].values():
            for method, operation in path_item.items():
                op_id = operation["operationId"]
                _complete_operation(
                    operation,
                    public=op_id in public,
                    session=method in UNSAFE and op_id in sessions,
                )
                operation["x-token-scope"] = scopes.get(op_id) or (
                    "write" if method in UNSAFE else "read"
                )
        return schema

    def _auth_kinds(self) -> tuple[set[str], set[str], dict[str, str]]:
        """Operation ids open to anonymous visitors, those accepting a session, and the token
        scope operations declare."""
        public, sessions, scopes = set(), set(), {}
        for router in self._get_bound_routers():
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    op_id = operation.operation_id or self.get_openapi_operation_id(operation)
                    if is_public(operation.auth_callbacks):
                        public.add(op_id)
                    if any(isinstance(cb, Session) for cb in operation.auth_callbacks):
                        sessions.add(op_id)
                    view = operation.view_func
                    declared = getattr(view, "token_scope_doc", None) or getattr(
                        view, "token_scope", None
                    )
                    if isinstance(declared, str):
                        scopes[op_id] = declared
        return public, sessions, scopes


def _complete_operation(operation: dict[str, Any], *, public: bool, session: bool) -> None:
    responses = {str(k): v for k, v in operation.get("responses", {}).items()}
    responses.update(COMMON_RESPONSES)
    if "requestBody" in operation:
        responses.setdefault("400", BAD_BODY_RESPONSE)
    if session:
        responses.setdefault("403", CSRF_RESPONSE)
    responses.setdefault("403", SCOPE_RESPONSE)
    if public:
        operation.setdefault("security", []).append({})
    operation["responses"] = dict(sorted(responses.items()))


api = ContractAPI(
    title="Công Sở API",
    version="1",
    description=(
        "API của nền tảng Công Sở (dịch vụ công trực tuyến, một cửa điện tử). "
        "Errors: JSON {code, message, field} with a stable code and a Vietnamese message."
    ),
    urls_namespace="api-v1",
    auth=TOKEN_SESSION_OR_ANONYMOUS,
)


#: Codes meaning "well-formed, but outside what can be answered": 422 in the API whatever layer
#: raised them (the calendar engine raises them as plain 400 errors).
OUT_OF_BOUNDS = frozenset({"calendar_out_of_range", "amount_too_large", "range_too_long"})
#: Vietnamese messages for the validation errors of the request schemas.
VALIDATION_MESSAGES = {
    "missing": "Thiếu giá trị bắt buộc.",
    "int_parsing": "Phải là số nguyên.",
    "int_type": "Phải là số nguyên.",
    "float_parsing": "Phải là số.",
    "decimal_parsing": "Phải là số.",
    "bool_parsing": "Phải là true hoặc false.",
    "string_type": "Phải là chuỗi ký tự.",
    "less_than_equal": "Giá trị vượt quá giới hạn cho phép ({le}).",
    "greater_than_equal": "Giá trị nhỏ hơn giới hạn cho phép ({ge}).",
    "date_parsing": "Phải là ngày dạng YYYY-MM-DD.",
    "date_from_datetime_parsing": "Phải là ngày dạng YYYY-MM-DD.",
    "datetime_parsing": "Phải là thời điểm ISO 8601 (ví dụ 2026-03-10T17:00:00+07:00).",
    "datetime_from_date_parsing": "Phải là thời điểm ISO 8601 (ví dụ 2026-03-10T17:00:00+07:00).",
    "list_type": "Phải là một danh sách.",
    "model_attributes_type": "Phải là một đối tượng JSON.",
    "dict_type": "Phải là một đối tượng JSON.",
    "string_too_long": "Chuỗi quá dài (tối đa {max_length} ký tự).",
}


def _validation_message(err: dict[str, Any]) -> str:
    template = VALIDATION_MESSAGES.get(err.get("type", ""))
    if template is None:
        return str(err.get("msg", ""))
    try:
        return template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError):
        return template


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 422 if exc.code in OUT_OF_BOUNDS and exc.status == 400 else exc.status
    response = api.create_response(request, exc.as_dict(), status=status)
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int):  # a throttle (429), e.g. the public look-up's
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("query", "body", "path")]
        errors.append({"field": ".".join(loc) or None, "message": _validation_message(err)})
    first = errors[0]["field"] if errors else None
    body = {
        "code": "validation_error",
        "message": "Dữ liệu gửi lên không hợp lệ.",
        "field": first,
        "errors": errors,
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    code, message = codes.get(exc.status_code, "error"), str(exc)
    if exc.status_code == 400 and message == "Cannot parse request body":
        code, message = "invalid_body", "Không đọc được nội dung gửi lên (JSON hoặc multipart sai)."
    elif exc.status_code == 403 and message == "CSRF check Failed":
        code, message = "csrf_failed", "Thiếu hoặc sai mã CSRF của phiên đăng nhập."
    body = {"code": code, "message": message, "field": None}
    return api.create_response(request, body, status=exc.status_code)


def _bad_text(value: Any, path: str) -> str | None:
    """The path of the first string in ``value`` holding a NUL or a lone surrogate, else None
    (PostgreSQL cannot store them, and they cannot be encoded as UTF-8)."""
    if isinstance(value, str):
        if "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value):
            return path
        return None
    if isinstance(value, Schema):
        value = value.model_dump()
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    else:
        return None
    for key, child in items:
        found = _bad_text(key, path) or _bad_text(child, f"{path}.{key}")
        if found:
            return found
    return None


def refuse_invalid_text(view: Callable[..., Any]) -> Callable[..., Any]:
    """Every text parameter of every operation: no NUL byte, no lone surrogate (400
    ``invalid_text``, naming the field), before the handler or the database sees it."""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        for name, value in kwargs.items():
            field = _bad_text(value, name)
            if field:
                raise DomainError(
                    "invalid_text",
                    f"«{field}» chứa ký tự không hợp lệ (ký tự NUL hoặc mã Unicode lẻ).",
                    field=field,
                )
        return view(request, *args, **kwargs)

    return checked


api.add_decorator(refuse_invalid_text)
api.add_decorator(enforce_token_scope)
api.add_router("/auth", tokens_api.router, tags=["auth"])
api.add_router("/calendar", calendar_api.router, tags=["calendar"])
api.add_router("/org", org_api.router, tags=["org"])
api.add_router("/procedures", catalog_api.router, tags=["catalog"])
api.add_router("/dossiers", dossiers_api.router, tags=["dossiers"])
api.add_router("/lookup", dossiers_api.lookup_router, tags=["dossiers"])
api.add_router("/signatures", signing_api.router, tags=["signatures"])
api.add_router("/eoffice", eoffice_api.router, tags=["eoffice"])
api.add_router("/payments", payments_api.router, tags=["payments"])
api.add_router("/feedback", feedback_api.router, tags=["feedback"])
api.add_router("/feedback", feedback_api.officer_router, tags=["feedback"])
api.add_router("/webhooks", webhooks_api.router, tags=["webhooks"])
api.add_router("/transfers", transfers_api.router, tags=["transfers"])
api.add_router("/lifeevents", lifeevents_api.router, tags=["lifeevents"])
api.add_router("/lifeevents", lifeevents_api.citizen_router, tags=["lifeevents"])
api.add_router("/records", records_api.router, tags=["records"])
