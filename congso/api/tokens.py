"""API tokens (``/api/v1/auth/tokens``): sign in for a token, list and revoke one's own.

``POST`` signs in like the login page (the same throttle: 429 with ``Retry-After``); officers
send their TOTP code as well, and their token is then marked as issued after a second-factor
check (needed for the scopes ``approve`` and ``sign``). Thin: parse, call
:mod:`congso.accounts.services` / :mod:`congso.accounts.tokens`, serialise.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from congso.accounts import services as accounts
from congso.accounts import tokens
from congso.api import params
from congso.api.auth import SESSION_OR_TOKEN
from congso.api.schemas import ErrorOut
from congso.core.clients import client_ip
from congso.core.errors import DomainError

router = Router()
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}

THROTTLED = (
    "Quá nhiều lần thử sai (`too_many_attempts` cho tài khoản, `address_throttled` cho địa chỉ "
    "mạng, `code_throttled` cho mã OTP): chờ số giây trong tiêu đề Retry-After; thông điệp nói "
    "giờ được thử lại."
)


class TokenRequestIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    code: str | None = Field(
        None,
        max_length=16,
        description="Mã xác thực hai lớp (6 chữ số), bắt buộc với tài khoản cán bộ.",
    )
    name: str = Field("API", max_length=100, description="Tên gợi nhớ (mục đích) của mã.")
    scopes: list[str] = Field(
        default_factory=lambda: [tokens.READ],
        max_length=4,
        description="read, write, approve (hoàn thành/từ chối), sign (ký số).",
    )
    expires_in_hours: int | None = Field(
        None,
        ge=1,
        le=24 * 366,
        description="Thời hạn (giờ). Mặc định 30 ngày; tối đa 365 ngày, 12 giờ với approve/sign.",
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="Đầu mã, để nhận ra mã; không đủ để dùng.")
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    second_factor: bool = Field(description="Cấp ngay sau khi kiểm tra mã xác thực hai lớp.")
    usable: bool


class NewTokenOut(TokenOut):
    token: str = Field(description="Mã truy cập; chỉ hiện một lần, không được lưu lại.")


def _out(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "name": row.name,
        "prefix": row.prefix,
        "scopes": list(row.scopes or []),
        "created_at": timezone.localtime(row.created_at),
        "last_used_at": timezone.localtime(row.last_used_at) if row.last_used_at else None,
        "expires_at": timezone.localtime(row.expires_at) if row.expires_at else None,
        "revoked_at": timezone.localtime(row.revoked_at) if row.revoked_at else None,
        "second_factor": row.second_factor_at is not None,
        "usable": tokens.is_usable(row),
    }


@router.post(
    "/tokens",
    response={201: NewTokenOut, 403: ErrorOut, 429: ErrorOut},
    summary="Đăng nhập để nhận mã truy cập API",
    openapi_extra={
        "responses": {
            "403": {
                "description": "Sai tên đăng nhập hoặc mật khẩu (`invalid_credentials`), sai mã "
                "OTP (`invalid_code`), hoặc cán bộ chưa gửi mã OTP (`second_factor_required`).",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
                },
            },
            "429": {
                "description": THROTTLED,
                "headers": {
                    "Retry-After": {
                        "description": "Số giây phải chờ trước lần thử tiếp theo.",
                        "schema": {"type": "integer", "minimum": 1},
                    }
                },
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
                },
            },
        }
    },
)
def create_token(request: HttpRequest, payload: TokenRequestIn) -> Status[NewTokenOut]:
    """Signs in with the username and password (and, for officers, the current TOTP code) and
    issues a token for the caller's own account. The attempt counts toward the sign-in throttle
    like the login page."""
    ip = client_ip(request)
    user = accounts.login_attempt(
        username=payload.username, password=payload.password, ip=ip, request=request
    )
    second_factor = False
    if accounts.second_factor_required(user):
        code = "".join((payload.code or "").split())
        if not code:
            raise DomainError(
                "second_factor_required",
                "Tài khoản cán bộ cần gửi kèm mã xác thực hai lớp (code).",
                field="code",
                status=403,
            )
        accounts.second_factor_verify(user=user, token=code, ip=ip)
        second_factor = True
    expires_at = None
    if payload.expires_in_hours is not None:
        expires_at = timezone.now() + timedelta(hours=payload.expires_in_hours)
    row, secret = tokens.token_create(
        actor=user,
        user=user,
        name=payload.name,
        scopes=payload.scopes,
        expires_at=expires_at,
        second_factor=second_factor,
    )
    return Status(201, NewTokenOut(token=secret, **_out(row)))


@router.get(
    "/tokens",
    auth=SESSION_OR_TOKEN,
    response={200: list[TokenOut], 401: ErrorOut},
    summary="Các mã truy cập API của tôi",
)
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    return [TokenOut(**_out(row)) for row in tokens.tokens_of(request.auth)]  # type: ignore[attr-defined]


@router.delete(
    "/tokens/{token_id}",
    auth=SESSION_OR_TOKEN,
    response={204: None, 401: ErrorOut, 404: ErrorOut},
    summary="Thu hồi một mã truy cập API của tôi",
)
def revoke_token(request: HttpRequest, token_id: params.DbInt) -> HttpResponse:
    tokens.token_revoke_own(user=request.auth, token_id=token_id)  # type: ignore[attr-defined]
    return HttpResponse(status=204)
