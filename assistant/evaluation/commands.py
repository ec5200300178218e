"""The ``assistant eval`` command: picks and loads the question sets, runs them, writes the
report and the JSON result, updates the baseline when asked, and applies the gate."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.evaluation.gate import GateResult
    from assistant.evaluation.questions import Question, QuestionSet


def _eval_sets(args: argparse.Namespace, settings: Settings) -> list[QuestionSet]:
    """The question sets to run: the named files or every set of evals/, then --set."""
    from assistant.evaluation.questions import discover_sets, select_sets, sets_for_files

    if args.files:
        sets = sets_for_files(args.files, settings.evals_dir)
    else:
        sets = discover_sets(settings.evals_dir)
    return select_sets(sets, args.sets or [])


def _load_eval_sets(
    sets: list[QuestionSet], settings: Settings
) -> tuple[list[tuple[QuestionSet, list[Question]]], list[str]]:
    """Each set with its questions, and every problem of every set."""
    from assistant.evaluation.questions import load_questions, validate_set

    loaded, problems = [], []
    for qset in sets:
        questions = load_questions(qset.files)
        problems += validate_set(qset, questions, settings.corpus_dir)
        loaded.append((qset, questions))
    return loaded, problems


def _write_eval_outputs(args: argparse.Namespace, result: dict[str, Any], gate: GateResult) -> None:
    from assistant.evaluation.report import render_report

    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(render_report(result, gate), encoding="utf-8")


def _update_baseline(path: Path, result: dict[str, Any]) -> None:
    """Write this run's sets into the baseline; sets not run keep their entries."""
    from assistant.evaluation.gate import make_baseline

    previous = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    baseline = make_baseline(result, previous)
    path.write_text(json.dumps(baseline, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"baseline written to {path} (sets: {', '.join(result['sets'])})")


def cmd_eval(args: argparse.Namespace) -> int:
    """Run the question sets, write the report, and apply the gate (exit 1 when it fails)."""
    from assistant.evaluation.gate import run_gate
    from assistant.evaluation.harness import SetAssistants, run_sets
    from assistant.evaluation.questions import (
        QUESTIONS_FILE,
        EvalDataError,
        folders_without_questions,
        shown_path,
    )
    from assistant.evaluation.report import sets_table

    settings = Settings()
    try:
        sets = _eval_sets(args, settings)
        if args.list_sets:
            for qset in sets:
                print(f"{qset.name}: {qset.describe()}")
            return 0
        if not sets:
            print(f"error: no question sets in {settings.evals_dir}", file=sys.stderr)
            return 2
        loaded, problems = _load_eval_sets(sets, settings)
    except EvalDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if problems:
        print("error: the question sets are invalid:", *problems, sep="\n  ", file=sys.stderr)
        return 2
    result = run_sets(loaded, SetAssistants(settings))
    if not args.files and not args.sets:
        result["skipped"] = [
            f"{shown_path(settings.evals_dir / name)} has no {QUESTIONS_FILE} yet"
            for name in folders_without_questions(settings.evals_dir)
        ]
    baseline = args.baseline or settings.evals_dir / "baseline.json"
    if args.update_baseline:
        _update_baseline(baseline, result)
    gate = run_gate(result, baseline, args.floors or settings.evals_dir / "floors.json")
    result["gate"] = gate.to_json()
    _write_eval_outputs(args, result, gate)
    print("\n".join(sets_table(result)))
    for line in gate.failures:
        print(f"GATE FAILURE: {line}")
    for line in [*result.get("skipped", []), *gate.notes]:
        print(f"note: {line}")
    flips = len(gate.flipped_to_fail), len(gate.flipped_to_pass)
    print(
        f"eval gate: {'passed' if gate.ok else 'FAILED'} ({flips[0]} flipped to fail, "
        f"{flips[1]} to pass){'; report: ' + str(args.report) if args.report else ''}"
    )
    return 0 if gate.ok else 1
