"""The one write path of national sign-in: linking a national account to a citizen and a user,
the merge of an existing local account (with its password: the citizen's consent), the used
nonces, and the level of assurance a procedure requires (docs/identity.md).

Every change is atomic and audited; a refusal changes nothing. Claims never overwrite what the
citizen or an officer entered: they fill what is empty.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import time
from dataclasses import dataclass, replace
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop

from congso.accounts import services as accounts
from congso.audit.services import record
from congso.catalog.models import Procedure
from congso.core.errors import DomainError, Message
from congso.identity.models import AssuranceRule, NationalAccount, NationalSession, UsedNonce
from congso.identity.oidc import NationalIdentity, SignInFailed
from congso.org import representation
from congso.org import services as org
from congso.org.identity import InvalidIdentifier, validate_personal_id, validate_tax_code
from congso.org.models import (
    Citizen,
    Organisation,
    Representative,
    RepresentativeRole,
    RepresentativeSource,
)

log = logging.getLogger("congso.identity")


def _error(code: str, message: str, **params: Any) -> SignInFailed:
    return SignInFailed(code, Message(message, **params))


def check_claims(identity: NationalIdentity) -> NationalIdentity:
    """The personal ID is of valid structure and agrees with the birth date and gender; the
    identity returned has the gender the ID encodes when the provider gave none (VNeID)."""
    if not identity.subject or not identity.full_name:
        raise _error(
            "claims_invalid",
            gettext_noop(
                "Hệ thống định danh không trả đủ thông tin (họ tên, mã tài khoản), nên chưa đăng "
                "nhập được."
            ),
        )
    try:
        info = validate_personal_id(
            identity.personal_id,
            birth_date=identity.birth_date,
            gender=identity.gender or None,
        )
    except InvalidIdentifier as exc:
        log.warning("identity %s: personal id claim rejected (%s)", identity.provider, exc.code)
        raise _error(
            "claims_invalid",
            gettext_noop(
                "Số định danh cá nhân nhận từ hệ thống định danh không hợp lệ hoặc không khớp "
                "ngày sinh, giới tính, nên chưa đăng nhập được. Bạn vui lòng liên hệ bộ phận một "
                "cửa."
            ),
        ) from None
    return identity if identity.gender else replace(identity, gender=str(info.gender))


def _spend_nonce(identity: NationalIdentity) -> None:
    """A nonce is accepted once: a replayed ID token (or callback) is refused. Nonces whose
    tokens have expired anyway are forgotten on the way."""
    purge_nonces()
    expires = datetime.datetime.fromtimestamp(
        max(identity.expires_at, time.time()) + 3600, tz=datetime.UTC
    )
    try:
        with transaction.atomic():
            UsedNonce.objects.create(
                provider=identity.provider, digest=identity.nonce_digest, expires_at=expires
            )
    except IntegrityError:
        log.warning("identity %s: nonce replayed", identity.provider)
        raise _error(
            "nonce_replayed",
            gettext_noop(
                "Thông tin đăng nhập này đã được dùng một lần. Bạn vui lòng bấm đăng nhập lại."
            ),
        ) from None


def purge_nonces(*, now: datetime.datetime | None = None) -> int:
    deleted, _ = UsedNonce.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


@dataclass(frozen=True)
class SignIn:
    """The outcome: a user to log in, or a local account whose owner must consent first."""

    user: Any = None
    merge_with: Any = None  # an existing local account with the same personal ID
    created: bool = False


def _fill_blanks(citizen: Citizen, identity: NationalIdentity) -> list[str]:
    """Fill the citizen's empty fields from the claims; return the fields filled."""
    filled = []
    values = {
        "birth_date": identity.birth_date,
        "gender": identity.gender,
        "phone": identity.phone,
        "email": identity.email,
        "address": identity.current_address or identity.permanent_address,
    }
    for name, value in values.items():
        if value and not getattr(citizen, name):
            setattr(citizen, name, value)
            filled.append(name)
    if filled:
        citizen.save(update_fields=[*filled, "updated_at"])
    return filled


def _link(user: Any, identity: NationalIdentity, *, actor: Any, how: str) -> NationalAccount:
    account = NationalAccount.objects.create(
        user=user,
        provider=identity.provider,
        subject=identity.subject,
        personal_id=identity.personal_id,
        level=identity.level,
        last_login_at=timezone.now(),
    )
    record(
        actor=actor,
        action="identity.account.link",
        target=account,
        after={"provider": identity.provider, "level": identity.level, "how": how},
    )
    return account


def _new_user(identity: NationalIdentity) -> Any:
    users = get_user_model()
    username = identity.personal_id
    if users.objects.filter(username=username).exists():
        username = f"{identity.provider}-{identity.subject}"[:150]
    user = users.objects.create_user(
        username=username, full_name=identity.full_name[:200], phone=identity.phone
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


ORGANISATION_EVIDENCE = "Tài khoản định danh điện tử: người đại diện doanh nghiệp"


def link_organisation(user: Any, identity: NationalIdentity) -> Representative | None:
    """The enterprise the national account says this person represents (``MaSoDoanhNghiep``):
    registered here if new (with ``TenDoanhNghiep``), and the person's citizen linked to it as
    its legal representative from the national identity system (``org.representation``;
    audited as ``org.representative.add`` and ``identity.organisation.link``). A malformed tax
    code is ignored (logged with its error code only); an existing link is kept as it is."""
    if not identity.organisation_tax_code:
        return None
    citizen = Citizen.objects.filter(user=user).first()
    if citizen is None:
        return None
    try:
        code = validate_tax_code(identity.organisation_tax_code)
    except InvalidIdentifier as exc:
        log.warning("identity %s: organisation tax code refused (%s)", identity.provider, exc.code)
        return None
    organisation = Organisation.objects.filter(tax_code=code).first()
    if organisation is None:
        organisation = org.organisation_create(
            actor=user, name=identity.organisation_name or code, tax_code=code
        )
    current = representation.representation_for(user, organisation)
    if current is not None:
        return current
    representative = representation.representative_add(
        actor=None,
        organisation=organisation,
        citizen=citizen,
        role=RepresentativeRole.LEGAL,
        source=RepresentativeSource.NATIONAL_IDENTITY,
        evidence=ORGANISATION_EVIDENCE,
    )
    record(
        actor=user,
        action="identity.organisation.link",
        target=representative,
        after={"provider": identity.provider, "tax_code": code},
    )
    return representative


@transaction.atomic
def sign_in(identity: NationalIdentity) -> SignIn:
    """Link or create on the personal ID. A known national account signs in; a citizen with
    no account gets one; a citizen whose account has a password must consent (the merge page);
    a new person gets a citizen profile and an account."""
    identity = check_claims(identity)
    _spend_nonce(identity)
    account = (
        NationalAccount.objects.select_related("user")
        .filter(provider=identity.provider, subject=identity.subject)
        .first()
    )
    if account is not None:
        if account.personal_id != identity.personal_id:
            log.warning("identity %s: subject now names another personal id", identity.provider)
            raise _error(
                "claims_invalid",
                gettext_noop(
                    "Tài khoản định danh này đã liên kết với một số định danh khác. Bạn vui lòng "
                    "liên hệ bộ phận một cửa."
                ),
            )
        account.level = identity.level
        account.last_login_at = timezone.now()
        account.save(update_fields=["level", "last_login_at"])
        citizen = Citizen.objects.filter(user=account.user).first()
        if citizen is not None:
            _fill_blanks(citizen, identity)
        link_organisation(account.user, identity)
        return SignIn(user=account.user)
    citizen = (
        Citizen.objects.select_related("user").filter(personal_id=identity.personal_id).first()
    )
    same_id_user = get_user_model().objects.filter(username=identity.personal_id).first()
    owner = citizen.user if citizen is not None and citizen.user else same_id_user
    if owner is not None:
        if owner.has_usable_password():
            # Nothing is linked before the owner proves the local account is theirs.
            return SignIn(merge_with=owner)
        _link(owner, identity, actor=owner, how="existing_account")
        if citizen is not None:
            _fill_blanks(citizen, identity)
        link_organisation(owner, identity)
        return SignIn(user=owner)
    user = _new_user(identity)
    if citizen is None:
        citizen = org.citizen_create(
            actor=user,
            user=user,
            full_name=identity.full_name,
            personal_id=identity.personal_id,
            birth_date=identity.birth_date,
            gender=identity.gender or None,
            phone=identity.phone,
            email=identity.email,
            address=identity.current_address or identity.permanent_address,
        )
        how = "created"
    else:
        # A citizen registered at a desk, without an account: it is theirs.
        citizen.user = user
        citizen.save(update_fields=["user", "updated_at"])
        _fill_blanks(citizen, identity)
        how = "citizen_linked"
    _link(user, identity, actor=user, how=how)
    link_organisation(user, identity)
    return SignIn(user=user, created=True)


def merge_confirm(
    *, identity: NationalIdentity, user_id: int, password: str, request: HttpRequest, ip: str
) -> Any:
    """The owner of the local account consents with its password (throttled as a sign-in);
    then the national account is linked to it."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise _error("merge_refused", gettext_noop("Tài khoản cần liên kết không còn tồn tại."))
    try:
        authenticated = accounts.login_attempt(
            username=user.get_username(), password=password, ip=ip, request=request
        )
    except accounts.LoginRefused as exc:
        raise SignInFailed("merge_refused", exc.message, status=exc.status) from None
    with transaction.atomic():
        if NationalAccount.objects.filter(
            Q(provider=identity.provider)
            & (Q(subject=identity.subject) | Q(personal_id=identity.personal_id))
        ).exists():
            raise _error("merge_refused", gettext_noop("Tài khoản định danh này đã được liên kết."))
        _link(authenticated, identity, actor=authenticated, how="merged_with_consent")
        citizen = Citizen.objects.filter(user=authenticated).first()
        if citizen is None:
            citizen = Citizen.objects.filter(
                personal_id=identity.personal_id, user__isnull=True
            ).first()
            if citizen is not None:
                citizen.user = authenticated
                citizen.save(update_fields=["user", "updated_at"])
        if citizen is not None:
            _fill_blanks(citizen, identity)
        link_organisation(authenticated, identity)
    return authenticated


# --- Level of assurance ---------------------------------------------------------------------------


def required_level(procedure: Procedure, *, on: datetime.date | None = None) -> int:
    """The level a procedure requires on ``on`` (today): its rule in force, else 1."""
    day = on or timezone.localdate()
    rule = (
        AssuranceRule.objects.filter(procedure=procedure, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
    return rule.level if rule is not None else 1


@transaction.atomic
def assurance_rule_set(
    *,
    actor: Any,
    procedure: Procedure,
    level: int,
    valid_from: datetime.date,
    legal_basis: str = "",
) -> AssuranceRule:
    """A new rule from ``valid_from``; the rule in force before it ends the day before."""
    if level not in (1, 2):
        raise DomainError(
            "level_too_low",
            Message(gettext_noop("Mức xác thực phải là 1 hoặc 2.")),
            field="level",
        )
    AssuranceRule.objects.filter(
        procedure=procedure, valid_from__lt=valid_from, valid_to__isnull=True
    ).update(valid_to=valid_from - datetime.timedelta(days=1))
    rule = AssuranceRule.objects.create(
        procedure=procedure, level=level, valid_from=valid_from, legal_basis=legal_basis[:200]
    )
    record(
        actor=actor,
        action="identity.assurance.set",
        target=rule,
        after={"procedure": procedure.code, "level": level, "valid_from": str(valid_from)},
    )
    return rule


def check_step_up(user: Any, identity: NationalIdentity, *, wanted: int) -> None:
    """A step-up must be the same person, at the level asked."""
    account = NationalAccount.objects.filter(
        provider=identity.provider, subject=identity.subject
    ).first()
    own = Citizen.objects.filter(user_id=user.pk, personal_id=identity.personal_id).exists()
    if (account is None and not own) or (account is not None and account.user_id != user.pk):
        raise _error(
            "step_up_other_person",
            gettext_noop(
                "Tài khoản định danh vừa đăng nhập không phải của người đang dùng cổng. Bạn vui "
                "lòng đăng nhập đúng tài khoản của mình."
            ),
        )
    if identity.level < wanted:
        raise level_too_low(wanted, identity.level)


def level_too_low(wanted: int, got: int) -> SignInFailed:
    return _error(
        "level_too_low",
        gettext_noop(
            "Thủ tục này yêu cầu tài khoản định danh điện tử mức %(wanted)s; bạn đang đăng nhập ở "
            "mức %(got)s. Bạn vui lòng đăng nhập bằng ứng dụng VNeID (mức %(wanted)s)."
        ),
        wanted=wanted,
        got=got,
    )


@transaction.atomic
def step_up(*, user: Any, identity: NationalIdentity, wanted: int) -> NationalAccount:
    """A signed-in citizen signed in again at a higher level: same person, level reached."""
    identity = check_claims(identity)
    _spend_nonce(identity)
    check_step_up(user, identity, wanted=wanted)
    account = NationalAccount.objects.filter(
        provider=identity.provider, subject=identity.subject
    ).first()
    if account is None:
        # Signed in with the password, now with the national account of the same person.
        return _link(user, identity, actor=user, how="step_up")
    account.level = identity.level
    account.last_login_at = timezone.now()
    account.save(update_fields=["level", "last_login_at"])
    record(
        actor=user,
        action="identity.account.step_up",
        target=account,
        after={"provider": identity.provider, "level": identity.level},
    )
    return account


# --- Sessions and back-channel logout -------------------------------------------------------------


def session_opened(identity: NationalIdentity, session_key: str | None) -> None:
    """Remember which browser session a national sign-in opened (for the back-channel logout)."""
    if not session_key:
        return
    NationalSession.objects.create(
        provider=identity.provider,
        subject=identity.subject,
        sid=identity.sid,
        session_key=session_key,
    )


def _spend_jti(provider: str, jti: str, expires: float) -> None:
    digest = hashlib.sha256(f"logout:{jti}".encode()).hexdigest()
    until = datetime.datetime.fromtimestamp(max(expires, time.time()) + 3600, tz=datetime.UTC)
    try:
        with transaction.atomic():
            UsedNonce.objects.create(provider=provider, digest=digest, expires_at=until)
    except IntegrityError:
        log.warning("identity %s: logout token replayed", provider)
        raise _error("token_invalid", gettext_noop("Yêu cầu đăng xuất này đã được dùng.")) from None


@transaction.atomic
def backchannel_logout(provider: str, claims: dict[str, Any]) -> int:
    """End the sessions a verified logout token names (``sid``: that provider session; else
    every session of ``sub``); the token's ``jti`` is accepted once. Audited with the count."""
    _spend_jti(provider, str(claims["jti"]), float(claims.get("exp") or time.time()))
    rows = NationalSession.objects.filter(provider=provider)
    if claims.get("sid"):
        rows = rows.filter(sid=str(claims["sid"]))
    if claims.get("sub"):
        rows = rows.filter(subject=str(claims["sub"]))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    rows.delete()
    account = NationalAccount.objects.filter(
        provider=provider, subject=str(claims.get("sub") or "")
    ).first()
    record(
        actor=None,
        action="identity.session.backchannel_logout",
        target=account,
        after={"provider": provider, "sessions": len(keys)},
    )
    return len(keys)
