"""Citizens' assistant for Darmstadt's city partnerships."""

import importlib
import os
from collections.abc import Callable
from typing import Any

# Nothing may reach a model hub or send telemetry, whatever the caller's environment.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
}
for _name, _value in OFFLINE_ENV.items():
    os.environ.setdefault(_name, _value)

__version__ = "0.1.0"


def lazy_entries(package: str, entries: dict[str, str]) -> Callable[[str], Any]:
    """A stage package's ``__getattr__``: its entry points (name → defining module), imported
    on first use, so that importing one module of a stage never loads another's libraries."""

    def __getattr__(name: str) -> Any:
        if name in entries:
            return getattr(importlib.import_module(entries[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
