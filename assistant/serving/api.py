"""The JSON API for integrators, served beside the page under ``/api/v1``.

``POST /api/v1/ask`` takes ``{"question", "lang", "history"}`` and answers with the object
``Answer.to_dict()`` gives, the same as one line of ``assistant ask --jsonl``: answer,
abstained, citations (text, document, section, relevance), conflicts, language, timings.
``GET /api/v1/health`` names the index generation and says whether the model is loaded.
Its OpenAPI description is at ``/api/v1/openapi.json`` and readable at ``/api/v1/docs``
(these routes only, nothing of the page's events). The body cap and the per-address rate
limit of :mod:`assistant.serving.http` apply to it as to the page's question routes.

No ``from __future__ import annotations`` here: FastAPI reads the request model, made per
assistant with its length limits, from the endpoint's live annotations.
"""

import logging
from functools import partial
from typing import Any, Literal

import anyio
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.guard import HISTORY_ITEMS
from assistant.serving.handlers import AssistantLike

log = logging.getLogger(__name__)
PREFIX = "/api/v1"
ANSWER_FACTOR = 10  # an earlier answer may be this many times longer than a question


def request_model(max_chars: int) -> type[BaseModel]:
    """The body of ``POST /ask`` with the question length limit ``max_chars``."""

    class Turn(BaseModel):
        """One earlier message of the conversation."""

        model_config = ConfigDict(extra="forbid")
        role: Literal["user", "assistant"]
        content: str = Field(max_length=ANSWER_FACTOR * max_chars)

    class AskRequest(BaseModel):
        """A question, its answer language and the conversation before it."""

        model_config = ConfigDict(extra="forbid")
        question: str = Field(
            min_length=1,
            max_length=max_chars,
            description="The question, in German or English.",
        )
        lang: Literal["de", "en", "auto"] | None = Field(
            default=None, description="Answer language; auto or none: the question's."
        )
        history: list[Turn] = Field(
            default_factory=list,
            max_length=HISTORY_ITEMS,
            description="Earlier messages, oldest first, so that a follow-up is understood.",
        )

    return AskRequest


def model_loaded(assistant: AssistantLike) -> bool:
    """Whether the embedding model is in memory (an embedder without a model: always)."""
    embedder = getattr(getattr(assistant, "retriever", None), "embedder", None)
    embedder = getattr(embedder, "inner", embedder)  # past a cache of question vectors
    return embedder is not None and getattr(embedder, "_model", True) is not None


def health(assistant: AssistantLike) -> dict[str, Any]:
    """The index generation served and whether the model is loaded."""
    manifest = getattr(assistant, "manifest", None)
    return {
        "status": "ok",
        "index": getattr(manifest, "collection", None),
        "built_at": getattr(manifest, "built_at", None),
        "chunks": getattr(manifest, "chunk_count", None),
        "model_loaded": model_loaded(assistant),
    }


def api_app(assistant: AssistantLike) -> FastAPI:
    """The API as its own application, to be mounted at :data:`PREFIX`. Questions are
    answered on worker threads, at most ``ui_concurrency`` at once."""
    settings = assistant.settings
    AskRequest = request_model(settings.max_question_chars)
    workers = anyio.CapacityLimiter(settings.ui_concurrency)
    api = FastAPI(
        title="Citizens' assistant API",
        version="1",
        summary="Questions answered from the city's own pages, with numbered sources.",
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )

    def ask_json(body: AskRequest) -> dict[str, Any]:  # type: ignore[valid-type]
        history = [turn.model_dump() for turn in body.history]
        lang = body.lang if body.lang in ("de", "en") else None
        return assistant.ask(body.question, history=history, lang=lang).to_dict()

    @api.post(
        "/ask",
        summary="Answer a question",
        response_description="The answer as one line of `assistant ask --jsonl`: question, "
        "language, answer, abstained, citations (n, doc, title, section, text, score, "
        "quote), conflicts, timings_ms, note, resolved_question.",
    )
    async def ask(body: AskRequest) -> JSONResponse:  # type: ignore[valid-type]
        """Answer ``question`` from the pages only, with citations; a question the pages
        do not answer comes back with ``abstained`` true and the closest sources."""
        try:
            answer = await anyio.to_thread.run_sync(partial(ask_json, body), limiter=workers)
        except Exception:
            log.exception("answering an API question failed")
            return JSONResponse({"detail": "the question could not be answered"}, 500)
        return JSONResponse(answer)

    @api.get("/health", summary="Index generation and model state")
    async def get_health() -> dict[str, Any]:
        """The index generation being served and whether the embedding model is loaded."""
        return health(assistant)

    return api
