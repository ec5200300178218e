"""The eval question sets are valid, and the harness measures and gates correctly."""

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO
from eval_fakes import FakeAssistant, FakeChunk, FakePassage, fake_answer, make_question

from assistant.evaluation.gate import GateResult, compare_baseline, make_baseline, run_gate
from assistant.evaluation.harness import run_eval
from assistant.evaluation.metrics import missing_groups
from assistant.evaluation.questions import (
    CATEGORIES,
    MAIN_SET,
    MAIN_SPLITS,
    discover_sets,
    load_questions,
    validate,
    validate_set,
)
from assistant.evaluation.report import render_report

SETS = sorted((REPO / "evals").glob("*.jsonl"))
QUESTIONS = load_questions(SETS)
ALL_SETS = discover_sets(REPO / "evals")


def test_question_sets_are_valid(corpus_docs):
    assert validate(QUESTIONS, {d.id: d.text for d in corpus_docs}) == []


@pytest.mark.parametrize("qset", ALL_SETS, ids=[s.name for s in ALL_SETS])
def test_every_set_of_evals_is_valid_over_its_own_corpus(qset):
    assert validate_set(qset, load_questions(qset.files), REPO / "corpus") == []


def test_question_sets_cover_what_the_issue_asks():
    assert len(QUESTIONS) >= 160
    by_lang = {lang: [q for q in QUESTIONS if q.lang == lang] for lang in ("de", "en")}
    assert len(by_lang["de"]) == len(by_lang["en"])
    unanswerable = [q for q in QUESTIONS if not q.answerable]
    assert len(unanswerable) / len(QUESTIONS) >= 0.20
    categories = {q.category for q in QUESTIONS}
    assert categories == set(CATEGORIES)
    text = " ".join(q.question for q in QUESTIONS).lower()
    for variant in ("uzhgorod", "ushgorod", "uschhorod", "plock", "logrono", "liepaja", "gyonk"):
        assert variant in text, variant
    assert "zustaendig" in text or "staedtepartnerschaft" in text


def test_every_line_has_the_schema():
    for path in [f for qset in ALL_SETS for f in qset.files]:
        for line in path.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            assert set(data) <= {
                "id",
                "pair_id",
                "lang",
                "question",
                "answerable",
                "must_include",
                "gold",
                "category",
                "split",
                "note",
            }
            assert isinstance(data["answerable"], bool)
            assert isinstance(data["split"], str) and data["split"]
            if path in SETS:
                assert data["split"] in MAIN_SPLITS


_q = make_question


def test_validation_finds_each_kind_of_problem():
    corpus = {"d": "Seel, Alina\nPartnerstädte: Bursa, Szeged\n"}
    good = [_q(), _q(id="x-en", lang="en", question="Who handles Szeged?")]
    assert validate(good, corpus) == []
    problems = validate(
        [
            _q(),
            _q(),  # duplicate id, and no English twin
            _q(id="y-de", pair_id="y", gold=[{"doc": "d", "evidence": "Partnerstadte: Bursa"}]),
            _q(id="z-de", pair_id="z", gold=[{"doc": "nope", "evidence": "x"}]),
            _q(id="u-de", pair_id="u", answerable=False),
            _q(id="c-de", pair_id="c", category="misc", lang="fr"),
        ],
        corpus,
    )
    text = "\n".join(problems)
    for expected in (
        "duplicate id x-de",
        "pair x",
        "not verbatim",
        "unknown gold doc",
        "unanswerable but",
        "category 'misc'",
        "lang 'fr'",
    ):
        assert expected in text


def test_must_include_matching_ignores_case_and_diacritics():
    q = _q(must_include=[["Płock", "Plock"], ["Schewe"], ["1988"]])
    assert missing_groups("Frau IRENE SCHEWE ist für PLOCK zuständig (seit 1988).", q) == []
    assert missing_groups("Irene Schewe, Plock", q) == [["1988"]]
    assert missing_groups("Schewe betreut Płock seit 1988", _q(must_include=[["plock"]])) == []


QS = [
    _q(id="a-de", pair_id="a", question="A?"),
    _q(id="a-en", pair_id="a", lang="en", question="A en?"),
    _q(
        id="b-de",
        pair_id="b",
        question="B?",
        answerable=False,
        must_include=[],
        gold=[],
        category="unanswerable",
    ),
    _q(
        id="b-en",
        pair_id="b",
        lang="en",
        question="B en?",
        answerable=False,
        must_include=[],
        gold=[],
        category="unanswerable",
    ),
]
GOLD = ("d", "Partnerstädte: Bursa, Szeged")
OTHER = ("d", "something else")


def test_retrieval_metrics_without_answers():
    fake = FakeAssistant({"A?": [GOLD, OTHER], "A en?": [OTHER, OTHER, GOLD]})
    result = run_eval(fake, QS)
    assert not result["answers_available"]
    de, en = result["by_language"]["de"], result["by_language"]["en"]
    assert de["hit1"]["rate"] == 1.0 and de["mrr10"] == 1.0
    assert en["hit1"]["rate"] == 0.0 and en["hit5"]["rate"] == 1.0
    assert en["mrr10"] == pytest.approx(1 / 3)
    assert result["overall"]["answer_pass"] is None


def test_gold_in_the_section_heading_counts():
    fake = FakeAssistant({})
    fake.search = lambda question, k: [FakePassage(FakeChunk("c", "d", "- Bursa", GOLD[1]), 1)]
    assert run_eval(fake, QS[:1])["by_language"]["de"]["hit1"]["rate"] == 1.0


def test_gold_in_another_document_is_no_hit():
    fake = FakeAssistant({"A?": [("other-doc", GOLD[1])]})
    result = run_eval(fake, QS[:1])
    assert result["by_language"]["de"]["hit5"]["rate"] == 0.0


def _answer(text, lang, abstained=False, cited=GOLD):
    return fake_answer(text, lang, abstained, cited)


def test_answer_metrics_follow_the_contract():
    answers = {
        "A?": _answer("Frau Seel ist zuständig [1].", "de"),
        "A en?": _answer("Ms Irene is responsible [1].", "de", cited=OTHER),
        "B?": _answer("Dazu habe ich nichts gefunden.", "de", abstained=True, cited=None),
        "B en?": _answer("Alina Seel [1].", "en"),
    }
    result = run_eval(FakeAssistant({"A?": [GOLD]}, answers), QS)
    assert result["answers_available"]
    de, en = result["by_language"]["de"], result["by_language"]["en"]
    assert de["answer_pass"]["rate"] == 1.0 and de["citation_ok"]["rate"] == 1.0
    assert de["abstained_ok"]["rate"] == 1.0 and de["language_ok"]["rate"] == 1.0
    assert en["answer_pass"]["rate"] == 0.0 and en["citation_ok"]["rate"] == 0.0
    assert en["abstained_ok"]["rate"] == 0.0 and en["language_ok"]["rate"] == 0.5
    assert result["overall"]["ask_ms"]["p50"] == 12.0
    failing = {q["id"]: q for q in result["questions"]}
    assert failing["a-en"]["missing"] == [["Seel"]]


def _result_with(hit1_by_id):
    qs = [_q(id=qid, pair_id=qid[:-3], lang=qid[-2:]) for qid in hit1_by_id]
    qs = [replace(q, question=q.question + q.id) for q in qs]
    hits = hit1_by_id.values()
    ranking = {q.question: [GOLD] if hit else [OTHER] for q, hit in zip(qs, hits, strict=True)}
    return run_eval(FakeAssistant(ranking), qs)


def test_gate_allows_one_lost_question_but_not_two(tmp_path):
    ids = [f"q{i}-de" for i in range(5)]
    base = make_baseline(_result_with(dict.fromkeys(ids, True)))
    one_lost = _result_with({**dict.fromkeys(ids, True), "q0-de": False})
    two_lost = _result_with({**dict.fromkeys(ids, True), "q0-de": False, "q1-de": False})
    gate = GateResult()
    compare_baseline(one_lost, base, gate)
    hit_failures = [f for f in gate.failures if f.startswith("hit")]
    assert hit_failures == [] and ("q0-de", "hit1") in gate.flipped_to_fail
    gate = GateResult()
    compare_baseline(two_lost, base, gate)
    assert any(f.startswith("hit1 (de) lost 2") for f in gate.failures)


def test_gate_checks_floors_and_requires_a_baseline(tmp_path):
    result = _result_with({"q0-de": True, "q1-de": False})
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"de": {"hit1": 0.9}, "all": {"answer_pass": 0.9}}))
    gate = run_gate(result, tmp_path / "missing.json", floors)
    text = "\n".join(gate.failures)
    assert "hit1 (de) = 0.500 is below its floor 0.9" in text
    assert "--update-baseline" in text
    assert any("answer_pass (all): not available" in n for n in gate.notes)


def test_report_lists_failing_questions_and_flips():
    base = make_baseline(_result_with({"q0-de": True, "q1-de": True}))
    result = _result_with({"q0-de": False, "q1-de": True})
    gate = GateResult()
    compare_baseline(result, base, gate)
    report = render_report(result, gate, {})
    assert "## Headline" in report and "| Hit@1 |" in report
    assert "Flipped pass → fail" in report and "- q0-de (hit1)" in report
    assert "**q0-de**" in report and "**q1-de**" not in report


def test_committed_baseline_covers_the_question_sets():
    baseline = json.loads((REPO / "evals" / "baseline.json").read_text())
    assert set(baseline["sets"][MAIN_SET]["questions"]) == {q.id for q in QUESTIONS}
    for qset in ALL_SETS:  # a set with a baseline has one for each of its questions
        if qset.name in baseline["sets"]:
            ids = {q.id for q in load_questions(qset.files)}
            assert set(baseline["sets"][qset.name]["questions"]) == ids, qset.name
    floors = json.loads((REPO / "evals" / "floors.json").read_text())
    assert set(floors[MAIN_SET]) == {"all", *MAIN_SPLITS}


@pytest.mark.slow
def test_eval_command_runs_the_gate_on_the_real_index(tmp_path, monkeypatch, real_settings):
    from assistant.cli import main

    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(real_settings.index_dir))
    report = tmp_path / "eval.md"
    out = tmp_path / "eval.json"
    code = main(["eval", "--report", str(report), "--json", str(out)])
    data = json.loads(out.read_text())
    assert data["sets"][MAIN_SET]["overall"]["questions"] == len(QUESTIONS)
    assert set(data["sets"]) == {s.name for s in ALL_SETS}
    assert report.read_text().startswith("# Eval report")
    assert code == (0 if data["gate"]["ok"] else 1)
    assert Path(out).stat().st_size > 1000
