"""Question sets: the question record, finding the sets in ``evals/``, loading and
validating them.

The question sets live in ``evals/``: the main set (``evals/*.jsonl``, German/English pairs
split into ``dev`` and ``test``) and one set per folder ``evals/<name>/`` holding a
``questions.jsonl``; a folder that also holds ``corpus/`` is answered over that corpus alone
(see :class:`assistant.evaluation.harness.SetAssistants`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.documents.corpus import load_corpus
from assistant.resources import load_data

LANGS = ("de", "en")
CATEGORIES = tuple(load_data("eval_categories.yaml")["categories"])  # what a question may be about
ASKS = tuple(load_data("eval_categories.yaml")["asks"])  # what kind of value a question asks for
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
    asks: str = ""  # what is asked (a value of ASKS); training questions say it, eval sets may


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
    if q.asks and q.asks not in ASKS:
        problems.append(f"{where} asks {q.asks!r}, expected one of {', '.join(ASKS)}")
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
