"""The finder's evaluation: citizens' questions → the national procedures meant.

``data/finder_eval.json`` holds the questions (a start from the unlabelled citizen questions
of ``Dichvucong-FAQ-Chatbot`` in the shared catalogue data, with and without diacritics, and
everyday questions written for the life events), each labelled with the national codes that
answer it (any of them counts: a procedure is often listed once per level or variant). The
catalogue they are asked of is the national export the importer reads
(``VIETNAM_AI_INNOVATION_CHALLENGE_2026/procedures_parsed.jsonl.gz``), indexed exactly as
:mod:`congso.catalog.index` indexes the database, with the seed phrasings
(``data/phrasings.json``) — no database needed. Used by ``bench/finder_bench.py`` and
``tests/catalog/test_finder_eval.py``.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from congso.catalog.finder import Phrasing, segmenter
from congso.catalog.index import CatalogueIndex, make_entry, ranked
from congso.catalog.search import prepare

DATA = Path(__file__).resolve().parent / "data"
EVAL_FILE = DATA / "finder_eval.json"
PHRASINGS_FILE = DATA / "phrasings.json"
EXPORT = Path("VIETNAM_AI_INNOVATION_CHALLENGE_2026") / "procedures_parsed.jsonl.gz"


def national_data_dir() -> Path:
    """Where the shared catalogue data is (``CONGSO_CATALOG_NATIONAL_DATA``, default
    ``../shared/catalog-data`` beside the repository)."""
    default = Path(__file__).resolve().parents[3] / "shared" / "catalog-data"
    return Path(os.environ.get("CONGSO_CATALOG_NATIONAL_DATA", str(default)))


def seed_phrasings() -> list[Phrasing]:
    rows = json.loads(PHRASINGS_FILE.read_text(encoding="utf-8"))["phrasings"]
    return [
        Phrasing(
            phrase=row["phrase"], means=row.get("means", ""), codes=tuple(row.get("codes", ()))
        )
        for row in rows
    ]


def national_index(data: Path | None = None) -> CatalogueIndex:
    """The national export as the catalogue index (every procedure active), with the seed
    phrasings."""
    path = (data or national_data_dir()) / EXPORT
    entries = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for pk, line in enumerate(lines, start=1):
            record = json.loads(line)
            entries.append(
                make_entry(
                    pk=pk,
                    code=record["ma_thu_tuc"],
                    name=record["ten_thu_tuc"],
                    field_name=record.get("linh_vuc") or "",
                )
            )
    index = CatalogueIndex(entries, seed_phrasings())
    segmenter.start(wait=True)  # the evaluation reads queries as a warm server does
    return index


@dataclass(frozen=True)
class Question:
    question: str
    codes: tuple[str, ...]


def questions() -> list[Question]:
    rows = json.loads(EVAL_FILE.read_text(encoding="utf-8"))["questions"]
    return [Question(row["q"], tuple(row["codes"])) for row in rows]


def answer(index: CatalogueIndex, query: str, *, limit: int = 5) -> list[str]:
    """The codes of the first ``limit`` procedures the catalogue search gives for ``query``."""
    prepared = prepare(query)
    if prepared is None:
        return []
    return [index.entries[position].code for position in ranked(index, query, prepared)[:limit]]


def evaluate(index: CatalogueIndex, asked: list[Question] | None = None) -> dict[str, Any]:
    """recall@1, recall@5, the query latency (each question asked once, after one warm-up
    query), and the questions missed at 5."""
    asked = asked if asked is not None else questions()
    answer(index, "đăng ký khai sinh")  # builds the finder
    first = five = 0
    times: list[float] = []
    missed = []
    for item in asked:
        started = time.perf_counter()
        codes = answer(index, item.question)
        times.append(time.perf_counter() - started)
        wanted = set(item.codes)
        first += bool(codes[:1] and codes[0] in wanted)
        hit = bool(wanted & set(codes))
        five += hit
        if not hit:
            missed.append({"q": item.question, "want": list(item.codes), "got": codes})
    ordered = sorted(times)
    count = max(len(asked), 1)
    return {
        "questions": len(asked),
        "recall_at_1": round(first / count, 3),
        "recall_at_5": round(five / count, 3),
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 2) if ordered else 0.0,
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000, 2)
        if ordered
        else 0.0,
        "missed": missed,
    }
