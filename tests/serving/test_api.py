"""The JSON API under /api/v1, over the assistant with the fake embedder: in-process through
the application the server serves (``httpx.ASGITransport``), compared with what
``assistant ask --jsonl`` prints; and, served, the page's chat endpoint through
``gradio_client``."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from gradio_queue import free_port

from assistant.cli import main
from assistant.guard import HISTORY_ITEMS
from assistant.serving.feedback import FeedbackStore
from assistant.serving.http import server_app
from assistant.serving.ui import create_app

QUESTIONS = ["Wer ist für Szeged zuständig?", "Since when is Trondheim a twin town?"]


@pytest.fixture(scope="module")
def page(fake_assistant_module, tmp_path_factory):
    store = FeedbackStore(tmp_path_factory.mktemp("var") / "feedback.sqlite3")
    return create_app(fake_assistant_module, store, unanswered=None)


class InProcess:
    """A synchronous face of ``httpx.AsyncClient`` over ``httpx.ASGITransport``: requests go
    to the application the server would serve, in this process, on one event loop."""

    def __init__(self, app, runner: asyncio.Runner) -> None:
        self.runner = runner
        transport = httpx.ASGITransport(app=app)
        self.http = httpx.AsyncClient(transport=transport, base_url="http://page")

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.runner.run(self.http.get(url, **kwargs))

    def post(self, url: str, **kwargs) -> httpx.Response:
        return self.runner.run(self.http.post(url, **kwargs))


@pytest.fixture
def client(page):
    with asyncio.Runner() as runner:
        yield InProcess(server_app(page), runner)


def jsonl_answers(settings, questions, tmp_path, monkeypatch) -> list[dict]:
    """What ``assistant ask --jsonl`` gives for ``questions`` over the same index."""
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASSISTANT_EMBEDDING", "fake")
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("".join(json.dumps({"question": q}) + "\n" for q in questions))
    assert main(["ask", "--jsonl", str(source), "--out", str(target)]) == 0
    return [json.loads(line) for line in target.read_text().splitlines()]


def without_timings(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "timings_ms"}


def test_ask_gives_what_the_command_line_gives(
    client, fake_assistant_module, tmp_path, monkeypatch
):
    expected = jsonl_answers(fake_assistant_module.settings, QUESTIONS, tmp_path, monkeypatch)
    for question, line in zip(QUESTIONS, expected, strict=True):
        reply = client.post("/api/v1/ask", json={"question": question})
        assert reply.status_code == 200, reply.text
        got = reply.json()
        assert got.keys() == line.keys() and got["timings_ms"].keys() == line["timings_ms"].keys()
        assert without_timings(got) == without_timings(line)
        assert (
            got["citations"] and {"text", "doc", "section", "score"} <= got["citations"][0].keys()
        )
    assert (
        "Alina Seel" in client.post("/api/v1/ask", json={"question": QUESTIONS[0]}).json()["answer"]
    )


def test_lang_and_history_are_taken(client, fake_assistant_module):
    first = client.post("/api/v1/ask", json={"question": QUESTIONS[0], "lang": "en"}).json()
    assert first["language"] == "en"
    history = [
        {"role": "user", "content": QUESTIONS[0]},
        {"role": "assistant", "content": first["answer"]},
    ]
    follow = client.post("/api/v1/ask", json={"question": "Und Graz?", "history": history})
    expected = fake_assistant_module.ask("Und Graz?", history=history)
    assert follow.json()["resolved_question"] == expected.resolved_question != ""
    auto = client.post("/api/v1/ask", json={"question": QUESTIONS[0], "lang": "auto"}).json()
    assert auto["language"] == "de"


def test_health_names_the_index_generation(client, fake_assistant_module):
    reply = client.get("/api/v1/health")
    assert reply.status_code == 200
    data = reply.json()
    assert data["index"] == fake_assistant_module.manifest.collection
    assert data["model_loaded"] is True and data["chunks"] > 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"question": ""},
        {"question": 42},
        {"question": "x" * 501},
        {"question": "Wer?", "lang": "fr"},
        {"question": "Wer?", "history": [{"role": "system", "content": "x"}]},
        {"question": "Wer?", "history": [{"role": "user", "content": "x"}] * (HISTORY_ITEMS + 1)},
        {"question": "Wer?", "history": "earlier"},
        {"question": "Wer?", "extra": 1},
    ],
)
def test_bad_input_gets_a_clear_422(client, body):
    reply = client.post("/api/v1/ask", json=body)
    assert reply.status_code == 422
    detail = reply.json()["detail"]
    assert detail and all(d["loc"][0] == "body" and d["msg"] for d in detail)


def test_the_api_has_the_same_caps_and_its_docs_only_its_routes(client):
    assert client.post("/api/v1/ask", content=b"{" * 70_000).status_code == 413
    assert client.post("/api/v1/ask", content=b"not json").status_code == 422
    spec = client.get("/api/v1/openapi.json").json()
    assert set(spec["paths"]) == {"/ask", "/health"}
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/openapi.json").status_code == 404  # not Gradio's internal routes


@pytest.mark.slow
def test_the_chat_route_through_gradio_client(fake_assistant_module, tmp_path):
    from gradio_client import Client

    from assistant.serving.server import launch

    page = create_app(fake_assistant_module, FeedbackStore(tmp_path / "f.sqlite3"), unanswered=None)
    port = free_port()
    launch(page, "127.0.0.1", port, block=False)
    try:
        client = Client(f"http://127.0.0.1:{port}", verbose=False)
        info = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        assert list(info) == ["/ask"]  # the page's other events are private
        assert not any(r["label"].startswith("value_") for r in info["/ask"]["returns"])
        chat, box = client.predict(QUESTIONS[0], "auto", "de", api_name="/ask")
        text = " ".join(part["text"] for m in chat for part in m["content"])
        assert "Alina Seel" in text and "source-card" in text and box == ""
        api = httpx.post(f"http://127.0.0.1:{port}/api/v1/ask", json={"question": QUESTIONS[0]})
        assert api.status_code == 200 and "Alina Seel" in api.json()["answer"]
    finally:
        page.close()
