"""The staff area: reachable only with a login, on its own app, and staff work that never
stalls a citizen's answer.

What a hostile probe found, each reproduced: an anonymous ``gradio_client`` read the recorded
unanswered questions (and the fact check and the pages list) from the citizens' page, whose
``view_api()`` listed every staff endpoint; the unanswered report grouped the rows while
holding the lock the assistant answers under (one report stalled every citizen's question);
its grouping's memory grew with the square of the rows; ``/rate`` always failed through the
API.
"""

from __future__ import annotations

import logging
import threading
import time
import tracemalloc
import uuid
from types import SimpleNamespace

import httpx
import numpy as np
import pytest
from gradio_queue import completed_message, free_port
from pydantic import SecretStr

from assistant.config import Settings
from assistant.indexing.embedding import FakeEmbedder
from assistant.records import Answer
from assistant.serving.feedback import FeedbackStore
from assistant.serving.scrub import Scrubber
from assistant.serving.unanswered import UnansweredLog
from assistant.serving.unanswered_report import group_rows

STAFF_ENDPOINTS = ("/search", "/pages", "/unanswered")
REFUSED = "Wann öffnet die Mondbasis der Partnerstadt für Besuchergruppen?"
PASSWORD = "korrekt-Pferd-Batterie-42"


def _refusal(question: str) -> Answer:
    closest = [{"doc": "doc-a", "section": "Kontakt", "relevance": 0.31}]
    return Answer(question, "de", "…", True, confidence=0.1, closest=closest)


@pytest.fixture
def log(tmp_path):
    log = UnansweredLog(tmp_path / "unanswered.sqlite3", Scrubber([]), 90)
    yield log
    log.close()


def _staff_settings(base: Settings, tmp_path, **login) -> Settings:
    from assistant.serving.staff_auth import hash_password

    update = {"staff_user": "staff", "staff_password_hash": SecretStr(hash_password(PASSWORD))}
    return base.model_copy(update=update | login)


# --- the citizens' page ---------------------------------------------------------------------
@pytest.mark.slow
def test_an_anonymous_client_gets_no_staff_endpoint_or_data(fake_assistant_module, tmp_path, log):
    from gradio_client import Client

    from assistant.serving.server import launch
    from assistant.serving.ui import create_app

    log.record(_refusal(REFUSED))
    app = create_app(fake_assistant_module, FeedbackStore(tmp_path / "f.sqlite3"), 0, log)
    port = free_port()
    launch(app, "127.0.0.1", port, block=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
        assert set(endpoints) == {"/ask"}  # no staff endpoint, nothing internal
        for name, data in (
            ("/unanswered", (90, "de")),
            ("/search", ("Szeged", 5, "auto", "de")),
            ("/pages", ("de",)),
        ):
            try:
                shown = client.predict(*data, api_name=name)
            except Exception:  # no such endpoint, whatever the client calls the error
                continue
            pytest.fail(f"{name} answered an anonymous client: {str(shown)[:200]}")
        # nor through the queue by index: no event of the page runs a staff handler
        staff_handlers = {"search", "pages", "unanswered_report"}
        assert not {f.name for f in app.fns.values()} & staff_handlers
        chat, box = client.predict("Wer ist für Szeged zuständig?", "auto", "de", api_name="/ask")
        assert "Seel" in str(chat) and box == ""
    finally:
        app.close()


@pytest.mark.slow
def test_rate_is_the_pages_own_event_not_an_api(fake_assistant_module, tmp_path):
    """``/rate`` needs the thumb the browser sends with it: it has no API name (so no client
    is offered an endpoint that always fails), and the page's thumbs still store ratings."""
    from gradio_client import Client

    from assistant.serving.server import launch
    from assistant.serving.ui import create_app

    store = FeedbackStore(tmp_path / "f.sqlite3")
    app = create_app(fake_assistant_module, store, 0, None)
    port = free_port()
    launch(app, "127.0.0.1", port, block=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        everything = client.view_api(print_info=False, return_format="dict", all_endpoints=True)
        assert "/rate" not in everything["named_endpoints"]
        with pytest.raises(ValueError):
            client.predict(None, "de", api_name="/rate")
        fns = dict(app.fns.items())
        ask = next(i for i, f in fns.items() if f.api_name == "ask")
        rate = next(i for i, f in fns.items() if f.name == "rate")
        session = uuid.uuid4().hex
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for fn, data, event in (
                (ask, ["Wer ist für Szeged zuständig?", None, "auto", "de"], None),
                (rate, [None, "de"], {"index": 1, "value": "", "liked": True}),
            ):
                body = {"data": data, "fn_index": fn, "session_hash": session}
                body |= {"event_data": event, "trigger_id": None}
                assert http.post("/gradio_api/queue/join", json=body).status_code == 200
                assert completed_message(http, session)["success"]
    finally:
        app.close()
    (row,) = store.rows()
    assert row["rating"] == "up"


# --- the staff app ------------------------------------------------------------------------
@pytest.mark.slow
def test_the_staff_app_refuses_wrong_logins_and_serves_staff(fake_assistant_module, tmp_path, log):
    from gradio_client import Client

    from assistant.serving.staff_app import start_staff

    log.record(_refusal(REFUSED))
    settings = _staff_settings(fake_assistant_module.settings, tmp_path)
    port = free_port()
    app = start_staff(fake_assistant_module, log, settings, port=port)
    assert app is not None
    url = f"http://127.0.0.1:{port}/"
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            assert http.get("/gradio_api/info").status_code == 401
            assert "Mondbasis" not in http.get("/config").text
            # the HTTP limits hold here too, and the JSON API (not behind the login) is absent
            big = http.post("/login", content=b"x" * 1_200_000)
            assert big.status_code == 413
            assert http.post("/api/v1/ask", json={"question": REFUSED}).status_code == 404
            wrong = http.post("/login", data={"username": "staff", "password": "falsch"})
            assert wrong.status_code == 400 and "access-token" not in wrong.cookies
        for auth in (None, ("staff", "falsch"), ("admin", PASSWORD)):
            with pytest.raises(Exception):  # noqa: B017 — refused before any endpoint
                Client(url, auth=auth, verbose=False).predict(90, "de", api_name="/unanswered")
        client = Client(url, auth=("staff", PASSWORD), verbose=False)
        endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
        assert set(STAFF_ENDPOINTS) <= set(endpoints)
        assert "Mondbasis" in client.predict(90, "de", api_name="/unanswered")
        assert "staff-table" in client.predict("Szeged", 5, "auto", "de", api_name="/search")
        assert "Internationales" in client.predict("de", api_name="/pages")
    finally:
        app.close()


def test_without_a_login_configured_the_staff_app_is_off_and_says_so(
    fake_assistant_module, tmp_path, caplog, log
):
    from assistant.serving.staff_app import start_staff

    caplog.set_level(logging.INFO)
    settings = fake_assistant_module.settings
    assert not settings.staff_user and settings.staff_password_hash is None  # no default
    assert start_staff(fake_assistant_module, log, settings, port=free_port()) is None
    said = [r.getMessage() for r in caplog.records if "staff" in r.getMessage()]
    assert len(said) == 1 and "off" in said[0]
    # a user without a hash, or a hash without a user, is no login either
    for half in ({"staff_user": "staff"}, {"staff_user": ""}):
        half_settings = _staff_settings(settings, tmp_path, **half)
        if half.get("staff_user"):
            half_settings = half_settings.model_copy(update={"staff_password_hash": None})
        assert start_staff(fake_assistant_module, log, half_settings, port=free_port()) is None


def test_passwords_are_salted_hashes_checked_in_constant_time(tmp_path):
    from assistant.serving.staff_auth import hash_password, staff_login, verify_password

    stored = hash_password(PASSWORD)
    assert PASSWORD not in stored and stored != hash_password(PASSWORD)  # salted
    assert verify_password(PASSWORD, stored) and not verify_password("korrekt", stored)
    assert not verify_password(PASSWORD, "not a hash") and not verify_password(PASSWORD, "")
    creds = tmp_path / "staff.txt"
    creds.write_text(f"# staff\nanna:{stored}\n", encoding="utf-8")
    login = staff_login(Settings(staff_credentials_file=creds))
    assert login is not None and login("anna", PASSWORD)
    assert not login("anna", "wrong") and not login("bob", PASSWORD) and not login("", "")
    assert not login("ännä", PASSWORD)  # any user name is safe to compare


# --- staff work beside citizens -------------------------------------------------------------
class _SlowEmbedder(FakeEmbedder):
    """The fake embedder at 20 ms a text, like the real one; says when it is first called."""

    def __init__(self) -> None:
        super().__init__(64)
        self.name = f"slow:{uuid.uuid4().hex}"  # nothing cached from other tests
        self.started = threading.Event()

    def embed_queries(self, texts):
        self.started.set()
        time.sleep(0.02 * len(texts))
        return super().embed_queries(texts)


class _LockedAssistant:
    """Answers under its lock, as :class:`assistant.app.Assistant` does."""

    home, places = None, ()

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self.retriever = SimpleNamespace(embedder=_SlowEmbedder())

    def ask(self, question: str, history=None, lang=None) -> Answer:
        with self._lock:
            return _refusal(question)


def test_the_unanswered_report_never_holds_the_answer_lock(tmp_path, log):
    from assistant.serving.staff import StaffHandlers

    for i in range(60):  # 60 different questions, none of them masked to the same text
        log.record(_refusal(f"Wie viele Jugendliche fahren im Jahr {1950 + i} nach Übersee?"))
    assistant = _LockedAssistant(Settings(data_dir=tmp_path, embedding="fake"))
    handlers = StaffHandlers(assistant, log)
    shown: list[str] = []
    report = threading.Thread(target=lambda: shown.append(handlers.unanswered_report(90, "en")))
    started = time.perf_counter()
    report.start()
    assert assistant.retriever.embedder.started.wait(10)
    t0 = time.perf_counter()
    assistant.ask("Wer ist zuständig?")
    waited = time.perf_counter() - t0
    report.join(60)
    took = time.perf_counter() - started
    assert took > 1.0  # the report took its time (60 texts at 20 ms) ...
    assert waited < 0.2, f"a question waited {waited:.2f} s for the report"  # ... not the question
    assert "60 unanswered questions" in shown[0]


class _TableEmbedder:
    """Vectors looked up, not computed: the grouping alone is measured."""

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors
        self.name = f"table:{uuid.uuid4().hex}"

    def embed_queries(self, texts):
        return np.stack([self.vectors[t] for t in texts])


def _topic_rows(n: int, seed: int = 0) -> tuple[list[dict], _TableEmbedder]:
    """``n`` rows about 40 topics (noisy copies of 40 random directions)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, 48))
    rows, vectors = [], {}
    for i in range(n):
        v = centres[i % 40] + 0.25 * rng.standard_normal(48)
        text = f"frage{i}"  # one word: its topic text is itself
        vectors[text] = (v / np.linalg.norm(v)).astype(np.float32)
        rows.append(
            {
                "id": i + 1,
                "created_at": "2026-01-01T00:00:00+00:00",
                "kind": "refusal",
                "question": text,
                "resolved_question": "",
                "language": "de",
                "sources": [],
            }
        )
    return rows, _TableEmbedder(vectors)


def _peak_bytes(n: int) -> tuple[int, list]:
    rows, embedder = _topic_rows(n)
    tracemalloc.start()
    try:
        groups = group_rows(rows, embedder, 0.7)
        return tracemalloc.get_traced_memory()[1], groups
    finally:
        tracemalloc.stop()


def test_grouping_memory_grows_with_the_rows_not_their_square():
    _peak_bytes(300)  # what is loaded once (word lists, scipy) is not counted below
    small, _ = _peak_bytes(1000)
    large, groups = _peak_bytes(4000)
    assert sum(g.count for g in groups) == 4000
    assert len(groups) <= 80  # 40 topics, found as groups (not every row alone)
    # quadratic: 16x the memory for 4x the rows (64 MB of distances alone at 4,000)
    assert large < 8 * small and large < 32 * 2**20, (small, large)
