"""The one ``Assistant`` object that the CLI, the UI and the evals all use."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from assistant.answering.composer import Composer
from assistant.answering.conversation import focus_question, resolve_followup, split_question
from assistant.answering.drafts import Draft, merge_drafts
from assistant.answering.llm import LLMComposer, LLMSettings
from assistant.answering.phrases import phrases
from assistant.answering.reader import READ_PASSAGES, Reader
from assistant.answering.reader.bridge import Bridge
from assistant.answering.reader.vectors import UnitVectors
from assistant.config import Settings
from assistant.documents.corpus import CorpusError
from assistant.guard import (
    TOO_LONG,
    RejectedInputError,
    check_question,
    clean_history,
    looks_like_instruction,
    rejection,
)
from assistant.indexing.embedding import Embedder, cached_queries, make_embedder
from assistant.indexing.facts import Facts
from assistant.indexing.generation import Generation, pull_served
from assistant.indexing.ingest import CORPUS_CHANGED, index_problems, ingest
from assistant.indexing.live import GenerationWatch
from assistant.indexing.manifest import IndexUnavailableError, Manifest
from assistant.language.detect import detect_language, warm_up
from assistant.records import Answer, Passage
from assistant.retrieval.hybrid import HybridRetriever, Retriever, question_language

logger = logging.getLogger(__name__)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def _embed_ahead(retriever: Retriever, question: str, lang: str, whole: bool) -> None:
    """Embed what the search will embed for ``question``, before the assistant's lock, so
    that others' questions go on meanwhile: the whole question when the model reads its
    passages (``whole``), else each part, as the composer answers them."""
    if not isinstance(retriever, HybridRetriever):
        return
    texts = [question] if whole else [part.text for part in split_question(question, lang)]
    retriever.prefetch(texts, lang)


def _ensure_index(
    settings: Settings, embedder: Embedder, auto_ingest: bool, log: Callable[[str], None]
) -> None:
    """Rebuild a missing or stale index (or refuse when ``auto_ingest`` is off). When the
    corpus changed but a file of it is unusable, the previous index keeps serving."""
    problems = index_problems(settings)
    if not problems:
        return
    if not auto_ingest:
        raise IndexUnavailableError(
            f"the index cannot be used: {'; '.join(problems)}. Run: assistant ingest"
        )
    log(f"index: {'; '.join(problems)} → ingesting")
    try:
        log("index: " + ingest(settings, embedder=embedder).summary())
    except CorpusError as exc:
        if problems != [CORPUS_CHANGED]:
            raise  # no usable previous index to fall back on
        log(
            f"index: {exc}. The previous index keeps serving until the corpus is "
            "fixed and 'assistant ingest' succeeds."
        )


class Assistant:
    """Answers questions about the corpus from the index described by its manifest.

    Safe to share between threads: retrieval and composing run one question at a time
    (they take milliseconds); the optional LLM is asked outside that lock, so a slow model
    holds up nobody else.
    """

    def __init__(
        self,
        settings: Settings,
        manifest: Manifest,
        retriever: Retriever,
        facts: Facts,
        llm: LLMComposer | None = None,
        units: UnitVectors | None = None,
        bridge: Bridge | None = None,
    ) -> None:
        generation = Generation.build(settings, manifest, retriever, facts, units, bridge)
        self._setup(settings, generation, llm)

    def _setup(self, settings: Settings, generation: Generation, llm: LLMComposer | None) -> None:
        self.settings = settings
        self.llm = llm
        self._generation = generation
        self._watch: GenerationWatch[Generation] | None = None
        self._lock = threading.RLock()

    # the generation in use; a question takes it once and keeps it to the end
    @property
    def manifest(self) -> Manifest:
        return self._generation.manifest

    @property
    def retriever(self) -> Retriever:
        return self._generation.retriever

    @property
    def composer(self) -> Composer:
        return self._generation.composer

    @property
    def reader(self) -> Reader | None:
        return self._generation.reader

    @property
    def home(self) -> str | None:
        return self._generation.home

    @property
    def places(self) -> list[str]:
        return self._generation.places

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        auto_ingest: bool = True,
        log: Callable[[str], None] = _stderr,
    ) -> Assistant:
        """Open the index; when it is missing or stale, rebuild it first (or refuse). When the
        corpus changed but a file of it is unusable, the previous index keeps serving (and
        ``log`` says why). With a Chroma server, the generation it serves is fetched into
        the index folder first. The assistant then follows the index: a new generation is
        switched to while it runs (``ASSISTANT_INDEX_CHECK_SECONDS``)."""
        settings = settings or Settings()
        # the language model loads (mostly decompressing, outside the GIL) while the index opens
        model_folder = settings.data_dir / "cache"
        threading.Thread(
            target=warm_up, args=(model_folder,), name="language-model", daemon=True
        ).start()
        embedder = embedder or make_embedder(settings.embedding, settings.embedding_threads or None)
        embedder = cached_queries(embedder, settings.query_cache_size)
        if settings.chroma_host:
            pull_served(settings)
        _ensure_index(settings, embedder, auto_ingest, log)
        generation = Generation.load(settings, embedder, log)
        llm_settings = LLMSettings()
        llm = LLMComposer(llm_settings) if llm_settings.enabled else None
        assistant = cls.__new__(cls)
        assistant._setup(settings, generation, llm)
        assistant._watch = GenerationWatch(
            settings,
            generation.manifest.collection,
            lambda: Generation.load(settings, embedder, log),
            assistant._switch,
            log,
        )
        return assistant

    def _switch(self, generation: Generation) -> str:
        self._generation = generation  # one assignment: a question sees the old or the new
        return generation.manifest.collection

    def _current(self) -> Generation:
        """The generation a question is answered from (and, when due, the check for a new
        one, which loads in the background)."""
        if self._watch is not None:
            self._watch.poll()
        return self._generation

    def read_ahead(self, seconds: float) -> int:
        """Prepare, for at most ``seconds``, what the first question about each passage
        would otherwise pay for (safe beside questions being answered); how many passages."""
        retriever = self._current().retriever
        return retriever.read_ahead(seconds) if isinstance(retriever, HybridRetriever) else 0

    def search(self, query: str, k: int | None = None, lang: str | None = None) -> list[Passage]:
        """Raw retrieval: the passages most relevant to ``query``, best first; none for an
        empty or wordless query, :class:`RejectedInputError` for one over the length limit."""
        checked = check_question(query, self.settings.max_question_chars)
        if checked.problem == TOO_LONG:
            raise RejectedInputError(checked, self.settings.max_question_chars)
        if checked.problem:
            return []
        generation = self._current()
        lang = lang or question_language(
            checked.text, detect_language(checked.text, generation.names)
        )
        # embedded before the lock, as a question is: the lock is held for milliseconds
        _embed_ahead(generation.retriever, checked.text, lang, whole=True)
        with self._lock:
            return generation.retriever.retrieve(checked.text, k or self.settings.top_k, lang)

    def _read(self, gen: Generation, question: str, lang: str, passages: list[Passage]) -> Draft:
        """The default composer's answer to one question from its passages."""
        retriever = gen.retriever
        if not isinstance(retriever, HybridRetriever):
            return gen.composer.compose(question, lang, passages)
        vector = retriever.query_vector(question)
        dense = retriever.dense_scores(question, passages[:READ_PASSAGES])
        return gen.composer.compose(question, lang, passages, vector, dense)

    def _compose(
        self,
        gen: Generation,
        question: str,
        lang: str,
        passages: list[Passage] | None,
        spent: dict[str, float],
        focus: bool = True,
    ) -> Draft:
        """The default composer's answer; a compound question is answered part by part, each
        part from its own passages (when no part finds an answer, the whole question is
        answered as one, from ``passages`` or, when not given, its own search). When that
        finds no answer and context before the question names a place the question itself
        does not, the question is asked once more on its own, led by that place
        (:func:`focus_question`). The time spent searching is added to ``spent["retrieve"]``."""
        parts = split_question(question, lang)
        if len(parts) > 1:
            drafts: list[Draft] = []
            for part in parts:
                if part.follows and drafts[0].abstained:
                    drafts.append(drafts[0])  # its subject was not found either
                    continue
                found = self._search(gen, part.text, lang, spent)
                drafts.append(self._read(gen, part.text, lang, found))
            merged = merge_drafts(drafts, lang)
            if not merged.abstained:
                return merged
        if passages is None:
            passages = self._search(gen, question, lang, spent)
        draft = self._read(gen, question, lang, passages)
        if draft.abstained and gen.reader is not None and focus:
            focused = focus_question(question, gen.reader.questions.gazetteer.in_words)
            if focused is not None:  # the context drowned what is asked: ask it alone
                answer = self._compose(gen, focused, lang, None, spent, focus=False)
                if not answer.abstained:
                    return answer
        return draft

    def _search(
        self, gen: Generation, text: str, lang: str, spent: dict[str, float]
    ) -> list[Passage]:
        t0 = time.perf_counter()
        found = gen.retriever.retrieve(text, self._depth, lang)
        spent["retrieve"] = spent.get("retrieve", 0.0) + time.perf_counter() - t0
        return found

    @property
    def _depth(self) -> int:
        return max(self.settings.top_k, READ_PASSAGES)

    def ask(
        self, question: str, history: Sequence[Any] | None = None, lang: str | None = None
    ) -> Answer:
        """Answer a question from the corpus only, in the asker's language, with citations.

        ``history`` holds the earlier turns (``[{"role", "content"}]`` or ``[(q, a)]``), so a
        follow-up that lacks its subject is understood; an explicit ``lang`` wins over
        detection; a question in another language is answered in German with a note. Any
        text is accepted: an empty, wordless or overlong question gets a message saying so
        (``assistant/guard.py``), never an exception.
        """
        t0 = time.perf_counter()
        limit = self.settings.max_question_chars
        checked = check_question(question, limit)
        if checked.problem:
            return rejection(checked, lang, limit)
        question = checked.text
        gen = self._current()  # taken once: the question is answered from it to the end
        detected = lang or detect_language(question, gen.names)
        answer_lang = detected if detected in ("de", "en") else "de"
        note = "" if detected in ("de", "en") else phrases("en")["other_language_note"]
        resolved = resolve_followup(question, clean_history(history, limit))
        spent: dict[str, float] = {}
        use_llm = self.llm is not None and not looks_like_instruction(resolved)
        if self.llm is not None and not use_llm:
            logger.warning("question looks like instructions to a model; answered without the LLM")
        draft = None
        passages: list[Passage] | None = None
        _embed_ahead(gen.retriever, resolved, answer_lang, use_llm)
        if use_llm:  # the model reads the whole question's passages
            with self._lock:
                passages = self._search(gen, resolved, answer_lang, spent)
            draft = self.llm.compose(resolved, answer_lang, passages[: self.settings.top_k])
        with self._lock:
            if draft is not None and draft.abstained:
                draft = gen.composer.refuse(answer_lang, passages[: self.settings.top_k])
            if draft is None:
                draft = self._compose(gen, resolved, answer_lang, passages, spent)
        t2 = time.perf_counter()
        t1 = t0 + spent.get("retrieve", 0.0)
        text = f"{note}\n{draft.text}" if note else draft.text
        return Answer(
            question=question,
            language=answer_lang,
            answer=text,
            abstained=draft.abstained,
            citations=draft.citations,
            conflicts=draft.conflicts,
            timings_ms={
                "retrieve": (t1 - t0) * 1000,
                "compose": (t2 - t1) * 1000,
                "total": (t2 - t0) * 1000,
            },
            note=note,
            resolved_question=resolved if resolved != question else "",
            confidence=draft.confidence,
            closest=draft.closest,
        )
