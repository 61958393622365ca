"""The finder: a citizen's own words → the procedures meant, each with why it matched.

The catalogue's strict search (:mod:`congso.catalog.search`) needs every meaningful word of the
query in a procedure's name; a question such as "vợ tôi mới sinh em bé thì phải làm giấy tờ
gì" has no procedure with all of its words. The finder ranks the whole catalogue instead:

* **Words** (:func:`syllables`): the normalised syllables (no diacritics, ``đ`` → ``d``, a final
  ``y`` after a consonant written ``i`` so that "đăng kí" is "đăng ký"), and every pair of
  neighbouring syllables ("khai_sinh"), which is how a Vietnamese word of two syllables is
  found whether it was typed with its diacritics or not. A query typed with its diacritics is
  segmented by pyvi (offline, its CRF model ships in the package): its pairs that are words
  count more than pairs that straddle two words ("sinh_em" in "sinh em bé"); pyvi is imported
  in a background thread so that no request waits for scikit-learn to load.
* **Typos** (rapidfuzz): a query syllable the catalogue and the phrasings do not know is
  completed when it was cut short ("sin" → "sinh"), else replaced by the most frequent known
  syllable at edit distance 1 (2 for long ones).
* **Phrasings** (:class:`Phrasing`, catalogue data an officer edits: ``congso.catalog.models.
  Phrasing``, seeded from ``data/phrasings.json``): an everyday phrase found in the query
  ("sinh em bé", "lấy vợ", "sổ đỏ", "mở quán") adds the catalogue's words for it ("khai sinh",
  "kết hôn", "giấy chứng nhận quyền sử dụng đất", "hộ kinh doanh"), and may point at
  procedures by code (phrasings approved from the search log).
* **Ranking** (bm25s): BM25 over the names (and, weighted lower, the field names); question
  words ("thủ tục", "hồ sơ", "bao lâu", …) count little, the phrasings' words count more.

:class:`Finder` is built from the catalogue index's entries and lives with the index (per
process, rebuilt when the catalogue's revision token changes). Read it, never change it.
"""

from __future__ import annotations

import bisect
import itertools
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from congso.catalog.search import normalise

#: A final "y" after consonants is also written "i" ("kí"/"ký", "lí"/"lý", "mĩ"/"mỹ").
_FINAL_Y = re.compile(r"^([bcdghklmnpqrstvx]{1,3})y$")
#: Words that ask a question or frame it and say little about which procedure is meant; they
#: still count, at :data:`FRAME_WEIGHT` (phrases of two or more syllables, normalised).
FRAME = frozenset(
    {
        "toi", "muon", "hoi", "can", "lam", "gi", "nao", "the", "nhu", "sao", "phai", "thi",
        "la", "co", "duoc", "khong", "bao", "nhieu", "lau", "nhung", "cac", "va", "cua", "cho",
        "voi", "o", "dau", "tai", "de", "ve", "khi", "neu", "minh", "chung", "em", "a", "nhe",
        "ai", "gom", "giay", "to", "ho", "so", "thu", "tuc", "trinh", "tu", "thanh", "phan",
        "thoi", "han", "gian", "giai", "quyet", "cach", "thuc", "hien", "moi", "vay", "roi",
        "xin", "nop", "se", "bi", "nay", "do", "ra", "sau", "truoc", "hay", "hoac", "mot",
        "nguoi", "phi", "le", "muc", "bang", "ngay", "tren", "trong", "tro", "len",
        "di", "den", "vao", "lai", "da", "dang", "van", "ban", "viec", "noi", "nhan",
    }
)  # fmt: skip
#: Of the frame words, those that are also a procedure's own words when they stand together.
FRAME_PAIRS_KEPT = frozenset(
    {"ho_so", "giay_to", "le_phi", "cap_lai", "dang_ky", "dang_ki", "van_ban", "thu_tuc"}
)
FRAME_WEIGHT = 0.15
SYLLABLE_WEIGHT = 1.0
COMPOUND_WEIGHT = 1.5
PAIR_WEIGHT = 0.6
MEANS_WEIGHT = 2.0
#: A phrasing's own syllables, once understood, count this much of their usual weight.
PHRASE_SYLLABLE_FACTOR = 1.0
#: The field's name counts this much of the procedure's name.
FIELD_WEIGHT = 0.3
#: Results kept: at least this share of the best score, at most :data:`MAX_RESULTS`.
KEEP_SHARE = 0.35
MAX_RESULTS = 100
#: A word in at least this share of the names (and this many) is common: a procedure matching
#: only common words ("đăng ký", "cấp") and question words is not an answer.
COMMON_SHARE = 0.08
COMMON_AT_LEAST = 3
#: Procedures a phrasing names by code get this share of the best score on top of theirs.
CODE_BONUS = 1.0


def _plain(word: str) -> str:
    match = _FINAL_Y.match(word)
    return f"{match.group(1)}i" if match else word


def syllables(text: str | None) -> list[str]:
    """The normalised syllables of ``text`` as the finder compares them.

    >>> syllables("Đăng kí khai sinh cho con")
    ['dang', 'ki', 'khai', 'sinh', 'cho', 'con']
    """
    return [_plain(word) for word in normalise(text).split() if not _is_code(word)]


def _is_code(word: str) -> bool:
    return "." in word and word.replace(".", "").isdigit()


@dataclass(frozen=True)
class Phrasing:
    """An everyday phrase and what it means in the catalogue's words, or which procedures."""

    phrase: str
    means: str = ""
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """What the finder reads of one procedure."""

    code: str
    name: str
    field_name: str = ""


def pairs(words: Sequence[str]) -> list[str]:
    """The adjacent pairs of ``words`` joined with "_" ("khai_sinh")."""
    return [f"{first}_{second}" for first, second in itertools.pairwise(words)]


class _Segmenter:
    """pyvi's tokenizer, imported once per process in a background thread: it brings
    scikit-learn and its model (seconds on a busy machine), which no request should wait for.
    Until it is there, a query is read as if typed without diacritics (every pair counts)."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.lock = threading.Lock()
        self.started = False
        self.tokenize: Callable[[str], str] | None = None

    def _load(self) -> None:
        try:
            from pyvi import ViTokenizer

            ViTokenizer.tokenize("khởi động")
            self.tokenize = ViTokenizer.tokenize
        finally:
            self.ready.set()

    def start(self, *, wait: bool = False) -> None:
        with self.lock:
            if not self.started:
                self.started = True
                threading.Thread(target=self._load, name="pyvi-import", daemon=True).start()
        if wait:
            self.ready.wait()


segmenter = _Segmenter()


def segment(text: str) -> set[str]:
    """The pairs of syllables that pyvi finds to be words of ``text`` ("khai_sinh"), accent-free;
    only text typed with its diacritics can be segmented (pyvi's model needs them). Empty while
    pyvi is being imported (:class:`_Segmenter`)."""
    if text == normalise(text):
        return set()
    segmenter.start()
    if segmenter.tokenize is None:
        return set()
    found: set[str] = set()
    for word in segmenter.tokenize(text.lower()).split():
        if "_" in word:
            found.update(pairs(syllables(word.replace("_", " "))))
    return found


def _plain_typed(word: str) -> str:
    """A typed word in lower case with its diacritics, a final "ý" written "í"."""
    if len(word) > 1 and word.endswith("ý") and word[-2] not in "uư":
        return word[:-1] + "í"
    return word


def typed_words(text: str) -> list[tuple[str, str]]:
    """``(as typed, lower case with diacritics; normalised)`` per word, codes left out."""
    found = []
    for raw in re.findall(r"\w+(?:\.\w+)*", unicodedata.normalize("NFC", text or "").lower()):
        for word in normalise(raw).split():
            if not _is_code(word):
                found.append((raw if normalise(raw) == word else word, word))
    return found


def _same(phrase_word: tuple[str, str], typed: tuple[str, str], alone: bool) -> bool:
    """A phrase's word is the typed word: the same with its diacritics; or typed bare and the
    same without them — not for a phrase of one word ("đẻ" is not "de", which is "để")."""
    if typed[0] == phrase_word[0]:
        return True
    return not alone and typed[0] == typed[1] and typed[1] == phrase_word[1]


def _find(phrase: tuple[tuple[str, str], ...], words: list[tuple[str, str]]) -> range | None:
    alone = len(phrase) == 1
    for start in range(len(words) - len(phrase) + 1):
        typed = words[start : start + len(phrase)]
        if all(_same(p, w, alone) for p, w in zip(phrase, typed, strict=True)):
            return range(start, start + len(phrase))
    return None


@dataclass
class PreparedQuery:
    """A query's weighted terms and what was understood of it (for the reasons)."""

    terms: dict[str, float]
    corrections: dict[str, str] = field(default_factory=dict)
    phrasings: list[Phrasing] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Reason:
    """Why a procedure matched: the name's words it shares with the query (as the name writes
    them), the phrasings understood, the typing corrected."""

    words: tuple[str, ...]
    phrasings: tuple[tuple[str, str], ...] = ()
    corrections: tuple[tuple[str, str], ...] = ()
    by_code: bool = False


class Finder:
    """BM25 over the catalogue's names and fields, with compound words, typo correction and
    phrasings (see the module's text)."""

    def __init__(self, documents: Sequence[Document], phrasings: Iterable[Phrasing] = ()) -> None:
        import bm25s
        import numpy

        self._numpy = numpy
        self.documents = list(documents)
        self.phrasings = [p for p in phrasings if typed_words(p.phrase)]
        self.by_code: dict[str, list[int]] = {}
        for position, document in enumerate(self.documents):
            self.by_code.setdefault(document.code, []).append(position)
        names = [self._tokens(document.name) for document in self.documents]
        fields = [self._tokens(document.field_name) for document in self.documents]
        frequency: Counter[str] = Counter(
            token for tokens in names for token in set(tokens) if "_" not in token
        )
        for phrasing in self.phrasings:
            frequency.update(syllables(f"{phrasing.phrase} {phrasing.means}"))
        self.frequency = frequency
        self.known = sorted(frequency)
        self.names = bm25s.BM25()
        self.names.index(names if any(names) else [["_"]] * len(names), show_progress=False)
        self.document_frequency: dict[int, int] = Counter(
            self.names.vocab_dict[token] for tokens in names for token in set(tokens)
        )
        self.fields: Any = None
        if any(fields):  # bm25s needs at least one word
            self.fields = bm25s.BM25()
            self.fields.index(fields, show_progress=False)
        segmenter.start()  # pyvi, in the background
        #: The phrasings by their first word (accent-free): (its words, the phrasing).
        self._phrases: dict[str, list[tuple[tuple[tuple[str, str], ...], Phrasing]]] = {}
        for phrasing in self.phrasings:
            phrase = tuple((_plain_typed(t), _plain(w)) for t, w in typed_words(phrasing.phrase))
            self._phrases.setdefault(phrase[0][1], []).append((phrase, phrasing))

    @staticmethod
    def _tokens(text: str) -> list[str]:
        words = syllables(text)
        return [*words, *pairs(words)]

    # -- the query -----------------------------------------------------------------------

    def _correct(self, word: str) -> str | None:
        if word in self.frequency or word in FRAME or len(word) < 3 or word.isdigit():
            return None
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        start = bisect.bisect_left(self.known, word)
        completions = []
        for candidate in self.known[start:]:
            if not candidate.startswith(word):
                break
            if len(candidate) <= len(word) + 2:
                completions.append(candidate)
        if completions:  # a word cut short ("sin" → "sinh")
            return max(completions, key=lambda candidate: (self.frequency[candidate], candidate))
        limit = 1 if len(word) < 7 else 2
        found = process.extract(
            word, self.known, scorer=Levenshtein.distance, score_cutoff=limit, limit=8
        )
        if not found:
            return None
        best = min(distance for _, distance, _ in found)
        choices = [candidate for candidate, distance, _ in found if distance == best]
        return max(choices, key=lambda candidate: (self.frequency[candidate], candidate))

    def _corrected(self, query: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
        """The query's words (typed, normalised), typos corrected, and the corrections."""
        typed = [(_plain_typed(raw), _plain(word)) for raw, word in typed_words(query)]
        corrections: dict[str, str] = {}
        for index, (_, word) in enumerate(typed):
            corrected = self._correct(word)
            if corrected:
                corrections[word] = corrected
                typed[index] = (corrected, corrected)
        return typed, corrections

    def _phrases_in(
        self, typed: list[tuple[str, str]], meaningful: list[int]
    ) -> list[tuple[set[int], Phrasing]]:
        """The phrasings found in the query (each once), longest first, with the positions of
        the words they cover: in the words as typed, else in its meaningful words."""
        found: dict[int, tuple[int, set[int], Phrasing]] = {}
        for sequence in (list(range(len(typed))), meaningful):
            words = [typed[index] for index in sequence]
            for start, (_, first) in enumerate(words):
                for phrase, phrasing in self._phrases.get(first, ()):
                    if id(phrasing) in found:
                        continue
                    span = _find(phrase, words[start : start + len(phrase)])
                    if span is not None:
                        positions = {sequence[start + at] for at in span}
                        found[id(phrasing)] = (len(phrase), positions, phrasing)
        ordered = sorted(found.values(), key=lambda item: (-item[0], min(item[1])))
        return [(positions, phrasing) for _, positions, phrasing in ordered]

    def prepare(self, query: str) -> PreparedQuery:
        typed, corrections = self._corrected(query)
        words = [word for _, word in typed]
        terms: dict[str, float] = {}
        understood: set[int] = set()
        phrasings: list[Phrasing] = []
        codes: set[str] = set()
        # A phrase is looked for in the words as typed, then without the question's words
        # ("bố tôi mất" is "bố mất"); longest phrases first, a shorter one wholly inside a
        # longer one found is not looked at ("nhận con nuôi" is not "nhận con").
        meaningful = [index for index, word in enumerate(words) if word not in FRAME]
        for positions, phrasing in self._phrases_in(typed, meaningful):
            if positions <= understood:
                continue
            phrasings.append(phrasing)
            understood |= positions
            codes.update(phrasing.codes)
            means = syllables(phrasing.means)
            for term in [*means, *pairs(means)]:
                terms[term] = max(terms.get(term, 0.0), MEANS_WEIGHT)
        for index, word in enumerate(words):
            weight = FRAME_WEIGHT if word in FRAME else SYLLABLE_WEIGHT
            if index in understood:
                weight *= PHRASE_SYLLABLE_FACTOR
            terms[word] = max(terms.get(word, 0.0), weight)
        words_of_query = segment(query)
        for pair in pairs(words):
            parts = pair.split("_")
            if all(part in FRAME for part in parts) and pair not in FRAME_PAIRS_KEPT:
                weight = FRAME_WEIGHT
            elif not words_of_query or pair in words_of_query:
                weight = COMPOUND_WEIGHT  # a word (pyvi), or typed bare: every pair counts
            else:
                weight = PAIR_WEIGHT  # two syllables side by side across two words
            terms[pair] = max(terms.get(pair, 0.0), weight)
        return PreparedQuery(terms, corrections, phrasings, codes)

    # -- ranking -------------------------------------------------------------------------

    def _common(self, term: str) -> bool:
        """A word in so many names that matching it alone says nothing ("đăng ký")."""
        found = self.names.vocab_dict.get(term)
        if found is None:
            return True
        frequency = self.document_frequency[found]
        return bool(frequency >= max(COMMON_SHARE * len(self.documents), COMMON_AT_LEAST))

    def scores(self, prepared: PreparedQuery) -> Any:
        """The score of every document (a numpy array in the documents' order); 0 for those
        matching none of the query's specific words (only common or question words)."""
        total = self._numpy.zeros(len(self.documents), dtype="float32")
        specific = self._numpy.zeros(len(self.documents), dtype="float32")
        for term, weight in prepared.terms.items():
            if term in self.names.vocab_dict:
                these = weight * self.names.get_scores([term])
                total += these
                if weight >= MEANS_WEIGHT or (weight > FRAME_WEIGHT and not self._common(term)):
                    specific += these
            if self.fields is not None and term in self.fields.vocab_dict:
                total += (weight * FIELD_WEIGHT) * self.fields.get_scores([term])
        total = self._numpy.where(specific > 0, total, 0)
        if prepared.codes:
            bonus = float(total.max()) * CODE_BONUS or 1.0
            for code in prepared.codes:
                for position in self.by_code.get(code, ()):
                    total[position] += bonus
        return total

    def rank(
        self,
        query: str | PreparedQuery,
        *,
        allowed: Iterable[int] | None = None,
        tie: Sequence[Any] | None = None,
    ) -> list[int]:
        """Positions of the documents matching ``query``, best first: those scoring at least
        :data:`KEEP_SHARE` of the best, at most :data:`MAX_RESULTS`. ``allowed``: only these
        positions; ``tie``: a sort key per position for equal scores (else shorter names)."""
        prepared = self.prepare(query) if isinstance(query, str) else query
        if not prepared.terms:
            return []
        total = self.scores(prepared)
        if allowed is not None:
            mask = self._numpy.zeros(len(self.documents), dtype=bool)
            mask[list(allowed)] = True
            total = self._numpy.where(mask, total, 0)
        best = float(total.max()) if len(total) else 0.0
        if best <= 0:
            return []
        candidates = self._numpy.nonzero(total >= best * KEEP_SHARE)[0]
        ordered = sorted(
            (int(position) for position in candidates),
            key=lambda position: (
                -round(float(total[position]), 4),
                tie[position] if tie is not None else len(self.documents[position].name),
            ),
        )
        return ordered[:MAX_RESULTS]

    def explain(self, query: str, position: int) -> Reason:
        """Why the document at ``position`` matched ``query``."""
        prepared = self.prepare(query)
        document = self.documents[position]
        original = normalise_keep(document.name)
        plain = [_plain(word) for word in normalise(document.name).split()]
        present = set(plain) | set(pairs(plain))
        shown: list[str] = []
        covered: set[int] = set()
        for term, weight in sorted(prepared.terms.items(), key=lambda item: -item[0].count("_")):
            if weight <= FRAME_WEIGHT or term not in present:
                continue
            parts = term.split("_")
            for start in range(len(plain) - len(parts) + 1):
                if plain[start : start + len(parts)] == parts:
                    span = set(range(start, start + len(parts)))
                    if not span <= covered:
                        shown.append(" ".join(original[start : start + len(parts)]))
                        covered |= span
                    break
        used: list[tuple[str, str]] = []
        for phrasing in prepared.phrasings:
            if document.code in phrasing.codes:
                used.append((phrasing.phrase, ""))
                continue
            # Said only when the name has the phrasing's own words (not merely "đăng ký").
            own = [word for word in syllables(phrasing.means) if not self._common(word)]
            meant = [means for _, means in used]
            if own and set(own) <= present and phrasing.means not in meant:
                used.append((phrasing.phrase, phrasing.means))
        return Reason(
            words=tuple(shown),
            phrasings=tuple(used),
            corrections=tuple(prepared.corrections.items()),
            by_code=document.code in prepared.codes,
        )


def normalise_keep(text: str) -> list[str]:
    """The words of ``text`` in lower case with their diacritics, aligned with
    :func:`~congso.catalog.search.normalise`'s words (a word that normalises to several is
    repeated)."""
    shown: list[str] = []
    for raw in re.findall(r"\w+(?:\.\w+)*", text.lower()):
        for _ in normalise(raw).split():
            shown.append(raw)
    return shown
