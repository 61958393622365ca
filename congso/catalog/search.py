"""Diacritic-insensitive search over the catalogue, identical on SQLite and PostgreSQL.

Every procedure keeps ``search_text``: its name and code passed through :func:`normalise`
(lower case, Vietnamese diacritics removed, đ → d, punctuation folded to spaces). A query is
normalised the same way, candidates are fetched with plain ``LIKE`` on that column (any query
word) and ranked here in Python with :func:`rank`, so both databases give the same order and no
PostgreSQL extension (unaccent, pg_trgm) is needed. At the size of a province's catalogue (a
few thousand procedures) this is fast enough.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: A token: letters and digits, with inner dots kept so that codes like 1.001193 stay whole.
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*")
#: Words that open most procedure names and say nothing about which one is meant.
LEADING_FILLER = ("thu tuc ",)


def strip_diacritics(text: str) -> str:
    """'Đăng ký khai sinh' → 'Dang ky khai sinh' (NFD, combining marks removed, đ/Đ → d/D)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise(text: str | None) -> str:
    """The searchable form of ``text``: lower case, no diacritics, đ → d, one space between
    tokens, punctuation dropped (inner dots kept: '1.001193').

    >>> normalise("Thủ tục ĐĂNG KÝ khai sinh (mẫu 01/2020)")
    'thu tuc dang ky khai sinh mau 01 2020'
    """
    plain = strip_diacritics(text or "").lower()
    return " ".join(_TOKEN_RE.findall(plain))


def search_text(*, name: str, code: str) -> str:
    """What is stored in ``Procedure.search_text``."""
    return f"{normalise(name)} {normalise(code)}".strip()


def query_words(query: str) -> list[str]:
    """The distinct normalised words of a query, in order."""
    seen: dict[str, None] = {}
    for word in normalise(query).split():
        seen.setdefault(word, None)
    return list(seen)


@dataclass(frozen=True, order=True)
class Score:
    """Higher sorts first. ``tier``: 4 exact code, 3 the whole query as prefix or phrase, 2 every
    word, 1 some words; then how well inside the tier."""

    tier: int
    prefix: int
    words_matched: int
    whole_words: int


def rank(*, query: str, code: str, name: str) -> Score | None:
    """How well a procedure matches ``query``; ``None`` when it does not match at all.

    1. the exact code (``1.001193``);
    2. the whole normalised query as a prefix of the name (ignoring a leading "Thủ tục") or of
       the code, then as a phrase anywhere in the name;
    3. every query word found (as the start of a word of the name or code);
    4. some words found, more first.
    Ties: more words matched as whole words, then the caller's order (shorter names, code).
    """
    normalised_query = normalise(query)
    if not normalised_query:
        return None
    normalised_code = normalise(code)
    if normalised_query == normalised_code:
        return Score(4, 0, 0, 0)
    text = normalise(name)
    words = query_words(query)
    tokens = f"{text} {normalised_code}".split()
    matched = [word for word in words if any(token.startswith(word) for token in tokens)]
    whole = sum(1 for word in words if word in tokens)
    if not matched:
        return None
    bare = text
    for filler in LEADING_FILLER:
        if bare.startswith(filler):
            bare = bare[len(filler) :]
    if bare.startswith(normalised_query) or normalised_code.startswith(normalised_query):
        tier, prefix = 3, 2
    elif f" {normalised_query}" in f" {text}":
        tier, prefix = 3, 1
    else:
        tier, prefix = (2 if len(matched) == len(words) else 1), 0
    return Score(tier, prefix, len(matched), whole)
