"""The report of a run of several sets: one headline table first, then each set."""

from contextlib import contextmanager

from eval_fakes import FakeAssistant, fake_answer, make_question

from assistant.evaluation.gate import GateResult, compare_baseline, make_baseline
from assistant.evaluation.harness import run_sets
from assistant.evaluation.questions import MAIN_SET, QuestionSet
from assistant.evaluation.report import render_report, sets_table

GOLD = ("d", "Partnerstädte: Bursa, Szeged")


def _run(main_ok: bool = True) -> dict:
    """A main set of one dev and one test pair and a fresh set of two questions, one of
    them unanswerable; every answer passes, except the test pair's German one unless
    ``main_ok``."""
    unanswerable = dict(answerable=False, must_include=[], gold=[], category="unanswerable")
    main = [
        make_question(id="a-de", pair_id="a", question="A?"),
        make_question(id="a-en", pair_id="a", lang="en", question="A en?"),
        make_question(id="b-de", pair_id="b", question="B?", split="test"),
        make_question(id="b-en", pair_id="b", lang="en", question="B en?", split="test"),
    ]
    fresh = [
        make_question(id="f1", pair_id="f1", lang="en", question="F?", split="fresh"),
        make_question(id="f2", pair_id="f2", question="G?", split="fresh", **unanswerable),
    ]
    answers = {q.question: fake_answer("Frau Seel [1]", q.lang, cited=GOLD) for q in main + fresh}
    answers["G?"] = fake_answer("Dazu steht nichts in den Seiten.", "de", abstained=True)
    if not main_ok:
        answers["B?"] = fake_answer("Frau Irene [1]", "de", cited=GOLD)
    fake = FakeAssistant({q.question: [GOLD] for q in main + fresh}, answers)

    @contextmanager
    def assistant_for(qset):
        yield fake

    sets = [(QuestionSet(MAIN_SET, ()), main), (QuestionSet("fresh", ()), fresh)]
    return run_sets(sets, assistant_for)


def test_the_report_starts_with_one_row_per_set_and_split():
    run = _run()
    report = render_report(run, GateResult())
    lines = report.splitlines()
    assert lines[:4] == ["# Eval report", "", "## Headline", ""]
    assert lines[4] == (
        "| set / split | n | pass de | pass en | refusal | false refusals | citation "
        "| first claim | median answer | Hit@1 |"
    )
    assert lines[6] == (
        "| main / dev | 2 | 1.000 (1/1) | 1.000 (1/1) | n/a | 0.000 (0/2) | 1.000 (2/2) "
        "| 1.000 (2/2) | 13 | 1.000 (2/2) |"
    )
    assert lines[7].startswith("| main / test | 2 |")
    assert lines[8].startswith("| main (all) | 4 |")
    assert lines[9] == (
        "| fresh | 2 | n/a | 1.000 (1/1) | 1.000 (1/1) | 0.000 (0/1) | 1.000 (1/1) "
        "| 1.000 (1/1) | 13 | 1.000 (1/1) |"
    )
    assert sets_table(run) == lines[4:10]


def test_each_set_has_its_sections_and_failing_questions():
    run = _run(main_ok=False)
    run["skipped"] = ["evals/pending has no questions.jsonl yet"]
    report = render_report(run, GateResult())
    main, fresh = report.split("## Set main")[1].split("## Set fresh")
    assert "### By language" in main and "### By split" in main and "### By category" in main
    assert "| test | de | 1 |" in main and "| dev | all | 2 |" in main
    assert "- **b-de** [contact test] B?" in main and "missing Seel" in main
    assert "### By split" not in fresh  # one split: the language table says it all
    assert "### Failing questions\n\nNone." in fresh
    assert "Not run: evals/pending has no questions.jsonl yet." in report


def test_the_gate_section_names_flips_across_sets():
    base = make_baseline(_run())
    run = _run(main_ok=False)
    gate = GateResult()
    compare_baseline(run, base, gate)
    gate.flipped_to_pass.append(("fresh:f1", "hit1"))
    report = render_report(run, gate)
    assert "Flipped pass → fail:\n\n- b-de (answer_pass)" in report
    assert "- fresh:f1 (hit1)" in report
    assert report.index("## Gate") < report.index("## Set main")


def test_the_first_claim_is_what_an_answer_says_before_its_first_citation():
    from assistant.evaluation.metrics import first_claim

    assert first_claim("Seit 1998 [1]. Mehr dazu [2].") == "Seit 1998 "
    assert first_claim("Ohne Beleg.") == "Ohne Beleg."
