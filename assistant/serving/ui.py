"""The citizens' web page: a Gradio chat with sources and feedback.

``create_app(assistant)`` lays out the page, wires its events to the handlers of
:class:`assistant.serving.handlers.ChatHandlers` and sets up the queue (which events share
workers, how long a conversation is kept); :mod:`assistant.serving.server` serves it.

The page holds nothing for staff: the fact check, the pages list and the unanswered
questions are in the staff app (:mod:`assistant.serving.staff_app`), served apart behind a
login. Its API is ``/ask`` alone; the page's other events (thumbs, comments, a new
conversation, the interface language) work on the browser session's state and are private.
"""

from __future__ import annotations

import json
import os
from typing import Any

import gradio as gr

from assistant.config import Settings
from assistant.serving.feedback import FeedbackStore
from assistant.serving.handlers import LANGS, AssistantLike, ChatHandlers, _lang
from assistant.serving.render import ui_texts, use_page_names
from assistant.serving.unanswered import UnansweredLog, assistant_corpus, open_log

ANSWER_LANGS = ("auto", "de", "en")
CONVERSATION_TTL_S = 3600  # a conversation is forgotten an hour after its last change
DEFAULT_CONCURRENCY = 4  # the quick events: feedback, comments, interface language
# Gradio's queue keeps figures of past events for its monitoring page (which this page does
# not open) and by default rebuilds their summary, a pandas table of up to 10,000 events,
# after every event: 12 of the 63 ms of server CPU per answered request under load. It
# keeps a few events and summarises them rarely; set in the environment, these win.
QUEUE_ENV = {"GRADIO_ANALYTICS_MAX_EVENTS": "100", "GRADIO_ANALYTICS_CACHE_FREQUENCY": "1000"}
# A waiting browser hears its place in the queue this often. Gradio's default tells every
# waiting browser after every finished answer, one message each: with 40 users, 71 → 61 ms
# of server CPU per answer and 15.6 → 18.4 answers/s when they hear it once a second.
QUEUE_STATUS_EVERY_S = 1.0


def _set_page_lang_js() -> str:
    """Browser code that keeps ``<html lang>`` (screen readers, hyphenation) and the window
    title in step with the interface language."""
    titles = json.dumps({lang: ui_texts(lang)["page_title"] for lang in LANGS})
    return (
        f"(lang) => {{ document.documentElement.lang = lang; "
        f"document.title = {titles}[lang] || document.title; return lang; }}"
    )


def language_switch(t: dict[str, Any]) -> gr.Radio:
    """The switch between the German and the English interface, at the top of a page."""
    return gr.Radio(
        [("Deutsch", "de"), ("English", "en")],
        value="de",
        label=t["interface_language"],
        elem_id="ui-lang",
        scale=0,
        min_width=270,
    )


def _choices(t: dict[str, Any]) -> list[tuple[str, str]]:
    return [(t["answer_language_choices"][v], v) for v in ANSWER_LANGS]


def _header(t: dict[str, Any]) -> str:
    return f"# {t['title']}\n\n{t['intro']}"


def _examples(lang: str) -> list[str]:
    """The example questions of ``lang`` first, then those of the other language."""
    other = "en" if lang == "de" else "de"
    return [*ui_texts(lang)["examples"], *ui_texts(other)["examples"]]


def create_app(
    assistant: AssistantLike,
    store: FeedbackStore | None = None,
    stream_delay_s: float | None = None,
    unanswered: UnansweredLog | str | None = "settings",
) -> gr.Blocks:
    """The citizens' page: chat with sources and feedback. ``unanswered``: the log refused
    questions go to ("settings": opened from the settings, None when recording is off)."""
    settings = assistant.settings
    store = store or FeedbackStore(settings.feedback_path)
    delay = settings.ui_stream_delay_ms / 1000 if stream_delay_s is None else stream_delay_s
    if unanswered == "settings":
        embedder = getattr(getattr(assistant, "retriever", None), "embedder", None)
        name = getattr(embedder, "name", settings.embedding)
        unanswered = open_log(settings, name, assistant_corpus(assistant), assistant.places)
    assert not isinstance(unanswered, str)
    handlers = ChatHandlers(assistant, store, delay, unanswered=unanswered)
    use_page_names(assistant.home, assistant.places)
    t = ui_texts("de")
    n_examples = len(_examples("de"))

    with gr.Blocks(title=t["page_title"], analytics_enabled=False) as app:
        app.handlers = handlers  # type: ignore[attr-defined]
        # the conversation lives in server memory only, at most CONVERSATION_TTL_S after
        # its last change
        turns = gr.State([], time_to_live=CONVERSATION_TTL_S)
        comment_target = gr.State(None, time_to_live=CONVERSATION_TTL_S)
        with gr.Row(elem_classes="topbar"):
            header = gr.Markdown(_header(t), elem_id="page-header")
            ui_lang = language_switch(t)
        chatbot = gr.Chatbot(
            label=t["chat_label"],
            elem_id="chat",
            height="60vh",
            min_height=320,
            placeholder=t["chat_placeholder"],
            latex_delimiters=[],
            sanitize_html=True,
            render_markdown=True,
            buttons=["copy"],
            feedback_options=("Like", "Dislike"),
            layout="bubble",
        )
        with gr.Row(equal_height=True):
            question = gr.Textbox(
                label=t["question_label"],
                placeholder=t["question_placeholder"],
                elem_id="question",
                lines=1,
                max_lines=4,
                max_length=settings.max_question_chars,
                scale=5,
                min_width=200,
                autofocus=True,
            )
            send = gr.Button(t["send"], variant="primary", scale=1, min_width=100)
        answer_lang = gr.Radio(
            _choices(t), value="auto", label=t["answer_language"], elem_id="answer-lang"
        )
        examples_label = gr.Markdown(f"**{t['examples_label']}**")
        with gr.Row(elem_classes="examples"):
            example_buttons = [
                gr.Button(q, size="sm", variant="secondary", min_width=120) for q in _examples("de")
            ]
        feedback_hint = gr.Markdown(t["feedback_hint"], elem_id="feedback-hint")
        feedback_status = gr.Markdown(
            "", elem_id="feedback-status", label="feedback_status", show_label=False
        )
        with gr.Row(visible=False) as comment_row:
            comment = gr.Textbox(
                label=t["comment_label"],
                placeholder=t["comment_placeholder"],
                elem_id="comment",
                lines=2,
                max_length=1000,
                scale=4,
            )
            comment_send = gr.Button(t["comment_send"], scale=1, min_width=120)
        with gr.Row():
            clear = gr.Button(t["clear"], variant="secondary", size="sm", elem_id="clear")
        privacy = gr.Markdown(_privacy(t, settings, unanswered), elem_classes="privacy")

        # Every way of asking shares one concurrency group ("answer"), so example buttons
        # do not add workers, and the quick events (feedback, language) never wait behind
        # answers. Only the chat is an API (``/ask``); the other events work on the
        # session's state from the page's own controls and are private.
        ask_outputs = [chatbot, question, turns]
        answering = {
            "concurrency_limit": settings.ui_concurrency,
            "concurrency_id": "answer",
            "show_progress": "minimal",
        }
        private = {"api_visibility": "private"}
        # streamed in pieces only when a pause between them is set
        respond = handlers.respond if delay > 0 else handlers.respond_at_once
        gr.on(
            [question.submit, send.click],
            respond,
            [question, turns, answer_lang, ui_lang],
            ask_outputs,
            api_name="ask",
            **answering,
        )
        for button in example_buttons:
            button.click(
                respond, [button, turns, answer_lang, ui_lang], ask_outputs, **private, **answering
            )
        chatbot.like(
            handlers.rate,
            [turns, ui_lang],
            [turns, feedback_status, comment, comment_row, comment_target],
            **private,
        )
        gr.on(
            [comment_send.click, comment.submit],
            handlers.comment,
            [comment, comment_target, ui_lang],
            [feedback_status, comment],
            **private,
        )
        clear.click(
            handlers.clear,
            None,
            [chatbot, turns, feedback_status, comment, comment_row, comment_target],
            api_name="new_conversation",  # the page's own name for it (the load test's too)
            **private,
        )

        def relabel(lang: str) -> list[Any]:
            t = ui_texts(_lang(lang))
            return [
                gr.update(value=_header(t)),
                gr.update(label=t["interface_language"]),
                gr.update(label=t["chat_label"], placeholder=t["chat_placeholder"]),
                gr.update(label=t["question_label"], placeholder=t["question_placeholder"]),
                gr.update(value=t["send"]),
                gr.update(label=t["answer_language"], choices=_choices(t)),
                gr.update(value=f"**{t['examples_label']}**"),
                *[gr.update(value=q) for q in _examples(_lang(lang))[:n_examples]],
                gr.update(value=t["feedback_hint"]),
                gr.update(label=t["comment_label"], placeholder=t["comment_placeholder"]),
                gr.update(value=t["comment_send"]),
                gr.update(value=t["clear"]),
                gr.update(value=_privacy(t, settings, unanswered)),
            ]

        relabelled = [
            header,
            ui_lang,
            chatbot,
            question,
            send,
            answer_lang,
            examples_label,
            *example_buttons,
            feedback_hint,
            comment,
            comment_send,
            clear,
            privacy,
        ]
        set_page_lang = _set_page_lang_js()
        ui_lang.change(relabel, ui_lang, relabelled, js=set_page_lang, **private)

        def initial_lang(request: gr.Request) -> str:
            """``?lang=en`` in the address opens the English interface."""
            wanted = request.query_params.get("lang", "") if request else ""
            return wanted if wanted in LANGS else "de"

        app.load(initial_lang, None, ui_lang, **private).then(
            None, ui_lang, None, js=set_page_lang, **private
        )
    for name, value in QUEUE_ENV.items():
        os.environ.setdefault(name, value)  # read when the queue is made
    app.queue(
        max_size=settings.ui_queue_size,
        default_concurrency_limit=DEFAULT_CONCURRENCY,
        status_update_rate=QUEUE_STATUS_EVERY_S,
    )
    return app


def _privacy(t: dict[str, Any], settings: Settings, unanswered: Any) -> str:
    """The privacy note under the chat; it says so when unanswered questions are kept."""
    if unanswered is None:
        return t["privacy"]
    kept = t["privacy_unanswered"].format(days=settings.unanswered_retention_days)
    return f"{t['privacy']} {kept}"
