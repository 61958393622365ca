"""The registers (sổ văn bản đi / đến, ND 30/2020 art. 16 and 22): one yearly sequence per
agency and direction, from 1 each 1 January, shared by paper and electronic documents; a
separate series for confidential documents.

Gap-free and safe under concurrency the way dossier codes are (``congso.dossiers.codes``): the
counter row of (agency, direction, year, confidential) is created or incremented by one
``INSERT … ON CONFLICT … DO UPDATE … RETURNING last`` statement inside the transaction that
writes the number on the document. On PostgreSQL the upsert holds the row lock until that
transaction ends, so a concurrent clerk waits and a rollback gives the number back; SQLite
transactions begin IMMEDIATE (settings) and so serialise writers."""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction

from congso.eoffice.models import RegisterCounter


def next_number(*, agency_code: str, direction: str, day: date, confidential: bool) -> int:
    """The next number of the register; call inside the transaction that stores it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the numbering transaction")
    table = connection.ops.quote_name(RegisterCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} (agency_code, direction, year, confidential, last) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, 1) "
        "ON CONFLICT (agency_code, direction, year, confidential) "
        f"DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_code, direction, day.year, confidential])
        row = cursor.fetchone()
    return int(row[0])


def format_number(number: int) -> str:
    """ND 30/2020 Annex I: Arabic numerals, a leading zero below 10 (``05``)."""
    return f"{number:02d}"
