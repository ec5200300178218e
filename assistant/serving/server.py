"""Serving the page: warm-up, ``launch(app)`` on the loopback address by default and never
through a public share link, and ``serve`` behind ``assistant serve`` (which also starts the
staff app, :mod:`assistant.serving.staff_app`, when a staff login is configured). The theme
and the style sheet are given to the server here.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.config import Settings
from assistant.language.detect import warm_frequencies
from assistant.resources import DATA
from assistant.serving.handlers import LANGS, AssistantLike
from assistant.serving.http import server_kwargs
from assistant.serving.render import ui_texts
from assistant.serving.ui import create_app

CSS = (DATA / "ui.css").read_text(encoding="utf-8")
THEME = gr.themes.Default(
    primary_hue="blue",
    neutral_hue="slate",
    # system fonts: the page loads nothing from third parties
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "Consolas", "monospace"],
)

# The embedding engine's threads when serving, unless set: questions then come several at
# once, and one thread each leaves the other core to the web server. 40 users, side by side:
# one thread 83 ms of CPU per answer and 13.6 answers/s, two threads 123 ms and 10.8/s.
SERVING_ENGINE_THREADS = 1
# Seconds, after start, of reading passages ahead for the evidence stage (5-10 ms each on
# 2 cores): all 85 of the corpus in 0.7 s, after which the first questions of 20 users took
# 50-97 ms instead of 100-190 ms; at 100k passages, the first few thousand.
READ_AHEAD_S = 20.0


def warm_up(assistant: AssistantLike) -> None:
    """Ask the first example question in each language once, so the caches and lazily built
    indexes are ready before the first citizen asks; load the word frequency lists."""
    warm_frequencies()
    for lang in LANGS:
        assistant.ask(ui_texts(lang)["examples"][0])


def skip_absent_matplotlib() -> bool:
    """Make ``import matplotlib`` fail at once when it is not installed (True then).

    Gradio switches matplotlib's backend around every event it processes and tries the
    import each time; with no matplotlib, each try searched the whole import path again,
    14 of 63 ms of server CPU per answered request under load. An installed matplotlib is
    left alone."""
    if "matplotlib" in sys.modules:
        return sys.modules["matplotlib"] is None
    if importlib.util.find_spec("matplotlib") is not None:
        return False
    sys.modules["matplotlib"] = None  # type: ignore[assignment]  # import raises at once
    return True


def launch(
    app: gr.Blocks,
    host: str = "127.0.0.1",
    port: int = 7860,
    *,
    block: bool = True,
) -> gr.Blocks:
    """Serve the page on ``host:port`` (never through a share link; the queue is set up by
    :func:`create_app`). With ``block=False`` it returns once the server runs (tests);
    ``app.close()`` stops it. Every route goes through the limits of
    :mod:`assistant.serving.http`, and the JSON API is served beside the page."""
    skip_absent_matplotlib()
    # the client address is read by the limits (ASSISTANT_HTTP_TRUSTED_PROXIES), not
    # rewritten by the web server from a header a local client may send
    os.environ["FORWARDED_ALLOW_IPS"] = ""
    app.launch(
        server_name=host,
        server_port=port,
        app_kwargs=server_kwargs(app),
        **launch_options(block),
    )
    return app


def launch_options(block: bool) -> dict[str, Any]:
    """What every page of the assistant is launched with: never a share link, nothing from
    other sites, no extras; ``serve`` prints the address itself."""
    return {
        "share": False,
        "prevent_thread_lock": not block,
        "inbrowser": False,
        "show_error": False,
        "quiet": True,
        "footer_links": [],
        "ssr_mode": False,
        "mcp_server": False,
        "pwa": False,
        "theme": THEME,
        "css": CSS,
        "favicon_path": None,
    }


def start_staff_app(
    assistant: AssistantLike, settings: Settings, unanswered: Any, port: int | None
) -> gr.Blocks | None:
    """The staff app on its own port, behind its login (None when no login is configured)."""
    from assistant.serving.staff_app import start_staff

    return start_staff(assistant, unanswered, settings, port=port)


def serve(
    settings: Settings | None = None,
    host: str | None = None,
    port: int | None = None,
    staff_port: int | None = None,
) -> None:
    """Open the assistant and serve its page until interrupted (``assistant serve``); the
    staff app beside it when a staff login is configured (``staff_port`` wins over
    ``ASSISTANT_STAFF_PORT``)."""
    from assistant.app import Assistant

    settings = settings or Settings()
    if not settings.embedding_threads:
        settings = settings.model_copy(update={"embedding_threads": SERVING_ENGINE_THREADS})
    assistant = Assistant.open(settings)
    warm_up(assistant)
    # the passages are read ahead while the page already serves
    threading.Thread(
        target=assistant.read_ahead, args=(READ_AHEAD_S,), name="read-ahead", daemon=True
    ).start()
    app = create_app(assistant)
    unanswered = getattr(getattr(app, "handlers", None), "unanswered", None)
    if unanswered is not None:  # the corpus's words, for masking names, gathered meanwhile
        threading.Thread(
            target=lambda: unanswered.scrubber.words, name="scrubber", daemon=True
        ).start()
    start_staff_app(assistant, settings, unanswered, staff_port)
    host, port = host or settings.ui_host, port or settings.ui_port
    print(f"Web UI: http://{host}:{port}  (Strg-C / Ctrl-C beendet / quits)", flush=True)
    print(f"Feedback: {Path(settings.feedback_path)}", flush=True)
    if settings.record_unanswered:
        print(f"Unanswered questions: {Path(settings.unanswered_path)}", flush=True)
    launch(app, host, port)
