"""Which entries of the package's language data the training material needs.

    .venv/bin/python benchmarks/package_data.py [--prune]

Package data holds general language data only. An entry of the glossary, the intent cues or
the language markers is kept when a training question or a page uses it (the training
cities' questions and pages, the questions of split "train" of ``evals/``, and the main
corpus); an entry that only eval questions need is fitted to them. The report lists the
entries no training question and no page uses, and which of them eval questions use;
``--prune`` removes them from the files (``tests/test_package_data.py`` fails while any
remains).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.documents.corpus import load_corpus
from assistant.evaluation.questions import discover_sets, load_questions
from assistant.language.words import contains_phrase, fold_words
from assistant.resources import load_data

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "assistant" / "data"
TRAINING = REPO / "training" / "cities"
EVALS = REPO / "evals"
TRAIN_SPLIT = "train"


@dataclass(frozen=True)
class Entry:
    """One entry of a data file: where it is, and the phrases that make it act."""

    file: str
    key: str  # the entry's place in the file ("en_de[3]", "when", "de")
    phrases: tuple[str, ...]


def entries() -> Iterator[Entry]:
    glossary = load_data("glossary.yaml")
    for i, e in enumerate(glossary["en_de"]):
        yield Entry("glossary.yaml", f"en_de[{i}]", tuple(e["en"]))
    for i, e in enumerate(glossary["de_de"]):
        yield Entry("glossary.yaml", f"de_de[{i}]", tuple(e["terms"]))
    for intent, cues in load_data("intents.yaml").items():
        for cue in cues:
            yield Entry("intents.yaml", intent, (cue,))
    markers = load_data("language_markers.yaml")
    for lang in ("de", "en"):
        for word in markers[lang]:
            yield Entry("language_markers.yaml", lang, (str(word),))


def _folded(texts: Iterable[str]) -> list[list[str]]:
    return [fold_words(t) for t in texts]


def training_questions() -> list[str]:
    texts = []
    for qset in discover_sets(EVALS):
        texts += [q.question for q in load_questions(qset.files) if q.split == TRAIN_SPLIT]
    for city in sorted(TRAINING.glob("*/questions.jsonl")):
        texts += [q.question for q in load_questions([city])]
    return texts


def eval_questions() -> list[str]:
    texts = []
    for qset in discover_sets(EVALS):
        texts += [q.question for q in load_questions(qset.files) if q.split != TRAIN_SPLIT]
    return texts


def pages() -> list[str]:
    folders = [REPO / "corpus", *sorted(TRAINING.glob("*/corpus"))]
    folders += sorted(p for p in (EVALS.glob("*/corpus")))
    return [d.text for folder in folders for d in load_corpus(folder)]


def used(entry: Entry, questions: list[list[str]], texts: list[list[str]]) -> bool:
    phrases = [tuple(fold_words(p)) for p in entry.phrases]
    return any(contains_phrase(words, p) for p in phrases for words in questions + texts)


def unused(questions: list[list[str]] | None = None, texts: list[list[str]] | None = None):
    """The entries no training question (and, where pages count, no page) uses."""
    questions = _folded(training_questions()) if questions is None else questions
    texts = _folded(pages()) if texts is None else texts
    return [e for e in entries() if not used(e, questions, texts)]


def _listed(key: str, words: list[str]) -> str:
    """A YAML flow list of words, wrapped at 100 characters (words YAML would read otherwise,
    such as "no" and "on", quoted)."""
    items = [f'"{w}"' if str(yaml.safe_load(w)) != w else w for w in words]
    lines, line = [], f"{key}: ["
    for i, item in enumerate(items):
        piece = item + ("]" if i == len(items) - 1 else ",")
        if len(line) + len(piece) + 1 > 100:
            lines.append(line.rstrip())
            line = "  "
        line += piece + " "
    return "\n".join([*lines, line.rstrip()]) + "\n"


def _prune(stale: list[Entry]) -> None:
    """Remove the stale entries from their files, keeping comments: a glossary entry (its
    two lines), an intent cue or a marker word (its list written anew)."""
    by_file: dict[str, list[Entry]] = {}
    for e in stale:
        by_file.setdefault(e.file, []).append(e)
    for name, items in by_file.items():
        path = DATA / name
        text = path.read_text(encoding="utf-8")
        if name == "glossary.yaml":
            for e in items:
                head = "terms" if e.key.startswith("de_de") else "en"
                listed = ", ".join(e.phrases)
                entry = rf"  - {head}: \[{re.escape(listed)}\]\n    [a-z]+: \[[^\]]*\]\n"
                text, n = re.subn(entry, "", text, count=1)
                assert n == 1, e
        else:
            data = yaml.safe_load(text)
            gone = {(e.key, e.phrases[0]) for e in items}
            for key in {e.key for e in items}:
                words = [str(w) for w in data[key] if (key, str(w)) not in gone]
                block = re.compile(rf"^{re.escape(key)}: \[.*?\]\n", re.M | re.S)
                text, n = block.subn(lambda _m, k=key, w=words: _listed(k, w), text, count=1)
                assert n == 1, key
        path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--prune", action="store_true", help="remove the unused entries")
    args = parser.parse_args()
    stale = unused()
    evals = _folded(eval_questions())
    for e in stale:
        by_eval = any(contains_phrase(w, tuple(fold_words(p))) for p in e.phrases for w in evals)
        flag = "used by eval questions only" if by_eval else "used by nothing"
        print(f"{e.file} {e.key}: {', '.join(e.phrases)} ({flag})")
    print(f"{len(stale)} of {sum(1 for _ in entries())} entries unused by training material")
    if args.prune and stale:
        _prune(stale)
        print("pruned", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
