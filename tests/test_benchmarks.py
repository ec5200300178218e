"""The haystack generator is deterministic and writes loadable pages; the benchmark suite
runs end to end in its smoke mode and writes well-formed results (no timing assertions)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.documents.chunking import chunk_document
from assistant.documents.corpus import load_corpus

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
CORPUS = REPO / "corpus"
sys.path.insert(0, str(BENCH))

import haystack  # noqa: E402


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.md"))}


def test_same_seed_gives_the_same_bytes(tmp_path):
    haystack.write_haystack(tmp_path / "a", 6, seed=7)
    haystack.write_haystack(tmp_path / "b", 6, seed=7)
    haystack.write_haystack(tmp_path / "c", 6, seed=8)
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert len(a) == 6 and a == b
    assert a != c


def test_a_smaller_haystack_is_the_start_of_a_larger_one():
    small, large = haystack.pages(3, 4), haystack.pages(3, 9)
    assert large[:4] == small
    assert len({p.city for p in large}) == 9  # one fictional municipality per page


def test_pages_load_with_the_corpus_and_are_about_their_own_municipality(tmp_path):
    haystack.write_haystack(tmp_path, 12, corpus_dir=CORPUS)
    docs = load_corpus(tmp_path)
    synthetic = [d for d in docs if d.id.startswith("haystack-")]
    assert len(docs) == len(list(CORPUS.glob("*.md"))) + 12 and len(synthetic) == 12
    partners = {name for name, _country in haystack.DARMSTADT_PARTNERS}
    named_partner = 0
    for doc in synthetic:
        assert doc.city != "Darmstadt" and doc.city in doc.title and doc.city in doc.publisher
        assert "Darmstadt" not in doc.text
        assert doc.language == "de" and isinstance(doc.as_of, int)
        kinds = {c.kind for c in chunk_document(doc)}
        assert {"contact", "address"} <= kinds
        assert "Partnerstädte: " in doc.text and "\nTelefon (0" in doc.text
        named_partner += any(
            f"Partnerstädte: {p}" in doc.text or f", {p}" in doc.text for p in partners
        )
    assert named_partner >= 4  # Darmstadt's partner cities are in the haystack too


def test_pages_for_a_chunk_target_use_the_measured_chunks_per_page():
    count, per_page = haystack.pages_for_chunks(1000, seed=haystack.DEFAULT_SEED, base_chunks=85)
    assert 5 < per_page < 40
    assert abs(count * per_page + 85 - 1000) <= per_page


@pytest.mark.slow
def test_the_suite_runs_end_to_end_in_smoke_mode(tmp_path):
    cmd = [sys.executable, str(BENCH / "suite.py"), "--smoke", "--out", str(tmp_path)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "suite.json").read_text(encoding="utf-8"))
    markdown = (tmp_path / "suite.md").read_text(encoding="utf-8")
    assert results["machine"]["cores"] >= 1 and results["load"]
    assert [row["label"] for row in results["sizes"]] == ["corpus", "+20 pages"]
    for row in results["sizes"]:
        assert row["chunks"] > 0 and row["index_bytes"] > 0
        for figure in (
            row["ingest_cold"]["wall_s"],
            row["reingest_nochange"]["wall_s"],
            row["cold_start"]["wall_s"],
        ):
            assert figure["n"] >= 1 and figure["median"] > 0 and figure["p95"] >= figure["median"]
        warm = row["measure"]["warm_ms"]
        for name in ("retrieve", "ask", "peer_retrieve"):
            assert warm[name]["n"] >= 1 and warm[name]["p50"] <= warm[name]["p95"]
        for lang in ("de", "en"):
            assert 0 <= row["measure"]["quality"][lang]["hit5"] <= 1
            assert 0 <= row["measure"]["peer_quality"][lang]["hit1"] <= 1
        assert row["measure"]["rss"]["serving"]["VmHWM"] > 0
        assert row["serve"]["http_status"] == 200 and row["serve"]["rss_peak"]["VmHWM"] > 0
        assert len(row["measure"]["needles"]) == 4
        assert "engine_threads" in row["measure"]  # what the engine ran with is recorded
    assert results["embedding_throughput"]["fake"]["per_s"]["median"] > 0
    for heading in ("## Targets", "## Whole processes", "## Warm latency", "## Memory"):
        assert heading in markdown
    assert "+20 pages" in markdown and "llama-index" in markdown and "engine threads" in markdown


@pytest.mark.slow
def test_the_index_cache_builds_once_and_is_reused(tmp_path):
    cache = tmp_path / "cache"
    cmd = [sys.executable, str(BENCH / "suite.py"), "--smoke", "--build-only"]
    cmd += ["--haystack-pages", "3", "--index-cache", str(cache), "--out", str(tmp_path)]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    record = cache / "index-+3 pages-local.ingest.json"
    built = json.loads(record.read_text(encoding="utf-8"))
    assert built["finished"] and built["chunks"] > 0 and "built" in built
    assert (cache / "index-+3 pages-local" / "manifest.json").exists()
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "index reused from the cache" in again.stderr
    assert json.loads(record.read_text(encoding="utf-8")) == built  # not rebuilt


def test_the_load_sweep_runs_twenty_forty_and_forty_with_fresh_questions():
    import argparse

    import load

    options = {"users": 5, "think": 1.0, "no_rate_limit": False, "fresh": False, "label": ""}
    args = argparse.Namespace(**options, sweep=True, server_env=[("ASSISTANT_X", "1")])
    planned = [(stem, a.users, a.think, a.no_rate_limit, a.fresh) for stem, a in load.runs(args)]
    assert planned == [
        ("load-20", 20, 2.0, False, False),
        ("load-40", 40, 0.5, True, False),
        ("load-40-fresh", 40, 0.5, True, True),
    ]
    envs = [load.server_env(a) for _, a in load.runs(args)]
    assert envs[0] == {"ASSISTANT_X": "1"}
    assert envs[2] == {"ASSISTANT_QUERY_CACHE_SIZE": "0", "ASSISTANT_X": "1"}
    own = argparse.Namespace(
        **{**options, "fresh": True}, server_env=[("ASSISTANT_QUERY_CACHE_SIZE", "9")]
    )
    assert load.server_env(own) == {"ASSISTANT_QUERY_CACHE_SIZE": "9"}  # --server-env wins
    assert [stem for stem, _ in load.runs(argparse.Namespace(**options, sweep=False))] == ["load"]


def test_no_training_city_bears_an_eval_citys_name(tmp_path):
    import training

    towns = training.eval_towns()
    assert "darmstadt" in towns  # the main corpus's city is among them
    for city in sorted(training.CITIES.iterdir()):
        assert not training.name_clashes(load_corpus(city / "corpus"), towns), city.name
    clash = tmp_path / "clash"
    (clash / "corpus").mkdir(parents=True)
    page = (CORPUS / "darmstadt-netzwerke.md").read_text(encoding="utf-8")
    (clash / "corpus" / "page.md").write_text(page, encoding="utf-8")
    (clash / "questions.jsonl").write_text("", encoding="utf-8")
    assert "an eval set's city" in training.check_city(clash, towns)[0]


def test_the_pair_checks_threshold_keeps_the_readers_false_refusals():
    import numpy as np
    import pair_stack

    rng = np.random.default_rng(0)
    right = rng.random(400) < 0.7
    reader = np.clip(np.where(right, 0.65, 0.4) + rng.normal(0, 0.2, 400), 0.01, 0.99)
    stacked = np.clip(np.where(right, 0.75, 0.25) + rng.normal(0, 0.15, 400), 0.01, 0.99)
    t = pair_stack.threshold_keeping(stacked, reader, right, 0.5)
    allowed = (reader[right] < 0.5).mean()
    assert (stacked[right] < t).mean() <= allowed
    above = [v for v in np.round(stacked, 4) if v > t]
    assert all((stacked[right] < v).mean() > allowed for v in above)
    # the better score refuses more at the same false refusals
    assert (stacked[~right] < t).mean() > (reader[~right] < 0.5).mean()
