"""The answer phrases of each language, and the refusal phrase."""

from __future__ import annotations

from assistant.resources import load_data


def phrases(lang: str) -> dict:
    """The answer phrases of a language (``assistant/data/phrases_<lang>.yaml``)."""
    return load_data(f"phrases_{lang}.yaml")


REFUSAL = {lang: phrases(lang)["refusal"] for lang in ("de", "en")}
