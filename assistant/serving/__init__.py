"""Serving: the citizens' web UI (``ui`` builds the page, ``handlers`` answer its events,
``render`` its HTML, ``server`` launches it), the staff app behind a login (``staff_app``,
its handlers in ``staff`` and ``pages``, the login in ``staff_auth``), the rate limit
(``ratelimit``), feedback (``feedback``), the record of unanswered questions (``unanswered``,
``scrub``, ``unanswered_report``) and their commands (``commands``).

Entry points: ``create_app``, ``launch``.
"""

from typing import TYPE_CHECKING

from assistant import lazy_entries

if TYPE_CHECKING:
    from assistant.serving.server import launch
    from assistant.serving.ui import create_app

ENTRIES = {
    "create_app": "assistant.serving.ui",
    "launch": "assistant.serving.server",
}
__all__ = ["create_app", "launch"]
__getattr__ = lazy_entries(__name__, ENTRIES)
