"""Compare two eval results (``assistant eval --json``) with their timings left out.

    .venv/bin/python benchmarks/eval_diff.py BEFORE.json AFTER.json

Every metric and every question's outcome must be the same after a change that should not
change behaviour (a refactor, a faster path); latencies differ from run to run and are left
out (keys such as ``ask_ms``, ``retrieve_ms``, ``p50``, ``p95``). Prints the differences
(at most 50) and exits with status 1 when there are any.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import benchlib

TIMING = re.compile(
    r"(^|_)(ms|s|seconds|latency|time|timings?|elapsed|started|finished|at|when|date|"
    r"p50|p95|p99|wall)($|_)"
)
SHOWN = 50


def without_timings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if not TIMING.search(k)}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def differences(a: Any, b: Any, path: str = "") -> Iterator[str]:
    if type(a) is not type(b):
        yield f"{path}: {a!r} != {b!r}"
    elif isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                yield f"{path}.{key}: only in {'after' if key not in a else 'before'}"
            else:
                yield from differences(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        if len(a) != len(b):
            yield f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            yield from differences(x, y, f"{path}[{i}]")
    elif a != b:
        yield f"{path}: {a!r} != {b!r}"


def main() -> int:
    parser = benchlib.parser(__doc__)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    before, after = (
        without_timings(json.loads(p.read_text(encoding="utf-8")))
        for p in (args.before, args.after)
    )
    found = list(differences(before, after))
    sets = after.get("sets", {})
    counted = ", ".join(f"{name} {len(s.get('questions', []))}" for name, s in sets.items())
    print(f"questions compared: {counted}")
    print(f"{len(found)} differences")
    for line in found[:SHOWN]:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
