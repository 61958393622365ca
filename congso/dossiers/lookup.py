"""The public look-up by dossier code (TT 01/2018 art. 16.2.d), hardened against enumeration
(issue 13 item 9).

Dossier codes follow TT 01/2018 art. 19 (``<agency>-<yymmdd>-<sequence>``): anyone can guess
them. So, for an anonymous visitor:

* a code alone answers only **whether the dossier exists** (:func:`exists`);
* the stage reached, the procedure and the dates (:class:`~congso.dossiers.selectors.
  PublicStatus`, never personal data) need a **second factor** as well (:func:`status`): the
  last 4 digits of the applicant's personal ID number (or tax code), of the contact phone, or —
  for a dossier submitted for someone else — of that person's or the submitter's ID number;
* every look-up counts against a per-address window (``CONGSO_LOOKUP_LIMIT`` per
  ``CONGSO_LOOKUP_WINDOW_SECONDS``), and wrong second factors against a tighter one per address
  (``CONGSO_LOOKUP_FAILURE_LIMIT``) and one per code, all addresses together
  (``CONGSO_LOOKUP_CODE_FAILURE_LIMIT``): past it the code's status is shown only to its
  signed-in applicant until the window ends. Beyond a limit: :class:`Throttled` (HTTP 429, with
  ``retry_after``).

Counters: :mod:`congso.core.throttle`. Codes are matched case-insensitively (trimmed, upper-cased).
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from congso.catalog.models import Procedure, ProcedureVersion
from congso.core.errors import DomainError, NotFound
from congso.core.throttle import Window
from congso.dossiers.models import ApplicantDeclaration, Dossier
from congso.dossiers.selectors import PublicStatus, _aware, normalise_code
from congso.dossiers.workflow import LABELS_VI, NATIONAL_CODE, Status

DIGITS = 4
_DIGITS_RE = re.compile(r"^[0-9]{4}$")  # ASCII digits only (compare_digest needs ASCII)


class Throttled(DomainError):
    """Too many look-ups (HTTP 429); ``retry_after`` seconds until the window ends."""

    status = 429

    def __init__(self, code: str, message: str, *, retry_after: int, until: str):
        super().__init__(code, message)
        self.retry_after = retry_after
        self.until = until  # local time HH:MM at which the window ends


class VerificationFailed(DomainError):
    status = 403

    def __init__(self, message: str, *, left: int | None):
        super().__init__("lookup_verification_failed", message, field="last_digits")
        self.left = left  # wrong answers the address may still give (None: no limit)


def _window(name: str, limit: int) -> Window:
    return Window(name=name, limit=limit, seconds=int(settings.LOOKUP_WINDOW_SECONDS))


def lookups() -> Window:
    return _window("lookup", int(settings.LOOKUP_LIMIT))


def address_failures() -> Window:
    return _window("lookup-fail-addr", int(settings.LOOKUP_FAILURE_LIMIT))


def code_failures() -> Window:
    return _window("lookup-fail-code", int(settings.LOOKUP_CODE_FAILURE_LIMIT))


def _until(window: Window, now: datetime) -> str:
    return timezone.localtime(window.ends_at(now)).strftime("%H:%M")


def _count_lookup(address: str, now: datetime) -> None:
    window = lookups()
    if window.limit and window.hit(address, now) > window.limit:
        raise Throttled(
            "too_many_lookups",
            f"Bạn đã tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau "
            f"{_until(window, now)}.",
            retry_after=window.retry_after(now),
            until=_until(window, now),
        )


def _sql(columns: str, joins: str = "") -> str:
    quote = connection.ops.quote_name

    dossiers = quote(Dossier._meta.db_table)
    versions = quote(ProcedureVersion._meta.db_table)
    procedures = quote(Procedure._meta.db_table)
    declarations = quote(ApplicantDeclaration._meta.db_table)
    joined = joins.format(versions=versions, procedures=procedures, declarations=declarations)
    # Table names from the models; the code is bound. The code is unique (its index answers).
    return f"SELECT {columns} FROM {dossiers} d {joined} WHERE d.code = %s"  # noqa: S608


def _exists_sql() -> str:
    return _sql("d.code")


def _status_sql() -> str:
    return _sql(
        "d.code, d.status, d.received_at, d.appointment_at, p.code, p.name, "
        "d.applicant_id_number, d.applicant_phone, a.principal_id_number, a.submitter_id_number",
        "JOIN {versions} v ON v.id = d.procedure_version_id "
        "JOIN {procedures} p ON p.id = v.procedure_id "
        "LEFT JOIN {declarations} a ON a.dossier_id = d.id",
    )


def _fetch(sql: str, code: str) -> tuple[object, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, [normalise_code(code)])
        row: tuple[object, ...] | None = cursor.fetchone()
    return row


def _not_found() -> NotFound:
    return NotFound("dossier_not_found", "Không tìm thấy hồ sơ có mã số này.", field="code")


def exists(code: str, *, address: str) -> str:
    """The dossier's code if a dossier has ``code`` (``dossier_not_found`` otherwise); counts
    one look-up for ``address``."""
    _count_lookup(address, timezone.now())
    row = _fetch(_exists_sql(), code)
    if row is None:
        raise _not_found()
    return str(row[0])


def _last_digits(value: object) -> str:
    digits = "".join(ch for ch in str(value or "") if ch.isascii() and ch.isdigit())
    return digits[-DIGITS:] if len(digits) >= DIGITS else ""


def check_digits(digits: str) -> str:
    value = (digits or "").strip()
    if not _DIGITS_RE.match(value):
        raise DomainError(
            "digits_invalid",
            "Nhập đúng 4 chữ số cuối của số định danh cá nhân (hoặc mã số thuế) hay số điện "
            "thoại của người nộp hồ sơ.",
            field="last_digits",
        )
    return value


def status(code: str, digits: str, *, address: str) -> PublicStatus:
    """The public status of the dossier with ``code`` once ``digits`` matches one of its second
    factors; counts the look-up, and a wrong answer, for ``address`` and for the code."""
    now = timezone.now()
    value = check_digits(digits)
    _count_lookup(address, now)
    normal = normalise_code(code)
    per_address, per_code = address_failures(), code_failures()
    if per_address.exceeded(address, now):
        raise Throttled(
            "too_many_failures",
            f"Đã nhập sai 4 chữ số xác minh quá nhiều lần. Vui lòng thử lại sau "
            f"{_until(per_address, now)}.",
            retry_after=per_address.retry_after(now),
            until=_until(per_address, now),
        )
    if per_code.exceeded(normal, now):
        raise Throttled(
            "code_locked",
            f"Hồ sơ này đã bị nhập sai 4 chữ số xác minh quá nhiều lần. Vui lòng thử lại sau "
            f"{_until(per_code, now)}, hoặc đăng nhập bằng tài khoản đã nộp hồ sơ để xem.",
            retry_after=per_code.retry_after(now),
            until=_until(per_code, now),
        )
    row = _fetch(_status_sql(), normal)
    if row is None:
        raise _not_found()
    found_code, raw_status, received_at, appointment_at, procedure_code, procedure_name = row[:6]
    factors = {_last_digits(item) for item in row[6:]} - {""}
    # Every factor is compared (no early exit), in constant time.
    matched = False
    for factor in sorted(factors):
        matched |= hmac.compare_digest(factor, value)
    if not matched:
        per_address.hit(address, now)
        per_code.hit(normal, now)
        message = (
            "4 chữ số vừa nhập không khớp với số định danh cá nhân (mã số thuế) hay số điện "
            "thoại của người nộp hồ sơ."
        )
        left = None
        if per_address.limit:
            left = max(0, per_address.limit - per_address.count(address, now))
            message += f" Còn {left} lần thử."
        raise VerificationFailed(message, left=left)
    state = Status(str(raw_status))
    return PublicStatus(
        code=str(found_code),
        procedure_code=str(procedure_code),
        procedure_name=str(procedure_name),
        status=state.value,
        status_label=LABELS_VI[state],
        national_status=NATIONAL_CODE[state],
        received_at=_aware(received_at),  # type: ignore[arg-type]
        appointment_at=_aware(appointment_at),  # type: ignore[arg-type]
    )
