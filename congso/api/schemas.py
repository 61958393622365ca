"""Schemas every part of the API shares: the error bodies.

Every error is ``{"code", "message", "field"}``; a validation error (422) adds ``errors``, one
entry per offending input.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from ninja import Field, Schema

from congso.accounts.error_codes import AccountsErrorCode
from congso.api.error_codes import ApiErrorCode
from congso.calendar.error_codes import CalendarErrorCode
from congso.catalog.error_codes import CatalogErrorCode
from congso.docstore.error_codes import DocstoreErrorCode
from congso.dossiers.error_codes import DossierErrorCode
from congso.eoffice.error_codes import EofficeErrorCode
from congso.feedback.error_codes import FeedbackErrorCode
from congso.identity.error_codes import IdentityErrorCode
from congso.integration.error_codes import IntegrationErrorCode
from congso.lifeevents.error_codes import LifeeventsErrorCode
from congso.org.error_codes import OrgErrorCode
from congso.payments.error_codes import PaymentErrorCode
from congso.records.error_codes import RecordsErrorCode
from congso.results.error_codes import ResultsErrorCode
from congso.signing.error_codes import SigningErrorCode

#: The error codes of each domain the API answers with (``x-error-codes`` of ``ErrorOut``).
ERROR_CODES: dict[str, type[StrEnum]] = {
    "accounts": AccountsErrorCode,
    "api": ApiErrorCode,
    "calendar": CalendarErrorCode,
    "catalog": CatalogErrorCode,
    "dossiers": DossierErrorCode,
    "eoffice": EofficeErrorCode,
    "identity": IdentityErrorCode,
    "feedback": FeedbackErrorCode,
    "integration": IntegrationErrorCode,
    "org": OrgErrorCode,
    "results": ResultsErrorCode,
    "payments": PaymentErrorCode,
    "signing": SigningErrorCode,
    "docstore": DocstoreErrorCode,
    "lifeevents": LifeeventsErrorCode,
    "records": RecordsErrorCode,
}


_ERROR_CODE_LISTS: dict[str, Any] = {
    domain: sorted(member.value for member in codes) for domain, codes in ERROR_CODES.items()
}


class ErrorOut(Schema):
    code: str = Field(
        description="Mã lỗi ổn định, dành cho máy (danh sách theo miền: x-error-codes).",
        examples=["not_found"],
        json_schema_extra={"x-error-codes": _ERROR_CODE_LISTS},
    )
    message: str = Field(description="Thông báo lỗi bằng tiếng Việt.")
    field: str | None = Field(description="Tham số hoặc trường gây lỗi, nếu có.", examples=["code"])


class FieldErrorOut(Schema):
    code: str | None = Field(None, description="Mã lỗi của trường (lỗi biểu mẫu), nếu có.")
    field: str | None = Field(
        description="Tham số hoặc trường gây lỗi (đường dẫn, nối bằng dấu chấm)."
    )
    message: str


class ValidationErrorOut(ErrorOut):
    errors: list[FieldErrorOut] = Field(
        default_factory=list,
        description="Từng lỗi kiểm tra dữ liệu (khi code là validation_error).",
    )
