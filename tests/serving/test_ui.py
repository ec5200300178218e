"""The web UI's handlers and HTML, with a fake assistant (no model, no browser)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import gradio as gr
import pytest

from assistant.config import Settings
from assistant.records import Answer, Chunk, Citation, Conflict, Passage
from assistant.resources import load_data
from assistant.serving.feedback import FeedbackStore
from assistant.serving.handlers import MOST_PIECES, ChatHandlers, history, stream_pieces
from assistant.serving.render import (
    answer_message,
    escape_text,
    fact_lines,
    highlight,
    marked_spans,
    passages_table,
    quote_span,
    ui_texts,
)
from assistant.serving.server import warm_up
from assistant.serving.staff import StaffHandlers
from assistant.serving.staff_app import create_staff_app
from assistant.serving.ui import QUEUE_ENV, QUEUE_STATUS_EVERY_S, create_app

SZEGED = Citation(
    1,
    "darmstadt-internationales",
    "Internationales",
    "Adresse",
    "Seel, Alina\nPartnerstädte: Bursa, Liepāja, Szeged, Uzhhorod\nTelefon (06151) 13-3608",
    0.83,
    "Partnerstädte: Bursa, Liepāja, Szeged, Uzhhorod",
)


class FakeAssistant:
    """Deterministic answers; records how it was asked."""

    home = "Musterstadt"
    places = ("Szeged", "Trondheim")

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.calls: list[dict[str, Any]] = []
        self.searches: list[tuple[str, int | None, str | None]] = []

    def ask(
        self, question: str, history: Sequence[Any] | None = None, lang: str | None = None
    ) -> Answer:
        self.calls.append({"question": question, "history": list(history or []), "lang": lang})
        language = lang or ("en" if question.lower().startswith(("who", "and", "what")) else "de")
        if "kaputt" in question:
            raise RuntimeError("index gone")
        if "Mond" in question:
            return Answer(
                question,
                "de",
                "Dazu habe ich auf den Seiten der Stadt keine Antwort gefunden. [1]",
                True,
                [Citation(1, "d", "Netzwerke", "Kampagnen", "Fairtrade-Stadt seit 2009.", 0.2)],
            )
        if "Büro" in question:
            cites = [
                Citation(
                    1, "neu", "Netzwerke", "Adresse", "Luisenplatz 5 a", 0.4, "Luisenplatz 5 a"
                ),
                Citation(2, "alt", "Projekte", "KONTAKT", "Bad Nauheimer Str. 4", 0.7, ""),
            ]
            conflict = Conflict(
                "address",
                [
                    {"value": "Luisenplatz 5 a", "n": 1, "doc": "neu", "as_of": 2024},
                    {"value": "Bad Nauheimer Str. 4", "n": 2, "doc": "alt", "as_of": 2017},
                ],
                "neu",
            )
            return Answer(
                question, "de", "Die Quellen widersprechen sich [1] [2].", False, cites, [conflict]
            )
        text = (
            "Für Szeged ist Alina Seel zuständig (Partnerstädte: Bursa, Liepāja, Szeged, "
            "Uzhhorod). Telefon (06151) 13-3608 [1]."
        )
        if language == "en":
            text = "Alina Seel is responsible for Szeged. Phone (06151) 13-3608 [1]."
        return Answer(question, language, text, False, [SZEGED], resolved_question=question)

    def search(self, query: str, k: int | None = None, lang: str | None = None) -> list[Passage]:
        self.searches.append((query, k, lang))
        chunk = Chunk(
            "c1", "doc-a", "Titel <i>", "Abschnitt", 0, 10, "<img src=x onerror=alert(1)>"
        )
        return [Passage(chunk, 0.5, 1, {"dense": 0.81, "bm25": 3.2}, 0.9)]


@pytest.fixture
def fake(tmp_path) -> FakeAssistant:
    return FakeAssistant(Settings(data_dir=tmp_path / "var", index_dir=tmp_path / "index"))


@pytest.fixture
def store(tmp_path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "var" / "feedback.sqlite3")


@pytest.fixture
def handlers(fake, store) -> ChatHandlers:
    return ChatHandlers(fake, store)


def ask(handlers: ChatHandlers, question: str, turns=None, answer_lang="auto", ui="de"):
    """All the updates of one question, and the turns after it."""
    updates = list(handlers.respond(question, turns or [], answer_lang, ui))
    return updates, updates[-1][2]


def like(index: int, liked: bool | str) -> gr.LikeData:
    return gr.LikeData(None, {"index": index, "value": "", "liked": liked})


# --- streaming chat -----------------------------------------------------------------------
def test_the_answer_streams_in_and_ends_with_its_sources(fake, store, monkeypatch):
    import assistant.serving.handlers as module

    monkeypatch.setattr(module, "time", type("Clock", (), {"sleep": staticmethod(lambda s: None)}))
    updates, _ = ask(
        ChatHandlers(fake, store, stream_delay_s=0.02), "Wer ist für Szeged zuständig?"
    )
    first = updates[0][0]
    assert first == [{"role": "user", "content": "Wer ist für Szeged zuständig?"}]
    assert updates[0][1] == ""  # the question box is emptied at once
    partial = [u[0][-1]["content"] for u in updates[1:-1]]
    assert len(partial) >= 3 and all(len(a) < len(b) for a, b in pairwise(partial))
    assert all("source-card" not in p for p in partial)
    final_chat, box, final_turns = updates[-1]
    assert final_chat[-1]["role"] == "assistant" and "Alina Seel" in final_chat[-1]["content"]
    assert 'class="source-card"' in final_chat[-1]["content"]
    assert box == "" and final_turns[0]["question"] == "Wer ist für Szeged zuständig?"
    assert len(final_turns) == 1 and final_turns[0]["answer"]["citations"][0]["n"] == 1


def test_a_computed_answer_goes_out_in_one_update_without_a_pause(fake, store, monkeypatch):
    """By default (the settings' 0 ms) the page's event is not streamed: the answer, whole
    before any of it is shown, goes out once with its sources, never waiting; a configured
    pause streams it in pieces again, one pause after each piece but the last."""
    import inspect

    import assistant.serving.handlers as module

    slept: list[float] = []
    monkeypatch.setattr(module, "time", type("Clock", (), {"sleep": staticmethod(slept.append)}))
    app = create_app(fake, store)
    handlers = app.handlers
    asked = [f for f in app.fns.values() if f.name in ("respond", "respond_at_once")]
    assert asked and {f.name for f in asked} == {"respond_at_once"}
    assert not any(inspect.isgeneratorfunction(f.fn) for f in asked)
    chat, box, turns = handlers.respond_at_once("Wer ist für Szeged zuständig?", [], "auto", "de")
    assert [m["role"] for m in chat] == ["user", "assistant"] and box == "" and slept == []
    assert 'class="source-card"' in chat[-1]["content"] and "Alina Seel" in chat[-1]["content"]
    assert len(turns) == 1 and turns[0]["question"] == "Wer ist für Szeged zuständig?"
    updates, _ = ask(handlers, "Wer ist für Szeged zuständig?")  # the generator: no pieces
    assert len(updates) == 2 and updates[-1][0] == chat and slept == []

    paused_app = create_app(fake, store, stream_delay_s=0.01)
    streamed = [f for f in paused_app.fns.values() if f.name in ("respond", "respond_at_once")]
    assert {f.name for f in streamed} == {"respond"}
    updates, _ = ask(paused_app.handlers, "Wer ist für Szeged zuständig?")
    assert len(updates) >= 5 and updates[-1][0] == chat
    assert slept == [0.01] * (len(updates) - 2)  # one pause after each piece but the last


def test_at_once_keeps_the_messages_of_an_empty_or_limited_question(fake, store):
    """The single update is the message of a question that is not answered, too."""
    handlers = ChatHandlers(fake, store)
    chat, box, turns = handlers.respond_at_once("   ", [], "auto", "de")
    assert chat[-1]["role"] == "assistant" and turns == [] and box == ""


def test_stream_pieces_grow_to_the_whole_text():
    text = "Eins zwei drei vier fünf sechs sieben [1]."
    pieces = stream_pieces(text, words=2)
    assert pieces[-1] == text and pieces[0] == "Eins zwei"
    assert all(text.startswith(p) for p in pieces)
    assert stream_pieces("") == []


def test_a_long_answer_goes_out_in_a_few_pieces():
    """Each piece is a whole update of the chat for the server to send: a long answer takes
    bigger steps rather than more of them."""
    text = " ".join(f"Wort{i}" for i in range(80)) + " [1]."
    pieces = stream_pieces(text)
    assert len(pieces) == MOST_PIECES and pieces[-1] == text
    assert all(text.startswith(p) for p in pieces) and pieces[0] == " ".join(text.split()[:21])


def test_follow_ups_get_the_history_as_raw_text(handlers, fake):
    _, turns = ask(handlers, "Wer ist für Szeged zuständig? <b>")
    ask(handlers, "And what is her phone number?", turns)
    second = fake.calls[-1]
    assert second["history"] == [
        {"role": "user", "content": "Wer ist für Szeged zuständig? <b>"},
        {"role": "assistant", "content": turns[0]["answer"]["answer"]},
    ]
    assert history(turns) == second["history"]


def test_answer_language_follows_the_question_unless_forced(handlers, fake):
    ask(handlers, "Wer ist für Szeged zuständig?", answer_lang="auto")
    ask(handlers, "Wer ist für Szeged zuständig?", answer_lang="en")
    ask(handlers, "Who handles Szeged?", answer_lang="de")
    assert [c["lang"] for c in fake.calls] == [None, "en", "de"]


def test_an_empty_question_changes_nothing(handlers, fake):
    updates, turns = ask(handlers, "   ")
    assert len(updates) == 1 and turns == [] and fake.calls == []


def test_a_failure_is_a_message_and_the_question_stays(handlers):
    updates, turns = ask(handlers, "kaputt?")
    chat, box, _ = updates[-1]
    assert "Entschuldigung" in chat[-1]["content"] and box == "kaputt?" and turns == []


# --- escaping -----------------------------------------------------------------------------
def test_html_and_script_in_a_question_are_text(handlers):
    updates, turns = ask(handlers, "<script>alert(1)</script>")
    shown = updates[-1][0][0]["content"]
    assert "<script" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert turns[0]["question"] == "<script>alert(1)</script>"  # the raw text goes on


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("# Titel", "\\# Titel"),
        ("- Punkt\n1. Punkt", "\\- Punkt\n1\\. Punkt"),
        ("*fett* _kursiv_ [a](b) $$x$$", "\\*fett\\* \\_kursiv\\_ \\[a\\](b) \\$\\$x\\$\\$"),
        ("Tom & Jerry > Spike", "Tom &amp; Jerry &gt; Spike"),
        ("Telefon (06151) 13-3608.", "Telefon (06151) 13-3608."),
    ],
)
def test_escape_text(text, expected):
    assert escape_text(text) == expected


def test_passages_and_titles_are_escaped_in_source_cards():
    answer = {
        "answer": "Siehe <b>hier</b> [1].",
        "abstained": False,
        "citations": [
            {
                "n": 1,
                "doc": "d",
                "title": "<script>x</script>",
                "section": "<i>s</i>",
                "text": "Vorher <img src=x onerror=alert(1)> nachher.",
                "score": 0.5,
                "quote": "<img src=x onerror=alert(1)>",
            }
        ],
        "conflicts": [],
    }
    html = answer_message(answer, "de")
    assert "<script" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    assert "<mark>&lt;img src=x onerror=alert(1)&gt;</mark>" in html
    assert '<span class="cite">[1]</span>' in html


# --- sources, conflicts, refusals ---------------------------------------------------------
def test_source_cards_are_numbered_with_title_section_relevance_and_marked_quote(handlers):
    _, turns = ask(handlers, "Wer ist für Szeged zuständig?")
    html = turns[0]["html"]
    card = re.search(r'<div class="source-card".*?</div></div>', html, re.S)[0]
    assert '<span class="source-n">[1]</span>' in card
    assert "<strong>Internationales</strong> › Adresse" in card
    assert "Relevanz 0,83" in card
    assert "<mark>Partnerstädte: Bursa, Liepāja, Szeged, Uzhhorod</mark>" in card
    assert ">Quellen<" in html


def test_english_interface_labels_the_sources_in_english(handlers):
    _, turns = ask(handlers, "Who handles Szeged?", ui="en")
    assert ">Sources<" in turns[0]["html"] and "relevance 0.83" in turns[0]["html"]


def test_a_conflict_is_a_visible_warning_citing_both_pages(handlers):
    _, turns = ask(handlers, "Wo ist das Büro?")
    box = re.search(r'<div class="conflict" role="note">.*?</div>', turns[0]["html"], re.S)[0]
    assert "widersprechen sich" in box and "(Adresse)" in box
    assert "„Luisenplatz 5 a“" in box and "Netzwerke (Stand 2024)" in box
    assert "„Bad Nauheimer Str. 4“" in box and "Projekte (Stand 2017)" in box
    assert "Neuer ist „Netzwerke“" in box


def test_a_refusal_shows_the_closest_sources(handlers):
    _, turns = ask(handlers, "Gibt es eine Partnerstadt auf dem Mond?")
    html = turns[0]["html"]
    assert 'class="refusal"' in html and ">Nächstliegende Quellen<" in html
    assert "source-card" in html and "keine Antwort" in html


def test_quote_found_despite_lost_markup_and_long_passages_are_excerpted():
    passage = "Einleitung.\n- **Luisenplatz** 5 a\n64283 Darmstadt\nEnde."
    span = (passage.index("Luisenplatz"), passage.index(" Darmstadt") + len(" Darmstadt"))
    assert quote_span(passage, "Luisenplatz 5 a, 64283 Darmstadt") == span
    assert quote_span(passage, "nicht da") is None
    long = "Wort " * 200 + "Der zitierte Satz steht hier. " + "Rest " * 200
    quote = "Der zitierte Satz steht hier."
    excerpt = highlight(long, [quote_span(long, quote)], excerpt=True)
    assert excerpt.startswith("… ") and excerpt.endswith(" …") and len(excerpt) < 700
    assert "<mark>Der zitierte Satz steht hier.</mark>" in excerpt


def test_bold_in_a_passage_is_shown_bold_and_stays_escaped():
    shown = highlight("**Standortförderung**\n- **<b>x</b>** und ** allein", [])
    assert shown == (
        "<strong>Standortförderung</strong><br>"
        "- <strong>&lt;b&gt;x&lt;/b&gt;</strong> und ** allein"
    )


def test_without_a_quote_the_lines_the_answer_took_its_facts_from_are_marked():
    card = "Seel, Alina\nPartnerstädte: Bursa, Szeged\nTelefon (06151) 13-3608\nFax (06151) 13-3584"
    answer = "Alina Seel is responsible for Szeged (partner cities: Bursa, Szeged). "
    answer += "Phone (06151) 13-3608."
    marked = re.findall(r"<mark>(.*?)</mark>", highlight(card, fact_lines(card, answer)))
    assert marked == ["Seel, Alina", "Partnerstädte: Bursa, Szeged", "Telefon (06151) 13-3608"]
    assert marked_spans(card, "", "") == []
    assert marked_spans(card, "Fax (06151) 13-3584", answer) == [(card.index("Fax"), len(card))]
    # a quote of some rows of a table: each row is marked
    table = "| Stadt | seit |\n|---|---|\n| Nordhafen | 1962 |\n| Karlsbad | 1991 |"
    rows = marked_spans(table, "| Stadt | seit |\n| Karlsbad | 1991 |", "")
    assert [table[a:b] for a, b in rows] == ["| Stadt | seit |", "| Karlsbad | 1991 |"]
    # a passage quoted twice, two sentences apart: both quotes are marked
    prose = "Die Partnerschaft besteht seit 1990. Es gab Feste. Sie wurde 2010 erneuert."
    apart = marked_spans(
        prose, "Die Partnerschaft besteht seit 1990.\nSie wurde 2010 erneuert.", ""
    )
    assert [prose[a:b] for a, b in apart] == [
        "Die Partnerschaft besteht seit 1990.",
        "Sie wurde 2010 erneuert.",
    ]


# --- feedback -----------------------------------------------------------------------------
def test_thumbs_up_stores_the_answer_and_a_comment_can_follow(handlers, store):
    _, turns = ask(handlers, "Wer ist für Szeged zuständig?")
    turns, status, box, row, target = handlers.rate(turns, "de", like(1, True))
    assert status.startswith("Danke") and box == "" and row["visible"] is True
    (saved,) = store.rows()
    assert saved["id"] == target == turns[0]["feedback_id"] and saved["rating"] == "up"
    assert saved["question"] == "Wer ist für Szeged zuständig?" and saved["language"] == "de"
    assert saved["citations"][0]["title"] == "Internationales"
    status, box = handlers.comment("Telefonnummer stimmt", target, "de")
    assert "gespeichert" in status and box == ""
    assert store.rows()[0]["comment"] == "Telefonnummer stimmt"


def test_changing_and_withdrawing_a_rating(handlers, store):
    _, turns = ask(handlers, "Wer ist für Szeged zuständig?")
    _, turns = ask(handlers, "And what is her phone number?", turns)
    turns, *_ = handlers.rate(turns, "en", like(3, False))
    assert [(r["rating"], r["language"]) for r in store.rows()] == [("down", "en")]
    turns, *_ = handlers.rate(turns, "en", like(3, True))
    assert [r["rating"] for r in store.rows()] == ["up"]  # the same row, changed
    turns, status, _, row, target = handlers.rate(turns, "en", like(3, ""))
    assert store.rows() == [] and "withdrawn" in status and target is None
    assert row["visible"] is False


def test_a_comment_needs_a_rated_answer(handlers, store):
    status, box = handlers.comment("Hallo", None, "de")
    assert "zuerst" in status and box == "Hallo" and store.rows() == []


def test_rating_a_message_that_is_not_an_answer_does_nothing(handlers, store):
    turns, status, *_ = handlers.rate([], "de", like(7, True))
    assert turns == [] and status == "" and store.rows() == []


# --- staff view (the staff app's handlers) -------------------------------------------------
def test_staff_search_shows_every_legs_score_escaped(fake):
    handlers = StaffHandlers(fake)
    html = handlers.search("Szeged", 7, "auto", "de")
    assert fake.searches == [("Szeged", 7, None)]
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Titel &lt;i&gt;" in html
    for value in ("0.5000", "0.90", "0.810", "3.200"):
        assert f'<td class="num">{value}</td>' in html
    assert ">Vektor<" in html and ">BM25<" in html
    assert handlers.search("  ", 5, "auto", "de") == ""


def test_staff_table_marks_legs_that_did_not_find_a_passage():
    chunk = Chunk("c", "d", "T", "S", 0, 1, "x")
    html = passages_table(
        [Passage(chunk, 0.1, 1, {"bm25": 1.0})], "q", "de", ["dense", "bm25"], "en"
    )
    assert '<td class="num">–</td>' in html and ">dense<" in html and "no passages" not in html
    assert "No passages" in passages_table([], "q", "de", ["dense"], "en")


def test_warm_up_asks_an_example_in_each_language(fake):
    warm_up(fake)
    assert [c["question"] for c in fake.calls] == [
        "Wer ist für Szeged zuständig?",
        "Who is responsible for Szeged?",
    ]


# --- the page -----------------------------------------------------------------------------
def test_interface_texts_have_the_same_keys_in_both_languages():
    de, en = load_data("ui_de.yaml"), load_data("ui_en.yaml")
    assert set(de) == set(en)
    for key in ("answer_language_choices", "staff_columns", "legs"):
        assert set(de[key]) == set(en[key])
    assert len(de["examples"]) == len(en["examples"]) >= 3
    assert ui_texts("fr") == ui_texts("de")  # anything else gets the German interface


def test_the_texts_name_the_home_city_and_the_pages_places_and_no_city_of_their_own():
    from assistant.serving.render import use_page_names

    use_page_names("Musterstadt", ["Kilkenny", "Tartu"])
    en = ui_texts("en")
    assert en["title"] == "Twin towns and partnerships of Musterstadt"
    assert "Who is responsible for Kilkenny?" in en["examples"]
    assert "Since when is Tartu a twin town?" in ui_texts("en")["examples"]
    use_page_names(None, [])
    de = ui_texts("de")
    assert de["title"] == "Städtepartnerschaften der Stadt"  # no gap where no name is known
    assert not any("{" in q for q in de["examples"])  # examples about a place are left out
    assert len(de["examples"]) == 2


def test_create_app_builds_a_labelled_page(fake, store):
    app = create_app(fake, store)
    assert isinstance(app, gr.Blocks) and app.share is False
    blocks = list(app.blocks.values())
    inputs = [b for b in blocks if isinstance(b, gr.Textbox | gr.Radio | gr.Slider | gr.Chatbot)]
    assert len(inputs) >= 5 and all(b.label for b in inputs)
    assert not any(isinstance(b, gr.Tab) for b in blocks)  # no staff tab on the citizens' page
    staff = list(create_staff_app(fake, None).blocks.values())
    staff_inputs = [b for b in staff if isinstance(b, gr.Textbox | gr.Radio | gr.Slider)]
    assert len(staff_inputs) >= 5 and all(b.label for b in staff_inputs)
    assert all(b.value for b in staff if isinstance(b, gr.Button))
    tabs = {b.label for b in staff if isinstance(b, gr.Tab)}
    assert tabs == {ui_texts("de")[k] for k in ("staff_tab", "pages_tab", "unanswered_tab")}
    assert all(b.value for b in blocks if isinstance(b, gr.Button))  # every button has a name
    chatbot = next(b for b in blocks if isinstance(b, gr.Chatbot))
    assert chatbot.sanitize_html and chatbot.latex_delimiters == []
    assert "share" not in chatbot.buttons
    examples = [b.value for b in blocks if isinstance(b, gr.Button)]
    assert (
        "Wer ist für Szeged zuständig?" in examples and "Who is responsible for Szeged?" in examples
    )
    assert app.handlers.store is store and app.handlers.stream_delay_s == 0


# --- crowds ---------------------------------------------------------------------------------
class Request:
    """What the handlers read of a ``gr.Request``: the browser session's random id."""

    def __init__(self, session_hash: str) -> None:
        self.session_hash = session_hash


def test_asking_too_fast_gets_a_friendly_message_and_keeps_the_question(fake, store):
    from assistant.serving.ratelimit import RateLimiter

    now = [0.0]
    handlers = ChatHandlers(fake, store, limiter=RateLimiter(6, 2, clock=lambda: now[0]))
    me, other = Request("session-a"), Request("session-b")
    turns: list = []
    for _ in range(2):
        updates = list(handlers.respond("Wer ist für Szeged zuständig?", turns, "auto", "de", me))
        turns = updates[-1][2]
    updates = list(handlers.respond("Und Graz?", turns, "auto", "de", me))
    assert len(updates) == 1
    chat, box, kept = updates[0]
    assert "sehr viele Fragen" in chat[-1]["content"] and "10 Sekunden" in chat[-1]["content"]
    assert chat[-2]["content"] == "Und Graz?" and box == "Und Graz?" and kept == turns
    assert len(fake.calls) == 2  # the limited question never reached the assistant
    english = list(handlers.respond("And Graz?", turns, "auto", "en", me))[-1][0][-1]["content"]
    assert "many questions" in english
    assert len(list(handlers.respond("Wer betreut Graz?", [], "auto", "de", other))) > 1
    now[0] += 10.0
    assert len(list(handlers.respond("Und Graz?", turns, "auto", "de", me))) > 1


def test_staff_searches_count_against_the_same_limit(fake, store):
    from assistant.serving.ratelimit import RateLimiter

    handlers = StaffHandlers(fake, limiter=RateLimiter(1, 1, clock=lambda: 0.0))
    me = Request("s")
    assert "staff-table" in handlers.search("Szeged", 5, "auto", "de", me)
    assert "sehr viele Fragen" in handlers.search("Szeged", 5, "auto", "de", me)


def test_an_empty_question_gets_a_hint_not_a_turn(handlers, fake):
    (update,) = list(handlers.respond(" \n ", [], "auto", "en"))
    chat, box, turns = update
    hint = "Please ask a question, for example: “Who is responsible for the partner cities?”"
    assert chat == [{"role": "assistant", "content": hint}]
    assert box == "" and turns == [] and fake.calls == []


def test_the_queue_keeps_slow_answers_from_starving_the_rest(fake, store):
    settings = fake.settings.model_copy(update={"ui_concurrency": 5, "ui_queue_size": 33})
    fake.settings = settings
    app = create_app(fake, store)
    assert app._queue.max_size == 33
    by_name = {f.name: f for f in app.fns.values()}
    answering = [f for f in app.fns.values() if f.name == "respond_at_once"]
    assert len(answering) == 1 + len(ui_texts("de")["examples"]) * 2
    assert {(f.concurrency_id, f.concurrency_limit) for f in answering} == {("answer", 5)}
    public = [f for f in app.fns.values() if f.api_visibility == "public"]
    assert [(f.name, f.api_name) for f in public] == [("respond_at_once", "ask")]
    staff = {f.api_name: f for f in create_staff_app(fake, None).fns.values()}
    assert (staff["search"].concurrency_id, staff["search"].concurrency_limit) == ("search", 2)
    assert (staff["unanswered"].concurrency_id, staff["unanswered"].concurrency_limit) == (
        "unanswered",
        1,
    )
    for name in ("rate", "comment", "clear"):  # quick events have their own groups
        assert by_name[name].concurrency_id not in ("answer", "search")
    question = next(b for b in app.blocks.values() if getattr(b, "elem_id", "") == "question")
    assert question.max_length == settings.max_question_chars


def test_the_queue_keeps_few_figures_and_reports_places_once_a_second(monkeypatch, fake, store):
    for name in QUEUE_ENV:
        monkeypatch.delenv(name, raising=False)
    app = create_app(fake, store, unanswered=None)
    queue = app._queue
    assert queue.ANALYTICS_MAX_EVENTS == 100  # not 10,000 past events
    assert queue.ANAYLTICS_CACHE_FREQUENCY == 1000  # summarised rarely, not after each event
    assert queue.live_updates is False and queue.update_intervals == QUEUE_STATUS_EVERY_S
    monkeypatch.setenv("GRADIO_ANALYTICS_MAX_EVENTS", "7")  # the operator's own value wins
    app = create_app(fake, store, unanswered=None)
    assert app._queue.ANALYTICS_MAX_EVENTS == 7


def test_a_message_without_sources_is_not_marked_as_a_refusal():
    message = {"answer": "Die Frage ist zu lang.", "abstained": True, "citations": []}
    html = answer_message(message, "de")
    assert html == "Die Frage ist zu lang." and "refusal" not in html
