"""Helpers for tests that talk to a running web UI the way its page does."""

from __future__ import annotations

import json
import socket

import httpx


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def completed_message(http: httpx.Client, session: str) -> dict:
    """Read the queue's event stream of ``session`` up to its final message."""
    with http.stream("GET", "/gradio_api/queue/data", params={"session_hash": session}) as s:
        for line in s.iter_lines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return message
    raise AssertionError("the stream ended without a result")
