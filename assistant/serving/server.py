"""Serving the page: warm-up, ``launch(app)`` on the loopback address by default and never
through a public share link, and ``serve`` behind ``assistant serve``. The theme and the
style sheet are given to the server here.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from assistant.config import Settings
from assistant.resources import DATA
from assistant.serving.handlers import LANGS, AssistantLike
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
