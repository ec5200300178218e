"""The staff app: the fact check (raw retrieval), the pages list and the unanswered
questions, in a Gradio app of their own behind a login, on a port of their own.

The citizens' page (:mod:`assistant.serving.ui`) has none of this: no tab, no endpoint, no
data. The staff app shares the process and the assistant with it, listens on the loopback
address by default (``ASSISTANT_STAFF_HOST`` / ``ASSISTANT_STAFF_PORT``) and answers nothing,
not even its API description, before a login (:mod:`assistant.serving.staff_auth`). With no
staff account configured it is not started, and the log says so. Why it is a separate app
rather than a tab: ``docs/staff.md``.
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from assistant.config import Settings
from assistant.serving.handlers import AssistantLike, _lang
from assistant.serving.render import ui_texts, use_page_names
from assistant.serving.staff import StaffHandlers
from assistant.serving.staff_auth import Login, staff_login
from assistant.serving.ui import language_switch
from assistant.serving.unanswered import UnansweredLog

log = logging.getLogger(__name__)
ANSWER_LANGS = ("auto", "de", "en")


def _choices(t: dict[str, Any]) -> list[tuple[str, str]]:
    return [(t["answer_language_choices"][v], v) for v in ANSWER_LANGS]


def create_staff_app(assistant: AssistantLike, unanswered: UnansweredLog | None) -> gr.Blocks:
    """The staff app's page: a tab with raw retrieval, a read-only tab listing the corpus
    pages and one with the questions the pages did not answer (``unanswered``: the log the
    citizens' page records into, None when recording is off)."""
    settings = assistant.settings
    handlers = StaffHandlers(assistant, unanswered)
    use_page_names(assistant.home, assistant.places)
    t = ui_texts("de")
    days = max(settings.unanswered_retention_days, 1)

    with gr.Blocks(title=t["staff_page_title"], analytics_enabled=False) as app:
        app.handlers = handlers  # type: ignore[attr-defined]
        with gr.Row(elem_classes="topbar"):
            header = gr.Markdown(f"# {t['staff_page_title']}", elem_id="page-header")
            ui_lang = language_switch(t)
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab(t["staff_tab"], id="check") as staff_tab:
                staff_intro = gr.Markdown(t["staff_intro"])
                with gr.Row(equal_height=True):
                    query = gr.Textbox(
                        label=t["staff_query"],
                        placeholder=t["staff_query_placeholder"],
                        elem_id="staff-query",
                        max_length=settings.max_question_chars,
                        scale=4,
                        min_width=200,
                    )
                    k = gr.Slider(1, 20, value=settings.top_k, step=1, label=t["staff_k"], scale=2)
                query_lang = gr.Radio(_choices(t), value="auto", label=t["staff_lang"])
                search = gr.Button(t["staff_search"], variant="primary")
                results = gr.HTML("", elem_id="staff-results")
            with gr.Tab(t["pages_tab"], id="pages") as pages_tab:
                pages_intro = gr.Markdown(t["pages_intro"])
                pages_refresh = gr.Button(t["pages_refresh"], variant="secondary", size="sm")
                pages_table = gr.HTML("", elem_id="pages-table")
            with gr.Tab(t["unanswered_tab"], id="unanswered") as unanswered_tab:
                unanswered_intro = gr.Markdown(t["unanswered_intro"])
                with gr.Row(equal_height=True):
                    period = gr.Slider(
                        1, days, value=days, step=1, label=t["unanswered_days"], scale=4
                    )
                    unanswered_refresh = gr.Button(t["unanswered_refresh"], scale=1)
                unanswered_results = gr.HTML("", elem_id="unanswered-results")

        gr.on(
            [search.click, query.submit],
            handlers.search,
            [query, k, query_lang, ui_lang],
            results,
            api_name="search",
            concurrency_limit=2,
            concurrency_id="search",
        )
        gr.on(
            [pages_tab.select, pages_refresh.click],
            handlers.pages,
            [ui_lang],
            pages_table,
            api_name="pages",
            concurrency_limit=2,
            concurrency_id="search",
        )
        gr.on(
            [unanswered_tab.select, unanswered_refresh.click],
            handlers.unanswered_report,
            [period, ui_lang],
            unanswered_results,
            api_name="unanswered",
            concurrency_limit=1,
            concurrency_id="unanswered",
        )

        def relabel(lang: str) -> list[Any]:
            t = ui_texts(_lang(lang))
            return [
                gr.update(value=f"# {t['staff_page_title']}"),
                gr.update(label=t["interface_language"]),
                gr.update(label=t["staff_tab"]),
                gr.update(value=t["staff_intro"]),
                gr.update(label=t["staff_query"], placeholder=t["staff_query_placeholder"]),
                gr.update(label=t["staff_k"]),
                gr.update(label=t["staff_lang"], choices=_choices(t)),
                gr.update(value=t["staff_search"]),
                gr.update(label=t["pages_tab"]),
                gr.update(value=t["pages_intro"]),
                gr.update(value=t["pages_refresh"]),
                handlers.pages(lang),
                gr.update(label=t["unanswered_tab"]),
                gr.update(value=t["unanswered_intro"]),
                gr.update(label=t["unanswered_days"]),
                gr.update(value=t["unanswered_refresh"]),
            ]

        relabelled = [
            header,
            ui_lang,
            staff_tab,
            staff_intro,
            query,
            k,
            query_lang,
            search,
            pages_tab,
            pages_intro,
            pages_refresh,
            pages_table,
            unanswered_tab,
            unanswered_intro,
            period,
            unanswered_refresh,
        ]
        ui_lang.change(relabel, ui_lang, relabelled, api_visibility="private")
    app.queue(max_size=20, default_concurrency_limit=2)
    return app


def launch_staff(
    app: gr.Blocks, login: Login, host: str = "127.0.0.1", port: int = 7861, *, block: bool = False
) -> gr.Blocks:
    """Serve the staff app on ``host:port`` behind ``login`` (never through a share link).
    By default it returns once the server runs (the citizens' page then blocks);
    ``app.close()`` stops it."""
    from assistant.serving.http import server_kwargs
    from assistant.serving.server import launch_options, skip_absent_matplotlib

    skip_absent_matplotlib()
    app.launch(
        server_name=host,
        server_port=port,
        auth=login,
        auth_message=ui_texts("de")["staff_login"] + " / " + ui_texts("en")["staff_login"],
        app_kwargs=server_kwargs(app, api=False),  # the body cap and the address limit
        **launch_options(block),
    )
    return app


def start_staff(
    assistant: AssistantLike,
    unanswered: UnansweredLog | None,
    settings: Settings | None = None,
    host: str | None = None,
    port: int | None = None,
) -> gr.Blocks | None:
    """The staff app, started beside the citizens' page when a staff account is configured
    (in ``settings``, default the assistant's); None, and one line in the log, when not."""
    settings = settings or assistant.settings
    login = staff_login(settings)
    if login is None:
        log.warning(
            "staff area off: no staff login configured "
            "(ASSISTANT_STAFF_USER and ASSISTANT_STAFF_PASSWORD_HASH, or "
            "ASSISTANT_STAFF_CREDENTIALS_FILE; 'assistant staff-hash' makes the hash)"
        )
        return None
    host, port = host or settings.staff_host, port or settings.staff_port
    app = launch_staff(create_staff_app(assistant, unanswered), login, host, port)
    log.warning("staff area: http://%s:%d (login required)", host, port)
    return app
