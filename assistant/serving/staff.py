"""What the staff tabs need besides their handlers (``ChatHandlers.search``, ``.pages`` and
``.unanswered_report``): the number of passages asked for, the note shown instead of a
table, the retrieval legs shown as columns, the report's period, and the embedder the
unanswered questions are grouped with.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from assistant.records import Passage

if TYPE_CHECKING:
    from assistant.serving.handlers import AssistantLike

STAFF_K_MAX = 20


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
