"""Patterns of contact details that every stage recognises the same way."""

from __future__ import annotations

import re

# A telephone number with its area code: +49 (0)89 233-0, (0711) 216-80, 0221/221-0.
PHONE = re.compile(
    r"(?:\+\s?\d{2,3}[\s/-]*(?:\(0\)\s?)?\d{2,5}|(?:\+\s?\d{2,3}[\s/-]*)?(?:\(0?\d{2,5}\)|0\d{2,5}))"
    r"[\s/-]*\d{1,8}(?:[\s-]\d{1,6}){0,3}"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

__all__ = ["EMAIL", "PHONE"]
