"""The unanswered questions grouped by topic for staff: each question reduced to its topic
words, embedded, grouped by average linkage at the measured threshold, and reported (as a
dict for the staff tab and the command line, or as plain text).
"""

from __future__ import annotations

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
