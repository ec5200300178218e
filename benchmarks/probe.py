"""Child processes of the benchmark suite; each measures one thing in a fresh process and
writes JSON to ``--out``. The settings come from ``ASSISTANT_*`` variables, as for the CLI.

    probe.py phases   cold start split into imports, model load, index open, first answer
    probe.py measure  warm retrieval and ask latency, Hit@1/Hit@5, the peer, serving RSS
    probe.py serve    the web UI serving on a loopback port: RSS when ready and at peak
    probe.py embed    embedding throughput of one backend
    probe.py ingest   a cold build, split into chunking, embedding and storing
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import benchlib  # noqa: E402
from benchlib import free_port, latency, proc_status, profiled, top_functions  # noqa: E402

FIRST_QUESTION = "Wer ist für Szeged zuständig?"
WARMUP_QUESTIONS = 10
# Needles: (question, texts of which a real passage holds one, text the answer must hold).
SEEL = ("Seel, Alina", "Frau Alina Seel")  # the same card on two Darmstadt pages
NEEDLES = (
    ("Wer ist für Szeged zuständig?", SEEL, "Seel"),
    ("Who handles Szeged?", SEEL, "Seel"),
    ("Seit wann ist Szeged Partnerstadt von Darmstadt?", ("1990 Szeged",), "1990"),
    ("Since when has Troyes been a twin town of Darmstadt?", ("1958 Alkmaar",), "1958"),
)


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def subset(questions: list[Any], limit: int) -> list[Any]:
    """``limit`` questions (0: all) as whole German/English pairs spread over the set."""
    if limit <= 0 or limit >= len(questions):
        return list(questions)
    pairs: dict[str, list[Any]] = {}
    for q in questions:
        pairs.setdefault(q.pair_id, []).append(q)
    ids = list(pairs)
    want = max(1, -(-limit // 2))
    step = len(ids) / want
    chosen = [ids[int(i * step)] for i in range(want)]
    return [q for pid in chosen for q in pairs[pid]][:limit]


def _questions(limit: int) -> list[Any]:
    from assistant.config import Settings

    return subset(benchlib.eval_questions(Settings()), limit)


def cmd_phases(args: argparse.Namespace) -> int:
    """Cold start, phase by phase (the parent measures the whole process as well)."""
    marks = {"interpreter": time.perf_counter() - T_START}

    def run() -> dict[str, Any]:
        t = time.perf_counter()
        from assistant.app import Assistant
        from assistant.config import Settings
        from assistant.indexing.embedding import make_embedder

        marks["imports"] = time.perf_counter() - t
        settings = Settings()
        t = time.perf_counter()
        embedder = make_embedder(settings.embedding, settings.embedding_threads or None)
        embedder.embed_queries(["warm"])
        marks["model_load"] = time.perf_counter() - t
        t = time.perf_counter()
        assistant = Assistant.open(settings, embedder=embedder, auto_ingest=False)
        marks["index_open"] = time.perf_counter() - t
        t = time.perf_counter()
        answer = assistant.ask(args.question)
        marks["first_answer"] = time.perf_counter() - t
        return {"answer": answer.answer}

    if args.profile:
        result, stats = profiled(run)
        profile = top_functions(stats)
    else:
        result, profile = run(), None
    _write(
        args.out,
        {"phases_s": marks, "answer": result["answer"], "rss": proc_status(), "profile": profile},
    )
    return 0


class _Timed:
    """The assistant as the eval harness sees it, with every call timed."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self.search_ms: list[float] = []
        self.ask_ms: list[float] = []

    def search(self, query: str, k: int) -> Any:
        t = time.perf_counter()
        found = self.assistant.search(query, k)
        self.search_ms.append((time.perf_counter() - t) * 1000)
        return found

    def ask(self, question: str) -> Any:
        t = time.perf_counter()
        answer = self.assistant.ask(question)
        self.ask_ms.append((time.perf_counter() - t) * 1000)
        return answer


class _Searcher:
    """Gives any retriever the ``search`` method the eval harness calls."""

    def __init__(self, retriever: Any) -> None:
        self.retriever = retriever

    def search(self, query: str, k: int) -> Any:
        return self.retriever.retrieve(query, k)


def quality(result: dict[str, Any]) -> dict[str, Any]:
    """Per-language retrieval and answer metrics of a ``run_eval`` result."""
    out: dict[str, Any] = {}
    for lang, summary in result["by_language"].items():
        row: dict[str, Any] = {"mrr10": summary["mrr10"]}
        for key in ("hit1", "hit5", "answer_pass", "citation_ok", "abstained_ok", "false_refusal"):
            rate = summary.get(key)
            if rate is not None:
                row[key] = rate["rate"]
                row[f"{key}_count"] = f"{rate['count']}/{rate['n']}"
        out[lang] = row
    out["by_category"] = {
        category: {key: (summary.get(key) or {}).get("rate") for key in ("hit1", "hit5")}
        for category, summary in result["by_category"].items()
    }
    return out


def needles(assistant: Any) -> list[dict[str, Any]]:
    """Where the real answer to a few needle questions ranks, and whether the answer has it."""
    out = []
    for question, gold, must in NEEDLES:
        passages = assistant.search(question, 10)
        ranks = [p.rank for p in passages if any(g in p.chunk.passage_text for g in gold)]
        answer = assistant.ask(question)
        out.append(
            {
                "question": question,
                "gold_rank": ranks[0] if ranks else None,
                "top_doc": passages[0].chunk.doc_id if passages else None,
                "answer_ok": must in answer.answer and not answer.abstained,
            }
        )
    return out


def _timed_passes(
    assistant: Any, peer: Any, questions: list[Any], passes: int, k: int
) -> dict[str, Any]:
    """Warm latency passes; the assistant's and the peer's retrieval alternate which goes
    first, question by question, so both see the same machine."""
    samples: dict[str, list[float]] = {"retrieve": [], "ask": [], "peer_retrieve": []}
    per_pass: dict[str, list[float]] = {name: [] for name in samples}

    def timed(name: str, fn: Any, *a: Any) -> None:
        t = time.perf_counter()
        fn(*a)
        samples[name].append((time.perf_counter() - t) * 1000)

    for n in range(passes):
        start = {name: len(v) for name, v in samples.items()}
        for i, q in enumerate(questions):
            peer_first = peer is not None and (i + n) % 2 == 1
            if peer_first:
                timed("peer_retrieve", peer.retrieve, q.question, k)
            timed("retrieve", assistant.search, q.question, k)
            if peer is not None and not peer_first:
                timed("peer_retrieve", peer.retrieve, q.question, k)
            timed("ask", assistant.ask, q.question)
        for name, values in samples.items():
            if len(values) > start[name]:
                per_pass[name].append(latency(values[start[name] :])["p95"])
    out = {name: latency(v) for name, v in samples.items() if v}
    out["per_pass_p95"] = {name: v for name, v in per_pass.items() if v}
    return out


def cmd_measure(args: argparse.Namespace) -> int:
    from assistant.app import Assistant
    from assistant.config import Settings
    from assistant.evaluation.harness import run_eval

    # every question embedded afresh: the timings are of answering, not of looking up
    settings = Settings(query_cache_size=0)
    questions = _questions(args.limit)
    timing = subset(questions, args.timing_limit)
    t = time.perf_counter()
    assistant = Assistant.open(settings, auto_ingest=False)
    open_s = time.perf_counter() - t
    rss_open = proc_status()
    t = time.perf_counter()
    for q in questions[:WARMUP_QUESTIONS]:
        assistant.ask(q.question)
    warmup_s = time.perf_counter() - t
    timed = _Timed(assistant)
    t = time.perf_counter()
    result = run_eval(timed, questions)
    eval_s = time.perf_counter() - t
    found = needles(assistant)
    rss_serving = proc_status()  # before the peer loads llama-index
    peer = peer_quality = None
    if args.peer:
        from assistant.retrieval.peer import LlamaIndexDefaultRetriever

        retriever = assistant.retriever
        peer = LlamaIndexDefaultRetriever(retriever.store, retriever.embedder)
        peer_quality = quality(run_eval(_Searcher(peer), questions))
        peer.retrieve(FIRST_QUESTION, settings.top_k)  # its retriever for top_k, built once
    warm = _timed_passes(assistant, peer, timing, args.passes, settings.top_k)
    profile = None
    if args.profile:
        _, stats = profiled(lambda: [assistant.ask(q.question) for q in timing])
        ask_profile = top_functions(stats)
        _, stats = profiled(lambda: [assistant.search(q.question, 5) for q in timing])
        profile = {"ask": ask_profile, "retrieve": top_functions(stats)}
    _write(
        args.out,
        {
            "questions": len(questions),
            "timing_questions": len(timing),
            "passes": args.passes,
            "chunks": len(assistant.retriever.chunks),
            # what the engine chose at load (None: all cores; one when the machine was busy)
            "engine_threads": getattr(assistant.retriever.embedder, "engine_threads", "–"),
            "open_s": open_s,
            "warmup_s": warmup_s,
            "eval_s": eval_s,
            "eval_pass_ms": {"retrieve": latency(timed.search_ms), "ask": latency(timed.ask_ms)},
            "warm_ms": warm,
            "quality": quality(result),
            "peer_quality": peer_quality,
            "needles": found,
            "rss": {"after_open": rss_open, "serving": rss_serving, "end": proc_status()},
            "profile": profile,
        },
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """What ``assistant serve`` does, on a free loopback port, then the questions asked."""
    import urllib.request

    from assistant.app import Assistant
    from assistant.config import Settings
    from assistant.serving.server import launch, warm_up
    from assistant.serving.ui import create_app

    t = time.perf_counter()
    assistant = Assistant.open(Settings(), auto_ingest=False)
    warm_up(assistant)
    app = create_app(assistant)
    port = free_port()
    launch(app, "127.0.0.1", port, block=False)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
        status = response.status
    ready_s = time.perf_counter() - t
    rss_ready = proc_status()
    questions = _questions(args.limit)
    for q in questions:
        assistant.ask(q.question)
    rss_peak = proc_status()
    app.close()
    _write(
        args.out,
        {
            "ready_s": ready_s,
            "http_status": status,
            "questions": len(questions),
            "rss_ready": rss_ready,
            "rss_peak": rss_peak,
        },
    )
    return 0


def _passages(count: int) -> list[str]:
    """``count`` passages to embed: the real corpus chunks, then haystack chunks."""
    import tempfile

    import haystack

    from assistant.config import Settings
    from assistant.documents.chunking import chunk_document
    from assistant.documents.corpus import load_corpus, parse_document

    docs = load_corpus(Settings().corpus_dir)
    texts = [c.embedding_text for d in docs for c in chunk_document(d)]
    with tempfile.TemporaryDirectory() as folder:
        names = haystack.municipality_names(haystack.DEFAULT_SEED)
        index = 0
        while len(texts) < count:
            page = haystack.page(haystack.DEFAULT_SEED, index, names[index])
            path = Path(folder) / page.file
            path.write_text(page.text, encoding="utf-8")
            texts += [c.embedding_text for c in chunk_document(parse_document(path))]
            index += 1
    return texts[:count]


def cmd_embed(args: argparse.Namespace) -> int:
    from assistant.indexing.embedding import make_embedder

    texts = _passages(args.passages)
    t = time.perf_counter()
    embedder = make_embedder(args.backend, args.threads or None)
    embedder.embed_passages(texts[:8])  # loads the model
    load_s = time.perf_counter() - t
    rates = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        embedder.embed_passages(texts)
        rates.append(len(texts) / (time.perf_counter() - t))
    _write(
        args.out,
        {
            "backend": args.backend,
            "name": embedder.name,
            "passages": len(texts),
            "mean_chars": sum(map(len, texts)) / len(texts),
            "load_s": load_s,
            "per_s": rates,
            "rss": proc_status(),
        },
    )
    return 0


class ProgressEmbedder:
    """An embedder that embeds passages in batches and appends its progress to a file (one
    JSON line per batch), so a long ingest shows how far it got; it also times the
    embedding, to tell it apart from chunking and storing."""

    def __init__(self, inner: Any, progress: Path | None, batch: int = 256) -> None:
        self.inner = inner
        self.progress = progress
        self.batch = batch
        self.embed_s = 0.0
        self.first_call: float | None = None
        self.last_call: float | None = None

    @property
    def name(self) -> str:
        return str(self.inner.name)

    @property
    def dim(self) -> int:
        return int(self.inner.dim)

    def embed_queries(self, texts: Any) -> Any:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Any) -> Any:
        import numpy as np

        texts = list(texts)
        start = time.perf_counter()
        self.first_call = self.first_call or start
        parts = []
        for i in range(0, len(texts), self.batch):
            parts.append(self.inner.embed_passages(texts[i : i + self.batch]))
            if self.progress is not None:
                done, spent = min(i + self.batch, len(texts)), time.perf_counter() - start
                line = {"done": done, "total": len(texts), "s": spent, "per_s": done / spent}
                with self.progress.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(line) + "\n")
        self.last_call = time.perf_counter()
        self.embed_s += self.last_call - start
        return np.vstack(parts) if parts else self.inner.embed_passages([])


def cmd_ingest(args: argparse.Namespace) -> int:
    """A cold build of the index as ``assistant ingest`` does it, split into preparing (loading
    and chunking), embedding and storing (Chroma, facts, manifest); optionally profiled."""
    from assistant.config import Settings
    from assistant.indexing.embedding import make_embedder
    from assistant.indexing.ingest import ingest

    settings = Settings()
    inner = make_embedder(settings.embedding, settings.embedding_threads or None)
    embedder = ProgressEmbedder(inner, args.progress)
    t0 = time.perf_counter()
    if args.profile:
        report, stats = profiled(lambda: ingest(settings, rebuild=True, embedder=embedder))
        profile = top_functions(stats)
    else:
        report, profile = ingest(settings, rebuild=True, embedder=embedder), None
    end = time.perf_counter()
    first = embedder.first_call or end
    last = embedder.last_call or end
    _write(
        args.out,
        {
            "summary": report.summary(),
            "chunks": report.chunks,
            "embedded": report.embedded,
            "seconds": end - t0,
            "split_s": {
                "load_and_chunk": first - t0,
                "embed": embedder.embed_s,
                "store_and_facts": end - last,
            },
            "rss": proc_status(),
            "profile": profile,
        },
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = benchlib.parser(__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("phases")
    p.add_argument("--question", default=FIRST_QUESTION)
    p.add_argument("--profile", action="store_true")
    p = sub.add_parser("measure")
    p.add_argument("--limit", type=int, default=0, help="questions (0: all)")
    p.add_argument("--timing-limit", type=int, default=0, help="questions timed (0: all)")
    p.add_argument("--passes", type=int, default=3)
    p.add_argument("--peer", action="store_true")
    p.add_argument("--profile", action="store_true")
    p = sub.add_parser("serve")
    p.add_argument("--limit", type=int, default=0)
    p = sub.add_parser("embed")
    p.add_argument("--backend", required=True)
    p.add_argument("--passages", type=int, default=256)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=0)
    p = sub.add_parser("ingest")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--progress", type=Path, default=None, help="append progress lines here")
    for p in sub.choices.values():
        p.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    handlers = {
        "phases": cmd_phases,
        "measure": cmd_measure,
        "serve": cmd_serve,
        "embed": cmd_embed,
        "ingest": cmd_ingest,
    }
    return handlers[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
