"""Diacritic-insensitive search over the catalogue, identical on SQLite and PostgreSQL.

Every procedure keeps ``search_text``: its name and code passed through :func:`normalise`
(lower case, Vietnamese diacritics removed, đ → d, punctuation folded to spaces). A query is
cut into its **meaningful words** (:func:`query_words`: Vietnamese function words such as "của",
"và", "thủ tục" dropped). A procedure matches when **every** meaningful word starts a word of its
name or code ("dang ky kinh doanh" finds the household-business registrations, not every
"đăng ký" of the catalogue), and :func:`rank` orders the matches. Both run in Python over the
per-process index of the catalogue (:mod:`congso.catalog.index`: each procedure's normalised
name and code, and word → procedures postings), so both databases give the same results in
the same order, no PostgreSQL extension (unaccent, pg_trgm) is needed, and the database is
asked only for the page of rows shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import pairwise

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


#: Words that say nothing about which procedure is meant, as typed with their diacritics
#: (lower case). Dropping one only widens the search, never hides a procedure.
STOP_WORDS = frozenset(
    {
        "và", "của", "cho", "các", "những", "là", "thì", "mà", "ở", "tại", "để", "về", "với",
        "được", "bị", "theo", "trong", "khi", "nếu", "hay", "hoặc", "tôi", "em", "mình",
        "muốn", "cần", "xin", "hỏi", "gì", "nào", "đâu", "ai", "này", "đó", "ạ", "nhé",
    }
)  # fmt: skip
#: The same typed without diacritics, only where the bare word is nothing else in a procedure
#: name ("cua" stays: it may be "cửa", "de" may be "đề nghị", "can" "căn cước").
STOP_WORDS_PLAIN = frozenset(
    {"va", "cac", "nhung", "thi", "voi", "duoc", "toi", "muon", "xin", "hoi", "gi", "nao"}
)
#: Word pairs dropped together (normalised): most names open with "Thủ tục"; "làm sao", "thế
#: nào", "ở đâu" ask a question ("sao" alone is "bản sao", "thế" alone "thế chấp").
STOP_PAIRS = frozenset(
    {("thu", "tuc"), ("lam", "sao"), ("the", "nao"), ("nhu", "the"), ("o", "dau")}
)


def _typed_words(query: str) -> list[tuple[str, str]]:
    """``(as typed in lower case, normalised)`` for each token of the query."""
    typed = unicodedata.normalize("NFC", query or "").lower()
    pairs = []
    for raw in re.findall(r"[^\s,;:!?()\[\]{}\"'/]+", typed):
        for word in normalise(raw).split():
            pairs.append((raw if normalise(raw) == word else word, word))
    return pairs


def query_words(query: str) -> list[str]:
    """The distinct **meaningful** normalised words of a query, in order: function words
    (:data:`STOP_WORDS`) and the pair "thủ tục" left out — unless nothing else is left, then
    every word counts.

    >>> query_words("Thủ tục đăng ký kinh doanh của hộ gia đình")
    ['dang', 'ky', 'kinh', 'doanh', 'ho', 'gia', 'dinh']
    """
    pairs = _typed_words(query)
    dropped: set[int] = set()
    for index, (typed, word) in enumerate(pairs):
        if typed in STOP_WORDS or (typed == word and word in STOP_WORDS_PLAIN):
            dropped.add(index)
        if index and (pairs[index - 1][1], word) in STOP_PAIRS:
            dropped.update({index - 1, index})
    words = [word for index, (_typed, word) in enumerate(pairs) if index not in dropped]
    seen: dict[str, None] = {}
    for word in words or [word for _typed, word in pairs]:
        seen.setdefault(word, None)
    return list(seen)


@dataclass(frozen=True, order=True)
class Score:
    """Higher sorts first. ``tier``: 4 exact code, 3 the query as prefix or phrase, 2 every
    meaningful word; then how well inside the tier: the query as a prefix (2) or phrase (1),
    how many neighbouring query words stand together in the name, how many are whole words."""

    tier: int
    prefix: int
    together: int
    whole_words: int


def _starts_a_token(word: str, tokens: list[str]) -> bool:
    return any(token.startswith(word) for token in tokens)


@dataclass(frozen=True)
class PreparedQuery:
    """What :func:`score` needs of a query, computed once for every procedure it is tried on."""

    normalised: str
    words: tuple[str, ...]
    asked_filler: bool
    phrase: str


def prepare(query: str) -> PreparedQuery | None:
    """The query as :func:`score` takes it; ``None`` when nothing is left of it."""
    normalised_query = normalise(query)
    if not normalised_query:
        return None
    words = tuple(query_words(query))
    return PreparedQuery(
        normalised=normalised_query,
        words=words,
        asked_filler=bool({"thu", "tuc"} & set(words)),
        phrase=" ".join(words),
    )


def rank(*, query: str, code: str, name: str) -> Score | None:
    """How well a procedure matches ``query``; ``None`` when it does not match.

    A match needs every meaningful word of the query (:func:`query_words`) at the start of a
    word of the name or code, or the exact code. Then, best first:

    1. the exact code (``1.001193``);
    2. the query (its meaningful words) as a prefix of the name (ignoring a leading "Thủ tục")
       or of the code, then as a phrase anywhere in the name;
    3. every word, more of them side by side as in the query first ("kinh doanh").
    Ties: more words matched as whole words, then the caller's order (shorter names, code).
    """
    prepared = prepare(query)
    if prepared is None:
        return None
    return score(prepared, code=normalise(code), text=normalise(name))


def score(prepared: PreparedQuery, *, code: str, text: str) -> Score | None:
    """:func:`rank` of a prepared query against a procedure's normalised ``code`` and name
    ``text`` (:func:`normalise`)."""
    if prepared.normalised == code:
        return Score(4, 0, 0, 0)
    bare = strip_filler(text)
    # The leading "Thủ tục" is no match for "tu…" or "thu…" unless the query is those words.
    tokens = f"{text if prepared.asked_filler else bare} {code}".split()
    if not prepared.words or not all(_starts_a_token(word, tokens) for word in prepared.words):
        return None
    return score_matched(
        prepared,
        code=code,
        text=text,
        bare=bare,
        token_set=frozenset(tokens),
        followers=followers(text),
    )


def strip_filler(text: str) -> str:
    """The normalised name without its leading "thu tuc"."""
    for filler in LEADING_FILLER:
        if text.startswith(filler):
            return text[len(filler) :]
    return text


def followers(text: str) -> dict[str, tuple[str, ...]]:
    """Each word of a normalised name → the words that follow it."""
    found: dict[str, list[str]] = {}
    for first, second in pairwise(text.split()):
        found.setdefault(first, []).append(second)
    return {word: tuple(after) for word, after in found.items()}


def score_matched(
    prepared: PreparedQuery,
    *,
    code: str,
    text: str,
    bare: str,
    token_set: frozenset[str],
    followers: dict[str, tuple[str, ...]],
) -> Score:
    """:func:`score` of a procedure already known to match (every word starts one of its
    words, ``token_set``: the name's — without the leading filler unless asked — and the
    code's), from what the catalogue index keeps of it."""
    normalised_query = prepared.normalised
    if normalised_query == code:
        return Score(4, 0, 0, 0)
    words = prepared.words
    whole = sum(1 for word in words if word in token_set)
    together = sum(
        1
        for first, second in pairwise(words)
        if any(after.startswith(second) for after in followers.get(first, ()))
    )
    phrase = prepared.phrase
    if any(
        bare.startswith(candidate) or code.startswith(candidate)
        for candidate in (normalised_query, phrase)
    ):
        tier, prefix = 3, 2
    elif any(f" {candidate}" in f" {text}" for candidate in (normalised_query, phrase)):
        tier, prefix = 3, 1
    else:
        tier, prefix = 2, 0
    return Score(tier, prefix, together, whole)
