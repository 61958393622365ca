"""``manage.py load_demo [--province CODE]``: the demo province and its logins (demo only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.core.errors import DomainError
from congso.org.demo import DEMO_TOTP_SECRET, DemoResult, load_demo, otpauth_uri


def render(result: DemoResult) -> str:
    """The logins as a fixed-width table, then the demo second-factor key."""
    header = ("Vai trò", "Cơ quan", "Tên đăng nhập", "Mật khẩu")
    rows = [(login.role, login.agency, login.username, result.password) for login in result.logins]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells)).rstrip()

    officers = [login.username for login in result.logins if login.officer]
    grouped = " ".join(DEMO_TOTP_SECRET[i : i + 4] for i in range(0, len(DEMO_TOTP_SECRET), 4))
    lines = [
        f"Tài khoản demo – {result.province.name} (mã {result.province.code}). CHỈ DÙNG THỬ.",
        "",
        line(header),
        line(tuple("-" * width for width in widths)),
        *(line(row) for row in rows),
        "",
        "Xác thực hai lớp (TOTP) của mọi cán bộ demo – khóa công khai, chỉ dùng thử:",
        f"  khóa bí mật: {grouped}",
        "  thêm một lần vào ứng dụng xác thực (Google Authenticator, FreeOTP…); mọi cán bộ demo "
        "dùng chung mã 6 số.",
    ]
    if officers:
        lines.append(f"  ví dụ URI: {otpauth_uri(officers[0])}")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = (
        "Tạo tỉnh demo (idempotent): đơn vị hành chính, UBND tỉnh, Trung tâm Phục vụ hành chính "
        "công, 8 sở, 10 UBND xã có bộ phận một cửa, cán bộ demo cho mọi vai trò, công dân thử "
        "nghiệm; in bảng tài khoản. Chỉ dùng để thử nghiệm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            default=settings.DEMO_PROVINCE_CODE,
            metavar="CODE",
            help="Mã tỉnh hiện hành 2 số (mặc định CONGSO_DEMO_PROVINCE, 51 = Quảng Ngãi).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_demo(province_code=options["province"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(render(result), ending="")
