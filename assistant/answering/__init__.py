"""Answering: the reader (``reader``) and the composer (``composer``) with its drafts,
typed-fact templates, reports of pages that disagree and refusal (``drafts``, ``templates``,
``conflicts``, ``refusal``), the phrases (``phrases``), follow-ups and compound questions
(``conversation``), the optional LLM (``llm``).

Entry points: ``Composer``, ``REFUSAL``.
"""

from typing import TYPE_CHECKING

from assistant import lazy_entries

if TYPE_CHECKING:
    from assistant.answering.composer import Composer
    from assistant.answering.phrases import REFUSAL

ENTRIES = {
    "Composer": "assistant.answering.composer",
    "REFUSAL": "assistant.answering.phrases",
}
__all__ = ["REFUSAL", "Composer"]
__getattr__ = lazy_entries(__name__, ENTRIES)
