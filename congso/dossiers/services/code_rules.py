"""Dossier-code rules: the format of the codes :mod:`congso.dossiers.codes` issues."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from congso.audit.services import record
from congso.core.errors import DomainError
from congso.core.types import Actor
from congso.dossiers import codes
from congso.dossiers.models import CodeRule

# --- Code rules -----------------------------------------------------------------------------------


def code_rule_check(*, effective_from: date, pattern: str) -> None:
    """A new code rule must have a valid pattern and start after today (codes issued today and
    before keep their rule; two rules never share a day)."""
    codes.validate_pattern(pattern)
    if effective_from <= timezone.localdate():
        raise DomainError(
            "code_rule_in_past",
            "Quy định mã số hồ sơ mới chỉ áp dụng từ ngày mai trở đi.",
            field="effective_from",
        )
    if CodeRule.objects.filter(effective_from=effective_from).exists():
        raise DomainError(
            "code_rule_exists",
            f"Đã có quy định mã số hồ sơ áp dụng từ ngày {effective_from:%d/%m/%Y}.",
            field="effective_from",
        )


def code_rule_create(
    *, actor: Actor, effective_from: date, pattern: str, legal_basis: str = ""
) -> CodeRule:
    """Add the dossier-code format in force from ``effective_from`` (audited)."""
    text = (pattern or "").strip()
    with transaction.atomic():
        code_rule_check(effective_from=effective_from, pattern=text)
        rule = CodeRule.objects.create(
            effective_from=effective_from, pattern=text, legal_basis=(legal_basis or "")[:200]
        )
        record(
            actor=actor,
            action="dossiers.code_rule.create",
            target=rule,
            after={"effective_from": effective_from, "pattern": text, "legal_basis": legal_basis},
        )
    return rule
