"""The portal's "who is this dossier for?" choice (issue 13 item 4), on the first page of the
online form: for oneself, for an organisation the account represents, or for another person
with the declared relationship. The rules are :mod:`congso.dossiers.applicant`'s; this module
only offers the choices, reads them from a POST and keeps the draft's identity fields in step
with the choice (own identity filled in and locked; cleared when acting for someone else)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext

from congso.dossiers import applicant
from congso.dossiers.applicant import Kind
from congso.dossiers.models import Relationship
from congso.org.models import Citizen, Organisation
from congso.org.representation import represented_organisations


@dataclass
class Choice:
    kind: Kind
    organisation: Organisation | None = None
    relationship: str = ""
    note: str = ""

    @property
    def on_behalf(self) -> dict[str, str]:
        if self.kind != Kind.ON_BEHALF:
            return {}
        return {"relationship": self.relationship, "note": self.note}


@dataclass
class Offer:
    """What the first page offers: the kinds allowed for this procedure and account."""

    kinds: list[Kind]
    organisations: list[Organisation] = field(default_factory=list)
    relationships: list[tuple[str, str]] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return not self.kinds


def offer(user: Any, procedure: Any) -> Offer:
    types = set(getattr(procedure, "applicant_types", None) or ()) or {"citizen", "organisation"}
    kinds: list[Kind] = []
    if "citizen" in types:
        kinds += [Kind.SELF, Kind.ON_BEHALF]
    organisations: list[Organisation] = []
    if "organisation" in types:
        organisations = list(represented_organisations(user))
        if organisations:
            kinds.insert(1 if kinds else 0, Kind.ORGANISATION)
    return Offer(kinds=kinds, organisations=organisations, relationships=list(Relationship.choices))


def initial(available: Offer) -> Choice:
    """The choice of a new draft: the first kind offered (oneself, or the only organisation)."""
    if not available.kinds:
        return Choice(kind=Kind.SELF)
    kind = available.kinds[0]
    only = available.organisations[0] if len(available.organisations) == 1 else None
    return Choice(kind=kind, organisation=only if kind == Kind.ORGANISATION else None)


def current(draft: Any) -> Choice:
    on_behalf = draft.on_behalf or {}
    try:
        kind = Kind(draft.applicant_kind)
    except ValueError:
        kind = Kind.SELF
    return Choice(
        kind=kind,
        organisation=draft.organisation if kind == Kind.ORGANISATION else None,
        relationship=str(on_behalf.get("relationship") or ""),
        note=str(on_behalf.get("note") or ""),
    )


def read(post: QueryDict, available: Offer, previous: Choice) -> tuple[Choice, dict[str, str]]:
    """The choice posted on the first page and its errors (``{html field: message}``)."""
    if "applicant_kind" not in post:
        return previous, {}
    errors: dict[str, str] = {}
    try:
        kind = Kind(post.get("applicant_kind", ""))
    except ValueError:
        kind = previous.kind
    if kind not in available.kinds:
        errors["applicant_kind"] = gettext("Cần chọn bạn nộp hồ sơ này cho ai.")
        return previous, errors
    choice = Choice(kind=kind)
    if kind == Kind.ORGANISATION:
        wanted = post.get("organisation", "")
        choice.organisation = next(
            (o for o in available.organisations if str(o.pk) == wanted), None
        )
        if choice.organisation is None:
            errors["organisation"] = gettext("Cần chọn tổ chức mà bạn là người đại diện.")
    elif kind == Kind.ON_BEHALF:
        choice.relationship = post.get("relationship", "").strip()
        choice.note = " ".join(post.get("on_behalf_note", "").split())[: applicant.MAX_NOTE]
        if choice.relationship not in Relationship.values:
            errors["relationship"] = gettext("Cần chọn quan hệ của bạn với người được nộp thay.")
        elif choice.relationship in applicant.NOTE_REQUIRED and not choice.note:
            errors["on_behalf_note"] = gettext(
                "Cần giải thích căn cứ bạn đại diện cho người được nộp thay."
            )
    return choice, errors


def switch_values(
    values: Mapping[str, Any],
    schema: Mapping[str, Any],
    citizen: Citizen,
    kind: Kind,
    current_kind: Kind | None = None,
) -> dict[str, Any]:
    """The draft's values after switching to ``kind``: the identity fields hold the account's
    own identity (for oneself or an organisation), or are emptied (for someone else)."""
    data = dict(values)
    if kind == Kind.ON_BEHALF and current_kind == Kind.ON_BEHALF:
        return data
    for spec in applicant.identity_fields(schema):
        own = applicant.own_value(citizen, str(spec["prefill"]))
        if kind == Kind.ON_BEHALF:
            if own is not None and data.get(spec["name"]) == own:
                data[spec["name"]] = None
        elif own is not None:
            data[spec["name"]] = own
    return data


def locked_names(schema: Mapping[str, Any], citizen: Citizen | None, kind: Kind) -> set[str]:
    """The identity fields shown read-only: the account's own identity, when it is tied."""
    if citizen is None or kind == Kind.ON_BEHALF:
        return set()
    return {
        spec["name"]
        for spec in applicant.identity_fields(schema)
        if applicant.own_value(citizen, str(spec["prefill"])) is not None
    }


def step_errors(
    choice: Choice, citizen: Citizen | None, specs: Sequence[Mapping[str, Any]], values: Any
) -> dict[str, str]:
    """The identity rules on one page (same messages as the submission)."""
    if citizen is None:
        return {}
    return applicant.identity_errors(choice.kind, citizen, specs, values)


def summary(choice: Choice) -> str:
    """One line for the review page."""
    if choice.kind == Kind.ORGANISATION and choice.organisation is not None:
        return gettext(
            "Nộp cho tổ chức %(name)s (mã số thuế %(tax)s), với tư cách người đại diện"
        ) % {
            "name": choice.organisation.name,
            "tax": choice.organisation.tax_code,
        }
    if choice.kind == Kind.ON_BEHALF:
        label = dict(Relationship.choices).get(choice.relationship, choice.relationship)
        text = gettext("Nộp thay người khác — quan hệ: %(label)s") % {"label": gettext(label)}
        return f"{text}. {choice.note}" if choice.note else text
    return gettext("Nộp cho bản thân")


@dataclass
class Posted:
    """The first page's choice as posted: the choice, its errors, whether it was taken (no
    error) and whether it changed the kind (the page is shown again, identity fields redone)."""

    choice: Choice
    errors: dict[str, str]
    chosen: bool
    switched: bool
    values: dict[str, Any]


def on_post(
    post: QueryDict,
    available: Offer | None,
    draft: Any,
    values: dict[str, Any],
    schema: Mapping[str, Any],
    citizen: Citizen | None,
) -> Posted:
    before = current(draft)
    if available is None or post.get("autosave"):
        return Posted(before, {}, False, False, values)
    choice, errors = read(post, available, before)
    chosen = not errors
    # «Áp dụng lựa chọn» (no browser validation) shows the page again like a change of kind.
    switched = chosen and (choice.kind != before.kind or bool(post.get("apply_choice")))
    if switched and citizen is not None:
        values = switch_values(values, schema, citizen, choice.kind, before.kind)
    return Posted(choice, errors, chosen, switched, values)


def check_page(
    choice: Choice,
    citizen: Citizen | None,
    specs: Sequence[Mapping[str, Any]],
    values: dict[str, Any],
    schema: Mapping[str, Any],
) -> tuple[dict[str, str], dict[str, Any]]:
    """The identity errors of one page, and the values to show again: a locked field posted
    with another value comes back with the account's own."""
    errors = step_errors(choice, citizen, specs, values)
    if citizen is not None and choice.kind != Kind.ON_BEHALF:
        values = switch_values(values, schema, citizen, choice.kind)
    return errors, values


def saved_values(
    specs: Sequence[Mapping[str, Any]],
    values: Mapping[str, Any],
    schema: Mapping[str, Any],
    *,
    switched: bool,
) -> dict[str, Any]:
    """What a page saves into the draft: its fields, and after a switch the identity fields of
    every page (they follow the new choice)."""
    saved = {spec["name"]: values.get(spec["name"]) for spec in specs}
    if switched:
        saved |= {
            spec["name"]: values.get(spec["name"]) for spec in applicant.identity_fields(schema)
        }
    return saved


CHOICE_ERRORS = ("applicant_kind", "organisation", "relationship", "on_behalf_note")


def error_targets(errors: Mapping[str, str]) -> list[tuple[str, str]]:
    """The error summary's links for the choice's errors (ids of applicant_choice.html)."""
    return [(f"#{key.replace('_', '-')}", errors[key]) for key in CHOICE_ERRORS if key in errors]
