"""General features of a (question, unit) pair, for the learned scorer.

None of them knows a word of a particular corpus: similarity of the question's and the unit's
vectors, how much of the question's weighted concepts the unit (or what stands above it)
holds, whether it holds the kind of answer asked for and the names asked about, where its
passage ranked, and what kind of unit it is.
"""

from __future__ import annotations

import math

import numpy as np

from assistant.answering.reader.candidates import (
    Candidate,
    held_for,
    held_share,
    words_of,
)
from assistant.answering.reader.held import held_types, starts
from assistant.answering.reader.question import Analysis
from assistant.answering.reader.types import HARD, SATISFIED_BY
from assistant.answering.reader.units import KINDS

FEATURES = (
    "dense_unit",
    "dense_unit_gap",
    "dense_passage",
    "rank_inverse",
    "fused_share",
    "relevance",
    "lexical",
    "lexical_gap",
    "lexical_own",
    "lexical_passage",
    "missing_weight",
    "unknown_share",
    "absent_share",
    "known_share",
    "has_names",
    "names_held",
    "names_held_own",
    "names_nowhere",
    "unknown_names",
    "type_asked",
    "type_fit",
    "hard_type_asked",
    "hard_type_fit",
    "type_fit_passage",
    "type_fit_names",
    "complete",
    "focus_held",
    "since_start",
    "since_no_start",
    "next_type_fit",
    "yes_no",
    "first_unit",
    "length",
    "asks",
    "other_city_page",
    "other_city_not_yes_no",
    "named_city_page",
    *(f"kind_{k}" for k in KINDS),
)


# The direction each feature may push a unit's score (+1 up, -1 down, 0 either way); the
# scorer is fitted under these signs, so that two features that move together cannot end up
# pulling against each other. Features that are the same for every unit of a question
# (None) say nothing about which unit answers it; only answerability reads them.
SIGNS: dict[str, int | None] = {
    "dense_unit": 1,
    "dense_unit_gap": 1,
    "dense_passage": 0,
    "rank_inverse": 1,
    "fused_share": 1,
    "relevance": 1,
    "lexical": 1,
    "lexical_gap": 1,
    "lexical_own": 1,
    "lexical_passage": 1,
    "missing_weight": -1,
    "unknown_share": None,
    "absent_share": None,
    "known_share": None,
    "has_names": None,
    "names_held": 1,
    "names_held_own": 1,
    "names_nowhere": None,
    "unknown_names": None,
    "type_asked": None,
    "type_fit": 1,
    "hard_type_asked": None,
    "hard_type_fit": 1,
    "type_fit_passage": 1,
    "type_fit_names": 1,
    "complete": 1,
    "focus_held": 1,
    "since_start": 1,
    "since_no_start": -1,
    "next_type_fit": 0,
    "yes_no": None,
    "first_unit": 0,
    "length": 0,
    "asks": -1,
    "other_city_page": -1,
    "other_city_not_yes_no": -1,
    "named_city_page": 1,
    **{f"kind_{k}": 0 for k in KINDS},
}


def _coverage(c: Candidate, concepts, own: bool = False) -> float:
    total = sum(k.weight for k in concepts)
    if not total:
        return 0.0
    if own:
        return sum(k.weight for k in concepts if k.words & c.words) / total
    return sum(k.weight * held_share(c, k.words) for k in concepts) / total


def _type_fit(asked: frozenset[str], held: frozenset[str]) -> float:
    return sum(bool(SATISFIED_BY[t] & held) for t in asked) / len(asked) if asked else 0.0


_HARD_FIT = FEATURES.index("hard_type_fit")


def hard_type_fit(c: Candidate) -> float:
    """The share of the typed kinds a question asks for (a year, a count …) that a scored
    unit holds."""
    return 0.0 if c.features is None else float(c.features[_HARD_FIT])


def featurize(
    q: Analysis,
    candidates: list[Candidate],
    dense_units: np.ndarray,
    dense_passages: dict[str, float],
    doc_cities: dict[str, str],
    home: str | None,
) -> np.ndarray:
    """The feature matrix (one row per candidate, columns ``FEATURES``)."""
    if not candidates:
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    known = [k for k in q.concepts if k.known]
    total_weight = sum(k.weight for k in q.concepts) or 1.0
    unknown_share = sum(k.weight for k in q.concepts if not k.known and not k.absent)
    unknown_share /= total_weight
    absent_share = sum(k.weight for k in q.concepts if k.absent) / total_weight
    known_share = sum(k.weight for k in known) / total_weight if q.concepts else 0.0
    names = q.names
    top_score = max(c.passage.score for c in candidates) or 1.0
    lexical = [_coverage(c, known) for c in candidates]
    topic = [k for k in known if not k.name and k.thing and not k.generic]
    # the focus: the rarest thing the question names that is no place (a role, an
    # organisation, an event: "mayor", "Partnerschaftsverein"), known to the pages or not
    focus_pool = [
        k
        for k in q.concepts
        if (k.thing or k.name or k.absent)
        and not k.generic
        and not set(k.word.split()) <= q.place_words
    ]
    focus = max(focus_pool, key=lambda k: k.weight, default=None)
    passage_words: dict[str, frozenset[str]] = {}
    for c in candidates:
        cid = c.passage.chunk.id
        if cid not in passage_words:
            chunk = c.passage.chunk
            passage_words[cid] = words_of(f"{chunk.title} {chunk.section}\n{chunk.passage_text}")
    passage_held: dict[str, frozenset[str]] = {}
    for c in candidates:
        passage_held[c.passage.chunk.id] = (
            passage_held.get(c.passage.chunk.id, frozenset()) | c.held
        )
    found_names = {
        k.word for k in names for c in candidates if k.words & (c.words | c.context_words)
    }
    names_nowhere = (len(names) - len(found_names)) / len(names) if names else 0.0
    best_dense, best_lexical = float(dense_units.max()), max(lexical)
    since = "since" in q.asked
    hard = q.constrained & HARD
    rows = []
    for i, c in enumerate(candidates):
        p = c.passage
        city = doc_cities.get(p.chunk.doc_id)
        other_city = float(bool(city and home and city != home and city not in q.cities))
        held_names = sum(held_share(c, k.words) for k in names) / len(names) if names else 0.0
        own_names = sum(bool(k.words & c.words) for k in names) / len(names) if names else 0.0
        held = held_for(q, c, c.unit.text, c.held)
        fit = _type_fit(q.constrained, held)
        # a start (seit, gegründet …) stated in the unit or in the line above its list
        started = starts(c.unit.text) or bool(c.unit.lead and starts(c.unit.lead))
        words_p = passage_words[p.chunk.id]
        missing = sum(k.weight for k in topic if not held_share(c, k.words)) / total_weight
        following = held_for(q, c, c.following, held_types(c.following)) if c.following else None
        next_fit = _type_fit(hard, following) if following is not None and hard else 0.0
        # everything the question asks in one place: the kind of answer (here or in the
        # sentence after), every name and every thing it names (here or just above)
        type_ok = not hard or max(_type_fit(hard, held), next_fit) == 1.0
        names_ok = all(held_share(c, k.words) > 0 for k in names)
        things_ok = all(held_share(c, k.words) > 0 for k in topic)
        complete = float(type_ok and names_ok and things_ok)
        focus_held = 1.0 if focus is None else held_share(c, focus.words) if focus.words else 0.0
        row = [
            float(dense_units[i]),
            float(dense_units[i]) - best_dense,
            dense_passages.get(p.chunk.id, 0.0),
            1.0 / p.rank,
            p.score / top_score,
            p.relevance if p.relevance is not None else 0.5,
            lexical[i],
            lexical[i] - best_lexical,
            _coverage(c, known, own=True),
            sum(k.weight for k in known if k.words & words_p) / total_weight,
            missing,
            unknown_share,
            absent_share,
            known_share,
            float(bool(names)),
            held_names,
            own_names,
            names_nowhere,
            min(2.0, float(len(q.unknown_names))),
            float(bool(q.constrained)),
            fit,
            float(bool(hard)),
            _type_fit(hard, held),
            _type_fit(q.constrained, passage_held[p.chunk.id]),
            fit * (held_names if names else 1.0),
            complete,
            focus_held,
            float(since and started),
            float(since and not started),
            next_fit,
            float("yes_no" in q.asked),
            float(c.unit.position == 0),
            math.log1p(len(c.unit.text)) / 6.0,
            float(c.unit.text.rstrip().endswith("?")),
            other_city,
            other_city * float("yes_no" not in q.asked),
            float(bool(city and city in q.cities)),
            *(float(c.unit.kind == k) for k in KINDS),
        ]
        rows.append(row)
    return np.asarray(rows, dtype=np.float32)
