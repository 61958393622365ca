"""Create an API token for a user and print it once (it is stored only as a SHA-256).

A token made here was not issued after a second-factor check: an officer's token from this
command can read and write, never approve or sign (those need the account page or
``POST /api/v1/auth/tokens`` with the TOTP code)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from congso.accounts.tokens import READ, SCOPES, token_create
from congso.core.errors import DomainError


class Command(BaseCommand):
    help = "Tạo mã truy cập API cho một người dùng và in ra một lần duy nhất."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="API", help="Tên gợi nhớ (mục đích) của mã.")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Hết hạn sau số ngày này (mặc định CONGSO_API_TOKEN_DAYS).",
        )
        parser.add_argument(
            "--scope",
            action="append",
            choices=sorted(SCOPES),
            default=None,
            help="Phạm vi (lặp lại để chọn nhiều; mặc định: read).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng «{options['username']}».")
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days phải từ 1 trở lên.")
        expires = timezone.now() + timedelta(days=days) if days else None
        try:
            _row, token = token_create(
                actor=None,
                user=user,
                name=options["name"],
                scopes=options["scope"] or [READ],
                expires_at=expires,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(token)
