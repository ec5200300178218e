"""Limits at the HTTP layer, on every route of the served page, and the server application.

:class:`HttpLimits` is an ASGI middleware in front of everything Gradio and the JSON API
serve. Before any route reads a request it

- refuses a body over ``http_max_body_bytes`` with 413 (by ``Content-Length``; a body
  without one is read up to the cap, counted chunk by chunk, and replayed);
- closes Gradio's upload routes with 404 (the citizens' page has no upload component, so
  nobody's files are taken in, kept and served back);
- limits the question routes (the queue's join, Gradio's call and run routes and
  ``/api/v1/ask``; not static files, the page or its event stream) per client address,
  which a new browser session does not reset: 429 with ``Retry-After``. The address is
  the connecting one, or read from ``X-Forwarded-For`` as far as ``http_trusted_proxies``
  proxies allow. The web UI's per-session limit (:mod:`assistant.serving.ratelimit`) stays
  below it and answers a person with a friendly message; this one is the hard limit. It
  is the same in-memory token bucket, keyed by address: no new dependency, no store;
- checks a Gradio call (known event, as many values as it takes, a choice among its
  choices) so that a client's bad input gets 422 and one line in the log, not a
  traceback from deep inside the queue.

:func:`server_kwargs` gives Gradio's ``launch`` the middleware and the API mounted at
``/api/v1`` (:mod:`assistant.serving.api`); :func:`server_app` builds the same application
in-process, for tests.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import gradio as gr
from starlette.middleware import Middleware
from starlette.routing import Mount

from assistant.config import Settings
from assistant.serving.api import PREFIX, api_app
from assistant.serving.ratelimit import RateLimiter, wait_seconds

log = logging.getLogger(__name__)
Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Gradio's routes that take files in (this version): uploads, their progress, recordings
UPLOAD_ROUTES = re.compile(r"/gradio_api/(?:upload|upload_progress|process_recording)/?$")
# Gradio's routes that start an event: the queue (the page), call, run and api (clients)
GRADIO_CALLS = re.compile(r"/gradio_api/(?:queue/join|(?:call/v2|call|run|api)/([^/]+))/?$")
API_ASK = re.compile(re.escape(PREFIX) + r"/ask/?$")
CHOICE_COMPONENTS = (gr.Radio,)


def client_address(scope: Scope, trusted_proxies: int) -> str:
    """The client's address: the connecting one, or, behind ``trusted_proxies`` proxies,
    the hop of ``X-Forwarded-For`` that the nearest of them was given (hops further left
    are what the client itself claims, and are not believed)."""
    peer = (scope.get("client") or ("",))[0] or "unknown"
    if trusted_proxies <= 0:
        return peer
    hops: list[str] = []
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-for":
            hops += [h.strip() for h in value.decode("latin-1").split(",") if h.strip()]
    hops.append(peer)
    return hops[max(0, len(hops) - 1 - trusted_proxies)]


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return None


async def _reply(send: Send, status: int, detail: str, headers: dict[str, str] | None = None):
    body = json.dumps({"detail": detail}).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    head += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive, cap: int) -> bytes | None:
    """The whole body, or None as soon as it grows over ``cap`` bytes."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` that gives ``body`` once more, then what the connection says."""
    given = False

    async def again() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again


def _event(blocks: gr.Blocks, api_name: str | None, payload: dict[str, Any]) -> Any:
    """The event a Gradio call starts (None: no such event, or one not open to clients)."""
    if api_name is None:
        index = payload.get("fn_index")
        return blocks.fns.get(index) if isinstance(index, int) else None
    for fn in blocks.fns.values():
        if fn.api_name == api_name and fn.api_visibility != "private":
            return fn
    return None


def call_problem(blocks: gr.Blocks, api_name: str | None, body: bytes) -> str:
    """What is wrong with a Gradio call's body ("" when nothing): not a JSON object with a
    data list, an unknown event, a wrong number of values, a value that is not a choice."""
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        return "the body is not JSON"
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        return "the body is not an object with a data list"
    fn = _event(blocks, api_name, payload)
    if fn is None:
        return "no such event"
    data, inputs = payload["data"], list(fn.inputs)
    shown = [c for c in inputs if not isinstance(c, gr.State)]  # clients may leave state out
    if len(data) not in (len(inputs), len(shown)):
        return f"{len(data)} values for an event that takes {len(shown)}"
    for component, value in zip(inputs if len(data) == len(inputs) else shown, data, strict=True):
        if isinstance(component, CHOICE_COMPONENTS) and value is not None:
            choices = [choice[1] for choice in component.choices]
            if value not in choices:
                return f"{str(value)[:40]!r} is not one of {choices}"
    return ""


class HttpLimits:
    """The middleware: body cap, closed upload routes, per-address limit on question
    routes, Gradio calls checked (see the module's description)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        limiter: RateLimiter,
        trusted_proxies: int = 0,
        blocks: gr.Blocks | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.limiter = limiter
        self.trusted_proxies = trusted_proxies
        self.blocks = blocks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if UPLOAD_ROUTES.search(path):
            log.warning("refused %s %s: uploads are closed (404)", method, path[:100])
            await _reply(send, 404, "Not Found")
            return
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            log.warning("refused %s %s: body of %s bytes (413)", method, path[:100], length[:20])
            await _reply(send, 413, f"The body may have at most {self.max_body} bytes.")
            return
        call = GRADIO_CALLS.search(path) if method == "POST" else None
        question = call is not None or (method == "POST" and API_ASK.search(path) is not None)
        body = b""
        if question or (length is None and _header(scope, b"transfer-encoding")):
            read = await _read_body(receive, self.max_body)
            if read is None:
                log.warning(
                    "refused %s %s: body over %d bytes (413)", method, path[:100], self.max_body
                )
                await _reply(send, 413, f"The body may have at most {self.max_body} bytes.")
                return
            body, receive = read, _replay(read, receive)
        if question:
            wait = self.limiter.acquire(client_address(scope, self.trusted_proxies))
            if wait:
                seconds = str(wait_seconds(wait))
                log.info("limited %s %s (429, retry after %s s)", method, path[:100], seconds)
                await _reply(send, 429, "Too many questions.", {"retry-after": seconds})
                return
            problem = call_problem(self.blocks, call[1], body) if call and self.blocks else ""
            if problem:
                log.warning("refused %s %s: %s (422)", method, path[:100], problem)
                await _reply(send, 422, problem)
                return
            send = _noting_refusals(send, method, path)
        await self.app(scope, receive, send)


def _noting_refusals(send: Send, method: str, path: str) -> Send:
    """``send`` that logs one line when the route refuses the request (a 4xx status)."""

    async def noted(message: Message) -> None:
        if message["type"] == "http.response.start" and 400 <= message["status"] < 500:
            log.warning("refused %s %s (%d)", method, path[:100], message["status"])
        await send(message)

    return noted


def address_limiter(settings: Settings) -> RateLimiter:
    """The per-address limit of question routes, from the settings."""
    return RateLimiter(settings.http_rate_limit_per_minute, settings.http_rate_limit_burst)


def server_kwargs(blocks: gr.Blocks, api: bool = True) -> dict[str, Any]:
    """What Gradio's ``launch`` (``app_kwargs``) needs to serve ``blocks`` with the limits
    and, with ``api``, the JSON API (for the assistant of the page's handlers; the staff app
    has none: its routes are behind its login, a mounted API would not be). The root's
    OpenAPI description, which listed Gradio's internal routes, is not served; the API's
    own is."""
    assistant = getattr(getattr(blocks, "handlers", None), "assistant", None)
    settings = assistant.settings if assistant is not None else Settings()
    limits = Middleware(
        HttpLimits,
        max_body=settings.http_max_body_bytes,
        limiter=address_limiter(settings),
        trusted_proxies=settings.http_trusted_proxies,
        blocks=blocks,
    )
    return {
        "middleware": [limits],
        "routes": [Mount(PREFIX, app=api_app(assistant))] if api and assistant is not None else [],
        "openapi_url": None,
    }


def server_app(blocks: gr.Blocks) -> Any:
    """The application ``launch`` serves for ``blocks``, built in-process (not started)."""
    from gradio.routes import App

    return App.create_app(blocks, app_kwargs=server_kwargs(blocks))
