"""Language detection on the labelled short queries: langdetect, py3langid (de/en only) and
the assistant's detector.

    .venv/bin/python benchmarks/language.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from langdetect import DetectorFactory, LangDetectException, detect
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from assistant.language.detect import detect_language

ROWS = [
    line.split("\t")
    for line in Path("tests/data/language_queries.tsv").read_text(encoding="utf-8").splitlines()[1:]
]


def _langdetect(text: str) -> str:
    try:
        return detect(text)
    except LangDetectException:
        return "unknown"


def main() -> int:
    DetectorFactory.seed = 0
    restricted = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    restricted.set_languages(["de", "en"])
    detectors = {
        "langdetect": _langdetect,
        "py3langid (de/en only)": lambda t: restricted.classify(t)[0],
        "assistant.language.detect": detect_language,
    }
    labelled = [(label, q) for label, q in ROWS if label in ("de", "en")]
    others = [q for label, q in ROWS if label == "other"]
    print(f"{len(labelled)} German/English and {len(others)} other-language queries\n")
    print("| detector | de/en accuracy | other languages recognised |")
    print("|---|---|---|")
    for name, fn in detectors.items():
        acc = sum(fn(q) == label for label, q in labelled) / len(labelled)
        other = sum(fn(q) not in ("de", "en") for q in others) / len(others)
        print(f"| {name} | {acc:.3f} | {other:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
