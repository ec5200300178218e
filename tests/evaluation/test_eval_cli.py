"""``assistant eval`` over several sets: all of evals/, --set, named files, the baseline
written per set (temp corpus and index, the fake embedder)."""

import json

import pytest
from conftest import REPO
from eval_fakes import make_evals_dir, write_lines

from assistant.cli import main
from assistant.evaluation.questions import MAIN_SET


def _main_lines() -> list[str]:
    """Two pairs of the real main set, one of dev and one of test."""
    lines = (REPO / "evals" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    chosen: dict[str, list[str]] = {}
    for line in lines:
        q = json.loads(line)
        if len(chosen.setdefault(q["split"], [])) < 2:
            chosen[q["split"]].append(line)
    return chosen["dev"] + chosen["test"]


@pytest.fixture
def evals(env, tmp_path, monkeypatch):
    root = make_evals_dir(tmp_path / "evals", _main_lines())
    (root / "floors.json").write_text(
        json.dumps({MAIN_SET: {"all": {"de": {"hit5": 0.0}}, "dev": {"all": {"hit5": 0.0}}}})
    )
    monkeypatch.setenv("ASSISTANT_EVALS_DIR", str(root))
    return root


def test_sets_are_listed_and_picked_by_name(evals, capsys):
    assert main(["eval", "--list-sets"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == [MAIN_SET, "extra", "own"]
    assert out[2].endswith("own/corpus")
    assert main(["eval", "--set", "nope"]) == 2
    assert "unknown question set 'nope'" in capsys.readouterr().err


def test_an_invalid_set_stops_the_run(evals, capsys):
    write_lines(evals / "own" / "corpus" / "elmstadt-partner.md", ["---\nbroken"])
    assert main(["eval", "--set", "own"]) == 2
    assert "elmstadt-partner.md" in capsys.readouterr().err


@pytest.mark.slow
def test_every_set_runs_and_the_baseline_is_written_per_set(evals, tmp_path, capsys):
    out, report = tmp_path / "eval.json", tmp_path / "eval.md"
    args = ["eval", "--json", str(out), "--report", str(report)]
    assert main([*args, "--set", MAIN_SET, "--set", "own", "--update-baseline"]) == 0
    baseline = json.loads((evals / "baseline.json").read_text())
    assert set(baseline["sets"]) == {MAIN_SET, "own"}
    assert set(baseline["sets"]["own"]["questions"]) == {"e1", "e2"}

    assert main(args) == 0  # every set; "extra" has neither floors nor a baseline
    printed = capsys.readouterr().out
    assert "| main / dev |" in printed and "| own |" in printed
    assert "note: set extra has no baseline yet" in printed
    assert "pending has no questions.jsonl yet" in printed
    data = json.loads(out.read_text())
    assert list(data["sets"]) == [MAIN_SET, "extra", "own"] and data["gate"]["ok"]
    assert [(r["set"], r["split"]) for r in data["headline"]][:3] == [
        (MAIN_SET, "dev"),
        (MAIN_SET, "test"),
        (MAIN_SET, "all"),
    ]
    own = data["sets"]["own"]
    assert own["overall"]["questions"] == 2 and own["corpus"].endswith("own/corpus")
    assert {q["split"] for q in own["questions"]} == {"own"}
    assert own["by_language"]["de"]["hit1"]["rate"] == 1.0  # its own page, not the main corpus
    assert report.read_text().startswith("# Eval report\n\n## Headline\n\n| set / split |")

    assert main([*args, "--set", "extra", "--update-baseline"]) == 0
    baseline = json.loads((evals / "baseline.json").read_text())
    assert set(baseline["sets"]) == {MAIN_SET, "extra", "own"}  # the others are kept


@pytest.mark.slow
def test_named_files_run_over_the_main_corpus(evals, tmp_path, capsys):
    main_file = write_lines(tmp_path / "mine.jsonl", _main_lines()[:2])
    out = tmp_path / "eval.json"
    code = main(["eval", str(main_file), "--json", str(out), "--update-baseline"])
    data = json.loads(out.read_text())
    assert code == 0 and list(data["sets"]) == [MAIN_SET]
    assert data["sets"][MAIN_SET]["overall"]["questions"] == 2
    assert "skipped" not in data
