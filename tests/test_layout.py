"""The package's layout: stages as subpackages, small modules, no city name in code."""

import ast
import importlib
from pathlib import Path

import pytest

from assistant.documents.corpus import load_corpus

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"
STAGES = ("language", "documents", "indexing", "retrieval", "answering", "serving", "evaluation")
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 250
MAX_TOP_MODULES = 8


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_stages_are_subpackages_and_few_modules_stay_at_the_top():
    for stage in STAGES:
        assert (PACKAGE / stage / "__init__.py").is_file(), stage
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top
    assert {"app.py", "cli.py", "config.py", "records.py"} <= set(top)


def test_no_module_or_class_is_too_long():
    long_modules, long_classes = [], []
    for path in modules():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE_LINES:
            long_modules.append(path.relative_to(PACKAGE))
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.ClassDef)
                and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES
            ):
                long_classes.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    assert not long_modules
    assert not long_classes


def test_no_city_of_the_corpora_is_named_in_code(corpus_docs):
    docs = list(corpus_docs)
    for corpus in sorted((PACKAGE.parent / "evals").glob("*/corpus")):
        docs += load_corpus(corpus)
    cities = {doc.city for doc in docs} - {""}
    assert cities
    named = []
    for path in modules():
        text = path.read_text(encoding="utf-8")
        if path == PACKAGE / "__init__.py":  # the package's one-line description may say whose
            text = text.split('"""', 2)[-1]
        named += [f"{path.relative_to(PACKAGE)}: {c}" for c in cities if c.lower() in text.lower()]
    assert not named


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_names_entry_points_that_resolve(stage):
    package = importlib.import_module(f"assistant.{stage}")
    assert package.__all__, stage
    for name in package.__all__:
        assert getattr(package, name) is not None
    with pytest.raises(AttributeError):
        package.no_such_entry  # noqa: B018
