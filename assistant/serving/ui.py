"""The web UI: a Gradio chat for citizens, a fact-check view and a pages view for staff.

``create_app(assistant)`` builds the page; ``launch(app)`` serves it on the loopback address
by default and never through a public share link. The handlers live in :class:`ChatHandlers`
so that they can be tested without a browser.
"""

from __future__ import annotations

import html
import json
import logging
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import gradio as gr

from assistant.answering.phrases import phrases
from assistant.config import Settings
from assistant.guard import check_question, clean_question
from assistant.records import Answer, Passage
from assistant.resources import DATA
from assistant.serving.feedback import FeedbackStore
from assistant.serving.pages import pages_view
from assistant.serving.ratelimit import RateLimiter, wait_seconds
from assistant.serving.render import (
    answer_message,
    escape_text,
    passages_table,
    ui_texts,
    unanswered_table,
)
from assistant.serving.unanswered import (
    UnansweredLog,
    assistant_corpus,
    open_log,
    report,
    safe_record,
)

log = logging.getLogger(__name__)
LANGS = ("de", "en")
ANSWER_LANGS = ("auto", "de", "en")
STREAM_PIECE = re.compile(r"\S+\s*")
WORDS_PER_PIECE = 3
COMMENT_MAX_CHARS = 1000
CONVERSATION_TTL_S = 3600  # a conversation is forgotten an hour after its last change
STAFF_K_MAX = 20
DEFAULT_CONCURRENCY = 4  # the quick events: feedback, comments, interface language
CSS = (DATA / "ui.css").read_text(encoding="utf-8")
THEME = gr.themes.Default(
    primary_hue="blue",
    neutral_hue="slate",
    # system fonts: the page loads nothing from third parties
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "Consolas", "monospace"],
)


def _set_page_lang_js() -> str:
    """Browser code that keeps ``<html lang>`` (screen readers, hyphenation) and the window
    title in step with the interface language."""
    titles = json.dumps({lang: ui_texts(lang)["page_title"] for lang in LANGS})
    return (
        f"(lang) => {{ document.documentElement.lang = lang; "
        f"document.title = {titles}[lang] || document.title; return lang; }}"
    )


class AssistantLike(Protocol):
    """What the UI needs of :class:`assistant.app.Assistant` (called from several threads
    at once, so it must be thread-safe, as ``Assistant`` is)."""

    settings: Settings

    def ask(
        self, question: str, history: Sequence[Any] | None = None, lang: str | None = None
    ) -> Answer: ...

    def search(
        self, query: str, k: int | None = None, lang: str | None = None
    ) -> list[Passage]: ...


def _lang(value: str | None) -> str:
    return value if value in LANGS else "de"


def messages(turns: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The chat as Gradio messages, rebuilt from the finished turns."""
    out: list[dict[str, str]] = []
    for turn in turns:
        out.append({"role": "user", "content": turn["user_html"]})
        out.append({"role": "assistant", "content": turn["html"]})
    return out


def history(turns: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The earlier turns as ``Assistant.ask`` takes them: the raw text, not the HTML."""
    out: list[dict[str, str]] = []
    for turn in turns:
        out.append({"role": "user", "content": turn["question"]})
        out.append({"role": "assistant", "content": turn["answer"]["answer"]})
    return out


def _session(request: gr.Request | None) -> str | None:
    """The opaque per-page-load id Gradio gives a browser session (None for direct calls)."""
    return getattr(request, "session_hash", None) if request is not None else None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def stream_pieces(text: str, words: int = WORDS_PER_PIECE) -> list[str]:
    """Ever longer beginnings of ``text``, a few words more each, ending with all of it."""
    tokens = STREAM_PIECE.findall(text)
    lead = text[: len(text) - len(text.lstrip())]
    out = [lead + "".join(tokens[:i]).rstrip() for i in range(words, len(tokens), words)]
    return [*out, text.strip()] if text.strip() else []


class ChatHandlers:
    """The event handlers of the page, over one assistant and one feedback store."""

    def __init__(
        self,
        assistant: AssistantLike,
        store: FeedbackStore,
        stream_delay_s: float = 0.0,
        limiter: RateLimiter | None = None,
        unanswered: UnansweredLog | None = None,
    ) -> None:
        self.assistant = assistant
        self.store = store
        self.unanswered = unanswered  # None: refused questions are not recorded
        self.stream_delay_s = stream_delay_s
        settings = assistant.settings
        if limiter is None:
            limiter = RateLimiter(settings.ui_rate_limit_per_minute, settings.ui_rate_limit_burst)
        self.limiter = limiter
        self.max_chars = settings.max_question_chars

    def _rate_limited(self, request: gr.Request | None, ui: str) -> str:
        """The friendly message when this session asks too fast, else ""."""
        wait = self.limiter.acquire(_session(request))
        if not wait:
            return ""
        return ui_texts(ui)["rate_limited"].format(seconds=wait_seconds(wait))

    # --- chat ------------------------------------------------------------------------
    def respond(
        self,
        question: str,
        turns: list[dict[str, Any]] | None,
        answer_lang: str | None,
        ui_lang: str | None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[list[dict[str, str]], str, list[dict[str, Any]], str]]:
        """Answer ``question``: yields (chat, question box, turns, staff query) as the answer
        streams in, piece by piece, and last with its sources. An empty question and one
        asked too fast get a message (and leave the conversation as it was)."""
        turns = list(turns or [])
        ui = _lang(ui_lang)
        question = clean_question(question)
        if not question:
            note = {"role": "assistant", "content": escape_text(phrases(ui)["empty_question"])}
            yield [*messages(turns), note], "", turns, ""
            return
        user_html = escape_text(_clip(question, self.max_chars))
        shown = messages(turns)
        shown.append({"role": "user", "content": user_html})
        limited = self._rate_limited(request, ui)
        if limited:
            note = {"role": "assistant", "content": escape_text(limited)}
            yield [*shown, note], question, turns, ""  # the question stays in the box
            return
        yield shown, "", turns, ""
        forced = answer_lang if answer_lang in LANGS else None
        try:
            answer = self.assistant.ask(question, history=history(turns), lang=forced)
            safe_record(self.unanswered, answer)  # the question only, nothing of the session
            record = answer.to_dict()
            shown_answer = answer_message(record, ui)
        except Exception:
            log.exception("answering failed: %r", question[:200])
            failed = [*shown, {"role": "assistant", "content": escape_text(ui_texts(ui)["error"])}]
            yield failed, question, turns, ""
            return
        for piece in stream_pieces(answer.answer)[:-1]:
            yield [*shown, {"role": "assistant", "content": escape_text(piece)}], "", turns, ""
            if self.stream_delay_s:
                time.sleep(self.stream_delay_s)
        turn = {
            "question": question,
            "user_html": user_html,
            "answer": record,
            "html": shown_answer,
            "feedback_id": None,
        }
        turns = [*turns, turn]
        yield messages(turns), "", turns, answer.resolved_question or question

    def clear(self) -> tuple[list[dict[str, str]], list[dict[str, Any]], str, str, Any, None]:
        """A new conversation: chat, turns, feedback status and comment emptied, the comment
        row hidden, no rated answer."""
        return [], [], "", "", gr.update(visible=False), None

    # --- feedback ----------------------------------------------------------------------
    def rate(
        self, turns: list[dict[str, Any]] | None, ui_lang: str | None, data: gr.LikeData
    ) -> tuple[list[dict[str, Any]], str, str, Any, int | None]:
        """Thumbs up or down on an answer: stored (or changed, or withdrawn) at once.

        Returns (turns, status text, comment box value, comment row update, id of the row a
        comment goes to).
        """
        turns = [dict(t) for t in turns or []]
        t = ui_texts(_lang(ui_lang))
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        i = int(index) // 2
        if not 0 <= i < len(turns):
            return turns, "", "", gr.update(visible=False), None
        turn = turns[i]
        row_id = turn.get("feedback_id")
        if data.liked is True or data.liked is False:
            rating = "up" if data.liked else "down"
            if row_id is None or not self.store.rate(row_id, rating):
                row_id = self.store.record(rating, turn["answer"])
            turn["feedback_id"] = row_id
            status = t["feedback_saved_up"] if rating == "up" else t["feedback_saved_down"]
            return turns, status, "", gr.update(visible=True), row_id
        if row_id is not None:
            self.store.delete(row_id)
        turn["feedback_id"] = None
        return turns, t["feedback_removed"], "", gr.update(visible=False), None

    def comment(self, text: str, row_id: int | None, ui_lang: str | None) -> tuple[str, str]:
        """Attach the comment to the last rated answer; returns (status, comment box)."""
        t = ui_texts(_lang(ui_lang))
        text = clean_question(text)[:COMMENT_MAX_CHARS]
        if row_id is None or not self.store.comment(int(row_id), text):
            return t["comment_missing"], text
        return t["comment_saved"], ""

    # --- staff view --------------------------------------------------------------------
    def search(
        self,
        query: str,
        k: float,
        lang: str | None,
        ui_lang: str | None,
        request: gr.Request | None = None,
    ) -> str:
        """Raw retrieval for a query, as the staff view's table (or a message saying why
        there is none)."""
        from assistant.language.detect import detect_language

        ui = _lang(ui_lang)
        checked = check_question(query, self.max_chars)
        if checked.problem == "empty":
            return ""
        key = {"no_words": "no_question_words", "too_long": "question_too_long"}
        if checked.problem:
            message = phrases(ui)[key[checked.problem]]
            return _staff_note(message.format(length=checked.length, limit=self.max_chars))
        limited = self._rate_limited(request, ui)
        if limited:
            return _staff_note(limited)
        query = checked.text
        forced = lang if lang in LANGS else None
        try:
            passages = self.assistant.search(query, _staff_k(k), forced)
        except Exception:
            log.exception("staff search failed: %r", query[:200])
            return _staff_note(ui_texts(ui)["error"])
        query_lang = forced or detect_language(query)
        legs = _legs(self.assistant, passages)
        return passages_table(passages, query, query_lang, legs, ui)

    def pages(self, ui_lang: str | None) -> str:
        """The pages view: the corpus documents and what the index holds of them."""
        ui = _lang(ui_lang)
        try:
            return pages_view(self.assistant.settings, ui)
        except Exception:
            log.exception("pages view failed")
            return _staff_note(ui_texts(ui)["error"])

    # --- unanswered questions (staff, read-only) -----------------------------------------
    def unanswered_report(self, days: Any, ui_lang: str | None) -> str:
        """The groups of questions the pages did not answer in the last ``days`` days."""
        ui = _lang(ui_lang)
        if self.unanswered is None:
            return _staff_note(ui_texts(ui)["unanswered_off"])
        try:
            embedder, lock = _embedder(self.assistant)
            with lock:
                data = report(self.unanswered, embedder, _days(days))
        except Exception:
            log.exception("the unanswered report failed")
            return _staff_note(ui_texts(ui)["error"])
        return unanswered_table(data, ui)


def _days(days: Any) -> int | None:
    """The report's period in days (None: every kept row)."""
    try:
        return max(int(days), 0) if days is not None else None
    except (TypeError, ValueError, OverflowError):
        return None


_EMBEDDERS: dict[str, Any] = {}


def _embedder(assistant: AssistantLike) -> tuple[Any, Any]:
    """The assistant's embedder and the lock it answers under (an embedder of the settings
    and a lock of its own for objects without one)."""
    import threading

    embedder = getattr(getattr(assistant, "retriever", None), "embedder", None)
    lock = getattr(assistant, "_lock", None)
    if embedder is None:
        from assistant.indexing.embedding import make_embedder

        spec = assistant.settings.embedding
        if spec not in _EMBEDDERS:
            _EMBEDDERS[spec] = make_embedder(spec, assistant.settings.embedding_threads or None)
        embedder = _EMBEDDERS[spec]
    return embedder, lock if lock is not None else threading.Lock()


def _staff_k(k: Any) -> int:
    """The number of passages asked for, within 1 … ``STAFF_K_MAX`` (5 when unreadable)."""
    try:
        return min(max(int(k), 1), STAFF_K_MAX)
    except (TypeError, ValueError, OverflowError):
        return 5


def _staff_note(text: str) -> str:
    return f'<p class="staff-empty">{html.escape(text)}</p>'


def _legs(assistant: AssistantLike, passages: Sequence[Passage]) -> list[str]:
    """The retrieval legs to show as columns: the retriever's, else those that scored."""
    legs = getattr(getattr(assistant, "retriever", None), "legs", None)
    if legs:
        return list(legs)
    seen: list[str] = []
    for p in passages:
        seen += [leg for leg in p.leg_scores if leg not in seen]
    return seen


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
    """The page: chat with sources and feedback, a staff tab with raw retrieval, a
    read-only staff tab listing the corpus pages and one with the questions the pages
    did not answer. ``unanswered``: the log refused questions go to ("settings": opened
    from the settings, None when recording is off)."""
    settings = assistant.settings
    store = store or FeedbackStore(settings.feedback_path)
    delay = settings.ui_stream_delay_ms / 1000 if stream_delay_s is None else stream_delay_s
    if unanswered == "settings":
        embedder = getattr(getattr(assistant, "retriever", None), "embedder", None)
        name = getattr(embedder, "name", settings.embedding)
        unanswered = open_log(settings, name, assistant_corpus(assistant))
    assert not isinstance(unanswered, str)
    handlers = ChatHandlers(assistant, store, delay, unanswered=unanswered)
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
            ui_lang = gr.Radio(
                [("Deutsch", "de"), ("English", "en")],
                value="de",
                label=t["interface_language"],
                elem_id="ui-lang",
                scale=0,
                min_width=270,
            )
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab(t["chat_tab"], id="ask") as chat_tab:
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
                        gr.Button(q, size="sm", variant="secondary", min_width=120)
                        for q in _examples("de")
                    ]
                feedback_hint = gr.Markdown(t["feedback_hint"], elem_id="feedback-hint")
                feedback_status = gr.Markdown("", elem_id="feedback-status")
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
            with gr.Tab(t["staff_tab"], id="check") as staff_tab:
                staff_intro = gr.Markdown(t["staff_intro"])
                with gr.Row(equal_height=True):
                    staff_query = gr.Textbox(
                        label=t["staff_query"],
                        placeholder=t["staff_query_placeholder"],
                        elem_id="staff-query",
                        scale=4,
                        min_width=200,
                    )
                    staff_k = gr.Slider(
                        1, 20, value=settings.top_k, step=1, label=t["staff_k"], scale=2
                    )
                staff_lang = gr.Radio(_choices(t), value="auto", label=t["staff_lang"])
                staff_search = gr.Button(t["staff_search"], variant="primary")
                staff_results = gr.HTML("", elem_id="staff-results")
            with gr.Tab(t["pages_tab"], id="pages") as pages_tab:
                pages_intro = gr.Markdown(t["pages_intro"])
                pages_refresh = gr.Button(t["pages_refresh"], variant="secondary", size="sm")
                pages_table = gr.HTML("", elem_id="pages-table")
            with gr.Tab(t["unanswered_tab"], id="unanswered") as unanswered_tab:
                unanswered_intro = gr.Markdown(t["unanswered_intro"])
                with gr.Row(equal_height=True):
                    unanswered_days = gr.Slider(
                        1,
                        max(settings.unanswered_retention_days, 1),
                        value=max(settings.unanswered_retention_days, 1),
                        step=1,
                        label=t["unanswered_days"],
                        scale=4,
                    )
                    unanswered_refresh = gr.Button(t["unanswered_refresh"], scale=1)
                unanswered_results = gr.HTML("", elem_id="unanswered-results")

        # Every way of asking shares one concurrency group ("answer"), so example buttons
        # do not add workers; staff searches have their own small group, and the quick
        # events (feedback, language) never wait behind answers.
        ask_outputs = [chatbot, question, turns, staff_query]
        answering = {
            "concurrency_limit": settings.ui_concurrency,
            "concurrency_id": "answer",
            "show_progress": "minimal",
        }
        gr.on(
            [question.submit, send.click],
            handlers.respond,
            [question, turns, answer_lang, ui_lang],
            ask_outputs,
            api_name="ask",
            **answering,
        )
        for button in example_buttons:
            button.click(
                handlers.respond,
                [button, turns, answer_lang, ui_lang],
                ask_outputs,
                api_visibility="undocumented",
                **answering,
            )
        chatbot.like(
            handlers.rate,
            [turns, ui_lang],
            [turns, feedback_status, comment, comment_row, comment_target],
            api_name="rate",
        )
        gr.on(
            [comment_send.click, comment.submit],
            handlers.comment,
            [comment, comment_target, ui_lang],
            [feedback_status, comment],
            api_name="comment",
        )
        clear.click(
            handlers.clear,
            None,
            [chatbot, turns, feedback_status, comment, comment_row, comment_target],
            api_name="new_conversation",
        )
        gr.on(
            [staff_search.click, staff_query.submit],
            handlers.search,
            [staff_query, staff_k, staff_lang, ui_lang],
            staff_results,
            api_name="search",
            concurrency_limit=2,
            concurrency_id="search",
        )

        gr.on(
            [pages_tab.select, pages_refresh.click],
            handlers.pages,
            [ui_lang],
            pages_table,
            api_name="pages",
            concurrency_limit=2,
            concurrency_id="search",
        )

        gr.on(
            [unanswered_tab.select, unanswered_refresh.click],
            handlers.unanswered_report,
            [unanswered_days, ui_lang],
            unanswered_results,
            api_name="unanswered",
            concurrency_limit=1,
            concurrency_id="unanswered",
        )

        def relabel(lang: str) -> list[Any]:
            t = ui_texts(_lang(lang))
            return [
                gr.update(value=_header(t)),
                gr.update(label=t["interface_language"]),
                gr.update(label=t["chat_tab"]),
                gr.update(label=t["staff_tab"]),
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
                gr.update(value=t["staff_intro"]),
                gr.update(label=t["staff_query"], placeholder=t["staff_query_placeholder"]),
                gr.update(label=t["staff_k"]),
                gr.update(label=t["staff_lang"], choices=_choices(t)),
                gr.update(value=t["staff_search"]),
                gr.update(label=t["pages_tab"]),
                gr.update(value=t["pages_intro"]),
                gr.update(value=t["pages_refresh"]),
                handlers.pages(lang),
                gr.update(label=t["unanswered_tab"]),
                gr.update(value=t["unanswered_intro"]),
                gr.update(label=t["unanswered_days"]),
                gr.update(value=t["unanswered_refresh"]),
            ]

        relabelled = [
            header,
            ui_lang,
            chat_tab,
            staff_tab,
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
            staff_intro,
            staff_query,
            staff_k,
            staff_lang,
            staff_search,
            pages_tab,
            pages_intro,
            pages_refresh,
            pages_table,
            unanswered_tab,
            unanswered_intro,
            unanswered_days,
            unanswered_refresh,
        ]
        set_page_lang = _set_page_lang_js()
        ui_lang.change(relabel, ui_lang, relabelled, js=set_page_lang)

        def initial_lang(request: gr.Request) -> str:
            """``?lang=en`` in the address opens the English interface."""
            wanted = request.query_params.get("lang", "") if request else ""
            return wanted if wanted in LANGS else "de"

        app.load(initial_lang, None, ui_lang).then(None, ui_lang, None, js=set_page_lang)
    app.queue(max_size=settings.ui_queue_size, default_concurrency_limit=DEFAULT_CONCURRENCY)
    return app


def _privacy(t: dict[str, Any], settings: Settings, unanswered: Any) -> str:
    """The privacy note under the chat; it says so when unanswered questions are kept."""
    if unanswered is None:
        return t["privacy"]
    kept = t["privacy_unanswered"].format(days=settings.unanswered_retention_days)
    return f"{t['privacy']} {kept}"


def warm_up(assistant: AssistantLike) -> None:
    """Ask the first example question in each language once, so the caches and lazily built
    indexes are ready before the first citizen asks."""
    for lang in LANGS:
        assistant.ask(ui_texts(lang)["examples"][0])


def launch(
    app: gr.Blocks,
    host: str = "127.0.0.1",
    port: int = 7860,
    *,
    block: bool = True,
) -> gr.Blocks:
    """Serve the page on ``host:port`` (never through a share link; the queue is set up by
    :func:`create_app`). With ``block=False`` it returns once the server runs (tests);
    ``app.close()`` stops it."""
    app.launch(
        server_name=host,
        server_port=port,
        share=False,
        prevent_thread_lock=not block,
        inbrowser=False,
        show_error=False,
        quiet=True,  # serve() prints the address itself
        footer_links=[],
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
        theme=THEME,
        css=CSS,
        favicon_path=None,
    )
    return app


def serve(
    settings: Settings | None = None, host: str | None = None, port: int | None = None
) -> None:
    """Open the assistant and serve its page until interrupted (``assistant serve``)."""
    from assistant.app import Assistant

    settings = settings or Settings()
    assistant = Assistant.open(settings)
    warm_up(assistant)
    app = create_app(assistant)
    host, port = host or settings.ui_host, port or settings.ui_port
    print(f"Web UI: http://{host}:{port}  (Strg-C / Ctrl-C beendet / quits)", flush=True)
    print(f"Feedback: {Path(settings.feedback_path)}", flush=True)
    if settings.record_unanswered:
        print(f"Unanswered questions: {Path(settings.unanswered_path)}", flush=True)
    launch(app, host, port)
