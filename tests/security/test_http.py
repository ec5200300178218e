"""Hostile HTTP clients against the served page: an oversized body, many rapid questions
from one address (each in a new session), an anonymous upload, invalid API calls; and, in
the handlers and the HTML, a question turned away that must not change the conversation,
and addresses in answers that must stay text.

The served tests start the page over a stand-in assistant (no model) on a loopback port.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import re
import uuid
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from gradio_queue import free_port
from markdown_it import MarkdownIt

from assistant.config import Settings
from assistant.guard import check_question, rejection
from assistant.records import Answer, Citation
from assistant.serving.feedback import FeedbackStore
from assistant.serving.handlers import ChatHandlers, history
from assistant.serving.render import answer_message, escape_text

QUESTION = "Wer ist für Szeged zuständig?"
# what GFM (the chat's Markdown) links by itself: a scheme's "://", "www.", an e-mail
GFM_AUTOLINK = re.compile(r"(?:https?|ftp)://|\bwww\.|[\w.+-]+@[\w-]+\.\w", re.IGNORECASE)


class StandIn:
    """Answers every question with one cited sentence; the input guard as the real one."""

    home = "Musterstadt"
    places = ("Szeged", "Trondheim")

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def ask(
        self, question: str, history: Sequence[Any] | None = None, lang: str | None = None
    ) -> Answer:
        checked = check_question(question, self.settings.max_question_chars)
        if checked.problem:
            return rejection(checked, lang, self.settings.max_question_chars)
        cite = Citation(1, "doc", "Titel", "Abschnitt", "Ein Satz.", 0.8, "Ein Satz.")
        return Answer(checked.text, lang or "de", "Ein Satz [1].", False, [cite])

    def search(self, query: str, k: int | None = None, lang: str | None = None) -> list:
        return []


def serve(tmp_path) -> tuple[Any, str, int]:
    from assistant.serving.server import launch
    from assistant.serving.ui import create_app

    settings = Settings(data_dir=tmp_path / "var", index_dir=tmp_path / "index")
    app = create_app(StandIn(settings), FeedbackStore(tmp_path / "fb.sqlite3"), unanswered=None)
    port = free_port()
    launch(app, "127.0.0.1", port, block=False)
    fn_index = next(i for i, f in app.fns.items() if f.api_name == "ask")
    return app, f"http://127.0.0.1:{port}", fn_index


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    app, base, fn_index = serve(tmp_path_factory.mktemp("served"))
    yield base, fn_index
    app.close()


def join_body(fn_index: int, question: str) -> dict[str, Any]:
    """The page's own request to ask a question, in a new session."""
    return {
        "data": [question, None, "auto", "de"],
        "fn_index": fn_index,
        "session_hash": uuid.uuid4().hex,
        "event_data": None,
        "trigger_id": None,
    }


# --- served --------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_body_over_the_cap_gets_413_before_it_is_read(served):
    base, fn_index = served
    big = json.dumps(join_body(fn_index, "x" * 1_200_000)).encode()
    assert len(big) > 1_200_000
    with httpx.Client(base_url=base, timeout=30) as http:
        sized = http.post("/gradio_api/queue/join", content=big)
        assert sized.status_code == 413
        chunked = http.post(  # no Content-Length: counted as it streams in
            "/gradio_api/queue/join",
            content=(big[i : i + 65536] for i in range(0, len(big), 65536)),
        )
        assert chunked.status_code == 413
        assert http.post("/api/v1/ask", json={"question": "x" * 1_200_000}).status_code == 413


@pytest.mark.slow
def test_an_anonymous_upload_is_refused(served):
    base, _ = served
    with httpx.Client(base_url=base, timeout=30) as http:
        sent = http.post("/gradio_api/upload", files={"files": ("a.bin", b"\0" * 200_000)})
        assert sent.status_code in (403, 404), sent.text
        assert "a.bin" not in sent.text  # nothing stored, so nothing to serve back
        for path in ("/gradio_api/upload_progress?upload_id=x", "/gradio_api/process_recording"):
            assert http.post(path.split("?")[0]).status_code in (403, 404)


@pytest.mark.slow
def test_an_invalid_call_is_refused_with_one_line_in_the_log(served, capfd, caplog):
    base, _ = served
    capfd.readouterr()
    caplog.set_level(logging.INFO)
    with httpx.Client(base_url=base, timeout=30) as http:
        not_a_choice = http.post("/gradio_api/call/ask", json={"data": [QUESTION, "fr", "de"]})
        if not_a_choice.status_code == 200:  # taken: its result says how it went
            event = not_a_choice.json()["event_id"]
            http.get(f"/gradio_api/call/ask/{event}")
        else:
            assert not_a_choice.status_code == 422
        unknown = http.post(
            "/gradio_api/queue/join", json={"data": [], "fn_index": 999, "session_hash": "s"}
        )
        assert unknown.status_code == 422
    err = capfd.readouterr().err
    assert "Traceback" not in err, err[-2000:]
    refused = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(refused) == 2, [r.getMessage() for r in refused]
    assert all("\n" not in r.getMessage() and not r.exc_info for r in refused)


@pytest.mark.slow
def test_rapid_questions_from_one_address_get_429_however_many_sessions(tmp_path):
    app, base, fn_index = serve(tmp_path)
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            replies = [
                http.post("/gradio_api/queue/join", json=join_body(fn_index, QUESTION))
                for _ in range(60)
            ]
            calls = [
                http.post("/gradio_api/call/ask", json={"data": [QUESTION, "auto", "de"]})
                for _ in range(60)
            ]
            api = [http.post("/api/v1/ask", json={"question": QUESTION}) for _ in range(5)]
    finally:
        app.close()
    for kind in (replies, calls, api):
        limited = [r for r in kind if r.status_code == 429]
        assert limited, [r.status_code for r in kind]
        assert all(int(r.headers["retry-after"]) >= 1 for r in limited)
    assert replies[0].status_code == 200  # the first ones were taken


# --- handlers and HTML ---------------------------------------------------------------------
def last(updates):
    return list(updates)[-1]


def test_the_follow_up_survives_a_rejected_question(fake_assistant_module, tmp_path):
    assistant = fake_assistant_module
    handlers = ChatHandlers(assistant, FeedbackStore(tmp_path / "fb.sqlite3"))
    _, _, turns = last(handlers.respond(QUESTION, [], "auto", "de"))
    expected = assistant.ask("Und Graz?", history=history(turns))
    overlong = "Seit wann besteht die Partnerschaft mit Trondheim? " * 20_000  # ~1 MB
    _, _, after = last(handlers.respond(overlong, turns, "auto", "de"))
    assert len(json.dumps(after)) < 20_000  # the session keeps nothing of it whole
    assert history(after) == history(turns)  # nor is it context for what follows
    _, _, final = last(handlers.respond("Und Graz?", after, "auto", "de"))
    got = final[-1]["answer"]
    assert got["resolved_question"] == expected.resolved_question
    assert got["answer"] == expected.answer


@pytest.mark.parametrize(
    "text",
    [
        "Mehr unter https://www.example.org/partner (Stand 2024).“",
        "Siehe „www.example.org/a_b“.",
        "Schreiben Sie an partner@example.org.",
        "ftp://files.example.org/x und http://example.org:8080/pfad?a=1&b=2",
    ],
)
def test_addresses_in_answers_and_questions_stay_plain_text(text):
    for markdown in (escape_text(text), answer_message({"answer": text}, "de")):
        assert not GFM_AUTOLINK.search(markdown), markdown
        html = MarkdownIt("commonmark").render(markdown)
        assert "<a " not in html
        shown = re.sub(r"<[^>]+>", "", html)
        assert html_lib.unescape(shown).strip() == text  # shown exactly as written
