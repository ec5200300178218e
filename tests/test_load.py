"""The load test, short: 20 simulated users for a few seconds against the web UI served over
the real assistant on a loopback port. Every request must succeed; times are reported, not
asserted (they depend on the machine and on whatever else runs on it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import REPO

pytestmark = pytest.mark.slow


def test_twenty_users_for_a_few_seconds_get_answers_without_errors(
    real_assistant, real_settings, tmp_path
):
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(real_settings.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(real_settings.index_dir),  # built by real_assistant
        "ASSISTANT_EMBEDDING": real_settings.embedding,
    }
    command = [sys.executable, str(REPO / "benchmarks" / "load.py")]
    command += ["--users", "20", "--duration", "5", "--think", "1", "--out", str(tmp_path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads((tmp_path / "load.json").read_text())
    assert result["users"] == 20 and result["errors"] == 0, result["error_examples"]
    assert result["requests"] >= 20 and result["answered"] >= 10
    assert result["server_log_tracebacks"] == 0
    assert (tmp_path / "load.md").read_text().startswith("# Web UI load test")
    print("load (short):", json.dumps({k: result[k] for k in ("requests", "answer_ms")}))
