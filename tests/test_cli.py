"""The command line over a temp corpus and index (fake embedder via the environment)."""

import json

from assistant.cli import main


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


def test_chat_loop_answers_follow_ups_until_an_empty_line(env, capsys, monkeypatch):
    answers = iter(["Wer ist für Szeged zuständig?", "Und Graz?", ""])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(answers))
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    assert "Alina Seel" in out and "Julia Kuz" in out and "Quellen / Sources:" in out


def test_ask_prints_a_readable_answer_with_sources(env, capsys):
    assert main(["ask", "Who handles Szeged?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Alina Seel is responsible for Szeged") and "[1]" in out
    assert "Quellen / Sources:" in out and "  [1] " in out


def test_ask_json_follows_the_contract(env, capsys):
    assert main(["ask", "Seit wann ist Trondheim Partnerstadt?", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {
        "question",
        "language",
        "answer",
        "abstained",
        "citations",
        "conflicts",
        "timings_ms",
    } <= set(data)
    assert data["language"] == "de" and not data["abstained"] and "1968" in data["answer"]
    cite = data["citations"][0]
    assert {"n", "doc", "title", "section", "text", "score"} <= set(cite) and cite["n"] == 1
    assert "1968" in cite["text"] and set(data["timings_ms"]) >= {"retrieve", "compose", "total"}


def test_ask_batch_echoes_ids(env, tmp_path, capsys):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(
        json.dumps({"id": "a", "question": "Who handles Troyes?"})
        + "\n"
        + json.dumps({"id": "b", "question": "Wer betreut Graz?", "lang": "en"})
        + "\n"
    )
    assert main(["ask", "--jsonl", str(src), "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert "Schewe" in rows[0]["answer"] and rows[1]["language"] == "en"


def test_serve_starts_the_web_ui_on_the_given_address(env, monkeypatch):
    seen = {}
    monkeypatch.setattr(
        "assistant.serving.server.serve",
        lambda settings, host, port, staff_port: seen.update(
            host=host, port=port, staff_port=staff_port
        ),
    )
    assert main(["serve", "--port", "7999"]) == 0
    assert seen == {"host": None, "port": 7999, "staff_port": None}  # None: the settings'
    assert main(["serve", "--staff-port", "7998"]) == 0
    assert seen == {"host": None, "port": None, "staff_port": 7998}


def test_staff_hash_prints_a_hash_of_the_password_read(monkeypatch, capsys):
    import io

    from assistant.serving.staff_auth import verify_password

    monkeypatch.setattr("sys.stdin", io.StringIO("ein-langes-Passwort\n"))
    assert main(["staff-hash"]) == 0
    stored = capsys.readouterr().out.strip()
    assert stored.startswith("scrypt$") and "ein-langes-Passwort" not in stored
    assert verify_password("ein-langes-Passwort", stored)
    monkeypatch.setattr("sys.stdin", io.StringIO("kurz\n"))
    assert main(["staff-hash"]) == 2 and "12 characters" in capsys.readouterr().err


def test_feedback_export_writes_csv(env, monkeypatch, tmp_path, capsys):
    from assistant.serving.feedback import FeedbackStore

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "var"))
    store = FeedbackStore(tmp_path / "var" / "feedback.sqlite3")
    store.record("up", {"question": "Wer?", "answer": "Alina Seel [1].", "language": "de"})
    out = tmp_path / "export" / "feedback.csv"
    assert main(["feedback", "export", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,created_at,") and "Alina Seel [1]." in lines[1]
    assert "1 feedback rows written" in capsys.readouterr().err
    assert main(["feedback", "export"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("1,")
