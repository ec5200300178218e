"""The eval gate: absolute floors, and no drop of more than one question against the baseline."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .evaluation import LANGS, OUTCOMES

ALLOWED_DROP = 1  # questions a metric may lose against the baseline before the gate fails
# For these outcomes True is bad: a "drop" is more of them.
LOWER_IS_BETTER = {"false_refusal"}


@dataclass
class GateResult:
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flipped_to_fail: list[tuple[str, str]] = field(default_factory=list)  # (question id, metric)
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


def check_floors(result: dict[str, Any], floors: dict[str, Any], gate: GateResult) -> None:
    """``floors`` maps a scope ("de", "en" or "all") to {metric: floor}."""
    for scope, metrics in floors.items():
        summary = result["overall"] if scope == "all" else result["by_language"][scope]
        for metric, floor in metrics.items():
            value = metric_value(summary, metric)
            label = f"{metric} ({scope})"
            if value is None:
                gate.notes.append(f"{label}: not available, floor {floor} not checked")
            elif metric in LOWER_IS_BETTER and value > floor:
                gate.failures.append(f"{label} = {value:.3f} is above its ceiling {floor}")
            elif metric not in LOWER_IS_BETTER and value < floor:
                gate.failures.append(f"{label} = {value:.3f} is below its floor {floor}")


def make_baseline(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "mrr10": {lang: result["by_language"][lang]["mrr10"] for lang in LANGS},
        "answerable": {lang: result["by_language"][lang]["answerable"] for lang in LANGS},
        "questions": {
            q["id"]: {k: q[k] for k in OUTCOMES if q.get(k) is not None}
            for q in result["questions"]
        },
    }


def compare_baseline(result: dict[str, Any], baseline: dict[str, Any], gate: GateResult) -> None:
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
                (lost if worse else gained).append(qid)
            gate.flipped_to_fail += [(qid, metric) for qid in lost]
            gate.flipped_to_pass += [(qid, metric) for qid in gained]
            if len(lost) - len(gained) > ALLOWED_DROP:
                gate.failures.append(
                    f"{metric} ({lang}) lost {len(lost) - len(gained)} questions against the "
                    f"baseline: {', '.join(lost)}"
                )
        old_mrr = baseline.get("mrr10", {}).get(lang)
        new_mrr = result["by_language"][lang]["mrr10"]
        n = result["by_language"][lang]["answerable"] or 1
        if old_mrr is not None and new_mrr is not None and old_mrr - new_mrr > ALLOWED_DROP / n:
            gate.failures.append(
                f"mrr10 ({lang}) fell from {old_mrr:.3f} to {new_mrr:.3f}, "
                f"more than one question's worth ({1 / n:.3f})"
            )
    missing = sorted(set(base_q) - set(current))
    if missing:
        gate.notes.append(f"{len(missing)} baseline questions were not run: {', '.join(missing)}")


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
