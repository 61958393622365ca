"""``manage.py feedback_import_mail PATH… [--category CODE] [--unit CODE]``: file the e-mails of
a maildir (the feedback mailbox delivered by the mail server), of a directory of ``.eml`` files
or of single ``.eml`` files as reports on the ``email`` channel (``congso/feedback/mail.py``).

In a maildir, a handled message (imported, already imported, skipped or refused) is marked read
(flag ``S``; a refused one also flagged ``F`` for an officer to look at) and not read again; a
message refused for a passing reason (rate limit) stays unread for the next run. Prints one
line per message and a JSON summary; run it from cron or the worker's beat every few minutes."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from congso.feedback import mail


class Command(BaseCommand):
    help = "Import feedback e-mails from a maildir or .eml files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="A maildir, a directory of .eml, a .eml.")
        parser.add_argument("--category", default="", help="Category when the text names none.")
        parser.add_argument(
            "--unit", default="", help="Commune/ward code when the text names none."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes: list[mail.Outcome] = []
        defaults = {"default_category": options["category"], "default_unit": options["unit"]}
        for raw_path in options["paths"]:
            path = Path(raw_path)
            if path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new", "tmp")):
                outcomes += self._maildir(path, defaults)
            elif path.is_dir():
                for item in sorted(path.glob("*.eml")):
                    outcomes.append(self._one(item.name, item.read_bytes(), defaults))
            elif path.is_file():
                outcomes.append(self._one(path.name, path.read_bytes(), defaults))
            else:
                raise CommandError(f"No maildir or .eml file at {path}.")
        self.stdout.write(json.dumps(mail.summary(outcomes), sort_keys=True))

    def _one(self, label: str, raw: bytes, defaults: dict[str, str]) -> mail.Outcome:
        outcome = mail.import_message(raw, **defaults)
        extra = f" {outcome.code}" if outcome.code else ""
        self.stdout.write(f"{label}: {outcome.status}{extra} {outcome.detail}".rstrip())
        return outcome

    def _maildir(self, path: Path, defaults: dict[str, str]) -> list[mail.Outcome]:
        box = mailbox.Maildir(str(path), factory=None, create=False)
        outcomes = []
        for key in sorted(box.keys()):
            message = box.get_message(key)
            if "S" in message.get_flags():
                continue
            outcome = self._one(key, box.get_bytes(key), defaults)
            outcomes.append(outcome)
            if outcome.status == "retry":
                continue
            message.set_subdir("cur")
            message.add_flag("S" if outcome.status != "refused" else "SF")
            box[key] = message
        return outcomes
