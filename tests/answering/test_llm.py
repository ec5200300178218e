"""The optional LLM answerer against a local fake OpenAI-compatible server (no network)."""

import pytest
from fake_llm import FakeOpenAI, serve

from assistant.answering.llm import LLMComposer, LLMSettings, parse_answer
from assistant.answering.phrases import REFUSAL
from assistant.app import Assistant


@pytest.fixture(scope="module")
def server():
    with serve(FakeOpenAI) as url:
        yield url


@pytest.fixture(scope="module")
def base(fake_assistant_module):
    return fake_assistant_module


@pytest.fixture
def assistant(base, server):
    FakeOpenAI.reply, FakeOpenAI.status, FakeOpenAI.delay = "", 200, 0.0
    FakeOpenAI.requests.clear()
    llm = LLMComposer(LLMSettings(base_url=server, model="fake-model", timeout_s=2))
    return Assistant(base.settings, base.manifest, base.retriever, base.composer.facts, llm)


def test_off_by_default(monkeypatch):
    for name in ("ASSISTANT_LLM_BASE_URL", "ASSISTANT_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    assert not LLMSettings().enabled


def test_the_model_sees_numbered_passages_and_its_markers_are_kept(assistant):
    FakeOpenAI.reply = "Frau Alina Seel ist für Szeged zuständig [1]. Sie ist erreichbar [1]."
    answer = assistant.ask("Wer ist für Szeged zuständig?")
    request = FakeOpenAI.requests[-1]
    assert request["path"].endswith("/chat/completions")
    messages = request["body"]["messages"]
    assert messages[0]["role"] == "system" and REFUSAL["de"] in messages[0]["content"]
    assert "[1] " in messages[1]["content"] and "Szeged" in messages[1]["content"]
    assert answer.answer == "Frau Alina Seel ist für Szeged zuständig [1]. Sie ist erreichbar [1]."
    assert len(answer.citations) == 1 and not answer.abstained


def test_markers_of_passages_not_given_are_dropped_with_their_sentences(assistant):
    FakeOpenAI.reply = "Erfunden [9]. Alina Seel betreut Szeged [2]. Ohne Beleg."
    answer = assistant.ask("Wer ist für Szeged zuständig?")
    assert answer.answer == "Alina Seel betreut Szeged [1]."
    assert [c.n for c in answer.citations] == [1]


@pytest.mark.parametrize(
    ("reply", "status", "delay"),
    [("Keine Marker hier.", 200, 0.0), ("", 500, 0.0), ("zu spät [1].", 200, 3.0)],
)
def test_fallback_to_the_default_composer(assistant, reply, status, delay, caplog):
    FakeOpenAI.reply, FakeOpenAI.status, FakeOpenAI.delay = reply, status, delay
    answer = assistant.ask("Who handles Szeged?")
    assert answer.answer.startswith("Alina Seel is responsible for Szeged")
    assert "default composer" in caplog.text


def test_a_model_refusal_gets_sources_and_the_office_contact(assistant):
    FakeOpenAI.reply = REFUSAL["en"]
    answer = assistant.ask("Who is the mayor of Graz?")
    assert answer.abstained and answer.answer.startswith(REFUSAL["en"])
    assert "international@darmstadt.de" in answer.answer


def test_parse_answer_renumbers_by_first_use(base):
    passages = base.retriever.retrieve("Szeged Graz Troyes", 3)
    draft = parse_answer("B [3]. A [1] und [3].", "de", passages)
    assert draft.text == "B [1]. A [2] und [1]."
    assert [c.doc for c in draft.citations] == [passages[2].chunk.doc_id, passages[0].chunk.doc_id]
