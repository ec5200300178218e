"""The data files in ``assistant/data`` (word lists, glossaries, phrases), read once."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when PyYAML has it


@cache
def load_data(name: str) -> Any:
    """The parsed YAML file ``assistant/data/<name>``; callers must not modify it."""
    return yaml.load((DATA / name).read_text(encoding="utf-8"), Loader=_LOADER)
