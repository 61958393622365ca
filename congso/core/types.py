"""Types shared by every layer (issue 14 §6)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    #: Who calls a service: a user (signed in; or the anonymous visitor a page passes on, whom
    #: the services that need a user refuse with ``login_required``), or None for the system
    #: (a payment gateway's callback, an import; see ``dossiers.services.SYSTEM_ACTIONS``).
    #: Typed by Django's abstract user so that the lower layers name no app above them; the
    #: project's user (``accounts.User``) is one.
    Actor: TypeAlias = AbstractUser | AnonymousUser | None
else:
    Actor = Any  # the auth models cannot be imported before the apps are ready
