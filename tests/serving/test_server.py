"""Serving the page: the settings ``serve`` starts with, and the failing matplotlib import
made cheap."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from assistant.config import Settings
from assistant.serving import server


class Opened(Exception):
    """Raised by the stand-in for ``Assistant.open``: serve goes no further."""


def settings_serve_opens_with(monkeypatch, settings: Settings) -> Settings:
    from assistant.app import Assistant

    seen: list[Settings] = []

    def fake_open(cls, given, **kwargs):
        seen.append(given)
        raise Opened

    monkeypatch.setattr(Assistant, "open", classmethod(fake_open))
    with pytest.raises(Opened):
        server.serve(settings)
    (opened,) = seen
    return opened


def test_serve_runs_the_engine_on_one_thread_unless_set(monkeypatch, tmp_path):
    base = Settings(data_dir=tmp_path / "var", index_dir=tmp_path / "index")
    assert base.embedding_threads == 0  # all cores for ingest, eval and the CLI
    opened = settings_serve_opens_with(monkeypatch, base)
    assert opened.embedding_threads == server.SERVING_ENGINE_THREADS == 1
    assert opened.data_dir == base.data_dir  # the rest as given
    chosen = base.model_copy(update={"embedding_threads": 2})
    assert settings_serve_opens_with(monkeypatch, chosen).embedding_threads == 2


def test_an_absent_matplotlib_fails_to_import_at_once(monkeypatch):
    monkeypatch.delitem(sys.modules, "matplotlib", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert server.skip_absent_matplotlib() is True
    assert sys.modules["matplotlib"] is None
    with pytest.raises(ImportError):
        import matplotlib  # noqa: F401
    assert server.skip_absent_matplotlib() is True  # once is enough


def test_an_installed_matplotlib_is_left_alone(monkeypatch):
    monkeypatch.delitem(sys.modules, "matplotlib", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())
    assert server.skip_absent_matplotlib() is False
    assert "matplotlib" not in sys.modules
    loaded = type(sys)("matplotlib")
    monkeypatch.setitem(sys.modules, "matplotlib", loaded)
    assert server.skip_absent_matplotlib() is False and sys.modules["matplotlib"] is loaded


def test_serve_reads_the_passages_ahead_while_the_page_serves(monkeypatch, tmp_path):
    import threading

    from assistant.app import Assistant

    read = threading.Event()
    calls: list[tuple[str, object]] = []

    class Opened:
        def read_ahead(self, seconds: float) -> int:
            calls.append(("read_ahead", seconds))
            read.set()
            return 0

    opened = Opened()
    monkeypatch.setattr(Assistant, "open", classmethod(lambda cls, s, **kw: opened))
    monkeypatch.setattr(server, "warm_up", lambda a: calls.append(("warm_up", a)))
    monkeypatch.setattr(server, "create_app", lambda a: calls.append(("create_app", a)) or "app")
    monkeypatch.setattr(server, "launch", lambda app, host, port: calls.append(("launch", app)))
    server.serve(Settings(data_dir=tmp_path / "var", index_dir=tmp_path / "index"))
    assert read.wait(10)
    assert calls[0] == ("warm_up", opened)  # the examples first, in the foreground
    assert ("read_ahead", server.READ_AHEAD_S) in calls and ("launch", "app") in calls


def test_serve_gathers_the_scrubbers_words_in_the_background(monkeypatch, tmp_path):
    import threading
    from types import SimpleNamespace

    from assistant.app import Assistant

    gathered = threading.Event()

    class Scrubber:
        @property
        def words(self) -> set[str]:
            gathered.set()
            return set()

    page = SimpleNamespace(
        handlers=SimpleNamespace(unanswered=SimpleNamespace(scrubber=Scrubber()))
    )
    opened = SimpleNamespace(read_ahead=lambda seconds: 0)
    monkeypatch.setattr(Assistant, "open", classmethod(lambda cls, s, **kw: opened))
    monkeypatch.setattr(server, "warm_up", lambda a: None)
    monkeypatch.setattr(server, "create_app", lambda a: page)
    launched = []
    monkeypatch.setattr(server, "launch", lambda app, host, port: launched.append(app))
    server.serve(Settings(data_dir=tmp_path / "var", index_dir=tmp_path / "index"))
    assert gathered.wait(10) and launched == [page]
