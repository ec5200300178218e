"""The eval gate: absolute floors, and no drop of more than one question against the baseline.

Both files are keyed by question set. ``floors.json`` maps a set to its splits ("all" for the
whole set) to a scope ("de", "en" or "all") to ``{metric: floor}``; ``baseline.json`` holds,
per set, each question's outcomes and the MRR@10 per language. A set that has no floors or no
baseline yet is noted, not failed; only the main set must have both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.evaluation.metrics import OUTCOMES
from assistant.evaluation.questions import ALL_SPLITS, LANGS, MAIN_SET

ALLOWED_DROP = 1  # questions a metric may lose against the baseline before the gate fails
# For these outcomes True is bad: a "drop" is more of them.
LOWER_IS_BETTER = {"false_refusal"}
SCOPES = ("de", "en", "all")


@dataclass
class GateResult:
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # (question id, metric); ids of sets other than the main set are "set:id"
    flipped_to_fail: list[tuple[str, str]] = field(default_factory=list)
    flipped_to_pass: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "failures": self.failures,
            "notes": self.notes,
            "flipped_to_fail": [list(x) for x in self.flipped_to_fail],
            "flipped_to_pass": [list(x) for x in self.flipped_to_pass],
        }


def metric_value(summary: dict[str, Any], metric: str) -> float | None:
    value = summary.get(metric)
    if isinstance(value, dict):
        return value.get("rate")
    return value


def result_sets(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The per-set results of a run; a single :func:`run_eval` result is the main set's."""
    return result.get("sets", {MAIN_SET: result})


def qualified_id(set_name: str, qid: str) -> str:
    """A question's id across sets: the id itself in the main set, else ``set:id``."""
    return qid if set_name == MAIN_SET else f"{set_name}:{qid}"


def _where(set_name: str, split: str) -> str:
    """A set's split as messages name it: the set alone for the whole set (or its one split
    of the same name), else set/split."""
    return set_name if split in (ALL_SPLITS, set_name) else f"{set_name}/{split}"


def set_floors(floors: dict[str, Any]) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """``floors.json`` as {set: {split or "all": {scope: {metric: floor}}}}. Keys starting with
    "_" are comments; a file in the format before sets ({scope: {metric: floor}}) holds the
    main set's whole-set floors."""
    floors = {k: v for k, v in floors.items() if not k.startswith("_")}
    if floors and set(floors) <= set(SCOPES):
        return {MAIN_SET: {ALL_SPLITS: floors}}
    return {
        name: {split: scopes for split, scopes in splits.items() if not split.startswith("_")}
        for name, splits in floors.items()
    }


def _check_scopes(
    scoped: dict[str, Any], scopes: dict[str, dict[str, float]], where: str, gate: GateResult
) -> None:
    """One set's (or split's) summaries against ``{scope: {metric: floor}}``."""
    for scope, metrics in scopes.items():
        if scope.startswith("_"):
            continue
        if scope not in SCOPES:
            gate.failures.append(f"floors [{where}]: unknown scope {scope!r}")
            continue
        summary = scoped["overall"] if scope == "all" else scoped["by_language"][scope]
        for metric, floor in metrics.items():
            value = metric_value(summary, metric)
            label = f"{metric} ({scope})"
            if value is None:
                gate.notes.append(f"{label}: not available, floor {floor} not checked [{where}]")
            elif metric in LOWER_IS_BETTER and value > floor:
                gate.failures.append(
                    f"{label} = {value:.3f} is above its ceiling {floor} [{where}]"
                )
            elif metric not in LOWER_IS_BETTER and value < floor:
                gate.failures.append(f"{label} = {value:.3f} is below its floor {floor} [{where}]")


def _has_floors(splits: dict[str, dict[str, dict[str, float]]]) -> bool:
    """Whether a set's entry holds any floor (an entry of empty tables is a placeholder)."""
    return any(
        metrics for scopes in splits.values() for key, metrics in scopes.items() if key[:1] != "_"
    )


def check_floors(result: dict[str, Any], floors: dict[str, Any], gate: GateResult) -> None:
    """Every set's floors (see :func:`set_floors`); a set run without floors is noted (the
    main set must have them), floors of a set or split not run are noted."""
    sets = result_sets(result)
    by_set = {name: s for name, s in set_floors(floors).items() if _has_floors(s)}
    for name in sets:
        if name in by_set:
            continue
        message = f"set {name} has no floors in floors.json"
        if name == MAIN_SET:
            gate.failures.append(message)
        else:
            gate.notes.append(f"{message} yet: reported, not gated")
    for name, splits in by_set.items():
        if name not in sets:
            gate.notes.append(f"floors of set {name} not checked: the set was not run")
            continue
        for split, scopes in splits.items():
            scoped = sets[name] if split == ALL_SPLITS else sets[name]["by_split"].get(split)
            if scoped is None:
                gate.notes.append(f"floors of {_where(name, split)} not checked: no such split")
            else:
                _check_scopes(scoped, scopes, _where(name, split), gate)


def _set_baseline(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "mrr10": {lang: result["by_language"][lang]["mrr10"] for lang in LANGS},
        "answerable": {lang: result["by_language"][lang]["answerable"] for lang in LANGS},
        "questions": {
            q["id"]: {k: q[k] for k in OUTCOMES if q.get(k) is not None}
            for q in result["questions"]
        },
    }


def baseline_sets(baseline: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The per-set baselines; a baseline from before sets (``questions`` at the top) is the
    main set's."""
    if "sets" in baseline:
        return baseline["sets"]
    return {MAIN_SET: baseline} if "questions" in baseline else {}


def make_baseline(result: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The baseline of every set run; sets of ``previous`` that were not run are kept."""
    kept = baseline_sets(previous or {})
    sets = {name: _set_baseline(r) for name, r in result_sets(result).items()}
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "sets": {**kept, **sets},
    }


def _compare_set(
    name: str, result: dict[str, Any], baseline: dict[str, Any], gate: GateResult
) -> None:
    """One set against its baseline: per language and metric, at most one question lost on
    balance; MRR@10 down by at most one question's worth."""
    base_q = baseline.get("questions", {})
    current = {q["id"]: q for q in result["questions"]}
    for lang in LANGS:
        for metric in OUTCOMES:
            lost, gained = [], []
            for qid, q in current.items():
                old, new = base_q.get(qid, {}).get(metric), q.get(metric)
                if q["lang"] != lang or old is None or new is None or old == new:
                    continue
                worse = new if metric in LOWER_IS_BETTER else old
                (lost if worse else gained).append(qualified_id(name, qid))
            gate.flipped_to_fail += [(qid, metric) for qid in lost]
            gate.flipped_to_pass += [(qid, metric) for qid in gained]
            if len(lost) - len(gained) > ALLOWED_DROP:
                gate.failures.append(
                    f"{metric} ({lang}) lost {len(lost) - len(gained)} questions against the "
                    f"baseline of set {name}: {', '.join(lost)}"
                )
        old_mrr = baseline.get("mrr10", {}).get(lang)
        new_mrr = result["by_language"][lang]["mrr10"]
        n = result["by_language"][lang]["answerable"] or 1
        if old_mrr is not None and new_mrr is not None and old_mrr - new_mrr > ALLOWED_DROP / n:
            gate.failures.append(
                f"mrr10 ({lang}) fell from {old_mrr:.3f} to {new_mrr:.3f}, "
                f"more than one question's worth ({1 / n:.3f}) [{name}]"
            )
    missing = sorted(set(base_q) - set(current))
    if missing:
        gate.notes.append(
            f"{len(missing)} baseline questions were not run [{name}]: {', '.join(missing)}"
        )
    new = sorted(set(current) - set(base_q))
    if new:
        gate.notes.append(
            f"{len(new)} questions are not in the baseline yet [{name}]: {', '.join(new)}"
        )


def compare_baseline(result: dict[str, Any], baseline: dict[str, Any], gate: GateResult) -> None:
    """Every set run against its baseline; a set without one is noted (the main set must
    have one)."""
    base_sets = baseline_sets(baseline)
    for name, set_result in result_sets(result).items():
        if name in base_sets:
            _compare_set(name, set_result, base_sets[name], gate)
        elif name == MAIN_SET:
            gate.failures.append(
                "the baseline has no main set: create it with assistant eval --update-baseline"
            )
        else:
            gate.notes.append(
                f"set {name} has no baseline yet: reported, not compared "
                "(assistant eval --update-baseline adds it)"
            )


def run_gate(result: dict[str, Any], baseline_path: Path, floors_path: Path) -> GateResult:
    gate = GateResult()
    if floors_path.exists():
        check_floors(result, json.loads(floors_path.read_text(encoding="utf-8")), gate)
    else:
        gate.failures.append(f"no floors file at {floors_path}")
    if baseline_path.exists():
        compare_baseline(result, json.loads(baseline_path.read_text(encoding="utf-8")), gate)
    else:
        gate.failures.append(
            f"no baseline at {baseline_path}: create it with assistant eval --update-baseline"
        )
    return gate
