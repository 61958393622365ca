"""The daily anchor of the audit chain head (see :mod:`congso.audit.anchors`)."""

from __future__ import annotations

from datetime import timedelta

from congso.audit.anchors import anchor_head
from congso.core.worker import task


@task("audit.anchor", every=timedelta(days=1))
def anchor() -> int | None:
    """Anchor the head; a TSA that does not answer fails the job, which the worker retries."""
    made = anchor_head()
    return made.seq if made is not None else None
