"""The feedback store: ratings with comments in SQLite, exported as CSV."""

import csv
import io
import sqlite3

import pytest

from assistant.serving.feedback import COLUMNS, FeedbackStore

ANSWER = {
    "question": "Wer ist für Szeged zuständig?",
    "language": "de",
    "answer": "Für Szeged ist Alina Seel zuständig [1].",
    "abstained": False,
    "citations": [
        {
            "n": 1,
            "doc": "darmstadt-internationales",
            "title": "Internationales",
            "section": "Adresse",
            "text": "Seel, Alina …",
            "score": 0.17,
            "quote": "",
        }
    ],
    "conflicts": [],
    "timings_ms": {"total": 12.0},
    "resolved_question": "",
}


@pytest.fixture
def store(tmp_path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "data" / "feedback.sqlite3")


def test_a_rating_is_stored_with_question_answer_citations_language_and_time(store):
    row_id = store.record("up", ANSWER)
    (row,) = store.rows()
    assert row["id"] == row_id and row["rating"] == "up" and row["comment"] == ""
    assert row["question"] == ANSWER["question"] and row["answer"] == ANSWER["answer"]
    assert row["language"] == "de" and row["abstained"] is False
    assert row["citations"][0]["doc"] == "darmstadt-internationales"
    assert "text" not in row["citations"][0]  # the passage is in the corpus, not repeated
    assert row["created_at"].endswith("+00:00")


def test_nothing_about_the_person_is_stored(store):
    store.record("down", ANSWER, comment="falsch")
    with sqlite3.connect(store.path) as con:
        columns = {r[1] for r in con.execute("PRAGMA table_info(feedback)")}
    assert columns == set(COLUMNS)
    assert not {c for c in columns if "ip" in c.split("_") or "cookie" in c or "session" in c}


def test_rating_comment_and_withdrawal(store):
    row_id = store.record("up", ANSWER)
    assert store.rate(row_id, "down") and store.comment(row_id, "  Telefonnummer fehlt ")
    (row,) = store.rows()
    assert row["rating"] == "down" and row["comment"] == "Telefonnummer fehlt"
    assert store.delete(row_id) and store.rows() == []
    assert not store.comment(row_id, "zu spät") and not store.rate(row_id, "up")


def test_rows_survive_a_new_store_object(store):
    store.record("up", ANSWER)
    assert len(FeedbackStore(store.path).rows()) == 1


def test_unknown_rating_is_refused(store):
    with pytest.raises(ValueError):
        store.record("meh", ANSWER)


def test_export_csv_has_a_header_and_defuses_formulas(store):
    store.record("up", ANSWER)
    store.record("down", {**ANSWER, "question": "=HYPERLINK(1)"}, comment="+49 hilft")
    out = io.StringIO()
    assert store.export_csv(out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(COLUMNS)
    assert (
        rows[0]["rating"] == "up" and '"doc": "darmstadt-internationales"' in rows[0]["citations"]
    )
    assert rows[1]["question"] == "'=HYPERLINK(1)" and rows[1]["comment"] == "'+49 hilft"


def test_export_of_a_missing_database_is_just_the_header(tmp_path):
    out = io.StringIO()
    assert FeedbackStore(tmp_path / "none.sqlite3").export_csv(out) == 0
    assert out.getvalue().strip() == ",".join(COLUMNS)
    assert not (tmp_path / "none.sqlite3").exists()
