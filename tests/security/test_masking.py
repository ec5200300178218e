"""Masking holds on the labelled questions of ``tests/data/pii_questions.jsonl``: person
names of many origins (capitalised, lower-case, after titles), street addresses, e-mail
addresses plain and spelled out, phone numbers, IBANs, ID and passport numbers and birth
dates are masked; place names, years, event dates and ordinary words stay readable; and
the eval questions (no personal data) are rarely touched.

A span counts as masked when none of its words is left in the scrubbed text (a word-level
diff of question and scrubbed text, so any scrubber that replaces spans can be measured).
"""

from __future__ import annotations

import difflib
import json
import re
import statistics
import time
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from assistant.documents.corpus import load_corpus
from assistant.serving.scrub import Scrubber

REPO = Path(__file__).resolve().parents[2]
SET = REPO / "tests" / "data" / "pii_questions.jsonl"
RECALL = {"email": 0.95, "phone": 0.95, "iban": 0.95, "id": 0.95, "address": 0.95}
RECALL |= {"name": 0.90, "birthdate": 0.90}
KEPT = 0.95  # share of the must-stay-readable spans (places, years, event dates) kept
EVAL_TOUCHED = 0.02  # share of eval questions where anything is masked (measured: 0.003)
MEDIAN_MS = 5.0  # per question (measured: about 0.6 ms)
_TOKEN = re.compile(r"\[[^\[\]\s]{1,20}\]|\w+|[^\w\s]")


def masked_offsets(question: str, scrubbed: str) -> set[int]:
    """The offsets of the question's word characters the scrubbed text no longer holds."""
    tokens = [(m.start(), m.end(), m[0]) for m in _TOKEN.finditer(question)]
    out = [m[0] for m in _TOKEN.finditer(scrubbed)]
    matcher = difflib.SequenceMatcher(None, [t for *_, t in tokens], out, autojunk=False)
    kept = {
        i
        for a, _, n in matcher.get_matching_blocks()
        for s, e, _ in tokens[a : a + n]
        for i in range(s, e)
    }
    return {i for s, e, _ in tokens for i in range(s, e)} - kept


def _word_offsets(question: str, span: str) -> set[int]:
    start = question.index(span)
    return {start + i for m in re.finditer(r"\w+", span) for i in range(m.start(), m.end())}


@cache
def rows() -> list[dict]:
    return [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line]


@cache
def corpus_scrubber(corpus: Path = REPO / "corpus") -> Scrubber:
    return Scrubber([d.text for d in load_corpus(corpus)])


def measure(scrubber: Scrubber) -> tuple[dict[str, float], float, float, list[str]]:
    """Recall per kind, the share of readable spans kept, the median ms, and the misses."""
    hit, total, misses = Counter(), Counter(), []
    kept = readable = 0
    times = []
    for row in rows():
        question = row["question"]
        start = time.perf_counter()
        scrubbed = scrubber.scrub(question)
        times.append(time.perf_counter() - start)
        gone = masked_offsets(question, scrubbed)
        for span in row["mask"]:
            total[span["kind"]] += 1
            if _word_offsets(question, span["text"]) <= gone:
                hit[span["kind"]] += 1
            else:
                misses.append(f"{span['kind']} {span['text']!r}: {scrubbed}")
        for text in row["keep"]:
            readable += 1
            if not _word_offsets(question, text) & gone:
                kept += 1
            else:
                misses.append(f"kept {text!r}: {scrubbed}")
    recall = {kind: hit[kind] / total[kind] for kind in total}
    return recall, kept / readable, statistics.median(times) * 1000, misses


def test_the_set_is_large_bilingual_and_its_spans_occur():
    langs = Counter(row["lang"] for row in rows())
    assert len(rows()) >= 120 and min(langs["de"], langs["en"]) >= 55
    kinds = Counter(span["kind"] for row in rows() for span in row["mask"])
    assert set(kinds) == set(RECALL) and min(kinds.values()) >= 10
    assert sum(1 for row in rows() if not row["mask"]) >= 20  # questions with nothing to mask
    for row in rows():
        for text in [s["text"] for s in row["mask"]] + row["keep"]:
            assert text in row["question"], (row["id"], text)


def test_recall_per_kind_and_readable_places_meet_the_targets():
    assert corpus_scrubber().words  # gathered before timing
    recall, kept, median_ms, misses = measure(corpus_scrubber())
    low = {kind: round(r, 3) for kind, r in recall.items() if r < RECALL[kind]}
    assert not low, (low, misses)
    assert kept >= KEPT, (kept, misses)
    assert median_ms < MEDIAN_MS


def test_eval_questions_are_rarely_masked():
    """Each eval set's questions, scrubbed as over its own corpus (a set with a ``corpus``
    folder is about another city)."""
    touched = total = 0
    sets = sorted((REPO / "evals").glob("*/questions.jsonl"))
    for path in [*sets, REPO / "evals" / "questions.jsonl"]:
        corpus = path.parent / "corpus"
        scrubber = corpus_scrubber(corpus if corpus.is_dir() else REPO / "corpus")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                question = json.loads(line)["question"]
                total += 1
                touched += scrubber.scrub(question) != question
    assert total > 500
    assert touched / total <= EVAL_TOUCHED, (touched, total)


@pytest.mark.parametrize(
    ("question", "secret"),
    [
        ("Hat Olusegun Adebayo sich schon für die Reise angemeldet?", "Olusegun Adebayo"),
        ("my name is kevin schmidt, can I volunteer?", "kevin"),
        ("my name is kevin schmidt, can I volunteer?", "schmidt"),
        ("Please write to x dot y at gmail dot com about the exchange.", "gmail"),
        ("My passport no. is C01X00T47, is that enough?", "C01X00T47"),
        ("Ich bin geboren am 3.4.1987 – darf ich mitfahren?", "1987"),
        ("I was born 12 March 1990, can I join?", "1990"),
        ("Ich wohne in der Musterstraße 12, 12345 Musterstadt.", "Musterstraße 12"),
        ("Ich wohne in der Musterstraße 12, 12345 Musterstadt.", "12345"),
    ],
)
def test_the_probes_examples_are_masked(question, secret):
    assert secret not in Scrubber([]).scrub(question)


def test_known_places_stay_readable_when_given():
    question = "Hat Nowy Sącz Partnerschaften mit Ihnen?"
    assert "Sącz" not in Scrubber([]).scrub(question)  # unknown: taken for a name
    assert Scrubber([], places=["Nowy Sącz"]).scrub(question) == question
