"""The citizens' page's event handlers, in :class:`ChatHandlers`, so that they can be tested
without a browser: the chat (an answer in one update, or in pieces when a pause is set),
thumbs and comments on an answer. The staff views' handlers are in
:mod:`assistant.serving.staff`, served by the staff app only.

Also what the handlers share with the page: :class:`AssistantLike` (what they need of an
assistant), the interface languages and the conversation turns as chat messages.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import gradio as gr

from assistant.answering.phrases import phrases
from assistant.config import Settings
from assistant.guard import check_question, clean_question
from assistant.records import Answer, Passage
from assistant.serving.feedback import FeedbackStore
from assistant.serving.ratelimit import RateLimiter, wait_seconds
from assistant.serving.render import answer_message, escape_text, ui_texts
from assistant.serving.unanswered import UnansweredLog, safe_record

log = logging.getLogger(__name__)
LANGS = ("de", "en")
STREAM_PIECE = re.compile(r"\S+\s*")
WORDS_PER_PIECE = 3
MOST_PIECES = 4  # every piece costs the server a whole update of the chat, sent and diffed
COMMENT_MAX_CHARS = 1000


class AssistantLike(Protocol):
    """What the UI needs of :class:`assistant.app.Assistant` (called from several threads
    at once, so it must be thread-safe, as ``Assistant`` is)."""

    settings: Settings
    home: str | None  # the city the pages speak for
    places: Sequence[str]  # places the pages list (partner cities), for example questions

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
    """The earlier turns as ``Assistant.ask`` takes them: the raw text, not the HTML. A
    question turned away (overlong, no words) is shown in the chat but is no context: the
    follow-up after it refers to what was asked before it."""
    out: list[dict[str, str]] = []
    for turn in turns:
        if turn.get("rejected"):
            continue
        out.append({"role": "user", "content": turn["question"]})
        out.append({"role": "assistant", "content": turn["answer"]["answer"]})
    return out


def _session(request: gr.Request | None) -> str | None:
    """The opaque per-page-load id Gradio gives a browser session (None for direct calls)."""
    return getattr(request, "session_hash", None) if request is not None else None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def stream_pieces(text: str, words: int = WORDS_PER_PIECE, most: int = MOST_PIECES) -> list[str]:
    """Ever longer beginnings of ``text``, ``words`` words more each (more in a long text,
    so that there are at most ``most`` pieces), ending with all of it."""
    tokens = STREAM_PIECE.findall(text)
    words = max(words, -(-len(tokens) // most))
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
    ) -> Iterator[tuple[list[dict[str, str]], str, list[dict[str, Any]]]]:
        """Answer ``question``: yields (chat, question box, turns), first with the question
        shown, then with the answer and its sources. An empty question and one
        asked too fast get a message (and leave the conversation as it was).

        An answer is composed whole before any of it is shown, so by default
        (``stream_delay_s`` 0) it goes out in one update: pieces sent back to back look the
        same in the browser, and each cost the server a whole update of the chat (30 → 37 ms
        of CPU per answered request with four pieces). With a pause configured it streams in
        pieces, ``stream_delay_s`` apart, for the look of typing."""
        turns = list(turns or [])
        ui = _lang(ui_lang)
        question = clean_question(question)
        if not question:
            note = {"role": "assistant", "content": escape_text(phrases(ui)["empty_question"])}
            yield [*messages(turns), note], "", turns
            return
        user_html = escape_text(_clip(question, self.max_chars))
        shown = messages(turns)
        shown.append({"role": "user", "content": user_html})
        limited = self._rate_limited(request, ui)
        if limited:
            note = {"role": "assistant", "content": escape_text(limited)}
            yield [*shown, note], question, turns  # the question stays in the box
            return
        yield shown, "", turns
        forced = answer_lang if answer_lang in LANGS else None
        try:
            answer = self.assistant.ask(question, history=history(turns), lang=forced)
            safe_record(self.unanswered, answer)  # the question only, nothing of the session
            record = answer.to_dict()
            # a question turned away is kept clipped (the session holds nothing large)
            rejected = bool(check_question(question, self.max_chars).problem)
            if rejected:
                question = record["question"] = _clip(question, self.max_chars)
            shown_answer = answer_message(record, ui)
        except Exception:
            log.exception("answering failed: %r", question[:200])
            failed = [*shown, {"role": "assistant", "content": escape_text(ui_texts(ui)["error"])}]
            yield failed, question, turns
            return
        # the answer is whole by now: it goes out in one update, unless a cosmetic pause
        # between pieces is configured (the look of typing, which holds the worker longer)
        if self.stream_delay_s > 0:
            for piece in stream_pieces(answer.answer)[:-1]:
                yield [*shown, {"role": "assistant", "content": escape_text(piece)}], "", turns
                time.sleep(self.stream_delay_s)
        turn = {
            "question": question,
            "user_html": user_html,
            "answer": record,
            "html": shown_answer,
            "feedback_id": None,
            "rejected": rejected,
        }
        turns = [*turns, turn]
        yield messages(turns), "", turns

    def respond_at_once(
        self,
        question: str,
        turns: list[dict[str, Any]] | None,
        answer_lang: str | None,
        ui_lang: str | None,
        request: gr.Request | None = None,
    ) -> tuple[list[dict[str, str]], str, list[dict[str, Any]]]:
        """The last update of :meth:`respond` only: the question with its answer and
        sources, or the message instead. The page's event when no pause between pieces is
        set: the answer is whole before any of it could be shown, and an event that is not
        streamed costs the server one message to the browser instead of three."""
        *_, last = self.respond(question, turns, answer_lang, ui_lang, request)
        return last

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
