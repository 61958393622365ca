"""Signing in the demo province (demo only, idempotent): the demo PKI and a soft-token signer
profile for every demo leader (approval signature) and clerk (the agency's seal signature), each
with its own certificate issued by the demo CA. Used by ``manage.py signing_demo_setup``
(``congso/results/demo.py`` adds the result templates of the procedures whose results the seeds
report as e-signed). Seed data: it writes the models directly, audited."""

from __future__ import annotations

import datetime
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.db import transaction

from congso.audit.services import record
from congso.org.models import Role, RoleAssignment
from congso.org.permissions import current_roles
from congso.signing import pki
from congso.signing.models import SignatureRole, SignerProfile

#: Demo signers' names on the stamps (picked by a stable hash of the username).
NAMES = (
    "Nguyễn Văn Bình",
    "Trần Thị Lan",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Minh Đức",
    "Huỳnh Thị Giang",
    "Võ Văn Hải",
    "Đặng Thị Hoa",
    "Bùi Quang Khánh",
    "Đỗ Thị Lan Anh",
    "Ngô Văn Minh",
    "Dương Thị Ngọc",
    "Lý Văn Phúc",
    "Trương Thị Quỳnh",
)
#: Demo usernames that get a signer profile (never real officers).
DEMO_PREFIXES = ("lanhdao.", "truongcongan.", "vanthu.")
#: Officer certificates are renewed when they end within this time.
_RENEW_BEFORE = datetime.timedelta(days=30)
_VALIDITY = datetime.timedelta(days=3 * 365)


@dataclass
class Signer:
    username: str
    display_name: str
    title: str
    agency: str
    role: str


@dataclass
class Summary:
    pki_dir: Path
    base_url: str
    pki_created: bool = False
    #: The document templates the app above set up (results: "code name: title (level)").
    templates: list[str] = field(default_factory=list)
    signers: list[Signer] = field(default_factory=list)
    certificates_issued: int = 0


def ensure_pki(directory: Path, base_url: str) -> tuple[pki.DemoPKI, bool]:
    """The demo PKI in ``directory``; generated when missing, or regenerated when its
    certificates name another address for OCSP/CRL/TSA (the port changed)."""
    created = False
    current = None
    if (directory / "pki.json").is_file():
        current = pki.DemoPKI(directory)
    if current is None or current.base_url != base_url.rstrip("/"):
        pki.generate(directory, base_url=base_url)
        created = True
    return pki.DemoPKI(directory), created


def _title(role: str, agency_name: str) -> str:
    if role == Role.CLERK:
        return "Văn thư"
    if agency_name.startswith("Ủy ban nhân dân"):
        return "Chủ tịch"
    if agency_name.startswith("Công an"):
        return "Trưởng Công an"
    return "Giám đốc"


def _certificate_ok(demo: pki.DemoPKI, name: str) -> bool:
    path = demo.officer_cert(name)
    if not path.is_file() or not demo.officer_p12(name).is_file():
        return False
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    try:
        cert.verify_directly_issued_by(demo.ca.cert)
    except (ValueError, TypeError, InvalidSignature):  # another CA (regenerated PKI)
        return False
    remaining = cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC)
    return remaining > _RENEW_BEFORE


def _demo_assignments() -> list[Any]:
    queryset = (
        RoleAssignment.objects.filter(role__in=[Role.LEADER, Role.CLERK])
        .select_related("user", "agency")
        .order_by("user__username", "pk")
    )
    rows = []
    for assignment in queryset:
        username = assignment.user.username
        if not username.startswith(DEMO_PREFIXES):
            continue
        held = current_roles(assignment.user, (assignment.role,)).filter(agency=assignment.agency)
        if held.exists():
            rows.append(assignment)
    return rows


def ensure_profiles(demo: pki.DemoPKI) -> tuple[list[Signer], int]:
    """A soft-token profile (and certificate) for each demo leader and clerk."""
    signers: list[Signer] = []
    issued = 0
    for assignment in _demo_assignments():
        user, agency = assignment.user, assignment.agency
        is_clerk = assignment.role == Role.CLERK
        sig_role = SignatureRole.SEAL if is_clerk else SignatureRole.APPROVAL
        title = _title(assignment.role, agency.name)
        display = (
            agency.name if is_clerk else NAMES[zlib.crc32(user.username.encode()) % len(NAMES)]
        )
        name = user.username
        if not _certificate_ok(demo, name):
            demo.issue_officer(
                name,
                full_name=display,
                title=title,
                agency=agency.name,
                not_after=datetime.datetime.now(datetime.UTC) + _VALIDITY,
            )
            issued += 1
        values = {
            "display_name": display,
            "title": title,
            "config": {"p12_path": f"officers/{name}.p12"},
            "active": True,
        }
        with transaction.atomic():
            profile, created = SignerProfile.objects.get_or_create(
                user=user, agency=agency, role=sig_role, backend="soft_token", defaults=values
            )
            changed = [key for key, value in values.items() if getattr(profile, key) != value]
            if changed:
                for key in changed:
                    setattr(profile, key, values[key])
                profile.save(update_fields=changed)
            if created or changed:
                record(
                    actor=None,
                    action="signing.profile.demo_create"
                    if created
                    else "signing.profile.demo_update",
                    target=profile,
                    after={"user": user.username, "agency": agency.name, "role": str(sig_role)},
                )
        signers.append(Signer(name, display, title, agency.name, str(sig_role)))
    return signers, issued


def setup() -> Summary:
    directory = Path(settings.SIGNING_DEMO_PKI_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    demo, created = ensure_pki(directory, settings.SIGNING_DEMO_PKI_URL)
    summary = Summary(pki_dir=directory, base_url=demo.base_url, pki_created=created)
    summary.signers, summary.certificates_issued = ensure_profiles(demo)
    return summary


def render_summary(summary: Summary) -> str:
    """The lines added to the demo's login list: who signs which results."""
    lines = [
        "",
        "Ký số kết quả điện tử (PKI thử nghiệm, chữ ký số lưu trong tệp PKCS#12 – CHỈ DÙNG THỬ):",
        f"  dịch vụ OCSP/CRL/TSA: {summary.base_url}   thư mục PKI: {summary.pki_dir}",
        "  mẫu kết quả điện tử:",
        *(f"    - {item}" for item in summary.templates),
        "  người ký (đăng nhập bằng tài khoản dưới đây, mở hồ sơ, mục «Kết quả điện tử» → Ký số):",
    ]
    width = max((len(s.username) for s in summary.signers), default=0)
    for signer in summary.signers:
        role = "đóng dấu (văn thư)" if signer.role == SignatureRole.SEAL else "ký duyệt"
        lines.append(
            f"    {signer.username.ljust(width)}  {role}: {signer.title} {signer.display_name}"
            f" – {signer.agency}"
            if signer.role != SignatureRole.SEAL
            else f"    {signer.username.ljust(width)}  {role}: {signer.agency}"
        )
    return "\n".join(lines) + "\n"
