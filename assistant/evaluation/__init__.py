"""Evaluation: the question sets (``questions``), each question's outcome and the summaries
(``metrics``), running sets over an assistant (``harness``), the gate (``gate``), the
Markdown report (``report``) and the ``eval`` command (``commands``).

Entry points: ``run_eval``.
"""

from typing import TYPE_CHECKING

from assistant import lazy_entries

if TYPE_CHECKING:
    from assistant.evaluation.harness import run_eval

ENTRIES = {
    "run_eval": "assistant.evaluation.harness",
}
__all__ = ["run_eval"]
__getattr__ = lazy_entries(__name__, ENTRIES)
