"""What the pages do not answer: refused and low-confidence questions, scrubbed, kept a
while in SQLite, and reported to staff grouped by topic.

Only the adapters record (the web UI's chat, ``assistant ask`` and ``assistant chat``): the
``Assistant`` core, the evals and the benchmarks never do. A row holds the question and the
question as understood after a follow-up, both with personal data masked by
:mod:`assistant.serving.scrub` (e-mail addresses, also spelled out; phone numbers; IBANs and
ID numbers; birth dates; street addresses; person names, lower case too, with the office's
contacts and the pages' places left readable), the answer language, the closest
sources (document, section, relevance), the reader's answerability probability, whether it
was a refusal or a low-confidence answer, and the time (UTC). Nothing about the person: no
IP address, no cookie, no session id. Rows older than the retention are deleted when the
log opens and once a day after.

The thresholds are data (``assistant/data/unanswered.json``, per embedder, fitted by
``benchmarks/fit_reader.py`` and ``benchmarks/fit_unanswered.py``): ``low_confidence`` with
the reader, on the training questions out of fold, ``grouping`` on the labelled questions of
``tests/data/unanswered_topics.yaml``.

This module holds the log (recording, retention, CSV export) and the thresholds; the
masking is in :mod:`assistant.serving.scrub`, the report grouped by topic in
:mod:`assistant.serving.unanswered_report`.
"""

from __future__ import annotations

import csv
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from assistant.guard import check_question
from assistant.records import Answer
from assistant.resources import DATA
from assistant.serving.feedback import _safe_cell
from assistant.serving.scrub import Scrubber

log = logging.getLogger(__name__)

REFUSAL, LOW_CONFIDENCE = "refusal", "low_confidence"
KINDS = (REFUSAL, LOW_CONFIDENCE)
COLUMNS = (
    "id",
    "created_at",
    "kind",
    "question",
    "resolved_question",
    "language",
    "confidence",
    "sources",
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS unanswered (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('refusal', 'low_confidence')),
    question TEXT NOT NULL,
    resolved_question TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL,
    confidence REAL,
    sources TEXT NOT NULL
)
"""
PURGE_EVERY_S = 24 * 3600


# --- thresholds ------------------------------------------------------------------------
@dataclass(frozen=True)
class Thresholds:
    """The measured thresholds for one embedder (None: not measured for it)."""

    low_confidence: float | None
    grouping: float | None


def load_thresholds(embedder: str, path: Path | None = None) -> Thresholds:
    """The thresholds stored for ``embedder`` in ``assistant/data/unanswered.json``."""
    path = path or DATA / "unanswered.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    entry = data.get(embedder, {})
    low = entry.get("low_confidence", {}).get("threshold")
    group = entry.get("grouping", {}).get("threshold")
    return Thresholds(None if low is None else float(low), None if group is None else float(group))


def kind_of(answer: Answer, low_confidence: float | None, max_chars: int = 500) -> str | None:
    """``refusal``, ``low_confidence`` or None (answered confidently, or turned away by the
    input guard: empty, wordless or overlong questions are not what the pages miss)."""
    if check_question(answer.question, max_chars).problem:
        return None
    if answer.abstained:
        return REFUSAL
    conf = answer.confidence
    if low_confidence is not None and conf is not None and conf < low_confidence:
        return LOW_CONFIDENCE
    return None


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds")


# --- the log ---------------------------------------------------------------------------
class UnansweredLog:
    """The rows at ``path`` (SQLite, created with its folder on first use). One connection,
    shared by threads under a lock; WAL journal, so a row costs no disk flush."""

    def __init__(
        self,
        path: Path,
        scrubber: Scrubber,
        retention_days: int = 90,
        low_confidence: float | None = None,
        max_chars: int = 500,
    ) -> None:
        self.path = Path(path)
        self.max_chars = max_chars
        self.scrubber = scrubber
        self.retention_days = retention_days
        self.low_confidence = low_confidence
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
        self._con.row_factory = sqlite3.Row
        with self._lock, self._con:
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._con.execute(_SCHEMA)
        self._purged = 0.0
        self.purge()

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def purge(self, now: datetime | None = None) -> int:
        """Delete the rows older than the retention; returns how many."""
        cutoff = _stamp((now or _now()) - timedelta(days=self.retention_days))
        with self._lock, self._con:
            n = self._con.execute("DELETE FROM unanswered WHERE created_at < ?", (cutoff,)).rowcount
        self._purged = time.monotonic()
        return n

    def record(self, answer: Answer, now: datetime | None = None) -> str | None:
        """Store ``answer`` when it is a refusal or a low-confidence answer; returns its kind
        (None: nothing stored)."""
        kind = kind_of(answer, self.low_confidence, self.max_chars)
        if kind is None:
            return None
        if time.monotonic() - self._purged > PURGE_EVERY_S:
            self.purge()
        sources = [{k: s.get(k) for k in ("doc", "section", "relevance")} for s in answer.closest]
        row = (
            _stamp(now or _now()),
            kind,
            self.scrubber.scrub(answer.question),
            self.scrubber.scrub(answer.resolved_question),
            answer.language,
            None if answer.confidence is None else round(float(answer.confidence), 4),
            json.dumps(sources, ensure_ascii=False),
        )
        with self._lock, self._con:
            self._con.execute(
                "INSERT INTO unanswered (created_at, kind, question, resolved_question, "
                "language, confidence, sources) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        return kind

    def rows(self, days: int | None = None, now: datetime | None = None) -> list[dict[str, Any]]:
        """The rows (of the last ``days`` days), oldest first; ``sources`` parsed."""
        since = "" if days is None else _stamp((now or _now()) - timedelta(days=days))
        with self._lock:
            found = self._con.execute(
                f"SELECT {', '.join(COLUMNS)} FROM unanswered WHERE created_at >= ? ORDER BY id",
                (since,),
            ).fetchall()
        return [{**dict(r), "sources": json.loads(r["sources"])} for r in found]

    def export_csv(self, out: IO[str], days: int | None = None) -> int:
        """Every row as CSV (sources as JSON text), formula-like cells escaped as in the
        feedback export; returns the number of rows."""
        rows = self.rows(days)
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in rows:
            cells = [
                json.dumps(row[c], ensure_ascii=False) if c == "sources" else row[c]
                for c in COLUMNS
            ]
            writer.writerow([_safe_cell(v) for v in cells])
        return len(rows)


def open_log(
    settings: Any,
    embedder: str,
    corpus_texts: Iterable[str] | Callable[[], Iterable[str]] | None = None,
    places: Iterable[str] = (),
):
    """The log of ``settings`` (``unanswered.sqlite3`` in its data folder), or None when
    ``ASSISTANT_RECORD_UNANSWERED`` is off. ``corpus_texts`` default: the corpus folder's
    documents (unreadable → no names are known, so every name is masked); ``places``: the
    place names the pages list, which stay readable."""
    if not settings.record_unanswered:
        return None
    if corpus_texts is None:
        from assistant.documents.corpus import load_corpus

        try:
            corpus_texts = [d.text for d in load_corpus(settings.corpus_dir)]
        except Exception:
            corpus_texts = []
    return UnansweredLog(
        settings.unanswered_path,
        Scrubber(corpus_texts, places),
        settings.unanswered_retention_days,
        load_thresholds(embedder).low_confidence,
        settings.max_question_chars,
    )


def assistant_corpus(assistant: Any) -> Callable[[], list[str]] | None:
    """The texts of the chunks an ``Assistant`` answers from, as a function called when they
    are first needed (None for other objects)."""
    chunks = getattr(getattr(assistant, "retriever", None), "chunks", None)
    return None if chunks is None else lambda: [c.passage_text for c in chunks.values()]


def safe_record(unanswered: UnansweredLog | None, answer: Answer) -> None:
    """Record without ever failing the answer: an error is logged (without the question)."""
    if unanswered is None:
        return
    try:
        unanswered.record(answer)
    except Exception as exc:
        log.error("recording an unanswered question failed: %s", type(exc).__name__)
