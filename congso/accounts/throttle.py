"""Progressive delays after failed attempts, counted per key (an address, an account as seen
from unknown browsers, one known browser of an account, a second-factor code, a reset request).

A key may fail :attr:`Rule.free` times; after that every further attempt waits: ``delay``
seconds after the first failure over the limit, then twice as long after each further one, up
to ``cap``. There is no hard lock: the wait after N failures is bounded and announced ("try
again at 10:16:30"). The count starts again after a success (where the caller says so) or when
``window`` seconds have passed since the key's first failure.

Two ways of counting:

* :func:`take` — *before* checking a secret, reserve the attempt with one conditional
  ``UPDATE … SET failures = failures + 1, blocked_until = <next wait> WHERE key = … AND (not
  blocked)``; the attempt stays counted unless the caller calls :func:`clear` after a success.
  No read-then-write: parallel requests cannot lose a count or slip in extra guesses (at most
  ``free`` secrets are checked at once, then one per wait). Used for accounts and codes.
* :func:`blocked` then :func:`fail` — count only real failures (addresses: a success must not
  count against the address it came from, and there is no success that may clear it). Parallel
  bursts from one address can get a few more checks than ``free`` (at most the number of
  server threads); the account keys still bound every guess.

Rows are written only here; rows whose window has passed are deleted as failures happen.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Case, F, Q, Value, When

from congso.accounts.models import Throttle


@dataclass(frozen=True)
class Rule:
    free: int
    delay: int
    cap: int
    window: int

    def wait_after(self, failures: int) -> int:
        """Seconds to wait after ``failures`` failures (0 while they are free)."""
        if failures < max(self.free, 1):
            return 0
        return min(self.delay * 2 ** (failures - max(self.free, 1)), self.cap)

    @property
    def steps(self) -> int:
        """How many failures over the limit before the wait reaches the cap."""
        if self.delay <= 0 or self.cap <= self.delay:
            return 1
        return math.ceil(math.log2(self.cap / self.delay)) + 1


def _next_block(rule: Rule, now: dt.datetime) -> Case:
    """``blocked_until`` after one more failure, from the count *before* it (SQL ``CASE``:
    every right-hand side of an ``UPDATE`` reads the row as it was)."""
    free = max(rule.free, 1)
    whens = [When(failures__lt=free - 1, then=F("blocked_until"))]
    for n in range(free - 1, free - 1 + rule.steps):
        whens.append(
            When(failures=n, then=Value(now + dt.timedelta(seconds=rule.wait_after(n + 1))))
        )
    return Case(*whens, default=Value(now + dt.timedelta(seconds=rule.cap)))


def _prepare(key: str, kind: str, rule: Rule, now: dt.datetime, *, user_id: int | None) -> None:
    Throttle.objects.bulk_create(
        [Throttle(key=key, kind=kind, user_id=user_id, window_started=now)], ignore_conflicts=True
    )
    if user_id is not None:
        # The key may have been made by a case variant of the name that matched no account.
        Throttle.objects.filter(key=key, user__isnull=True).update(user_id=user_id)
    window_start = now - dt.timedelta(seconds=rule.window)
    Throttle.objects.filter(key=key, window_started__lte=window_start).update(
        failures=0, window_started=now, blocked_until=None, announced=False
    )
    # Forget the keys of this kind whose window ended long ago (and that are not blocked).
    stale = now - dt.timedelta(seconds=max(rule.window, rule.cap, 3600))
    Throttle.objects.filter(_not_blocked(now), kind=kind, window_started__lte=stale).exclude(
        key=key
    ).delete()


def _not_blocked(now: dt.datetime) -> Q:
    return Q(blocked_until__isnull=True) | Q(blocked_until__lte=now)


def _retry_at(key: str, now: dt.datetime) -> dt.datetime | None:
    until = Throttle.objects.filter(key=key).values_list("blocked_until", flat=True).first()
    return until if until is not None and until > now else None


def take(
    key: str, kind: str, rule: Rule, *, now: dt.datetime, user_id: int | None = None
) -> dt.datetime | None:
    """Reserve one attempt for ``key``: None when it may go ahead (it counts as a failure until
    :func:`clear`), else the time from which it may be tried again."""
    _prepare(key, kind, rule, now, user_id=user_id)
    for _ in range(2):
        taken = Throttle.objects.filter(_not_blocked(now), key=key).update(
            failures=F("failures") + 1, blocked_until=_next_block(rule, now), last_failure_at=now
        )
        if taken == 1:
            return None
        until = _retry_at(key, now)
        if until is not None:
            return until
        # The block ended (or a success cleared it) between the two statements: once more.
    return now + dt.timedelta(seconds=max(rule.wait_after(rule.free), 1))


def blocked(key: str, rule: Rule, *, now: dt.datetime) -> dt.datetime | None:
    """When ``key`` may be tried again, or None when it may be tried now."""
    window_start = now - dt.timedelta(seconds=rule.window)
    return (
        Throttle.objects.filter(key=key, blocked_until__gt=now, window_started__gt=window_start)
        .values_list("blocked_until", flat=True)
        .first()
    )


def fail(key: str, kind: str, rule: Rule, *, now: dt.datetime, user_id: int | None = None) -> None:
    """Count one failure for ``key`` (used with :func:`blocked`)."""
    _prepare(key, kind, rule, now, user_id=user_id)
    Throttle.objects.filter(key=key).update(
        failures=F("failures") + 1,
        blocked_until=_next_block(rule, now),
        last_failure_at=now,
    )


def announce(key: str, rule: Rule) -> bool:
    """True for exactly one caller once ``key`` has used its free failures (one conditional
    ``UPDATE``): the moment to audit that the delays began."""
    return (
        Throttle.objects.filter(key=key, failures__gte=max(rule.free, 1), announced=False).update(
            announced=True
        )
        == 1
    )


def clear(key: str) -> None:
    """A success: the key's count starts again."""
    Throttle.objects.filter(key=key).delete()


def failures(key: str) -> int:
    return Throttle.objects.filter(key=key).values_list("failures", flat=True).first() or 0
