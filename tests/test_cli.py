"""The command line over a temp corpus and index (fake embedder via the environment)."""

import json

import pytest

from assistant.cli import main


@pytest.fixture
def env(monkeypatch, fake_settings):
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(fake_settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(fake_settings.index_dir))
    monkeypatch.setenv("ASSISTANT_EMBEDDING", "fake")
    return fake_settings


def test_ingest_reports_counts_and_time(env, capsys):
    assert main(["ingest"]) == 0
    out = capsys.readouterr().out
    assert "5 added, 0 updated, 0 unchanged, 0 removed" in out and " s" in out
    assert main(["ingest"]) == 0
    assert "0 added, 0 updated, 5 unchanged, 0 removed" in capsys.readouterr().out
    assert main(["ingest", "--rebuild"]) == 0
    assert "full rebuild (requested)" in capsys.readouterr().out


def test_search_prints_passages_with_scores(env, capsys):
    assert main(["search", "Partnerstädte Szeged", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[1] ") and "[2] " in out and "[3] " not in out
    assert "›" in out  # doc › section


def test_search_json(env, capsys):
    main(["search", "Mayors for Peace", "--json"])
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert len(rows) == 5 and [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert {"score", "doc", "title", "section", "text", "chunk_id", "leg_scores"} <= set(rows[0])
    assert rows[0]["score"] >= rows[-1]["score"]
    assert "ingesting" in captured.err  # the first search built the missing index


def test_errors_are_messages_not_tracebacks(env, capsys):
    (env.corpus_dir / "kaputt.md").write_text("no front matter")
    assert main(["ingest"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "kaputt.md" in err and "Traceback" not in err


def test_chat_loop_answers_until_an_empty_line(env, capsys, monkeypatch):
    answers = iter(["Wer ist für Szeged zuständig?", ""])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(answers))
    assert main(["chat", "-k", "1"]) == 0
    out = capsys.readouterr().out
    assert "[1] " in out and "[2] " not in out
