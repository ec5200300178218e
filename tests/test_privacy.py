"""What a running web UI keeps about the people who use it: no IP address and no cookie in
the feedback database, in the logs or in what the process prints, and it sets no cookie."""

from __future__ import annotations

import json
import logging
import uuid

import httpx
import pytest
from gradio_queue import completed_message, free_port

from assistant.serving.feedback import FeedbackStore
from assistant.serving.server import launch
from assistant.serving.ui import create_app

pytestmark = pytest.mark.slow
IP = "203.0.113.77"  # a documentation address, sent as the proxy's client address
COOKIE = "tracking-id-5f3a9c"


def _send(http: httpx.Client, fn_index: int, data: list, session: str, event=None) -> dict:
    body = {"data": data, "fn_index": fn_index, "session_hash": session}
    body |= {"event_data": event, "trigger_id": None}
    joined = http.post("/gradio_api/queue/join", json=body)
    assert joined.status_code == 200, joined.text
    assert "set-cookie" not in joined.headers
    return completed_message(http, session)


def test_no_ip_address_or_cookie_is_kept_anywhere(fake_assistant_module, tmp_path, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    store = FeedbackStore(tmp_path / "var" / "feedback.sqlite3")
    app = create_app(fake_assistant_module, store, stream_delay_s=0)
    port = free_port()
    launch(app, "127.0.0.1", port, block=False)
    api = {f.api_name: i for i, f in app.fns.items()}
    headers = {
        "X-Forwarded-For": IP,
        "X-Real-IP": IP,
        "Forwarded": f"for={IP}",
        "Cookie": f"session={COOKIE}",
    }
    session = uuid.uuid4().hex
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as http:
            page = http.get("/")
            assert page.status_code == 200 and "set-cookie" not in page.headers
            question = ["Wer ist für Szeged zuständig?", None, "auto", "de"]
            assert _send(http, api["ask"], question, session)["success"]
            rated = _send(
                http, api["rate"], [None, "de"], session, {"index": 1, "value": "", "liked": True}
            )
            assert rated["success"] and "Danke" in json.dumps(rated["output"], ensure_ascii=False)
            _send(http, api["comment"], ["Hilfreich, danke", None, "de"], session)
            _send(http, api["ask"], ["x" * 20_000, None, "auto", "de"], session)  # a refusal too
    finally:
        app.close()
    (row,) = store.rows()
    assert row["rating"] == "up" and row["comment"] == "Hilfreich, danke"
    database = store.path.read_bytes()
    printed = capfd.readouterr()
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(f"{r.name}: {r.getMessage()}" for r in server)  # not this test's client
    for where, text in [
        ("feedback database", database.decode("utf-8", "replace")),
        ("logs", logged),
        ("standard output", printed.out),
        ("standard error", printed.err),
    ]:
        assert IP not in text, f"an IP address in the {where}"
        assert COOKIE not in text, f"a cookie in the {where}"
        assert session not in text, f"the session id in the {where}"
    assert "127.0.0.1:" not in logged.replace(f"127.0.0.1:{port}", "")  # no access log lines
