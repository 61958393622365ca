"""Password rules beyond Django's (``AUTH_PASSWORD_VALIDATORS``): at least 12 characters
(``MinimumLengthValidator``), not similar to the account's own data, not numeric only, not on
Django's list of about 20,000 leaked passwords (``CommonPasswordValidator``) and not built from
a word people commonly use here (:class:`CommonWordsValidator`, this module).

Everything is shipped: no list is downloaded and no password leaves the server (NIST SP 800-63B
§5.1.1.2 asks for a check against "passwords obtained from previous breach corpuses" and
"dictionary words" and "context-specific words, such as the name of the service").
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

VI_LIST = Path(__file__).parent / "data" / "common-passwords-vi.txt"
#: Common look-alike substitutions ("p@ssw0rd" is "password").
LEET = str.maketrans(
    {
        "@": "a",
        "4": "a",
        "0": "o",
        "1": "i",
        "!": "i",
        "3": "e",
        "$": "s",
        "5": "s",
        "7": "t",
        "+": "t",
        "8": "b",
        "9": "g",
        "2": "z",
    }
)
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
#: Fewer distinct characters than this in the whole password is a pattern, not a secret.
MIN_DISTINCT = 5


def normalise(text: str) -> str:
    """Lower case, without diacritics (đ → d) and without spaces, as the lists are written."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", "", bare.casefold())


@lru_cache(maxsize=1)
def vietnamese_words() -> frozenset[str]:
    lines = VI_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(normalise(line) for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def leaked_passwords() -> frozenset[str]:
    """Django's list (the same file its CommonPasswordValidator reads)."""
    path = CommonPasswordValidator().DEFAULT_PASSWORD_LIST_PATH
    with gzip.open(str(path), "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def _cores(password: str) -> set[str]:
    """What the password is made of once the usual decorations are taken off: the normalised
    text, without leading/trailing digits and symbols, and the same read as look-alikes."""
    text = normalise(password)
    stripped = _EDGES.sub("", text)
    return {text, stripped, stripped.translate(LEET), text.translate(LEET)}


def _two_words(core: str, words: frozenset[str]) -> bool:
    return any(core[:i] in words and core[i:] in words for i in range(2, len(core) - 1))


def weakness(password: str) -> str | None:
    """Why the password is too easy to guess, or None."""
    if len(set(password)) < MIN_DISTINCT:
        return "repetitive"
    vietnamese, leaked = vietnamese_words(), leaked_passwords()
    for core in _cores(password):
        if len(core) < 4:
            return "decorated_short"
        if core in vietnamese or core in leaked:
            return "common"
        if _two_words(core, vietnamese):
            return "common"
    return None


class CommonWordsValidator:
    """Refuses passwords that are, once lower-cased, stripped of diacritics and of leading and
    trailing digits and symbols, a leaked password (Django's list), a commonly used Vietnamese
    word or name (``data/common-passwords-vi.txt``) or two of them joined, or that use fewer
    than five distinct characters."""

    def validate(self, password: str, user: Any = None) -> None:
        reason = weakness(password)
        if reason == "repetitive":
            raise ValidationError(
                gettext("Mật khẩu lặp lại quá ít ký tự khác nhau, rất dễ đoán."),
                code="password_repetitive",
            )
        if reason is not None:
            raise ValidationError(
                gettext(
                    "Mật khẩu được ghép từ một từ hoặc tên phổ biến với vài chữ số hay ký hiệu, "
                    "hoặc nằm trong danh sách mật khẩu đã bị lộ. Hãy dùng một cụm từ dài mà "
                    "người khác khó đoán."
                ),
                code="password_common_words",
            )

    def get_help_text(self) -> str:
        return gettext(
            "Mật khẩu không được là một từ, một tên phổ biến hay một mật khẩu đã bị lộ, kể cả khi "
            "thêm chữ số hoặc ký hiệu."
        )


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its message in Vietnamese (Django 5.2 changed the English text, and its
    Vietnamese catalogue no longer matches it)."""

    def get_error_message(self) -> str:
        return gettext("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.") % {
            "min_length": self.min_length
        }

    def get_help_text(self) -> str:
        return gettext("Mật khẩu cần ít nhất %(min_length)d ký tự.") % {
            "min_length": self.min_length
        }
