"""What the pages do not answer: refused and low-confidence questions, scrubbed, kept a
while in SQLite, and reported to staff grouped by topic.

Only the adapters record (the web UI's chat, ``assistant ask`` and ``assistant chat``): the
``Assistant`` core, the evals and the benchmarks never do. A row holds the question and the
question as understood after a follow-up, both with personal data masked (e-mail addresses,
phone numbers, long digit runs, IBANs, and names: a first name of
``assistant/data/first_names.yaml`` with a capitalised surname that no corpus page writes, or
a title such as "Frau"/"Mr" with a surname no page writes), the answer language, the closest
sources (document, section, relevance), the reader's answerability probability, whether it
was a refusal or a low-confidence answer, and the time (UTC). Nothing about the person: no
IP address, no cookie, no session id. Rows older than the retention are deleted when the
log opens and once a day after.

The thresholds are data (``assistant/data/unanswered.json``, per embedder, fitted by
``benchmarks/fit_unanswered.py``): ``low_confidence`` on the eval dev split, ``grouping`` on
the labelled questions of ``tests/data/unanswered_topics.yaml``.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

import numpy as np

from assistant.guard import check_question
from assistant.records import Answer
from assistant.resources import DATA, load_data
from assistant.serving.feedback import _safe_cell

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
EXAMPLES = 3
MASKS = {"email": "[E-Mail]", "phone": "[Telefon]", "number": "[Nummer]", "name": "[Name]"}

# --- scrubbing -------------------------------------------------------------------------
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00|0|\(0)[\d ()/.\-]{4,}\d")
_GROUPS = re.compile(r"\b\d{3,}(?:[ ./-]\d{3,}){2,}\b")  # card and account numbers
_DIGITS = re.compile(r"\d{6,}")
_CAPITALISED = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’-]+")
_WORD = re.compile(r"[\w'’-]+")
_TITLES = frozenset({"frau", "herr", "herrn", "mr", "mrs", "ms", "miss", "dr", "prof"})


@cache
def first_names() -> frozenset[str]:
    """The first names of ``assistant/data/first_names.yaml``, lower-cased."""
    return frozenset(n.lower() for n in load_data("first_names.yaml")["names"])


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


class Scrubber:
    """Masks personal data in a question; names that a corpus page writes are kept (the
    office's contacts are public)."""

    def __init__(self, corpus_texts: Iterable[str]) -> None:
        self.words: set[str] = set()
        self.pairs: set[tuple[str, str]] = set()
        for text in corpus_texts:
            words = _words(text)
            self.words.update(words)
            self.pairs.update(pairwise(words))

    def scrub(self, text: str) -> str:
        text = _EMAIL.sub(MASKS["email"], text)
        text = _IBAN.sub(MASKS["number"], text)
        text = _PHONE.sub(_phone, text)
        text = _GROUPS.sub(MASKS["number"], text)
        text = _DIGITS.sub(MASKS["number"], text)
        return self._names(text)

    def _names(self, text: str) -> str:
        found = list(_CAPITALISED.finditer(text))
        names = first_names()
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(found) - 1:
            first, nxt = found[i], found[i + 1]
            adjacent = text[first.end() : nxt.start()].isspace()
            head = first[0].lower().rstrip(".")
            if adjacent and (head in names or head.split("-")[0] in names):
                last = i + 1
                if (
                    last + 1 < len(found)
                    and found[last][0].lower() in names
                    and text[found[last].end() : found[last + 1].start()].isspace()
                ):
                    last += 1  # a middle name: Anna Maria Müller
                surname = _words(found[last][0])
                pair = (head, surname[0] if surname else "")
                if pair not in self.pairs:
                    spans.append((first.start(), found[last].end()))
                i = last + 1
                continue
            titled = text[first.end() : nxt.start()].lstrip(".").isspace()  # "Dr. Xy"
            surname = nxt[0].lower()
            if titled and head in _TITLES and surname not in _TITLES and surname not in self.words:
                spans.append((nxt.start(), nxt.end()))
                i += 2
                continue
            i += 1
        for start, end in reversed(spans):
            text = text[:start] + MASKS["name"] + text[end:]
        return text


def _phone(m: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in m[0])
    return MASKS["phone"] if digits >= 6 else m[0]


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


def open_log(settings: Any, embedder: str, corpus_texts: Iterable[str] | None = None):
    """The log of ``settings`` (``unanswered.sqlite3`` in its data folder), or None when
    ``ASSISTANT_RECORD_UNANSWERED`` is off. ``corpus_texts`` default: the corpus folder's
    documents (unreadable → no names are known, so every name is masked)."""
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
        Scrubber(corpus_texts),
        settings.unanswered_retention_days,
        load_thresholds(embedder).low_confidence,
        settings.max_question_chars,
    )


def assistant_corpus(assistant: Any) -> list[str] | None:
    """The texts of the chunks an ``Assistant`` answers from (None for other objects)."""
    chunks = getattr(getattr(assistant, "retriever", None), "chunks", None)
    return None if chunks is None else [c.passage_text for c in chunks.values()]


def safe_record(unanswered: UnansweredLog | None, answer: Answer) -> None:
    """Record without ever failing the answer: an error is logged (without the question)."""
    if unanswered is None:
        return
    try:
        unanswered.record(answer)
    except Exception as exc:
        log.error("recording an unanswered question failed: %s", type(exc).__name__)


# --- grouping and the report -------------------------------------------------------------
@dataclass
class Group:
    count: int
    examples: list[str]
    last: str  # date (UTC) of the newest question
    kinds: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)  # the closest sources most often


def cluster(vectors: np.ndarray, threshold: float | None) -> list[int]:
    """A label per vector: average-linkage groups, whose vectors have a mean cosine similarity
    of at least ``threshold`` to each other (None: every vector alone)."""
    n = len(vectors)
    if n < 2 or threshold is None:
        return list(range(n))
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist

    distances = np.clip(pdist(np.asarray(vectors, dtype=np.float64), "cosine"), 0.0, 2.0)
    tree = linkage(distances, method="average")
    return [int(k) for k in fcluster(tree, t=1.0 - threshold, criterion="distance")]


@cache
def _not_topic() -> frozenset[str]:
    from assistant.language.words import stopwords

    return stopwords() | frozenset(load_data("wordlists.yaml")["generic"])


def topic_text(question: str) -> str:
    """What a question is about: its words without stop words and the words every question
    here shares (city, twin town …), so that "Gibt es …" / "Where can I …" do not group
    questions. Measured on the labelled set: pairwise F1 0.78 instead of 0.36 for the whole
    question (``benchmarks/fit_unanswered.py``)."""
    from assistant.language.words import fold_words

    drop = _not_topic()
    kept = [w for w in _WORD.findall(question) if not set(fold_words(w)) <= drop]
    return " ".join(kept) or question


_VECTORS: dict[tuple[str, str], np.ndarray] = {}  # (embedder, topic text) → vector
_VECTORS_MAX = 20_000


def embed_questions(embedder: Any, texts: Sequence[str]) -> np.ndarray:
    """Questions embedded for grouping: their topic words, as queries (each text once; a
    report shown again embeds only the questions asked since)."""
    name = getattr(embedder, "name", "")
    topics = [topic_text(t) for t in texts]
    new = sorted({t for t in topics if (name, t) not in _VECTORS})
    if new:
        if len(_VECTORS) + len(new) > _VECTORS_MAX:
            _VECTORS.clear()
        for t, v in zip(new, embedder.embed_queries(new), strict=True):
            _VECTORS[(name, t)] = np.asarray(v, dtype=np.float32)
    return np.stack([_VECTORS[(name, t)] for t in topics])


def group_rows(rows: Sequence[dict[str, Any]], embedder: Any, threshold: float | None) -> list:
    """The rows grouped by topic (largest group first, then the newest)."""
    if not rows:
        return []
    vectors = embed_questions(embedder, [r["resolved_question"] or r["question"] for r in rows])
    members: dict[int, list[dict[str, Any]]] = {}
    for label, row in zip(cluster(vectors, threshold), rows, strict=True):
        members.setdefault(label, []).append(row)
    groups = []
    for items in members.values():
        newest = sorted(items, key=lambda r: (r["created_at"], r["id"]), reverse=True)
        examples: list[str] = []
        for r in newest:
            if r["question"] not in examples and len(examples) < EXAMPLES:
                examples.append(r["question"])
        sources = Counter(
            f"{s['doc']} › {s['section']}" for r in items for s in r["sources"][:1] if s
        )
        groups.append(
            Group(
                count=len(items),
                examples=examples,
                last=newest[0]["created_at"][:10],
                kinds=dict(Counter(r["kind"] for r in items)),
                languages=dict(Counter(r["language"] for r in items)),
                sources=[s for s, _ in sources.most_common(2)],
            )
        )
    groups.sort(key=lambda g: g.last, reverse=True)
    return sorted(groups, key=lambda g: -g.count)  # stable: the newest first within a count


def report(unanswered: UnansweredLog, embedder: Any, days: int | None = None) -> dict[str, Any]:
    """The report: the groups of the last ``days`` days (all kept rows when None)."""
    rows = unanswered.rows(days)
    threshold = load_thresholds(embedder.name).grouping
    groups = group_rows(rows, embedder, threshold)
    return {
        "days": days,
        "questions": len(rows),
        "embedder": embedder.name,
        "grouping_threshold": threshold,
        "groups": [asdict(g) for g in groups],
    }


def render_text(data: dict[str, Any], texts: dict[str, str]) -> str:
    """The report as plain text, in the words of ``texts`` (``unanswered_*`` of ui_*.yaml)."""
    lines = [texts["unanswered_summary"].format(n=data["questions"], groups=len(data["groups"]))]
    if data["grouping_threshold"] is None:
        lines.append(texts["unanswered_ungrouped"].format(embedder=data["embedder"]))
    for i, g in enumerate(data["groups"], 1):
        lines.append("")
        lines.append(texts["unanswered_group"].format(i=i, count=g["count"], last=g["last"]))
        lines += [f"  – {q}" for q in g["examples"]]
        if g["sources"]:
            lines.append("  " + texts["unanswered_sources"].format(sources="; ".join(g["sources"])))
    return "\n".join(lines)
