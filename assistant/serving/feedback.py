"""Feedback on answers: thumbs up or down with an optional comment, kept in SQLite.

A row holds what is needed to check the answer later — the question, the answer, its
citations, the answer language, the rating, the comment and the time (UTC) — and nothing
about the person: no IP address, no cookie, no session id. Rows are kept until deleted.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

RATINGS = ("up", "down")
COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "rating",
    "comment",
    "question",
    "resolved_question",
    "language",
    "abstained",
    "answer",
    "citations",
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    resolved_question TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL
)
"""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedbackStore:
    """The feedback database at ``path`` (created with its folder on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One short transaction: committed on success, rolled back on error, then closed."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as con:
            con.row_factory = sqlite3.Row
            with con:
                con.execute(_SCHEMA)
                yield con

    def record(self, rating: str, answer: Mapping[str, Any], comment: str = "") -> int:
        """Store a rating of ``answer`` (an ``Answer.to_dict()``); returns the row id."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
        citations = [
            {k: c.get(k) for k in ("n", "doc", "title", "section", "score", "quote")}
            for c in answer.get("citations", [])
        ]
        now = _now()
        with self._connect() as con:
            cur = con.execute(
                "INSERT INTO feedback (created_at, updated_at, rating, comment, question, "
                "resolved_question, language, abstained, answer, citations) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    now,
                    rating,
                    comment.strip(),
                    str(answer.get("question", "")),
                    str(answer.get("resolved_question", "")),
                    str(answer.get("language", "")),
                    int(bool(answer.get("abstained", False))),
                    str(answer.get("answer", "")),
                    json.dumps(citations, ensure_ascii=False),
                ),
            )
            return int(cur.lastrowid or 0)

    def rate(self, row_id: int, rating: str) -> bool:
        """Change the rating of a row (the user changed their mind); False if it is gone."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
        with self._connect() as con:
            cur = con.execute(
                "UPDATE feedback SET rating = ?, updated_at = ? WHERE id = ?",
                (rating, _now(), row_id),
            )
            return cur.rowcount == 1

    def comment(self, row_id: int, text: str) -> bool:
        """Set the comment of a row; False if the row does not exist."""
        with self._connect() as con:
            cur = con.execute(
                "UPDATE feedback SET comment = ?, updated_at = ? WHERE id = ?",
                (text.strip(), _now(), row_id),
            )
            return cur.rowcount == 1

    def delete(self, row_id: int) -> bool:
        """Remove a row (the user withdrew the rating); False if it did not exist."""
        with self._connect() as con:
            return con.execute("DELETE FROM feedback WHERE id = ?", (row_id,)).rowcount == 1

    def rows(self) -> list[dict[str, Any]]:
        """Every row, oldest first; ``citations`` parsed back into a list."""
        if not self.path.exists():
            return []
        with self._connect() as con:
            found = con.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id").fetchall()
        out = []
        for row in found:
            item = dict(row)
            item["abstained"] = bool(item["abstained"])
            item["citations"] = json.loads(item["citations"])
            out.append(item)
        return out

    def export_csv(self, out: IO[str]) -> int:
        """Write every row as CSV (citations as JSON text); returns the number of rows.

        Cells that a spreadsheet would run as a formula (starting with = + - @) get a
        leading apostrophe, since questions and comments are typed by anyone.
        """
        rows = self.rows()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in rows:
            cells: Sequence[Any] = [
                json.dumps(row[c], ensure_ascii=False) if c == "citations" else row[c]
                for c in COLUMNS
            ]
            writer.writerow([_safe_cell(v) for v in cells])
        return len(rows)


def _safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
