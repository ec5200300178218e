"""The unanswered questions grouped by topic for staff: each question reduced to its topic
words, embedded, grouped at the measured threshold, and reported (as a dict for the staff
tab and the command line, or as plain text).

Grouping is incremental (:class:`TopicGroups`): a row is grouped once and keeps its group.
New rows go in batches of at most ``LINKAGE_BATCH``; each joins the group its vector is on
average most similar to, when that mean similarity reaches the threshold (one matrix product
with the groups' mean vectors: the mean cosine of a vector to a group's members is its dot
product with their mean), and the rest are grouped among themselves by average linkage into
new groups. A log that fits one batch is grouped exactly as by average linkage over all its
rows; a larger one costs time and memory linear in its rows (batches of bounded size, at
most ``MAX_GROUPS`` groups), never the square. The staff app groups at most
``MAX_NEW_PER_REPORT`` new rows per report, so a report takes bounded time; the rest are
counted as not grouped yet and follow at the next refresh. Its embedding goes one text per
call with a pause after each (``STAFF_PAUSE``), so citizens' questions, embedded on the same
engine thread, wait for one short text at most and find the engine free half the time.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

import numpy as np

from assistant.resources import load_data
from assistant.serving.scrub import _WORD
from assistant.serving.unanswered import UnansweredLog, load_thresholds

EXAMPLES = 3
LINKAGE_BATCH = 256  # rows grouped among themselves at once: 256² / 2 distances at most
MAX_GROUPS = 2000  # beyond it, a row far from every group joins the nearest one
MAX_LABELS = 200_000  # rows remembered; beyond it grouping starts afresh
MAX_NEW_PER_REPORT = 200  # new rows a staff report groups (about 8 s, pauses included)
# Texts per call of the embedder: the engine serves waiting citizens' questions between
# two calls, so a question waits for at most this many texts of a report (about 20 ms each).
EMBED_BATCH = 1
# A staff report pauses this long after each call, relative to the call: the report takes
# at most half of the engine's time (and of a core), the rest stays free for citizens.
STAFF_PAUSE = 1.0


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


def embed_questions(embedder: Any, texts: Sequence[str], pause: float = 0.0) -> np.ndarray:
    """Questions embedded for grouping: their topic words, as queries (each text once; a
    report shown again embeds only the questions asked since). ``pause``: after each call
    of the embedder, wait this multiple of its time (the staff report's share of the
    engine)."""
    name = getattr(embedder, "name", "")
    inner = getattr(embedder, "inner", embedder)  # citizens' cached question vectors stay
    topics = [topic_text(t) for t in texts]
    new = sorted({t for t in topics if (name, t) not in _VECTORS})
    if len(_VECTORS) + len(new) > _VECTORS_MAX:
        _VECTORS.clear()
        new = sorted(set(topics))
    found = {}
    step = EMBED_BATCH if pause > 0 else 32  # small calls beside citizens: they go between
    for start in range(0, len(new), step):
        batch = new[start : start + step]
        t0 = time.perf_counter()
        for t, v in zip(batch, inner.embed_queries(batch), strict=True):
            found[t] = _VECTORS[(name, t)] = np.asarray(v, dtype=np.float32)
        if pause > 0:
            time.sleep((time.perf_counter() - t0) * pause)
    return np.stack([found.get(t, _VECTORS.get((name, t))) for t in topics])


class TopicGroups:
    """Rows grouped by topic as they come, remembered by row id (see the module's text).

    One report at a time changes it (its own lock; never the assistant's)."""

    def __init__(self, threshold: float | None = None, embedder_name: str = "") -> None:
        self.lock = threading.Lock()
        self.reset(threshold, embedder_name)

    def reset(self, threshold: float | None, embedder_name: str) -> None:
        """Forget every group: start afresh for ``threshold`` and the embedder named."""
        self.threshold = threshold
        self.embedder_name = embedder_name
        self.labels: dict[int, int] = {}  # row id → group
        # per group: the sum of its members' vectors and their count, in arrays that double
        # when full (the first ``self._n`` rows are groups)
        self._sums: np.ndarray | None = None
        self._counts = np.zeros(0, dtype=np.int64)
        self._n = 0
        self._next = 0  # labels when every row stands alone (no threshold)

    @property
    def groups(self) -> int:
        return self._n if self.threshold is not None else self._next

    def _means(self) -> np.ndarray:
        assert self._sums is not None
        return self._sums[: self._n] / self._counts[: self._n, None]

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Group the rows ``ids`` (not grouped before) with their ``vectors``."""
        if len(self.labels) + len(ids) > MAX_LABELS:
            self.reset(self.threshold, self.embedder_name)
        if self.threshold is None:
            for row_id in ids:
                self.labels[int(row_id)] = self._next
                self._next += 1
            return
        vectors = np.asarray(vectors, dtype=np.float32)
        for start in range(0, len(ids), LINKAGE_BATCH):
            self._add_batch(
                ids[start : start + LINKAGE_BATCH], vectors[start : start + LINKAGE_BATCH]
            )

    def _add_batch(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        assert self.threshold is not None
        rest = list(range(len(ids)))
        if self._n:
            similarity = vectors @ self._means().T  # one product: (batch, groups)
            best = similarity.argmax(axis=1)
            joined = similarity[np.arange(len(ids)), best] >= self.threshold
            for i in np.flatnonzero(joined):
                self._join(ids[i], vectors[i], int(best[i]))
            rest = [i for i in rest if not joined[i]]
        members: dict[int, list[int]] = {}
        for label, i in zip(cluster(vectors[rest], self.threshold), rest, strict=True):
            members.setdefault(label, []).append(i)
        for items in members.values():
            group = self._new_group(vectors[items])
            for i in items:
                self._join(ids[i], vectors[i], group)

    def _new_group(self, vectors: np.ndarray) -> int:
        """A new group for these vectors (empty yet), or the nearest one when at the cap."""
        if self._n >= MAX_GROUPS:
            return int((vectors.mean(axis=0) @ self._means().T).argmax())
        if self._sums is None or self._n == len(self._counts):
            size = min(max(2 * self._n, 16), MAX_GROUPS)
            sums = np.zeros((size, vectors.shape[1]), dtype=np.float64)
            counts = np.zeros(size, dtype=np.int64)
            if self._sums is not None:
                sums[: self._n], counts[: self._n] = self._sums[: self._n], self._counts[: self._n]
            self._sums, self._counts = sums, counts
        self._n += 1
        return self._n - 1

    def _join(self, row_id: int, vector: np.ndarray, group: int) -> None:
        assert self._sums is not None
        self._sums[group] += vector
        self._counts[group] += 1
        self.labels[int(row_id)] = group


def _question(row: dict[str, Any]) -> str:
    return row["resolved_question"] or row["question"]


def update_groups(
    topics: TopicGroups,
    rows: Sequence[dict[str, Any]],
    embedder: Any,
    most: int | None = None,
    pause: float = 0.0,
) -> int:
    """Group the rows ``topics`` has not grouped yet, the oldest ``most`` of them (None:
    all); returns how many remain ungrouped. ``pause``: see :func:`embed_questions`."""
    new = [r for r in rows if r["id"] not in topics.labels]
    now = new if most is None else new[:most]
    if now:
        vectors = embed_questions(embedder, [_question(r) for r in now], pause)
        topics.add([r["id"] for r in now], vectors)
    return len(new) - len(now)


def group_rows(
    rows: Sequence[dict[str, Any]],
    embedder: Any,
    threshold: float | None,
    topics: TopicGroups | None = None,
) -> list:
    """The rows grouped by topic (largest group first, then the newest); ``topics``: the
    groups kept from earlier reports (rows it has not grouped are left out)."""
    if topics is None:
        topics = TopicGroups(threshold, getattr(embedder, "name", ""))
        update_groups(topics, rows, embedder)
    members: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        label = topics.labels.get(row["id"])
        if label is not None:
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


def report(
    unanswered: UnansweredLog,
    embedder: Any,
    days: int | None = None,
    topics: TopicGroups | None = None,
    most: int | None = None,
    pause: float = 0.0,
) -> dict[str, Any]:
    """The report: the groups of the last ``days`` days (all kept rows when None).

    ``topics``: groups kept between reports (the staff app's; started afresh when made for
    another embedder or threshold, a new one when None); ``most``: at most this many new
    rows are grouped now, the others are counted as ``pending``; ``pause``: the embedder's
    share left to others (:func:`embed_questions`). Never takes the assistant's lock."""
    rows = unanswered.rows(days)
    threshold = load_thresholds(embedder.name).grouping
    topics = topics or TopicGroups(threshold, embedder.name)
    with topics.lock:
        if (topics.embedder_name, topics.threshold) != (embedder.name, threshold):
            topics.reset(threshold, embedder.name)
        pending = update_groups(topics, rows, embedder, most, pause)
        groups = group_rows(rows, embedder, threshold, topics)
    return {
        "days": days,
        "questions": len(rows),
        "pending": pending,
        "embedder": embedder.name,
        "grouping_threshold": threshold,
        "groups": [asdict(g) for g in groups],
    }


def render_text(data: dict[str, Any], texts: dict[str, str]) -> str:
    """The report as plain text, in the words of ``texts`` (``unanswered_*`` of ui_*.yaml)."""
    lines = [texts["unanswered_summary"].format(n=data["questions"], groups=len(data["groups"]))]
    if data.get("pending"):
        lines.append(texts["unanswered_pending"].format(n=data["pending"]))
    if data["grouping_threshold"] is None:
        lines.append(texts["unanswered_ungrouped"].format(embedder=data["embedder"]))
    for i, g in enumerate(data["groups"], 1):
        lines.append("")
        lines.append(texts["unanswered_group"].format(i=i, count=g["count"], last=g["last"]))
        lines += [f"  – {q}" for q in g["examples"]]
        if g["sources"]:
            lines.append("  " + texts["unanswered_sources"].format(sources="; ".join(g["sources"])))
    return "\n".join(lines)
