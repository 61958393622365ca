"""A compact per-process index of the catalogue for its list, search and filters.

The catalogue's list and search must answer in a few milliseconds with the whole national
catalogue (~5,600 procedures) on SQLite and PostgreSQL alike. Ranking in SQL would need
PostgreSQL extensions and would order differently on the two databases, and loading every
match into Python per request is too slow, so each server process keeps, per procedure, only
what matching, ranking and filtering read:

* the normalised name and code (:func:`congso.catalog.search.normalise`) and their tokens, with
  a sorted vocabulary and word → procedures postings, so that "every meaningful word starts a
  word" is a few prefix ranges of the vocabulary and a set intersection;
* the filters' values: field (its key and national sector code), levels, applicant types, and
  of the version in force the online level and the agencies with an active internal process.

The index is tagged with the catalogue's revision token (:mod:`congso.catalog.cache`: database
triggers give it a new value on every write to a catalogue table, by any path) and the day the
versions in force were read for; one primary-key read of the token per request tells whether
it still holds. A stale index is rebuilt (three queries; 1–5 s for the national catalogue on a
busy 2-core machine); the rows shown are then read by primary key, one page at a time.

Entries are shared between a process's threads: read them, never change them.
"""

from __future__ import annotations

import bisect
import datetime
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Q
from django.utils import timezone

from congso.catalog.cache import current_token
from congso.catalog.finder import Document, Finder, Phrasing
from congso.catalog.models import Phrasing as PhrasingRow
from congso.catalog.models import Procedure, ProcedureVersion, Process
from congso.catalog.search import PreparedQuery, followers, normalise, score_matched, strip_filler


@dataclass(frozen=True, slots=True)
class Entry:
    """One procedure as the list, the search and the filters see it."""

    pk: int
    code: str
    name_length: int
    code_norm: str
    text: str
    active: bool
    field_code: str
    sector_code: str
    levels: frozenset[str]
    applicant_types: frozenset[str]
    online_level: str
    agencies: frozenset[int]
    #: The name without its leading "thu tuc", its words and the code's, the name's word pairs.
    bare: str = ""
    bare_tokens: frozenset[str] = frozenset()
    all_tokens: frozenset[str] = frozenset()
    followers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The name as written and the field's name (what the finder reads).
    name: str = ""
    field_name: str = ""


def make_entry(
    *,
    pk: int,
    code: str,
    name: str,
    field_name: str = "",
    active: bool = True,
    field_code: str = "",
    sector_code: str = "",
    levels: frozenset[str] = frozenset(),
    applicant_types: frozenset[str] = frozenset(),
    online_level: str = "",
    agencies: frozenset[int] = frozenset(),
) -> Entry:
    """An entry with its normalised forms computed from ``name`` and ``code``."""
    text, code_norm = normalise(name), normalise(code)
    bare = strip_filler(text)
    return Entry(
        pk=pk,
        code=code,
        name_length=len(name),
        code_norm=code_norm,
        text=text,
        active=active,
        field_code=field_code,
        sector_code=sector_code,
        levels=levels,
        applicant_types=applicant_types,
        online_level=online_level,
        agencies=agencies,
        bare=bare,
        bare_tokens=frozenset(f"{bare} {code_norm}".split()),
        all_tokens=frozenset(f"{text} {code_norm}".split()),
        followers=followers(text),
        name=name,
        field_name=field_name,
    )


def _postings(entries: list[Entry], tokens_of: str) -> tuple[list[str], dict[str, frozenset[int]]]:
    found: dict[str, set[int]] = defaultdict(set)
    for position, entry in enumerate(entries):
        for token in getattr(entry, tokens_of):
            found[token].add(position)
    return sorted(found), {token: frozenset(these) for token, these in found.items()}


class CatalogueIndex:
    """Every procedure (active or not) in code order, with the postings of their words (the
    name without its leading "thu tuc" and the code; and with it, for a query that asks for
    those words) and of the filters' values. Also keeps the last results it gave (``results``,
    bounded), which live and die with it."""

    RESULTS_KEPT = 512

    def __init__(self, entries: list[Entry], phrasings: Sequence[Phrasing] = ()) -> None:
        self.entries = sorted(entries, key=lambda entry: entry.code)
        self.phrasings = tuple(phrasings)
        self._finder: Finder | None = None
        self._finder_lock = threading.Lock()
        self.vocabulary, self.postings = _postings(self.entries, "bare_tokens")
        self.vocabulary_all, self.postings_all = _postings(self.entries, "all_tokens")
        by_code: dict[str, list[int]] = defaultdict(list)
        facets: dict[tuple[str, Any], set[int]] = defaultdict(set)
        for position, entry in enumerate(self.entries):
            by_code[entry.code.lower()].append(position)
            facets["field", entry.field_code].add(position)
            if entry.sector_code:
                facets["field", entry.sector_code].add(position)
            for level in entry.levels:
                facets["level", level].add(position)
            for kind in entry.applicant_types:
                facets["applicant_type", kind].add(position)
            facets["online_level", entry.online_level].add(position)
            for agency in entry.agencies:
                facets["agency", agency].add(position)
            if entry.active:
                facets["active", True].add(position)
        self.by_code = {code: tuple(found) for code, found in by_code.items()}
        self.facets = {key: frozenset(found) for key, found in facets.items()}
        self.results: OrderedDict[tuple[Any, ...], list[int]] = OrderedDict()
        #: Other values computed from the index once (the filters' choices).
        self.memo: dict[str, Any] = {}
        self.lock = threading.Lock()

    @cached_property
    def positions_by_pk(self) -> dict[int, int]:
        return {entry.pk: position for position, entry in enumerate(self.entries)}

    def position_of(self, pk: int) -> int | None:
        """The position of the procedure with primary key ``pk``."""
        return self.positions_by_pk.get(pk)

    @cached_property
    def tie_keys(self) -> list[tuple[int, str]]:
        """The finder's order among equal scores: active first, shorter name, code."""
        return [
            (len(entry.name) + (0 if entry.active else 10_000), entry.code)
            for entry in self.entries
        ]

    def facet(self, name: str, value: Any) -> frozenset[int]:
        """Positions of the procedures with this filter value."""
        return self.facets.get((name, value), frozenset())

    def remembered(self, key: tuple[Any, ...]) -> list[int] | None:
        with self.lock:
            found = self.results.get(key)
            if found is not None:
                self.results.move_to_end(key)
            return found

    def remember(self, key: tuple[Any, ...], pks: list[int]) -> None:
        with self.lock:
            self.results[key] = pks
            while len(self.results) > self.RESULTS_KEPT:
                self.results.popitem(last=False)

    @cached_property
    def active_field_codes(self) -> frozenset[str]:
        """The fields with at least one active procedure (the filter's choices)."""
        return frozenset(entry.field_code for entry in self.entries if entry.active)

    @cached_property
    def active_agency_ids(self) -> frozenset[int]:
        """The agencies with a process for an active procedure (the filter's choices)."""
        found: set[int] = set()
        for entry in self.entries:
            if entry.active:
                found.update(entry.agencies)
        return frozenset(found)

    def starting_with(self, word: str, *, with_filler: bool = False) -> set[int]:
        """Positions of the procedures with a word of the name or code starting with ``word``
        (the leading "thu tuc" of a name counts only ``with_filler``)."""
        vocabulary = self.vocabulary_all if with_filler else self.vocabulary
        postings = self.postings_all if with_filler else self.postings
        found: set[int] = set()
        start = bisect.bisect_left(vocabulary, word)
        for token in vocabulary[start:]:
            if not token.startswith(word):
                break
            found.update(postings[token])
        return found

    def having_every(
        self, words: list[str] | tuple[str, ...], *, with_filler: bool = False
    ) -> set[int]:
        """Positions of the procedures where every word of ``words`` starts a word."""
        found: set[int] | None = None
        for word in sorted(words, key=len, reverse=True):  # longer words: fewer procedures
            these = self.starting_with(word, with_filler=with_filler)
            found = these if found is None else found & these
            if not found:
                return set()
        return found or set()

    def with_code(self, code: str) -> tuple[int, ...]:
        """Positions of the procedure whose code is ``code`` (case-insensitive, ASCII)."""
        return self.by_code.get(code.strip().lower(), ())

    @property
    def finder(self) -> Finder:
        """The finder over these entries and phrasings (:mod:`congso.catalog.finder`), built on
        first use (BM25 of every name and field: ~2–8 s for the national catalogue on a busy
        2-core machine) and kept with the index."""
        if self._finder is None:
            with self._finder_lock:
                if self._finder is None:
                    documents = [
                        Document(code=entry.code, name=entry.name, field_name=entry.field_name)
                        for entry in self.entries
                    ]
                    self._finder = Finder(documents, self.phrasings)
        return self._finder


#: Up to this many meaningful words, a procedure with all of them in its name comes before the
#: finder's answers; a longer question is the finder's (its words all in a name is chance).
STRICT_WORDS = 3


def ranked(
    index: CatalogueIndex,
    query: str,
    prepared: PreparedQuery,
    allowed: frozenset[int] | set[int] | None = None,
    *,
    finder: bool = True,
) -> list[int]:
    """Positions of the procedures answering ``query``, best first.

    First what the strict search finds (the exact code; every meaningful word starting a word
    of the name, ranked by :func:`congso.catalog.search.score_matched`), then what the finder
    (:mod:`congso.catalog.finder`) finds in the whole catalogue that the strict search did not.
    The strict matches with the query as a prefix or phrase of the name come first; the other
    strict matches come before the finder's only for a short query (:data:`STRICT_WORDS`) in
    which no everyday phrasing was understood.
    ``allowed``: only these positions (the filters)."""
    entries = index.entries
    positions: set[int] = set()
    if prepared.words:
        positions = index.having_every(prepared.words, with_filler=prepared.asked_filler)
    positions |= set(index.with_code(query))
    if allowed is not None:
        positions &= allowed
    scored = []
    for position in positions:
        entry = entries[position]
        tokens = entry.all_tokens if prepared.asked_filler else entry.bare_tokens
        found_score = score_matched(
            prepared,
            code=entry.code_norm,
            text=entry.text,
            bare=entry.bare,
            token_set=tokens,
            followers=entry.followers,
        )
        order = (-found_score.tier, -found_score.prefix, -found_score.together)
        # Shorter names first (for the finder, a leading "Thủ tục" not counted).
        length = len(entry.bare) if finder else entry.name_length
        tie = (-found_score.whole_words, length, entry.code)
        scored.append(((*order, *tie), position))
    scored.sort()
    if not finder or (scored and scored[0][0][0] == -4):  # the exact code: nothing else
        return [position for _, position in scored]
    strong = [position for order, position in scored if order[0] <= -3]
    weak = [position for order, position in scored if order[0] > -3]
    found = list(strong)
    understood = index.finder.prepare(query)
    if len(prepared.words) <= STRICT_WORDS and not understood.phrasings:
        found.extend(weak)  # a few words typed: every one of them in the name comes first
    seen = set(found)
    for position in index.finder.rank(understood, allowed=allowed, tie=index.tie_keys):
        if position not in seen:
            found.append(position)
            seen.add(position)
    found.extend(position for position in weak if position not in seen)
    return found


class _Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple[int, datetime.date] | None = None
        self.index: CatalogueIndex | None = None


_store = _Store()


def build(day: datetime.date) -> CatalogueIndex:
    """Read the index from the database: procedures, versions in force on ``day``, and the
    agencies with an active process for them (three queries)."""
    in_force = ProcedureVersion.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day), effective_from__lte=day
    )
    current: dict[int, tuple[int, str]] = {}
    for procedure_id, version_id, online_level in in_force.order_by(
        "procedure_id", "-version"
    ).values_list("procedure_id", "pk", "online_level"):
        current.setdefault(procedure_id, (version_id, online_level or ""))
    current_versions = {version_id for version_id, _ in current.values()}
    agencies: dict[int, set[int]] = defaultdict(set)
    for version_id, agency_id in Process.objects.filter(
        Q(version__effective_to__isnull=True) | Q(version__effective_to__gte=day),
        version__effective_from__lte=day,
        active=True,
    ).values_list("version_id", "agency_id"):
        if version_id in current_versions:
            agencies[version_id].add(agency_id)
    entries = []
    rows = Procedure.objects.values_list(
        "pk",
        "code",
        "name",
        "active",
        "field__code",
        "field__sector_code",
        "field__name",
        "levels",
        "applicant_types",
    ).order_by()
    for pk, code, name, active, field_code, sector_code, field_name, levels, kinds in rows:
        version_id, online_level = current.get(pk, (0, ""))
        entries.append(
            make_entry(
                pk=pk,
                code=code,
                name=name,
                field_name=field_name or "",
                active=active,
                field_code=field_code,
                sector_code=sector_code or "",
                levels=frozenset(levels or ()),
                applicant_types=frozenset(kinds or ()),
                online_level=online_level,
                agencies=frozenset(agencies.get(version_id, ())),
            )
        )
    return CatalogueIndex(entries, phrasings_in_force())


def phrasings_in_force() -> list[Phrasing]:
    """The active phrasings of the catalogue (``Phrasing`` rows) as the finder takes them."""
    return [
        Phrasing(phrase=phrase, means=means, codes=tuple(codes or ()))
        for phrase, means, codes in PhrasingRow.objects.filter(active=True)
        .order_by("pk")
        .values_list("phrase", "means", "codes")
    ]


def get_index(on: datetime.date | None = None) -> CatalogueIndex:
    """The index as of the catalogue's current revision (one query when it is up to date)."""
    day = on or timezone.localdate()
    token = current_token()
    if token is None:
        return build(day)  # no token to trust: read everything from the database
    key = (token, day)
    with _store.lock:
        if _store.key == key and _store.index is not None:
            return _store.index
    index = build(day)
    if current_token() == token:  # nothing was written while it was read
        with _store.lock:
            _store.key, _store.index = key, index
    return index


def clear() -> None:
    """Forget the index (tests)."""
    with _store.lock:
        _store.key, _store.index = None, None
