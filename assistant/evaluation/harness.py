"""Eval harness: question sets, deterministic metrics, and the baseline gate.

Retrieval metrics come from the same retrieval the assistant uses (``Assistant.search``);
answer metrics from ``Assistant.ask`` (the JSON contract in the README), when it exists.

The question sets live in ``evals/``: the main set (``evals/*.jsonl``, German/English pairs
split into ``dev`` and ``test``) and one set per folder ``evals/<name>/`` holding a
``questions.jsonl``; a folder that also holds ``corpus/`` is answered over that corpus alone,
indexed into a temporary folder (:class:`SetAssistants`).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.documents.corpus import load_corpus
from assistant.language.textnorm import contains_folded

LANGS = ("de", "en")
CATEGORIES = (
    "contact",
    "partnership_year",
    "network",
    "campaign",
    "project",
    "dortmund",
    "survey",
    "multi_doc",
    "conflict",
    "spelling",
    "general",
    "unanswerable",
)
# Per-question outcomes the gate counts; each is True/False, or None where it does not apply.
OUTCOMES = (
    "hit1",
    "hit5",
    "answer_pass",
    "citation_ok",
    "abstained_ok",
    "false_refusal",
    "language_ok",
)
K_RETRIEVE = 10
MAIN_SET = "main"  # evals/*.jsonl, over the main corpus
MAIN_SPLITS = ("dev", "test")  # dev is tuned on; test is reported, never tuned on
ALL_SPLITS = "all"  # the whole set, in floors and the headline (no split may be called so)
QUESTIONS_FILE = "questions.jsonl"  # a set folder's questions
CORPUS_FOLDER = "corpus"  # a set folder's own corpus


@dataclass(frozen=True)
class Question:
    id: str
    pair_id: str
    lang: str
    question: str
    answerable: bool
    must_include: list[list[str]]
    gold: list[dict[str, str]]
    category: str
    split: str = ""  # "dev" (tuned on), "test" (reported, never tuned on), or a set's own name
    note: str = ""


class EvalDataError(ValueError):
    """A question set line is malformed; the message names file and line."""


@dataclass(frozen=True)
class QuestionSet:
    """A question set: its files, and the corpus its evidence and answers come from."""

    name: str
    files: tuple[Path, ...]
    corpus_dir: Path | None = None  # its own corpus, indexed apart; None: the main corpus

    @property
    def paired(self) -> bool:
        """Only the main set is written as German/English pairs."""
        return self.name == MAIN_SET

    def describe(self) -> str:
        corpus = "the main corpus" if self.corpus_dir is None else shown_path(self.corpus_dir)
        return f"{', '.join(shown_path(f) for f in self.files)} over {corpus}"


def shown_path(path: Path) -> str:
    """A path as a report shows it: relative to the working directory when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def discover_sets(evals_dir: Path) -> list[QuestionSet]:
    """The main set (``evals/*.jsonl``), then each folder ``evals/<name>/`` with a
    ``questions.jsonl``, by name; a folder with a ``corpus/`` is answered over that corpus."""
    if not evals_dir.is_dir():
        return []
    main = sorted(evals_dir.glob("*.jsonl"))
    sets = [QuestionSet(MAIN_SET, tuple(main))] if main else []
    for folder in sorted(p for p in evals_dir.iterdir() if p.is_dir()):
        questions = folder / QUESTIONS_FILE
        if not questions.is_file():
            continue
        if folder.name == MAIN_SET:
            raise EvalDataError(f"{folder}: {MAIN_SET!r} is the name of the main set")
        corpus = folder / CORPUS_FOLDER
        sets.append(QuestionSet(folder.name, (questions,), corpus if corpus.is_dir() else None))
    return sets


def folders_without_questions(evals_dir: Path) -> list[str]:
    """Folders of ``evals/`` that hold no ``questions.jsonl`` (yet), so are not sets."""
    if not evals_dir.is_dir():
        return []
    return sorted(
        p.name for p in evals_dir.iterdir() if p.is_dir() and not (p / QUESTIONS_FILE).is_file()
    )


def sets_for_files(files: Sequence[Path], evals_dir: Path) -> list[QuestionSet]:
    """Explicitly named files: a set folder's ``questions.jsonl`` is that set (with its own
    corpus, if it has one); all other files together are the main set, over the main corpus."""
    folders = {s.files[0].resolve(): s for s in discover_sets(evals_dir) if s.name != MAIN_SET}
    main: list[Path] = []
    named: list[QuestionSet] = []
    for path in files:
        qset = folders.get(Path(path).resolve())
        if qset is None:
            main.append(Path(path))
        elif qset not in named:
            named.append(qset)
    return ([QuestionSet(MAIN_SET, tuple(main))] if main else []) + named


def select_sets(sets: Sequence[QuestionSet], names: Sequence[str]) -> list[QuestionSet]:
    """The sets named (all when none is); an unknown name is an :class:`EvalDataError`."""
    if not names:
        return list(sets)
    known = {s.name: s for s in sets}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise EvalDataError(
            f"unknown question set {', '.join(map(repr, unknown))}; "
            f"the sets are: {', '.join(known) or 'none'}"
        )
    return [s for s in sets if s.name in names]


def load_corpus_texts(corpus_dir: Path) -> dict[str, str]:
    """Document id → text of a corpus folder, loaded as the index loads it."""
    return {d.id: d.text for d in load_corpus(corpus_dir)}


def validate_set(qset: QuestionSet, questions: list[Question], main_corpus: Path) -> list[str]:
    """Every problem of one set, each prefixed with the set's name; its evidence is checked
    against its own corpus, or the main corpus."""
    texts = load_corpus_texts(qset.corpus_dir or main_corpus)
    return [f"{qset.name}: {p}" for p in validate(questions, texts, paired=qset.paired)]


def load_questions(paths: Iterable[Path]) -> list[Question]:
    questions: list[Question] = []
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                questions.append(Question(**data))
            except (ValueError, TypeError) as exc:
                raise EvalDataError(f"{path}:{n}: {exc}") from exc
    return questions


def _schema_problems(q: Question) -> list[str]:
    """Problems of one question on its own: fields, types, answerability."""
    where = f"{q.id}:"
    problems: list[str] = []
    if not isinstance(q.id, str) or not q.id.strip():
        problems.append(f"{where} empty id")
    if not isinstance(q.pair_id, str) or not q.pair_id.strip():
        problems.append(f"{where} empty pair_id")
    if q.lang not in LANGS:
        problems.append(f"{where} lang {q.lang!r}")
    if q.category not in CATEGORIES:
        problems.append(f"{where} category {q.category!r}")
    if not isinstance(q.question, str) or not q.question.strip():
        problems.append(f"{where} empty question")
    if not isinstance(q.answerable, bool):
        problems.append(f"{where} answerable must be true or false")
    if not isinstance(q.split, str) or not q.split.strip():
        problems.append(f"{where} no split")
    elif q.split == ALL_SPLITS:
        problems.append(f"{where} split {ALL_SPLITS!r} is reserved for the whole set")
    groups_ok = isinstance(q.must_include, list) and all(
        isinstance(g, list) and g and all(isinstance(a, str) and a for a in g)
        for g in q.must_include
    )
    if not groups_ok:
        problems.append(f"{where} must_include must be a list of non-empty string lists")
    gold_ok = isinstance(q.gold, list) and all(
        isinstance(g, dict) and isinstance(g.get("doc"), str) and isinstance(g.get("evidence"), str)
        for g in q.gold
    )
    if not gold_ok:
        problems.append(f"{where} gold must be a list of {{doc, evidence}} strings")
    elif q.answerable and (not q.gold or not q.must_include):
        problems.append(f"{where} answerable but without gold or must_include")
    elif not q.answerable and (q.gold or q.must_include):
        problems.append(f"{where} unanswerable but with gold or must_include")
    return problems


def _evidence_problems(q: Question, corpus_texts: dict[str, str]) -> list[str]:
    """Gold documents that the corpus lacks, and evidence not verbatim in its document."""
    if not isinstance(q.gold, list):
        return []
    problems: list[str] = []
    for g in q.gold:
        if not isinstance(g, dict):
            continue
        doc, evidence = g.get("doc"), g.get("evidence", "")
        if doc not in corpus_texts:
            problems.append(f"{q.id}: unknown gold doc {doc!r}")
        elif not isinstance(evidence, str) or not evidence or evidence not in corpus_texts[doc]:
            problems.append(f"{q.id}: evidence not verbatim in {doc}: {str(evidence)[:50]!r}")
    return problems


def _pair_problems(questions: list[Question]) -> list[str]:
    """A paired set: one German and one English question per pair_id, alike in answerability,
    category and split, and every split one of :data:`MAIN_SPLITS`."""
    problems: list[str] = []
    pairs: dict[str, list[Question]] = {}
    for q in questions:
        pairs.setdefault(q.pair_id, []).append(q)
        if q.split and q.split not in MAIN_SPLITS:
            problems.append(f"{q.id}: split {q.split!r}, expected one of {', '.join(MAIN_SPLITS)}")
    for pair_id, members in pairs.items():
        langs = sorted(q.lang for q in members)
        if langs != ["de", "en"]:
            problems.append(f"pair {pair_id}: languages {langs}, expected one de and one en")
        elif len({(q.answerable, q.category) for q in members}) != 1:
            problems.append(f"pair {pair_id}: answerable/category differ between languages")
        elif len({q.split for q in members}) != 1:
            problems.append(f"pair {pair_id}: its questions are in different splits")
    return problems


def validate(
    questions: list[Question], corpus_texts: dict[str, str], paired: bool = True
) -> list[str]:
    """Every problem of a question set: schema, unique ids, split, verbatim evidence in
    ``corpus_texts`` (document id → text), and for a ``paired`` set its German/English pairs."""
    problems: list[str] = []
    ids = [q.id for q in questions]
    problems += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for q in questions:
        problems += _schema_problems(q)
        problems += _evidence_problems(q, corpus_texts)
    if paired:
        problems += _pair_problems(questions)
    return problems


def passage_has_gold(doc_id: str, text: str, q: Question) -> bool:
    """A passage (its section heading and text) of a gold document holds a gold evidence."""
    return any(g["doc"] == doc_id and g["evidence"] in text for g in q.gold)


def missing_groups(answer: str, q: Question) -> list[list[str]]:
    """The ``must_include`` groups of which no alternative is in the answer."""
    return [g for g in q.must_include if not any(contains_folded(answer, a) for a in g)]


def _answer_dict(answer: Any) -> dict[str, Any]:
    if isinstance(answer, dict):
        return answer
    return answer.to_dict()


@dataclass
class Outcome:
    q: Question
    first_hit: int | None = None  # 1-based rank of the first gold passage in the top 10
    retrieved: list[str] = field(default_factory=list)
    retrieve_ms: float = 0.0
    answer: dict[str, Any] | None = None
    missing: list[list[str]] = field(default_factory=list)
    values: dict[str, bool | None] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.q.id,
            "split": self.q.split,
            "lang": self.q.lang,
            "question": self.q.question,
            "category": self.q.category,
            "answerable": self.q.answerable,
            "first_hit": self.first_hit,
            "retrieved": self.retrieved[:5],
            **self.values,
        }
        if self.answer is not None:
            out["answer"] = self.answer.get("answer", "")
            out["abstained"] = self.answer.get("abstained")
            out["missing"] = self.missing
        return out


def evaluate_question(assistant: Any, q: Question, with_answers: bool) -> Outcome:
    out = Outcome(q)
    t0 = time.perf_counter()
    passages = assistant.search(q.question, K_RETRIEVE)
    out.retrieve_ms = (time.perf_counter() - t0) * 1000
    out.retrieved = [p.chunk.id for p in passages]
    if q.answerable:
        hits = [
            p.rank
            for p in passages
            if passage_has_gold(p.chunk.doc_id, f"{p.chunk.section}\n{p.chunk.passage_text}", q)
        ]
        out.first_hit = min(hits) if hits else None
        out.values["hit1"] = out.first_hit == 1
        out.values["hit5"] = out.first_hit is not None and out.first_hit <= 5
    if not with_answers:
        return out
    ans = _answer_dict(assistant.ask(q.question))
    out.answer = ans
    abstained = bool(ans.get("abstained"))
    out.values["language_ok"] = ans.get("language") == q.lang
    if q.answerable:
        out.missing = missing_groups(ans.get("answer", ""), q)
        out.values["answer_pass"] = not abstained and not out.missing
        out.values["false_refusal"] = abstained
        cites = ans.get("citations") or []
        out.values["citation_ok"] = (
            any(
                passage_has_gold(
                    c.get("doc", ""), f"{c.get('section', '')}\n{c.get('text', '')}", q
                )
                for c in cites
            )
            if cites and not abstained
            else None
        )
    else:
        out.values["abstained_ok"] = abstained
    return out


def _rate(outcomes: list[Outcome], key: str) -> dict[str, Any] | None:
    vals = [o.values.get(key) for o in outcomes if o.values.get(key) is not None]
    if not vals:
        return None
    return {"n": len(vals), "count": sum(bool(v) for v in vals), "rate": sum(vals) / len(vals)}


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile: sorted[round(p × (n − 1))]."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    answerable = [o for o in outcomes if o.q.answerable]
    rr = [1 / o.first_hit if o.first_hit else 0.0 for o in answerable]
    summary: dict[str, Any] = {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "mrr10": statistics.fmean(rr) if rr else None,
    }
    for key in OUTCOMES:
        summary[key] = _rate(outcomes, key)
    retrieve = [o.retrieve_ms for o in outcomes]
    summary["retrieve_ms"] = {"p50": percentile(retrieve, 50), "p95": percentile(retrieve, 95)}
    totals = [
        o.answer["timings_ms"]["total"]
        for o in outcomes
        if o.answer and isinstance(o.answer.get("timings_ms"), dict)
    ]
    summary["ask_ms"] = {"p50": percentile(totals, 50), "p95": percentile(totals, 95)}
    return summary


def split_order(splits: Iterable[str]) -> list[str]:
    """Splits in report order: dev and test first, then the others by name."""
    known = [s for s in MAIN_SPLITS if s in splits]
    return known + sorted(set(splits) - set(MAIN_SPLITS))


def _scoped(outcomes: list[Outcome]) -> dict[str, Any]:
    """One summary of the outcomes and one per language."""
    return {
        "overall": summarise(outcomes),
        "by_language": {
            lang: summarise([o for o in outcomes if o.q.lang == lang]) for lang in LANGS
        },
    }


def evaluate_questions(
    assistant: Any,
    questions: list[Question],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Outcome], bool]:
    """Every question's outcome, and whether the answer metrics were available."""
    with_answers = callable(getattr(assistant, "ask", None))
    outcomes = []
    for i, q in enumerate(questions, 1):
        outcomes.append(evaluate_question(assistant, q, with_answers))
        if progress:
            progress(i, len(questions))
    return outcomes, with_answers


def summarise_outcomes(outcomes: list[Outcome], with_answers: bool) -> dict[str, Any]:
    """The result of one set: overall, per language, per category, per split (each split
    overall and per language) and per question."""
    scoped = _scoped(outcomes)
    categories = sorted({o.q.category for o in outcomes})
    by_cat = {c: summarise([o for o in outcomes if o.q.category == c]) for c in categories}
    splits = split_order({o.q.split for o in outcomes})
    return {
        "answers_available": with_answers,
        "overall": scoped["overall"],
        "by_language": scoped["by_language"],
        "by_category": by_cat,
        "by_split": {s: _scoped([o for o in outcomes if o.q.split == s]) for s in splits},
        "questions": [o.to_json() for o in outcomes],
    }


def run_eval(
    assistant: Any,
    questions: list[Question],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run every question; the result holds per-language, per-category, per-split and
    per-question data."""
    return summarise_outcomes(*evaluate_questions(assistant, questions, progress))


def run_set(
    assistant: Any,
    qset: QuestionSet,
    questions: list[Question],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """:func:`run_eval` of one set, with the set's name, files and corpus; every question's
    result names its set."""
    result = run_eval(assistant, questions, progress)
    result["questions"] = [{"set": qset.name, **q} for q in result["questions"]]
    corpus = None if qset.corpus_dir is None else shown_path(qset.corpus_dir)
    files = [shown_path(f) for f in qset.files]
    return {"name": qset.name, "files": files, "corpus": corpus, **result}


HEADLINE_METRICS = (  # (key, metric, language or None for both)
    ("pass_de", "answer_pass", "de"),
    ("pass_en", "answer_pass", "en"),
    ("refusal", "abstained_ok", None),
    ("false_refusal", "false_refusal", None),
    ("citation", "citation_ok", None),
    ("hit1", "hit1", None),
)


def _headline_row(set_name: str, split: str, scoped: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "set": set_name,
        "split": split,
        "questions": scoped["overall"]["questions"],
    }
    for key, metric, lang in HEADLINE_METRICS:
        summary = scoped["overall"] if lang is None else scoped["by_language"][lang]
        row[key] = summary.get(metric)
    return row


def headline_rows(sets: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per set and split (and one for the whole of a set with several splits):
    answer pass per language, refusal on unanswerable, false refusals, citation, Hit@1."""
    rows = []
    for name, result in sets.items():
        for split, scoped in result["by_split"].items():
            rows.append(_headline_row(name, split, scoped))
        if len(result["by_split"]) != 1:
            rows.append(_headline_row(name, ALL_SPLITS, result))
    return rows


def run_sets(
    loaded: Sequence[tuple[QuestionSet, list[Question]]],
    assistant_for: Callable[[QuestionSet], AbstractContextManager[Any]],
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Run every set with the assistant ``assistant_for`` gives it; the result holds each
    set's :func:`run_set` result under ``sets`` and the headline rows."""
    sets: dict[str, dict[str, Any]] = {}
    for qset, questions in loaded:
        step = None if progress is None else (lambda i, n, name=qset.name: progress(name, i, n))
        with assistant_for(qset) as assistant:
            sets[qset.name] = run_set(assistant, qset, questions, step)
    return {
        "answers_available": any(r["answers_available"] for r in sets.values()),
        "sets": sets,
        "headline": headline_rows(sets),
    }


# Settings that belong to the main corpus and its index; an own-corpus set gets their defaults
# (where the settings have them): an on-disk index, not one on the main index's Chroma server,
# and the home city its own pages name.
MAIN_CORPUS_SETTINGS = ("chroma_host", "home_city")


def own_corpus_settings(settings: Any, corpus_dir: Path, index_dir: Path) -> Any:
    """The same settings over another corpus and index folder, with the settings of
    :data:`MAIN_CORPUS_SETTINGS` at their defaults."""
    fields = type(settings).model_fields
    reset = {name: fields[name].get_default() for name in MAIN_CORPUS_SETTINGS if name in fields}
    return settings.model_copy(update={**reset, "corpus_dir": corpus_dir, "index_dir": index_dir})


class SetAssistants:
    """The assistant for each question set: one over the main corpus, opened once and
    reused; for a set with its own corpus, one over that corpus, indexed into a temporary
    folder that is removed after the set ran. All share one embedder."""

    def __init__(
        self,
        settings: Any,
        *,
        embedder: Any = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._log = log
        self._main: Any = None

    def embedder(self) -> Any:
        if self._embedder is None:
            from assistant.indexing.embedding import make_embedder

            threads = self.settings.embedding_threads or None
            self._embedder = make_embedder(self.settings.embedding, threads)
        return self._embedder

    def _open(self, settings: Any) -> Any:
        from assistant.app import Assistant

        kwargs = {} if self._log is None else {"log": self._log}
        return Assistant.open(settings, embedder=self.embedder(), **kwargs)

    def main(self) -> Any:
        """The assistant over the main corpus (opened at the first call)."""
        if self._main is None:
            self._main = self._open(self.settings)
        return self._main

    @contextmanager
    def __call__(self, qset: QuestionSet) -> Iterator[Any]:
        if qset.corpus_dir is None:
            yield self.main()
            return
        from assistant.indexing.store import forget_client

        with tempfile.TemporaryDirectory(prefix=f"eval-{qset.name}-") as tmp:
            settings = own_corpus_settings(self.settings, qset.corpus_dir, Path(tmp) / "index")
            try:
                yield self._open(settings)
            finally:
                forget_client(settings)
