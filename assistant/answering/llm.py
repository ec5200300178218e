"""The optional LLM answerer: an OpenAI-compatible endpoint (Ollama, vLLM …) via llama-index.

Off unless ``ASSISTANT_LLM_BASE_URL`` and ``ASSISTANT_LLM_MODEL`` are set. The model sees only
the numbered passages; its [n] markers are parsed back, markers of passages it was not given
are dropped, and so is every sentence left without a valid marker. When nothing valid
remains, or on any error or timeout, ``compose`` returns None and the default composer answers.

Passages are data, not instructions: a sentence in them that reads like an instruction to a
model ("Ignore all previous instructions …", "System: …") reaches the model as "[…]", and
a question that reads like one is answered without the model (``assistant/app.py``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.answering.drafts import CitationNumbers, Draft
from assistant.answering.phrases import REFUSAL
from assistant.guard import defuse
from assistant.records import Passage
from assistant.resources import load_data

log = logging.getLogger(__name__)
_MARKER = re.compile(r"\[(\d+)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


class LLMSettings(BaseSettings):
    """The optional answer generator; every field is read from ``ASSISTANT_LLM_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_LLM_", extra="ignore")

    base_url: str | None = Field(default=None, description="OpenAI-compatible base URL.")
    model: str | None = Field(default=None, description="Model name served at base_url.")
    api_key: SecretStr | None = Field(default=None, description="API key (environment only).")
    timeout_s: float = Field(default=20.0, gt=0, description="Seconds before falling back.")
    max_tokens: int = Field(default=400, gt=0, description="Longest answer in tokens.")

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model)


def prompts() -> dict[str, Any]:
    return load_data("prompts.yaml")


def build_messages(question: str, lang: str, passages: list[Passage]) -> list[tuple[str, str]]:
    """(role, content) pairs: the system prompt and the question with numbered passages."""
    p = prompts()
    listed = "\n\n".join(
        p["passage"].format(
            n=i,
            title=defuse(x.chunk.title),
            section=defuse(x.chunk.section),
            text=defuse(x.chunk.passage_text),
        )
        for i, x in enumerate(passages, 1)
    )
    system = p["system"][lang].format(refusal=REFUSAL[lang])
    return [("system", system), ("user", p["user"].format(question=question, passages=listed))]


def parse_answer(text: str, lang: str, passages: list[Passage]) -> Draft | None:
    """Keep the sentences that cite a passage the model was given; renumber the citations."""
    text = text.strip()
    if not text:
        return None
    if text.startswith(REFUSAL[lang]):
        return Draft(REFUSAL[lang], True, [])
    cites = CitationNumbers()
    kept: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        numbers = [int(n) for n in _MARKER.findall(sentence)]
        valid = [n for n in numbers if 1 <= n <= len(passages)]
        if not valid:
            continue
        mapping = {}
        for n in valid:
            p = passages[n - 1]
            score = p.relevance if p.relevance is not None else p.score
            mapping[n] = cites.add(p.chunk, score)

        def renumber(m: re.Match[str], mapping: dict[int, int] = mapping) -> str:
            n = int(m.group(1))
            return f"[{mapping[n]}]" if n in mapping else ""

        kept.append(_MARKER.sub(renumber, sentence).strip())
    if not kept:
        return None
    return Draft(" ".join(kept), False, cites.items)


class LLMComposer:
    """Asks the model; returns None (and logs why) whenever the default composer must answer."""

    def __init__(self, settings: LLMSettings, llm: Any = None) -> None:
        self.settings = settings
        self._llm = llm

    def _client(self) -> Any:
        if self._llm is None:
            from llama_index.llms.openai_like import OpenAILike

            key = self.settings.api_key.get_secret_value() if self.settings.api_key else "none"
            self._llm = OpenAILike(
                model=self.settings.model,
                api_base=self.settings.base_url,
                api_key=key,
                is_chat_model=True,
                timeout=self.settings.timeout_s,
                max_retries=0,
                max_tokens=self.settings.max_tokens,
                temperature=0.0,
            )
        return self._llm

    def compose(self, question: str, lang: str, passages: list[Passage]) -> Draft | None:
        if not passages:
            return None
        from llama_index.core.llms import ChatMessage

        messages = [
            ChatMessage(role=r, content=c) for r, c in build_messages(question, lang, passages)
        ]
        try:
            reply = self._client().chat(messages)
        except Exception as exc:  # any failure of the endpoint means: answer without it
            log.warning(
                "LLM answer failed (%s: %s); using the default composer", type(exc).__name__, exc
            )
            return None
        draft = parse_answer(reply.message.content or "", lang, passages)
        if draft is None:
            log.warning("LLM answer had no sentence with a valid [n]; using the default composer")
        return draft
