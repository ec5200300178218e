"""Eval harness: runs question sets over an assistant.

Each set is answered by the assistant :class:`SetAssistants` gives it: the one over the main
corpus, or, for a set folder with its own ``corpus/``, one over that corpus alone, indexed into
a temporary folder.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from assistant.evaluation.metrics import (
    Outcome,
    evaluate_question,
    headline_rows,
    summarise_outcomes,
)
from assistant.evaluation.questions import Question, QuestionSet, shown_path


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
    folder that is removed after the set ran, or with ``index_root`` into its folder
    ``index_root/<set name>`` that is kept (and brought up to date when opened). All share
    one embedder."""

    def __init__(
        self,
        settings: Any,
        *,
        embedder: Any = None,
        log: Callable[[str], None] | None = None,
        index_root: Path | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._log = log
        self._main: Any = None
        self.index_root = index_root

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

        with contextlib.ExitStack() as stack:
            if self.index_root is None:
                tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix=f"eval-{qset.name}-"))
                folder = Path(tmp) / "index"
            else:
                folder = self.index_root / qset.name / "index"
            settings = own_corpus_settings(self.settings, qset.corpus_dir, folder)
            try:
                yield self._open(settings)
            finally:
                forget_client(settings)
