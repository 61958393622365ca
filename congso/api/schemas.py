"""Schemas every part of the API shares: the error bodies.

Every error is ``{"code", "message", "field"}``; a validation error (422) adds ``errors``, one
entry per offending input.
"""

from __future__ import annotations

from ninja import Field, Schema


class ErrorOut(Schema):
    code: str = Field(description="Mã lỗi ổn định, dành cho máy.", examples=["not_found"])
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
