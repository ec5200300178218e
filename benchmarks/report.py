"""The benchmark suite's Markdown: tables from the suite's JSON, and the targets."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from benchlib import machine_line

LANGS = ("de", "en")
MB = 1024 * 1024


def _f(value: Any, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _get(data: Any, *path: Any) -> Any:
    for key in path:
        if data is None:
            return None
        data = data.get(key) if isinstance(data, Mapping) else None
    return data


def _u(value: Any, unit: str, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f} {unit}"


def _mp(spread: Any, digits: int = 2) -> str:
    """median / p95 of a spread."""
    if not spread:
        return "–"
    return f"{_f(spread.get('median'), digits)} / {_f(spread.get('p95'), digits)}"


def _pct(lat: Any, digits: int = 1) -> str:
    if not lat:
        return "–"
    return " / ".join(_f(lat.get(k), digits) for k in ("p50", "p95", "p99"))


def _table(head: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _size_rows(
    sizes: list[dict[str, Any]], cells: Callable[[dict[str, Any]], list[str]]
) -> list[list[str]]:
    return [[row["label"], row["backend"], *cells(row)] for row in sizes]


def _hits(quality: Any, lang: str) -> str:
    row = _get(quality, lang)
    if not row:
        return "–"
    return f"{_f(row.get('hit1'), 3)} / {_f(row.get('hit5'), 3)}"


def _ratio(row: dict[str, Any], point: str) -> float | None:
    ours = _get(row, "measure", "warm_ms", "retrieve", point)
    peer = _get(row, "measure", "warm_ms", "peer_retrieve", point)
    return peer / ours if ours and peer else None


def _find(sizes: list[dict[str, Any]], label: str, backend: str = "local") -> dict[str, Any]:
    return next((r for r in sizes if r["label"] == label and r["backend"] == backend), {})


def targets(results: dict[str, Any]) -> list[list[str]]:
    """Each target of the issue with the figure measured for it (informational only)."""
    sizes = results["sizes"]
    corpus, big = _find(sizes, "corpus"), _find(sizes, "100k")
    rows: list[list[str]] = []

    def add(name: str, figure: float | None, ok: bool | None, shown: str | None = None) -> None:
        verdict = "–" if ok is None else ("yes" if ok else "**no**")
        rows.append([name, shown if shown is not None else _f(figure), verdict])

    def le(value: float | None, limit: float) -> bool | None:
        return None if value is None else value <= limit

    ask = _get(corpus, "measure", "warm_ms", "ask", "p95")
    add("warm `ask` p95 ≤ 80 ms (corpus)", ask, le(ask, 80), _u(ask, "ms"))
    ask_big = _get(big, "measure", "warm_ms", "ask", "p95")
    add("warm `ask` p95 ≤ 250 ms (100k chunks)", ask_big, le(ask_big, 250), _u(ask_big, "ms"))
    cold = _get(corpus, "cold_start", "wall_s", "median")
    add("cold start to first answer ≤ 5 s (median)", cold, le(cold, 5), _u(cold, "s", 2))
    again = _get(corpus, "reingest_nochange", "wall_s", "median")
    add("no-change re-ingest ≤ 1.5 s (median)", again, le(again, 1.5), _u(again, "s", 2))
    rss = _get(corpus, "serve", "rss_peak", "VmHWM")
    add("serving RSS ≤ 800 MB (corpus, web UI, peak)", rss, le(rss, 800), _u(rss, "MB", 0))
    for lang in LANGS:
        small = _get(corpus, "measure", "quality", lang, "hit5")
        large = _get(big, "measure", "quality", lang, "hit5")
        drop = None if small is None or large is None else (small - large) * 100
        shown = "–" if drop is None else f"{_f(small, 3)} → {_f(large, 3)}"
        add(f"Hit@5 {lang} at 100k within 2 points of corpus", drop, le(drop, 2), shown)
    ratio = _ratio(corpus, "p50")
    hit1_ok = None
    if _get(corpus, "measure", "peer_quality"):
        hit1_ok = all(
            (_get(corpus, "measure", "quality", lang, "hit1") or 0)
            >= (_get(corpus, "measure", "peer_quality", lang, "hit1") or 0)
            for lang in LANGS
        )
    faster = None if ratio is None or hit1_ok is None else ratio > 1 and hit1_ok
    shown = "–" if ratio is None else f"llama-index p50 / ours = {ratio:.2f}"
    add("faster than llama-index default at ≥ Hit@1 (corpus)", ratio, faster, shown)
    return rows


def _threads(measure: Any) -> str:
    """The engine threads a measuring process ran with (older results did not record it)."""
    threads = measure.get("engine_threads", "–") if isinstance(measure, dict) else "–"
    return "all" if threads is None else str(threads)


def _profile_lines(name: str, profile: Any) -> list[str]:
    if not profile:
        return []

    def part(entries: list[dict[str, Any]]) -> str:
        return ", ".join(f"`{e['function']}` {e['share'] * 100:.0f} %" for e in entries[:6])

    return [
        f"- **{name}** ({profile['total_s']:.2f} s profiled) — cumulative: "
        f"{part(profile['cumulative'])}; own time: {part(profile['self'])}"
    ]


def render(results: dict[str, Any]) -> str:
    suite, sizes = results["suite"], results["sizes"]
    loads = [entry["loadavg"][0] for entry in results["load"]]
    for row in sizes:
        for step in ("ingest_cold", "reingest_nochange", "cold_start", "measure", "serve"):
            loads += [pair[0] for pair in _get(row, step, "loadavg") or []]
    opts = suite["options"]
    out = [
        "# Benchmark suite",
        "",
        f"`{suite['command']}` — started {suite['started']}, {suite.get('wall_s', 0):.0f} s.",
        "",
        f"Machine: {machine_line(results['machine'])}.",
        f"1-minute load average during the run: {_f(min(loads, default=None), 2)} – "
        f"{_f(max(loads, default=None), 2)} (other processes share this machine; figures "
        "taken under load are slower).",
        "",
        f"Whole-process figures are median / p95 of {opts['repeat']} runs "
        f"({opts['scale_repeat']} at haystack sizes; nearest rank, so with 5 runs p95 is the "
        f"slowest); warm latencies are p50 / p95 / p99 over {opts['passes']} passes of the "
        "eval questions after a warm-up and an eval pass. Embedding: "
        f"`{opts['embedding']}`, "
        + (
            "engine threads: the default (all cores, one when the machine is busy as a "
            "process starts: see the warm latency table)."
            if opts.get("threads") is None
            else f"`ASSISTANT_EMBEDDING_THREADS={opts['threads']}`."
        ),
        "",
        "## Targets",
        "",
        *_table(["target", "measured", "met"], targets(results)),
        "## Whole processes (s, median / p95)",
        "",
        *_table(
            [
                "size",
                "store",
                "chunks",
                "cold start to first answer",
                "cold ingest",
                "ingest chunks/s",
                "no-change re-ingest",
                "index on disk MB",
            ],
            _size_rows(
                sizes,
                lambda r: [
                    str(r.get("chunks", "–")),
                    _mp(_get(r, "cold_start", "wall_s")),
                    _ingest_cell(r),
                    _f(_get(r, "ingest_cold", "chunks_per_s", "median")),
                    _mp(_get(r, "reingest_nochange", "wall_s")),
                    _f((r.get("index_bytes") or 0) / MB) if r.get("index_bytes") else "–",
                ],
            ),
        ),
        *_scale_ingest(sizes),
        "Cold start phases (s, median; measured inside a second new process):",
        "",
        *_table(
            ["size", "store", "interpreter", "imports", "model load", "index open", "1st answer"],
            _size_rows(
                sizes,
                lambda r: [
                    _f(_get(r, "cold_start", "phases_s", p, "median"), 2)
                    for p in ("interpreter", "imports", "model_load", "index_open", "first_answer")
                ],
            ),
        ),
        "## Warm latency (ms, p50 / p95 / p99)",
        "",
        *_table(
            [
                "size",
                "store",
                "questions",
                "engine threads",
                "retrieval (top 5)",
                "`ask`",
                "llama-index default (top 5)",
                "llama-index / ours p50",
                "p95",
            ],
            _size_rows(
                sizes,
                lambda r: [
                    str(_get(r, "measure", "timing_questions") or "–"),
                    _threads(_get(r, "measure")),
                    _pct(_get(r, "measure", "warm_ms", "retrieve")),
                    _pct(_get(r, "measure", "warm_ms", "ask")),
                    _pct(_get(r, "measure", "warm_ms", "peer_retrieve")),
                    _f(_ratio(r, "p50"), 2),
                    _f(_ratio(r, "p95"), 2),
                ],
            ),
        ),
        "## Quality on the eval questions (Hit@1 / Hit@5)",
        "",
        *_table(
            [
                "size",
                "store",
                "questions",
                "ours de",
                "ours en",
                "llama-index de",
                "llama-index en",
                "answer pass de / en",
            ],
            _size_rows(
                sizes,
                lambda r: [
                    str(_get(r, "measure", "questions") or "–"),
                    _hits(_get(r, "measure", "quality"), "de"),
                    _hits(_get(r, "measure", "quality"), "en"),
                    _hits(_get(r, "measure", "peer_quality"), "de"),
                    _hits(_get(r, "measure", "peer_quality"), "en"),
                    " / ".join(
                        _f(_get(r, "measure", "quality", lang, "answer_pass"), 3) for lang in LANGS
                    ),
                ],
            ),
        ),
        *_by_category(sizes),
        "Needles (rank of the real passage in the top 10; the answer names it):",
        "",
        *_table(
            ["size", "store", *[n["question"] for n in _needle_head(sizes)]],
            _size_rows(
                sizes,
                lambda r: [
                    f"{n['gold_rank'] or '–'} {'✓' if n['answer_ok'] else '✗'}"
                    for n in _get(r, "measure", "needles") or []
                ],
            ),
        ),
        "## Memory (peak RSS, MB)",
        "",
        *_table(
            [
                "size",
                "store",
                "assistant serving (eval pass)",
                "web UI ready",
                "web UI after questions",
                "cold start process",
                "ingest process",
                "Chroma server",
                "index open s",
            ],
            _size_rows(
                sizes,
                lambda r: [
                    _f(_get(r, "measure", "rss", "serving", "VmHWM"), 0),
                    _f(_get(r, "serve", "rss_ready", "VmHWM"), 0),
                    _f(_get(r, "serve", "rss_peak", "VmHWM"), 0),
                    _f(_get(r, "cold_start", "max_rss_mb", "median"), 0),
                    _f(_get(r, "ingest_cold", "max_rss_mb", "median"), 0),
                    _f(_get(r, "server_rss", "VmHWM"), 0),
                    _f(_get(r, "measure", "open_s"), 2),
                ],
            ),
        ),
        "## Embedding throughput (passages/s, median / p95 of the slow end)",
        "",
        *_table(
            ["backend", "passages/s", "load s", "passages", "mean chars", "load avg"],
            [
                [
                    f"`{_short(spec)}`",
                    _throughput(data["per_s"]),
                    _f(data["load_s"], 2),
                    str(data["passages"]),
                    _f(data["mean_chars"], 0),
                    _f(data["loadavg"][0], 2),
                ]
                for spec, data in results["embedding_throughput"].items()
            ],
        ),
    ]
    profiles = list(results.get("profiles", {}).items())
    for row in sizes:
        for kind in ("ask", "retrieve"):
            profile = _get(row, "measure", "profile", kind)
            if profile:
                profiles.append((f"warm {kind} ({row['label']}, {row['backend']})", profile))
    if profiles:
        out += ["## What dominated (cProfile)", ""]
        for name, profile in profiles:
            out += _profile_lines(name, profile)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _ingest_cell(row: dict[str, Any]) -> str:
    ingest = row.get("ingest_cold") or {}
    if ingest.get("finished") is False:
        p = ingest.get("progress") or {}
        done = f"{p.get('done', 0)}/{p.get('total', '?')} passages embedded" if p else "no progress"
        return f"stopped after {ingest['stopped_after_s'] / 60:.0f} min ({done})"
    return _mp(ingest.get("wall_s"))


def _scale_ingest(sizes: list[dict[str, Any]]) -> list[str]:
    """Where a haystack ingest spent its time (one new process, progress reported)."""
    rows = []
    for r in sizes:
        ingest = r.get("ingest_cold") or {}
        if "split_s" not in ingest and "progress" not in ingest:
            continue
        split = ingest.get("split_s") or {}
        p = ingest.get("progress") or {}
        rows.append(
            [
                r["label"],
                r["backend"],
                "yes" if ingest.get("finished") else "**no**",
                _f(split.get("load_and_chunk")),
                _f(split.get("embed")),
                _f(split.get("store_and_facts")),
                _f(ingest.get("embed_per_s") or p.get("per_s")),
                _f(_get(ingest, "max_rss_mb", "median"), 0),
            ]
        )
    if not rows:
        return []
    head = ["size", "store", "finished", "load + chunk s", "embed s", "store + facts s"]
    return [
        "Haystack ingest, split (s; the embedding includes loading the model):",
        "",
        *_table([*head, "passages/s embedded", "peak RSS MB"], rows),
    ]


def _by_category(sizes: list[dict[str, Any]]) -> list[str]:
    """Hit@1 / Hit@5 of each question category at each size (the index on disk)."""
    local = [r for r in sizes if r["backend"] == "local"]
    found = [_get(r, "measure", "quality", "by_category") or {} for r in local]
    categories = sorted({c for f in found for c, v in f.items() if v.get("hit5") is not None})
    if not categories or len(local) < 2:
        return []
    rows = [
        [c, *[f"{_f(_get(f, c, 'hit1'), 2)} / {_f(_get(f, c, 'hit5'), 2)}" for f in found]]
        for c in categories
    ]
    return [
        "Ours by question category (Hit@1 / Hit@5, both languages):",
        "",
        *_table(["category", *[r["label"] for r in local]], rows),
    ]


def _needle_head(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in sizes:
        found = _get(row, "measure", "needles")
        if found:
            return found
    return []


def _short(spec: str) -> str:
    backend, _, rest = spec.partition(":")
    if backend == "sentence-transformers" and "/" in rest:
        return f"{backend}:…/{rest.rstrip('/').rsplit('/', 1)[-1]}"
    return spec.replace("@1", " (1 thread)")


def _throughput(spread: Mapping[str, Any]) -> str:
    """Median rate, and the rate of the slow end (the lowest 5 %)."""
    runs = sorted(spread.get("runs") or [])
    slow = runs[round(0.05 * (len(runs) - 1))] if runs else None
    return f"{_f(spread.get('median'))} / {_f(slow)}"
